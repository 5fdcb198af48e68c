from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sejour.core.codes import readable_code
from sejour.core.storage import random_key


def _new_reference() -> str:
    return "CT-" + readable_code(8)


class Ticket(models.Model):
    """A message sent with the contact form, and its answers."""

    class Category(models.TextChoices):
        ACCOUNT = "account", _("Creating my account or logging in")
        FILING = "filing", _("Filing an application")
        EPHOTO = "ephoto", _("E-photo code")
        DOCUMENTS = "documents", _("Sending documents")
        FOLLOW = "follow", _("Following my application")
        ATTESTATION = "attestation", _("Attestations")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(_("reference"), max_length=12, unique=True, default=_new_reference)
    category = models.CharField(_("subject"), max_length=20, choices=Category.choices)
    message = models.TextField(_("message"))
    email = models.EmailField(_("e-mail address for the answer"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    page_url = models.CharField(_("page concerned"), max_length=500, blank=True)
    happened_at = models.CharField(_("date and time of the problem"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # The language the person wrote in (their account's, or the page's): the answer,
    # written later from the French back-office, is e-mailed in it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")

    def __str__(self) -> str:
        return self.reference


def _screenshot_name(instance, filename: str) -> str:
    return random_key("screenshots", instance.extension)


class Screenshot(models.Model):
    EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/bmp": "bmp", "image/tiff": "tif"}

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="screenshots")
    file = models.FileField(upload_to=_screenshot_name, max_length=200)
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=120)

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return self.EXTENSIONS[self.content_type]


class TicketReply(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("answer"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.ticket.reference} {self.created_at:%Y-%m-%d}"
