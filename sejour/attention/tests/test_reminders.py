"""Renewal reminders, day by day with a frozen clock: the day the window opens, 30 days
later, 7 days before it closes; none after filing; never twice; off when turned off."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sejour.accounts.models import User
from sejour.applications.models import Status
from sejour.attention.models import NoticePreferences, ReminderSent
from sejour.attention.services import reminders_send
from sejour.notifications.models import OutboxMessage
from sejour.registry.models import DocumentKind, Person, ResidenceDocument

from .helpers import application_for

pytestmark = pytest.mark.django_db

ENDS = date(2027, 7, 15)  # window opens 15 March, late from 15 May
OPENING, SECOND, LAST = date(2027, 3, 15), date(2027, 4, 14), date(2027, 5, 8)


def at(day: date):
    return time_machine.travel(
        datetime.combine(day, datetime.min.time()).replace(hour=6), tick=False
    )


def holder(number: str, *, ends=ENDS, kind=DocumentKind.PERMIT, starts=None, phone="") -> User:
    person = Person.objects.create(
        foreign_number=number if kind != DocumentKind.VLS else None,
        last_name="Diallo",
        first_names="Amina",
        birth_date=date(2000, 1, 1),
        birth_place="Dakar",
        nationality="sénégalaise",
        address="1 rue de la Paix",
        postcode="75011",
        city="Paris",
    )
    ResidenceDocument.objects.create(
        person=person,
        kind=kind,
        number=number[-9:] if kind == DocumentKind.VLS else f"D{number}",
        valid_from=starts or ends - timedelta(days=365),
        valid_until=ends,
        motive="student",
        allows_work=True,
    )
    if kind == DocumentKind.VLS:
        user = User.objects.create_user(
            None, None, visa_number=number[-9:], email=f"{number}@example.org"
        )
    else:
        user = User.objects.create_user(number, "x", email=f"{number}@example.org")
    if phone:
        NoticePreferences.objects.create(user=user, mobile_phone=phone)
    return user


def run_days(first: date, last: date, on_day=None, skip=()) -> list[tuple[date, str, str]]:
    """Run the daily job every morning; what left each day: (day, channel, recipient)."""
    sent = []
    day = first
    while day <= last:
        if on_day:
            on_day(day)
        if day not in skip:
            before = OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
            with at(day):
                reminders_send()
            sent += [
                (day, message.channel, message.recipient)
                for message in OutboxMessage.objects.filter(id__gt=before).order_by("id")
            ]
        day += timedelta(days=1)
    return sent


def test_three_reminders_on_their_days_by_email_and_sms():
    user = holder("7500000011", phone="+33612345678")
    sent = run_days(date(2027, 3, 1), date(2027, 6, 30))
    assert [(day, channel) for day, channel, _ in sent] == [
        (OPENING, "email"),
        (OPENING, "sms"),
        (SECOND, "email"),
        (SECOND, "sms"),
        (LAST, "email"),
        (LAST, "sms"),
    ]
    assert {recipient for _, _, recipient in sent} == {user.email, "+33612345678"}
    assert list(
        ReminderSent.objects.filter(user=user).order_by("sent_on").values_list("kind", flat=True)
    ) == ["opening", "second", "last"]


def test_the_email_says_the_dates_and_how_to_stop():
    holder("7500000012")
    run_days(OPENING, OPENING)
    message = OutboxMessage.objects.get()
    assert message.channel == "email"
    assert "15 July 2027" in message.body  # the document's end
    assert "14 May 2027" in message.body  # the last day on time
    assert "/mon-espace/preferences/" in message.body


def test_a_person_who_files_between_two_reminders_gets_no_more():
    user = holder("7500000013")

    def file_on_first_of_april(day):
        if day == date(2027, 4, 1):
            with at(day):
                application_for(user, status=Status.FILED)

    sent = run_days(date(2027, 3, 1), date(2027, 6, 30), on_day=file_on_first_of_april)
    assert [day for day, _, _ in sent] == [OPENING]


def test_a_draft_is_not_a_filing():
    user = holder("7500000014")
    with at(date(2027, 3, 20)):
        application_for(user, status=Status.DRAFT)
    assert [day for day, _, _ in run_days(date(2027, 3, 1), date(2027, 6, 30))] == [
        OPENING,
        SECOND,
        LAST,
    ]


def test_a_withdrawn_application_brings_the_reminders_back():
    user = holder("7500000015")
    with at(date(2027, 3, 20)):
        application_for(user, status=Status.WITHDRAWN)
    assert len(run_days(date(2027, 3, 1), date(2027, 6, 30))) == 3


def test_reminders_turned_off_send_nothing():
    user = holder("7500000016", phone="+33612345678")
    NoticePreferences.objects.filter(user=user).update(renewal_reminders=False)
    assert run_days(date(2027, 3, 1), date(2027, 6, 30)) == []


def test_never_twice_even_when_the_job_runs_again_the_same_day():
    holder("7500000017")
    with at(OPENING):
        assert reminders_send() == 1
        assert reminders_send() == 0
        call_command("reminders_send", stdout=__import__("io").StringIO())
    assert OutboxMessage.objects.count() == 1


def test_days_the_job_did_not_run_are_caught_up_once():
    holder("7500000018")
    with at(OPENING - timedelta(days=1)):
        reminders_send()
    sent = run_days(OPENING, SECOND, skip={OPENING, OPENING + timedelta(days=1)})
    assert [day for day, _, _ in sent] == [OPENING + timedelta(days=2), SECOND]


def test_a_missed_reminder_older_than_a_week_is_not_sent_late():
    holder("7500000019")
    with at(OPENING - timedelta(days=1)):
        reminders_send()
    sent = run_days(OPENING + timedelta(days=10), SECOND)
    assert [day for day, _, _ in sent] == [SECOND]


def test_a_renewed_document_replaces_the_old_one():
    """After a new permit the old one's end date no longer calls for a reminder."""
    user = holder("7500000020")
    person = Person.objects.get(foreign_number=user.identifier)
    ResidenceDocument.objects.create(
        person=person,
        kind=DocumentKind.PERMIT,
        number="NEW0000020",
        valid_from=date(2027, 3, 1),
        valid_until=date(2029, 3, 1),
        motive="student",
        allows_work=True,
    )
    assert run_days(date(2027, 3, 1), date(2027, 6, 30)) == []


