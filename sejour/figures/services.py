"""Keeping the summary tables true, inside the transaction of the change that moves them.

A service that changes an application takes `tally_keys(application)` after locking
it, makes its change, then calls `tallies_shift(application=..., before=...)`: the
application leaves the rows it counted in and joins the rows it counts in now.
`decision_count` adds a decision to the processing-time histogram, republishes the
medians of its groups and counts it in the agent's weekly output. The daily recount
(`rebuild.figures_rebuild`) computes the same rows from the applications themselves.
"""

from collections import Counter
from contextlib import suppress
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Max, Q, Sum
from django.utils import timezone

from sejour.applications.models import Application, Status
from sejour.rules.services import CHANGE_PROCEDURES

from .models import (
    ALL_MOTIVES,
    NATIONAL,
    AnswerCount,
    AnswerTime,
    DecisionCount,
    OutputCount,
    ProcessingTime,
    Tally,
)

# The legal clock runs in these statuses; it pauses while the applicant is asked for documents.
CLOCK_RUNS = (Status.FILED, Status.UNDER_INSTRUCTION)
PENDING_DECISION = (Status.FILED, Status.UNDER_INSTRUCTION, Status.WAITING_APPLICANT)
# Processing times cover the decisions of the last twelve calendar months (this one included).
WINDOW_MONTHS = 12


