"""Prometheus metrics: per-view latency and errors, counted in each web process, and the
state of the queues read from the database at each scrape.

Several gunicorn workers: set PROMETHEUS_MULTIPROC_DIR to an empty directory
(prometheus_client's multiprocess mode) so that a scrape adds up every
process, and `sejour/gunicorn.conf.py` tells it when a worker exits.
"""

import hmac
import logging
import os
import time
from ipaddress import ip_address, ip_network

from django.conf import settings
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from sejour.accounts.throttle import client_address

from . import selectors

logger = logging.getLogger("sejour.request")

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
REQUEST_SECONDS = Histogram(
    "sejour_http_request_duration_seconds",
    "Time to answer a request, per view.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RESPONSES = Counter(
    "sejour_http_responses_total", "Answers, per view and status class.", ["view", "status"]
)
EXCEPTIONS = Counter(
    "sejour_http_exceptions_total", "Unhandled exceptions (answered 500), per view.", ["view"]
)


def view_label(request) -> str:
    """The URL name ("accounts:login"), never the path: bounded, and no token ever in it."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or "<unnamed>"


class MetricsMiddleware:
    """Outermost but for the security middleware: times everything Séjour does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = view_label(request)
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(view=view, method=method).observe(elapsed)
        RESPONSES.labels(view=view, status=f"{response.status_code // 100}xx").inc()
        route = getattr(getattr(request, "resolver_match", None), "route", "") or ""
        logger.info(
            "request",
            extra={
                "method": method,
                "view": view,
                "route": route,  # the URL pattern: "compte/verifier/<str:token>/", not the token
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
        return response

    def process_exception(self, request, exception):
        EXCEPTIONS.labels(view=view_label(request)).inc()
        return None


def _gauge(name: str, documentation: str, value, labels=None) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=list(labels or {}))
    family.add_metric(list((labels or {}).values()), value)
    return family


class DatabaseCollector:
    """Figures shared by all processes, read when Prometheus scrapes (a few indexed counts)."""

    def collect(self):
        now = timezone.now()
        waiting = selectors.tasks_waiting()
        queued = GaugeMetricFamily(
            "sejour_tasks_queued",
            "Tasks ready to run, not yet taken by a worker.",
            labels=["queue"],
        )
        for queue, count in sorted(waiting["per_queue"].items()):
            queued.add_metric([queue], count)
        if not waiting["per_queue"]:
            queued.add_metric(["default"], 0)
        yield queued
        oldest = waiting["oldest_enqueued_at"]
        yield _gauge(
            "sejour_tasks_oldest_queued_age_seconds",
            "Age of the oldest task ready to run (0 when none waits).",
            (now - oldest).total_seconds() if oldest else 0,
        )
        yield _gauge("sejour_tasks_running", "Tasks being run.", selectors.tasks_running())
        outbox = selectors.outbox_counts()
        messages = GaugeMetricFamily(
            "sejour_outbox_messages",
            "E-mails and SMS not delivered yet, or given up.",
            labels=["status"],
        )
        for status, count in outbox.items():
            messages.add_metric([status], count)
        yield messages
        yield _gauge(
            "sejour_adp_coverage_gaps",
            "Applications waiting for a decision whose holder has no valid document today "
            "(must stay 0).",
            selectors.adp_coverage_gaps(),
        )
        workers = selectors.worker_heartbeats(now=now)
        yield _gauge(
            "sejour_workers_alive", "Task workers whose heartbeat is recent.", workers["alive"]
        )
        newest = workers["newest"]
        yield _gauge(
            "sejour_worker_heartbeat_age_seconds",
            "Seconds since the most recent worker heartbeat (-1: no worker ever seen).",
            (now - newest).total_seconds() if newest else -1,
        )


class _ThisProcess:
    """prometheus_client's default registry: this process's counters (single-process mode)."""

    def collect(self):
        yield from REGISTRY.collect()


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector())
    return registry


def metrics_allowed(request) -> bool | None:
    """None: the endpoint is off (no token or address configured); else whether this
    request may read it. When both are set, both must match."""
    token = settings.METRICS_TOKEN
    networks = settings.METRICS_ALLOWED_NETWORKS
    if not token and not networks:
        return None
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return False
    if networks:
        try:
            address = ip_address(client_address(request))
        except ValueError:
            return False
        if not any(address in ip_network(network, strict=False) for network in networks):
            return False
    return True
