"""Account writes: each one a transaction with its audit event and its e-mail."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from sejour.audit.services import audit_record
from sejour.core.codes import READABLE, readable_code
from sejour.notifications.services import outbox_email
from sejour.registry.adapter import get_registry

from . import throttle
from .languages import language_current, language_of, language_supported
from .models import Attempt, EmailVerification, User


class AccountError(Exception):
    """A rule stopped the change; the message is for the person."""


# --- Sign-up ---------------------------------------------------------------


def signup_verification_send(
    *,
    path: str,
    email: str,
    first_names: str,
    last_name: str,
    foreign_number: str = "",
    visa_number: str = "",
) -> EmailVerification:
    """Send the link that proves the person owns this e-mail address."""
    with transaction.atomic():
        verification, token = EmailVerification.issue(
            path=path,
            email=email,
            foreign_number=foreign_number,
            visa_number=visa_number,
            first_names=first_names,
            last_name=last_name,
        )
        language = language_current()
        with translation.override(language):
            outbox_email(
                language=language,
                to=email,
                subject=_("Séjour: confirm your e-mail address"),
                template="accounts/email/verify_email.txt",
                context={
                    "hours": settings.ACCOUNT_EMAIL_LINK_MAX_AGE // 3600,
                    "first_names": first_names,
                },
                secret_context={
                    "link": settings.SITE_URL + reverse("accounts:verify", args=[token])
                },
            )
    return verification


def _verification_lock(verification: EmailVerification, path: str) -> EmailVerification:
    locked = EmailVerification.objects.select_for_update().get(pk=verification.pk)
    if locked.path != path:
        raise AccountError(_("This link cannot be used here."))
    if locked.used_at is not None:
        raise AccountError(_("This link has already been used. You can log in."))
    if locked.is_expired:
        raise AccountError(_("This link has expired. Please start again."))
    return locked


def account_create_from_residence(
    *, verification: EmailVerification, password: str, ip_address: str = ""
) -> User:
    """Open a full account for a holder of a permit, receipt or validated VLS-TS."""
    with transaction.atomic():
        # Lock the row: a double click or two tabs must create one account.
        verification = _verification_lock(verification, EmailVerification.Path.RESIDENCE)
        if User.objects.filter(identifier=verification.foreign_number).exists():
            raise AccountError(_("An account already exists for this number. You can log in."))
        now = timezone.now()
        user = User.objects.create_user(
            verification.foreign_number,
            password,
            email=verification.email,
            email_verified_at=now,
            first_names=verification.first_names,
            last_name=verification.last_name,
        )
        verification.verified_at = verification.used_at = now
        verification.save(update_fields=["verified_at", "used_at"])
        audit_record(action="account.created", actor=user, subject=user, ip_address=ip_address)
        audit_record(
            action="account.email_verified",
            actor=user,
            subject=user,
            ip_address=ip_address,
            data={"email": verification.email},
        )
    return user


def account_create_provisional(*, verification: EmailVerification, ip_address: str = "") -> User:
    """Give a visa holder provisional access: enough to file a first application."""
    with transaction.atomic():
        verification = _verification_lock(verification, EmailVerification.Path.VISA)
        if User.objects.filter(visa_number=verification.visa_number).exists():
            raise AccountError(_("An account already exists for this visa. You can log in."))
        now = timezone.now()
        user = User.objects.create_user(
            None,
            email=verification.email,
            email_verified_at=now,
            visa_number=verification.visa_number,
            first_names=verification.first_names,
            last_name=verification.last_name,
        )
        verification.verified_at = verification.used_at = now
        verification.save(update_fields=["verified_at", "used_at"])
        audit_record(
            action="account.created",
            actor=user,
            subject=user,
            ip_address=ip_address,
            data={"provisional": True, "visa_number": user.visa_number},
        )
        audit_record(
            action="account.email_verified",
            actor=user,
            subject=user,
            ip_address=ip_address,
            data={"email": verification.email},
        )
    return user


def visa_login_link_send(*, visa_number: str) -> None:
    """E-mail a one-time sign-in link to a visa holder with provisional access.

    Does nothing visible when there is no such access: the page answers the
    same either way.
    """
    user = User.objects.filter(
        visa_number=visa_number, identifier__isnull=True, is_active=True
    ).first()
    if user is None:
        return
    with transaction.atomic():
        _verification, token = EmailVerification.issue(
            path=EmailVerification.Path.VISA_LOGIN,
            email=user.email,
            visa_number=visa_number,
        )
        language = language_of(user)
        with translation.override(language):
            outbox_email(
                language=language,
                to=user.email,
                subject=_("Séjour: your sign-in link"),
                template="accounts/email/visa_login.txt",
                context={"hours": settings.ACCOUNT_EMAIL_LINK_MAX_AGE // 3600},
                secret_context={
                    "link": settings.SITE_URL + reverse("accounts:visa_login_confirm", args=[token])
                },
            )


def _visa_login_links_end(*, visa_number: str) -> int:
    """End every sign-in link of this visa not used yet: only the newest link ever serves."""
    return EmailVerification.objects.filter(
        path=EmailVerification.Path.VISA_LOGIN, visa_number=visa_number, used_at__isnull=True
    ).update(used_at=timezone.now())


def visa_login_consume(*, verification: EmailVerification) -> User:
    with transaction.atomic():
        verification = _verification_lock(verification, EmailVerification.Path.VISA_LOGIN)
        # Provisional access only: once activated, the person logs in with their number.
        user = User.objects.filter(
            visa_number=verification.visa_number, identifier__isnull=True, is_active=True
        ).first()
        if user is None:
            raise AccountError(_("This link cannot be used here."))
        # An older link lying in the mailbox must not open the account after this one did.
        _visa_login_links_end(visa_number=verification.visa_number)
    return user


def account_activate_from_visa(*, user: User, by: User | None) -> str:
    """Turn a visa holder's provisional access into a full account.

    Called when a prefecture starts instructing their first application: the
    registry allocates a foreign-national number, which becomes the
    identifier, and a temporary password (to change at first login) is sent
    by e-mail with it.
    """
    if not user.is_provisional:
        raise AccountError(_("This account already has a foreign-national number."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_provisional:
            raise AccountError(_("This account already has a foreign-national number."))
        number = get_registry().allocate_foreign_number(visa_number=user.visa_number)
        temporary_password = temporary_password_make()
        user.identifier = number
        user.set_password(temporary_password)
        user.must_change_password = True
        user.save(update_fields=["identifier", "password", "must_change_password"])
        # From now on the person logs in with the number: no sign-in link opens the account.
        _visa_login_links_end(visa_number=user.visa_number)
        audit_record(
            action="account.activated",
            actor=by,
            subject=user,
            data={"foreign_number": number, "visa_number": user.visa_number},
        )
        language = language_of(user)
        with translation.override(language):
            outbox_email(
                language=language,
                to=user.email,
                subject=_("Séjour: your foreign-national number and temporary password"),
                template="accounts/email/activated.txt",
                context={
                    "identifier": number,
                    "link": settings.SITE_URL + reverse("accounts:login"),
                },
                secret_context={"temporary_password": temporary_password},
            )
    return number


def temporary_password_make() -> str:
    # Four groups of four characters without look-alikes: easy to type from an e-mail.
    return "-".join(readable_code(4, READABLE.lower()) for _ in range(4))


# --- Passwords ---------------------------------------------------------------


def password_change(*, user: User, new_password: str, ip_address: str = "") -> None:
    with transaction.atomic():
        was_temporary = user.must_change_password
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        throttle.attempts_clear(kind=Attempt.Kind.LOGIN_FAILURE, key=f"id:{login_key(user)}")
        audit_record(
            action="account.password_changed",
            actor=user,
            subject=user,
            ip_address=ip_address,
            data={"was_temporary": was_temporary},
        )


def password_reset_send(*, identifier: str) -> None:
    """E-mail a one-time reset link, if such an applicant exists.

    The caller answers the same whatever happens here.
    """
    user = User.objects.filter(
        identifier=identifier, is_active=True, role=User.Role.APPLICANT
    ).first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    with transaction.atomic():
        language = language_of(user)
        with translation.override(language):
            outbox_email(
                language=language,
                to=user.email,
                subject=_("Séjour: choose a new password"),
                template="accounts/email/password_reset.txt",
                context={"minutes": settings.PASSWORD_RESET_TIMEOUT // 60},
                secret_context={
                    "link": settings.SITE_URL
                    + reverse("accounts:password_reset_confirm", args=[uid, token])
                },
            )


def account_welcome_send(*, user: User, agent_name: str) -> None:
    """E-mail the first password link of an account a support agent opened with the
    person: it says why they receive it, and logging in (the agent does, to file
    with them) does not spend it (`tokens.WelcomeTokenGenerator`)."""
    from .tokens import welcome_token_generator

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = welcome_token_generator.make_token(user)
    with transaction.atomic():
        language = language_of(user)
        with translation.override(language):
            outbox_email(
                language=language,
                to=user.email,
                subject=_("Séjour: choose the password of the account opened with you"),
                template="accounts/email/welcome_password.txt",
                context={
                    "agent": agent_name,
                    "days": settings.ACCOUNT_WELCOME_LINK_MAX_AGE // (24 * 3600),
                },
                secret_context={
                    "link": settings.SITE_URL
                    + reverse("accounts:welcome_password", args=[uid, token])
                },
            )


def password_reset_complete(*, user: User, new_password: str, ip_address: str = "") -> None:
    """Set the new password; the reset link stops working, and any lockout ends."""
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit_record(
            action="account.password_reset", actor=user, subject=user, ip_address=ip_address
        )
        _unlock(user=user, by=user, reason="password reset")


# --- Login failures and lockout ---------------------------------------------


STAFF_KEY_PREFIX = "agent:"


def login_key(user: User) -> str:
    """The key a person's failed logins are counted under: staff have their own doors'."""
    return user.identifier if user.is_applicant else f"{STAFF_KEY_PREFIX}{user.identifier}"


def _user_for_login_key(key: str) -> User | None:
    """Whose account a key locks: a staff door's key locks staff only, and the reverse."""
    if key.startswith(STAFF_KEY_PREFIX):
        return (
            User.objects.filter(identifier=key.removeprefix(STAFF_KEY_PREFIX))
            .exclude(role=User.Role.APPLICANT)
            .first()
        )
    return User.objects.filter(identifier=key, role=User.Role.APPLICANT).first()


