"""Writes on applications: each a transaction that checks the state machine,
changes the application, and records an audit event; e-mails and PDFs are
queued for after the commit."""

from dataclasses import asdict
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from sejour.accounts.languages import language_of
from sejour.accounts.models import User
from sejour.audit.services import audit_record
from sejour.figures.services import tallies_shift, tally_keys
from sejour.notifications.services import outbox_email
from sejour.registry.adapter import ONLINE_MOTIVES, DocumentRecord, get_registry
from sejour.registry.ephoto import get_ephoto_service, normalise
from sejour.registry.models import DocumentKind, Prefecture
from sejour.rules.models import Procedure
from sejour.rules.services import (
    CHANGE_PROCEDURES,
    document_requirements,
    filing_window,
    procedure_for,
    wizard_steps,
)

from .models import Application, Status
from .states import APPLICANT, ENDED, OPEN_BEFORE_DECISION, TransitionNotAllowed, transition_for

ANSWER_STEPS = ("personal", "motive", "resources", "card", "declaration")

__all__ = ["ApplicationError", "TransitionNotAllowed"]


class ApplicationError(Exception):
    """A rule stopped the change; the message is for the person (and `field` says where).

    `link` (address, label) is where the person can do what they asked instead.
    """

    def __init__(self, message: str, field: str | None = None, link: tuple | None = None):
        super().__init__(message)
        self.field = field
        self.link = link

    @property
    def html(self) -> str:
        """The message for a page, with its link; everything in it escaped."""
        if not self.link:
            return str(self)
        url, label = self.link
        return format_html('{} <a href="{}">{}</a>', str(self), url, label)


def current_document_for(user) -> DocumentRecord | None:
    registry = get_registry()
    if user.identifier:
        return registry.current_document(foreign_number=user.identifier)
    if user.visa_number:
        return registry.visa(visa_number=user.visa_number)
    return None


def window_refusal(window) -> str:
    return _(
        "It is too early to file: you can apply from %(date)s, four months before your "
        "document ends. Come back then; nothing is lost by waiting."
    ) % {"date": date_format(window.opens_on, "j F Y")}


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _document_snapshot(document: DocumentRecord) -> dict:
    snapshot = asdict(document)
    snapshot.pop("person")
    for key in ("valid_from", "valid_until"):
        snapshot[key] = snapshot[key].isoformat()
    return snapshot


CHANGE_KINDS_ALLOWED = ("permit", "receipt", "vls_ts")
DUPLICATE_REDIRECT_DAYS = 90


