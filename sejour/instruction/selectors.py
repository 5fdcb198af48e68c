"""Reads for the back-office queue, shaped to stay fast in a prefecture of 100,000
applications: every view reads one page from an index in urgency order, pages
follow a cursor (keyset) instead of an OFFSET and a COUNT, the tabs' counts come
from the tallies of `sejour.figures`, and searches are exact lookups or a trigram-indexed match."""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from sejour.accounts.models import User
from sejour.applications.models import Application, Status, searchable
from sejour.figures.selectors import status_counts

PAGE_SIZE = 25
# Urgency: the document ending first, then the earliest filed; the id makes the order total.
QUEUE_ORDER = ("current_document_ends_on", "filed_at", "id")
# What the queue shows, and nothing else.
QUEUE_COLUMNS = (
    "reference",
    "procedure",
    "motive",
    "status",
    "late",
    "current_document_ends_on",
    "filed_at",
    "reply_due_on",
    "awaiting_answer_since",
    "applicant__first_names",
    "applicant__last_name",
    "applicant__identifier",
    "applicant__visa_number",
)
MINIMUM_NAME_LENGTH = 3
QUEUE_STATUSES = [status for status in Status if status != Status.DRAFT]
_REFERENCE = re.compile(r"SJ-?([A-Z0-9]{8})")


@dataclass(frozen=True)
class Search:
    """What the agent typed, understood as one kind of search."""

    kind: str  # "reference", "number", "name", "too_short" or "" (nothing typed)
    value: str = ""


def queue_search(text: str) -> Search:
    """A reference or a foreign-national/visa number is looked up exactly; anything
    else is a name (partial, accents and case ignored)."""
    compact = "".join(text.split()).upper()
    if not compact:
        return Search("")
    if match := _REFERENCE.fullmatch(compact):
        return Search("reference", f"SJ-{match.group(1)}")
    if compact.isdigit():
        return Search("number", compact)
    name = searchable(text)
    if len(name.replace(" ", "")) < MINIMUM_NAME_LENGTH:
        return Search("too_short")
    return Search("name", name)


@dataclass
class QueuePage:
    rows: list
    has_next: bool
    has_previous: bool
    overdue: set = field(default_factory=set)

    @property
    def next_cursor(self) -> int | None:
        return self.rows[-1].pk if self.has_next and self.rows else None

    @property
    def previous_cursor(self) -> int | None:
        return self.rows[0].pk if self.has_previous and self.rows else None


def queue_page(
    *,
    prefecture,
    today: date,
    status: str = "",
    motive: str = "",
    late: bool = False,
    deadline_passed: bool = False,
    awaiting_answer: bool = False,
    search: Search = Search(""),  # noqa: B008 (frozen, never changed)
    after: int | None = None,
    before: int | None = None,
) -> QueuePage:
    """One page of the prefecture's filed applications, most urgent first.

    `after` / `before` are the id of the last / first application of the page the
    agent comes from; its place in the order is read once, then the page is the
    next PAGE_SIZE rows of the index from there.
    """
    scope = Application.objects.filter(prefecture=prefecture, filed_at__isnull=False)
    applications = scope
    if status:
        applications = applications.filter(status=status)
    if motive:
        applications = applications.filter(motive=motive)
    if late:
        applications = applications.filter(late=True)
    if deadline_passed:
        # The open request's deadline is kept on the application: one index range.
        applications = applications.filter(reply_due_on__lt=today)
    if awaiting_answer:
        # A message of the applicant not yet answered, kept on the application: the
        # partial index `queue_awaiting_answer` holds exactly these, in urgency order.
        applications = applications.filter(awaiting_answer_since__isnull=False)
    if search.kind == "reference":
        applications = applications.filter(reference=search.value)
    elif search.kind == "number":
        applications = applications.filter(
            applicant__in=User.objects.filter(
                Q(identifier=search.value) | Q(visa_number=search.value)
            ).values("pk")
        )
    elif search.kind == "name":
        for word in search.value.split():
            applications = applications.filter(search_name__contains=word)
    elif search.kind == "too_short":
        return QueuePage(rows=[], has_next=False, has_previous=False)

    key = Tuple(*(F(name) for name in QUEUE_ORDER))
    cursor = after or before
    position = (
        scope.filter(pk=cursor).values_list(*QUEUE_ORDER).first() if cursor is not None else None
    )
    backwards = position is not None and before is not None and after is None
    if position is not None:
        lookup = TupleLessThan if backwards else TupleGreaterThan
        applications = applications.filter(lookup(key, position))
    order = [f"-{name}" for name in QUEUE_ORDER] if backwards else list(QUEUE_ORDER)
    rows = list(
        applications.select_related("applicant")
        .only(*QUEUE_COLUMNS)
        .order_by(*order)[: PAGE_SIZE + 1]
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if backwards:
        rows.reverse()
        page = QueuePage(rows=rows, has_next=True, has_previous=more)
    else:
        page = QueuePage(rows=rows, has_next=more, has_previous=position is not None)
    page.overdue = {row.pk for row in rows if row.reply_due_on and row.reply_due_on < today}
    return page


def queue_counts(prefecture) -> dict[str, int]:
    """Filed applications per status, from the tallies the services keep (`figures`)."""
    counts = status_counts(prefecture.pk)
    return {status: counts.get(status, 0) for status in QUEUE_STATUSES}


def oldest_awaiting_answer(prefecture):
    """When the prefecture's oldest message still waiting for an answer was sent (the
    first entry of the `oldest_awaiting_answer` index), or None."""
    return (
        Application.objects.filter(
            prefecture=prefecture, filed_at__isnull=False, awaiting_answer_since__isnull=False
        )
        .order_by("awaiting_answer_since")
        .values_list("awaiting_answer_since", flat=True)
        .first()
    )
