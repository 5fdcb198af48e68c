from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from sejour.applications.selectors import application_for_viewer
from sejour.attention.services import attestation_mark_downloaded
from sejour.core.storage import stored_file_response

from .selectors import attestation_check


def attestation_download(request, reference, number):
    application = application_for_viewer(request, reference)
    attestation = get_object_or_404(application.attestations, number=number)
    attestation_mark_downloaded(attestation=attestation, by=request.user)
    return stored_file_response(
        request,
        attestation.file,
        content_type="application/pdf",
        filename=attestation.download_name(),
    )


def verify(request, token=""):
    """Public: is this attestation genuine, and is it still valid today?"""
    if not token and request.GET.get("code"):
        # A code typed by hand (or pasted) rather than scanned.
        code = request.GET["code"].strip().rsplit("/verifier/", 1)[-1].strip("/")[:500]
        kind, _slash, employer_token = code.partition("/")
        if kind == "employeur" and employer_token and "/" not in employer_token:
            # An employer's signed answer has its own page (sejour/employers).
            return redirect("employers:verify", token=employer_token)
        if code and "/" not in code:
            return redirect("attestations:verify", token=code)
        token = code or "-"
    context = {"token": token}
    if token:
        check = attestation_check(token=token, today=timezone.localdate())
        context.update(
            {
                "state": check.state,
                "attestation": check.attestation,
                "holder": check.holder,
                "ended_because": check.ended_because,
            }
        )
    response = render(request, "attestations/verify.html", context, status=200)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
