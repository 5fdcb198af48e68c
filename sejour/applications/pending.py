"""A wizard step sent after the session ended waits for its author to log in again.

Only for someone who was logged in: every page an applicant sees while logged
in refreshes a signed cookie naming them (by a keyed hash, not their id) and
carrying the nonce of their ``ReturningMark`` row. A step posted without a
session is kept in a new session only when that cookie is valid, its nonce is
the row's, and what was typed is small; anyone else (a robot posting to a step
address) is sent to the login page and nothing is stored. After logging in,
the typed values come back only to the person the cookie named.

The server can take the cookie back, so a copy of it is worth little: logging
out deletes the row (every copy stops working), keeping a step draws a new
nonce (one copy keeps at most one step), and the session of an earlier kept
step is deleted when a new one is kept (at most one per person).
"""

import json
import secrets
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

PENDING_STEP_KEY = "pending_step"
RETURNING_COOKIE = "sejour_returning"
_SALT = "sejour.applications.pending"
# The cookie is re-signed at most this often, not on every page.
_REFRESH_SECONDS = 600
# Set on a request whose cookie no longer carries the row's nonce.
_STALE = "_sejour_returning_stale"


def pending_owner(user) -> str:
    return salted_hmac(_SALT + ".owner", str(user.pk), algorithm="sha256").hexdigest()[:32]


def _session_delete(session_key: str) -> None:
    if session_key:
        import_module(settings.SESSION_ENGINE).SessionStore(session_key).delete()


def _cookie(request, max_age: int) -> tuple[str, str] | None:
    value = request.get_signed_cookie(RETURNING_COOKIE, default=None, salt=_SALT, max_age=max_age)
    owner, _colon, nonce = (value or "").partition(":")
    return (owner, nonce) if owner and nonce else None


def returning_owner(request):
    """The mark of the person whose session ended in this browser lately, if any."""
    from .models import ReturningMark

    cookie = _cookie(request, settings.PENDING_STEP_KEEP_SECONDS)
    if cookie is None:
        return None
    owner, nonce = cookie
    mark = ReturningMark.objects.filter(nonce=nonce).select_related("user").first()
    if mark is None or pending_owner(mark.user) != owner:
        return None  # revoked (logged out, or already used) or not theirs
    return mark


def returning_mark(request, response) -> None:
    """Remember in the browser that this applicant was here (refreshed every few minutes)."""
    from .models import ReturningMark

    owner = pending_owner(request.user)
    fresh = _cookie(request, _REFRESH_SECONDS)
    if fresh is not None and fresh[0] == owner and not getattr(request, _STALE, False):
        return
    mark, created = ReturningMark.objects.get_or_create(
        user=request.user, defaults={"nonce": secrets.token_hex(16)}
    )
    if not created:
        ReturningMark.objects.filter(pk=mark.pk).update(refreshed_at=timezone.now())
    response.set_signed_cookie(
        RETURNING_COOKIE,
        f"{owner}:{mark.nonce}",
        salt=_SALT,
        max_age=settings.PENDING_STEP_KEEP_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def returning_marks_prune(*, now=None) -> int:
    """Delete the marks no cookie can still carry (the housekeeping job)."""
    from .models import ReturningMark

    horizon = (now or timezone.now()) - timedelta(seconds=settings.PENDING_STEP_KEEP_SECONDS)
    deleted, _by_model = ReturningMark.objects.filter(refreshed_at__lt=horizon).delete()
    return deleted


def returning_forget(response, user=None) -> None:
    """Logged out on purpose: the browser's cookie goes, and every copy of it stops working."""
    from .models import ReturningMark

    response.delete_cookie(RETURNING_COOKIE, samesite="Lax")
    if user is not None and user.is_authenticated:
        for mark in ReturningMark.objects.filter(user=user):
            _session_delete(mark.session_key)
            mark.delete()


def pending_step_keep(request) -> bool:
    """Keep a step posted without a session, if its author was logged in here. True if kept."""
    mark = returning_owner(request)
    if mark is None:
        return False
    typed = {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}
    if len(json.dumps(typed)) > settings.PENDING_STEP_MAX_BYTES:
        return False
    if mark.session_key != request.session.session_key:
        _session_delete(mark.session_key)  # the step kept before: replaced, not added
    request.session[PENDING_STEP_KEY] = {
        "path": request.path,
        "data": typed,
        "owner": pending_owner(mark.user),
    }
    request.session.save()
    mark.session_key = request.session.session_key
    mark.nonce = secrets.token_hex(16)  # this cookie has been used: it keeps nothing more
    mark.save(update_fields=["session_key", "nonce"])
    return True


def pending_step_take(request) -> dict | None:
    """What the logged-in person typed on this page before logging in again, once."""
    from .models import ReturningMark

    pending = request.session.get(PENDING_STEP_KEY)
    if not pending or pending.get("path") != request.path:
        return None
    del request.session[PENDING_STEP_KEY]
    if pending.get("owner") != pending_owner(request.user):
        return None  # typed by someone else in this browser: never shown to another person
    ReturningMark.objects.filter(user=request.user).update(session_key="")
    setattr(request, _STALE, True)  # the cookie's nonce was used: give the browser the new one
    return pending["data"]
