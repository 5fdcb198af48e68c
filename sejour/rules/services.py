"""Reading the rules in force on a given day, and loading them from the repository."""

import calendar
import json
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from sejour.registry.models import DocumentKind

from .models import (
    DocumentRequirement,
    Fee,
    Figure,
    FilingWindow,
    InstructionRule,
    MotiveRule,
    Procedure,
)

DATA = Path(__file__).parent / "data"


def rules_sync(using: str = "default") -> None:
    """Create the rules of data/*.json that the database lacks; keep edited ones."""
    for model, filename in [
        (Fee, "fees.json"),
        (FilingWindow, "filing_windows.json"),
        (MotiveRule, "motives.json"),
        (DocumentRequirement, "document_requirements.json"),
        (InstructionRule, "instruction.json"),
        (Figure, "figures.json"),
    ]:
        path = DATA / filename
        if not path.exists():
            continue
        for row in json.loads(path.read_text(encoding="utf-8")):
            row = dict(row)
            if "amount_euros" in row:
                row["amount_cents"] = round(row.pop("amount_euros") * 100)
            if "monthly_resources_euros" in row:
                row["monthly_resources_cents"] = round(row.pop("monthly_resources_euros") * 100)
            if model is MotiveRule:
                row["code"] = f"{row['motive']}_{row['effective_from']}"
            code = row.pop("code")
            rule, created = model.objects.using(using).get_or_create(code=code, defaults=row)
            if not created and not rule.source and row.get("source"):
                _source_unedited_row(rule, row, using)


def _source_unedited_row(rule, row: dict, using: str) -> None:
    """A row loaded before rules had sources gets the file's source, unless an
    administrator changed its values (the file's source would then not be theirs)."""
    values = {key: value for key, value in row.items() if key != "source"}
    stored = {key: getattr(rule, key) for key in values}
    stored = {
        key: str(value) if isinstance(value, date) else value for key, value in stored.items()
    }
    if stored == values:
        type(rule).objects.using(using).filter(pk=rule.pk).update(source=row["source"])


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class WindowState:
    status: str  # "too_early", "open" or "late"
    opens_on: date
    late_from: date
    document_ends_on: date

    @property
    def is_open(self) -> bool:
        return self.status != "too_early"

    @property
    def is_late(self) -> bool:
        return self.status == "late"


def procedure_for(document_kind: str) -> str:
    """After a visa "titre à solliciter", a first application; after a permit, a
    receipt or a validated VLS-TS, a renewal.

    A VLS-TS is a residence permit once validated, and its holder paid the first-permit
    tax then: the card that follows is asked for like a renewal, with the renewal tax
    and the renewal ADP, which lets its holder travel (decision 0011)."""
    if document_kind in (DocumentKind.VLS, DocumentKind.VISA):
        return Procedure.FIRST
    return Procedure.RENEWAL


def filing_window_rule(on: date) -> FilingWindow:
    """The filing-window rule in force on a day."""
    window = FilingWindow.objects.effective_on(on).order_by("-effective_from").first()
    if window is None:
        raise LookupError("No filing window in force: load the rules (manage.py migrate).")
    return window


def window_dates(
    *, document_kind: str, valid_from: date, valid_until: date, window: FilingWindow
) -> tuple[date, date]:
    """(opens on, late from) for a document under a filing-window rule (see filing_window)."""
    opens_on = add_months(valid_until, -window.opens_months_before)
    if document_kind == DocumentKind.VLS:
        opens_on = valid_from
    return opens_on, add_months(valid_until, -window.late_months_before)


def filing_window(
    *, document_kind: str, valid_from: date, valid_until: date, today: date
) -> WindowState:
    """Where today stands in the filing window of a document (SPEC §3).

    A VLS "titre à solliciter" is not a residence permit: its holder applies
    from arrival, so the window opens on the visa's first day
    (docs/decisions/0001-filing-window-for-a-vls.md). The late mark is the same.
    """
    opens_on, late_from = window_dates(
        document_kind=document_kind,
        valid_from=valid_from,
        valid_until=valid_until,
        window=filing_window_rule(today),
    )
    if today < opens_on:
        status = "too_early"
    elif today < late_from:
        status = "open"
    else:
        status = "late"
    return WindowState(status, opens_on, late_from, valid_until)


def motive_rule(motive: str, on: date) -> MotiveRule:
    rule = (
        MotiveRule.objects.effective_on(on)
        .filter(motive=motive)
        .order_by("-effective_from")
        .first()
    )
    if rule is None:
        raise LookupError(f"No rule in force for the motive {motive!r}.")
    return rule


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    description: str


CHANGE_PROCEDURES = (Procedure.ADDRESS_CHANGE, Procedure.DUPLICATE)


