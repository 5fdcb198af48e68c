from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplementRequest(models.Model):
    """An agent's request for missing or non-compliant documents."""

    class Problem(models.TextChoices):
        MISSING = "missing", _("Missing")
        NOT_COMPLIANT = "not_compliant", _("Not compliant")

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="complement_requests"
    )
    # [{"code": requirement code, "problem": Problem}]
    items = models.JSONField(_("documents concerned"), default=list)
    message = models.TextField(_("message to the applicant"))
    deadline = models.DateField(_("answer expected by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("complement request")
        verbose_name_plural = _("complement requests")

    def __str__(self) -> str:
        return f"{self.application.reference} {self.created_at:%Y-%m-%d}"