def login_blocked_until(*, identifier: str, ip_address: str) -> datetime | None:
    """Until when logins are refused for this identifier or this address."""
    limits = [
        (f"id:{identifier}", settings.LOGIN_FAILURES_PER_IDENTIFIER),
        # A partner's network (a help desk) counts as one, with its own ceiling.
        throttle.address_counter(address=ip_address, limit=settings.LOGIN_FAILURES_PER_ADDRESS),
    ]
    blocks = [
        throttle.blocked_until(
            kind=Attempt.Kind.LOGIN_FAILURE,
            key=key,
            limit=limit,
            window_seconds=settings.LOGIN_LOCKOUT_SECONDS,
        )
        for key, limit in limits
    ]
    blocks = [until for until in blocks if until is not None]
    return max(blocks) if blocks else None


def login_failure_record(*, identifier: str, ip_address: str) -> datetime | None:
    """Count a failed login; lock the identifier when it reaches the limit."""
    with transaction.atomic():
        throttle.attempt_record(kind=Attempt.Kind.LOGIN_FAILURE, key=f"id:{identifier}")
        address_key, _ceiling = throttle.address_counter(
            address=ip_address, limit=settings.LOGIN_FAILURES_PER_ADDRESS
        )
        throttle.attempt_record(kind=Attempt.Kind.LOGIN_FAILURE, key=address_key)
        until = login_blocked_until(identifier=identifier, ip_address=ip_address)
        identifier_until = throttle.blocked_until(
            kind=Attempt.Kind.LOGIN_FAILURE,
            key=f"id:{identifier}",
            limit=settings.LOGIN_FAILURES_PER_IDENTIFIER,
            window_seconds=settings.LOGIN_LOCKOUT_SECONDS,
        )
        user = _user_for_login_key(identifier) if identifier_until else None
        if user is not None:
            audit_record(
                action="account.locked",
                subject=user,
                ip_address=ip_address,
                reason="too many failed logins",
                data={"until": identifier_until.isoformat()},
            )
    return until


