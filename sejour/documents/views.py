from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from sejour.applications.selectors import application_for_viewer
from sejour.core.storage import stored_file_response


@xframe_options_sameorigin
@csp_override({**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]})
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
        as_attachment=request.GET.get("inline") != "1",
        filename=f"{supporting_file.requirement_code}-{supporting_file.pk}.{supporting_file.extension}",
    )
