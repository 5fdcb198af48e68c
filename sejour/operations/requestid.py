"""A request id for every request, in every log line it causes, also in the worker.

Accepted from a trusted header set by the proxy (setting REQUEST_ID_HEADER,
off by default: a client could otherwise choose ids to confuse the logs), or
generated; always returned in the `X-Request-ID` response header.
"""

import contextvars
import logging
import re
import secrets
from contextlib import contextmanager

from django.conf import settings
from django.core.signals import request_finished

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# What a proxy's id looks like (UUID, hex, …); anything else could inject into log lines.
ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
RESPONSE_HEADER = "X-Request-ID"


def request_id_get() -> str:
    return _current.get()


@contextmanager
def request_id_bound(value: str):
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


def request_id_new() -> str:
    return secrets.token_hex(16)


def request_id_from(request) -> str:
    header = getattr(settings, "REQUEST_ID_HEADER", "")
    incoming = request.headers.get(header, "") if header else ""
    return incoming if ACCEPTABLE.match(incoming) else request_id_new()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request)
        # Bound until the request ends (request_finished), not only inside the middleware:
        # Django logs "django.request" errors after the middleware chain returns.
        _current.set(request.request_id)
        response = self.get_response(request)
        response.headers[RESPONSE_HEADER] = request.request_id
        return response


def _request_id_clear(**kwargs):
    _current.set("")


request_finished.connect(_request_id_clear, dispatch_uid="sejour.operations.request_id_clear")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = _current.get()
        return True
