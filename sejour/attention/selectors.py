"""Reading what needs a person."""

from datetime import date

from .models import NoticePreferences
from .providers import PROVIDERS, AttentionContext, AttentionItem


def preferences_for(user) -> NoticePreferences:
    """The person's notice settings (the defaults, unsaved, when they never changed them)."""
    try:
        return user.notice_preferences
    except NoticePreferences.DoesNotExist:
        return NoticePreferences(user=user)


def sms_number_for(user, fallback: str = "") -> str:
    """The number to text this person at, or "" when they turned text messages off.

    `fallback` is a number given elsewhere (the application's personal step) used
    when the settings hold none."""
    preferences = preferences_for(user)
    if not preferences.text_messages:
        return ""
    return preferences.mobile_phone or fallback


def attention_list(
    *, user, today: date, context: AttentionContext | None = None
) -> list[AttentionItem]:
    """What needs the person, most urgent first (a deadline first, the nearest first)."""
    context = context or AttentionContext(user=user, today=today)
    items = [item for source in PROVIDERS for item in source(context)]
    return sorted(items, key=lambda item: item.sort_key)
