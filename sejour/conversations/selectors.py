"""Reads of the conversations.

For other parts of Séjour ("Mon espace"'s list of what needs the person, the
weekly digest): `unread_messages_for(user)` is the prefecture's messages the
person has not opened yet, newest first, with their application (reference,
motive) selected — a few rows read from the `message_unread` partial index.
Each has `.application` for the link: `reverse("conversations:conversation",
args=[message.application.reference])`.
"""

from django.db.models import Prefetch

from sejour.applications.models import Application

from .models import AnswerTemplate, Message, MessageAttachment


def conversation(application: Application) -> list[Message]:
    """Every message of the application, oldest first: three queries whatever their
    number (messages with their author, then their attachments)."""
    return list(
        Message.objects.filter(application=application)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=MessageAttachment.objects.order_by("id"))
        )
        .order_by("created_at", "id")
    )


def unread_messages_for(user):
    """The prefecture's messages this applicant has not read yet, newest first."""
    return (
        Message.objects.filter(
            application__applicant=user,
            side=Message.Side.PREFECTURE,
            read_at__isnull=True,
        )
        .select_related("application")
        .order_by("-created_at", "-id")
    )


def unread_count(application: Application) -> int:
    return Message.objects.filter(
        application=application, side=Message.Side.PREFECTURE, read_at__isnull=True
    ).count()


def templates_for(prefecture_id: int):
    return AnswerTemplate.objects.filter(prefecture_id=prefecture_id).order_by("title", "id")


def attachment_for(application: Application, attachment_id: int) -> MessageAttachment | None:
    return (
        MessageAttachment.objects.filter(message__application=application, pk=attachment_id)
        .select_related("message")
        .first()
    )
