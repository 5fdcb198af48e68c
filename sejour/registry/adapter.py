"""The only door to the national files.

Views and services ask `get_registry()`; they never query the registry tables
themselves. `LocalRegistry` answers from Séjour's own copy (filled by
`manage.py load_demo`); a connector to the real AGDREF and visa files would
implement the same `Registry` protocol and be named in `REGISTRY_BACKEND`.
"""

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.module_loading import import_string

from .models import DocumentKind, Motive, Person, Prefecture, ResidenceDocument
from .postcodes import department_code_for_postcode

# The permits that may be asked for online (FAQ; decision 0010): a first application,
# a renewal or a change of status towards one of these motives. The motive of the
# document held does not matter; changes of address and duplicates are open to all.
ONLINE_MOTIVES = frozenset({Motive.STUDENT, Motive.TALENT, Motive.TALENT_FAMILY, Motive.VISITOR})


@dataclass(frozen=True)
class PrefectureRecord:
    department_code: str
    department_name: str
    name: str
    website: str


@dataclass(frozen=True)
class PersonRecord:
    foreign_number: str | None
    last_name: str
    first_names: str
    birth_date: date
    postcode: str
    birth_place: str = ""
    nationality: str = ""
    address: str = ""
    city: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_names} {self.last_name.upper()}"


@dataclass(frozen=True)
class DocumentRecord:
    kind: str
    number: str
    valid_from: date
    valid_until: date
    motive: str
    allows_work: bool
    validated: bool
    person: PersonRecord

    @property
    def kind_label(self) -> str:
        return DocumentKind(self.kind).label

    @property
    def motive_label(self) -> str:
        return Motive(self.motive).label

    @property
    def opens_account(self) -> bool:
        """Whether its holder may have a Séjour account (decision 0010): any permit or
        receipt of the national file, whatever its motive, a validated VLS-TS, or a
        long-stay visa "titre à solliciter". What they may file is `allows_application_for`."""
        if self.kind == DocumentKind.VLS_TS:
            return self.validated
        return self.kind in (DocumentKind.VLS, DocumentKind.PERMIT, DocumentKind.RECEIPT)

    def allows_application_for(self, motive: str) -> bool:
        """Whether its holder may ask online for a permit with this motive (first
        application, renewal or change of status): only the FAQ's motives."""
        return self.opens_account and motive in ONLINE_MOTIVES


class Registry(Protocol):
    def find_residence_document(
        self, *, foreign_number: str, valid_from: date, valid_until: date
    ) -> DocumentRecord | None:
        """A permit, receipt or VLS-TS of this person with exactly these dates."""

    def find_visa(
        self, *, visa_number: str, valid_from: date, valid_until: date
    ) -> DocumentRecord | None:
        """A visa with this number and exactly these dates."""

    def current_document(self, *, foreign_number: str) -> DocumentRecord | None:
        """The person's residence document that ends last."""

    def visa(self, *, visa_number: str) -> DocumentRecord | None:
        """A visa by its number alone (for a holder already identified)."""

    def person(
        self, *, foreign_number: str | None = None, visa_number: str | None = None
    ) -> PersonRecord | None:
        """The person behind a foreign-national number, or else behind a visa number."""

    def allocate_foreign_number(self, *, visa_number: str) -> str:
        """Give the holder of this visa a foreign-national number, once."""

    def latest_documents_between(
        self, *, field: str, start: date, end: date, kinds: tuple[str, ...]
    ) -> Iterator[DocumentRecord]:
        """Documents of these kinds whose `field` ("valid_until" or "valid_from") falls
        between `start` and `end` (both included) and that end last among their
        holder's documents (the renewal reminders' daily extract)."""

    def prefecture_for_postcode(self, postcode: str) -> PrefectureRecord | None:
        """The prefecture competent for an address with this postcode."""


def _person_record(person: Person) -> PersonRecord:
    return PersonRecord(
        foreign_number=person.foreign_number,
        last_name=person.last_name,
        first_names=person.first_names,
        birth_date=person.birth_date,
        postcode=person.postcode,
        birth_place=person.birth_place,
        nationality=person.nationality,
        address=person.address,
        city=person.city,
    )


