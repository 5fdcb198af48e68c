"""A conversation per application between the applicant and the prefecture.

Messages are only ever added: no field of a sent message changes except the
moment the other side read it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sejour.core.storage import random_key

MAX_LENGTH = 5000


class Message(models.Model):
    class Side(models.TextChoices):
        APPLICANT = "applicant", _("the applicant")
        PREFECTURE = "prefecture", _("the prefecture")

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="messages",
    )
    side = models.CharField(_("written by"), max_length=10, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A support agent writing for the applicant with their consent: the agent's name,
    # so that both sides read "by <agent> on behalf of <person>".
    on_behalf_by_name = models.CharField(_("written on behalf by"), max_length=300, blank=True)
    body = models.TextField(_("message"), max_length=MAX_LENGTH)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    # When the other side first opened it (the applicant reads the prefecture's messages).
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # For a prefecture's answer: how long the applicant had waited (from their oldest
    # message not yet answered), which is what the transparency page's median counts.
    waited_seconds = models.PositiveBigIntegerField(_("waited (seconds)"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["application", "created_at", "id"], name="message_by_application"),
            # The hourly limit counts one author's recent messages.
            models.Index(fields=["author", "created_at"], name="message_by_author"),
            # What an applicant has not read yet: a few rows per person, never a scan.
            models.Index(
                fields=["application"],
                condition=Q(side="prefecture", read_at__isnull=True),
                name="message_unread",
            ),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.application_id} {self.side} {self.created_at:%Y-%m-%d %H:%M}"


def _attachment_name(instance, filename: str) -> str:
    return random_key("messages", instance.extension)


class MessageAttachment(models.Model):
    """A file sent with a message, checked and scanned like a supporting document."""

    EXTENSIONS = {
        "image/jpeg": "jpg",
        "image/png": "png",
        "image/bmp": "bmp",
        "image/tiff": "tif",
        "application/pdf": "pdf",
    }

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_name, max_length=200)
    original_name = models.CharField(_("original name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    active_content = models.BooleanField(_("PDF with scripts or automatic actions"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return self.EXTENSIONS[self.content_type]


class AnswerTemplate(models.Model):
    """A ready answer an agent starts from, kept per prefecture by its supervisors."""

    prefecture = models.ForeignKey(
        "registry.Prefecture", on_delete=models.PROTECT, related_name="answer_templates"
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=MAX_LENGTH)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")

    def __str__(self) -> str:
        return self.title
