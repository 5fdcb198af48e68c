"""The contact form, the support back-office, assisted filing, help and money pages,
and the personal-data archive (SPEC §6–7)."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sejour.applications.models import Application
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.audit.models import AuditEvent
from sejour.conftest import EICAR, pdf_bytes, png_bytes
from sejour.notifications.models import OutboxMessage
from sejour.support.models import Ticket

pytestmark = pytest.mark.usefixtures("clamd", "media_root")
CONTACT = reverse("support:contact")


def message(**extra):
    return {
        "category": "ephoto",
        "message": "My e-photo code is refused.",
        "email": "me@example.org",
        **extra,
    }


@pytest.mark.django_db
def test_contact_form_with_a_screenshot_creates_a_ticket(client):
    page = client.get(CONTACT, {"depuis": "/demarches/"}, HTTP_REFERER="http://testserver/x")
    assert 'value="/demarches/"' in page.content.decode()
    response = client.post(
        CONTACT, message(screenshots=[SimpleUploadedFile("screen.png", png_bytes())])
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.reference in response.content.decode()
    assert ticket.screenshots.count() == 1
    assert OutboxMessage.objects.filter(
        recipient="me@example.org", subject__contains=ticket.reference
    ).exists()


@pytest.mark.django_db
def test_contact_form_is_prefilled_for_a_logged_in_person(client, applicant):
    client.force_login(applicant)
    body = client.get(CONTACT).content.decode()
    assert applicant.email in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "text"),
    [
        (pdf_bytes(), "doc.pdf", "Only images are accepted"),
        (EICAR, "x.png", "not accepted"),
        (png_bytes() + EICAR, "x.png", "This file was refused by the virus check."),
        (b"", "empty.png", "empty"),
    ],
)
def test_bad_screenshots_are_refused_and_the_message_kept(client, content, name, text):
    response = client.post(CONTACT, message(screenshots=[SimpleUploadedFile(name, content)]))
    assert response.status_code == 200
    assert text in response.content.decode()
    assert "My e-photo code is refused." in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_contact_form_needs_its_fields(client):
    response = client.post(CONTACT, {"category": "", "message": "", "email": "no"})
    assert set(response.context["form"].errors) >= {"category", "message", "email"}


@pytest.mark.django_db
def test_contact_form_is_rate_limited(client, settings):
    settings.RATE_LIMIT_CONTACTS_PER_ADDRESS = 2
    for _attempt in range(2):
        client.post(CONTACT, message())
    response = client.post(CONTACT, message())
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many messages" in response.content.decode()
    assert 'name="message"' in response.content.decode()  # the form, with what was typed
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_support_agent_answers_a_ticket_and_the_answer_is_in_the_outbox(
    client, support_agent, agent_client, django_capture_on_commit_callbacks
):
    client.post(CONTACT, message(screenshots=[SimpleUploadedFile("screen.png", png_bytes())]))
    ticket = Ticket.objects.get()
    support = agent_client(support_agent)
    listing = support.get(reverse("support:tickets")).content.decode()
    assert ticket.reference in listing
    page = support.get(reverse("support:ticket", args=[ticket.reference])).content.decode()
    assert "My e-photo code is refused." in page
    shot = ticket.screenshots.get()
    assert (
        support.get(reverse("support:screenshot", args=[ticket.reference, shot.pk])).status_code
        == 200
    )
    response = support.post(reverse("support:ticket", args=[ticket.reference]), {"message": ""})
    assert "message" in response.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        support.post(
            reverse("support:ticket", args=[ticket.reference]),
            {"message": "Wait 48 hours after the photo."},
        )
    answer = OutboxMessage.objects.get(recipient="me@example.org", body__contains="Wait 48 hours")
    assert answer.status == OutboxMessage.Status.SENT
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.ANSWERED
    support.post(reverse("support:ticket_close", args=[ticket.reference]))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED


@pytest.mark.django_db
def test_only_support_agents_read_tickets(client, applicant, agent_paris, agent_client):
    client.post(CONTACT, message(screenshots=[SimpleUploadedFile("screen.png", png_bytes())]))
    ticket = Ticket.objects.get()
    shot = ticket.screenshots.get()
    urls = [
        reverse("support:tickets"),
        reverse("support:ticket", args=[ticket.reference]),
        reverse("support:screenshot", args=[ticket.reference, shot.pk]),
        reverse("support:assistance"),
    ]
    client.force_login(applicant)
    for url in urls:
        assert client.get(url).status_code == 403, url
    agent = agent_client(agent_paris)
    for url in urls:
        assert agent.get(url).status_code == 403, url
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_assisted_filing_records_consent_and_who_acted(
    client, registry_person, support_agent, agent_client, ephoto_codes
):
    document = registry_person(foreign_number="7500000801")
    support = agent_client(support_agent)
    data = {
        "foreign_number": "7500000801",
        "valid_from": document.valid_from.isoformat(),
        "valid_until": document.valid_until.isoformat(),
        "email": "helped@example.org",
    }
    response = support.post(reverse("support:assistance"), data)
    assert response.context["form"].errors["consent"] == ["The person's consent is required."]
    response = support.post(reverse("support:assistance"), {**data, "consent": "on"})
    # The person reads out the code sent to them; a wrong code is refused.
    assert "read the code out" in response.content.decode()
    assert not AuditEvent.objects.filter(action="assistance.started").exists()
    response = support.post(reverse("support:assistance"), {"code": "000000"})
    assert "This is not the code we sent" in response.content.decode()
    response = support.post(
        reverse("support:assistance"), {"code": assistance_code("helped@example.org")}
    )
    assert response.url == reverse("applications:new")
    consent = AuditEvent.objects.get(action="assistance.started")
    assert consent.actor == support_agent and consent.subject.identifier == "7500000801"
    assert "agrees" in consent.reason
    # The person gets a link to choose their own password.
    assert OutboxMessage.objects.filter(recipient="helped@example.org").exists()

    page = support.get(reverse("applications:new")).content.decode()
    assert "Assisted filing" in page
    support.post(reverse("applications:presentation", args=["student"]))
    application = Application.objects.get(applicant__identifier="7500000801")
    created = AuditEvent.objects.get(application=application, action="application.created")
    assert created.data["on_behalf_by"] == "support"
    detail_history = support.get(
        reverse("applications:step", args=[application.reference, "personal"])
    )
    assert detail_history.status_code == 200
    response = support.post(reverse("support:assistance_end"))
    assert response.url == reverse("instruction:login")
    assert AuditEvent.objects.filter(action="assistance.ended").exists()


def assistance_code(address: str) -> str:
    import re

    message = OutboxMessage.objects.filter(recipient=address, subject__contains="code").latest("id")
    from sejour.conftest import outbox_text

    return re.search(r"\b(\d{6})\b", outbox_text(message)).group(1)


@pytest.mark.django_db
def test_the_code_goes_to_the_account_and_wrong_codes_are_limited(
    applicant, support_agent, agent_client
):
    from sejour.registry.models import ResidenceDocument

    document = ResidenceDocument.objects.get(person__foreign_number=applicant.identifier)
    support = agent_client(support_agent)
    support.post(
        reverse("support:assistance"),
        {
            "foreign_number": applicant.identifier,
            "valid_from": document.valid_from.isoformat(),
            "valid_until": document.valid_until.isoformat(),
            "email": "someone-else@example.org",
            "consent": "on",
        },
    )
    # Sent to the address of the existing account, not to the one typed by the agent.
    assert OutboxMessage.objects.filter(
        recipient=applicant.email, subject__contains="code"
    ).exists()
    assert not OutboxMessage.objects.filter(recipient="someone-else@example.org").exists()
    for _try in range(3):
        support.post(reverse("support:assistance"), {"code": "111111"})
    response = support.post(
        reverse("support:assistance"), {"code": assistance_code(applicant.email)}, follow=True
    )
    assert (
        "Start again" in response.content.decode()
        or "too many wrong codes" in response.content.decode()
    )
    assert not AuditEvent.objects.filter(action="assistance.started").exists()


@pytest.mark.django_db
def test_history_shows_filing_on_behalf(client, applicant, ephoto_codes):
    from sejour.applications import services
    from sejour.audit.services import on_behalf_by, on_behalf_by_name

    application = ready_to_submit(applicant, ephoto_codes["valid"])
    token = on_behalf_by.set("support")
    name_token = on_behalf_by_name.set("Sam SUPPORT")
    try:
        services.application_submit(application=application, by=applicant)
    finally:
        on_behalf_by_name.reset(name_token)
        on_behalf_by.reset(token)
    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[application.reference])).content.decode()
    assert f"by Sam SUPPORT on behalf of {applicant.full_name}" in page
    # The agent's login is not the applicant's business.
    assert "support on your behalf" not in page and ">support<" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [("e-photo", "e-photo"), ("PHOTO", "photo"), ("zzzqqq", "No question matches")],
)
def test_help_centre_is_searchable(client, query, expected):
    page = client.get(reverse("core:help"), {"q": query}).content.decode()
    assert expected.lower() in page.lower()


@pytest.mark.django_db
def test_help_centre_lists_every_question_and_prefecture_sites(client, settings):
    from sejour.core.help_content import SECTIONS

    page = client.get(reverse("core:help")).content.decode()
    for section in SECTIONS:
        for entry in section.entries:
            assert f'id="{entry.slug}"' in page
    assert "https://www.nord.gouv.fr" in page
    assert "39 39" in page
    settings.LANGUAGE_CODE = "fr"
    french = client.get(reverse("core:help"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Besoin d’aide" in french.replace("\u00a0", " ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "total"),
    [
        ({"motive": "student", "procedure": "first"}, "150"),
        ({"motive": "talent", "procedure": "renewal"}, "250"),
        ({"motive": "student", "procedure": "renewal", "late": "on"}, "280"),
        ({"motive": "talent", "procedure": "first", "late": "on"}, "350"),
    ],
)
def test_fee_simulator_uses_the_fee_data(client, query, total):
    page = client.get(reverse("core:fees"), query).content.decode()
    assert f"<strong>{total}" in page


@pytest.mark.django_db
def test_fee_simulator_rejects_nonsense(client):
    response = client.get(reverse("core:fees"), {"motive": "astronaut", "procedure": "x"})
    assert response.status_code == 200
    assert response.context["fees"] is None


@pytest.mark.django_db
def test_personal_data_archive_holds_everything_and_only_mine(
    client, applicant, other_applicant, ephoto_codes
):
    from sejour.applications import services

    application = ready_to_submit(applicant, ephoto_codes["valid"])
    services.application_submit(application=application, by=applicant)
    other = ready_to_submit(other_applicant, ephoto_codes["valid2"])
    client.force_login(applicant)
    response = client.get(reverse("accounts:my_data"))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("my-data.json"))
    assert data["account"]["identifier"] == applicant.identifier
    assert [a["reference"] for a in data["applications"]] == [application.reference]
    assert other.reference not in json.dumps(data)
    files = [name for name in archive.namelist() if name.startswith("documents/")]
    assert len(files) == application.files.count()
    client.logout()
    assert client.get(reverse("accounts:my_data")).status_code == 302


@pytest.mark.django_db
def test_public_pages_of_help_and_money(client):
    for name in ("core:fees", "core:stamps", "support:contact", "changes:start"):
        response = client.get(reverse(name))
        assert response.status_code in (200, 302), name


@pytest.mark.django_db
def test_assisted_filing_refuses_unknown_documents_and_staff_numbers(
    registry_person, support_agent, agent_client
):
    from sejour.registry.models import DocumentKind, Motive

    support = agent_client(support_agent)
    document = registry_person(foreign_number="7500000802")
    base = {
        "valid_from": document.valid_from.isoformat(),
        "valid_until": document.valid_until.isoformat(),
        "email": "p@example.org",
        "consent": "on",
    }
    response = support.post(reverse("support:assistance"), {**base, "foreign_number": "7500000899"})
    assert "We found no document" in response.content.decode()
    response = support.post(reverse("support:assistance"), {**base, "foreign_number": "75000"})
    assert "foreign_number" in response.context["form"].errors
    vls_ts = registry_person(
        foreign_number="7500000803", kind=DocumentKind.VLS_TS, motive=Motive.STUDENT
    )
    response = support.post(
        reverse("support:assistance"),
        {
            **base,
            "foreign_number": "7500000803",
            "valid_from": vls_ts.valid_from.isoformat(),
            "valid_until": vls_ts.valid_until.isoformat(),
        },
    )
    # A VLS-TS not validated online opens no account (decision 0010).
    assert "send them to their prefecture" in response.content.decode()
    assert not AuditEvent.objects.filter(action="assistance.started").exists()


@pytest.mark.django_db
def test_help_search_survives_odd_queries(client):
    for query in ("x" * 5000, "<script>", "%", "é è ê", "\x00"):
        response = client.get(reverse("core:help"), {"q": query})
        assert response.status_code == 200
        assert "<script>" not in response.content.decode().split("<main", 1)[1].replace(
            "&lt;script&gt;", ""
        )
