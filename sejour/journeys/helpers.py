import re
from urllib.parse import urlsplit

from sejour.notifications.models import OutboxMessage


def outbox_link(recipient: str) -> str:
    """The path of the first link in the newest e-mail to this address."""
    message = OutboxMessage.objects.filter(recipient=recipient).latest("id")
    return urlsplit(re.search(r"https?://\S+", message.body).group(0)).path


def label(text: str) -> re.Pattern:
    """A label that starts with `text` and is not a longer label ("… again")."""
    return re.compile(rf"^\s*{re.escape(text)}(?!\s*again)", re.IGNORECASE)
