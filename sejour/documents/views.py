from pathlib import Path

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from sejour.applications.selectors import application_for_viewer
from sejour.core.http import download_filename
from sejour.core.storage import stored_file_response


def can_frame(supporting_file) -> bool:
    """Shown inside an agent's page? Never a PDF with scripts or automatic actions."""
    is_pdf = supporting_file.content_type == "application/pdf"
    return not (is_pdf and supporting_file.active_content)


# Framed by our own pages only, and sandboxed: whatever a file holds runs, if at all,
# in an opaque origin with no access to the agent's session or pages.
@xframe_options_sameorigin
@csp_override({**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF], "sandbox": True})
def file_download(request, reference, file_id):
    """A supporting file, for its owner and the competent prefecture's agents only."""
    application = application_for_viewer(request, reference)
    files = application.files
    if application.applicant_id != request.user.pk:
        files = files.filter(submitted=True)  # never what was removed before sending
    supporting_file = get_object_or_404(files, pk=file_id)
    return stored_file_response(
        request,
        supporting_file.file,
        content_type=supporting_file.content_type,
        as_attachment=not (request.GET.get("inline") == "1" and can_frame(supporting_file)),
        # The person's own name for their file (what they uploaded), its checked type.
        filename=download_filename(
            Path(supporting_file.original_name).stem, extension=supporting_file.extension
        ),
    )
