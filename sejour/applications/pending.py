"""A wizard step sent after the session ended waits for its author to log in again.

Only for someone who was logged in: every page an applicant sees while logged
in refreshes a signed cookie naming them (by a keyed hash, not their id). A
step posted without a session is kept in a new session only when that cookie
is valid and what was typed is small; anyone else (a robot posting to a step
address) is sent to the login page and nothing is stored. After logging in,
the typed values come back only to the person the cookie named.
"""

import json

from django.conf import settings
from django.utils.crypto import salted_hmac

PENDING_STEP_KEY = "pending_step"
RETURNING_COOKIE = "sejour_returning"
_SALT = "sejour.applications.pending"
# The cookie is re-signed at most this often, not on every page.
_REFRESH_SECONDS = 600


def pending_owner(user) -> str:
    return salted_hmac(_SALT + ".owner", str(user.pk), algorithm="sha256").hexdigest()[:32]


def returning_owner(request) -> str | None:
    """Whose session ended in this browser lately, if anyone's."""
    return request.get_signed_cookie(
        RETURNING_COOKIE, default=None, salt=_SALT, max_age=settings.PENDING_STEP_KEEP_SECONDS
    )


def returning_mark(request, response) -> None:
    """Remember in the browser that this applicant was here (refreshed every few minutes)."""
    fresh = request.get_signed_cookie(
        RETURNING_COOKIE, default=None, salt=_SALT, max_age=_REFRESH_SECONDS
    )
    owner = pending_owner(request.user)
    if fresh == owner:
        return
    response.set_signed_cookie(
        RETURNING_COOKIE,
        owner,
        salt=_SALT,
        max_age=settings.PENDING_STEP_KEEP_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def returning_forget(response) -> None:
    response.delete_cookie(RETURNING_COOKIE, samesite="Lax")


def pending_step_keep(request) -> bool:
    """Keep a step posted without a session, if its author was logged in here. True if kept."""
    owner = returning_owner(request)
    if owner is None:
        return False
    typed = {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}
    if len(json.dumps(typed)) > settings.PENDING_STEP_MAX_BYTES:
        return False
    request.session[PENDING_STEP_KEY] = {"path": request.path, "data": typed, "owner": owner}
    return True


def pending_step_take(request) -> dict | None:
    """What the logged-in person typed on this page before logging in again, once."""
    pending = request.session.get(PENDING_STEP_KEY)
    if not pending or pending.get("path") != request.path:
        return None
    del request.session[PENDING_STEP_KEY]
    if pending.get("owner") != pending_owner(request.user):
        return None  # typed by someone else in this browser: never shown to another person
    return pending["data"]
