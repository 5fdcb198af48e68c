import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, identifier, password=None, **extra):
        user = self.model(identifier=identifier, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, identifier, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self.create_user(identifier, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in to Séjour.

    An applicant's identifier is their foreign-national number. An applicant
    who came with a visa first has provisional access: no identifier yet, only
    the visa number, until `account_activate_from_visa` gives them one.
    Staff (agents, support, administrators) have an identifier of their own.
    """

    class Role(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        AGENT = "agent", _("Prefecture agent")
        SUPERVISOR = "supervisor", _("Prefecture supervisor")
        SUPPORT = "support", _("Support agent")
        ADMIN = "admin", _("Administrator")
        EMPLOYER = "employer", _("Employer")

    identifier = models.CharField(
        _("identifier"), max_length=40, unique=True, null=True, blank=True
    )
    visa_number = models.CharField(
        _("visa number"), max_length=9, unique=True, null=True, blank=True
    )
    email = models.EmailField(_("e-mail address"))
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    first_names = models.CharField(_("first names"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.APPLICANT)
    prefecture = models.ForeignKey(
        "registry.Prefecture",
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agents",
    )
    # The language the person chose (switch, settings page): their pages after login and
    # every e-mail and SMS sent to them. Blank: not chosen, French (LANGUAGE_CODE).
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )
    must_change_password = models.BooleanField(_("must change password"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "identifier"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(identifier__isnull=False) | models.Q(visa_number__isnull=False),
                name="user_has_identifier_or_visa",
            )
        ]

    def __str__(self) -> str:
        return self.identifier or f"visa {self.visa_number}"

    @property
    def is_provisional(self) -> bool:
        return self.identifier is None

    @property
    def is_applicant(self) -> bool:
        return self.role == self.Role.APPLICANT

    @property
    def full_name(self) -> str:
        return f"{self.first_names} {self.last_name.upper()}".strip()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class EmailVerification(models.Model):
    """A sign-up waiting for its e-mail address to be confirmed.

    Only the hash of the link's token is stored: a database leak gives no
    usable link. A row is used once.
    """

    class Path(models.TextChoices):
        RESIDENCE = "residence", _("Permit, receipt or VLS-TS")
        VISA = "visa", _("Visa")
        VISA_LOGIN = "visa_login", _("Sign-in link for a visa holder")

    path = models.CharField(max_length=12, choices=Path.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    foreign_number = models.CharField(max_length=10, blank=True)
    visa_number = models.CharField(max_length=9, blank=True)
    first_names = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail verification")
        verbose_name_plural = _("e-mail verifications")

    def __str__(self) -> str:
        return f"{self.get_path_display()} → {self.email}"

    @classmethod
    def issue(cls, **fields) -> tuple["EmailVerification", str]:
        token = secrets.token_urlsafe(32)
        expires_at = timezone.now() + timedelta(seconds=settings.ACCOUNT_EMAIL_LINK_MAX_AGE)
        row = cls.objects.create(token_hash=_hash_token(token), expires_at=expires_at, **fields)
        return row, token

    @classmethod
    def for_token(cls, token: str) -> "EmailVerification | None":
        return cls.objects.filter(token_hash=_hash_token(token)).first()

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class Attempt(models.Model):
    """One counted attempt (a failed login, a sign-up, a reset request …).

    Counters live in the database so that several web processes share them.
    """

    class Kind(models.TextChoices):
        LOGIN_FAILURE = "login_failure"
        SIGNUP = "signup"
        VERIFICATION = "verification"
        RESET = "reset"
        CONTACT = "contact"
        UPLOAD = "upload"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.created_at:%Y-%m-%d %H:%M}"
