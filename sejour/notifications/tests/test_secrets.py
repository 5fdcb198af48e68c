"""Secrets in messages (links, temporary passwords, codes) outlive neither their
delivery nor a retention period, and the admin never shows one (issue 17 §5)."""

import importlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts import services as account_services
from sejour.accounts.models import EmailVerification, User
from sejour.conftest import TOTP_KEY_HEX
from sejour.notifications.models import OutboxMessage
from sejour.notifications.services import outbox_deliver, outbox_email
from sejour.support.services import assistance_code_send


def _stored(message: OutboxMessage) -> str:
    """Every column of the row, as the database holds it."""
    row = OutboxMessage.objects.filter(pk=message.pk).values().get()
    return " ".join(str(value) for value in row.values())


def _reset(applicant):
    account_services.password_reset_send(identifier=applicant.identifier)
    return r"https?://\S+/mot-de-passe/nouveau/\S+"


def _signup(applicant):
    account_services.signup_verification_send(
        path=EmailVerification.Path.RESIDENCE,
        email="new@example.org",
        first_names="Ana",
        last_name="Pereira",
        foreign_number="6901000007",
    )
    return r"https?://\S+/compte/verifier/\S+"


def _visa_login(applicant):
    User.objects.create_user(None, email="visa@example.org", visa_number="123456789")
    account_services.visa_login_link_send(visa_number="123456789")
    return r"https?://\S+/connexion/visa/\S+"


def _temporary_password(applicant):
    from sejour.registry.models import DocumentKind, Motive

    user = User.objects.create_user(None, email="visa@example.org", visa_number="123456789")
    applicant_document = applicant.registry_person(
        kind=DocumentKind.VLS, number="123456789", motive=Motive.TALENT
    )
    assert applicant_document.number == user.visa_number
    account_services.account_activate_from_visa(user=user, by=None)
    return r"(?:Temporary password|Mot de passe temporaire)\s*:\s*(\w{4}-\w{4}-\w{4}-\w{4})"


def _assistance_code(applicant):
    document = applicant.registry_person(foreign_number="7509999999")
    assistance_code_send(
        foreign_number="7509999999",
        valid_from=document.valid_from,
        valid_until=document.valid_until,
        email="helped@example.org",
        consent=True,
    )
    return r"\b(\d{6})\b"


SECRETS = {
    "password reset link": _reset,
    "sign-up link": _signup,
    "visa sign-in link": _visa_login,
    "temporary password": _temporary_password,
    "assisted-filing code": _assistance_code,
}


@pytest.fixture
def someone(applicant, registry_person):
    applicant.registry_person = registry_person
    return applicant