def window_from(today: date) -> date:
    """The first day of the month eleven months before today's."""
    months = today.year * 12 + today.month - 1 - (WINDOW_MONTHS - 1)
    return date(months // 12, months % 12 + 1, 1)


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def histogram_median(histogram) -> Decimal | None:
    """The exact median of values given as (value, how many) pairs, in any order."""
    pairs = sorted((value, count) for value, count in histogram if count > 0)
    total = sum(count for _value, count in pairs)
    if total == 0:
        return None
    # 0-based positions of the middle value(s).
    wanted = sorted({(total - 1) // 2, total // 2})
    found = []
    seen = 0
    for value, count in pairs:
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
        if not wanted:
            break
    return Decimal(sum(found)) / len(found) if len(found) == 2 else Decimal(found[0])


def _add(model, fields: tuple[str, ...], count_field: str, deltas: dict) -> None:
    """Add each delta to its row, creating the row if needed: one statement, safe under
    concurrent writers (INSERT … ON CONFLICT, on PostgreSQL and SQLite alike). Keys are
    sorted so that two transactions lock rows in the same order."""
    deltas = {key: delta for key, delta in deltas.items() if delta}
    if not deltas:
        return
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(field.column) for field in model_fields)
    count = quote(meta.get_field(count_field).column)
    row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    params = []
    for key in sorted(deltas):
        params.extend(
            field.get_db_prep_value(value, connection)
            for field, value in zip(model_fields, key, strict=True)
        )
        params.append(deltas[key])
    # Only names from the model's metadata are interpolated; every value is a parameter.
    values = ", ".join([row] * len(deltas))
    sql = (
        f"INSERT INTO {table} ({columns}, {count}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT ({columns}) DO UPDATE SET {count} = {table}.{count} + EXCLUDED.{count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# ---------------------------------------------------------------- tallies


def covered_until(application: Application) -> date:
    """The last day the current document or an ADP still standing covers."""
    adp = application.attestations.filter(kind="adp", revoked_at__isnull=True).aggregate(
        until=Max("valid_until")
    )["until"]
    return max(application.current_document_ends_on, adp or application.current_document_ends_on)


def tally_keys(application: Application) -> list[tuple]:
    """The tally rows this application counts in, as (prefecture, measure, status, day)."""
    from sejour.instruction.services import legal_deadline, open_complement

    if application.filed_at is None or application.prefecture_id is None:
        return []
    status = application.status
    prefecture = application.prefecture_id
    keys = [(prefecture, Tally.Measure.FILED, status, timezone.localdate(application.filed_at))]
    if status in CLOCK_RUNS:
        # Filed before any instruction rule: no legal deadline to count.
        with suppress(LookupError):
            keys.append((prefecture, Tally.Measure.LEGAL, status, legal_deadline(application)))
    if status == Status.WAITING_APPLICANT:
        request = open_complement(application)
        if request is not None:
            keys.append((prefecture, Tally.Measure.REPLY, status, request.deadline))
    if status in PENDING_DECISION and application.procedure not in CHANGE_PROCEDURES:
        keys.append((prefecture, Tally.Measure.COVER, status, covered_until(application)))
    return keys


def tallies_shift(*, application: Application, before: list[tuple]) -> None:
    """Move the application from the rows it counted in (`before`) to those it counts in now."""
    delta = Counter()
    for key in before:
        delta[key] -= 1
    for key in tally_keys(application):
        delta[key] += 1
    _add(Tally, ("prefecture_id", "measure", "status", "day"), "count", delta)


# ---------------------------------------------------------- processing times


def _groups(application: Application) -> list[tuple[str, str, str]]:
    area = application.prefecture.department_code
    procedure = application.procedure
    return sorted(
        {
            (area, procedure, application.motive),
            (area, procedure, ALL_MOTIVES),
            (NATIONAL, procedure, application.motive),
            (NATIONAL, procedure, ALL_MOTIVES),
        }
    )


def processing_times_publish(*, groups: list[tuple[str, str, str]], today: date) -> None:
    """Recompute the medians of these groups from the histogram (their rows are locked)."""
    start = window_from(today)
    match = Q()
    for area, procedure, motive in groups:
        # "Every motive" is the sum of the motives' rows.
        match |= Q(area=area, procedure=procedure, **({"motive": motive} if motive else {}))
    histograms = {group: Counter() for group in groups}
    for row in (
        DecisionCount.objects.filter(match, month__gte=start)
        .values("area", "procedure", "motive", "days")
        .annotate(n=Sum("decisions"))
        .order_by()
    ):
        for motive in (row["motive"], ALL_MOTIVES):
            group = (row["area"], row["procedure"], motive)
            if group in histograms:
                histograms[group][row["days"]] += row["n"]
    now = timezone.now()
    for (area, procedure, motive), counts in histograms.items():
        histogram = list(counts.items())
        decisions = sum(counts.values())
        ProcessingTime.objects.filter(area=area, procedure=procedure, motive=motive).update(
            window_from=start,
            decisions=decisions,
            median_days=histogram_median(histogram) or 0,
            updated_at=now,
        )


def decision_count(*, application: Application, by) -> None:
    """A decision was just recorded (same transaction): count it everywhere it shows."""
    decided_on = timezone.localdate(application.decided_at)
    days = (decided_on - timezone.localdate(application.filed_at)).days
    groups = _groups(application)
    # Lock the published rows first: a concurrent decision in the same group waits here
    # and then reads the histogram with this one in it, so no median misses a decision.
    for area, procedure, motive in groups:
        ProcessingTime.objects.select_for_update().get_or_create(
            area=area,
            procedure=procedure,
            motive=motive,
            defaults={
                "window_from": window_from(decided_on),
                "decisions": 0,
                "median_days": 0,
                "updated_at": timezone.now(),
            },
        )
    month = decided_on.replace(day=1)
    _add(
        DecisionCount,
        ("area", "procedure", "motive", "month", "days"),
        "decisions",
        {(*group, month, days): 1 for group in groups if group[2] != ALL_MOTIVES},
    )
    processing_times_publish(groups=groups, today=decided_on)
    _add(
        OutputCount,
        ("prefecture_id", "week", "agent_id"),
        "decisions",
        {(application.prefecture_id, week_of(decided_on), by.pk): 1},
    )


# ------------------------------------------------------------ time to answer


def answer_times_publish(*, areas: list[str], today: date) -> None:
    """Recompute the median wait of these areas from the histogram (rows locked)."""
    start = window_from(today)
    histograms = {area: Counter() for area in areas}
    for area, hours, answers in (
        AnswerCount.objects.filter(area__in=areas, month__gte=start)
        .values_list("area", "hours")
        .annotate(n=Sum("answers"))
        .order_by()
    ):
        histograms[area][hours] += answers
    now = timezone.now()
    for area, counts in histograms.items():
        AnswerTime.objects.filter(area=area).update(
            window_from=start,
            answers=sum(counts.values()),
            median_hours=histogram_median(list(counts.items())) or 0,
            updated_at=now,
        )


def answer_count(*, application: Application, waited_seconds: int, answered_at) -> None:
    """The prefecture just answered a message that waited this long (same transaction)."""
    answered_on = timezone.localdate(answered_at)
    areas = sorted({application.prefecture.department_code, NATIONAL})
    # Locked first, like the processing times: a concurrent answer waits, then reads
    # the histogram with this one in it.
    for area in areas:
        AnswerTime.objects.select_for_update().get_or_create(
            area=area,
            defaults={
                "window_from": window_from(answered_on),
                "answers": 0,
                "median_hours": 0,
                "updated_at": timezone.now(),
            },
        )
    month = answered_on.replace(day=1)
    hours = waited_seconds // 3600
    _add(
        AnswerCount,
        ("area", "month", "hours"),
        "answers",
        {(area, month, hours): 1 for area in areas},
    )
    answer_times_publish(areas=areas, today=answered_on)
