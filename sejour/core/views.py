import unicodedata

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sejour.registry.models import Prefecture
from sejour.rules.services import fee_breakdown, stamp_validity

from .forms import FeeSimulatorForm
from .help_content import SECTIONS


def request_too_large(request, exception=None):
    """What was sent is over the size limit: a clear page, never a server error."""
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("core:home")
    return render(
        request,
        "core/request_too_large.html",
        {
            "file_limit_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
            "back": back,
        },
        status=413,
    )


def home(request):
    return render(request, "core/home.html")


def _normalised(text: str) -> str:
    """Lower case without accents, so "deja" finds "déjà"."""
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def help_index(request):
    """The help centre: every question, grouped, searchable (without JavaScript)."""
    query = request.GET.get("q", "").strip()[:100]
    words = _normalised(query).split()
    sections = []
    for section in SECTIONS:
        entries = [
            entry
            for entry in section.entries
            if all(
                word in _normalised(" ".join([str(entry.question), *map(str, entry.answer)]))
                for word in words
            )
        ]
        if entries:
            sections.append({"section": section, "entries": entries})
    prefectures = Prefecture.objects.order_by("department_code") if not query else []
    return render(
        request,
        "core/help.html",
        {"query": query, "sections": sections, "prefectures": prefectures},
    )


def fees(request):
    """Fee simulator: what a permit costs, from the fees in force."""
    form = FeeSimulatorForm(request.GET or None)
    breakdown = None
    if form.is_valid():
        breakdown = fee_breakdown(
            procedure=form.cleaned_data["procedure"],
            motive=form.cleaned_data["motive"],
            late=form.cleaned_data["late"] and form.cleaned_data["procedure"] == "renewal",
            on=timezone.localdate(),
        )
    return render(request, "core/fees.html", {"form": form, "fees": breakdown})


def accessibility(request):
    return render(request, "core/accessibility.html")


def stamps(request):
    return render(request, "core/stamps.html", {"validity": stamp_validity(timezone.localdate())})


def healthz(request):
    """For the load balancer: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
