from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from sejour.applications.selectors import application_for_viewer


def attestation_download(request, reference, number):
    application = application_for_viewer(request, reference)
    attestation = get_object_or_404(application.attestations, number=number)
    if not attestation.file:
        raise Http404
    response = FileResponse(
        attestation.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{attestation.kind}-{attestation.number}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
