"""Malicious input, refused cleanly: CSRF, open redirects, stored XSS (pages, e-mails,
PDFs), header injection, hostile uploads, brute force and account enumeration."""

import io
import statistics
import time

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from sejour.applications import services as application_services
from sejour.applications.tests.helpers import MOTIVE, PERSONAL, RESOURCES, upload
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.conftest import PASSWORD, png_bytes
from sejour.notifications.models import OutboxMessage
from sejour.registry.models import Person

from .test_authorisation_matrix import EXPECTED

XSS = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'


def assert_inert(page: str) -> None:
    """The payload appears only as text: no script element, no live attribute."""
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;" in page or "&lt;img" in page


@pytest.mark.django_db
def test_every_url_refuses_a_post_without_csrf_token(applicant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    args = {
        "accounts:verify": ["t"],
        "accounts:visa_login_confirm": ["t"],
        "accounts:password_reset_confirm": ["MQ", "t"],
        "accounts:welcome_password": ["MQ", "t"],
        "conversations:conversation": ["SJ-X"],
        "conversations:attachment": ["SJ-X", 1],
        "conversations:agent_message": ["SJ-X"],
        "conversations:template": [1],
        "conversations:template_delete": [1],
        "applications:presentation": ["student"],
        "applications:requirements_pdf": ["student", "renewal"],
        "applications:detail": ["SJ-X"],
        "applications:step": ["SJ-X", "personal"],
        "applications:ephoto": ["SJ-X"],
        "applications:file_upload": ["SJ-X", "passport"],
        "applications:file_download": ["SJ-X", 1],
        "applications:file_remove": ["SJ-X", 1],
        "applications:attestation_download": ["SJ-X", "AT-X"],
        "applications:withdraw": ["SJ-X"],
        "applications:complement": ["SJ-X"],
        "support:ticket": ["CT-X"],
        "support:ticket_close": ["CT-X"],
        "support:screenshot": ["CT-X", 1],
        "attestations:verify": ["t"],
        "instruction:application": ["SJ-X"],
        "instruction:action": ["SJ-X", "decide"],
        "figures:dashboard": ["75"],
        "figures:uncovered": ["75"],
        "employers:link": ["t"],
        "employers:check": ["VE-X"],
        "employers:check_pdf": ["VE-X"],
        "employers:member_remove": [1],
        "employers:token_revoke": [1],
        "employers:verify": ["t"],
        "employers:agent_check": ["VE-X"],
        "employers:holder_report": ["VE-X"],
        "api-v1:check_create": ["73282932000074"],
        "api-v1:check_read": ["73282932000074", "VE-X"],
        "api-v1:check_pdf": ["73282932000074", "VE-X"],
        "operations:partner_address_remove": [1],
        "collection:booking": ["SJ-X"],
        "collection:calendar": ["SJ-X"],
        "collection:keep": ["SJ-X"],
        "collection:move": ["SJ-X"],
        "collection:cancel": ["SJ-X"],
        "collection:site_edit": [1],
        "collection:hours": [1],
        "collection:closures": [1],
        "collection:day": [1],
        "collection:booking_action": [1, "arrived"],
        "collection:walk_in": [1],
        "collection:staff_booking": ["SJ-X"],
    }
    for name in EXPECTED:
        url = reverse(name, args=args.get(name, []))
        if name.startswith("api-v1:check"):
            # The API trusts a bearer token only, never the session cookie a forged
            # cross-site POST would carry: without the token it is not authenticated.
            assert client.post(url, {"x": "y"}).status_code in (401, 405), name
            continue
        assert client.post(url, {"x": "y"}).status_code == 403, name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_no_open_redirect(client, applicant, agent_paris, target):
    response = client.post(
        reverse("accounts:login") + "?next=" + target,
        {"identifier": applicant.identifier, "password": PASSWORD},
    )
    assert response.url == reverse("accounts:home")
    client.logout()
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.url == "/"
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.conftest import TOTP_KEY_HEX, agent_code

    TOTPDevice.objects.get_or_create(
        user=agent_paris, name="x", defaults={"key": TOTP_KEY_HEX, "confirmed": True}
    )
    response = client.post(
        reverse("instruction:login") + "?next=" + target,
        {"identifier": agent_paris.identifier, "password": PASSWORD, "code": agent_code()},
    )
    assert response.url == reverse("instruction:queue")


@pytest.mark.django_db
def test_stored_xss_is_inert_for_agents_in_emails_and_in_pdfs(
    client,
    applicant,
    agent_paris,
    agent_client,
    ephoto_codes,
    clamd,
    media_root,
    django_capture_on_commit_callbacks,
):
    client.force_login(applicant)
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    for step, data in (
        ("personal", {**PERSONAL, "last_name": XSS, "address": XSS}),
        ("motive", {**MOTIVE["student"], "programme": XSS}),
        ("resources", {**RESOURCES, "details": XSS}),
    ):
        response = client.post(
            reverse("applications:step", args=[application.reference, step]), data
        )
        assert response.status_code == 302, step
    upload(client, application, "passport", png_bytes(), XSS + ".png")
    application.refresh_from_db()
    assert application.answers["personal"]["last_name"] == XSS  # kept as typed, never interpreted
    # Attestations print the registry's identity, never the typed one: a hostile name
    # coming from the national file must be printed literally too.
    Person.objects.filter(foreign_number=applicant.identifier).update(last_name=XSS)
    with django_capture_on_commit_callbacks(execute=True):
        application_services.application_submit(application=application, by=applicant)

    agent = agent_client(agent_paris)
    page = agent.get(
        reverse("instruction:application", args=[application.reference])
    ).content.decode()
    assert_inert(page)
    queue = agent.get(reverse("instruction:queue")).content.decode()
    assert "<script>alert" not in queue and "<img src=x" not in queue

    with django_capture_on_commit_callbacks(execute=True):
        agent.post(reverse("instruction:action", args=[application.reference, "start_instruction"]))
        agent.post(
            reverse("instruction:action", args=[application.reference, "request_complement"]),
            {"missing": ["passport"], "message": XSS, "deadline": "2099-01-01"},
        )
    person_page = client.get(
        reverse("applications:complement", args=[application.reference])
    ).content.decode()
    assert "<script>alert" not in person_page
    # E-mails are plain text only: no HTML part a mail client could run.
    for message in mail.outbox:
        assert not getattr(message, "alternatives", None)
        assert message.content_subtype == "plain"
    # PDFs print the text literally and carry no JavaScript.
    attestation = application.attestations.get(kind="filing")
    content = attestation.file.read()
    assert b"/JavaScript" not in content and b"/JS " not in content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "<script>" in text.lower()  # shown as text (the name in capitals), harmless


@pytest.mark.django_db
def test_xss_in_a_contact_message_is_inert_for_support(
    client, support_agent, agent_client, clamd, media_root
):
    client.post(
        reverse("support:contact"),
        {"category": "other", "message": XSS, "email": "a@example.org", "name": XSS},
    )
    from sejour.support.models import Ticket

    ticket = Ticket.objects.get()
    support = agent_client(support_agent)
    for url in (reverse("support:tickets"), reverse("support:ticket", args=[ticket.reference])):
        assert "<script>alert" not in support.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email", ["a@example.org\r\nBcc: victim@example.org", "a@example.org\nCc: x@example.org"]
)
def test_header_injection_through_an_email_field_is_refused(client, email):
    response = client.post(
        reverse("support:contact"), {"category": "other", "message": "hi", "email": email}
    )
    assert "email" in response.context["form"].errors
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_polyglot_files_are_served_as_attachments_never_sniffed(
    client, applicant, clamd, media_root
):
    client.force_login(applicant)
    application = application_services.application_start(applicant=applicant, motive="student")
    client.post(reverse("applications:step", args=[application.reference, "personal"]), PERSONAL)
    polyglot = png_bytes() + b"<html><script>alert(1)</script></html>"
    assert upload(client, application, "passport", polyglot, "page.html").status_code == 302
    stored = application.files.get()
    assert stored.content_type == "image/png" and stored.file.name.endswith(".png")
    response = client.get(
        reverse("applications:file_download", args=[application.reference, stored.pk])
    )
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_screenshot_upload_refuses_svg_and_html(client, clamd, media_root):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    response = client.post(
        reverse("support:contact"),
        {
            "category": "other",
            "message": "hi",
            "email": "a@example.org",
            "screenshots": [SimpleUploadedFile("x.png", svg)],
        },
    )
    assert "not accepted" in response.content.decode()


