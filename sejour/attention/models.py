"""What Séjour keeps to tell a person what needs them: their notice settings, and a
record of every renewal reminder and weekly digest sent (so none is sent twice)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticePreferences(models.Model):
    """A person's settings for the messages that are not legal notices.

    Legal notices (decisions, requests for documents, attestations) are always
    e-mailed; renewal reminders and the weekly digest can be turned off. No row
    means the defaults: text messages, reminders and digest on, no mobile number.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notice_preferences",
    )
    # French mobile number in international form (+336…, +337…), or empty.
    mobile_phone = models.CharField(_("mobile phone number"), max_length=16, blank=True)
    # Off: no text message at all, even with a number (e-mails still go).
    text_messages = models.BooleanField(_("text messages"), default=True)
    renewal_reminders = models.BooleanField(_("renewal reminders"), default=True)
    weekly_digest = models.BooleanField(_("weekly summary by e-mail"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notice settings")
        verbose_name_plural = _("notice settings")

    def __str__(self) -> str:
        return f"notice settings of user {self.user_id}"


class ReminderSent(models.Model):
    """One renewal reminder sent: never twice for an account, a document and a kind."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("The filing window opens")
        SECOND = "second", _("Second reminder, 30 days later")
        LAST = "last", _("The filing window closes in 7 days")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders_sent"
    )
    document_number = models.CharField(_("document number"), max_length=20)
    document_ends_on = models.DateField(_("document ends on"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))
    by_sms = models.BooleanField(_("also by SMS"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document_number", "kind"], name="one_reminder_per_kind"
            )
        ]
        verbose_name = _("renewal reminder sent")
        verbose_name_plural = _("renewal reminders sent")

    def __str__(self) -> str:
        return f"{self.kind} {self.document_number} → user {self.user_id}"


class DigestSent(models.Model):
    """One weekly digest sent (the week is its Monday): at most one a week."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests_sent"
    )
    week = models.DateField(_("week of"))
    items = models.PositiveSmallIntegerField(_("items listed"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="one_digest_per_week")]
        indexes = [models.Index(fields=["week", "user"])]
        verbose_name = _("weekly digest sent")
        verbose_name_plural = _("weekly digests sent")

    def __str__(self) -> str:
        return f"digest {self.week} → user {self.user_id}"


class ReminderRun(models.Model):
    """A day the reminders job ran: the next run catches up the days after it."""

    day = models.DateField(_("day"), unique=True)
    sent = models.PositiveIntegerField(_("reminders sent"))
    finished_at = models.DateTimeField(_("finished"), auto_now=True)

    class Meta:
        verbose_name = _("renewal reminders run")
        verbose_name_plural = _("renewal reminders runs")

    def __str__(self) -> str:
        return f"reminders {self.day}: {self.sent}"
