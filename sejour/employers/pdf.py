"""The employer's signed answer: a PDF with the same Ed25519-signed QR code as
attestations, pointing to the public verification page for answers."""

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from sejour.attestations import signing
from sejour.attestations.pdf import pdf_render

from .models import CheckRequest


def answer_payload(check: CheckRequest) -> dict:
    """What the QR code signs: the answer itself, so a check made from the code alone
    shows what the prefecture said. `t` tells it from an attestation's token."""
    return {
        "t": "employer_check",
        "c": check.reference,
        "e": check.employer.siret,
        "r": check.verdict,
        "s": check.job_start.isoformat(),
        "u": check.valid_until.isoformat() if check.valid_until else "",
        "l": check.yearly_work_limit_hours or 0,
        "h": check.holder_name,
    }


def answer_verification_url(check: CheckRequest) -> str:
    token = signing.sign(answer_payload(check))
    return settings.SITE_URL + reverse("employers:verify", args=[token])


def answer_pdf(check: CheckRequest) -> bytes:
    url = answer_verification_url(check)
    # The French text is the legal one.
    with translation.override("fr"):
        return pdf_render(
            "employers/pdf/answer.html",
            {
                "check": check,
                "verification_url": url,
                "qr_data_uri": segno.make(url, error="m").svg_data_uri(scale=3, border=2),
                "LANGUAGE_CODE": "fr",
            },
        )
