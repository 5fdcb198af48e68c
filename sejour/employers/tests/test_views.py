"""The employer's pages, the agents' answers, the holder's list, the verification page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sejour.audit.models import AuditEvent
from sejour.employers.models import CheckRequest
from sejour.employers.pdf import answer_verification_url
from sejour.support.models import Ticket

pytestmark = pytest.mark.django_db


def _post_check(client, **overrides):
    today = timezone.localdate()
    data = {
        "foreign_number": "7500000001",
        "attestation_number": "",
        "document_valid_from": (today - timedelta(days=300)).isoformat(),
        "document_valid_until": (today + timedelta(days=90)).isoformat(),
        "job_start": (today + timedelta(days=7)).isoformat(),
        "contract_type": "fixed_term",
        **overrides,
    }
    return client.post(reverse("employers:check_new"), data)


def test_an_employer_checks_a_permit_from_the_form(
    bakery_client, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_check(bakery_client)
    check = CheckRequest.objects.get()
    assert response.url == reverse("employers:check", args=[check.reference])
    page = bakery_client.get(response.url).content.decode()
    assert "Genuine, valid and allows work" in page
    assert "964" in page  # Amina holds a student permit
    assert "Amina DIALLO" in page
    # Never the address, the motive or the history.
    for private in ("1 rue de la Paix", "75011", "Motive", "Student permit", "Dakar", "History"):
        assert private not in page
    pdf = bakery_client.get(reverse("employers:check_pdf", args=[check.reference]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"foreign_number": "12ab"}, "foreign_number", "has 10 digits"),
        ({"foreign_number": ""}, "foreign_number", "Give the foreign-national number"),
        ({"attestation_number": "AT-ABCD234567"}, "attestation_number", "Give one number only"),
        (
            {"foreign_number": "", "attestation_number": "XYZ"},
            "attestation_number",
            "“AT-” followed",
        ),
        ({"document_valid_until": "2020-01-01"}, "document_valid_until", "must be after"),
        ({"job_start": "someday"}, "job_start", "Enter a valid date"),
        ({"contract_type": "slavery"}, "contract_type", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(bakery_client, db, overrides, field, message):
    response = _post_check(bakery_client, **overrides)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not CheckRequest.objects.exists()


def test_an_employer_never_sees_another_employers_check(bakery_client, garage, applicant):
    from sejour.employers.services import check_request_create

    today = timezone.localdate()
    theirs = check_request_create(
        employer=garage.employer,
        by=garage.user,
        foreign_number="7500000001",
        document_valid_from=today,
        document_valid_until=today,
        job_start=today,
        contract_type="permanent",
    )
    assert bakery_client.get(reverse("employers:check", args=[theirs.reference])).status_code == 404
    pdf = reverse("employers:check_pdf", args=[theirs.reference])
    assert bakery_client.get(pdf).status_code == 404
    assert theirs.reference not in bakery_client.get(reverse("employers:space")).content.decode()


def test_the_space_lists_checks_without_n_plus_one(
    bakery_client, bakery, applicant, django_assert_max_num_queries
):
    from sejour.employers.services import check_request_create

    today = timezone.localdate()
    for _ in range(5):
        check_request_create(
            employer=bakery.employer, by=bakery.user, foreign_number="7500000001",
            document_valid_from=today, document_valid_until=today, job_start=today,
            contract_type="permanent",
        )  # fmt: skip
    with django_assert_max_num_queries(8):
        response = bakery_client.get(reverse("employers:space"))
    assert response.content.decode().count("VE-") >= 5


# --- The prefecture's agents -----------------------------------------------------------


@pytest.fixture
def waiting_check(bakery, applicant):
    from sejour.employers.services import check_request_create
    from sejour.registry.models import ResidenceDocument

    document = ResidenceDocument.objects.get(person__foreign_number="7500000001")
    return check_request_create(
        employer=bakery.employer,
        by=bakery.user,
        foreign_number="7500000001",
        document_valid_from=document.valid_from - timedelta(days=3),  # not what the registry has
        document_valid_until=document.valid_until,
        job_start=timezone.localdate() + timedelta(days=5),
        contract_type="permanent",
    )


def _agent_client(client, agent):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=agent, name="phone")
    client.force_login(agent)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def test_the_agents_queue_shows_the_deadline(client, agent_paris, waiting_check):
    page = _agent_client(client, agent_paris).get(reverse("employers:agent_queue")).content.decode()
    assert waiting_check.reference in page
    assert "Boulangerie Dupain" in page


def test_an_agent_answers_and_the_employer_is_told(
    client, agent_paris, waiting_check, bakery, django_capture_on_commit_callbacks
):
    _agent_client(client, agent_paris)
    url = reverse("employers:agent_check", args=[waiting_check.reference])
    until = timezone.localdate() + timedelta(days=200)
    response = client.post(url, {"genuine": "yes"})
    assert "Answer yes or no." in " ".join(response.context["form"].errors["valid_on_start"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"genuine": "yes", "valid_on_start": "yes", "allows_work": "yes",
             "valid_until": until.isoformat(), "student_limit": "on"},
        )  # fmt: skip
    assert response.status_code == 302
    waiting_check.refresh_from_db()
    assert waiting_check.is_answered and waiting_check.answered_by == agent_paris
    assert (waiting_check.valid_until, waiting_check.yearly_work_limit_hours) == (until, 964)
    assert waiting_check.holder_name == "Amina DIALLO"
    assert waiting_check.pdf
    event = AuditEvent.objects.get(action="employer_check.answered")
    assert event.actor == agent_paris and event.data["verdict"] == "allows_work"
    from sejour.notifications.models import OutboxMessage

    assert OutboxMessage.objects.filter(
        recipient=bakery.email, subject__contains=waiting_check.reference
    ).exists()
    # Answered once: a second answer is refused, never a 500.
    again = client.post(url, {"genuine": "no"})
    assert again.status_code == 200
    waiting_check.refresh_from_db()
    assert waiting_check.genuine is True


def test_an_agent_of_another_prefecture_gets_404(client, agent_rhone, waiting_check):
    _agent_client(client, agent_rhone)
    url = reverse("employers:agent_check", args=[waiting_check.reference])
    assert client.get(url).status_code == 404
    assert client.post(url, {"genuine": "no"}).status_code == 404
    page = client.get(reverse("employers:agent_queue")).content.decode()
    assert waiting_check.reference not in page


def test_employers_and_applicants_cannot_open_the_agents_pages(
    bakery_client, waiting_check, client, applicant
):
    url = reverse("employers:agent_check", args=[waiting_check.reference])
    assert bakery_client.get(url).status_code == 403
    client.force_login(applicant)
    assert client.get(reverse("employers:agent_queue")).status_code == 403


# --- The holder --------------------------------------------------------------------------


def test_the_holder_sees_who_checked_and_reports_a_check(
    client, applicant, waiting_check, support_agent
):
    client.force_login(applicant)
    page = client.get(reverse("employers:holder_checks")).content.decode()
    assert "Boulangerie Dupain" in page and "Waiting for the prefecture" in page
    url = reverse("employers:holder_report", args=[waiting_check.reference])
    response = client.post(url, {"message": "I never applied there."})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert waiting_check.reference in ticket.message and "Boulangerie Dupain" in ticket.message
    assert ticket.user == applicant
    waiting_check.refresh_from_db()
    assert waiting_check.ticket == ticket
    assert AuditEvent.objects.filter(action="employer_check.reported", actor=applicant).exists()
    # Twice: a clear message, no second ticket.
    response = client.post(url, {"message": ""})
    assert "already reported" in " ".join(response.context["form"].non_field_errors())
    assert Ticket.objects.count() == 1


def test_another_person_cannot_see_or_report_the_check(client, other_applicant, waiting_check):
    client.force_login(other_applicant)
    assert (
        waiting_check.reference
        not in client.get(reverse("employers:holder_checks")).content.decode()
    )
    url = reverse("employers:holder_report", args=[waiting_check.reference])
    assert client.post(url, {"message": "x"}).status_code == 404
    assert not Ticket.objects.exists()


# --- Verification -------------------------------------------------------------------------


def test_the_signed_answer_verifies_and_a_changed_one_does_not(client, bakery, applicant):
    from sejour.employers.services import check_request_create

    today = timezone.localdate()
    from sejour.registry.models import ResidenceDocument

    document = ResidenceDocument.objects.get(person__foreign_number="7500000001")
    check = check_request_create(
        employer=bakery.employer, by=bakery.user, foreign_number="7500000001",
        document_valid_from=document.valid_from, document_valid_until=document.valid_until,
        job_start=today, contract_type="permanent",
    )  # fmt: skip
    path = answer_verification_url(check).split("127.0.0.1:8000", 1)[-1]
    page = client.get(path).content.decode()
    assert "Genuine answer" in page and "Boulangerie Dupain" in page
    check.allows_work = False  # the row changed since it was signed
    check.save()
    assert "Not genuine" in client.get(path).content.decode()
    assert (
        "Not genuine" in client.get(reverse("employers:verify", args=["abc.def"])).content.decode()
    )
    # An attestation's token is not an employer's answer.
    from sejour.attestations import signing

    token = signing.sign({"n": "AT-ABCDEFGHJK"})
    assert "Not genuine" in client.get(reverse("employers:verify", args=[token])).content.decode()


def test_the_holders_data_archive_lists_the_checks(client, applicant, waiting_check):
    import io
    import json
    import zipfile

    client.force_login(applicant)
    response = client.get(reverse("accounts:my_data"))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    archive = zipfile.ZipFile(io.BytesIO(content))
    name = next(n for n in archive.namelist() if n.endswith(".json"))
    data = json.loads(archive.read(name))
    assert [c["reference"] for c in data["employer_checks"]] == [waiting_check.reference]
    assert data["employer_checks"][0]["employer"] == "Boulangerie Dupain"


def test_an_answer_pasted_into_the_public_checker_goes_to_its_page(client):
    response = client.get(
        reverse("attestations:verify_form"),
        {"code": "https://sejour.example/verifier/employeur/abc.def/"},
    )
    assert response.status_code == 302
    assert response.url == reverse("employers:verify", args=["abc.def"])


def test_the_agents_queue_links_to_the_checks(client, agent_paris, waiting_check):
    page = _agent_client(client, agent_paris).get(reverse("instruction:queue")).content.decode()
    assert reverse("employers:agent_queue") in page


def test_checks_per_employer_and_hour_are_limited(bakery_client, bakery, applicant, settings):
    settings.EMPLOYER_CHECKS_PER_HOUR = 2
    assert _post_check(bakery_client).status_code == 302
    assert _post_check(bakery_client).status_code == 302
    response = _post_check(bakery_client)
    assert response.status_code == 200
    assert "the most allowed" in " ".join(response.context["form"].non_field_errors())
    assert 'value="7500000001"' in response.content.decode()
    assert CheckRequest.objects.count() == 2
