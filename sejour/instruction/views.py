"""The prefecture back-office: a separate door with a second factor, a queue, an
application view whose actions come from the state machine."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from sejour.accounts.models import User
from sejour.applications.models import Application, Status, status_label
from sejour.applications.selectors import (
    answers_display,
    corrected_fields,
    documents_history,
    staff_history,
)
from sejour.applications.services import ApplicationError
from sejour.applications.states import TransitionNotAllowed, actions_for
from sejour.audit.labels import event_label
from sejour.audit.models import AuditEvent
from sejour.core.http import posted
from sejour.rules.services import document_requirements, instruction_rule

from . import selectors, services
from .door import staff_door_check
from .forms import (
    AgentLoginForm,
    CloseForm,
    ComplementForm,
    DecisionForm,
    HandOverForm,
    IdentityReviewForm,
    QueueFilterForm,
)
from .identity import identity_compare
from .models import ComplementRequest

PAGE_SIZE = selectors.PAGE_SIZE


def agent_required(view):
    """Agents of a prefecture, logged in with their second factor. Applicants get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("instruction:login"))
        if user.role not in services.AGENT_ROLES or user.prefecture_id is None:
            raise PermissionDenied
        if not user.is_verified():
            return redirect_to_login(request.get_full_path(), reverse("instruction:login"))
        return view(request, *args, **kwargs)

    return wrapper


def agent_login(request):
    form = AgentLoginForm(posted(request))
    if request.method == "POST" and form.is_valid():
        answer = staff_door_check(
            request=request,
            identifier=form.cleaned_data["identifier"],
            password=form.cleaned_data["password"],
            code=form.cleaned_data["code"],
            may_enter=lambda user: user.role in (*services.AGENT_ROLES, User.Role.SUPPORT),
        )
        if answer.user is not None:
            login(request, answer.user)
            otp_login(request, answer.device)
            target = request.GET.get("next", "")
            home = (
                "support:tickets" if answer.user.role == User.Role.SUPPORT else "instruction:queue"
            )
            return redirect(target if target.startswith(("/agents/", "/support/")) else home)
        form.add_error(None, answer.message)
    return render(request, "instruction/login.html", {"form": form})


@require_POST
def agent_logout(request):
    logout(request)
    return redirect("instruction:login")


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@agent_required
def queue(request):
    """The prefecture's applications, the most urgent (document ending first) on top."""
    prefecture = request.user.prefecture
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    search = selectors.queue_search(data.get("q", ""))
    if search.kind == "too_short":
        form.add_error(
            "q",
            _("Type at least %(count)d letters of the name, or a full reference or number.")
            % {"count": selectors.MINIMUM_NAME_LENGTH},
        )
    page = selectors.queue_page(
        prefecture=prefecture,
        today=timezone.localdate(),
        status=data.get("status", ""),
        motive=data.get("motive", ""),
        late=data.get("late", False),
        deadline_passed=data.get("deadline_passed", False),
        awaiting_answer=data.get("awaiting_answer", False),
        search=search,
        after=_cursor(request.GET.get("after")),
        before=_cursor(request.GET.get("before")),
    )
    counts = selectors.queue_counts(prefecture)
    # The number of rows is only known without a search or a filter other than the status.
    filtered = search.kind or any(
        data.get(name) for name in ("motive", "late", "deadline_passed", "awaiting_answer")
    )
    if filtered:
        count = None
    elif data.get("status"):
        count = counts[data["status"]]
    else:
        count = sum(counts.values())
    query = request.GET.copy()
    for name in ("after", "before"):
        query.pop(name, None)
    return render(
        request,
        "instruction/queue.html",
        {
            "page": page,
            "form": form,
            "tabs": [
                (status.value, status_label(status, staff=True), counts[status.value])
                for status in Status
                if status != Status.DRAFT
            ],
            "total": sum(counts.values()),
            "count": count,
            "query": query.urlencode(),
            "is_first_page": not (request.GET.get("after") or request.GET.get("before")),
            "today": timezone.localdate(),
            "now": timezone.now(),
            "oldest_awaiting": selectors.oldest_awaiting_answer(prefecture),
        },
    )


def _application(request, reference) -> Application:
    """An application of the agent's prefecture (404 for any other)."""
    return get_object_or_404(
        Application.objects.select_related("applicant", "prefecture").filter(
            filed_at__isnull=False
        ),
        reference=reference,
        prefecture=request.user.prefecture,
    )


def _what_changed(application, request: ComplementRequest) -> list[dict]:
    """What the applicant did between the request and their answer, in words."""
    if request.answered_at is None:
        return []
    events = list(
        AuditEvent.objects.filter(
            application=application,
            created_at__gte=request.created_at,
            created_at__lte=request.answered_at,
            action__in=(
                "document.added_after_filing",
                "document.removed_after_filing",
                "application.corrected",
            ),
        ).order_by("created_at")
    )
    return [
        {
            "when": event.created_at,
            "label": event_label(event, staff=True),
            "fields": corrected_fields(application, event),
        }
        for event in events
    ]


