"""Adding and removing supporting files: checked, scanned, stored, audited."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sejour.accounts import throttle
from sejour.accounts.models import Attempt
from sejour.applications.models import Application, Status
from sejour.applications.services import ApplicationError
from sejour.applications.states import APPLICANT, transition_for
from sejour.audit.services import audit_record
from sejour.rules.services import document_requirements

from .models import SupportingFile
from .scanning import VIRUS_REFUSED, ScannerUnavailable, get_scanner
from .validation import UploadRejected, inspect_upload, safe_display_name

logger = logging.getLogger(__name__)


def _requirement(application: Application, code: str):
    for requirement in document_requirements(
        motive=application.motive, procedure=application.procedure, on=application.created_at.date()
    ):
        if requirement.code == code:
            return requirement
    raise ApplicationError(_("This document is not part of this application."))


def _check_editable(application: Application) -> bool:
    """True if the application is sent (a change is then a "complete" action)."""
    if application.status == Status.DRAFT:
        return False
    transition_for("complete", application.status, APPLICANT)
    return True


def file_add(
    *, application: Application, requirement_code: str, uploaded, is_letter: bool, by
) -> SupportingFile:
    """Check, scan and keep one uploaded file for a requirement of the application."""
    _requirement(application, requirement_code)
    # Counted before the file is opened: checking and scanning are the costly part.
    until = throttle.rate_limited(
        kind=Attempt.Kind.UPLOAD, key=f"user:{by.pk}", limit=settings.RATE_LIMIT_UPLOADS_PER_ACCOUNT
    )
    if until is not None:
        raise ApplicationError(
            _("You have sent many files in a short time. Please try again after %(time)s.")
            % {"time": date_format(timezone.localtime(until), "H:i")},
            "file",
        )
    try:
        inspected = inspect_upload(uploaded)
    except UploadRejected as error:
        raise ApplicationError(str(error), "file") from error
    try:
        result = get_scanner().scan(inspected.content)
    except ScannerUnavailable as error:
        logger.error("Virus scanner unavailable: %s", error)
        raise ApplicationError(
            _(
                "We cannot check files for viruses right now, so we cannot accept this one. "
                "Nothing you entered is lost: try again in a few minutes."
            ),
            "file",
        ) from error
    if result.infected:
        logger.warning(
            "Infected upload refused (%s) for %s", result.signature, application.reference
        )
        raise ApplicationError(str(VIRUS_REFUSED), "file")
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        after_filing = _check_editable(application)
        supporting_file = SupportingFile(
            application=application,
            requirement_code=requirement_code,
            is_letter=is_letter,
            original_name=safe_display_name(getattr(uploaded, "name", "") or ""),
            content_type=inspected.content_type,
            size=inspected.size,
            sha256=inspected.sha256,
            active_content=inspected.active_content,
            uploaded_by=by,
            submitted=after_filing,
        )
        # Stored first; if the row cannot be written the file is deleted again.
        supporting_file.file.save("upload", ContentFile(inspected.content), save=False)
        try:
            supporting_file.save()
            audit_record(
                action="document.added_after_filing" if after_filing else "document.added",
                actor=by,
                subject=application.applicant,
                application=application,
                data={
                    "requirement": requirement_code,
                    "file": supporting_file.pk,
                    "name": supporting_file.original_name,
                    "letter": is_letter,
                },
            )
        except Exception:
            supporting_file.file.delete(save=False)
            raise
    return supporting_file


def file_remove(*, supporting_file: SupportingFile, by) -> SupportingFile:
    """Take a file out of the application; its version stays in the history."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=supporting_file.application_id)
        after_filing = _check_editable(application)
        supporting_file = SupportingFile.objects.select_for_update().get(pk=supporting_file.pk)
        if supporting_file.removed_at is not None:
            return supporting_file
        supporting_file.removed_at = timezone.now()
        supporting_file.removed_by = by
        supporting_file.save(update_fields=["removed_at", "removed_by"])
        audit_record(
            action="document.removed_after_filing" if after_filing else "document.removed",
            actor=by,
            subject=application.applicant,
            application=application,
            data={"requirement": supporting_file.requirement_code, "file": supporting_file.pk},
        )
    return supporting_file
