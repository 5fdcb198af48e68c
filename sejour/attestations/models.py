from django.db import models
from django.utils.translation import gettext_lazy as _

from sejour.accounts.selectors import IdentityNumber
from sejour.core.codes import readable_code
from sejour.core.storage import random_key


def _new_number() -> str:
    return "AT-" + readable_code(10)


def _stored_name(instance, filename: str) -> str:
    # Not the attestation's number: whoever reads the bucket's keys learns nothing.
    return random_key("attestations", "pdf")


class Attestation(models.Model):
    """A PDF the applicant can show: proof of filing, ADP, ADF, change of address."""

    class Kind(models.TextChoices):
        FILING = "filing", _("Attestation of filing")
        ADP = "adp", _("Attestation extending the examination (ADP)")
        ADF = "adf", _("Attestation of a favourable decision (ADF)")
        ADDRESS = "address", _("Attestation of a change of address")
        DECISION = "decision", _("Decision letter")

    number = models.CharField(_("number"), max_length=14, unique=True, default=_new_number)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="attestations"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The holder as the national registry knew them at issue (never the typed answers):
    # what the PDF prints, the QR code signs and the verification page shows.
    holder_name = models.CharField(_("holder"), max_length=250)
    holder_birth_date = models.DateField(_("holder's date of birth"), null=True, blank=True)
    # Empty in the database by default, so rows written outside Django (bulk loads) read
    # as issued before identities were kept: the registry is then asked (selectors).
    holder_number = models.CharField(
        _("holder's number, last digits"), max_length=20, blank=True, db_default=""
    )
    holder_number_kind = models.CharField(
        _("kind of number"),
        max_length=20,
        choices=IdentityNumber.choices,
        blank=True,
        db_default="",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    file = models.FileField(_("PDF"), upload_to=_stored_name, max_length=200, blank=True)
    # Rights printed on an ADP/ADF, kept as issued.
    data = models.JSONField(_("details"), default=dict, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("no longer valid since"), null=True, blank=True)
    revoke_reason = models.CharField(_("why it is no longer valid"), max_length=200, blank=True)
    # The first time its holder downloaded it: until then "Mon espace" lists it as new.
    first_downloaded_at = models.DateTimeField(_("first downloaded"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            # One attestation of filing per application, however often the task runs.
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(kind="filing"),
                name="one_filing_attestation_per_application",
            )
        ]
        indexes = [
            # "Does an ADP cover this application today?" (the coverage-gap gauge).
            models.Index(
                fields=["application", "valid_until", "valid_from"],
                condition=models.Q(kind="adp", revoked_at__isnull=True),
                name="adp_in_force",
            )
        ]
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def download_name(self) -> str:
        """Its file name in the language being used: "Attestation of filing-ATT-….pdf"."""
        from sejour.core.http import download_filename

        return download_filename(self.get_kind_display(), self.number, extension="pdf")
