"""Writes about what needs a person: their notice settings, renewal reminders, the weekly digest.

Renewal reminders (issue 11 §4). For every account whose current document has an
end date: an e-mail (and an SMS when the account has a mobile number) the day the
filing window opens, a second one 30 days later, a last one 7 days before the
window closes (the "late" mark of `rules.services.filing_window`); none once an
application for that document is filed; never twice (`ReminderSent`, unique per
account, document and kind). The daily job reads only the documents whose
reminder falls due on the days it covers, through the registry's date-range
extract (`Registry.latest_documents_between`, indexed on the dates), never all
accounts.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sejour.accounts.languages import language_of, language_supported
from sejour.accounts.models import User
from sejour.applications.models import Application, Status
from sejour.attestations.models import Attestation
from sejour.audit.services import audit_record
from sejour.notifications.services import outbox_email, outbox_sms
from sejour.registry.adapter import ONLINE_MOTIVES
from sejour.registry.models import DocumentKind
from sejour.rules.services import add_months, filing_window_rule, window_dates

from .models import DigestSent, NoticePreferences, ReminderRun, ReminderSent
from .providers import FILING_PROCEDURES
from .selectors import attention_list, preferences_for, sms_number_for

SECOND_AFTER_DAYS = 30
LAST_BEFORE_DAYS = 7
# Days the job did not run are caught up, at most this many (older reminders are stale).
CATCH_UP_DAYS = 7
# add_months clamps to the month's end, so a due day maps to a few possible end dates:
# the extract is read this many days wider on each side, then the dates checked exactly.
MONTH_SLACK_DAYS = 3
REMINDED_KINDS = (DocumentKind.PERMIT, DocumentKind.RECEIPT, DocumentKind.VLS_TS, DocumentKind.VLS)
BATCH = 500


# --- Notice settings -----------------------------------------------------------------


def preferences_save(
    *,
    user,
    by,
    mobile_phone: str,
    renewal_reminders: bool,
    text_messages: bool = True,
    weekly_digest: bool,
    language: str | None = None,
) -> NoticePreferences:
    """Save the person's notice settings; `language` (kept on the account) is the one of
    their messages and pages, None leaves it as it is."""
    if language is not None and not language_supported(language):
        raise ValueError(f"Séjour does not offer the language {language!r}.")
    with transaction.atomic():
        before = preferences_for(user)
        changed = [
            name
            for name, value in (
                ("mobile_phone", mobile_phone),
                ("text_messages", text_messages),
                ("renewal_reminders", renewal_reminders),
                ("weekly_digest", weekly_digest),
            )
            if getattr(before, name) != value
        ]
        preferences, _created = NoticePreferences.objects.update_or_create(
            user=user,
            defaults={
                "mobile_phone": mobile_phone,
                "text_messages": text_messages,
                "renewal_reminders": renewal_reminders,
                "weekly_digest": weekly_digest,
            },
        )
        user.notice_preferences = preferences
        if language is not None and language_supported(language) != user.language:
            User.objects.filter(pk=user.pk).update(language=language_supported(language))
            user.language = language_supported(language)
            changed.append("language")
        if changed:
            # Which settings changed, not the number itself.
            audit_record(
                action="account.notice_preferences_changed",
                actor=by,
                subject=user,
                data={"changed": changed},
            )
    return preferences


def attestation_mark_downloaded(*, attestation: Attestation, by) -> None:
    """The holder downloaded it: no longer "new" in their space (an agent's look doesn't count)."""
    if by.pk != attestation.application.applicant_id or attestation.first_downloaded_at:
        return
    Attestation.objects.filter(pk=attestation.pk, first_downloaded_at__isnull=True).update(
        first_downloaded_at=timezone.now()
    )


# --- Renewal reminders -----------------------------------------------------------------


def reminder_dates(*, document, window) -> dict[str, date]:
    """The day each reminder is due for a document under a filing-window rule."""
    opens_on, late_from = window_dates(
        document_kind=document.kind,
        valid_from=document.valid_from,
        valid_until=document.valid_until,
        window=window,
    )
    dates = {
        ReminderSent.Kind.OPENING: opens_on,
        ReminderSent.Kind.SECOND: opens_on + timedelta(days=SECOND_AFTER_DAYS),
        ReminderSent.Kind.LAST: late_from - timedelta(days=LAST_BEFORE_DAYS),
    }
    # A short window (a VLS of a few months): no second reminder after, or on, the last.
    if dates[ReminderSent.Kind.SECOND] >= dates[ReminderSent.Kind.LAST]:
        del dates[ReminderSent.Kind.SECOND]
    if dates[ReminderSent.Kind.OPENING] >= dates[ReminderSent.Kind.LAST]:
        del dates[ReminderSent.Kind.LAST]
    return dates


def _due_kind(dates: dict[str, date], first: date, last: date) -> str | None:
    """The latest reminder falling due between first and last (an earlier one is stale)."""
    due = [kind for kind, day in dates.items() if first <= day <= last]
    return max(due, key=dates.__getitem__) if due else None


def _candidates(window, first: date, last: date) -> Iterable:
    """The registry's documents that may have a reminder due between first and last."""
    from sejour.registry.adapter import get_registry

    registry = get_registry()
    slack = timedelta(days=MONTH_SLACK_DAYS)
    residence = tuple(kind for kind in REMINDED_KINDS if kind != DocumentKind.VLS)
    seen = set()

    def ends(months_before: int, shift: int) -> tuple[date, date]:
        return (
            add_months(first + timedelta(days=shift), months_before) - slack,
            add_months(last + timedelta(days=shift), months_before) + slack,
        )

    extracts = [
        # Opening and second reminder of residence documents: by their end.
        ("valid_until", *ends(window.opens_months_before, 0), residence),
        ("valid_until", *ends(window.opens_months_before, -SECOND_AFTER_DAYS), residence),
        # The last reminder, every kind: LAST_BEFORE_DAYS before the late mark.
        ("valid_until", *ends(window.late_months_before, LAST_BEFORE_DAYS), REMINDED_KINDS),
        # A VLS opens on its first day (decision 0001): by its start.
        ("valid_from", first, last, (DocumentKind.VLS,)),
        (
            "valid_from",
            first - timedelta(days=SECOND_AFTER_DAYS),
            last - timedelta(days=SECOND_AFTER_DAYS),
            (DocumentKind.VLS,),
        ),
    ]
    for field, start, end, kinds in extracts:
        for document in registry.latest_documents_between(
            field=field, start=start, end=end, kinds=kinds
        ):
            if (document.kind, document.number) not in seen:
                seen.add((document.kind, document.number))
                yield document


