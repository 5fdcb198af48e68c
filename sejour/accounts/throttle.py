"""Counting attempts to slow down guessing and flooding.

A limit is "at most N attempts of a kind per key within a window". When the
limit is reached, the key is blocked until the oldest of those N attempts
leaves the window, and the message says until when.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import Attempt


def client_address(request) -> str:
    """The client's IP address, trusting X-Forwarded-For only behind a known proxy."""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def attempt_record(*, kind: str, key: str) -> None:
    Attempt.objects.create(kind=kind, key=key[:100])


def blocked_until(*, kind: str, key: str, limit: int, window_seconds: int) -> datetime | None:
    """When the key may try again, or None if it may try now."""
    window = timedelta(seconds=window_seconds)
    recent = list(
        Attempt.objects.filter(kind=kind, key=key[:100], created_at__gt=timezone.now() - window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[-1] + window


def attempts_clear(*, kind: str, key: str) -> int:
    deleted, _by_model = Attempt.objects.filter(kind=kind, key=key[:100]).delete()
    return deleted


def rate_limited(*, kind: str, key: str, limit: int) -> datetime | None:
    """Count one more attempt unless the key is already over its limit."""
    until = blocked_until(
        kind=kind, key=key, limit=limit, window_seconds=settings.RATE_LIMIT_WINDOW_SECONDS
    )
    if until is None:
        attempt_record(kind=kind, key=key)
    return until


def attempts_prune() -> int:
    """Forget attempts older than any window (run daily)."""
    horizon = max(settings.RATE_LIMIT_WINDOW_SECONDS, settings.LOGIN_LOCKOUT_SECONDS)
    deleted, _by_model = Attempt.objects.filter(
        created_at__lt=timezone.now() - timedelta(seconds=horizon)
    ).delete()
    return deleted
