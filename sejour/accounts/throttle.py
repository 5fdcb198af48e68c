"""Counting attempts to slow down guessing and flooding.

A limit is "at most N attempts of a kind per key within a window". When the
limit is reached, the key is blocked until the oldest of those N attempts
leaves the window, and the message says until when.

Two keys count each attempt (`limits_check`): the target first (the document
number, e-mail address or identifier tried, kept only as a keyed hash) with a
low limit, which stops a robot hammering one person from any number of
addresses; then the client address with a much higher ceiling, which stops a
robot trying many targets from one address while a help desk serving dozens
of people a day passes. A partner address registered by a supervisor (France
Services office, association: `sejour.operations.PartnerAddress`) is counted
as one key for its whole network, with its own ceiling.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

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


def address_counter(*, address: str, limit: int) -> tuple[str, int]:
    """The per-address key and ceiling: a registered partner's network counts as one,
    with its own ceiling; any other address with the default `limit`."""
    from sejour.operations.partners import partner_for_address

    partner = partner_for_address(address)
    if partner is not None:
        return f"partner:{partner.pk}", partner.ceiling
    return f"ip:{address}", limit


def target_key(value: str) -> str:
    """The per-target key: a keyed hash, so that the counters keep no number or e-mail."""
    normal = "".join(str(value).split()).lower()
    return (
        "to:" + salted_hmac("sejour.throttle.target", normal, algorithm="sha256").hexdigest()[:40]
    )


def limits_check(
    *, kind: str, target: str, target_limit: int, address: str, address_limit: int
) -> datetime | None:
    """Per target first, per address second: when either is reached, until when;
    otherwise the attempt is counted on both and None is returned."""
    window = settings.RATE_LIMIT_WINDOW_SECONDS
    keys = [
        (target_key(target), target_limit),
        address_counter(address=address, limit=address_limit),
    ]
    blocks = [
        until
        for key, limit in keys
        if (until := blocked_until(kind=kind, key=key, limit=limit, window_seconds=window))
    ]
    if blocks:
        return max(blocks)
    for key, _limit in keys:
        attempt_record(kind=kind, key=key)
    return None


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
