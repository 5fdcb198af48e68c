"""Employers who check a foreign national's right to work, and their checks.

An employer (one SIRET) has several users; each check request records who asked,
what was asked, and the answer Séjour or the competent prefecture gave. The
answer holds only what the check needs (genuine, valid on the job's start date,
allows work, until when, the students' yearly limit) and the registry's name of
the holder: never an address, a motive or a history.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sejour.core.codes import readable_code
from sejour.core.storage import random_key


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Company(models.Model):
    """The local copy of the national register of companies (SIRENE), for development
    and the demo; production reads the real register through `EMPLOYER_REGISTRY`."""

    siret = models.CharField(_("SIRET"), max_length=14, unique=True)
    name = models.CharField(_("company name"), max_length=200)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    # A closed establishment cannot sign up: nobody hires there any more.
    active = models.BooleanField(_("active establishment"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company (register)")
        verbose_name_plural = _("companies (register)")

    def __str__(self) -> str:
        return f"{self.name} ({self.siret})"


class Employer(models.Model):
    siret = models.CharField(_("SIRET"), max_length=14, unique=True)
    name = models.CharField(_("company name"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")

    def __str__(self) -> str:
        return self.name


class EmployerMember(models.Model):
    """A user of an employer's space; the administrators invite colleagues."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employer_membership"
    )
    # Employers log in with their work e-mail: one account per address.
    email = models.EmailField(_("work e-mail address"), unique=True)
    is_admin = models.BooleanField(_("administrator"), default=False)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("employer's user")
        verbose_name_plural = _("employer's users")

    def __str__(self) -> str:
        return self.email


class EmployerLink(models.Model):
    """An e-mailed link that confirms a work address: a sign-up or an invitation.

    Like accounts' EmailVerification: only the token's hash is kept, a link
    works once and expires."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("Employer sign-up")
        INVITATION = "invitation", _("Invitation of a colleague")

    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    siret = models.CharField(max_length=14)
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("employer's e-mail link")
        verbose_name_plural = _("employer's e-mail links")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} → {self.email}"

    @classmethod
    def issue(cls, **fields) -> tuple["EmployerLink", str]:
        token = secrets.token_urlsafe(32)
        expires_at = timezone.now() + timedelta(seconds=settings.ACCOUNT_EMAIL_LINK_MAX_AGE)
        return cls.objects.create(
            token_hash=token_hash(token), expires_at=expires_at, **fields
        ), token

    @classmethod
    def for_token(cls, token: str) -> "EmployerLink | None":
        return cls.objects.select_related("employer").filter(token_hash=token_hash(token)).first()

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class ApiToken(models.Model):
    """A token for payroll and HR software. Only its SHA-256 hash is kept; the
    token is shown once, when it is made."""

    class Scope(models.TextChoices):
        CHECKS_WRITE = "checks:write", _("Ask for checks")
        CHECKS_READ = "checks:read", _("Read the answers")

    PREFIX = "sej_"

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters, so a person can tell their tokens apart.
    hint = models.CharField(_("starts with"), max_length=12)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def scope_labels(self) -> list[str]:
        return [str(self.Scope(scope).label) for scope in self.scopes if scope in self.Scope.values]


class ApiUsage(models.Model):
    """Requests counted per token and minute, in the database so that every web
    process shares the limit."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "minute"], name="one_counter_per_minute")
        ]

    def __str__(self) -> str:
        return f"{self.token_id} {self.minute:%H:%M} {self.count}"


class ContractType(models.TextChoices):
    PERMANENT = "permanent", _("Permanent contract (CDI)")
    FIXED_TERM = "fixed_term", _("Fixed-term contract (CDD)")
    TEMPORARY = "temporary", _("Temporary work (intérim)")
    SEASONAL = "seasonal", _("Seasonal work")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")


def _new_reference() -> str:
    return "VE-" + readable_code(8)


def _answer_name(instance, filename: str) -> str:
    return random_key("employer-checks", "pdf")


class CheckRequest(models.Model):
    class Status(models.TextChoices):
        ANSWERED = "answered", _("Answered")
        WAITING_PREFECTURE = "waiting_prefecture", _("Sent to the prefecture")

    reference = models.CharField(_("reference"), max_length=12, unique=True, default=_new_reference)
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="checks")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    api_token = models.ForeignKey(
        ApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the employer typed: one of the two numbers, and the document's dates.
    foreign_number = models.CharField(_("foreign-national number"), max_length=10, blank=True)
    attestation_number = models.CharField(_("attestation number"), max_length=14, blank=True)
    document_valid_from = models.DateField(_("document valid from"))
    document_valid_until = models.DateField(_("document valid until"))
    job_start = models.DateField(_("job start date"))
    contract_type = models.CharField(_("contract"), max_length=20, choices=ContractType.choices)
    # The holder's account when Séjour knows it: their space lists the check.
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employer_checks",
    )
    prefecture = models.ForeignKey(
        "registry.Prefecture", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    due_on = models.DateField(_("answer due"), null=True, blank=True)
    # The answer: nothing else ever reaches the employer.
    genuine = models.BooleanField(_("genuine"), null=True)
    valid_on_start = models.BooleanField(_("valid on the start date"), null=True)
    allows_work = models.BooleanField(_("allows work"), null=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    yearly_work_limit_hours = models.PositiveIntegerField(
        _("yearly work limit (hours)"), null=True, blank=True
    )
    holder_name = models.CharField(_("holder"), max_length=250, blank=True)
    holder_birth_date = models.DateField(_("holder's date of birth"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # None: Séjour answered from the registry at once.
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pdf = models.FileField(_("signed answer"), upload_to=_answer_name, max_length=200, blank=True)
    reported_at = models.DateTimeField(_("reported by the holder"), null=True, blank=True)
    ticket = models.ForeignKey(
        "support.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["employer", "-created_at", "-id"], name="check_employer_recent"),
            models.Index(fields=["prefecture", "status", "due_on"], name="check_prefecture_queue"),
            models.Index(fields=["holder", "-created_at"], name="check_holder_recent"),
            models.Index(fields=["foreign_number", "-created_at"], name="check_number_recent"),
            models.Index(fields=["created_at"], name="check_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(foreign_number="") | ~models.Q(attestation_number=""),
                name="check_names_a_number",
            ),
            models.CheckConstraint(
                condition=models.Q(document_valid_until__gte=models.F("document_valid_from")),
                name="check_dates_in_order",
            ),
        ]
        verbose_name = _("employer's check")
        verbose_name_plural = _("employers' checks")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_answered(self) -> bool:
        return self.status == self.Status.ANSWERED

    @property
    def verdict(self) -> str:
        """One word for the answer, for lists and the signed token."""
        if not self.is_answered:
            return "waiting"
        if not self.genuine:
            return "not_genuine"
        if not self.valid_on_start:
            return "not_valid"
        return "allows_work" if self.allows_work else "no_work"

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_LABELS[self.verdict])


VERDICT_LABELS = {
    "waiting": _("Waiting for the prefecture's answer"),
    "not_genuine": _("Not genuine: no such document is known"),
    "not_valid": _("Genuine, but not valid on the start date"),
    "no_work": _("Genuine and valid, but does not allow work"),
    "allows_work": _("Genuine, valid and allows work"),
}