@dataclass(frozen=True)
class DueReminder:
    user: User
    document: object
    kind: str
    opens_on: date
    late_from: date


def reminders_due(*, first: date, last: date) -> list[DueReminder]:
    """Every reminder falling due between first and last and not yet sent or made useless."""
    window = filing_window_rule(last)
    due = []
    batch: list[tuple] = []

    def flush():
        due.extend(_accounts_for(batch))
        batch.clear()

    for document in _candidates(window, first, last):
        kind = _due_kind(reminder_dates(document=document, window=window), first, last)
        if kind is not None:
            dates = window_dates(
                document_kind=document.kind,
                valid_from=document.valid_from,
                valid_until=document.valid_until,
                window=window,
            )
            batch.append((document, kind, dates))
            if len(batch) >= BATCH:
                flush()
    flush()
    return due


def _accounts_for(batch: list[tuple]) -> list[DueReminder]:
    """The accounts behind a batch of documents, minus those who filed, turned reminders
    off or were already reminded (a constant number of queries per batch)."""
    if not batch:
        return []
    numbers = {d.person.foreign_number for d, _k, _ in batch if d.person.foreign_number}
    visas = {d.number for d, _k, _ in batch if d.kind == DocumentKind.VLS}
    users = list(
        User.objects.filter(Q(identifier__in=numbers) | Q(visa_number__in=visas))
        .filter(role=User.Role.APPLICANT, is_active=True)
        .exclude(notice_preferences__renewal_reminders=False)
        .select_related("notice_preferences")
    )
    by_number = {user.identifier: user for user in users if user.identifier}
    by_visa = {user.visa_number: user for user in users if user.visa_number}
    filed = set(
        Application.objects.filter(
            applicant__in=users, filed_at__isnull=False, procedure__in=FILING_PROCEDURES
        )
        .exclude(status=Status.WITHDRAWN)
        .values_list("applicant_id", "current_document_ends_on")
    )
    sent = set(
        ReminderSent.objects.filter(user__in=users).values_list(
            "user_id", "document_number", "kind"
        )
    )
    due = []
    for document, kind, dates in batch:
        user = by_number.get(document.person.foreign_number) or (
            by_visa.get(document.number) if document.kind == DocumentKind.VLS else None
        )
        if user is None or (user.pk, document.valid_until) in filed:
            continue
        if (user.pk, document.number, kind) in sent:
            continue
        due.append(DueReminder(user, document, kind, *dates))
    return due


