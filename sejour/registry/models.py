"""Séjour's local copy of the national reference files.

AGDREF (foreign nationals and their residence documents), the visa file, the
list of prefectures, and the two outside services later work needs: the
e-photo codes of approved photo booths and the electronic tax stamps. The rest
of Séjour reads them only through `sejour.registry.adapter`, so a real national
registry can replace these tables.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Prefecture(models.Model):
    department_code = models.CharField(_("département code"), max_length=3, unique=True)
    department_name = models.CharField(_("département"), max_length=80)
    name = models.CharField(_("name"), max_length=120)
    seat = models.CharField(_("seat"), max_length=80)
    website = models.URLField(_("web site"))

    class Meta:
        ordering = ["department_code"]
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")

    def __str__(self) -> str:
        return f"{self.name} ({self.department_code})"


class Motive(models.TextChoices):
    """The motive (mention) printed on a residence document."""

    STUDENT = "student", _("Student")
    TALENT = "talent", _("Talent")
    TALENT_FAMILY = "talent_family", _("Talent – family")
    VISITOR = "visitor", _("Visitor")
    EMPLOYEE = "employee", _("Employee")
    TEMPORARY_WORKER = "temporary_worker", _("Temporary worker")
    PRIVATE_FAMILY_LIFE = "private_family_life", _("Private and family life")
    RESIDENT = "resident", _("Resident")


class DocumentKind(models.TextChoices):
    PERMIT = "permit", _("Residence permit")
    RECEIPT = "receipt", _("Receipt (récépissé)")
    VLS = "vls", _("Long-stay visa to be followed by a permit application (VLS)")
    VLS_TS = "vls_ts", _("Long-stay visa equivalent to a residence permit (VLS-TS)")
    VISA = "visa", _("Other visa")


class Person(models.Model):
    """A foreign national known to the national files.

    A person who came with a VLS "titre à solliciter" has no foreign-national
    number until a prefecture starts instructing their first application.
    """

    foreign_number = models.CharField(
        _("foreign-national number"), max_length=10, unique=True, null=True, blank=True
    )
    last_name = models.CharField(_("last name"), max_length=100)
    first_names = models.CharField(_("first names"), max_length=150)
    birth_date = models.DateField(_("date of birth"))
    birth_place = models.CharField(_("place of birth"), max_length=120)
    nationality = models.CharField(_("nationality"), max_length=80)
    address = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=5)
    city = models.CharField(_("city"), max_length=100)

    class Meta:
        ordering = ["last_name", "first_names"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.last_name.upper()} {self.first_names}"


class ResidenceDocument(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=20)
    valid_from = models.DateField(_("start of validity"))
    valid_until = models.DateField(_("end of validity"))
    motive = models.CharField(_("motive"), max_length=30, choices=Motive.choices)
    allows_work = models.BooleanField(_("allows work"), default=False)
    # A VLS-TS counts as a residence permit only once validated online.
    validated = models.BooleanField(_("validated"), default=False)

    class Meta:
        ordering = ["-valid_until"]
        indexes = [
            # The renewal reminders' daily extract: documents ending (or, for a VLS,
            # starting) in a few days' range, and "does this holder have a later one?".
            models.Index(fields=["valid_until", "kind"], name="document_ends"),
            models.Index(fields=["valid_from", "kind"], name="document_starts"),
            models.Index(fields=["person", "valid_until"], name="document_of_person_by_end"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="unique_document_number"),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="document_dates_in_order",
            ),
        ]
        verbose_name = _("residence document")
        verbose_name_plural = _("residence documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class EphotoCode(models.Model):
    """A code given by an approved photo booth: it brings a photo and a signature."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    taken_at = models.DateTimeField(_("taken at"))
    available_at = models.DateTimeField(_("available from"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-photo code")
        verbose_name_plural = _("e-photo codes")

    def __str__(self) -> str:
        return self.code


class TaxStamp(models.Model):
    """An electronic tax stamp (timbre fiscal électronique)."""

    number = models.CharField(_("number"), max_length=16, unique=True)
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    bought_at = models.DateTimeField(_("bought at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_for = models.CharField(_("used for"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("electronic tax stamp")
        verbose_name_plural = _("electronic tax stamps")

    def __str__(self) -> str:
        return self.number
