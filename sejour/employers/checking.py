"""What the national files and Séjour's attestations say about a document on the
job's start date: a conclusive answer, or the prefecture to ask.

Rules (SPEC §4):
- a permit, receipt or validated VLS-TS found with exactly the dates typed is
  genuine; it is valid if the job starts within its dates; it allows work if
  the registry says so;
- after it ends, an ADP of a renewal or an ADF still standing on the start date
  keeps the previous document's rights, work included;
- a number the registry knows with other dates, or a document that ends before
  the start while an application is being examined, is for the prefecture;
- a number nobody knows, or an attestation whose number or dates do not match
  what Séjour issued, is not genuine;
- students may work 60 % of the legal working year, 964 hours a year (Code de
  l'entrée et du séjour des étrangers, art. L. 422-1 and R. 422-6).
"""

from dataclasses import dataclass
from datetime import date

from sejour.accounts.models import User
from sejour.accounts.selectors import certified_identity
from sejour.applications.selectors import application_pending_for
from sejour.attestations.models import Attestation
from sejour.attestations.selectors import attestation_by_number, cover_on, ended_because
from sejour.registry.adapter import get_registry
from sejour.registry.models import DocumentKind, Motive, Prefecture

STUDENT_YEARLY_WORK_HOURS = 964
WORK_COVERS = (Attestation.Kind.ADP, Attestation.Kind.ADF)


@dataclass(frozen=True)
class Finding:
    """A conclusive answer (`conclusive`), or the prefecture that must answer."""

    conclusive: bool
    genuine: bool | None = None
    valid_on_start: bool | None = None
    allows_work: bool | None = None
    valid_until: date | None = None
    yearly_work_limit_hours: int | None = None
    holder: User | None = None
    holder_name: str = ""
    holder_birth_date: date | None = None
    prefecture: Prefecture | None = None


def _holder_account(foreign_number: str) -> User | None:
    return User.objects.filter(identifier=foreign_number, role=User.Role.APPLICANT).first()


def _identity(holder: User | None, foreign_number: str) -> tuple[str, date | None]:
    """The registry's name and birth date, never what anyone typed."""
    identity = certified_identity(account=holder) if holder is not None else None
    if identity is not None:
        return identity.full_name, identity.birth_date
    person = get_registry().person(foreign_number=foreign_number)
    return (person.full_name, person.birth_date) if person else ("", None)


def _prefecture_for_postcode(postcode: str) -> Prefecture | None:
    record = get_registry().prefecture_for_postcode(postcode)
    return (
        Prefecture.objects.filter(department_code=record.department_code).first()
        if record
        else None
    )


def _limit(motive: str, allows_work: bool) -> int | None:
    return STUDENT_YEARLY_WORK_HOURS if allows_work and motive == Motive.STUDENT else None