def wizard_steps(*, motive: str, on: date, procedure: str = Procedure.RENEWAL) -> list[Step]:
    """The filing steps: 6 for a permit, or 5 without a resources step; the
    declarations of a change of situation have their own."""
    if procedure == Procedure.ADDRESS_CHANGE:
        return [
            Step("personal", _("Your new address"), _("Give your new address in France.")),
            Step("card", _("New card"), _("Choose whether a new card is made.")),
            Step(
                "documents", _("Supporting documents"), _("Attach the proof of your new address.")
            ),
            Step("summary", _("Summary"), _("Check everything before sending.")),
            Step("confirmation", _("Confirmation"), _("Send your declaration.")),
        ]
    if procedure == Procedure.DUPLICATE:
        return [
            Step(
                "declaration",
                _("What happened"),
                _("Tell us how the permit was lost, stolen or damaged."),
            ),
            Step(
                "personal",
                _("Personal information"),
                _("Check your civil status and your address."),
            ),
            Step(
                "documents",
                _("Supporting documents"),
                _("Attach your documents and your e-photo code."),
            ),
            Step("summary", _("Summary"), _("Check everything before sending.")),
            Step("confirmation", _("Confirmation"), _("Send your declaration.")),
        ]
    steps = [
        Step("personal", _("Personal information"), _("Check your civil status and your address.")),
        Step("motive", _("Your project"), _("Describe why you stay in France.")),
        Step("resources", _("Resources"), _("Tell us what you live on.")),
        Step(
            "documents",
            _("Supporting documents"),
            _("Attach your documents and your e-photo code."),
        ),
        Step("summary", _("Summary"), _("Check everything before sending.")),
        Step("confirmation", _("Confirmation"), _("Send your application.")),
    ]
    if not motive_rule(motive, on).has_resources_step:
        steps = [step for step in steps if step.slug != "resources"]
    return steps


def document_requirements(*, motive: str, procedure: str, on: date) -> list[DocumentRequirement]:
    return [
        requirement
        for requirement in DocumentRequirement.objects.effective_on(on)
        if motive in requirement.motives and procedure in requirement.procedures
    ]


@dataclass(frozen=True)
class FeeLine:
    label: str
    amount_cents: int


@dataclass(frozen=True)
class FeeBreakdown:
    lines: list[FeeLine]

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


def _most_specific(fees, motive: str) -> Fee | None:
    specific = [fee for fee in fees if fee.motive == motive]
    general = [fee for fee in fees if not fee.motive]
    return (specific or general or [None])[0]


def fee_breakdown(*, procedure: str, motive: str, late: bool, on: date) -> FeeBreakdown:
    """What the applicant pays at handover, from the fees in force (SPEC §1)."""
    fees = list(Fee.objects.effective_on(on).order_by("-effective_from"))

    def pick(kind: str) -> Fee | None:
        candidates = [f for f in fees if f.kind == kind and f.procedure in ("", procedure)]
        return _most_specific(candidates, motive)

    lines = []
    for kind, label in [
        (Fee.Kind.TAX, _("Tax")),
        (Fee.Kind.STAMP_DUTY, _("Manufacturing stamp duty")),
    ] + ([(Fee.Kind.LATE, _("Late renewal fee"))] if late else []):
        fee = pick(kind)
        if fee is not None:
            lines.append(FeeLine(str(label), fee.amount_cents))
    return FeeBreakdown(lines)


def instruction_rule(on: date) -> InstructionRule:
    rule = InstructionRule.objects.effective_on(on).order_by("-effective_from").first()
    if rule is None:
        raise LookupError("No instruction rule in force: load the rules (manage.py migrate).")
    return rule


def implicit_refusal_on(*, filed_on: date, paused_days: int = 0, rule: InstructionRule) -> date:
    """Rule IMPLICIT-REFUSAL-4-MONTHS: the day the prefecture's silence becomes an implicit
    refusal (CESEDA R.432-2: four months), pushed back by the days the applicant was
    asked for documents (the product's legal deadline for agents)."""
    return add_months(filed_on, rule.implicit_refusal_months) + timedelta(days=paused_days)


def figure(name: str, on: date) -> dict:
    """The value of a dated figure (stamp validity, support line…) in force on a day."""
    row = Figure.objects.effective_on(on).filter(name=name).order_by("-effective_from").first()
    if row is None:
        raise LookupError(f"No figure {name!r} in force: load the rules (manage.py migrate).")
    return row.value


@dataclass(frozen=True)
class StampValidity:
    usable_months: int
    refund_until_months: int  # counted from the purchase


def stamp_validity(on: date) -> StampValidity:
    """Rule STAMP-VALIDITY, as the people buying a stamp on that day are told."""
    value = figure("stamp_validity", on)
    return StampValidity(
        value["usable_months"], value["usable_months"] + value["refund_months_after"]
    )


@dataclass(frozen=True)
class SupportHours:
    first_day: str
    last_day: str
    opens: time
    closes: time


def support_hours(on: date) -> SupportHours:
    """Rule SUPPORT-LINE-HOURS: the support line's opening days and hours on a day."""
    value = figure("support_line", on)
    return SupportHours(
        str(WEEKDAYS[value["weekdays"][0]]),
        str(WEEKDAYS[value["weekdays"][-1]]),
        time.fromisoformat(value["opens"]),
        time.fromisoformat(value["closes"]),
    )