def _conversation_context(request, application, form=None) -> dict:
    """The conversation, the answer form and the prefecture's answer templates
    (`?template=<id>` fills the answer with one: no JavaScript needed)."""
    from sejour.conversations import selectors as conversations
    from sejour.conversations.forms import MessageForm
    from sejour.conversations.services import ended_reason

    templates = list(conversations.templates_for(application.prefecture_id))
    chosen = _cursor(request.GET.get("template"))
    if form is None:
        initial = next((t.body for t in templates if t.pk == chosen), "")
        form = MessageForm(initial={"body": initial}, label=_("Your answer"))
    return {
        "conversation": conversations.conversation(application),
        "conversation_ended": ended_reason(application),
        "message_form": form,
        "answer_templates": templates,
        "chosen_template": chosen,
    }


@agent_required
def application_view(request, reference, forms=None, status=200):
    application = _application(request, reference)
    role = services.role_of(request.user)
    actions = {transition.action for transition in actions_for(application.status, role)}
    requirements = document_requirements(
        motive=application.motive, procedure=application.procedure, on=application.created_at.date()
    )
    rule = instruction_rule(timezone.localdate())
    forms = forms or {}
    complements = list(application.complement_requests.select_related("created_by"))
    labels = {r.code: r.label for r in requirements}
    for complement in complements:
        complement.labelled_items = [
            (labels.get(item["code"], item["code"]), item["problem"]) for item in complement.items
        ]
        complement.changes = _what_changed(application, complement)
    context = {
        "application": application,
        "identity": identity_compare(application),
        "identity_form": forms.get("review_identity") or IdentityReviewForm(),
        "answers": answers_display(application),
        "documents": documents_history(application, sent_only=True),
        "attestations": application.attestations.all(),
        "events": staff_history(application),
        **_conversation_context(request, application, forms.get("message")),
        "complements": complements,
        "legal_deadline": services.legal_deadline(application),
        "actions": actions,
        "fees": services.amount_due(application),
        "complement_form": forms.get("complement")
        or ComplementForm(requirements=requirements, complement_days=rule.complement_days),
        "decision_form": forms.get("decide") or DecisionForm(),
        "close_form": forms.get("close") or CloseForm(),
        "hand_over_form": forms.get("hand_over") or HandOverForm(),
        "action_error": forms.get("error"),
    }
    return render(request, "instruction/application.html", context, status=status)


@agent_required
@require_POST
def application_action(request, reference, action):
    application = _application(request, reference)
    requirements = document_requirements(
        motive=application.motive, procedure=application.procedure, on=application.created_at.date()
    )
    form = None
    try:
        if action == "start_instruction":
            services.instruction_start(application=application, by=request.user)
            done = _("Instruction started.")
        elif action == "request_complement":
            form = ComplementForm(request.POST, requirements=requirements)
            if not form.is_valid():
                return application_view(request, reference, forms={"complement": form}, status=400)
            services.complement_request(
                application=application,
                items=form.items(),
                message=form.cleaned_data["message"],
                deadline=form.cleaned_data["deadline"],
                by=request.user,
            )
            done = _("Request sent to the applicant.")
        elif action == "decide":
            form = DecisionForm(request.POST)
            if not form.is_valid():
                return application_view(request, reference, forms={"decide": form}, status=400)
            services.decision_record(
                application=application,
                favourable=form.cleaned_data["decision"] == "favourable",
                reasons=form.cleaned_data["reasons"],
                by=request.user,
            )
            done = _("Decision recorded.")
        elif action == "close":
            form = CloseForm(request.POST)
            if not form.is_valid():
                return application_view(request, reference, forms={"close": form}, status=400)
            services.application_close(
                application=application, reason=form.cleaned_data["reason"], by=request.user
            )
            done = _("Application closed.")
        elif action == "mark_permit_made":
            services.permit_mark_made(application=application, by=request.user)
            done = _("The applicant is told the permit is ready.")
        elif action == "hand_over":
            form = HandOverForm(request.POST)
            if not form.is_valid():
                return application_view(request, reference, forms={"hand_over": form}, status=400)
            services.permit_hand_over(
                application=application, stamp_numbers=form.numbers(), by=request.user
            )
            done = _("Permit handed over.")
        elif action == "review_identity":
            form = IdentityReviewForm(request.POST)
            if not form.is_valid():
                return application_view(
                    request, reference, forms={"review_identity": form}, status=400
                )
            services.identity_review_record(
                application=application,
                verdict=form.cleaned_data["verdict"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
            done = _("Your finding on the identity is recorded.")
        else:
            return application_view(
                request, reference, forms={"error": _("Unknown action.")}, status=400
            )
    except TransitionNotAllowed:
        return application_view(
            request,
            reference,
            forms={"error": _("This action is not possible in the application's current state.")},
            status=409,
        )
    except PermissionError:
        raise PermissionDenied from None
    except ApplicationError as error:
        if form is not None and error.field in form.fields:
            form.add_error(error.field, str(error))
            key = {"request_complement": "complement", "decide": "decide", "close": "close"}.get(
                action, action
            )
            return application_view(request, reference, forms={key: form}, status=400)
        return application_view(request, reference, forms={"error": str(error)}, status=400)
    messages.success(request, done)
    return redirect("instruction:application", reference=reference)
