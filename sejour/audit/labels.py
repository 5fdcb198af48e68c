"""The words a person reads for each kind of audit event, in one place.

Histories (the applicant's, the prefecture's), the personal-data archive and any
other page take an event's label from here, never its code: `event_label(event)`
as the applicant reads it, `event_label(event, staff=True)` as the prefecture does.
A test checks that every kind the code records has a label.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

from .models import AuditEvent

Label = Callable[[AuditEvent], str]

# The wizard's steps as a history names them (the slugs are stored in the events).
STEP_NAMES: dict[str, Callable[[], str]] = {
    "personal": lambda: _("Personal information"),
    "motive": lambda: _("Project in France"),
    "resources": lambda: _("Resources"),
    "documents": lambda: _("Supporting documents"),
    "summary": lambda: _("Summary"),
    "confirmation": lambda: _("Confirmation"),
    "card": lambda: _("New card"),
    "declaration": lambda: _("What happened"),
}


def step_name(slug: str) -> str:
    name = STEP_NAMES.get(slug)
    return name() if name else _("a step of the form")


def _data(event: AuditEvent, key: str) -> str:
    return str((event.data or {}).get(key) or "")


def _step_saved(e: AuditEvent) -> str:
    return _("Step saved: %(step)s") % {"step": step_name(_data(e, "step"))}


def _corrected(e: AuditEvent) -> str:
    return _("Answers corrected: %(step)s") % {"step": step_name(_data(e, "step"))}


def _moved(e: AuditEvent) -> str:
    if e.data.get("to_name"):
        return _("Sent to the %(prefecture)s after your change of address") % {
            "prefecture": e.data["to_name"]
        }
    return _("Sent to another prefecture after your change of address")


# As the applicant reads them (and the prefecture, where STAFF_LABELS has nothing else).
EVENT_LABELS: dict[str, Label] = {
    # The application
    "application.created": lambda e: _("Application started"),
    "application.reclassified": lambda e: _(
        "Now treated as a renewal: the card after a VLS-TS costs the renewal tax, and its "
        "ADP allows travel"
    ),
    "application.step_saved": _step_saved,
    "application.ephoto_set": lambda e: _("E-photo code given"),
    "application.submit": lambda e: _("Application filed"),
    "application.submitted": lambda e: _("Application filed"),
    "application.correct": _corrected,
    "application.corrected": _corrected,
    "application.complete": lambda e: _("Documents added or replaced"),
    "application.withdraw": lambda e: _("Application withdrawn"),
    "application.moved": _moved,
    "application.abandon_draft": lambda e: _("Draft deleted"),
    "application.start_instruction": lambda e: _(
        "The prefecture started examining the application"
    ),
    "application.request_complement": lambda e: _("The prefecture asked for documents"),
    "application.answer_complement": lambda e: _("Answer sent to the prefecture"),
    "application.decide": lambda e: _("Decision taken"),
    "application.close": lambda e: _("Application closed without follow-up"),
    "application.mark_permit_made": lambda e: _("Permit ready to collect"),
    "application.hand_over": lambda e: _("Permit handed over"),
    "application.identity_reviewed": lambda e: _("Identity checked against the national file"),
    # Supporting documents
    "document.added": lambda e: _("Document added: %(name)s") % {"name": _data(e, "name")},
    "document.added_after_filing": lambda e: (
        _("Document added after filing: %(name)s") % {"name": _data(e, "name")}
    ),
    "document.removed": lambda e: _("Document removed"),
    "document.removed_after_filing": lambda e: _("Document removed after filing"),
    "document.loss_declared": lambda e: _("Loss, theft or damage of the permit declared"),
    # Attestations
    "attestation.issued": lambda e: (
        _("Attestation issued: %(number)s") % {"number": _data(e, "number")}
    ),
    "attestation.ended": lambda e: (
        _("Attestation no longer valid: %(number)s") % {"number": _data(e, "number")}
    ),
    # Conversations
    "message.sent": lambda e: (
        _("Message from the prefecture")
        if e.data.get("side") == "prefecture"
        else _("Message sent to the prefecture")
    ),
    "message.read": lambda e: _("The applicant read the prefecture's messages"),
    "answer_template.created": lambda e: (
        _("Answer template created: %(title)s") % {"title": _data(e, "title")}
    ),
    "answer_template.changed": lambda e: (
        _("Answer template changed: %(title)s") % {"title": _data(e, "title")}
    ),
    "answer_template.deleted": lambda e: (
        _("Answer template deleted: %(title)s") % {"title": _data(e, "title")}
    ),
    # The account
    "account.created": lambda e: _("Account created"),
    "account.email_verified": lambda e: _("E-mail address confirmed"),
    "account.activated": lambda e: _("Foreign-national number received"),
    "account.logged_in": lambda e: _("Logged in"),
    "account.locked": lambda e: _("Account locked after too many failed attempts"),
    "account.unlocked": lambda e: _("Account unlocked"),
    "account.password_changed": lambda e: _("Password changed"),
    "account.password_reset": lambda e: _("Password chosen again after “Forgotten password”"),
    "account.notice_preferences_changed": lambda e: _("Message settings changed"),
    "account.language_changed": lambda e: _("Language of the account changed"),
    "account.renewal_reminder_sent": lambda e: _("Renewal reminder sent"),
    # Support
    "assistance.started": lambda e: _("A support agent started helping, with your consent"),
    "assistance.ended": lambda e: _("The support agent stopped helping"),
    "ticket.created": lambda e: (
        _("Message sent to the support: %(ticket)s") % {"ticket": _data(e, "ticket")}
    ),
    "ticket.answered": lambda e: (
        _("The support answered: %(ticket)s") % {"ticket": _data(e, "ticket")}
    ),
    "ticket.closed": lambda e: (
        _("Support request closed: %(ticket)s") % {"ticket": _data(e, "ticket")}
    ),
    # Employers
    "employer.signed_up": lambda e: _("Employer account created"),
    "employer.member_joined": lambda e: _("Colleague joined the employer account"),
    "employer.invited": lambda e: _("Colleague invited to the employer account"),
    "employer.member_removed": lambda e: _("Colleague removed from the employer account"),
    "employer.api_token_created": lambda e: _("API key created"),
    "employer.api_token_revoked": lambda e: _("API key revoked"),
    "employer_check.sent": lambda e: _("An employer's check sent to the prefecture"),
    "employer_check.answered": lambda e: _("An employer's check answered"),
    "employer_check.reported": lambda e: _("An employer's check reported as wrong"),
    "employer_check.purged": lambda e: _("Old employers' checks deleted"),
    # Collection sites, as their supervisors set them (appointments' own words are
    # added by collection/history.py at start-up)
    "collection.site_created": lambda e: (
        _("Collection site created: %(site)s") % {"site": _data(e, "name") or _data(e, "site")}
    ),
    "collection.site_changed": lambda e: (
        _("Collection site changed: %(site)s") % {"site": _data(e, "name") or _data(e, "site")}
    ),
    "collection.hours_changed": lambda e: (
        _("Opening hours changed: %(site)s") % {"site": _data(e, "site")}
    ),
    "collection.closure_added": lambda e: (
        _("Closing days added: %(site)s") % {"site": _data(e, "site")}
    ),
    "collection.closure_removed": lambda e: (
        _("Closing days removed: %(site)s") % {"site": _data(e, "site")}
    ),
    "collection.threshold_changed": lambda e: _("Waiting time alert changed"),
    # Operations
    "partner_address.added": lambda e: (
        _("Partner address added: %(name)s") % {"name": _data(e, "name")}
    ),
    "partner_address.removed": lambda e: (
        _("Partner address removed: %(name)s") % {"name": _data(e, "name")}
    ),
}

# What the prefecture reads differently, from its side of the application.
STAFF_LABELS: dict[str, Label] = {
    # A file added to the draft may have been removed before sending, and was then never
    # given to the prefecture (not even its name).
    "document.added": lambda e: _("Document added before filing"),
    "application.answer_complement": lambda e: _("The applicant answered the request"),
    "application.moved": lambda e: (
        _("Moved to the %(prefecture)s after the applicant's change of address")
        % {"prefecture": e.data["to_name"]}
        if e.data.get("to_name")
        else _("Moved to another prefecture after the applicant's change of address")
    ),
    "message.sent": lambda e: (
        _("Message sent to the applicant")
        if e.data.get("side") == "prefecture"
        else _("Message from the applicant")
    ),
    "assistance.started": lambda e: _("A support agent started helping, with consent"),
}


def event_label(event: AuditEvent, *, staff: bool = False) -> str:
    """The event in words, as its reader is addressed; never the code."""
    label = (STAFF_LABELS.get(event.action) if staff else None) or EVENT_LABELS.get(event.action)
    return label(event) if label else _("Other event")