def _reminder_send(reminder: DueReminder, today: date) -> bool:
    user, document, kind = reminder.user, reminder.document, reminder.kind
    phone = sms_number_for(user)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    user=user,
                    document_number=document.number,
                    document_ends_on=document.valid_until,
                    kind=kind,
                    sent_on=today,
                    by_sms=bool(phone),
                )
        except IntegrityError:
            return False  # another run sent it meanwhile
        opens_on, late_from = reminder.opens_on, reminder.late_from
        with translation.override(language_of(user)):
            context = {
                "kind": kind,
                "name": user.full_name,
                "document_kind": document.kind_label,
                # Any permit opens an account, but not every permit is renewed here
                # (decision 0010): say where the others are asked for.
                "motive_online": document.motive in ONLINE_MOTIVES,
                "ends_on": date_format(document.valid_until, "j F Y"),
                "opens_on": date_format(opens_on, "j F Y"),
                "closes_on": date_format(late_from - timedelta(days=1), "j F Y"),
                "late_from": date_format(late_from, "j F Y"),
            }
            subjects = {
                ReminderSent.Kind.OPENING: _("Séjour: you can apply to renew your document"),
                ReminderSent.Kind.SECOND: _("Séjour: remember to apply to renew your document"),
                ReminderSent.Kind.LAST: _("Séjour: 7 days left to apply on time"),
            }
            outbox_email(
                to=user.email,
                language=language_of(user),
                subject=subjects[kind],
                template="attention/email/reminder.txt",
                context=context,
            )
            if phone:
                outbox_sms(
                    to=phone,
                    language=language_of(user),
                    template="attention/sms/reminder.txt",
                    context=context,
                )
        audit_record(
            action="account.renewal_reminder_sent",
            subject=user,
            data={"kind": kind, "document_ends_on": document.valid_until.isoformat()},
        )
    return True


def reminders_send(*, today: date | None = None) -> int:
    """The daily run: every reminder due since the last run (a week at most), once."""
    today = today or timezone.localdate()
    last_run = ReminderRun.objects.filter(day__lt=today).order_by("-day").first()
    first = max(
        last_run.day + timedelta(days=1) if last_run else today,
        today - timedelta(days=CATCH_UP_DAYS - 1),
    )
    sent = sum(
        _reminder_send(reminder, today) for reminder in reminders_due(first=first, last=today)
    )
    ReminderRun.objects.update_or_create(day=today, defaults={"sent": sent})
    return sent


# --- Weekly digest -------------------------------------------------------------------


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def digest_send(*, user, today: date) -> bool:
    """This week's digest for one person, if their list is not empty and none left yet."""
    week = week_of(today)
    with translation.override(language_of(user)):
        items = attention_list(user=user, today=today)
        if not items:
            return False
        with transaction.atomic():
            try:
                with transaction.atomic():
                    DigestSent.objects.create(user=user, week=week, items=len(items))
            except IntegrityError:
                return False
            outbox_email(
                to=user.email,
                language=language_of(user),
                subject=_("Séjour: what you need to do this week"),
                template="attention/email/digest.txt",
                context={"name": user.full_name, "items": items},
            )
    return True


def digests_send(*, today: date | None = None) -> int:
    """The weekly run: every person with something to do and the digest on, once a week.

    Accounts are read by key, a batch at a time; who turned the digest off or already
    had this week's is left out by the query itself.
    """
    today = today or timezone.localdate()
    week = week_of(today)
    sent, after = 0, 0
    while True:
        users = list(
            User.objects.filter(role=User.Role.APPLICANT, is_active=True, pk__gt=after)
            .exclude(notice_preferences__weekly_digest=False)
            .exclude(digests_sent__week=week)
            .select_related("notice_preferences")
            .order_by("pk")[:BATCH]
        )
        if not users:
            return sent
        for user in users:
            sent += digest_send(user=user, today=today)
        after = users[-1].pk
