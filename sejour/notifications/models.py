import re

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def secret_placeholder(nonce: str, name: str) -> str:
    """Where a secret sits in a stored body (see outbox_email)."""
    return f"⟦{nonce}:{name}⟧"


class SecretMissing(Exception):
    """A message's secret was removed before it could be sent."""


class OutboxMessage(models.Model):
    """An e-mail or SMS waiting to leave, or the record that it left.

    A message is written in the same transaction as the change that causes it,
    so a change is never saved without its message and a message is never sent
    for a change that was rolled back.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed: given up after several attempts")

    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    # One file sent with the message (an attestation), read from storage at delivery.
    attachment = models.FileField(_("attachment"), max_length=200, blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    # What only delivery needs (a sign-in link, a temporary password, a code), kept apart
    # from the body, which holds a placeholder instead: {placeholder: value}. Emptied (NULL)
    # once the message has left (production), and by the housekeeping job after
    # OUTBOX_SECRET_RETENTION_HOURS in any case. Never shown in the admin.
    secrets = models.JSONField(_("secrets"), null=True, blank=True, default=None)
    # Drawn per message: only placeholders with it are secrets, so text typed by a person
    # (a name, a message) that looks like a placeholder is left alone.
    secret_nonce = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # The housekeeping job looks for the few rows still holding secrets.
            models.Index(
                fields=["created_at"],
                condition=models.Q(secrets__isnull=False),
                name="outbox_holding_secrets",
            ),
        ]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"

    def _placeholders(self) -> re.Pattern | None:
        if not self.secret_nonce:
            return None
        return re.compile(re.escape(f"⟦{self.secret_nonce}:") + r"(\w+)⟧")

    def _body_with(self, replace) -> str:
        pattern = self._placeholders()
        return pattern.sub(replace, self.body) if pattern else self.body

    def body_for_delivery(self) -> str:
        """The text the person receives, secrets in place; SecretMissing if one is gone."""
        held = self.secrets or {}

        def put_back(match):
            if match.group(1) not in held:
                raise SecretMissing(match.group(1))
            return held[match.group(1)]

        return self._body_with(put_back)

    def body_hidden(self) -> str:
        """The body as staff may read it (the admin): every secret replaced by a mark."""
        return self._body_with(lambda match: gettext("[secret hidden]"))

    def body_for_developers(self) -> str:
        """The development outbox: secrets still held are shown, removed ones marked."""
        held = self.secrets or {}
        return self._body_with(lambda match: held.get(match.group(1), gettext("[secret removed]")))