def _login_time(client, identifier: str) -> float:
    start = time.perf_counter()
    client.post(reverse("accounts:login"), {"identifier": identifier, "password": "wrong password"})
    return time.perf_counter() - start


@pytest.mark.django_db
def test_login_timing_does_not_reveal_whether_an_account_exists(settings, applicant):
    # With the real hasher: an unknown identifier costs a hash too (Django's ModelBackend).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    applicant.set_password(PASSWORD)
    applicant.save()
    settings.LOGIN_FAILURES_PER_IDENTIFIER = 1000
    settings.LOGIN_FAILURES_PER_ADDRESS = 1000
    client = Client()
    existing = statistics.median(_login_time(client, applicant.identifier) for _ in range(7))
    unknown = statistics.median(_login_time(client, "1234567899") for _ in range(7))
    assert abs(existing - unknown) < max(0.5 * max(existing, unknown), 0.03), (existing, unknown)


@pytest.mark.django_db
def test_reset_page_is_identical_for_known_and_unknown_identifiers(client, applicant):
    known = client.post(
        reverse("accounts:password_reset"), {"identifier": applicant.identifier}
    ).content.decode()
    unknown = client.post(
        reverse("accounts:password_reset"), {"identifier": "1234567899"}
    ).content.decode()

    def strip(page):
        import re

        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    assert strip(known) == strip(unknown)
