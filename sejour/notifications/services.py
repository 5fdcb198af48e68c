"""Every e-mail and SMS leaves through the outbox.

`outbox_email` writes the message in the caller's transaction and asks the
worker to deliver it once that transaction commits. `outbox_deliver` sends
one message, retrying with a growing delay, and gives up with the status
"failed" (visible in the admin) after OUTBOX_MAX_ATTEMPTS.

Secrets (sign-in and reset links, temporary passwords, codes) are passed as
`secret_context`: the stored body holds a placeholder for each, the values sit
in `OutboxMessage.secrets`, and delivery puts them back. Once the message has
left (sent, or given up), the values are deleted when
OUTBOX_REDACT_SECRETS_ON_SEND is on (production); the housekeeping job deletes
any value older than OUTBOX_SECRET_RETENTION_HOURS (development keeps them
until then, so links stay clickable in /dev/outbox/).
"""

import secrets as random_secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboxMessage, SecretMissing, secret_placeholder


def outbox_email(
    *,
    to: str,
    language: str,
    subject: str,
    template: str,
    context: dict,
    attachment: str = "",
    attachment_name: str = "",
    secret_context: dict | None = None,
) -> OutboxMessage:
    """Queue an e-mail rendered from a text template, in the recipient's language.

    `language` is required so that no way of sending forgets it: the recipient's
    (accounts.languages.language_of), or the page's for someone without an account.
    A subject built with gettext must be built under the same language (callers wrap
    it in translation.override); a lazy one is rendered here.
    `attachment` is the storage name of a file already saved (an attestation).
    `secret_context` holds template values that must not outlive the delivery.
    """
    context = {"site_url": settings.SITE_URL, **context}
    held = {name: str(value) for name, value in (secret_context or {}).items()}
    nonce = random_secrets.token_hex(8) if held else ""
    for name in held:
        context[name] = secret_placeholder(nonce, name)
    with translation.override(language):
        body = render_to_string(template, context)
        # A subject is one line: a newline in it would inject mail headers.
        subject = " ".join(str(subject).split())
    message = OutboxMessage.objects.create(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=to,
        subject=subject,
        body=body,
        attachment=attachment,
        attachment_name=attachment_name,
        next_attempt_at=timezone.now(),
        secrets=held or None,
        secret_nonce=nonce,
    )
    transaction.on_commit(lambda: _enqueue_delivery(message.pk))
    return message


def outbox_sms(*, to: str, language: str, template: str, context: dict) -> OutboxMessage:
    """Queue a text message (French mobile number in international form), in `language`."""
    with translation.override(language):
        text = render_to_string(template, {"site_url": settings.SITE_URL, **context})
    body = " ".join(text.split())
    message = OutboxMessage.objects.create(
        channel=OutboxMessage.Channel.SMS, recipient=to, body=body, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue_delivery(message.pk))
    return message


def _enqueue_delivery(message_id: int, run_after=None) -> None:
    from .tasks import deliver_outbox_message

    if not settings.OUTBOX_DELIVER_ON_COMMIT:
        return
    task = deliver_outbox_message
    if run_after is not None:
        task = task.using(run_after=run_after)
    task.enqueue(message_id)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes, at most 6 hours, between delivery attempts."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _send(message: OutboxMessage) -> None:
    if message.channel == OutboxMessage.Channel.EMAIL:
        email = EmailMessage(
            subject=message.subject,
            body=message.body_for_delivery(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
        )
        if message.attachment:
            name = message.attachment_name or "document.pdf"
            # A calendar file (collection appointments) travels as one; anything else is a PDF.
            kind = "text/calendar" if name.endswith(".ics") else "application/pdf"
            with message.attachment.open("rb") as file:
                email.attach(name, file.read(), kind)
        email.send(fail_silently=False)
    else:
        from .sms import get_sms_gateway

        get_sms_gateway().send(message.recipient, message.body_for_delivery())


def outbox_deliver(*, message_id: int) -> OutboxMessage | None:
    """Try to send one message; reschedule it on failure."""
    with transaction.atomic():
        # Lock the row: two workers (or a retry and the sweeper) must not send it twice.
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        try:
            _send(message)
        except SecretMissing:
            # Sending would hand over a placeholder instead of the link or the code.
            message.last_error = "A secret of this message was removed before it could be sent."
            message.status = OutboxMessage.Status.FAILED
            message.next_attempt_at = None
        except Exception as error:  # any failure of the mail server is retried
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
                message.next_attempt_at = None
            else:
                message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
                run_after = message.next_attempt_at
                transaction.on_commit(lambda: _enqueue_delivery(message.pk, run_after))
        else:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = timezone.now()
            message.next_attempt_at = None
            message.last_error = ""
        if (
            message.status != OutboxMessage.Status.PENDING
            and settings.OUTBOX_REDACT_SECRETS_ON_SEND
        ):
            # It has left (or never will): nobody needs the link or the code any more.
            message.secrets = None
        message.save()
    return message


def outbox_secrets_expire() -> int:
    """Delete every secret older than the retention period (the housekeeping job).

    A message still waiting by then is given up: sent now, it would carry a
    placeholder instead of its link or code.
    """
    horizon = timezone.now() - timedelta(hours=settings.OUTBOX_SECRET_RETENTION_HOURS)
    old = OutboxMessage.objects.filter(secrets__isnull=False, created_at__lt=horizon)
    with transaction.atomic():
        old.filter(status=OutboxMessage.Status.PENDING).update(
            status=OutboxMessage.Status.FAILED,
            next_attempt_at=None,
            last_error="Not sent within the retention period of its secrets.",
        )
        return old.update(secrets=None)


def outbox_deliver_due() -> int:
    """Send every pending message whose time has come (the sweeper, fit for cron)."""
    due = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    count = 0
    for message_id in list(due):
        outbox_deliver(message_id=message_id)
        count += 1
    return count
