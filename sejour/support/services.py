"""Support: tickets from the contact form, answers by e-mail, assisted filing."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sejour.accounts.languages import language_current, language_of
from sejour.applications.services import ApplicationError
from sejour.audit.services import audit_record
from sejour.documents.scanning import ScannerUnavailable, get_scanner
from sejour.documents.validation import IMAGES, UploadRejected, inspect_upload, safe_display_name
from sejour.notifications.services import outbox_email

from .models import Screenshot, Ticket, TicketReply

logger = logging.getLogger(__name__)
MAX_SCREENSHOTS = 3


def _checked_screenshot(uploaded):
    """Screenshots are images only, checked and scanned like supporting documents.

    Anything that is not an image is refused from its first bytes, before any
    parser sees it: the form is open to everyone.
    """
    try:
        inspected = inspect_upload(uploaded, kinds=(IMAGES,))
    except UploadRejected as error:
        raise ApplicationError(str(error), "screenshots") from error
    try:
        if get_scanner().scan(inspected.content).infected:
            raise ApplicationError(
                _("This file contains a virus. It has not been kept."), "screenshots"
            )
    except ScannerUnavailable as error:
        raise ApplicationError(
            _(
                "We cannot check files for viruses right now: send your message "
                "without screenshots, or try later."
            ),
            "screenshots",
        ) from error
    return inspected


def ticket_create(
    *,
    category: str,
    message: str,
    email: str,
    name: str,
    page_url: str,
    happened_at: str,
    screenshots: list,
    user=None,
) -> Ticket:
    if len(screenshots) > MAX_SCREENSHOTS:
        raise ApplicationError(_("At most 3 screenshots."), "screenshots")
    checked = [(uploaded, _checked_screenshot(uploaded)) for uploaded in screenshots]
    saved = []
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                category=category,
                message=message,
                email=email,
                name=name,
                page_url=page_url[:500],
                happened_at=happened_at[:40],
                user=user if user is not None and user.is_authenticated else None,
                language=(
                    language_of(user)
                    if user is not None and user.is_authenticated and user.language
                    else language_current()
                ),
            )
            for uploaded, inspected in checked:
                screenshot = Screenshot(
                    ticket=ticket,
                    content_type=inspected.content_type,
                    original_name=safe_display_name(getattr(uploaded, "name", "") or ""),
                )
                try:
                    screenshot.file.save("shot", ContentFile(inspected.content), save=False)
                except Exception as error:
                    # Storage down or full: the message is kept on the form, nothing half-saved.
                    logger.error("Screenshot not stored: %s", error)
                    raise ApplicationError(
                        _(
                            "We could not save your screenshots right now: send your message "
                            "without them, or try again in a few minutes."
                        ),
                        "screenshots",
                    ) from error
                saved.append(screenshot.file)
                screenshot.save()
            audit_record(
                action="ticket.created", subject=ticket.user, data={"ticket": ticket.reference}
            )
            language = ticket.language
            with translation.override(language):
                outbox_email(
                    language=language,
                    to=email,
                    subject=_("Séjour: we received your message %(reference)s")
                    % {"reference": ticket.reference},
                    template="support/email/received.txt",
                    context={"ticket": ticket},
                )
    except Exception:
        for file in saved:
            file.delete(save=False)
        raise
    return ticket


def ticket_answer(*, ticket: Ticket, message: str, by) -> TicketReply:
    if not message.strip():
        raise ApplicationError(_("Write the answer."), "message")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status == Ticket.Status.CLOSED:
            raise ApplicationError(_("This ticket is closed."))
        reply = TicketReply.objects.create(ticket=ticket, author=by, message=message)
        ticket.status = Ticket.Status.ANSWERED
        ticket.save(update_fields=["status"])
        audit_record(
            action="ticket.answered",
            actor=by,
            subject=ticket.user,
            data={"ticket": ticket.reference},
        )
        language = ticket.language
        with translation.override(language):
            outbox_email(
                language=language,
                to=ticket.email,
                subject=_("Séjour: answer to your message %(reference)s")
                % {"reference": ticket.reference},
                template="support/email/answer.txt",
                context={"ticket": ticket, "reply": reply},
            )
    return reply


def ticket_close(*, ticket: Ticket, by) -> Ticket:
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        ticket.status = Ticket.Status.CLOSED
        ticket.save(update_fields=["status"])
        audit_record(
            action="ticket.closed", actor=by, subject=ticket.user, data={"ticket": ticket.reference}
        )
    return ticket


CONSENT_TEXT = (
    "The person is present, asked to be helped, and agrees that a support agent files on their "
    "behalf and sees their personal data for that purpose."
)


def _assistable_document(foreign_number: str, valid_from, valid_until, consent: bool):
    """The person's document, if they consent and their procedure is done online."""
    from sejour.registry.adapter import get_registry

    if not consent:
        raise ApplicationError(_("The person's consent is required."), "consent")
    document = get_registry().find_residence_document(
        foreign_number=foreign_number, valid_from=valid_from, valid_until=valid_until
    )
    if document is None:
        raise ApplicationError(_("We found no document with this number and these dates."))
    if not document.opens_account:
        raise ApplicationError(
            _("This person's procedure is not done online: send them to their prefecture.")
        )
    return document


