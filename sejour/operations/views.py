from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .metrics import metrics_allowed, scrape_registry
from .readiness import readiness


@never_cache
@require_GET
def metrics(request):
    """Prometheus' scrape: only with the configured token and/or from the allowed networks."""
    allowed = metrics_allowed(request)
    if allowed is None:
        raise Http404  # not configured: as if it did not exist
    if not allowed:
        return HttpResponseForbidden("forbidden", content_type="text/plain")
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)


@never_cache
@require_GET
def readyz(request):
    checks = readiness()
    ready = all(result in ("ok", "not used") for result in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )
