"""What Séjour answers at once, and what goes to the prefecture (SPEC §4)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from sejour.applications.models import Application, Status
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEvent
from sejour.employers.models import CheckRequest, ContractType
from sejour.employers.services import check_request_create
from sejour.registry.models import DocumentKind, Motive, Prefecture
from sejour.rules.models import Procedure

pytestmark = pytest.mark.django_db


def ask(member, today=None, **fields):
    fields.setdefault("contract_type", ContractType.PERMANENT)
    return check_request_create(employer=member.employer, by=member.user, today=today, **fields)


def by_number(document, job_start=None):
    return {
        "foreign_number": document.person.foreign_number,
        "document_valid_from": document.valid_from,
        "document_valid_until": document.valid_until,
        "job_start": job_start or timezone.localdate() + timedelta(days=10),
    }


def test_a_valid_permit_that_allows_work_is_answered_at_once(
    bakery, registry_person, django_capture_on_commit_callbacks
):
    document = registry_person(foreign_number="7500000011", motive=Motive.EMPLOYEE)
    with django_capture_on_commit_callbacks(execute=True):
        check = ask(bakery, **by_number(document))
    check.refresh_from_db()
    assert check.status == CheckRequest.Status.ANSWERED
    assert (check.genuine, check.valid_on_start, check.allows_work) == (True, True, True)
    assert check.valid_until == document.valid_until
    assert check.yearly_work_limit_hours is None
    assert check.holder_name == "Amina DIALLO"
    assert check.verdict == "allows_work"
    assert check.pdf  # rendered by the (immediate) worker after commit
    event = AuditEvent.objects.get(action="employer_check.answered")
    assert event.actor == bakery.user
    assert event.data["verdict"] == "allows_work"


def test_a_student_permit_carries_the_yearly_limit(bakery, registry_person):
    document = registry_person(foreign_number="7500000012", motive=Motive.STUDENT)
    check = ask(bakery, **by_number(document))
    assert check.allows_work is True
    assert check.yearly_work_limit_hours == 964


def test_a_permit_that_ends_before_the_job_starts_is_not_valid(bakery, registry_person):
    document = registry_person(foreign_number="7500000013", ends_in_days=5)
    check = ask(bakery, **by_number(document, job_start=timezone.localdate() + timedelta(days=30)))
    assert check.is_answered
    assert (check.genuine, check.valid_on_start) == (True, False)
    assert check.verdict == "not_valid"


def test_a_job_before_the_document_starts_is_not_valid(bakery, registry_person):
    document = registry_person(foreign_number="7500000014", starts_in_days=20, ends_in_days=400)
    check = ask(bakery, **by_number(document, job_start=timezone.localdate() + timedelta(days=2)))
    assert (check.genuine, check.valid_on_start) == (True, False)


def test_a_permit_that_does_not_allow_work_says_so(bakery, registry_person):
    document = registry_person(foreign_number="7500000015", motive=Motive.VISITOR)
    document.allows_work = False
    document.save()
    check = ask(bakery, **by_number(document))
    assert (check.genuine, check.valid_on_start, check.allows_work) == (True, True, False)
    assert check.verdict == "no_work"
    assert check.yearly_work_limit_hours is None


def test_an_unvalidated_vls_ts_is_not_valid(bakery, registry_person):
    document = registry_person(foreign_number="7500000016", kind=DocumentKind.VLS_TS)
    check = ask(bakery, **by_number(document))
    assert (check.genuine, check.valid_on_start, check.allows_work) == (True, False, False)


def test_an_unknown_number_is_not_genuine(bakery, db):
    check = ask(
        bakery,
        foreign_number="9999999999",
        document_valid_from=date(2025, 1, 1),
        document_valid_until=date(2026, 12, 31),
        job_start=timezone.localdate(),
    )
    assert check.is_answered and check.genuine is False
    assert check.valid_on_start is None and check.allows_work is None
    assert check.holder_name == ""


def test_other_dates_for_a_known_person_go_to_the_prefecture(bakery, registry_person):
    document = registry_person(foreign_number="7500000017", postcode="75011")
    friday = date(2026, 12, 11)
    check = ask(
        bakery,
        today=friday,
        foreign_number="7500000017",
        document_valid_from=document.valid_from - timedelta(days=1),
        document_valid_until=document.valid_until,
        job_start=timezone.localdate(),
    )
    assert check.status == CheckRequest.Status.WAITING_PREFECTURE
    assert check.prefecture == Prefecture.objects.get(department_code="75")
    assert check.due_on == date(2026, 12, 15)  # Friday + two working days = Tuesday
    assert check.genuine is None and check.holder_name == ""
    assert not check.pdf
    assert AuditEvent.objects.filter(action="employer_check.sent").exists()


def test_the_deadline_skips_public_holidays(bakery, registry_person):
    document = registry_person(foreign_number="7500000018")
    check = ask(
        bakery,
        today=date(2026, 12, 24),
        foreign_number="7500000018",
        document_valid_from=document.valid_from,
        document_valid_until=document.valid_until + timedelta(days=1),
        job_start=timezone.localdate(),
    )
    assert check.due_on == date(2026, 12, 29)  # 25 December and the weekend skipped


def _application(
    applicant,
    *,
    procedure=Procedure.RENEWAL,
    status=Status.UNDER_INSTRUCTION,
    motive=Motive.EMPLOYEE,
):
    return Application.objects.create(
        applicant=applicant,
        procedure=procedure,
        motive=motive,
        status=status,
        prefecture=Prefecture.objects.get(department_code="75"),
        current_document={"kind": "permit", "number": "X", "allows_work": True},
        current_document_ends_on=timezone.localdate(),
        filed_at=timezone.now(),
    )


def _adp(application, *, start, end, allows_work=True):
    return Attestation.objects.create(
        application=application,
        kind=Attestation.Kind.ADP,
        holder_name="Amina DIALLO",
        holder_number="••••••0001",
        holder_number_kind="foreign_number",
        valid_from=start,
        valid_until=end,
        data={"procedure": application.procedure, "allows_work": allows_work},
    )


def test_an_adp_of_a_renewal_keeps_the_right_to_work_after_the_permit_ends(bakery, applicant):
    document = applicant_document(applicant)
    application = _application(applicant)
    today = timezone.localdate()
    adp = _adp(
        application,
        start=document.valid_until + timedelta(days=1),
        end=document.valid_until + timedelta(days=90),
    )
    check = ask(bakery, **by_number(document, job_start=document.valid_until + timedelta(days=20)))
    assert check.is_answered
    assert (check.genuine, check.valid_on_start, check.allows_work) == (True, True, True)
    assert check.valid_until == adp.valid_until
    assert check.holder == applicant
    assert today  # the permit itself ended before the start date


def applicant_document(applicant):
    from sejour.registry.models import ResidenceDocument

    return ResidenceDocument.objects.get(person__foreign_number=applicant.identifier)


def test_a_renewal_under_examination_without_adp_yet_goes_to_the_prefecture(bakery, applicant):
    document = applicant_document(applicant)
    _application(applicant)
    check = ask(bakery, **by_number(document, job_start=document.valid_until + timedelta(days=200)))
    assert check.status == CheckRequest.Status.WAITING_PREFECTURE
    assert check.prefecture.department_code == "75"


def test_an_adp_checked_by_its_number(bakery, applicant):
    application = _application(applicant, motive=Motive.STUDENT)
    today = timezone.localdate()
    adp = _adp(application, start=today - timedelta(days=5), end=today + timedelta(days=80))
    check = ask(
        bakery,
        attestation_number=adp.number,
        document_valid_from=adp.valid_from,
        document_valid_until=adp.valid_until,
        job_start=today + timedelta(days=3),
    )
    assert (check.genuine, check.valid_on_start, check.allows_work) == (True, True, True)
    assert check.yearly_work_limit_hours == 964
    assert check.holder == applicant
    # The registry's identity, never the typed one.
    assert check.holder_name == "Amina DIALLO"


def test_an_adp_replaced_by_a_newer_one_covers_the_newer_dates(bakery, applicant):
    application = _application(applicant)
    today = timezone.localdate()
    first = _adp(application, start=today - timedelta(days=80), end=today + timedelta(days=9))
    second = _adp(application, start=today + timedelta(days=10), end=today + timedelta(days=100))
    first.superseded_by = second
    first.save()
    check = ask(
        bakery,
        attestation_number=first.number,
        document_valid_from=first.valid_from,
        document_valid_until=first.valid_until,
        job_start=today + timedelta(days=30),
    )
    assert check.valid_on_start is True and check.valid_until == second.valid_until


def test_an_ended_adp_is_not_valid(bakery, applicant):
    application = _application(applicant)
    today = timezone.localdate()
    adp = _adp(application, start=today - timedelta(days=5), end=today + timedelta(days=80))
    adp.revoked_at = timezone.now()
    adp.save()
    check = ask(
        bakery,
        attestation_number=adp.number,
        document_valid_from=adp.valid_from,
        document_valid_until=adp.valid_until,
        job_start=today + timedelta(days=3),
    )
    assert (check.genuine, check.valid_on_start) == (True, False)


def test_an_attestation_with_other_dates_is_not_genuine(bakery, applicant):
    application = _application(applicant)
    today = timezone.localdate()
    adp = _adp(application, start=today, end=today + timedelta(days=80))
    check = ask(
        bakery,
        attestation_number=adp.number,
        document_valid_from=adp.valid_from,
        document_valid_until=adp.valid_until + timedelta(days=30),
        job_start=today,
    )
    assert check.genuine is False


def test_a_filing_attestation_goes_to_the_prefecture(bakery, applicant):
    application = _application(applicant)
    today = timezone.localdate()
    filing = Attestation.objects.create(
        application=application, kind=Attestation.Kind.FILING, holder_name="Amina DIALLO",
        valid_from=today, valid_until=today + timedelta(days=90),
    )  # fmt: skip
    check = ask(
        bakery,
        attestation_number=filing.number,
        document_valid_from=filing.valid_from,
        document_valid_until=filing.valid_until,
        job_start=today,
    )
    assert check.status == CheckRequest.Status.WAITING_PREFECTURE
    assert check.prefecture == application.prefecture


def test_a_receipt_counts_like_a_permit(bakery, registry_person):
    document = registry_person(
        foreign_number="7500000019", kind=DocumentKind.RECEIPT, motive=Motive.EMPLOYEE
    )
    check = ask(bakery, **by_number(document))
    assert (check.genuine, check.valid_on_start, check.allows_work) == (True, True, True)


def test_an_adp_of_a_withdrawn_application_no_longer_covers(bakery, applicant):
    document = applicant_document(applicant)
    application = _application(applicant)
    _adp(
        application,
        start=document.valid_until + timedelta(days=1),
        end=document.valid_until + timedelta(days=90),
    )
    application.status = Status.WITHDRAWN
    application.save()
    check = ask(bakery, **by_number(document, job_start=document.valid_until + timedelta(days=20)))
    assert check.is_answered and (check.genuine, check.valid_on_start) == (True, False)


def test_a_typed_name_on_an_old_attestation_is_never_given_as_the_registrys(bakery, applicant):
    # Attestations issued before identities were certified kept the wizard's name and no
    # holder number. If the registry no longer knows the person, that name must not be
    # shown as the national files' answer: a person at the prefecture looks instead.
    application = _application(applicant)
    today = timezone.localdate()
    adp = _adp(application, start=today - timedelta(days=5), end=today + timedelta(days=80))
    Attestation.objects.filter(pk=adp.pk).update(holder_name="Someone ELSE", holder_number="")
    applicant.identifier = "7599999999"  # a number the registry does not hold
    applicant.save(update_fields=["identifier"])
    check = ask(
        bakery,
        attestation_number=adp.number,
        document_valid_from=adp.valid_from,
        document_valid_until=adp.valid_until,
        job_start=today + timedelta(days=3),
    )
    assert check.status == CheckRequest.Status.WAITING_PREFECTURE
    assert check.holder_name != "Someone ELSE"
