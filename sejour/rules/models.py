"""Rules that change with the law, as data with effective dates.

Each table is filled from `sejour/rules/data/*.json` after every migrate (rows
missing by code are created; rows an administrator edited are left alone) and
is editable in the admin. A rule applies on a date when
effective_from <= date and (effective_until is empty or date < effective_until).
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sejour.registry.models import Motive


class Procedure(models.TextChoices):
    FIRST = "first", _("First application")
    RENEWAL = "renewal", _("Renewal")
    ADDRESS_CHANGE = "address_change", _("Change of address")
    DUPLICATE = "duplicate", _("Duplicate of a lost, stolen or damaged permit")


class EffectiveQuerySet(models.QuerySet):
    def effective_on(self, day: date):
        return self.filter(
            Q(effective_until__isnull=True) | Q(effective_until__gt=day), effective_from__lte=day
        )


class EffectiveRule(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    effective_from = models.DateField(_("applies from"))
    effective_until = models.DateField(_("applies until (excluded)"), null=True, blank=True)
    # Where the value comes from (article, finance law, decree or official page), as
    # docs/rules.md lists it; "to confirm" says no 2026 text was found for it.
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        abstract = True


class Fee(EffectiveRule):
    class Kind(models.TextChoices):
        TAX = "tax", _("Tax")
        STAMP_DUTY = "stamp_duty", _("Manufacturing stamp duty")
        LATE = "late", _("Late renewal fee")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Empty procedure or motive: the fee applies to all.
    procedure = models.CharField(
        _("procedure"), max_length=20, choices=Procedure.choices, blank=True
    )
    motive = models.CharField(_("motive"), max_length=30, choices=Motive.choices, blank=True)
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "procedure", "motive", "-effective_from"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")

    def __str__(self) -> str:
        return f"{self.code}: {self.amount_cents / 100:.2f} €"


class FilingWindow(EffectiveRule):
    """When an application may be filed, counted back from the end of the current document."""

    opens_months_before = models.PositiveSmallIntegerField(_("opens (months before the end)"))
    late_months_before = models.PositiveSmallIntegerField(_("late after (months before the end)"))

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("filing window")
        verbose_name_plural = _("filing windows")

    def __str__(self) -> str:
        return f"{self.code}: {self.opens_months_before} → {self.late_months_before} months"


class MotiveRule(EffectiveRule):
    motive = models.CharField(_("motive"), max_length=30, choices=Motive.choices)
    has_resources_step = models.BooleanField(_("has a resources step"))
    monthly_resources_cents = models.PositiveIntegerField(
        _("expected monthly resources (cents)"), default=0
    )

    class Meta:
        ordering = ["motive", "-effective_from"]
        verbose_name = _("motive rule")
        verbose_name_plural = _("motive rules")

    def __str__(self) -> str:
        return self.code


class DocumentRequirement(EffectiveRule):
    """One supporting document asked for a motive, on a first application or a renewal."""

    motives = models.JSONField(_("motives"), default=list)
    procedures = models.JSONField(_("procedures"), default=list)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    help_fr = models.TextField(_("guidance (French)"), blank=True)
    help_en = models.TextField(_("guidance (English)"), blank=True)
    label_ar = models.CharField(_("label (Arabic)"), max_length=200, blank=True)
    help_ar = models.TextField(_("guidance (Arabic)"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("supporting-document requirement")
        verbose_name_plural = _("supporting-document requirements")

    def __str__(self) -> str:
        return self.code

    def _in_language(self, field: str) -> str:
        """The English or Arabic text when the person reads that language; French
        otherwise, and for a row an administrator added without that language."""
        language = (get_language() or "fr")[:2]
        if language in ("en", "ar"):
            return getattr(self, f"{field}_{language}") or getattr(self, f"{field}_fr")
        return getattr(self, f"{field}_fr")

    @property
    def label(self) -> str:
        return self._in_language("label")

    @property
    def help(self) -> str:
        return self._in_language("help")


class InstructionRule(EffectiveRule):
    """Deadlines of the examination and of the attestations that cover it."""

    implicit_refusal_months = models.PositiveSmallIntegerField(
        _("silence is an implicit refusal after (months)")
    )
    complement_days = models.PositiveSmallIntegerField(_("default time to answer a request (days)"))
    attestation_months = models.PositiveSmallIntegerField(_("length of an ADP or ADF (months)"))
    renew_days_before = models.PositiveSmallIntegerField(
        _("issue the next attestation this many days before the current one ends")
    )

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("instruction rule")
        verbose_name_plural = _("instruction rules")

    def __str__(self) -> str:
        return self.code


class Figure(EffectiveRule):
    """A dated figure that is neither a fee nor a deadline of the examination: how long
    a stamp stays usable, the support line's opening hours… `value` holds its fields."""

    name = models.SlugField(_("name"), max_length=60)
    value = models.JSONField(_("value"))

    class Meta:
        ordering = ["name", "-effective_from"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")

    def __str__(self) -> str:
        return self.code
