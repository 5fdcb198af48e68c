"""Everything Séjour holds about a person, in one archive they can download.

The archive holds a machine-readable file (``my-data.json``) and, beside it, a
summary a person reads (``summary.html``, in the language of the download):
references rather than internal ids, local times, statuses and events in words
with their details, and the e-mails and SMS sent to the person.

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
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sejour.applications.models import Application, status_label
from sejour.attestations.models import Attestation
from sejour.audit.labels import event_label
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
            "answer_label": str(check.verdict_label),
            "valid_until": check.valid_until,
            "reported_at": check.reported_at,
        }
        for check in checks_for_holder(user=user, limit=10_000)
    ]


def messages_sent_to(user, applications) -> list:
    """The e-mails and SMS Séjour wrote to the person: to their address, and to the mobile
    numbers they gave (settings, answers). Secrets (links, codes, passwords) stay hidden."""
    from sejour.attention.models import NoticePreferences
    from sejour.notifications.models import OutboxMessage

    phones = {
        application.answers.get("personal", {}).get("phone", "") for application in applications
    }
    phones |= set(
        NoticePreferences.objects.filter(user=user).values_list("mobile_phone", flat=True)
    )
    recipients = {user.email, *phones} - {"", None}
    return list(
        OutboxMessage.objects.filter(recipient__in=recipients)
        .only("channel", "recipient", "subject", "body", "secret_nonce", "status", "created_at")
        .order_by("created_at", "id")
    )


def personal_data_archive(user):
    """The archive as an open temporary file, at its start (deleted once closed)."""
    applications = list(Application.objects.filter(applicant=user).select_related("prefecture"))
    files = list(
        SupportingFile.objects.filter(application__applicant=user).select_related("application")
    )
    attestations = list(
        Attestation.objects.filter(application__applicant=user).select_related("application")
    )
    references = {a.pk: a.reference for a in applications}
    events = list(
        AuditEvent.objects.filter(subject=user, visible_to_applicant=True).order_by(
            "created_at", "id"
        )
    )
    messages = messages_sent_to(user, applications)
    document = None
    record = None
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
                "status_label": status_label(a.status),
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
                "when": timezone.localtime(e.created_at),
                "what": e.action,
                "label": event_label(e),
                "why": e.reason,
                "application": references.get(e.application_id),
            }
            for e in events
        ],
        "messages_sent_to_me": [
            {
                "when": timezone.localtime(m.created_at),
                "channel": m.channel,
                "to": m.recipient,
                "subject": m.subject,
                "text": m.body_hidden(),
                "status": m.status,
            }
            for m in messages
        ],
    }
    summary = _summary_html(
        user=user,
        record=record,
        applications=applications,
        files=files,
        attestations=attestations,
        events=events,
        messages=messages,
        references=references,
        checks=data["employer_checks"],
    )
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        _write(output, data, files, attestations, summary)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output


def _summary_html(
    *, user, record, applications, files, attestations, events, messages, references, checks
) -> str:
    """The same content for a person to read, in the language of the download."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return render_to_string(
        "accounts/export/summary.html",
        {
            "LANGUAGE_CODE": language,
            "LANGUAGE_BIDI": translation.get_language_bidi(),
            "exported_at": timezone.localtime(),
            "person": user,
            "document": record,
            "applications": [
                {
                    "application": a,
                    "status": status_label(a.status),
                    "files": [f for f in files if f.application_id == a.pk],
                }
                for a in applications
            ],
            "attestations": attestations,
            "history": [
                {
                    "when": timezone.localtime(e.created_at),
                    "label": event_label(e),
                    "reason": e.reason,
                    "application": references.get(e.application_id, ""),
                }
                for e in events
            ],
            "messages": [
                {
                    "when": timezone.localtime(m.created_at),
                    "channel": m.get_channel_display(),
                    "to": m.recipient,
                    "subject": m.subject,
                    "text": m.body_hidden(),
                }
                for m in messages
            ],
            "checks": checks,
        },
    )


def _write(output, data: dict, files, attestations, summary: str) -> None:
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
        zip_file.writestr("summary.html", summary, compress_type=zipfile.ZIP_DEFLATED)
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
