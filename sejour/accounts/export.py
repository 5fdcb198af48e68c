"""Everything Séjour holds about a person, in one archive they can download."""

import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from sejour.applications.models import Application
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEvent
from sejour.documents.models import SupportingFile
from sejour.registry.adapter import get_registry


def _archive_path(supporting_file) -> str:
    f = supporting_file
    return f"documents/{f.application.reference}/{f.pk}-{f.requirement_code}.{f.extension}"


def _copy(archive, field_file, name: str) -> None:
    """Copy one stored file; one missing from storage must not cost the whole archive."""
    try:
        with field_file.open("rb") as handle:
            archive.writestr(name, handle.read())
    except OSError:
        archive.writestr(name + ".missing.txt", "This file could not be read from storage.")


def personal_data_archive(user) -> bytes:
    applications = list(Application.objects.filter(applicant=user).select_related("prefecture"))
    files = list(
        SupportingFile.objects.filter(application__applicant=user).select_related("application")
    )
    attestations = list(
        Attestation.objects.filter(application__applicant=user).select_related("application")
    )
    document = None
    if user.identifier:
        record = get_registry().current_document(foreign_number=user.identifier)
        document = record and {
            "kind": record.kind,
            "number": record.number,
            "valid_from": record.valid_from,
            "valid_until": record.valid_until,
            "motive": record.motive,
            "allows_work": record.allows_work,
        }
    data = {
        "exported_at": timezone.now(),
        "account": {
            "identifier": user.identifier,
            "visa_number": user.visa_number,
            "email": user.email,
            "first_names": user.first_names,
            "last_name": user.last_name,
            "joined": user.date_joined,
            "email_verified_at": user.email_verified_at,
        },
        "current_document_in_the_national_file": document,
        "applications": [
            {
                "reference": a.reference,
                "procedure": a.procedure,
                "motive": a.motive,
                "status": a.status,
                "prefecture": a.prefecture.name if a.prefecture else None,
                "answers": a.answers,
                "filed_at": a.filed_at,
                "decision": a.decision,
                "decision_reasons": a.decision_reasons,
                "closed_reason": a.closed_reason,
                "files": [
                    {
                        "in_archive": _archive_path(f),
                        "name": f.original_name,
                        "requirement": f.requirement_code,
                        "uploaded_at": f.uploaded_at,
                        "removed_at": f.removed_at,
                        "handwritten_letter": f.is_letter,
                    }
                    for f in files
                    if f.application_id == a.pk
                ],
            }
            for a in applications
        ],
        "attestations": [
            {
                "number": t.number,
                "kind": t.kind,
                "application": t.application.reference,
                "valid_from": t.valid_from,
                "valid_until": t.valid_until,
                "in_archive": f"attestations/{t.number}.pdf",
            }
            for t in attestations
        ],
        "history": [
            {
                "when": e.created_at,
                "what": e.action,
                "why": e.reason,
                "application": e.application_id,
            }
            for e in AuditEvent.objects.filter(subject=user, visible_to_applicant=True).order_by(
                "created_at"
            )
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "my-data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        for f in files:
            with f.file.open("rb") as handle:
                archive.writestr(
                    f"documents/{f.application.reference}/{f.pk}-{f.requirement_code}.{f.extension}",
                    handle.read(),
                )
        for t in attestations:
            if t.file:
                with t.file.open("rb") as handle:
                    archive.writestr(f"attestations/{t.number}.pdf", handle.read())
    return buffer.getvalue()
