"""Issuing attestations: render the PDF with its signed QR code, keep it, put it in
the account, e-mail it; and keep every pending application covered by an ADP
(before the decision) or an ADF (after a favourable one), without a gap."""

from datetime import date, timedelta

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from sejour.accounts.languages import language_of
from sejour.accounts.selectors import CertifiedIdentity, certified_identity
from sejour.applications.models import Application, Decision, Status
from sejour.audit.services import audit_record
from sejour.figures.services import tallies_shift, tally_keys
from sejour.notifications.services import outbox_email
from sejour.registry.models import DocumentKind
from sejour.rules.services import CHANGE_PROCEDURES, add_months, instruction_rule

from . import signing
from .models import Attestation

PENDING_DECISION = (Status.FILED, Status.UNDER_INSTRUCTION, Status.WAITING_APPLICANT)
AWAITING_HANDOVER = (Status.DECISION_TAKEN, Status.PERMIT_AVAILABLE)
TEMPLATES = {
    Attestation.Kind.FILING: "pdf/attestation_filing.html",
    Attestation.Kind.ADP: "pdf/attestation_adp.html",
    Attestation.Kind.ADF: "pdf/attestation_adf.html",
    Attestation.Kind.DECISION: "pdf/decision_letter.html",
    Attestation.Kind.ADDRESS: "pdf/attestation_address.html",
}


class IdentityUnknown(Exception):
    """The registry knows no person behind the account: nothing may be certified."""


def token_payload(attestation: Attestation) -> dict:
    """What the QR code signs: the attestation and the registry identity it certifies,
    so a check made offline from the code alone names the right person."""
    return {
        "n": attestation.number,
        "h": attestation.holder_name,
        "b": attestation.holder_birth_date.isoformat() if attestation.holder_birth_date else "",
        "x": attestation.holder_number,
    }


def verification_url(attestation: Attestation) -> str:
    token = signing.sign(token_payload(attestation))
    return settings.SITE_URL + reverse("attestations:verify", args=[token])


def _render(attestation: Attestation, identity: CertifiedIdentity) -> bytes:
    from .pdf import pdf_render

    application = attestation.application
    url = verification_url(attestation)
    with translation.override("fr"):
        return pdf_render(
            TEMPLATES[attestation.kind],
            {
                "attestation": attestation,
                "application": application,
                # Printed in full: the PDF is the holder's own document.
                "identity_number": identity.number,
                # Lazy: the translation beneath the French text names it in its language.
                "identity_number_label": lazy(lambda: identity.number_label, str)(),
                "document_label": DocumentKind(application.current_document["kind"]).label,
                "document": application.current_document,
                "document_end": application.current_document_ends_on,
                "allows_work": application.current_document.get("allows_work", False),
                "verification_url": url,
                "qr_data_uri": segno.make(url, error="m").svg_data_uri(scale=3, border=2),
                "LANGUAGE_CODE": "fr",
            },
            # Legally French; the holder reads a faithful translation beneath it.
            translation_language=language_of(application.applicant),
        )


def _subject(attestation: Attestation) -> str:
    reference = attestation.application.reference
    return {
        Attestation.Kind.FILING: _("Séjour: your application %(reference)s is filed"),
        Attestation.Kind.ADP: _(
            "Séjour: your attestation extending the examination (%(reference)s)"
        ),
        Attestation.Kind.ADF: _("Séjour: favourable decision on your application %(reference)s"),
        Attestation.Kind.DECISION: _("Séjour: decision on your application %(reference)s"),
        Attestation.Kind.ADDRESS: _("Séjour: attestation of your new address (%(reference)s)"),
    }[attestation.kind] % {"reference": reference}


def attestation_issue(
    *,
    application: Application,
    kind: str,
    valid_from: date | None = None,
    valid_until: date | None = None,
    data: dict | None = None,
    supersedes: Attestation | None = None,
    by=None,
) -> Attestation:
    """Render, store and record one attestation, and e-mail it to the applicant.

    The holder printed and signed is the registry's person behind the account
    (`certified_identity`), whatever the applicant typed in the wizard."""
    identity = certified_identity(application=application)
    if identity is None:
        raise IdentityUnknown(f"no registry person behind {application.reference}")
    attestation = Attestation(
        application=application,
        kind=kind,
        holder_name=identity.full_name,
        holder_birth_date=identity.birth_date,
        holder_number=identity.masked_number,
        holder_number_kind=identity.number_kind,
        valid_from=valid_from,
        valid_until=valid_until,
        data=data or {},
    )
    attestation.file.save(
        f"{attestation.number}.pdf", ContentFile(_render(attestation, identity)), save=False
    )
    try:
        with transaction.atomic():
            attestation.save()
            if supersedes is not None:
                supersedes.superseded_by = attestation
                supersedes.save(update_fields=["superseded_by"])
            audit_record(
                action="attestation.issued",
                actor=by,
                subject=application.applicant,
                application=application,
                data={
                    "kind": kind,
                    "number": attestation.number,
                    "valid_from": valid_from.isoformat() if valid_from else None,
                    "valid_until": valid_until.isoformat() if valid_until else None,
                },
            )
            language = language_of(application.applicant)
            with translation.override(language):
                outbox_email(
                    language=language,
                    to=application.applicant.email,
                    subject=_subject(attestation),
                    template=f"attestations/email/{kind}.txt",
                    context={"application": application, "attestation": attestation},
                    attachment=attestation.file.name,
                    attachment_name=attestation.download_name(),
                )
    except Exception:
        attestation.file.delete(save=False)
        raise
    return attestation


