from django.shortcuts import get_object_or_404

from sejour.applications.selectors import application_for_viewer
from sejour.core.storage import stored_file_response


def attestation_download(request, reference, number):
    application = application_for_viewer(request, reference)
    attestation = get_object_or_404(application.attestations, number=number)
    return stored_file_response(
        request,
        attestation.file,
        content_type="application/pdf",
        filename=f"{attestation.kind}-{attestation.number}.pdf",
    )


def verify(request, token=""):
    """Public: is this attestation genuine, and is it still valid today?"""
    from django.shortcuts import redirect, render
    from django.utils import timezone

    from . import signing
    from .models import Attestation

    if not token and request.GET.get("code"):
        # A code typed by hand (or pasted) rather than scanned.
        code = request.GET["code"].strip().rsplit("/verifier/", 1)[-1].strip("/")[:500]
        if code and "/" not in code:
            return redirect("attestations:verify", token=code)
        token = code or "-"
    context = {"token": token}
    if token:
        payload = signing.verify(token)
        attestation = (
            Attestation.objects.select_related("superseded_by")
            .filter(number=payload.get("n"))
            .first()
            if payload
            else None
        )
        today = timezone.localdate()
        if attestation is None:
            state = "forged"
        elif attestation.revoked_at:
            state = "revoked"
        elif attestation.superseded_by_id and attestation.superseded_by.valid_from <= today:
            state = "superseded"
        elif attestation.valid_until and attestation.valid_until < today:
            state = "expired"
        elif attestation.valid_from and attestation.valid_from > today:
            state = "not_yet_valid"
        else:
            state = "valid"
        context.update({"state": state, "attestation": attestation})
    response = render(request, "attestations/verify.html", context, status=200)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
