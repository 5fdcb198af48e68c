"""Reads about accounts: above all, who an account belongs to."""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from sejour.registry.adapter import get_registry


class IdentityNumber(models.TextChoices):
    """Which national number stands behind a certified identity."""

    FOREIGN_NUMBER = "foreign_number", _("Foreign-national number")
    # A visa holder has no foreign-national number until instruction starts.
    VISA = "visa", _("Visa number")


def masked(number: str) -> str:
    """The last four digits only, e.g. ••••••0001: enough to tell two people apart."""
    return "•" * max(len(number) - 4, 0) + number[-4:]


@dataclass(frozen=True)
class CertifiedIdentity:
    """A person as the national files know them, never as anyone typed them."""

    last_name: str
    first_names: str
    birth_date: date
    number: str
    number_kind: str

    @property
    def full_name(self) -> str:
        return f"{self.first_names} {self.last_name.upper()}".strip()

    @property
    def masked_number(self) -> str:
        return masked(self.number)

    @property
    def number_label(self) -> str:
        return str(IdentityNumber(self.number_kind).label)


def certified_identity(*, account=None, application=None) -> CertifiedIdentity | None:
    """The identity Séjour certifies for an account, or for an application's applicant.

    It is the national registry's person behind the account's foreign-national
    number, or behind its visa while no number is allocated yet, read through the
    registry adapter. Attestations, the signed data of their QR codes, the public
    verification page and employers' checks print this, never the wizard's
    answers: the applicant can edit those. None for staff accounts and for an
    account the registry does not know (then nothing may be certified).
    """
    if application is not None:
        account = application.applicant
    if account is None or not account.is_applicant:
        return None
    registry = get_registry()
    if account.identifier:
        person = registry.person(foreign_number=account.identifier)
        number, kind = account.identifier, IdentityNumber.FOREIGN_NUMBER
    elif account.visa_number:
        person = registry.person(visa_number=account.visa_number)
        number, kind = account.visa_number, IdentityNumber.VISA
    else:
        return None
    if person is None:
        return None
    return CertifiedIdentity(
        last_name=person.last_name,
        first_names=person.first_names,
        birth_date=person.birth_date,
        number=number,
        number_kind=kind,
    )
