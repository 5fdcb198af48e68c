"""Filing an application from a phone, leaving, coming back, and sending it (SPEC §3)."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from sejour.applications.models import Application, Status
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEvent
from sejour.conftest import PASSWORD
from sejour.notifications.models import OutboxMessage
from sejour.registry.models import EphotoCode

from .helpers import (
    MOTIVE,
    PERSONAL,
    RESOURCES,
    attach_required_documents,
    file_complete_application,
    give_ephoto,
    start,
    step_url,
)

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


@pytest.mark.django_db
def test_applicant_files_an_application_and_gets_the_attestation(
    client, applicant, ephoto_codes, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    application = start(client)
    assert application.status == Status.DRAFT
    assert application.procedure == "renewal"
    with django_capture_on_commit_callbacks(execute=True):
        response = file_complete_application(client, application, ephoto_codes["valid"])
    assert response.url == reverse("applications:detail", args=[application.reference])

    application.refresh_from_db()
    assert application.status == Status.FILED
    assert application.prefecture.department_code == "75"
    assert application.filed_at is not None
    assert EphotoCode.objects.get(code=ephoto_codes["valid"]).used_at is not None
    assert application.files.filter(submitted=True).count() == application.files.count() > 0

    attestation = Attestation.objects.get(application=application, kind=Attestation.Kind.FILING)
    pdf = attestation.file.read()
    assert pdf.startswith(b"%PDF-")
    email = OutboxMessage.objects.get(recipient=applicant.email, attachment=attestation.file.name)
    assert application.reference in email.subject
    assert email.status == OutboxMessage.Status.SENT
    assert mail.outbox[-1].attachments[0][0].endswith(".pdf")

    page = client.get(reverse("applications:detail", args=[application.reference])).content.decode()
    assert attestation.number in page
    assert "Application filed" in page
    download = client.get(
        reverse(
            "applications:attestation_download", args=[application.reference, attestation.number]
        )
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(
        application=application, action="application.submitted"
    ).exists()


@pytest.mark.django_db
def test_leaving_after_step_three_resumes_at_step_four_on_another_device(
    client, applicant, ephoto_codes
):
    client.login(identifier=applicant.identifier, password=PASSWORD)
    application = start(client)
    client.post(step_url(application, "personal"), PERSONAL)
    client.post(step_url(application, "motive"), MOTIVE["student"])
    client.post(step_url(application, "resources"), RESOURCES)

    other_device = Client()
    response = other_device.post(
        reverse("accounts:login"), {"identifier": applicant.identifier, "password": PASSWORD}
    )
    assert response.status_code == 302
    dashboard = other_device.get(reverse("applications:dashboard")).content.decode()
    assert step_url(application, "documents") in dashboard
    # Starting the same motive again resumes the same draft.
    response = other_device.post(reverse("applications:presentation", args=["student"]))
    assert response.url == step_url(application, "documents")
    assert Application.objects.filter(applicant=applicant).count() == 1
    page = other_device.get(response.url)
    assert page.status_code == 200
    assert "Step 4 of 6" in page.content.decode()
    # Going back shows everything kept.
    personal = other_device.get(step_url(application, "personal")).content.decode()
    assert 'value="12 rue Oberkampf"' in personal
    resources = other_device.get(step_url(application, "resources")).content.decode()
    assert 'value="900' in resources


@pytest.mark.django_db
def test_steps_cannot_be_skipped(client, applicant):
    client.force_login(applicant)
    application = start(client)
    response = client.get(step_url(application, "summary"))
    assert response.url == step_url(application, "personal")


@pytest.mark.django_db
def test_motive_without_resources_has_five_steps(client, other_applicant):
    client.force_login(other_applicant)
    application = start(client, "talent")
    page = client.get(step_url(application, "personal")).content.decode()
    assert "Step 1 of 5" in page
    assert client.get(step_url(application, "resources")).status_code == 404


@pytest.mark.django_db
def test_personal_step_prefills_from_the_registry(client, applicant):
    client.force_login(applicant)
    application = start(client)
    page = client.get(step_url(application, "personal")).content.decode()
    assert 'value="Diallo"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "7501", "A postcode has 5 digits"),
        ("postcode", "98000", "We cannot find the prefecture for this postcode"),
        ("birth_date", "2999-01-01", "Check your date of birth."),
        ("birth_date", "2001-02-30", "Enter a valid date."),
        ("phone", "12345", "Give a French mobile number"),
    ],
)
def test_bad_personal_answers_are_explained_next_to_the_field(
    client, applicant, field, value, message
):
    client.force_login(applicant)
    application = start(client)
    response = client.post(step_url(application, "personal"), {**PERSONAL, field: value})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    # The rest of what was typed stays.
    assert 'value="12 rue Oberkampf"' in response.content.decode()
    application.refresh_from_db()
    assert application.last_step == ""


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["-5", "abc", "99999999", "1e400"])
def test_impossible_amounts_are_refused(client, applicant, amount):
    client.force_login(applicant)
    application = start(client)
    client.post(step_url(application, "personal"), PERSONAL)
    client.post(step_url(application, "motive"), MOTIVE["student"])
    response = client.post(
        step_url(application, "resources"), {**RESOURCES, "monthly_amount": amount}
    )
    assert response.status_code == 200
    assert "monthly_amount" in response.context["form"].errors


@pytest.mark.django_db
def test_low_resources_are_accepted_with_an_explanation(client, applicant):
    client.force_login(applicant)
    application = start(client)
    client.post(step_url(application, "personal"), PERSONAL)
    client.post(step_url(application, "motive"), MOTIVE["student"])
    response = client.post(
        step_url(application, "resources"), {**RESOURCES, "monthly_amount": "300"}, follow=True
    )
    assert "below the amount usually expected (615" in response.content.decode()


@pytest.mark.django_db
def test_documents_step_lists_what_is_missing(client, applicant, ephoto_codes):
    client.force_login(applicant)
    application = start(client)
    client.post(step_url(application, "personal"), PERSONAL)
    client.post(step_url(application, "motive"), MOTIVE["student"])
    client.post(step_url(application, "resources"), RESOURCES)
    response = client.post(step_url(application, "documents"))
    body = response.content.decode()
    assert "Missing document" in body
    assert "Give your e-photo code." in body
    attach_required_documents(client, application)
    give_ephoto(client, application, ephoto_codes["valid"])
    assert client.post(step_url(application, "documents")).url == step_url(application, "summary")


@pytest.mark.django_db
def test_summary_shows_every_answer_with_links_to_change_them(client, applicant, ephoto_codes):
    client.force_login(applicant)
    application = start(client)
    client.post(step_url(application, "personal"), PERSONAL)
    client.post(step_url(application, "motive"), MOTIVE["student"])
    client.post(step_url(application, "resources"), RESOURCES)
    attach_required_documents(client, application)
    give_ephoto(client, application, ephoto_codes["valid"])
    client.post(step_url(application, "documents"))
    body = client.get(step_url(application, "summary")).content.decode()
    for text in ("Sorbonne Université", "Master or engineering school", "Scholarship", "doc.pdf"):
        assert text in body
    for slug in ("personal", "motive", "resources", "documents"):
        assert step_url(application, slug) in body
    assert "Préfecture de police" in body and "75011" in body


@pytest.mark.django_db
def test_requirements_list_is_shown_before_starting_and_downloadable(client, applicant):
    client.force_login(applicant)
    page = client.get(reverse("applications:presentation", args=["student"])).content.decode()
    assert "Passport" in page or "passport" in page.lower()
    response = client.get(reverse("applications:requirements_pdf", args=["student", "renewal"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert (
        client.get(
            reverse("applications:requirements_pdf", args=["employee", "renewal"])
        ).status_code
        == 404
    )