def _document_record(document: ResidenceDocument) -> DocumentRecord:
    return DocumentRecord(
        kind=document.kind,
        number=document.number,
        valid_from=document.valid_from,
        valid_until=document.valid_until,
        motive=document.motive,
        allows_work=document.allows_work,
        validated=document.validated,
        person=_person_record(document.person),
    )


class LocalRegistry:
    """The registry held in Séjour's own database."""

    RESIDENCE_KINDS = (DocumentKind.PERMIT, DocumentKind.RECEIPT, DocumentKind.VLS_TS)
    VISA_KINDS = (DocumentKind.VLS, DocumentKind.VISA)

    def find_residence_document(self, *, foreign_number, valid_from, valid_until):
        document = (
            ResidenceDocument.objects.select_related("person")
            .filter(
                person__foreign_number=foreign_number,
                kind__in=self.RESIDENCE_KINDS,
                valid_from=valid_from,
                valid_until=valid_until,
            )
            .first()
        )
        return _document_record(document) if document else None

    def find_visa(self, *, visa_number, valid_from, valid_until):
        document = (
            ResidenceDocument.objects.select_related("person")
            .filter(
                number=visa_number,
                kind__in=self.VISA_KINDS,
                valid_from=valid_from,
                valid_until=valid_until,
            )
            .first()
        )
        return _document_record(document) if document else None

    def current_document(self, *, foreign_number):
        document = (
            ResidenceDocument.objects.select_related("person")
            .filter(person__foreign_number=foreign_number)
            .order_by("-valid_until")
            .first()
        )
        return _document_record(document) if document else None

    def visa(self, *, visa_number):
        document = (
            ResidenceDocument.objects.select_related("person")
            .filter(number=visa_number, kind__in=self.VISA_KINDS)
            .first()
        )
        return _document_record(document) if document else None

    def person(self, *, foreign_number=None, visa_number=None):
        if foreign_number:
            person = Person.objects.filter(foreign_number=foreign_number).first()
        elif visa_number:
            person = Person.objects.filter(
                documents__number=visa_number, documents__kind__in=self.VISA_KINDS
            ).first()
        else:
            person = None
        return _person_record(person) if person else None

    def allocate_foreign_number(self, *, visa_number):
        with transaction.atomic():
            # Lock the person: two agents starting instruction at once get one number.
            person = Person.objects.select_for_update().get(
                documents__number=visa_number, documents__kind__in=self.VISA_KINDS
            )
            if person.foreign_number:
                return person.foreign_number
            for _attempt in range(10):
                candidate = str(secrets.randbelow(9 * 10**9) + 10**9)
                try:
                    with transaction.atomic():
                        person.foreign_number = candidate
                        person.save(update_fields=["foreign_number"])
                    return candidate
                except IntegrityError:
                    continue
            raise RuntimeError("Could not allocate a unique foreign-national number.")

    def latest_documents_between(self, *, field, start, end, kinds):
        if field not in ("valid_until", "valid_from"):
            raise ValueError(field)
        later = ResidenceDocument.objects.filter(
            person=OuterRef("person"), valid_until__gt=OuterRef("valid_until")
        )
        documents = (
            ResidenceDocument.objects.select_related("person")
            .filter(**{f"{field}__range": (start, end)}, kind__in=kinds)
            .exclude(Exists(later))
            .order_by(field, "id")
        )
        # By key, a thousand at a time: memory stays flat however many documents end.
        last = None
        while True:
            chunk = documents
            if last is not None:
                chunk = chunk.filter(
                    Q(**{f"{field}__gt": last[0]}) | Q(**{field: last[0], "id__gt": last[1]})
                )
            rows = list(chunk[:1000])
            if not rows:
                return
            yield from (_document_record(document) for document in rows)
            last = (getattr(rows[-1], field), rows[-1].id)

    def prefecture_for_postcode(self, postcode):
        code = department_code_for_postcode(postcode)
        prefecture = Prefecture.objects.filter(department_code=code).first() if code else None
        if prefecture is None:
            return None
        return PrefectureRecord(
            department_code=prefecture.department_code,
            department_name=prefecture.department_name,
            name=prefecture.name,
            website=prefecture.website,
        )


@cache
def get_registry() -> Registry:
    return import_string(settings.REGISTRY_BACKEND)()
