"""Issuing attestations: render the PDF, keep it, put it in the account, e-mail it."""

from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sejour.applications.models import Application
from sejour.audit.services import audit_record
from sejour.notifications.services import outbox_email
from sejour.registry.models import DocumentKind

from .models import Attestation
from .pdf import pdf_render


def attestation_filing_issue(*, application_id: int) -> Attestation:
    """The attestation of filing; running twice gives one attestation and one e-mail."""
    application = Application.objects.select_related("applicant", "prefecture").get(
        pk=application_id
    )
    existing = application.attestations.filter(kind=Attestation.Kind.FILING).first()
    if existing:
        return existing
    personal = application.answers.get("personal", {})
    holder = f"{personal.get('first_names', '')} {personal.get('last_name', '').upper()}".strip()
    attestation = Attestation(
        application=application, kind=Attestation.Kind.FILING, holder_name=holder
    )
    with translation.override("fr"):
        content = pdf_render(
            "pdf/attestation_filing.html",
            {
                "attestation": attestation,
                "application": application,
                "identifier": application.applicant.identifier,
                "birth_date": date.fromisoformat(personal["birth_date"])
                if personal.get("birth_date")
                else None,
                "document_label": DocumentKind(application.current_document["kind"]).label,
                "document_end": application.current_document_ends_on,
                "LANGUAGE_CODE": "fr",
            },
        )
    attestation.file.save(f"{attestation.number}.pdf", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            attestation.save()
            audit_record(
                action="attestation.issued",
                subject=application.applicant,
                application=application,
                data={"kind": attestation.kind, "number": attestation.number},
            )
            outbox_email(
                to=application.applicant.email,
                subject=_("Séjour: your application %(reference)s is filed")
                % {"reference": application.reference},
                template="attestations/email/filing.txt",
                context={"application": application, "attestation": attestation},
                attachment=attestation.file.name,
                attachment_name=f"attestation-depot-{application.reference}.pdf",
            )
    except IntegrityError:
        # Another worker issued it first: keep theirs, drop our file.
        attestation.file.delete(save=False)
        return application.attestations.get(kind=Attestation.Kind.FILING)
    return attestation
