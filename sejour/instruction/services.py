"""The prefecture's actions on an application. Each is one transaction that checks
the state machine and the agent's prefecture, changes the application, writes
an audit event with who, when and why, and queues its e-mails, SMS and PDFs."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sejour.accounts.languages import language_of
from sejour.accounts.models import User
from sejour.accounts.services import account_activate_from_visa
from sejour.applications.models import Application, Decision
from sejour.applications.services import ApplicationError, application_transition
from sejour.applications.states import (
    AGENT,
    APPLICANT,
    SUPERVISOR,
    TransitionNotAllowed,
    transition_for,
)
from sejour.attention.selectors import preferences_for
from sejour.attestations.models import Attestation
from sejour.attestations.services import covers_end
from sejour.audit.services import audit_record
from sejour.core.templatetags.sejour import euros
from sejour.figures.services import decision_count, tallies_shift, tally_keys
from sejour.notifications.phones import international_mobile
from sejour.notifications.services import outbox_email, outbox_sms
from sejour.registry.stamps import get_stamp_service
from sejour.rules.models import Procedure
from sejour.rules.services import (
    document_requirements,
    fee_breakdown,
    implicit_refusal_on,
    instruction_rule,
    stamp_validity,
)

from .identity import identity_compare
from .models import ComplementRequest, IdentityReview

AGENT_ROLES = (User.Role.AGENT, User.Role.SUPERVISOR)


def role_of(user) -> str:
    return SUPERVISOR if user.role == User.Role.SUPERVISOR else AGENT


def _lock_for(application: Application, by, action: str | None = None) -> Application:
    """Lock the row, check the agent belongs to the competent prefecture and, before
    any other rule, that the state machine allows the action."""
    # of=("self",): lock the application row only; its prefecture may be NULL (outer join).
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("applicant", "prefecture")
        .get(pk=application.pk)
    )
    if by.role not in AGENT_ROLES or by.prefecture_id != application.prefecture_id:
        raise PermissionError("agent of another prefecture")
    if action:
        transition_for(action, application.status, role_of(by))
    return application


def instruction_start(*, application: Application, by) -> Application:
    """The prefecture takes note of the application; a visa holder gets their number."""
    with transaction.atomic():
        application = _lock_for(application, by)
        before = tally_keys(application)
        application.instruction_started_at = timezone.now()
        application = application_transition(
            application=application, action="start_instruction", by=by, role=role_of(by)
        )
        tallies_shift(application=application, before=before)
        if application.applicant.is_provisional:
            account_activate_from_visa(user=application.applicant, by=by)
        language = language_of(application.applicant)
        with translation.override(language):
            outbox_email(
                language=language,
                to=application.applicant.email,
                subject=_("Séjour: the prefecture is examining your application %(reference)s")
                % {"reference": application.reference},
                template="instruction/email/started.txt",
                context={"application": application},
            )
        _after_commit(application, "cover")
    return application


def complement_request(
    *, application: Application, items: list[dict], message: str, deadline: date, by
) -> ComplementRequest:
    """Ask for missing or non-compliant documents; the legal deadline pauses meanwhile."""
    if not items:
        raise ApplicationError(_("Choose at least one document."), "documents")
    if deadline <= timezone.localdate():
        raise ApplicationError(_("The deadline must be in the future."), "deadline")
    codes = {
        r.code
        for r in document_requirements(
            motive=application.motive,
            procedure=application.procedure,
            on=application.created_at.date(),
        )
    }
    if any(item["code"] not in codes for item in items):
        raise ApplicationError(_("This document is not part of this application."), "documents")
    with transaction.atomic():
        application = _lock_for(application, by)
        before = tally_keys(application)
        application.reply_due_on = deadline
        application = application_transition(
            application=application,
            action="request_complement",
            by=by,
            role=role_of(by),
            reason=message,
            data={"items": items, "deadline": deadline.isoformat()},
        )
        request = ComplementRequest.objects.create(
            application=application, items=items, message=message, deadline=deadline, created_by=by
        )
        tallies_shift(application=application, before=before)
        language = language_of(application.applicant)
        with translation.override(language):
            outbox_email(
                language=language,
                to=application.applicant.email,
                subject=_("Séjour: the prefecture asks you for documents (%(reference)s)")
                % {"reference": application.reference},
                template="instruction/email/complement.txt",
                context={
                    "application": application,
                    "request": request,
                    "deadline": date_format(deadline, "j F Y"),
                },
            )
    return request


def open_complement(application: Application) -> ComplementRequest | None:
    return application.complement_requests.filter(answered_at__isnull=True).first()


def complement_answer(*, application: Application, by) -> Application:
    """The applicant sends back their answer; the examination resumes."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.applicant_id != by.pk:
            raise PermissionError("not the applicant")
        request = open_complement(application)
        transition_for("answer_complement", application.status, APPLICANT)
        if request is None:
            raise TransitionNotAllowed("no open request")
        before = tally_keys(application)
        request.answered_at = timezone.now()
        request.save(update_fields=["answered_at"])
        application_transition(
            application=application,
            action="answer_complement",
            by=by,
            role=APPLICANT,
            data={"request": request.pk},
        )
        tallies_shift(application=application, before=before)
    return application


