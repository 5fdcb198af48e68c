"""Reads about applications, and who may read them."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from sejour.accounts.models import User
from sejour.audit import labels
from sejour.audit.models import AuditEvent
from sejour.core.templatetags.sejour import euros
from sejour.rules.services import document_requirements, wizard_steps

from .forms import MOTIVE_FORMS, AddressCardForm, DeclarationForm, PersonalForm, ResourcesForm
from .models import Application, Status, status_label

AGENT_ROLES = (User.Role.AGENT, User.Role.SUPERVISOR)


def application_for_applicant(request, reference: str) -> Application:
    """The application if it is the requester's own; 404 for anyone else."""
    return get_object_or_404(
        Application.objects.select_related("prefecture"),
        reference=reference,
        applicant=request.user,
    )


def can_view(user, application: Application) -> bool:
    """The owner, and agents of the competent prefecture."""
    if not user.is_authenticated:
        return False
    if application.applicant_id == user.pk:
        return True
    return (
        user.role in AGENT_ROLES
        and user.prefecture_id is not None
        and user.prefecture_id == application.prefecture_id
        and application.filed_at is not None  # drafts, even deleted ones, stay private
    )


def application_for_viewer(request, reference: str) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("prefecture"), reference=reference
    )
    if not can_view(request.user, application):
        raise Http404
    return application


def files_by_requirement(
    application: Application, include_removed: bool = False, sent_only: bool = False
) -> dict:
    files = application.files.select_related("uploaded_by")
    if not include_removed:
        files = files.filter(removed_at__isnull=True)
    if sent_only:
        # What the person removed before sending was never given to the prefecture.
        files = files.filter(submitted=True)
    grouped: dict[str, list] = {}
    for supporting_file in files:
        grouped.setdefault(supporting_file.requirement_code, []).append(supporting_file)
    return grouped


# Other apps add the words of their own kinds here at start-up (collection/history.py):
# the very dict of audit.labels, so every history and the personal-data archive read them.
EVENT_LABELS = labels.EVENT_LABELS


def on_behalf_line(event: AuditEvent, person) -> str:
    """ "by <agent's name> on behalf of <person>" for what a support agent did with the
    person's consent; empty otherwise. Never the agent's login (older events, written
    before the name was kept, say "a support agent")."""
    if not event.data.get("on_behalf_by"):
        return ""
    return _("by %(agent)s on behalf of %(person)s") % {
        "agent": event.data.get("on_behalf_by_name") or _("a support agent"),
        "person": person.full_name,
    }


def _events_of(application: Application) -> Q:
    """The application's own events, and the loss, theft or damage of the card it
    renews declared just before it (rule DUPLICATE-UNDER-90-DAYS: the declaration is
    recorded without an application, then the person is sent to the renewal)."""
    own = Q(application=application)
    card = application.current_document.get("number")
    if not card:
        return own
    return own | Q(
        application__isnull=True,
        subject_id=application.applicant_id,
        action="document.loss_declared",
        data__document=card,
    )


def timeline(application: Application) -> list[dict]:
    """What happened to the application, oldest first, as the applicant may see it."""
    events = AuditEvent.objects.filter(
        _events_of(application), visible_to_applicant=True
    ).select_related("actor")
    return [
        {
            "when": event.created_at,
            "label": labels.event_label(event),
            "reason": event.reason,
            "by_someone_else": event.actor_id not in (None, application.applicant_id),
            "on_behalf": on_behalf_line(event, application.applicant),
        }
        for event in events.order_by("created_at", "id")
    ]


def staff_history(application: Application) -> list[dict]:
    """Every event of the application, oldest first, as the prefecture sees it: who
    acted, and for what a support agent did, "by <agent> on behalf of <person>"."""
    events = AuditEvent.objects.filter(_events_of(application)).select_related("actor")
    return [
        {
            "event": event,
            "label": labels.event_label(event, staff=True),
            "from_status": status_label(event.from_status, staff=True) if event.from_status else "",
            "to_status": status_label(event.to_status, staff=True) if event.to_status else "",
            "who": on_behalf_line(event, application.applicant)
            or (event.actor.full_name if event.actor else "")
            or _("Séjour"),
        }
        for event in events.order_by("created_at", "id")
    ]


# Answers given in euros, shown as amounts ("1 200 €", with the reader's separators).
AMOUNT_FIELDS = {"monthly_amount", "annual_salary"}


def _date_shown(value) -> str:
    """An answered date ("1990-03-12" as stored) in the reader's words: "12 March 1990"."""
    try:
        return date_format(date.fromisoformat(str(value)), "j F Y")
    except ValueError:
        return str(value)


def _euros_shown(value) -> str:
    try:
        return euros(int(Decimal(str(value)) * 100))
    except (InvalidOperation, ValueError):
        return str(value)


def _display(form, data: dict) -> list[tuple[str, str]]:
    rows = []
    for name, field in form.fields.items():
        value = data.get(name, "")
        choices = dict(getattr(field, "choices", []) or [])
        if value in ("", None):
            pass
        elif isinstance(field, forms.DateField):
            value = _date_shown(value)
        elif name in AMOUNT_FIELDS:
            value = _euros_shown(value)
        elif isinstance(field, forms.DecimalField | forms.IntegerField):
            value = number_format(value, use_l10n=True, force_grouping=True)
        elif isinstance(value, list):
            value = ", ".join(str(choices.get(item, item)) for item in value)
        elif isinstance(value, bool):
            value = _("Yes") if value else _("No")
        else:
            value = str(choices.get(value, value)) if choices else value
        rows.append((str(field.label), value if value not in ("", None) else "—"))
    return rows


def _step_forms(application: Application) -> dict:
    step_forms = {
        "personal": PersonalForm(),
        "resources": ResourcesForm(),
        "card": AddressCardForm(),
        "declaration": DeclarationForm(),
    }
    if application.motive in MOTIVE_FORMS:
        step_forms["motive"] = MOTIVE_FORMS[application.motive]()
    return step_forms


def corrected_fields(application: Application, event: AuditEvent) -> list[str]:
    """The questions whose answers a correction changed, by their labels (not the
    form's field names)."""
    form = _step_forms(application).get(event.data.get("step", ""))
    names = event.data.get("changes") or {}
    if form is None:
        return []
    return [str(form.fields[name].label) for name in names if name in form.fields]


def answers_display(application: Application) -> list[dict]:
    forms = _step_forms(application)
    return [
        {"step": step, "rows": _display(forms[step.slug], application.answers.get(step.slug, {}))}
        for step in wizard_steps(
            motive=application.motive,
            on=application.created_at.date(),
            procedure=application.procedure,
        )
        if step.slug in forms
    ]


def documents_history(application: Application, sent_only: bool = False) -> list[dict]:
    """Every version of every document, removed ones included, by requirement."""
    labels = {
        requirement.code: requirement.label
        for requirement in document_requirements(
            motive=application.motive,
            procedure=application.procedure,
            on=application.created_at.date(),
        )
    }
    return [
        {"label": labels.get(code, code), "versions": versions}
        for code, versions in files_by_requirement(
            application, include_removed=True, sent_only=sent_only
        ).items()
    ]


def application_pending_for(*, foreign_number: str) -> Application | None:
    """The holder's application still waiting for a decision, if any (employers'
    checks: a renewal under examination is covered by ADPs issued before any gap)."""
    return (
        Application.objects.select_related("prefecture")
        .filter(
            applicant__identifier=foreign_number,
            status__in=(Status.FILED, Status.UNDER_INSTRUCTION, Status.WAITING_APPLICANT),
        )
        .order_by("-filed_at")
        .first()
    )
