from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sejour.core.storage import random_key


def _stored_name(instance, filename: str) -> str:
    # Never the name the person gave, nor the application's reference: a random key
    # with the extension of the detected type (the original name is in the row).
    return random_key("documents", instance.extension)


class SupportingFile(models.Model):
    """One uploaded file: a version of a supporting document, or a handwritten letter.

    Rows are never deleted: removing a file marks it removed, so the history
    keeps every version.
    """

    EXTENSIONS = {
        "image/jpeg": "jpg",
        "image/png": "png",
        "image/bmp": "bmp",
        "image/tiff": "tif",
        "application/pdf": "pdf",
    }

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="files"
    )
    requirement_code = models.SlugField(_("requirement"), max_length=60)
    is_letter = models.BooleanField(_("handwritten letter instead of the document"), default=False)
    file = models.FileField(_("file"), upload_to=_stored_name, max_length=200)
    original_name = models.CharField(_("original name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    # Scripts or automatic actions (/JavaScript, /OpenAction, /Launch …) found when it was
    # checked: such a PDF is only ever downloaded, never shown inside a page.
    active_content = models.BooleanField(_("PDF with scripts or automatic actions"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # Sent with the application (or added after filing); a draft's files are not yet.
    submitted = models.BooleanField(_("sent to the prefecture"), default=False)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("supporting file")
        verbose_name_plural = _("supporting files")

    def __str__(self) -> str:
        return f"{self.application.reference} {self.requirement_code} {self.original_name}"

    @property
    def extension(self) -> str:
        return self.EXTENSIONS[self.content_type]

    @property
    def is_current(self) -> bool:
        return self.removed_at is None