def finding_for_number(
    *, foreign_number: str, valid_from: date, valid_until: date, job_start: date
) -> Finding:
    registry = get_registry()
    holder = _holder_account(foreign_number)
    document = registry.find_residence_document(
        foreign_number=foreign_number, valid_from=valid_from, valid_until=valid_until
    )
    if document is None:
        person = registry.person(foreign_number=foreign_number)
        if person is None:
            return Finding(conclusive=True, genuine=False)
        # The registry knows the person with other dates: a newer card, a receipt
        # not yet recorded… the prefecture looks at the file.
        return Finding(
            conclusive=False, holder=holder, prefecture=_prefecture_for_postcode(person.postcode)
        )
    name, birth = _identity(holder, foreign_number)
    common = {"genuine": True, "holder": holder, "holder_name": name, "holder_birth_date": birth}
    if document.kind == DocumentKind.VLS_TS and not document.validated:
        # A VLS-TS counts as a permit only once validated online.
        return Finding(
            conclusive=True, valid_on_start=False, allows_work=False,
            valid_until=document.valid_until, **common,
        )  # fmt: skip
    allows_work = document.allows_work
    if document.valid_from <= job_start <= document.valid_until:
        return Finding(
            conclusive=True,
            valid_on_start=True,
            allows_work=allows_work,
            valid_until=document.valid_until,
            yearly_work_limit_hours=_limit(document.motive, allows_work),
            **common,
        )
    if job_start > document.valid_until:
        cover = cover_on(foreign_number=foreign_number, day=job_start)
        if cover is not None and not ended_because(cover):
            # The ADP of a renewal, or the ADF, keeps the previous permit's rights.
            kept = bool(cover.data.get("allows_work", allows_work)) and allows_work
            return Finding(
                conclusive=True,
                valid_on_start=True,
                allows_work=kept,
                valid_until=cover.valid_until,
                yearly_work_limit_hours=_limit(document.motive, kept),
                **common,
            )
        pending = application_pending_for(foreign_number=foreign_number)
        if pending is not None:
            # Under examination: ADPs are issued before any gap, but not yet for
            # that date; the prefecture says what will hold on the start date.
            return Finding(conclusive=False, holder=holder, prefecture=pending.prefecture)
    return Finding(
        conclusive=True,
        valid_on_start=False,
        allows_work=allows_work,
        valid_until=document.valid_until,
        **common,
    )


def _valid_attestation_on(attestation: Attestation, day: date) -> Attestation | None:
    """This attestation, or the one that replaced it, standing on `day`."""
    seen = 0
    while attestation is not None and seen < 50:
        if (
            attestation.revoked_at is None
            and not ended_because(attestation)
            and (attestation.valid_from and attestation.valid_from <= day)
            and (attestation.valid_until and day <= attestation.valid_until)
        ):
            return attestation
        attestation, seen = attestation.superseded_by, seen + 1
    return None


def finding_for_attestation(
    *, attestation_number: str, valid_from: date, valid_until: date, job_start: date
) -> Finding:
    attestation = attestation_by_number(attestation_number)
    if attestation is None or (attestation.valid_from, attestation.valid_until) != (
        valid_from,
        valid_until,
    ):
        # Séjour issued every attestation: an unknown number or other dates is not ours.
        return Finding(conclusive=True, genuine=False)
    application = attestation.application
    holder = application.applicant
    if attestation.kind not in WORK_COVERS:
        # A filing attestation or a decision letter proves no right to work by itself.
        return Finding(conclusive=False, holder=holder, prefecture=application.prefecture)
    name, birth_date = _attestation_identity(attestation)
    if not name:
        # Neither the registry nor a certified copy on the attestation: a person must look.
        return Finding(conclusive=False, holder=holder, prefecture=application.prefecture)
    standing = _valid_attestation_on(attestation, job_start)
    allows_work = bool(attestation.data.get("allows_work"))
    return Finding(
        conclusive=True,
        genuine=True,
        valid_on_start=standing is not None,
        allows_work=allows_work,
        valid_until=(standing or attestation).valid_until,
        yearly_work_limit_hours=_limit(application.motive, allows_work)
        if standing is not None
        else None,
        holder=holder,
        holder_name=name,
        holder_birth_date=birth_date,
    )


def _attestation_identity(attestation) -> tuple[str, date | None]:
    """The registry's identity behind an attestation; else the copy kept on it, but only
    when that copy came from the registry (`holder_number` set): attestations issued
    before identities were certified kept the name the applicant typed."""
    identity = certified_identity(application=attestation.application)
    if identity is not None:
        return identity.full_name, identity.birth_date
    if attestation.holder_number:
        return attestation.holder_name, attestation.holder_birth_date
    return "", None


def holder_identity(check) -> tuple[str, date | None]:
    """The registry's name and birth date behind a check an agent answers."""
    if check.attestation_number:
        attestation = attestation_by_number(check.attestation_number)
        if attestation is not None:
            return _attestation_identity(attestation)
        return "", None
    return _identity(check.holder, check.foreign_number)
