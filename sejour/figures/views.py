"""The public processing times and a supervisor's dashboard: both read summary tables."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from sejour.accounts.models import User
from sejour.applications.models import Application
from sejour.attestations.models import Attestation
from sejour.instruction.views import agent_required
from sejour.rules.services import CHANGE_PROCEDURES, instruction_rule

from . import selectors
from .services import PENDING_DECISION

UNCOVERED_SHOWN = 100


def transparency(request):
    """Public: median processing times, read from the summary table (two queries)."""
    return render(
        request,
        "figures/transparency.html",
        {
            **selectors.processing_times(timezone.localdate()),
            "minimum": selectors.MINIMUM_DECISIONS,
            "recount": selectors.last_recount(),
        },
    )


def supervisor_required(view):
    """A supervisor logged in with the second factor, for their own prefecture only:
    other agents get 403, another prefecture's dashboard is 404 (it does not exist for them)."""

    @agent_required
    @wraps(view)
    def wrapper(request, department, *args, **kwargs):
        if request.user.role != User.Role.SUPERVISOR:
            raise PermissionDenied
        if request.user.prefecture.department_code != department:
            raise Http404
        return view(request, request.user.prefecture, *args, **kwargs)

    return wrapper


@agent_required
def dashboard_home(request):
    if request.user.role != User.Role.SUPERVISOR:
        raise PermissionDenied
    return redirect("figures:dashboard", department=request.user.prefecture.department_code)


@supervisor_required
def dashboard(request, prefecture):
    today = timezone.localdate()
    return render(
        request,
        "figures/dashboard.html",
        {
            "prefecture": prefecture,
            "today": today,
            "figures": selectors.dashboard(prefecture, today),
            "recount": selectors.last_recount(),
            "refusal_months": instruction_rule(today).implicit_refusal_months,
        },
    )


@supervisor_required
def uncovered(request, prefecture):
    """The people waiting for a decision without a valid document today: the list the
    dashboard's ADP count links to (there should be none)."""
    today = timezone.localdate()
    covering_adp = Attestation.objects.filter(
        application=OuterRef("pk"),
        kind=Attestation.Kind.ADP,
        revoked_at__isnull=True,
        valid_until__gte=today,
    )
    applications = []
    # One query per status: each reads one range of the queue's (prefecture, status,
    # document end) index in order, rather than every ended document of the prefecture.
    for status in PENDING_DECISION:
        applications += (
            Application.objects.filter(
                prefecture=prefecture,
                filed_at__isnull=False,  # always true here; the queue's indexes are partial
                status=status,
                current_document_ends_on__lt=today,
            )
            .exclude(procedure__in=CHANGE_PROCEDURES)
            .exclude(Exists(covering_adp))
            .select_related("applicant")
            .only(
                "reference",
                "status",
                "procedure",
                "motive",
                "current_document_ends_on",
                "filed_at",
                "applicant__first_names",
                "applicant__last_name",
                "applicant__identifier",
                "applicant__visa_number",
            )
            .order_by("current_document_ends_on", "filed_at", "id")[: UNCOVERED_SHOWN + 1]
        )
    applications.sort(key=lambda a: (a.current_document_ends_on, a.filed_at, a.id))
    return render(
        request,
        "figures/uncovered.html",
        {
            "prefecture": prefecture,
            "applications": applications[:UNCOVERED_SHOWN],
            "more": len(applications) > UNCOVERED_SHOWN,
            "shown": UNCOVERED_SHOWN,
        },
    )
