"""Reads of the summary tables: a few rows per page, whatever the number of applications."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from sejour.accounts.models import User
from sejour.applications.models import Status, status_label
from sejour.registry.models import Motive, Prefecture
from sejour.rules.models import Procedure

from .models import (
    ALL_MOTIVES,
    NATIONAL,
    AnswerTime,
    OutputCount,
    ProcessingTime,
    Recount,
    Tally,
)
from .services import CLOCK_RUNS, PENDING_DECISION, week_of, window_from

# Fewer decisions than this in a group are not shown: too few to mean anything,
# and close to identifying people.
MINIMUM_DECISIONS = 3
# Statuses still open at the prefecture (the permit not yet handed over, nothing ended).
OPEN_STATUSES = (
    Status.FILED,
    Status.UNDER_INSTRUCTION,
    Status.WAITING_APPLICANT,
    Status.DECISION_TAKEN,
    Status.PERMIT_AVAILABLE,
)
# Age since filing, in days: (label, first day, last day or None).
AGE_BANDS = (
    (_("30 days or less"), 0, 30),
    (_("31 to 60 days"), 31, 60),
    (_("61 to 90 days"), 61, 90),
    (_("91 to 180 days"), 91, 180),
    (_("more than 180 days"), 181, None),
)
# "Near": the legal deadline falls within this many days.
NEAR_DAYS = 14
OUTPUT_WEEKS = 6


def status_counts(prefecture_id: int) -> dict[str, int]:
    """Filed applications of a prefecture per status (kept by the services, exact).

    The one table of per-status counts per prefecture (issue 14): the queue's tabs
    can read it too, rather than a second counter kept by the same services."""
    return dict(
        Tally.objects.filter(prefecture_id=prefecture_id, measure=Tally.Measure.FILED)
        .values_list("status")
        .annotate(n=Sum("count"))
        .values_list("status", "n")
    )


def last_recount() -> Recount | None:
    return Recount.objects.order_by("-finished_at").first()


# ---------------------------------------------------------------- public page


def processing_times(today: date) -> dict:
    """The public page: the whole country per procedure and motive, each prefecture
    per procedure. Two queries."""
    names = dict(Prefecture.objects.values_list("department_code", "name"))
    procedures = {value: str(label) for value, label in Procedure.choices}
    motives = {value: str(label) for value, label in Motive.choices}
    motives[ALL_MOTIVES] = str(_("Every motive"))
    national, local = [], []
    rows = (
        ProcessingTime.objects.filter(decisions__gte=MINIMUM_DECISIONS)
        # The whole country per motive; each prefecture for every motive only.
        .filter(Q(area=NATIONAL) | Q(motive=ALL_MOTIVES))
        .order_by("area", "procedure", "motive")
        .values_list("area", "procedure", "motive", "decisions", "median_days")
    )
    for area, procedure, motive, decisions, median_days in rows:
        line = {
            "procedure": procedures.get(procedure, procedure),
            "motive": motives.get(motive, motive),
            "decisions": decisions,
            "median_days": median_days,
        }
        if area == NATIONAL:
            national.append(line)
        elif area in names:
            local.append({**line, "prefecture": names[area], "code": area})
    local.sort(key=lambda line: (line["code"], line["procedure"]))
    return {
        "window_from": window_from(today),
        "national": national,
        "local": local,
        **answer_times(names),
    }


def answer_times(names: dict[str, str]) -> dict:
    """The median wait for an answer to a message, the whole country and each
    prefecture, read from the published rows (one query)."""
    national, local = None, []
    rows = AnswerTime.objects.filter(answers__gte=MINIMUM_DECISIONS).values_list(
        "area", "answers", "median_hours"
    )
    for area, answers, median_hours in rows:
        line = {"answers": answers, "median_hours": median_hours}
        if area == NATIONAL:
            national = line
        elif area in names:
            local.append({**line, "prefecture": names[area], "code": area})
    local.sort(key=lambda line: line["code"])
    return {"answers_national": national, "answers_local": local}


# ------------------------------------------------------------ supervisor's dashboard


@dataclass
class StatusLine:
    status: str
    label: str
    bands: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.bands)


def _age_sums(today: date) -> dict:
    sums = {}
    for index, (_label, first, last) in enumerate(AGE_BANDS):
        # Filed `first` to `last` days ago.
        window = Q(day__lte=today - timedelta(days=first))
        if last is not None:
            window &= Q(day__gte=today - timedelta(days=last))
        sums[f"band{index}"] = Sum("count", filter=window)
    return sums


def dashboard(prefecture: Prefecture, today: date) -> dict:
    """Every figure of a supervisor's dashboard: three queries on the summary tables."""
    by_status = {
        row["status"]: row
        for row in Tally.objects.filter(
            prefecture=prefecture, measure=Tally.Measure.FILED, status__in=OPEN_STATUSES
        )
        .values("status")
        .annotate(**_age_sums(today))
        .order_by()
    }
    lines = [
        StatusLine(
            status=status,
            label=status_label(status, staff=True),
            bands=[by_status.get(status, {}).get(f"band{i}") or 0 for i in range(len(AGE_BANDS))],
        )
        for status in OPEN_STATUSES
    ]
    totals = [sum(line.bands[i] for line in lines) for i in range(len(AGE_BANDS))]
    near_until = today + timedelta(days=NEAR_DAYS)
    late = Tally.objects.filter(
        prefecture=prefecture,
        measure__in=(Tally.Measure.LEGAL, Tally.Measure.REPLY, Tally.Measure.COVER),
    ).aggregate(
        legal_passed=Sum(
            "count", filter=Q(measure=Tally.Measure.LEGAL, status__in=CLOCK_RUNS, day__lt=today)
        ),
        legal_near=Sum(
            "count",
            filter=Q(
                measure=Tally.Measure.LEGAL,
                status__in=CLOCK_RUNS,
                day__gte=today,
                day__lte=near_until,
            ),
        ),
        reply_overdue=Sum("count", filter=Q(measure=Tally.Measure.REPLY, day__lt=today)),
        uncovered=Sum(
            "count",
            filter=Q(measure=Tally.Measure.COVER, status__in=PENDING_DECISION, day__lt=today),
        ),
    )
    late = {key: value or 0 for key, value in late.items()}
    waiting = next(line.total for line in lines if line.status == Status.WAITING_APPLICANT)
    return {
        "age_bands": [label for label, _first, _last in AGE_BANDS],
        "lines": lines,
        "totals": totals,
        "total": sum(totals),
        "waiting_applicant": waiting,
        "near_days": NEAR_DAYS,
        **late,
        "output": output(prefecture, today),
    }


def output(prefecture: Prefecture, today: date) -> dict:
    """Decisions per agent and per week, the last weeks (this one included). One query."""
    weeks = [week_of(today) - timedelta(weeks=n) for n in range(OUTPUT_WEEKS - 1, -1, -1)]
    per_agent = {}
    for agent_id, first_names, last_name, identifier, week, decisions in (
        OutputCount.objects.filter(prefecture=prefecture, week__gte=weeks[0])
        .values_list(
            "agent_id", "agent__first_names", "agent__last_name", "agent__identifier", "week"
        )
        .annotate(n=Sum("decisions"))
        .order_by()
    ):
        name = User(first_names=first_names, last_name=last_name).full_name or identifier
        row = per_agent.setdefault(agent_id, {"name": name, "weeks": dict.fromkeys(weeks, 0)})
        row["weeks"][week] += decisions
    agents = sorted(per_agent.values(), key=lambda row: row["name"])
    for row in agents:
        row["cells"] = [row["weeks"][week] for week in weeks]
        row["total"] = sum(row["cells"])
    return {
        "weeks": weeks,
        "agents": agents,
        "totals": [sum(row["weeks"][week] for row in agents) for week in weeks],
        "total": sum(row["total"] for row in agents),
    }