def test_a_visa_holder_is_reminded_from_the_visa_first_day():
    """A VLS opens its window on its first day (decision 0001)."""
    starts, ends = date(2027, 2, 1), date(2027, 12, 31)
    user = holder("7500000021", kind=DocumentKind.VLS, starts=starts, ends=ends)
    sent = run_days(date(2027, 1, 25), date(2027, 3, 10))
    assert [(day, recipient) for day, _, recipient in sent] == [
        (starts, user.email),
        (starts + timedelta(days=30), user.email),
    ]
    assert run_days(date(2027, 10, 1), date(2027, 11, 1)) == [
        (date(2027, 10, 24), "email", user.email)
    ]


def test_end_of_month_documents_are_found_despite_short_months():
    """30 June: the window opens 28 February (add_months clamps), not missed."""
    user = holder("7500000022", ends=date(2027, 6, 30))
    sent = run_days(date(2027, 2, 20), date(2027, 3, 5))
    assert [day for day, _, _ in sent] == [date(2027, 2, 28)]
    assert ReminderSent.objects.get(user=user).kind == "opening"


def test_the_job_reads_only_the_documents_due_and_a_fixed_number_of_queries():
    """Accounts whose documents end on other days are not read at all, and more
    reminders due cost no more reads."""
    for index in range(30):
        holder(f"76000000{index:02d}", ends=ENDS + timedelta(days=10 + index))

    def reads_on(day) -> list[str]:
        with at(day), CaptureQueriesContext(connection) as captured:
            reminders_send()
        return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]

    quiet = reads_on(date(2027, 3, 1))  # nobody due
    for index in range(2):
        holder(f"750000003{index}")
    for index in range(5):
        holder(f"750000004{index}", ends=ENDS + timedelta(days=1))
    two = reads_on(OPENING)
    five = reads_on(OPENING + timedelta(days=1))
    assert OutboxMessage.objects.filter(channel="email").count() == 7
    assert len(two) == len(five) <= len(quiet) + 4
    registry_reads = [sql for sql in two if "registry_residencedocument" in sql]
    assert registry_reads and all("BETWEEN" in sql for sql in registry_reads), two


def test_the_reminder_is_in_french_when_that_is_the_language_of_messages(settings):
    settings.LANGUAGE_CODE = "fr"
    holder("7500000025", phone="+33612345678")
    run_days(OPENING, OPENING)
    email, sms = OutboxMessage.objects.order_by("id")
    assert email.subject == "Séjour : vous pouvez demander le renouvellement de votre titre"
    assert "15 juillet 2027" in email.body
    assert "prend fin le 15 juillet 2027" in sms.body


OTHER_PERMITS = (
    "On Séjour you can ask for a “student”, “talent”, “talent – family” or “visitor” "
    "permit. Any other permit is asked for through the web site of your prefecture."
)


def test_rule_eligibility_reminder_of_an_employee_permit_says_where_other_permits_go():
    """Decision 0010: any permit holder has an account, so the reminder of one whose
    permit is not renewed here says where that permit is asked for."""
    employee = holder("7500000971")
    ResidenceDocument.objects.filter(person__foreign_number="7500000971").update(motive="employee")
    student = holder("7500000972")
    run_days(OPENING, OPENING)
    bodies = {
        message.recipient: " ".join(message.body.split())
        for message in OutboxMessage.objects.filter(channel=OutboxMessage.Channel.EMAIL)
    }
    assert OTHER_PERMITS in bodies[employee.email]
    assert OTHER_PERMITS not in bodies[student.email]


def test_the_reminder_email_and_sms_are_in_the_persons_language_whatever_the_workers():
    from django.utils import translation

    person = holder("7500000026", phone="+33612345678")
    User.objects.filter(pk=person.pk).update(language="ar")
    with translation.override("fr"):
        run_days(OPENING, OPENING)
    email, sms = OutboxMessage.objects.order_by("id")
    with translation.override("ar"):
        assert email.subject == translation.gettext("Séjour: you can apply to renew your document")
        assert translation.gettext("Hello,") in email.body
    for text in (email.body, sms.body):
        assert any("\u0600" <= char <= "\u06ff" for char in text)
        assert "juillet" not in text and "July" not in text
