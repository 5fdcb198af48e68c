"""Reads about applications, and who may read them."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from sejour.accounts.models import User
from sejour.audit.models import AuditEvent
from sejour.rules.services import document_requirements, wizard_steps

from .forms import MOTIVE_FORMS, AddressCardForm, DeclarationForm, PersonalForm, ResourcesForm
from .models import Application, Status

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


EVENT_LABELS = {
    "application.created": lambda e: _("Application started"),
    "application.reclassified": lambda e: _(
        "Now treated as a renewal: the card after a VLS-TS costs the renewal tax, and its "
        "ADP allows travel"
    ),
    "application.step_saved": lambda e: (
        _("Step saved: %(step)s") % {"step": e.data.get("step", "")}
    ),
    "application.ephoto_set": lambda e: _("E-photo code given"),
    "application.submitted": lambda e: _("Application filed"),
    "application.corrected": lambda e: (
        _("Answers corrected: %(step)s") % {"step": e.data.get("step", "")}
    ),
    "application.withdraw": lambda e: _("Application withdrawn"),
    "application.moved": lambda e: (
        _("Sent to the %(prefecture)s after your change of address")
        % {"prefecture": e.data["to_name"]}
        if e.data.get("to_name")
        else _("Sent to another prefecture after your change of address")
    ),
    "application.abandon_draft": lambda e: _("Draft deleted"),
    "document.added": lambda e: _("Document added: %(name)s") % {"name": e.data.get("name", "")},
    "document.added_after_filing": lambda e: (
        _("Document added after filing: %(name)s") % {"name": e.data.get("name", "")}
    ),
    "document.removed": lambda e: _("Document removed"),
    "document.loss_declared": lambda e: _("Loss, theft or damage of the permit declared"),
    "document.removed_after_filing": lambda e: _("Document removed after filing"),
    "attestation.issued": lambda e: (
        _("Attestation issued: %(number)s") % {"number": e.data.get("number", "")}
    ),
    "attestation.ended": lambda e: (
        _("Attestation no longer valid: %(number)s") % {"number": e.data.get("number", "")}
    ),
    "application.start_instruction": lambda e: _(
        "The prefecture started examining the application"
    ),
    "application.request_complement": lambda e: _("The prefecture asked for documents"),
    "application.answer_complement": lambda e: _("Answer sent to the prefecture"),
    "application.decide": lambda e: _("Decision taken"),
    "application.close": lambda e: _("Application closed without follow-up"),
    "application.mark_permit_made": lambda e: _("Permit ready to collect"),
    "application.hand_over": lambda e: _("Permit handed over"),
    "message.sent": lambda e: (
        _("Message from the prefecture")
        if e.data.get("side") == "prefecture"
        else _("Message sent to the prefecture")
    ),
    # Shown to the prefecture only (the applicant's history leaves it out).
    "message.read": lambda e: _("The applicant read the prefecture's messages"),
}


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


def timeline(application: Application) -> list[dict]:
    """What happened to the application, oldest first, as the applicant may see it."""
    events = AuditEvent.objects.filter(
        application=application, visible_to_applicant=True
    ).select_related("actor")
    return [
        {
            "when": event.created_at,
            "label": EVENT_LABELS.get(event.action, lambda e: e.action)(event),
            "reason": event.reason,
            "by_someone_else": event.actor_id not in (None, application.applicant_id),
            "on_behalf": on_behalf_line(event, application.applicant),
        }
        for event in events.order_by("created_at", "id")
    ]


# What the prefecture reads differently: a file added to the draft may have been removed
# before sending, and was then never given to the prefecture (not even its name).
STAFF_LABELS = {
    "document.added": lambda e: _("Document added before filing"),
}


def staff_history(application: Application) -> list[dict]:
    """Every event of the application, oldest first, as the prefecture sees it: who
    acted, and for what a support agent did, "by <agent> on behalf of <person>"."""
    events = AuditEvent.objects.filter(application=application).select_related("actor")
    labels = {**EVENT_LABELS, **STAFF_LABELS}
    return [
        {
            "event": event,
            "label": labels[event.action](event) if event.action in labels else event.action,
            "who": on_behalf_line(event, application.applicant)
            or (event.actor.full_name if event.actor else "")
            or _("Séjour"),
        }
        for event in events.order_by("created_at", "id")
    ]


def _display(form, data: dict) -> list[tuple[str, str]]:
    rows = []
    for name, field in form.fields.items():
        value = data.get(name, "")
        choices = dict(getattr(field, "choices", []) or [])
        if isinstance(value, list):
            value = ", ".join(str(choices.get(item, item)) for item in value)
        elif isinstance(value, bool):
            value = _("Yes") if value else _("No")
        else:
            value = str(choices.get(value, value)) if choices else value
        rows.append((str(field.label), value if value not in ("", None) else "—"))
    return rows


def answers_display(application: Application) -> list[dict]:
    forms = {
        "personal": PersonalForm(),
        "resources": ResourcesForm(),
        "card": AddressCardForm(),
        "declaration": DeclarationForm(),
    }
    if application.motive in MOTIVE_FORMS:
        forms["motive"] = MOTIVE_FORMS[application.motive]()
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
