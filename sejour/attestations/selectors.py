"""Reads about attestations: what the public verification page may say about one."""

from dataclasses import dataclass
from datetime import date

from sejour.accounts.selectors import IdentityNumber, certified_identity

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
    state: str  # forged, revoked, superseded, expired, not_yet_valid, valid
    attestation: Attestation | None = None
    holder: Holder | None = None


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
    if attestation.revoked_at:
        state = "revoked"
    elif attestation.superseded_by_id and attestation.superseded_by.valid_from <= today:
        state = "superseded"
    elif attestation.valid_until and attestation.valid_until < today:
        state = "expired"
    elif attestation.valid_from and attestation.valid_from > today:
        state = "not_yet_valid"
    else:
        state = "valid"
    return Check(state=state, attestation=attestation, holder=holder)
