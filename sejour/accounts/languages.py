"""The person's language: kept on the account, used for their pages and every message.

`language_of(user)` is the one answer to "in which language do we write to this
person?": every e-mail and SMS is rendered under it (notifications.outbox_email
takes it as a required argument), including those the worker sends later and
those an agent's action triggers while the agent's own pages are in French.
"""

from django.conf import settings
from django.utils import translation

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def language_supported(code: str | None) -> str:
    """`code` if Séjour offers it (any regional variant reduced to it), else ""."""
    if not code:
        return ""
    code = code.lower().split("-")[0].split("_")[0]
    return code if code in LANGUAGE_CODES else ""


def language_of(user) -> str:
    """The language of messages to this person: theirs if the account keeps one."""
    return language_supported(getattr(user, "language", "")) or settings.LANGUAGE_CODE


def language_current() -> str:
    """The language of the page being served (for someone who has no account yet)."""
    return language_supported(translation.get_language()) or settings.LANGUAGE_CODE