def legal_deadline(application: Application, today: date | None = None) -> date | None:
    """The day silence would become an implicit refusal (CESEDA R.432-2: 4 months from
    filing), paused while the applicant was asked for documents."""
    if not application.filed_at:
        return None
    today = today or timezone.localdate()
    filed_on = timezone.localdate(application.filed_at)
    paused = sum(
        (
            (timezone.localdate(r.answered_at) if r.answered_at else today)
            - timezone.localdate(r.created_at)
            for r in application.complement_requests.all()
        ),
        timedelta(),
    )
    return implicit_refusal_on(
        filed_on=filed_on, paused_days=paused.days, rule=instruction_rule(filed_on)
    )


def application_close(*, application: Application, reason: str, by) -> Application:
    """Close without follow-up: a supervisor, after the deadline, with a written reason."""
    if not reason.strip():
        raise ApplicationError(_("Write the reason: the applicant will read it."), "reason")
    with transaction.atomic():
        application = _lock_for(application, by, "close")
        before = tally_keys(application)
        request = open_complement(application)
        if request is None or request.deadline >= timezone.localdate():
            raise ApplicationError(_("The applicant's deadline has not passed yet."))
        application.closed_reason = reason
        application = application_transition(
            application=application, action="close", by=by, role=role_of(by), reason=reason
        )
        covers_end(
            application=application,
            kind=Attestation.Kind.ADP,
            reason=_("The application was closed."),
            by=by,
        )
        tallies_shift(application=application, before=before)
        language = language_of(application.applicant)
        with translation.override(language):
            outbox_email(
                language=language,
                to=application.applicant.email,
                subject=_("Séjour: your application %(reference)s is closed")
                % {"reference": application.reference},
                template="instruction/email/closed.txt",
                context={"application": application, "reason": reason},
            )
    return application


def decision_record(*, application: Application, favourable: bool, reasons: str, by) -> Application:
    """Favourable (an ADF follows) or unfavourable (a decision letter), always with reasons."""
    if not reasons.strip():
        raise ApplicationError(_("Write the reasons for the decision."), "reasons")
    with transaction.atomic():
        application = _lock_for(application, by)
        before = tally_keys(application)
        application.decision = Decision.FAVOURABLE if favourable else Decision.UNFAVOURABLE
        application.decision_reasons = reasons
        application.decided_at = timezone.now()
        application = application_transition(
            application=application,
            action="decide",
            by=by,
            role=role_of(by),
            reason=reasons,
            data={"decision": application.decision},
        )
        decision_count(application=application, by=by)
        if favourable and application.procedure == Procedure.ADDRESS_CHANGE:
            # Rule ADDRESS-ATTESTATION: the new address is attested after
            # instruction, with or without a new card (FAQ, "J'ai déménagé").
            _after_commit(application, Attestation.Kind.ADDRESS)
        if favourable and not _address_only(application):
            _after_commit(application, "cover")
        elif not favourable:
            covers_end(
                application=application,
                kind=Attestation.Kind.ADP,
                reason=_("A decision was taken."),
                by=by,
            )
            _after_commit(application, Attestation.Kind.DECISION)
        tallies_shift(application=application, before=before)
    return application


def _after_commit(application: Application, work: str) -> None:
    """PDFs are made by the worker once the change is committed, never inside it."""
    from sejour.attestations.tasks import issue_after_decision

    application_id = application.pk
    transaction.on_commit(lambda: issue_after_decision.enqueue(application_id, work))


def _address_only(application: Application) -> bool:
    """A change of address without a new card ends with an attestation, not a card."""
    return (
        application.procedure == Procedure.ADDRESS_CHANGE
        and application.answers.get("card", {}).get("new_card") != "yes"
    )


def amount_due(application: Application):
    return fee_breakdown(
        procedure=application.procedure,
        motive=application.motive,
        late=application.late,
        on=timezone.localdate(application.decided_at or timezone.now()),
    )


