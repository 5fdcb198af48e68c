"""Everything Séjour holds about a person, in one archive they can download.

The archive is written to a temporary file and streamed from it, never held in
memory; stored files are copied in chunks. A file that storage cannot give, or
one beyond the archive's size limit, is listed in the archive instead
(``not-included.txt``) so one missing scan never costs the whole archive.
"""

import json
import logging
import shutil
import tempfile
import zipfile

from botocore.exceptions import BotoCoreError
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sejour.applications.models import Application
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEvent
from sejour.core.storage import StorageUnavailable, stored_open
from sejour.documents.models import SupportingFile
from sejour.registry.adapter import get_registry

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024
MISSING = "missing"
TOO_LARGE = "too_large"
UNREADABLE = "unreadable"
# Written in the archive in the language of the download: the archive has no page around it.
REASONS = {
    MISSING: _("not found in our storage"),
    UNREADABLE: _("our storage could not be read just now"),
    TOO_LARGE: _("the archive reached its size limit"),
}


def _not_included_text(left_out) -> str:
    lines = [
        gettext(
            "These files are not in this archive. You can download each one from the page of "
            "its application, or ask us through the contact form."
        ),
        "",
    ]
    lines += [f"- {path} ({label}): {REASONS[reason]}" for path, label, reason in left_out]
    return "\n".join(lines) + "\n"


def _archive_path(supporting_file) -> str:
    f = supporting_file
    return f"documents/{f.application.reference}/{f.pk}-{f.requirement_code}.{f.extension}"


class _Archive:
    """A zip being written, with a byte budget for the stored files copied into it."""

    def __init__(self, zip_file: zipfile.ZipFile, budget: int):
        self.zip = zip_file
        self.budget = budget
        self.left_out: list[tuple[str, str, str]] = []

    def copy(self, field_file, path: str, label: str, size: int | None = None) -> None:
        """Copy one stored file in chunks, or note why it is left out."""
        reason = self._copy(field_file, path, size)
        if reason:
            self.left_out.append((path, label, reason))

    def _copy(self, field_file, path: str, size: int | None) -> str | None:
        if self.budget <= 0 or (size is not None and size > self.budget):
            return TOO_LARGE
        try:
            handle, _length = stored_open(field_file)
        except FileNotFoundError:
            logger.error("Stored file missing from a data archive: %s", field_file.name)
            return MISSING
        except StorageUnavailable as error:
            logger.error("Storage unavailable for a data archive (%s): %s", field_file.name, error)
            return UNREADABLE
        # Read whole into a staging file first: a read failing half-way must not leave
        # half a file in the archive (a zip entry cannot be taken back).
        with tempfile.SpooledTemporaryFile(max_size=CHUNK) as staged:
            try:
                shutil.copyfileobj(handle, staged, CHUNK)
            except (OSError, StorageUnavailable, BotoCoreError) as error:
                logger.error(
                    "Stored file unreadable for a data archive (%s): %s", field_file.name, error
                )
                return UNREADABLE
            finally:
                handle.close()
            staged.seek(0)
            with self.zip.open(path, "w", force_zip64=True) as target:
                shutil.copyfileobj(staged, target, CHUNK)
        self.budget -= self.zip.getinfo(path).file_size
        return None


def employer_checks_export(user) -> list[dict]:
    from sejour.employers.selectors import checks_for_holder

    return [
        {
            "reference": check.reference,
            "employer": check.employer.name,
            "siret": check.employer.siret,
            "asked_at": check.created_at,
            "answer": check.verdict,
            "valid_until": check.valid_until,
            "reported_at": check.reported_at,
        }
        for check in checks_for_holder(user=user, limit=10_000)
    ]


def personal_data_archive(user):
    """The archive as an open temporary file, at its start (deleted once closed)."""
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
            "language": user.language,
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
        # Employers who checked the person's documents, and the answer each was given.
        "employer_checks": employer_checks_export(user),
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
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        _write(output, data, files, attestations)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output


def _write(output, data: dict, files, attestations) -> None:
    # Scans and PDFs are compressed already: stored as they are, only the JSON is deflated.
    with zipfile.ZipFile(output, "w", zipfile.ZIP_STORED, allowZip64=True) as zip_file:
        archive = _Archive(zip_file, settings.PERSONAL_DATA_ARCHIVE_MAX_BYTES)
        for f in files:
            archive.copy(f.file, _archive_path(f), f.original_name, size=f.size)
        for t in attestations:
            if t.file:
                archive.copy(t.file, f"attestations/{t.number}.pdf", t.number)
        data["not_included"] = [
            {"in_archive": path, "name": label, "why": reason}
            for path, label, reason in archive.left_out
        ]
        zip_file.writestr(
            "my-data.json",
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            compress_type=zipfile.ZIP_DEFLATED,
        )
        if archive.left_out:
            zip_file.writestr(
                "not-included.txt",
                _not_included_text(archive.left_out),
                compress_type=zipfile.ZIP_DEFLATED,
            )
