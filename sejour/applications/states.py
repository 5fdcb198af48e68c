"""The state machine of an application, written once, as data.

Services check a transition here before changing anything; pages ask
`actions_for` which buttons to show. An action whose `target` is None changes
no status (correcting or completing a filed application) but is still only
allowed from the listed statuses.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Status

APPLICANT = "applicant"
AGENT = "agent"
SUPERVISOR = "supervisor"
OPEN_BEFORE_DECISION = frozenset({Status.FILED, Status.UNDER_INSTRUCTION, Status.WAITING_APPLICANT})
# Nothing more happens to an application in these: its conversation is read-only.
ENDED = frozenset({Status.WITHDRAWN, Status.HANDED_OVER, Status.CLOSED})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str | None
    roles: frozenset
    label: str


TRANSITIONS = [
    Transition(
        "submit",
        frozenset({Status.DRAFT}),
        Status.FILED,
        frozenset({APPLICANT}),
        _("Send my application"),
    ),
    Transition(
        "correct", OPEN_BEFORE_DECISION, None, frozenset({APPLICANT}), _("Correct my answers")
    ),
    Transition(
        "complete",
        OPEN_BEFORE_DECISION,
        None,
        frozenset({APPLICANT}),
        _("Add or replace a document"),
    ),
    Transition(
        "withdraw",
        OPEN_BEFORE_DECISION,
        Status.WITHDRAWN,
        frozenset({APPLICANT}),
        _("Withdraw my application"),
    ),
    Transition(
        "abandon_draft",
        frozenset({Status.DRAFT}),
        Status.WITHDRAWN,
        frozenset({APPLICANT}),
        _("Delete this draft"),
    ),
    Transition(
        "start_instruction",
        frozenset({Status.FILED}),
        Status.UNDER_INSTRUCTION,
        frozenset({AGENT, SUPERVISOR}),
        _("Start instruction"),
    ),
    Transition(
        "request_complement",
        frozenset({Status.UNDER_INSTRUCTION}),
        Status.WAITING_APPLICANT,
        frozenset({AGENT, SUPERVISOR}),
        _("Request documents"),
    ),
    Transition(
        "answer_complement",
        frozenset({Status.WAITING_APPLICANT}),
        Status.UNDER_INSTRUCTION,
        frozenset({APPLICANT}),
        _("Send my answer"),
    ),
    Transition(
        "decide",
        frozenset({Status.UNDER_INSTRUCTION}),
        Status.DECISION_TAKEN,
        frozenset({AGENT, SUPERVISOR}),
        _("Record the decision"),
    ),
    Transition(
        "close",
        frozenset({Status.WAITING_APPLICANT}),
        Status.CLOSED,
        frozenset({SUPERVISOR}),
        _("Close without follow-up"),
    ),
    Transition(
        "mark_permit_made",
        frozenset({Status.DECISION_TAKEN}),
        Status.PERMIT_AVAILABLE,
        frozenset({AGENT, SUPERVISOR}),
        _("Permit made: ready to collect"),
    ),
    Transition(
        "hand_over",
        frozenset({Status.PERMIT_AVAILABLE}),
        Status.HANDED_OVER,
        frozenset({AGENT, SUPERVISOR}),
        _("Hand the permit over"),
    ),
]
BY_ACTION = {transition.action: transition for transition in TRANSITIONS}


class TransitionNotAllowed(Exception):
    pass


def transition_for(action: str, status: str, role: str) -> Transition:
    transition = BY_ACTION[action]
    if status not in transition.sources or role not in transition.roles:
        raise TransitionNotAllowed(f"{action} is not allowed from {status} for {role}")
    return transition


def actions_for(status: str, role: str) -> list[Transition]:
    return [t for t in TRANSITIONS if status in t.sources and role in t.roles]