def assistance_code_send(
    *, foreign_number: str, valid_from, valid_until, email: str, consent: bool
) -> tuple[str, str]:
    """Check the document, then e-mail the person a code they read out to the agent.

    The code goes to the address of the existing account (or, for a new account, to the
    address the person gives): only someone who is really there can hand it over.
    Returns the code's hash and the address it went to.
    """
    import hashlib

    from sejour.accounts.models import User
    from sejour.core.codes import readable_code

    _assistable_document(foreign_number, valid_from, valid_until, consent)
    existing = User.objects.filter(identifier=foreign_number).first()
    if existing is not None and not existing.is_applicant:
        raise ApplicationError(_("This number belongs to a staff account."))
    address = existing.email if existing else email
    code = readable_code(6, "23456789")
    with transaction.atomic():
        language = language_of(existing)
        with translation.override(language):
            outbox_email(
                language=language,
                to=address,
                subject=_("Séjour: your code to let a support agent help you"),
                template="support/email/assistance_code.txt",
                context={},
                secret_context={"code": code},
            )
    return hashlib.sha256(f"{foreign_number}:{code}".encode()).hexdigest(), address


def assistance_start(
    *, support_agent, foreign_number: str, valid_from, valid_until, email: str, consent: bool
):
    """Open (or find) the person's account so that a support agent files for them."""
    from sejour.accounts.models import User
    from sejour.accounts.services import account_welcome_send

    document = _assistable_document(foreign_number, valid_from, valid_until, consent)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(identifier=foreign_number).first()
        created = user is None
        if created:
            user = User.objects.create_user(
                foreign_number,
                None,
                email=email,
                first_names=document.person.first_names,
                last_name=document.person.last_name,
            )
            audit_record(
                action="account.created",
                actor=support_agent,
                subject=user,
                data={"assisted": True},
            )
        elif not user.is_applicant:
            raise ApplicationError(_("This number belongs to a staff account."))
        audit_record(
            action="assistance.started",
            actor=support_agent,
            subject=user,
            reason=CONSENT_TEXT,
            data={"consent": True, "account_created": created},
        )
        # The holder always hears of it, from the address of their account.
        language = language_of(user)
        with translation.override(language):
            outbox_email(
                language=language,
                to=user.email,
                subject=_("Séjour: a support agent is filing on your behalf"),
                template="support/email/assistance.txt",
                context={"agent": support_agent.full_name},
            )
        if created:
            # The person chooses their own password later, from their e-mail: a link
            # that says why it comes and that the agent's login does not spend.
            account_welcome_send(user=user, agent_name=support_agent.full_name)
    return user


def assistance_end(*, support_agent, user) -> None:
    with transaction.atomic():
        audit_record(action="assistance.ended", actor=support_agent, subject=user)