def attestation_filing_issue(*, application_id: int) -> Attestation:
    """The attestation of filing; running twice gives one attestation and one e-mail."""
    application = Application.objects.select_related("applicant", "prefecture").get(
        pk=application_id
    )
    existing = application.attestations.filter(kind=Attestation.Kind.FILING).first()
    if existing:
        return existing
    try:
        return attestation_issue(application=application, kind=Attestation.Kind.FILING)
    except IntegrityError:
        # Another worker issued it first (one filing attestation per application).
        return application.attestations.get(kind=Attestation.Kind.FILING)


def attestation_after_decision(*, application_id: int, work: str) -> list[Attestation]:
    """Run by the worker after an instruction step commits; safe to run twice."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("applicant", "prefecture")
            .get(pk=application_id)
        )
        if work == "cover":
            return coverage_ensure(application=application)
        if application.attestations.filter(kind=work).exists():
            return []
        if work == Attestation.Kind.ADDRESS:
            return [
                attestation_issue(
                    application=application,
                    kind=work,
                    valid_from=timezone.localdate(application.decided_at),
                    # The new address only: the typed name and birth date are never kept here.
                    data={
                        "address": {
                            key: application.answers.get("personal", {}).get(key, "")
                            for key in ("address", "postcode", "city")
                        }
                    },
                )
            ]
        return [attestation_issue(application=application, kind=work)]


def attestation_end(*, attestation: Attestation, reason: str, by=None) -> None:
    """Mark an attestation as no longer valid (e.g. the permit was handed over)."""
    if attestation.revoked_at is not None:
        return
    attestation.revoked_at = timezone.now()
    attestation.revoke_reason = reason
    attestation.save(update_fields=["revoked_at", "revoke_reason"])
    audit_record(
        action="attestation.ended",
        actor=by,
        subject=attestation.application.applicant,
        application=attestation.application,
        reason=reason,
        data={"number": attestation.number},
    )


def current_cover(application: Application, kind: str) -> Attestation | None:
    return (
        application.attestations.filter(
            kind=kind, superseded_by__isnull=True, revoked_at__isnull=True
        )
        .order_by("-valid_until")
        .first()
    )


def _rights(application: Application) -> dict:
    return {
        "procedure": application.procedure,
        "allows_work": bool(application.current_document.get("allows_work")),
        "previous_document": application.current_document.get("number", ""),
    }


def _cover_issue(application, kind, start: date, rule, *, supersedes, by) -> Attestation:
    """One ADP or ADF, as long as the rule says, from `start`."""
    return attestation_issue(
        application=application,
        kind=kind,
        valid_from=start,
        valid_until=add_months(start, rule.attestation_months) - timedelta(days=1),
        data=_rights(application),
        supersedes=supersedes,
        by=by,
    )


def covers_end(*, application: Application, kind: str, reason: str, by=None) -> None:
    """End every ADP (or ADF) still standing: the one in force and any issued ahead."""
    for attestation in application.attestations.filter(kind=kind, revoked_at__isnull=True):
        attestation_end(attestation=attestation, reason=reason, by=by)


def coverage_ensure(
    *, application: Application, today: date | None = None, by=None
) -> list[Attestation]:
    """Issue the ADPs (before a decision) or ADFs (after a favourable one) needed so
    that the applicant always holds a valid document, starting the day after the
    current one ends; call it daily and after each decision."""
    today = today or timezone.localdate()
    if application.procedure in CHANGE_PROCEDURES:
        return []  # the current permit stays valid while a change is examined
    rule = instruction_rule(today)
    if application.status in PENDING_DECISION:
        kind = Attestation.Kind.ADP
    elif application.status in AWAITING_HANDOVER and application.decision == Decision.FAVOURABLE:
        kind = Attestation.Kind.ADF
    else:
        return []
    issued = []
    current = current_cover(application, kind)
    if current is None and kind == Attestation.Kind.ADF:
        # The ADF starts on the decision day and replaces the ADP.
        start = timezone.localdate(application.decided_at) if application.decided_at else today
        adp = current_cover(application, Attestation.Kind.ADP)
        current = _cover_issue(application, kind, start, rule, supersedes=adp, by=by)
        issued.append(current)
    covered_until = current.valid_until if current else application.current_document_ends_on
    horizon = today + timedelta(days=rule.renew_days_before)
    # A new ADP moves the day this application is covered until (the dashboard's count).
    renewing_adp = kind == Attestation.Kind.ADP and covered_until <= horizon
    before = tally_keys(application) if renewing_adp else None
    while covered_until <= horizon:
        current = _cover_issue(
            application, kind, covered_until + timedelta(days=1), rule, supersedes=current, by=by
        )
        issued.append(current)
        covered_until = current.valid_until
    if before is not None:
        tallies_shift(application=application, before=before)
    return issued


def coverage_ensure_all(*, today: date | None = None) -> int:
    """The daily run: every application waiting for a decision or a handover."""
    count = 0
    for application in Application.objects.filter(
        status__in=(*PENDING_DECISION, *AWAITING_HANDOVER)
    ).select_related("applicant"):
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            count += len(coverage_ensure(application=locked, today=today))
    return count
