"""The daily recount: every summary table computed again from the rows themselves.

The services keep the tables true as things happen; this run catches what no service
sees (an administrator's edit in the admin site, a rule changed after the fact), moves
the processing-time window when a month begins, and fills the tables after a bulk
load (`bench/scale/`). Each table is replaced in its own transaction, with the table
locked against the services' increments meanwhile (they wait, then add on top).
"""

import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, DateField, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from sejour.applications.models import Application, Status
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEvent
from sejour.instruction.models import ComplementRequest
from sejour.registry.models import Prefecture
from sejour.rules.models import InstructionRule
from sejour.rules.services import CHANGE_PROCEDURES, implicit_refusal_on

from .models import (
    ALL_MOTIVES,
    NATIONAL,
    AnswerCount,
    AnswerTime,
    DecisionCount,
    OutputCount,
    ProcessingTime,
    Recount,
    Tally,
)
from .services import CLOCK_RUNS, PENDING_DECISION, histogram_median, week_of, window_from

# Weeks of output recounted from the audit events (the dashboard shows fewer).
OUTPUT_WEEKS = 26
BATCH = 5000


def _lock(*models) -> None:
    """Writers wait while a table is replaced (PostgreSQL; SQLite has one writer anyway).
    The order is the services' order, so a waiting service never deadlocks with us."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            # The reads below stream through server-side cursors, which PostgreSQL
            # otherwise plans for the first rows (nested loops): 3 s instead of 0.5 s.
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


def _write(model, fields: tuple[str, ...], rows) -> None:
    """Insert many rows: COPY on PostgreSQL (a million rows in seconds), batches elsewhere."""
    if connection.vendor == "postgresql":
        meta = model._meta
        quote = connection.ops.quote_name
        columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
        statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        # Names from the model's metadata only; the rows go through COPY's own format.
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create(
        (model(**dict(zip(fields, row, strict=True))) for row in rows), batch_size=BATCH
    )


def decision_histogram() -> Counter:
    """(area, procedure, motive, month, days) → decisions, from the applications."""
    codes = dict(Prefecture.objects.values_list("pk", "department_code"))
    histogram = Counter()
    rows = (
        Application.objects.filter(
            decided_at__isnull=False, filed_at__isnull=False, prefecture__isnull=False
        )
        .annotate(decided_on=TruncDate("decided_at"), filed_on=TruncDate("filed_at"))
        .values_list("prefecture_id", "procedure", "motive", "decided_on", "filed_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    for prefecture_id, procedure, motive, decided_on, filed_on, n in rows.iterator(BATCH):
        month = decided_on.replace(day=1)
        days = (decided_on - filed_on).days
        if days < 0:
            continue  # dates edited by hand into nonsense: no service records that
        for area in (codes[prefecture_id], NATIONAL):
            histogram[(area, procedure, motive, month, days)] += n
    return histogram


def processing_times(histogram: Counter, today: date) -> list[ProcessingTime]:
    start = window_from(today)
    groups = defaultdict(Counter)
    for (area, procedure, motive, month, days), count in histogram.items():
        if month >= start:
            groups[(area, procedure, motive)][days] += count
            groups[(area, procedure, ALL_MOTIVES)][days] += count
    now = timezone.now()
    return [
        ProcessingTime(
            area=area,
            procedure=procedure,
            motive=motive,
            window_from=start,
            decisions=sum(pairs.values()),
            median_days=histogram_median(pairs.items()),
            updated_at=now,
        )
        for (area, procedure, motive), pairs in groups.items()
    ]


def _rule_on():
    rules = list(InstructionRule.objects.order_by("effective_from"))

    def rule_on(day: date) -> InstructionRule | None:
        for rule in reversed(rules):
            if rule.effective_from <= day and (
                rule.effective_until is None or day < rule.effective_until
            ):
                return rule
        return None  # filed before any instruction rule (as `services.tally_keys` skips it)

    return rule_on


def tally_counts(prefecture_id: int | None = None) -> Counter:
    """(prefecture, measure, status, day) → applications, as `services.tally_keys` counts;
    for one prefecture, or all."""
    counts = Counter()
    one = {"prefecture_id": prefecture_id} if prefecture_id else {}
    theirs = {"application__prefecture_id": prefecture_id} if prefecture_id else {}
    filed = (
        Application.objects.filter(filed_at__isnull=False, prefecture__isnull=False, **one)
        .annotate(day=TruncDate("filed_at"))
        .values_list("prefecture_id", "status", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    for prefecture_id, status, day, n in filed.iterator(BATCH):
        counts[(prefecture_id, Tally.Measure.FILED, status, day)] += n

    # Legal deadline: filing day + 4 months (the rule of the filing day) + every pause.
    paused = Counter()
    for application_id, asked_on, answered_on in (
        ComplementRequest.objects.filter(
            application__status__in=CLOCK_RUNS,
            application__filed_at__isnull=False,
            answered_at__isnull=False,
            **theirs,
        )
        .annotate(asked_on=TruncDate("created_at"), answered_on=TruncDate("answered_at"))
        .values_list("application_id", "asked_on", "answered_on")
        .iterator(BATCH)
    ):
        paused[application_id] += (answered_on - asked_on).days
    rule_on = _rule_on()
    for application_id, prefecture_id, status, filed_on in (
        Application.objects.filter(
            status__in=CLOCK_RUNS, filed_at__isnull=False, prefecture__isnull=False, **one
        )
        .annotate(filed_on=TruncDate("filed_at"))
        .values_list("pk", "prefecture_id", "status", "filed_on")
        .iterator(BATCH)
    ):
        rule = rule_on(filed_on)
        if rule is None:
            continue
        deadline = implicit_refusal_on(
            filed_on=filed_on, paused_days=paused[application_id], rule=rule
        )
        counts[(prefecture_id, Tally.Measure.LEGAL, status, deadline)] += 1

    reply = (
        ComplementRequest.objects.filter(
            answered_at__isnull=True,
            application__status=Status.WAITING_APPLICANT,
            application__filed_at__isnull=False,
            application__prefecture__isnull=False,
            **theirs,
        )
        .values_list("application__prefecture_id", "deadline")
        .annotate(n=Count("id"))
        .order_by()
    )
    for prefecture_id, deadline, n in reply.iterator(BATCH):
        counts[(prefecture_id, Tally.Measure.REPLY, Status.WAITING_APPLICANT, deadline)] += n

    adp_until = (
        Attestation.objects.filter(
            application=OuterRef("pk"), kind=Attestation.Kind.ADP, revoked_at__isnull=True
        )
        .values("application")
        .annotate(until=Max("valid_until"))
        .values("until")
    )
    cover = (
        Application.objects.filter(
            status__in=PENDING_DECISION, filed_at__isnull=False, prefecture__isnull=False, **one
        )
        .exclude(procedure__in=CHANGE_PROCEDURES)
        .annotate(
            covered=Greatest(
                "current_document_ends_on",
                Coalesce(Subquery(adp_until), "current_document_ends_on"),
                output_field=DateField(),
            )
        )
        .values_list("prefecture_id", "status", "covered")
        .annotate(n=Count("id"))
        .order_by()
    )
    for prefecture_id, status, covered, n in cover.iterator(BATCH):
        counts[(prefecture_id, Tally.Measure.COVER, status, covered)] += n
    return counts


def output_counts(since: date) -> Counter:
    """(prefecture, week, agent) → decisions recorded, from the audit events."""
    counts = Counter()
    rows = (
        AuditEvent.objects.filter(
            action="application.decide",
            # A range on the column itself, so that its index serves.
            created_at__gte=timezone.make_aware(datetime.combine(since, datetime.min.time())),
            actor__isnull=False,
            application__prefecture__isnull=False,
        )
        .annotate(day=TruncDate("created_at"))
        .values_list("application__prefecture_id", "day", "actor_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for prefecture_id, day, actor_id, n in rows.iterator(BATCH):
        counts[(prefecture_id, week_of(day), actor_id)] += n
    return counts


def answer_histogram() -> Counter:
    """(area, month, hours) → answers, from the prefectures' messages that answered a
    waiting applicant (each keeps how long the applicant had waited)."""
    from sejour.conversations.models import Message

    codes = dict(Prefecture.objects.values_list("pk", "department_code"))
    histogram = Counter()
    rows = (
        Message.objects.filter(side=Message.Side.PREFECTURE, waited_seconds__isnull=False)
        .values_list("application__prefecture_id", "created_at", "waited_seconds")
        .iterator(chunk_size=BATCH)
    )
    for prefecture_id, created_at, waited in rows:
        month = timezone.localdate(created_at).replace(day=1)
        for area in (codes.get(prefecture_id), NATIONAL):
            if area:
                histogram[(area, month, waited // 3600)] += 1
    return histogram


def answer_times(histogram: Counter, today: date) -> list[AnswerTime]:
    start = window_from(today)
    per_area = defaultdict(Counter)
    for (area, month, hours), answers in histogram.items():
        if month >= start:
            per_area[area][hours] += answers
    now = timezone.now()
    return [
        AnswerTime(
            area=area,
            window_from=start,
            answers=sum(counts.values()),
            median_hours=histogram_median(list(counts.items())) or 0,
            updated_at=now,
        )
        for area, counts in sorted(per_area.items())
    ]


def figures_rebuild(*, today: date | None = None) -> Recount:
    """Recount every summary table; returns the run (how long it took)."""
    today = today or timezone.localdate()
    started_at = timezone.now()
    clock = time.monotonic()
    with transaction.atomic():
        _lock(ProcessingTime, DecisionCount)
        histogram = decision_histogram()
        DecisionCount.objects.all().delete()
        _write(
            DecisionCount,
            ("area", "procedure", "motive", "month", "days", "decisions"),
            ((*key, n) for key, n in histogram.items()),
        )
        ProcessingTime.objects.all().delete()
        ProcessingTime.objects.bulk_create(processing_times(histogram, today), batch_size=BATCH)
    # One prefecture at a time: the services wait for the table only while one
    # prefecture is recounted (Paris, the largest, is about an eighth of the country).
    for prefecture_id in Prefecture.objects.values_list("pk", flat=True):
        with transaction.atomic():
            _lock(Tally)
            counts = tally_counts(prefecture_id)
            Tally.objects.filter(prefecture_id=prefecture_id).delete()
            _write(
                Tally,
                ("prefecture_id", "measure", "status", "day", "count"),
                ((*key, n) for key, n in counts.items()),
            )
    with transaction.atomic():
        _lock(AnswerTime, AnswerCount)
        answers = answer_histogram()
        AnswerCount.objects.all().delete()
        _write(
            AnswerCount,
            ("area", "month", "hours", "answers"),
            ((*key, n) for key, n in answers.items()),
        )
        AnswerTime.objects.all().delete()
        AnswerTime.objects.bulk_create(answer_times(answers, today), batch_size=BATCH)
    with transaction.atomic():
        _lock(OutputCount)
        since = week_of(today) - timedelta(weeks=OUTPUT_WEEKS - 1)
        output = output_counts(since)
        OutputCount.objects.filter(week__gte=since).delete()
        _write(
            OutputCount,
            ("prefecture_id", "week", "agent_id", "decisions"),
            ((*key, n) for key, n in output.items()),
        )
    return Recount.objects.create(
        started_at=started_at, finished_at=timezone.now(), seconds=time.monotonic() - clock
    )