def _years_after(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def valid_for_less_than_a_year(valid_from: date, valid_until: date) -> bool:
    """Rule ADDRESS-UNDER-1-YEAR: a validity is counted in calendar years, as the
    law writes durations, both ends included. A card valid 1 September → 31 August
    is valid for one year (364 days apart, not "less than a year"); one that ends
    on 30 August is valid for less."""
    return valid_until < _years_after(valid_from, 1) - timedelta(days=1)


def change_refusal(*, applicant, procedure: str, today: date | None = None) -> str | None:
    """Why this person cannot declare this change online, or None if they can."""
    today = today or timezone.localdate()
    document = current_document_for(applicant) if applicant.identifier else None
    if (
        document is None
        or document.kind not in CHANGE_KINDS_ALLOWED
        or document.valid_until < today
    ):
        return _("You need a valid residence permit to declare a change of situation online.")
    if (
        procedure == Procedure.DUPLICATE
        and (document.valid_until - today).days < DUPLICATE_REDIRECT_DAYS
    ):
        return _(
            "Your permit ends in less than 90 days: rather than a duplicate, apply for its "
            "renewal, which gives you a new permit."
        )
    return None


def loss_declare_before_renewal(*, applicant, answers: dict, today: date | None = None) -> None:
    """Rule DUPLICATE-UNDER-90-DAYS: with fewer than 90 days left, the loss, theft or
    damage is still declared and kept (a stolen card must be declared), then the
    person is directed to the renewal, which gives them a new permit."""
    today = today or timezone.localdate()
    document = current_document_for(applicant) if applicant.identifier else None
    if (
        document is None
        or document.kind not in CHANGE_KINDS_ALLOWED
        or document.valid_until < today
        or (document.valid_until - today).days >= DUPLICATE_REDIRECT_DAYS
    ):
        raise ApplicationError(_("This declaration is made with the duplicate procedure."))
    with transaction.atomic():
        audit_record(
            action="document.loss_declared",
            actor=applicant,
            subject=applicant,
            reason=answers.get("circumstances", ""),
            data={
                "document": document.number,
                "what": answers["what"],
                "when": answers["when"],
                "where": answers["where"],
            },
        )


def application_start_change(
    *, applicant, procedure: str, today: date | None = None
) -> Application:
    """Start declaring a change of address or a lost, stolen or damaged permit."""
    if procedure not in CHANGE_PROCEDURES:
        raise ApplicationError(_("Unknown procedure."))
    refusal = change_refusal(applicant=applicant, procedure=procedure, today=today)
    if refusal:
        raise ApplicationError(refusal)
    document = current_document_for(applicant)
    with transaction.atomic():
        User.objects.select_for_update().get(pk=applicant.pk)
        existing = (
            Application.objects.select_for_update()
            .filter(applicant=applicant, procedure=procedure, status=Status.DRAFT)
            .first()
        )
        if existing:
            return existing
        return _draft_create(
            applicant=applicant, procedure=procedure, motive=document.motive, document=document
        )


def _draft_create(
    *, applicant, procedure: str, motive: str, document: DocumentRecord
) -> Application:
    """A new draft, prefilled from the national file, and its first audit event."""
    application = Application.objects.create(
        applicant=applicant,
        procedure=procedure,
        motive=motive,
        current_document=_document_snapshot(document),
        current_document_ends_on=document.valid_until,
        answers={"personal": _personal_from(document.person)},
    )
    audit_record(
        action="application.created",
        actor=applicant,
        subject=applicant,
        application=application,
        to_status=Status.DRAFT,
        data={"motive": motive, "procedure": procedure},
    )
    return application


def application_transition(
    *, application: Application, action: str, by, role: str, reason: str = "", data=None
) -> Application:
    """Move a locked application along the state machine and record it.

    Call it inside the transaction that locked the row: the check, the change and
    the audit event commit together or not at all.
    """
    transition = transition_for(action, application.status, role)
    before = application.status
    application.status = transition.target
    if application.status != Status.WAITING_APPLICANT:
        application.reply_due_on = None  # the applicant's deadline runs only while asked
    if application.status in ENDED:
        application.awaiting_answer_since = None  # nobody answers an ended application
    application.save()
    audit_record(
        action=f"application.{action}",
        actor=by,
        subject=application.applicant,
        application=application,
        from_status=before,
        to_status=application.status,
        reason=reason,
        data=data or {},
    )
    return application


def _personal_from(person) -> dict:
    return {
        "last_name": person.last_name,
        "first_names": person.first_names,
        "birth_date": person.birth_date.isoformat(),
        "birth_place": person.birth_place,
        "nationality": person.nationality,
        "address": person.address,
        "postcode": person.postcode,
        "city": person.city,
        "phone": "",
    }


def needs_ephoto(application: Application) -> bool:
    """A new card needs a photo and a signature."""
    if application.procedure == Procedure.ADDRESS_CHANGE:
        return application.answers.get("card", {}).get("new_card") == "yes"
    return True


def application_start(*, applicant, motive: str, today: date | None = None) -> Application:
    """Create a draft for this motive, or return the draft already started."""
    today = today or timezone.localdate()
    if motive not in ONLINE_MOTIVES:
        raise ApplicationError(_("This kind of permit cannot be requested online."))
    document = current_document_for(applicant)
    if document is None or not document.allows_application_for(motive):
        raise ApplicationError(_("Your current document does not allow an online application."))
    window = filing_window(
        document_kind=document.kind,
        valid_from=document.valid_from,
        valid_until=document.valid_until,
        today=today,
    )
    if not window.is_open:
        raise ApplicationError(window_refusal(window))
    with transaction.atomic():
        # Two clicks on "Start" give one draft: lock the person, then look for it.
        User.objects.select_for_update().get(pk=applicant.pk)
        existing = (
            Application.objects.select_for_update()
            .filter(applicant=applicant, motive=motive, status=Status.DRAFT)
            .exclude(procedure__in=CHANGE_PROCEDURES)
            .first()
        )
        if existing:
            return existing
        return _draft_create(
            applicant=applicant,
            procedure=procedure_for(document.kind),
            motive=motive,
            document=document,
        )


# Decision 0011, for the applications started before it: not decided yet, so their
# fee and their next ADPs can still follow the rule.
RECLASSIFIABLE = (Status.DRAFT, *OPEN_BEFORE_DECISION)


def vls_ts_renewals_reclassify(*, by=None) -> int:
    """Applications started from a validated VLS-TS as first applications become
    renewals (renewal tax; the next ADPs are renewal ones), each change audited and
    shown in the history. Decided ones are left as they are. Returns how many changed."""
    changed = 0
    candidates = Application.objects.filter(
        procedure=Procedure.FIRST,
        current_document__kind=DocumentKind.VLS_TS,
        status__in=RECLASSIFIABLE,
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            application = _lock(Application(pk=pk))
            if application.procedure != Procedure.FIRST or application.status not in (
                RECLASSIFIABLE
            ):
                continue  # decided or changed meanwhile
            application.procedure = Procedure.RENEWAL
            application.save(update_fields=["procedure"])
            audit_record(
                action="application.reclassified",
                actor=by,
                subject=application.applicant,
                application=application,
                data={"from": Procedure.FIRST, "to": Procedure.RENEWAL},
            )
        changed += 1
    return changed


def step_slugs(application: Application) -> list[str]:
    return [
        step.slug
        for step in wizard_steps(
            motive=application.motive,
            on=application.created_at.date(),
            procedure=application.procedure,
        )
    ]


def next_step(application: Application) -> str:
    """Where the wizard resumes: the step after the last one saved."""
    slugs = step_slugs(application)
    if application.last_step not in slugs:
        return slugs[0]
    return slugs[min(slugs.index(application.last_step) + 1, len(slugs) - 1)]


def _prefecture_for(postcode: str) -> Prefecture:
    record = get_registry().prefecture_for_postcode(postcode)
    if record is None:
        raise ApplicationError(
            _("We cannot find the prefecture for this postcode. Check it: 5 digits."), "postcode"
        )
    return Prefecture.objects.get(department_code=record.department_code)


def application_step_save(*, application: Application, step: str, data: dict, by) -> Application:
    """Save one validated wizard step of a draft; going back never loses a later step."""
    with transaction.atomic():
        application = _lock(application)
        if application.status != Status.DRAFT:
            raise ApplicationError(_("This application has been sent: use “Correct my answers”."))
        slugs = step_slugs(application)
        if step in ("personal",):
            application.prefecture = _prefecture_for(data["postcode"])
        if step in ANSWER_STEPS:
            application.answers = {**application.answers, step: data}
        if slugs.index(step) > (
            slugs.index(application.last_step) if application.last_step in slugs else -1
        ):
            application.last_step = step
        application.save()
        audit_record(
            action="application.step_saved",
            actor=by,
            subject=application.applicant,
            application=application,
            data={"step": step},
        )
    return application


def _prefecture_kept(application: Application, postcode: str) -> None:
    """After filing, a correction never changes the prefecture: only a declared change
    of address moves an application (audited `application.moved`, the person told)."""
    if _prefecture_for(postcode).pk == application.prefecture_id:
        return
    values = {
        "prefecture": application.prefecture.name,
        "postcode": application.answers.get("personal", {}).get("postcode", ""),
    }
    if application.procedure == Procedure.ADDRESS_CHANGE:
        message = _(
            "This declaration stays with the %(prefecture)s: a correction cannot send it to "
            "another prefecture. Keep a postcode of that département (it was %(postcode)s), "
            "or withdraw this declaration and declare your new address again."
        )
    else:
        message = _(
            "Your application stays with the %(prefecture)s: a correction cannot send it to "
            "another prefecture. Keep a postcode of that département (it was %(postcode)s). "
            "If you have moved, declare your change of address: your applications will follow."
        )
    raise ApplicationError(
        message % values,
        "postcode",
        link=(reverse("changes:address"), _("Declare a change of address")),
    )


def application_correct(*, application: Application, step: str, data: dict, by) -> Application:
    """Correct the answers of a sent application, before a decision; the history keeps both."""
    with transaction.atomic():
        application = _lock(application)
        transition_for("correct", application.status, APPLICANT)
        before = application.answers.get(step, {})
        changed = {
            key: [before.get(key), value] for key, value in data.items() if before.get(key) != value
        }
        if not changed:
            return application
        before = tally_keys(application)
        if step == "personal":
            _prefecture_kept(application, data["postcode"])
        application.answers = {**application.answers, step: data}
        application.save()
        tallies_shift(application=application, before=before)
        audit_record(
            action="application.corrected",
            actor=by,
            subject=application.applicant,
            application=application,
            data={"step": step, "changes": changed},
        )
    return application


EPHOTO_MESSAGES = {
    "unknown": lambda check: _(
        "We do not know this e-photo code. Check it against your photo sheet: about 22 "
        "letters and digits."
    ),
    "not_yet_available": lambda check: (
        _(
            "This code is not available yet: the photo booth sends the photo within 24 to 48 "
            "hours. Try again after %(time)s."
        )
        % {"time": date_format(localtime(check.available_at), "j F Y, H:i")}
    ),
    "expired": lambda check: _(
        "This code has expired: an e-photo can be used for 6 months after it is taken. "
        "Have a new e-photo taken."
    ),
    "used": lambda check: _(
        "This code has already been used for another application. A code works for one "
        "application only: have a new e-photo taken."
    ),
}


def ephoto_problem(code: str) -> str | None:
    check = get_ephoto_service().check(code)
    return None if check.is_valid else EPHOTO_MESSAGES[check.status](check)


def application_ephoto_set(*, application: Application, code: str, by) -> Application:
    problem = ephoto_problem(code)
    if problem:
        raise ApplicationError(problem, "code")
    with transaction.atomic():
        application = _lock(application)
        if application.status != Status.DRAFT:
            raise ApplicationError(_("This application has been sent already."))
        application.ephoto_code = normalise(code)
        application.save(update_fields=["ephoto_code", "updated_at"])
        audit_record(
            action="application.ephoto_set",
            actor=by,
            subject=application.applicant,
            application=application,
        )
    return application


def missing_requirements(application: Application) -> list:
    """Required documents that have no current file yet (a letter counts)."""
    present = set(
        application.files.filter(removed_at__isnull=True).values_list("requirement_code", flat=True)
    )
    stolen = application.answers.get("declaration", {}).get("what") == "theft"
    return [
        requirement
        for requirement in document_requirements(
            motive=application.motive,
            procedure=application.procedure,
            on=application.created_at.date(),
        )
        if (requirement.required or (stolen and requirement.code == "police_report"))
        and requirement.code not in present
    ]


def application_submit(*, application: Application, by, today: date | None = None) -> Application:
    """File the application: once, whatever the number of clicks or tabs."""
    from sejour.attestations.tasks import issue_filing_attestation

    today = today or timezone.localdate()
    with transaction.atomic():
        application = _lock(application)
        if application.status == Status.FILED:
            return application  # a double click: already done
        transition = transition_for("submit", application.status, APPLICANT)
        slugs = step_slugs(application)
        if slugs.index(
            application.last_step if application.last_step in slugs else slugs[0]
        ) < slugs.index("summary"):
            raise ApplicationError(_("Some steps are not complete yet."))
        if missing_requirements(application):
            raise ApplicationError(_("Some required documents are missing."))
        if needs_ephoto(application) and not application.ephoto_code:
            raise ApplicationError(_("Give your e-photo code at the “Supporting documents” step."))
        late = False
        if application.procedure not in CHANGE_PROCEDURES:
            document = application.current_document
            window = filing_window(
                document_kind=document["kind"],
                valid_from=date.fromisoformat(document["valid_from"]),
                valid_until=date.fromisoformat(document["valid_until"]),
                today=today,
            )
            if not window.is_open:
                raise ApplicationError(window_refusal(window))
            late = window.is_late
        if needs_ephoto(application):
            problem = ephoto_problem(application.ephoto_code)
            if problem or not get_ephoto_service().consume(application.ephoto_code):
                raise ApplicationError(problem or EPHOTO_MESSAGES["used"](None), "code")
        application.status = transition.target
        application.late = late
        application.filed_at = timezone.now()
        application.last_step = "confirmation"
        application.save()
        application.files.filter(removed_at__isnull=True).update(submitted=True)
        audit_record(
            action="application.submitted",
            actor=by,
            subject=application.applicant,
            application=application,
            from_status=Status.DRAFT,
            to_status=application.status,
            data={"late": application.late, "prefecture": application.prefecture.department_code},
        )
        tallies_shift(application=application, before=[])
        if application.procedure == Procedure.ADDRESS_CHANGE:
            _move_open_applications(application, by)
        application_id = application.pk
        transaction.on_commit(lambda: issue_filing_attestation.enqueue(application_id))
    return application


def _move_open_applications(address_change: Application, by) -> None:
    """A new département: the person's open applications go to the new prefecture,
    and the person is told which ones, by e-mail and in each application's history."""
    moved = []
    for other in (
        Application.objects.select_for_update(of=("self",))
        .filter(applicant=address_change.applicant, status__in=OPEN_BEFORE_DECISION)
        .exclude(pk=address_change.pk)
        .exclude(prefecture=address_change.prefecture)
        .select_related("prefecture")
    ):
        before = other.prefecture
        counted = tally_keys(other)
        other.prefecture = address_change.prefecture
        other.save(update_fields=["prefecture", "updated_at"])
        tallies_shift(application=other, before=counted)
        audit_record(
            action="application.moved",
            actor=by,
            subject=other.applicant,
            application=other,
            reason=_("Change of address %(reference)s") % {"reference": address_change.reference},
            data={
                "from": before.department_code if before else None,
                "to": address_change.prefecture.department_code,
                "to_name": address_change.prefecture.name,
                "address_change": address_change.reference,
            },
        )
        moved.append(other)
    if moved:
        language = language_of(address_change.applicant)
        with translation.override(language):
            outbox_email(
                language=language,
                to=address_change.applicant.email,
                subject=_("Séjour: your applications go to the %(prefecture)s")
                % {"prefecture": address_change.prefecture.name},
                template="applications/email/moved.txt",
                context={"address_change": address_change, "moved": moved},
            )


def application_withdraw(*, application: Application, by, reason: str) -> Application:
    from sejour.attestations.models import Attestation
    from sejour.attestations.services import covers_end

    with transaction.atomic():
        application = _lock(application)
        before = tally_keys(application)
        action = "abandon_draft" if application.status == Status.DRAFT else "withdraw"
        application = application_transition(
            application=application, action=action, by=by, role=APPLICANT, reason=reason
        )
        covers_end(
            application=application,
            kind=Attestation.Kind.ADP,
            reason=_("The application was withdrawn."),
            by=by,
        )
        tallies_shift(application=application, before=before)
    return application