def permit_mark_made(*, application: Application, by) -> Application:
    """The permit is made: the applicant is told by SMS and e-mail how to collect it."""
    with transaction.atomic():
        application = _lock_for(application, by, "mark_permit_made")
        before = tally_keys(application)
        if application.decision != Decision.FAVOURABLE:
            raise ApplicationError(_("A permit is made only after a favourable decision."))
        if _address_only(application):
            raise ApplicationError(
                _("No new card was asked for: the attestation of address is enough.")
            )
        application.permit_made_at = timezone.now()
        application = application_transition(
            application=application, action="mark_permit_made", by=by, role=role_of(by)
        )
        tallies_shift(application=application, before=before)
        # Nobody hunts for a slot: the earliest free one at the person's site is booked and
        # its message (date, place, amount, what to bring, .ics) replaces the plain one.
        from sejour.collection.services import booking_offer_first, tally_permit_ready

        tally_permit_ready(application=application, change=1)
        if booking_offer_first(application=application, by=by) is not None:
            return application
        fees = amount_due(application)
        context = {"application": application, "fees": fees, "total_cents": fees.total_cents}
        phone = application.answers.get("personal", {}).get("phone", "")
        # The number given with the application, unless the person turned text messages off.
        if phone and preferences_for(application.applicant).text_messages:
            language = language_of(application.applicant)
            with translation.override(language):
                outbox_sms(
                    language=language,
                    to=international_mobile(phone),
                    template="notifications/sms/permit_available.txt",
                    context=context,
                )
        language = language_of(application.applicant)
        with translation.override(language):
            outbox_email(
                language=language,
                to=application.applicant.email,
                subject=_("Séjour: your residence permit is ready (%(reference)s)")
                % {"reference": application.reference},
                template="instruction/email/permit_available.txt",
                context=context,
            )
    return application


STAMP_MESSAGES = {
    "format": lambda n: _("%(number)s: an electronic stamp number has 16 digits.") % {"number": n},
    "unknown": lambda n: (
        _("%(number)s: no electronic stamp has this number. Check it, or ask for the receipt.")
        % {"number": n}
    ),
    "expired": lambda n: (
        _(
            "%(number)s: this stamp was bought more than %(months)s months ago "
            "and can no longer be used."
        )
        % {"number": n, "months": stamp_validity(timezone.localdate()).usable_months}
    ),
    "used": lambda n: _("%(number)s: this stamp has already been used.") % {"number": n},
}


def permit_hand_over(*, application: Application, stamp_numbers: list[str], by) -> Application:
    """At the desk: check and use the electronic stamps, hand the permit over."""
    transition_for("hand_over", application.status, role_of(by))
    service = get_stamp_service()
    numbers = [number for number in stamp_numbers if number.strip()]
    if not numbers:
        raise ApplicationError(_("Enter the number of at least one electronic stamp."), "stamps")
    # A stamp's validity is suspended while the application was examined (CGI art. 900).
    examined = (
        (timezone.localdate(application.filed_at), timezone.localdate(application.decided_at))
        if application.filed_at and application.decided_at
        else None
    )
    checks = [service.check(number, examined=examined) for number in numbers]
    problems = [
        STAMP_MESSAGES[check.status](check.number) for check in checks if check.status != "valid"
    ]
    if len({check.number for check in checks}) != len(checks):
        problems.append(_("The same stamp is entered twice."))
    if problems:
        raise ApplicationError(" ".join(problems), "stamps")
    with transaction.atomic():
        application = _lock_for(application, by, "hand_over")
        before = tally_keys(application)
        due = amount_due(application).total_cents
        paid = sum(check.amount_cents for check in checks)
        if paid != due:
            raise ApplicationError(
                _("The stamps add up to %(paid)s but %(due)s is due.")
                % {"paid": euros(paid), "due": euros(due)},
                "stamps",
            )
        if not service.consume([check.number for check in checks], used_for=application.reference):
            raise ApplicationError(
                STAMP_MESSAGES["used"](", ".join(c.number for c in checks)), "stamps"
            )
        application.handed_over_at = timezone.now()
        application = application_transition(
            application=application,
            action="hand_over",
            by=by,
            role=role_of(by),
            data={"stamps": [check.number for check in checks], "paid_cents": paid},
        )
        covers_end(
            application=application,
            kind=Attestation.Kind.ADF,
            reason=_("The permit has been handed over."),
            by=by,
        )
        from sejour.collection.services import collection_handed_over

        collection_handed_over(application=application)
        tallies_shift(application=application, before=before)
    return application


def identity_review_record(
    *, application: Application, verdict: str, note: str, by
) -> IdentityReview:
    """Record which is right when the typed identity differs from the national file.

    Attestations keep printing the national file's identity whatever the finding;
    when the answers are right, the agent has the file corrected in AGDREF, and the
    difference disappears once the file says the same.
    """
    if verdict not in IdentityReview.Verdict.values:
        raise ApplicationError(_("Choose which one is right."), "verdict")
    if not note.strip():
        raise ApplicationError(
            _("Say what you checked, for example the passport seen at the desk."), "note"
        )
    with transaction.atomic():
        application = _lock_for(application, by)
        comparison = identity_compare(application)
        if not comparison.differences:
            raise ApplicationError(
                _("The answers match the national file: there is nothing to resolve.")
            )
        review = IdentityReview.objects.create(
            application=application,
            answers=comparison.answers,
            registry=comparison.registry,
            verdict=verdict,
            note=note,
            created_by=by,
        )
        # An internal finding, like an agent's note: it may concern a suspected fraud.
        audit_record(
            action="application.identity_reviewed",
            actor=by,
            subject=application.applicant,
            application=application,
            reason=note,
            data={
                "verdict": verdict,
                "answers": comparison.answers,
                "registry": comparison.registry,
            },
            visible_to_applicant=False,
        )
    return review
