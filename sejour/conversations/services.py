"""Writing in a conversation: checked, attachments scanned, locked, audited.

`message_send` is the one door for both sides. It re-reads the application under
a row lock, so a message racing a change of status either lands before it or is
refused with a message (the caller keeps the draft): it is never half-saved nor
silently dropped.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sejour.accounts.languages import language_of
from sejour.accounts.models import User
from sejour.applications.models import Application, Status
from sejour.applications.services import ApplicationError
from sejour.applications.states import ENDED
from sejour.audit.services import audit_record, on_behalf_by_name
from sejour.documents.scanning import ScannerUnavailable, get_scanner
from sejour.documents.validation import UploadRejected, inspect_upload, safe_display_name
from sejour.figures.services import answer_count
from sejour.notifications.services import outbox_email

from .models import MAX_LENGTH, AnswerTemplate, Message, MessageAttachment

logger = logging.getLogger(__name__)
AGENT_ROLES = (User.Role.AGENT, User.Role.SUPERVISOR)


def ended_reason(application: Application) -> str:
    """Why the conversation is read-only, in words; empty while it is open."""
    if application.status == Status.WITHDRAWN:
        return _("This application was withdrawn: the conversation is closed and kept as it is.")
    if application.status == Status.HANDED_OVER:
        return _("The permit was handed over: the conversation is closed and kept as it is.")
    if application.status == Status.CLOSED:
        return _(
            "The application was closed without follow-up: the conversation is closed and "
            "kept as it is."
        )
    return ""


def _checked_text(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ApplicationError(_("Write your message."), "body")
    if len(text) > MAX_LENGTH:
        raise ApplicationError(
            _(
                "Your message is too long: %(limit)s characters at most, it has %(count)s. "
                "Shorten it or send it in two parts."
            )
            % {"limit": f"{MAX_LENGTH:,}".replace(",", "\u202f"), "count": len(text)},
            "body",
        )
    return text


def _check_rate(by) -> None:
    """At most RATE_LIMIT_MESSAGES_PER_HOUR messages per applicant and hour (counted on
    the (author, created_at) index): nobody floods a prefecture's queue."""
    since = timezone.now() - timedelta(hours=1)
    recent = list(
        Message.objects.filter(author=by, created_at__gte=since)
        .order_by("created_at")
        .values_list("created_at", flat=True)[: settings.RATE_LIMIT_MESSAGES_PER_HOUR]
    )
    if len(recent) >= settings.RATE_LIMIT_MESSAGES_PER_HOUR:
        until = recent[0] + timedelta(hours=1)
        raise ApplicationError(
            _(
                "You have sent %(count)d messages in the last hour, the most we accept. "
                "Your text is kept below: send it after %(time)s."
            )
            % {
                "count": settings.RATE_LIMIT_MESSAGES_PER_HOUR,
                "time": date_format(timezone.localtime(until), "H:i"),
            },
            "body",
        )


def _checked_attachment(uploaded):
    """The same checks and virus scan as a supporting document."""
    try:
        inspected = inspect_upload(uploaded)
    except UploadRejected as error:
        raise ApplicationError(str(error), "attachment") from error
    try:
        result = get_scanner().scan(inspected.content)
    except ScannerUnavailable as error:
        logger.error("Virus scanner unavailable: %s", error)
        raise ApplicationError(
            _(
                "We cannot check files for viruses right now, so we cannot accept this one. "
                "Send your message without it, or try again in a few minutes."
            ),
            "attachment",
        ) from error
    if result.infected:
        raise ApplicationError(
            _("This file contains a virus (%(name)s). It has not been kept.")
            % {"name": result.signature},
            "attachment",
        )
    return inspected


def _side_of(application: Application, by) -> str:
    if by.pk == application.applicant_id and by.is_applicant:
        return Message.Side.APPLICANT
    if by.role in AGENT_ROLES and by.prefecture_id == application.prefecture_id:
        return Message.Side.PREFECTURE
    raise PermissionError("not a party to this conversation")


