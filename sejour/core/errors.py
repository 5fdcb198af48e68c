"""Séjour's own error pages (400, 403, 404, 429, 500 and the expired form): the DSFR
error page, in the person's language, with a way back home, the help centre and the
help line. No framework page is ever shown outside development."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseServerError
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime

logger = logging.getLogger(__name__)


class TooManyRequests(Exception):
    """A request over a request-level limit: answered by the 429 page (see
    ``TooManyRequestsMiddleware``). Limits counted on a form's submission keep
    answering on the form, with the message beside it (decision 0013)."""

    def __init__(self, until=None):
        super().__init__(until)
        self.until = until


def _page(request, template: str, status: int, **context):
    context = {"support_phone": settings.SUPPORT_PHONE, **context}
    return render(request, template, context, status=status)


def bad_request(request, exception=None):
    """A form too large to read answers the "too large" page (413); anything else the 400 page."""
    if isinstance(exception, RequestDataTooBig):
        from .views import request_too_large

        return request_too_large(request, exception)
    return _page(request, "400.html", 400)


def permission_denied(request, exception=None):
    return _page(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _page(request, "404.html", 404)


def csrf_failure(request, reason=""):
    """The form was sent without its valid security token: most often a page left open
    for long, or sent again from the browser's history."""
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("core:home")
    return _page(request, "403_csrf.html", 403, back=back)


def too_many_requests(request, until=None):
    response = _page(
        request,
        "429.html",
        429,
        until=date_format(localtime(until), "H:i") if until is not None else None,
    )
    if until is not None:
        response["Retry-After"] = _retry_after(until)
    return response


def server_error(request):
    """The 500 page must render whatever failed (the database included): no context
    processors (they read the session, the user, the messages), only what is known
    without any query. The language chosen by LocaleMiddleware is still active."""
    context = {
        "support_phone": settings.SUPPORT_PHONE,
        "request": request,  # its path, for the language switch's return
        "csrf_token": get_token(request),  # from the cookie: no query
    }
    try:
        body = loader.get_template("errors/500.html").render(context)
    except Exception:
        logger.exception("The 500 page could not render: the plain one answers")
        body = loader.get_template("500.html").render()
    return HttpResponseServerError(body)


def mark_rate_limited(request, until) -> None:
    """A form refused for a rate limit: the form re-renders with its message, and the
    answer's status says 429 (with Retry-After) rather than 200."""
    request.rate_limited_until = until


def _retry_after(until) -> str:
    return str(max(1, int((until - timezone.now()).total_seconds())))


class TooManyRequestsMiddleware:
    """Answers 429: the DSFR page for ``TooManyRequests`` raised by a view, and the
    status (the page itself unchanged) for a form marked by ``mark_rate_limited``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        until = getattr(request, "rate_limited_until", None)
        if until is not None and response.status_code == 200:
            response.status_code = 429
            response["Retry-After"] = _retry_after(until)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, TooManyRequests):
            return too_many_requests(request, exception.until)
        return None
