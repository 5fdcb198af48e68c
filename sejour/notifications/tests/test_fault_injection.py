"""Parts failing: the mail server down, the database dropping a save, a task dying
half-way. Nothing is lost and nothing is sent twice."""

import socket
import time

import pytest
from aiosmtpd.controller import Controller
from django.db import OperationalError, transaction
from django.utils import timezone

from sejour.notifications.models import OutboxMessage
from sejour.notifications.services import outbox_deliver, outbox_deliver_due, outbox_email


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 3},
        }
    }
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    yield controller, inbox
    if getattr(controller, "server", None) is not None:
        controller.stop()


@pytest.mark.django_db
def test_mail_server_down_then_back_every_message_once(smtp):
    controller, inbox = smtp
    with transaction.atomic():
        messages = [
            outbox_email(
                to=f"p{index}@example.org",
                language="en",
                subject="Hello",
                template="accounts/email/password_reset.txt",
                context={},
            )
            for index in range(3)
        ]
    # The server is down: every attempt fails, every message waits.
    for message in messages:
        outbox_deliver(message_id=message.pk)
    assert OutboxMessage.objects.filter(status="pending", attempts=1).count() == 3
    assert all(
        "Connection refused" in m.last_error or "Errno" in m.last_error
        for m in OutboxMessage.objects.all()
    )

    controller.start()
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox_deliver_due() == 3
    for _wait in range(50):
        if len(inbox.messages) == 3:
            break
        time.sleep(0.05)
    assert sorted(envelope.rcpt_tos[0] for envelope in inbox.messages) == [
        f"p{i}@example.org" for i in range(3)
    ]
    assert OutboxMessage.objects.filter(status="sent").count() == 3
    # A late retry or a sweeper run sends nothing twice.
    for message in messages:
        outbox_deliver(message_id=message.pk)
    outbox_deliver_due()
    assert len(inbox.messages) == 3


@pytest.mark.django_db
def test_database_failing_during_a_wizard_save_keeps_the_earlier_steps(
    client, applicant, monkeypatch
):
    from sejour.applications import services
    from sejour.applications.tests.helpers import MOTIVE, PERSONAL, step_url

    client.force_login(applicant)
    application = services.application_start(applicant=applicant, motive="student")
    client.post(step_url(application, "personal"), PERSONAL)
    client.post(step_url(application, "motive"), MOTIVE["student"])

    def dropped(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "audit_record", dropped)
    response = client.post(
        step_url(application, "resources"), {"monthly_amount": "900", "sources": ["savings"]}
    )
    assert response.status_code == 503
    assert "What you typed is still below" in response.content.decode()
    assert 'value="900"' in response.content.decode()
    application.refresh_from_db()
    assert application.answers["personal"]["address"] == PERSONAL["address"]
    assert application.answers["motive"]["institution"] == MOTIVE["student"]["institution"]
    assert "resources" not in application.answers and application.last_step == "motive"


@pytest.mark.django_db
def test_a_task_dying_half_way_runs_again_without_a_duplicate(
    applicant, ephoto_codes, monkeypatch, clamd, media_root
):
    from sejour.applications import services
    from sejour.applications.tests.test_submission import ready_to_submit
    from sejour.attestations import services as attestation_services
    from sejour.attestations.models import Attestation

    application = ready_to_submit(applicant, ephoto_codes["valid"])
    services.application_submit(application=application, by=applicant)
    real_outbox_email = attestation_services.outbox_email

    def killed(**kwargs):
        real_outbox_email(**kwargs)
        raise SystemExit("worker killed")  # the process dies after writing, before committing

    monkeypatch.setattr(attestation_services, "outbox_email", killed)
    with pytest.raises(SystemExit):
        attestation_services.attestation_filing_issue(application_id=application.pk)
    assert not Attestation.objects.filter(application=application).exists()
    assert not OutboxMessage.objects.filter(recipient=applicant.email).exists()

    monkeypatch.setattr(attestation_services, "outbox_email", real_outbox_email)
    attestation_services.attestation_filing_issue(application_id=application.pk)
    attestation_services.attestation_filing_issue(application_id=application.pk)  # a duplicate run
    assert Attestation.objects.filter(application=application).count() == 1
    assert OutboxMessage.objects.filter(recipient=applicant.email).count() == 1
