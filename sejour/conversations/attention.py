"""The conversations' item in "Mon espace"'s list of what needs the person
(sejour.attention.providers): the prefecture wrote and the person has not read it."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sejour.attention.providers import AttentionContext, AttentionItem, provider

from .selectors import unread_messages_for

# At most this many unread messages are read for the list (one item per application).
UNREAD_READ_AT_MOST = 50


@provider
def unread_messages(context: AttentionContext) -> list[AttentionItem]:
    by_application: dict[int, list] = {}
    for message in unread_messages_for(context.user)[:UNREAD_READ_AT_MOST]:
        by_application.setdefault(message.application_id, []).append(message)
    items = []
    for messages in by_application.values():
        application = messages[0].application
        items.append(
            AttentionItem(
                kind="unread_message",
                title=_("The prefecture wrote to you (%(reference)s)")
                % {"reference": application.reference},
                detail=ngettext(
                    "%(count)d message you have not read yet.",
                    "%(count)d messages you have not read yet.",
                    len(messages),
                )
                % {"count": len(messages)},
                link_url=reverse("conversations:conversation", args=[application.reference]),
                link_label=_("Read the message"),
                rank=15,
            )
        )
    return items
