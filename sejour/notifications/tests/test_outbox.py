"""The outbox: written with the change, delivered after commit, retried, never lost."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from sejour.notifications import services
from sejour.notifications.models import OutboxMessage
from sejour.notifications.services import outbox_deliver, outbox_deliver_due, outbox_email

TEMPLATE = "accounts/email/password_reset.txt"


def queue(subject="Hello") -> OutboxMessage:
    with transaction.atomic():
        return outbox_email(
            to="someone@example.org",
            language="en",
            subject=subject,
            template=TEMPLATE,
            context={"link": "https://x/y", "minutes": 60},
        )


@pytest.mark.django_db
def test_message_is_delivered_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1
    assert [m.to for m in mail.outbox] == [["someone@example.org"]]


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        outbox_email(to="a@example.org", language="en", subject="x", template=TEMPLATE, context={})
        raise Boom
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_mail_server_down_delays_then_delivers_once(monkeypatch):
    message = queue()
    real_send = services._send

    def down(message):
        raise SMTPServerDisconnected("connection refused")

    monkeypatch.setattr(services, "_send", down)
    outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 1
    assert "connection refused" in message.last_error
    assert message.next_attempt_at > timezone.now()
    # Not due yet: the sweeper leaves it alone.
    assert outbox_deliver_due() == 0

    monkeypatch.setattr(services, "_send", real_send)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver_due() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1
    # A late duplicate delivery task does nothing.
    assert outbox_deliver(message_id=message.pk) is None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@override_settings(OUTBOX_MAX_ATTEMPTS=3)
def test_message_is_marked_failed_after_the_last_attempt(monkeypatch):
    message = queue()
    monkeypatch.setattr(services, "_send", lambda m: (_ for _ in ()).throw(OSError("down")))
    for _attempt in range(3):
        outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 3
    assert message.next_attempt_at is None


def test_retry_delay_grows_and_is_capped():
    assert services.retry_delay(1) == timedelta(minutes=1)
    assert services.retry_delay(4) == timedelta(minutes=8)
    assert services.retry_delay(30) == timedelta(hours=6)


@pytest.mark.django_db
def test_newlines_in_a_subject_cannot_inject_headers(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(subject="Hello\r\nBcc: victim@example.org")
    message.refresh_from_db()
    assert "\n" not in message.subject
    assert message.status == OutboxMessage.Status.SENT
    assert mail.outbox[0].bcc == []


@pytest.mark.django_db
def test_dev_outbox_exists_only_in_debug(client, settings):
    queue(subject="Visible in the outbox")
    settings.DEBUG = False
    assert client.get(reverse("dev_outbox")).status_code == 404
    settings.DEBUG = True
    response = client.get(reverse("dev_outbox"))
    assert response.status_code == 200
    assert "Visible in the outbox" in response.content.decode()
    assert '<a href="https://x/y"' in response.content.decode()


@pytest.mark.django_db
def test_dev_outbox_lists_messages_in_constant_queries(client, settings, django_assert_num_queries):
    settings.DEBUG = True
    for index in range(5):
        queue(subject=f"message {index}")
    # One query for the messages (the session is empty for an anonymous visitor).
    with django_assert_num_queries(1):
        client.get(reverse("dev_outbox"))


@pytest.mark.django_db
def test_outbox_is_visible_to_administrators(admin_client):
    queue(subject="For the admin")
    response = admin_client.get(reverse("admin:notifications_outboxmessage_changelist"))
    assert response.status_code == 200
    assert "For the admin" in response.content.decode()
