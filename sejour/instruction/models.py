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


class IdentityReview(models.Model):
    """An agent's finding on identity answers that differ from the national file.

    The agent, having seen the person's identity document, records which one is
    right. Either way attestations keep printing the national file's identity;
    when the answers are right, the agent has the file corrected in AGDREF. A
    finding covers exactly the values it compared: if the applicant corrects
    their answers, or the file changes, the difference is open again.
    """

    class Verdict(models.TextChoices):
        REGISTRY_RIGHT = "registry_right", _("The national file is right; the answers are wrong")
        ANSWERS_RIGHT = (
            "answers_right",
            _("The answers are right; the national file must be corrected in AGDREF"),
        )

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="identity_reviews"
    )
    # {"last_name", "first_names", "birth_date"} as typed, and as the file said, when reviewed.
    answers = models.JSONField(_("answers compared"))
    registry = models.JSONField(_("national file compared"))
    verdict = models.CharField(_("finding"), max_length=20, choices=Verdict.choices)
    note = models.TextField(_("what the agent checked"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("identity review")
        verbose_name_plural = _("identity reviews")

    def __str__(self) -> str:
        return f"{self.application.reference} {self.get_verdict_display()}"