@pytest.mark.django_db
@pytest.mark.parametrize("kind", SECRETS)
def test_a_secret_reaches_the_person_then_leaves_the_outbox(
    kind, someone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        pattern = SECRETS[kind](someone)
    message = OutboxMessage.objects.latest("id")
    # Written: the secret is apart from the body, which holds a placeholder.
    assert message.secrets
    assert not any(value in message.body for value in message.secrets.values())
    for callback in callbacks:
        callback()
    # Delivered: the person has it …
    sent = mail.outbox[-1]
    match = re.search(pattern, sent.body)
    assert match, sent.body
    secret = match.group(match.lastindex or 0)
    # … and the outbox no longer does.
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.secrets is None
    assert secret not in _stored(message)


@pytest.mark.django_db
def test_a_message_given_up_loses_its_secrets_too(someone, settings, monkeypatch):
    from sejour.notifications import services

    settings.OUTBOX_MAX_ATTEMPTS = 1
    with transaction.atomic():
        _reset(someone)
    message = OutboxMessage.objects.latest("id")
    monkeypatch.setattr(services, "_send", lambda m: (_ for _ in ()).throw(OSError("down")))
    outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.secrets is None
    assert "/mot-de-passe/nouveau/" not in _stored(message)


@pytest.mark.django_db
def test_housekeeping_removes_secrets_after_the_retention_period(someone, settings):
    with transaction.atomic():
        _reset(someone)
    waiting = OutboxMessage.objects.latest("id")
    settings.OUTBOX_REDACT_SECRETS_ON_SEND = False  # development: kept after sending
    with transaction.atomic():
        _signup(someone)
    sent = OutboxMessage.objects.latest("id")
    outbox_deliver(message_id=sent.pk)
    sent.refresh_from_db()
    assert sent.status == OutboxMessage.Status.SENT and sent.secrets

    call_command("housekeeping")  # not old enough yet
    assert OutboxMessage.objects.filter(secrets__isnull=False).count() == 2

    later = timezone.now() + timedelta(hours=settings.OUTBOX_SECRET_RETENTION_HOURS + 1)
    with time_machine.travel(later):
        call_command("housekeeping")
    assert not OutboxMessage.objects.filter(secrets__isnull=False).exists()
    waiting.refresh_from_db()
    # Still waiting by then: given up, rather than sent with a hole where the link was.
    assert waiting.status == OutboxMessage.Status.FAILED
    assert "retention" in waiting.last_error
    assert outbox_deliver(message_id=waiting.pk) is None
    assert "/mot-de-passe/nouveau/" not in _stored(waiting)


@pytest.mark.django_db
def test_a_message_whose_secret_is_gone_is_not_sent_with_a_hole(someone):
    with transaction.atomic():
        _reset(someone)
    message = OutboxMessage.objects.latest("id")
    OutboxMessage.objects.filter(pk=message.pk).update(secrets=None)
    outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert mail.outbox == []


@pytest.mark.django_db
def test_text_that_looks_like_a_placeholder_is_sent_as_typed(django_capture_on_commit_callbacks):
    typed = "⟦0123456789abcdef:link⟧"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox_email(
            to="a@example.org",
            language="en",
            subject="x",
            template="accounts/email/verify_email.txt",
            context={"first_names": typed, "hours": 24},
            secret_context={"link": "https://x/compte/verifier/abc/"},
        )
    assert typed in mail.outbox[0].body
    assert "https://x/compte/verifier/abc/" in mail.outbox[0].body


@pytest.mark.django_db
def test_development_outbox_keeps_links_clickable_until_the_retention_period(
    someone, client, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.OUTBOX_REDACT_SECRETS_ON_SEND = False  # what DEBUG gives by default
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _reset(someone)
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    page = client.get(reverse("dev_outbox")).content.decode()
    assert re.search(r'<a href="https?://[^"]+/mot-de-passe/nouveau/', page)
    later = timezone.now() + timedelta(hours=settings.OUTBOX_SECRET_RETENTION_HOURS + 1)
    with time_machine.travel(later):
        call_command("housekeeping")
    page = client.get(reverse("dev_outbox")).content.decode()
    assert "/mot-de-passe/nouveau/" not in page
    assert "[secret removed]" in page


def test_production_settings_remove_secrets_on_sending():
    from sejour import settings as production

    # Tests run with DEBUG off, like production.
    assert production.OUTBOX_REDACT_SECRETS_ON_SEND is True


@pytest.mark.django_db
def test_the_admin_never_shows_a_secret_of_a_message(admin_client, someone):
    with transaction.atomic():
        _reset(someone)
    message = OutboxMessage.objects.latest("id")
    link = re.search(r"https?://\S+", message.body_for_delivery()).group(0)
    for url in (
        reverse("admin:notifications_outboxmessage_changelist"),
        reverse("admin:notifications_outboxmessage_change", args=[message.pk]),
    ):
        page = admin_client.get(url).content.decode()
        assert link not in page and link.rsplit("/", 2)[-2] not in page
    assert "[secret hidden]" in page


@pytest.mark.django_db
def test_the_admin_never_shows_a_second_factor_key(admin_client):
    device = TOTPDevice.objects.get(user__identifier="admin")
    change = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    page = admin_client.get(change).content.decode()
    assert admin_client.get(change).status_code == 200
    assert TOTP_KEY_HEX not in page
    assert "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" not in page
    changelist = admin_client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert TOTP_KEY_HEX not in changelist.content.decode()
    for name in ("admin:otp_totp_totpdevice_config", "admin:otp_totp_totpdevice_qrcode"):
        assert admin_client.get(reverse(name, args=[device.pk])).status_code == 403


@pytest.mark.django_db
def test_messages_written_before_keep_no_secret_in_their_body():
    migration = importlib.import_module("sejour.notifications.migrations.0004_redact_old_secrets")
    link = "http://127.0.0.1:8000/mot-de-passe/nouveau/MQ/cz8-abcdef/"
    rows = [
        ("Séjour: choose a new password", f"open this link:\n\n{link}\n\nThe link works once"),
        ("Séjour : vos identifiants", "Mot de passe temporaire : abcd-efgh-jkmn-pqrs\n"),
        ("Séjour: your code to let a support agent help you", "read this code out: 482915"),
        ("Séjour: your application", "Reference 123456 stays."),
    ]
    for subject, body in rows:
        OutboxMessage.objects.create(
            channel="email", recipient="a@example.org", subject=subject, body=body, status="sent"
        )
    waiting = OutboxMessage.objects.create(
        channel="email", recipient="a@example.org", subject="x", body=link, status="pending"
    )
    migration.redact(apps, None)
    bodies = " ".join(OutboxMessage.objects.exclude(pk=waiting.pk).values_list("body", flat=True))
    assert "cz8-abcdef" not in bodies
    assert "abcd-efgh-jkmn-pqrs" not in bodies
    assert "482915" not in bodies
    assert "Reference 123456 stays." in bodies
    # A message still waiting goes out as written, once.
    waiting.refresh_from_db()
    assert waiting.body == link