def message_send(*, application: Application, body: str, by, uploaded=None) -> Message:
    """Send a message from the applicant (or whoever acts for them) or from an agent
    of the prefecture that instructs the application."""
    side = _side_of(application, by)
    text = _checked_text(body)
    if side == Message.Side.APPLICANT:
        _check_rate(by)
    inspected = _checked_attachment(uploaded) if uploaded else None
    stored = None
    try:
        with transaction.atomic():
            # of=("self",): the prefecture may be NULL in the outer join.
            application = (
                Application.objects.select_for_update(of=("self",))
                .select_related("prefecture", "applicant")
                .get(pk=application.pk)
            )
            # Checked again under the lock: the status or the prefecture may have
            # changed since the page was shown.
            if application.filed_at is None:
                raise ApplicationError(_("A draft has no conversation yet: file it first."))
            if application.status in ENDED:
                raise ApplicationError(
                    _("Your message was not sent.") + " " + ended_reason(application), "body"
                )
            side = _side_of(application, by)
            now = timezone.now()
            message = Message(
                application=application,
                side=side,
                author=by,
                on_behalf_by_name=on_behalf_by_name.get() or "",
                body=text,
                created_at=now,
            )
            if side == Message.Side.PREFECTURE and application.awaiting_answer_since:
                message.waited_seconds = max(
                    0, int((now - application.awaiting_answer_since).total_seconds())
                )
            message.save()
            if inspected is not None:
                attachment = MessageAttachment(
                    message=message,
                    original_name=safe_display_name(getattr(uploaded, "name", "") or ""),
                    content_type=inspected.content_type,
                    size=inspected.size,
                    sha256=inspected.sha256,
                    active_content=inspected.active_content,
                )
                attachment.file.save("attachment", ContentFile(inspected.content), save=False)
                stored = attachment.file
                attachment.save()
            audit_record(
                action="message.sent",
                actor=by,
                subject=application.applicant,
                application=application,
                data={
                    "message": message.pk,
                    "side": side,
                    "attachments": 1 if inspected is not None else 0,
                },
            )
            if side == Message.Side.APPLICANT:
                if application.awaiting_answer_since is None:
                    application.awaiting_answer_since = now
                    application.save(update_fields=["awaiting_answer_since"])
            else:
                if message.waited_seconds is not None:
                    answer_count(
                        application=application,
                        waited_seconds=message.waited_seconds,
                        answered_at=now,
                    )
                    application.awaiting_answer_since = None
                    application.save(update_fields=["awaiting_answer_since"])
                # No name, no text, no motive: only a link to read it after logging in.
                language = language_of(application.applicant)
                with translation.override(language):
                    outbox_email(
                        language=language,
                        to=application.applicant.email,
                        subject=_("Séjour: a new message is waiting for you"),
                        template="conversations/email/new_message.txt",
                        context={
                            "link": settings.SITE_URL
                            + reverse("conversations:conversation", args=[application.reference])
                        },
                    )
    except Exception:
        if stored is not None:
            stored.delete(save=False)
        raise
    return message


def messages_mark_read(*, application: Application, by) -> int:
    """The applicant opened the conversation: the prefecture's messages are read."""
    if by.pk != application.applicant_id:
        return 0
    with transaction.atomic():
        count = Message.objects.filter(
            application=application, side=Message.Side.PREFECTURE, read_at__isnull=True
        ).update(read_at=timezone.now())
        if count:
            audit_record(
                action="message.read",
                actor=by,
                subject=by,
                application=application,
                data={"messages": count},
                visible_to_applicant=False,
            )
    return count


# ------------------------------------------------------------ answer templates


def _supervisor_check(by) -> None:
    if by.role != User.Role.SUPERVISOR or by.prefecture_id is None:
        raise PermissionError("supervisors only")


def _template_text(title: str, body: str) -> tuple[str, str]:
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("Give the template a title."), "title")
    return title, _checked_text(body)


def answer_template_save(
    *, by, title: str, body: str, template: AnswerTemplate | None = None
) -> AnswerTemplate:
    """Create or change one of the prefecture's answer templates."""
    _supervisor_check(by)
    title, text = _template_text(title, body)
    with transaction.atomic():
        if template is None:
            template = AnswerTemplate(prefecture_id=by.prefecture_id)
            action = "answer_template.created"
        else:
            template = AnswerTemplate.objects.select_for_update().get(pk=template.pk)
            if template.prefecture_id != by.prefecture_id:
                raise PermissionError("another prefecture's template")
            action = "answer_template.changed"
        template.title, template.body, template.updated_by = title, text, by
        template.save()
        audit_record(action=action, actor=by, data={"template": template.pk, "title": title})
    return template


def answer_template_delete(*, by, template: AnswerTemplate) -> None:
    _supervisor_check(by)
    if template.prefecture_id != by.prefecture_id:
        raise PermissionError("another prefecture's template")
    with transaction.atomic():
        audit_record(
            action="answer_template.deleted",
            actor=by,
            data={"template": template.pk, "title": template.title},
        )
        template.delete()
