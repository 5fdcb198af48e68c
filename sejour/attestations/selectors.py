"""Reads about attestations: what the public verification page may say about one."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sejour.accounts.selectors import IdentityNumber, certified_identity
from sejour.applications.models import Application, Decision, Status
from sejour.audit.models import AuditEvent

from . import signing
from .models import Attestation


@dataclass(frozen=True)
class Holder:
    """The holder as shown to whoever checks: registry name, birth date, last digits."""

    name: str
    birth_date: date | None
    number: str
    number_label: str


@dataclass(frozen=True)
class Check:
    state: str  # forged, ended, superseded, expired, not_yet_valid, valid
    attestation: Attestation | None = None
    holder: Holder | None = None
    ended_because: str = ""  # in plain words, for whoever checks


def _status_reached_on(application: Application, status: str) -> date | None:
    when = (
        AuditEvent.objects.filter(application=application, to_status=status)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return timezone.localdate(when) if when else None


def _on(moment) -> str:
    """A date, or a moment taken on the local calendar, for a sentence."""
    if isinstance(moment, datetime):
        moment = timezone.localdate(moment)
    return date_format(moment, "j F Y") if moment else ""


def ended_because(attestation: Attestation) -> str:
    """Why an attestation no longer proves anything, or "" while it still does.

    It follows the application, not only the attestation's own mark, so that every
    way an application ends (withdrawn, closed, refused) ends all it certified:
    the attestation of filing too, which has no validity dates of its own.
    """
    application = attestation.application
    if application.status == Status.WITHDRAWN:
        day = _status_reached_on(application, Status.WITHDRAWN)
        return _(
            "Its holder withdrew the application on %(date)s: this attestation has not "
            "been valid since."
        ) % {"date": _on(day or attestation.revoked_at or application.updated_at)}
    if application.status == Status.CLOSED:
        day = _status_reached_on(application, Status.CLOSED)
        return _(
            "The prefecture closed the application without follow-up on %(date)s: this "
            "attestation has not been valid since."
        ) % {"date": _on(day or attestation.revoked_at or application.updated_at)}
    if (
        application.decision == Decision.UNFAVOURABLE
        and attestation.kind != Attestation.Kind.DECISION
    ):
        # The decision letter is the refusal itself: it stays what it says.
        return _(
            "The prefecture refused the application on %(date)s: this attestation has not "
            "been valid since."
        ) % {"date": _on(application.decided_at)}
    if attestation.revoked_at is None:
        return ""
    if application.status == Status.HANDED_OVER and application.handed_over_at:
        return _(
            "The residence permit was handed over to its holder on %(date)s: the permit "
            "itself now proves their rights."
        ) % {"date": _on(application.handed_over_at)}
    return _("It stopped being valid on %(date)s.") % {"date": _on(attestation.revoked_at)}


def attestation_holder(attestation: Attestation) -> Holder | None:
    """The registry identity the attestation certifies, as kept when it was issued.

    Attestations issued before the identity was kept name whoever the applicant
    typed: for those the registry is asked now, so the page never shows typed data.
    """
    if attestation.holder_number:
        return Holder(
            name=attestation.holder_name,
            birth_date=attestation.holder_birth_date,
            number=attestation.holder_number,
            number_label=str(IdentityNumber(attestation.holder_number_kind).label),
        )
    identity = certified_identity(application=attestation.application)
    if identity is None:
        return None
    return Holder(
        name=identity.full_name,
        birth_date=identity.birth_date,
        number=identity.masked_number,
        number_label=identity.number_label,
    )


def _signed_holder_matches(payload: dict, attestation: Attestation) -> bool:
    """The identity signed in the QR code is the one kept with the attestation."""
    if "h" not in payload:
        return True  # signed before identities were signed: the number alone
    birth = attestation.holder_birth_date.isoformat() if attestation.holder_birth_date else ""
    return (payload["h"], payload.get("b"), payload.get("x")) == (
        attestation.holder_name,
        birth,
        attestation.holder_number,
    )


def attestation_check(*, token: str, today: date) -> Check:
    """Is the attestation behind this token genuine, and is it valid today?"""
    payload = signing.verify(token)
    attestation = (
        Attestation.objects.select_related("superseded_by", "application__applicant")
        .filter(number=payload.get("n"))
        .first()
        if payload
        else None
    )
    if attestation is None or not _signed_holder_matches(payload, attestation):
        return Check(state="forged")
    holder = attestation_holder(attestation)
    if holder is None:
        return Check(state="forged")
    reason = ended_because(attestation)
    if reason:
        state = "ended"
    elif attestation.superseded_by_id and attestation.superseded_by.valid_from <= today:
        state = "superseded"
    elif attestation.valid_until and attestation.valid_until < today:
        state = "expired"
    elif attestation.valid_from and attestation.valid_from > today:
        state = "not_yet_valid"
    else:
        state = "valid"
    return Check(state=state, attestation=attestation, holder=holder, ended_because=reason)


def attestation_by_number(number: str) -> Attestation | None:
    """An attestation by the number printed on it (employers' checks)."""
    return (
        Attestation.objects.select_related(
            "application__applicant", "application__prefecture", "superseded_by"
        )
        .filter(number=number)
        .first()
    )


def cover_on(*, foreign_number: str, day: date) -> Attestation | None:
    """The ADP or ADF still standing that covers this person on this day, if any
    (an employer's check: an ADP of a renewal keeps the previous permit's rights)."""
    return (
        Attestation.objects.select_related("application__applicant", "application__prefecture")
        .filter(
            application__applicant__identifier=foreign_number,
            kind__in=(Attestation.Kind.ADP, Attestation.Kind.ADF),
            revoked_at__isnull=True,
            valid_from__lte=day,
            valid_until__gte=day,
        )
        .order_by("-issued_at", "-id")
        .first()
    )
