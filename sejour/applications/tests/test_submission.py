"""Sending an application: once, with a valid e-photo code, inside the window."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from sejour.applications import services
from sejour.applications.models import Application, Status
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEvent
from sejour.conftest import png_bytes
from sejour.documents.services import file_add
from sejour.notifications.models import OutboxMessage
from sejour.registry.models import EphotoCode, Prefecture
from sejour.rules.services import document_requirements

from .helpers import (
    MOTIVE,
    PERSONAL,
    RESOURCES,
    file_complete_application,
    give_ephoto,
    start,
    step_url,
)

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


def ready_to_submit(user, ephoto_code) -> Application:
    """A draft with every step done, built through the services."""
    application = services.application_start(applicant=user, motive="student")
    for step, data in [
        ("personal", PERSONAL),
        ("motive", MOTIVE["student"]),
        ("resources", RESOURCES),
    ]:
        services.application_step_save(application=application, step=step, data=data, by=user)
    for requirement in document_requirements(
        motive="student", procedure=application.procedure, on=timezone.localdate()
    ):
        if requirement.required:
            file_add(
                application=application,
                requirement_code=requirement.code,
                uploaded=SimpleUploadedFile("a.png", png_bytes()),
                is_letter=False,
                by=user,
            )
    services.application_ephoto_set(application=application, code=ephoto_code, by=user)
    for step in ("documents", "summary"):
        services.application_step_save(application=application, step=step, data={}, by=user)
    return application


@pytest.mark.django_db
def test_double_submission_files_once(
    client, applicant, ephoto_codes, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    application = start(client)
    with django_capture_on_commit_callbacks(execute=True):
        first = file_complete_application(client, application, ephoto_codes["valid"])
        second = client.post(step_url(application, "confirmation"), {"certify": "on"})
    assert first.status_code == 302
    assert second.status_code == 302
    assert second.url == reverse("applications:detail", args=[application.reference])
    assert Application.objects.filter(applicant=applicant, status=Status.FILED).count() == 1
    assert Attestation.objects.filter(application=application).count() == 1
    assert OutboxMessage.objects.filter(recipient=applicant.email, attachment__gt="").count() == 1
    assert (
        AuditEvent.objects.filter(application=application, action="application.submitted").count()
        == 1
    )
    # Calling the service again changes nothing either.
    services.application_submit(application=application, by=applicant)
    assert (
        AuditEvent.objects.filter(application=application, action="application.submitted").count()
        == 1
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_submissions_racing_with_one_ephoto_code_only_one_wins(
    applicant, other_applicant, ephoto_codes
):
    first = ready_to_submit(applicant, ephoto_codes["valid"])
    second = ready_to_submit(other_applicant, ephoto_codes["valid"])
    barrier = threading.Barrier(2)
    outcomes = {}

    def submit(application, user):
        try:
            barrier.wait()
            services.application_submit(application=application, by=user)
            outcomes[application.pk] = "filed"
        except services.ApplicationError as error:
            outcomes[application.pk] = str(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=(first, applicant)),
        threading.Thread(target=submit, args=(second, other_applicant)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values(), key=len)[0] == "filed"
    assert list(outcomes.values()).count("filed") == 1
    loser = next(value for value in outcomes.values() if value != "filed")
    assert "already been used" in loser
    assert Application.objects.filter(status=Status.FILED).count() == 1
    assert EphotoCode.objects.get(code=ephoto_codes["valid"]).used_at is not None


@pytest.mark.django_db
def test_reference_data_survives_a_transactional_test():
    assert Prefecture.objects.count() == 101


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("unknown", "We do not know this e-photo code"),
        ("not_yet", "not available yet"),
        ("expired", "has expired"),
        ("used", "already been used"),
    ],
)
def test_each_bad_ephoto_code_has_its_message(client, applicant, ephoto_codes, state, message):
    client.force_login(applicant)
    application = start(client)
    code = "INCONNU000000000000000" if state == "unknown" else ephoto_codes[state]
    response = give_ephoto(client, application, code)
    assert response.status_code == 400
    assert message in str(response.context["ephoto_form"].errors["code"])
    application.refresh_from_db()
    assert application.ephoto_code == ""


@pytest.mark.django_db
def test_not_yet_available_code_says_when_to_try_again(client, applicant, ephoto_codes):
    client.force_login(applicant)
    application = start(client)
    response = give_ephoto(client, application, ephoto_codes["not_yet"])
    available = EphotoCode.objects.get(code=ephoto_codes["not_yet"]).available_at
    assert timezone.localtime(available).strftime("%H:%M") in response.content.decode()


@pytest.mark.django_db
def test_ephoto_code_with_spaces_and_lower_case_is_understood(client, applicant, ephoto_codes):
    client.force_login(applicant)
    application = start(client)
    code = ephoto_codes["valid"].lower()
    spaced = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    assert give_ephoto(client, application, spaced).status_code == 302
    application.refresh_from_db()
    assert application.ephoto_code == ephoto_codes["valid"]


@pytest.mark.django_db
def test_code_used_by_another_application_meanwhile_is_refused_at_submission(
    client, applicant, ephoto_codes
):
    client.force_login(applicant)
    application = start(client)
    EphotoCode.objects.filter(code=ephoto_codes["valid"]).update(used_at=None)
    response = (
        file_complete_application(client, application, ephoto_codes["valid"]) if False else None
    )
    assert response is None
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    EphotoCode.objects.filter(code=ephoto_codes["valid"]).update(used_at=timezone.now())
    response = client.post(step_url(application, "confirmation"), {"certify": "on"})
    assert response.status_code == 200
    assert "already been used" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.DRAFT


@pytest.mark.django_db
def test_confirmation_needs_the_certification(client, applicant, ephoto_codes):
    client.force_login(applicant)
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    response = client.post(step_url(application, "confirmation"), {})
    assert "certify" in response.context["form"].errors
    application.refresh_from_db()
    assert application.status == Status.DRAFT


@pytest.mark.django_db
def test_submission_with_a_document_missing_is_refused(applicant, ephoto_codes):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application.files.update(removed_at=timezone.now())
    with pytest.raises(services.ApplicationError, match="required documents are missing"):
        services.application_submit(application=application, by=applicant)


@pytest.mark.django_db
def test_rule_late_filing_accepted_after_the_two_month_mark_with_the_fee(
    client, registry_person, ephoto_codes
):
    from sejour.conftest import _applicant

    late = _applicant(registry_person, "7500000077", ends_in_days=30)
    client.force_login(late)
    page = client.get(reverse("applications:new")).content.decode()
    assert "You are applying late" in page
    application = ready_to_submit(late, ephoto_codes["valid"])
    confirmation = client.get(step_url(application, "confirmation")).content.decode()
    assert "Late renewal fee" in confirmation
    # 50 € reduced student tax + 50 € stamp duty + 180 € late fee
    assert "280" in confirmation
    services.application_submit(application=application, by=late)
    application.refresh_from_db()
    assert application.late


@pytest.mark.django_db
def test_applying_before_the_window_is_refused_with_the_opening_date(client, registry_person):
    from sejour.conftest import _applicant

    early = _applicant(registry_person, "7500000078", ends_in_days=200)
    client.force_login(early)
    page = client.get(reverse("applications:new")).content.decode()
    assert "It is too early to file" in page
    response = client.post(reverse("applications:presentation", args=["student"]), follow=True)
    assert "It is too early to file" in response.content.decode()
    assert not Application.objects.filter(applicant=early).exists()


@pytest.mark.django_db
def test_visa_holder_files_a_first_application_from_arrival(client, registry_person, ephoto_codes):
    from sejour.accounts.models import User
    from sejour.registry.models import DocumentKind

    registry_person(kind=DocumentKind.VLS, number="123456789", starts_in_days=-5, ends_in_days=360)
    user = User.objects.create_user(None, email="v@example.org", visa_number="123456789")
    client.force_login(user)
    application = start(client, "student")
    assert application.procedure == "first"


@pytest.mark.django_db
def test_withdrawing_a_filed_application_keeps_it_in_the_history(client, applicant, ephoto_codes):
    client.force_login(applicant)
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    services.application_submit(application=application, by=applicant)
    url = reverse("applications:withdraw", args=[application.reference])
    response = client.post(url, {"reason": "I am leaving France"})
    assert "confirm" in response.context["form"].errors
    response = client.post(url, {"reason": "I am leaving France", "confirm": "on"})
    assert response.url == reverse("applications:dashboard")
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    event = AuditEvent.objects.get(application=application, action="application.withdraw")
    assert event.reason == "I am leaving France"
    assert event.from_status == Status.FILED and event.to_status == Status.WITHDRAWN
    # No more corrections once withdrawn.
    response = client.post(step_url(application, "personal"), PERSONAL)
    assert response.url == reverse("applications:detail", args=[application.reference])


@pytest.mark.django_db
def test_correcting_a_filed_application_records_what_changed(client, applicant, ephoto_codes):
    client.force_login(applicant)
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    services.application_submit(application=application, by=applicant)
    response = client.post(
        step_url(application, "personal"),
        {**PERSONAL, "address": "3 rue Neuve", "postcode": "75012"},
    )
    assert response.url == reverse("applications:detail", args=[application.reference])
    application.refresh_from_db()
    assert application.answers["personal"]["address"] == "3 rue Neuve"
    assert application.prefecture.department_code == "75"
    event = AuditEvent.objects.get(application=application, action="application.corrected")
    assert event.data["changes"]["address"] == ["12 rue Oberkampf", "3 rue Neuve"]
    page = client.get(reverse("applications:detail", args=[application.reference])).content.decode()
    assert "Answers corrected" in page


@pytest.mark.django_db
def test_completing_a_filed_application_adds_a_version(client, applicant, ephoto_codes):
    client.force_login(applicant)
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    services.application_submit(application=application, by=applicant)
    from .helpers import upload

    assert (
        upload(client, application, "passport", png_bytes(), "new-passport.png").status_code == 302
    )
    added = application.files.get(original_name="new-passport.png")
    assert added.submitted
    assert AuditEvent.objects.filter(
        application=application, action="document.added_after_filing"
    ).exists()
    page = client.get(reverse("applications:detail", args=[application.reference])).content.decode()
    assert "new-passport.png" in page


@pytest.mark.django_db
def test_dashboard_lists_several_procedures_in_constant_queries(
    client, applicant, ephoto_codes, django_assert_max_num_queries
):
    client.force_login(applicant)
    for motive in ("student", "visitor", "talent"):
        services.application_start(applicant=applicant, motive=motive)
    # The first page of a visit writes the returning mark (pending.py): once per
    # visit, not per application listed.
    client.get(reverse("applications:dashboard"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("applications:dashboard")).content.decode()
    assert page.count("SJ-") >= 3
    services.application_start(applicant=applicant, motive="talent_family")
    with django_assert_max_num_queries(12):
        client.get(reverse("applications:dashboard"))


@pytest.mark.django_db
def test_chooser_sends_other_permits_to_the_prefecture(client, registry_person):
    from sejour.conftest import _applicant
    from sejour.registry.models import Motive

    employee = _applicant(registry_person, "5900000006", motive=Motive.EMPLOYEE, postcode="59000")
    client.force_login(employee)
    page = client.get(
        reverse("applications:new"), {"motive": "private_family_life", "choose": "1"}
    ).content.decode()
    assert "permit is not asked for on this site" in page
    assert "https://www.nord.gouv.fr" in page
    response = client.post(reverse("applications:presentation", args=["private_family_life"]))
    assert response.url == reverse("applications:new") + "?motive=private_family_life"
    assert not Application.objects.filter(applicant=employee).exists()