def login_success_record(*, user: User, ip_address: str, key: str | None = None) -> None:
    """Forget the failures counted under this login's key (the agents' door has its own)."""
    with transaction.atomic():
        throttle.attempts_clear(kind=Attempt.Kind.LOGIN_FAILURE, key=f"id:{key or user.identifier}")
        audit_record(action="account.logged_in", actor=user, subject=user, ip_address=ip_address)


def _unlock(*, user: User, by: User | None, reason: str) -> bool:
    cleared = throttle.attempts_clear(kind=Attempt.Kind.LOGIN_FAILURE, key=f"id:{login_key(user)}")
    if cleared:
        audit_record(action="account.unlocked", actor=by, subject=user, reason=reason)
    return bool(cleared)


def account_unlock(*, user: User, by: User | None, reason: str) -> bool:
    """Lift a lockout (an administrator's action); True if there was one."""
    with transaction.atomic():
        return _unlock(user=user, by=by, reason=reason)


# --- Language ----------------------------------------------------------------


def account_language_set(*, user: User, language: str, by=None) -> bool:
    """Keep the language the person chose on their account (pages and messages).

    Returns whether it changed; an unsupported code is refused (ValueError): the
    switch and the settings form only offer settings.LANGUAGES.
    """
    if language and not language_supported(language):
        raise ValueError(f"Séjour does not offer the language {language!r}.")
    language = language_supported(language)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = locked.language
        if before == language:
            return False
        locked.language = language
        locked.save(update_fields=["language"])
        user.language = language
        audit_record(
            action="account.language_changed",
            actor=by if by is not None else user,
            subject=user,
            data={"from": before, "to": language},
        )
    return True
