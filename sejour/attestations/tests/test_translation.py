"""Attestations stay legally French; the holder's translation follows beneath (issue 15 §1)."""

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from sejour.applications import services as application_services
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.attestations.services import attestation_filing_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clamd", "media_root")]
# Arabic letters, and the presentation forms a PDF may hold once the text is shaped.
ARABIC = [(0x0600, 0x06FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]


def pdf_text(attestation) -> str:
    with attestation.file.open("rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def filing_attestation(applicant, code, language):
    applicant.language = language
    applicant.save()
    application = ready_to_submit(applicant, code)
    application_services.application_submit(application=application, by=applicant)
    return attestation_filing_issue(application_id=application.pk)


def _in(language, text):
    with translation.override(language):
        return " ".join(translation.gettext(text).split())


def test_for_a_french_reader_the_attestation_is_french_only(applicant, ephoto_codes):
    text = pdf_text(filing_attestation(applicant, ephoto_codes["valid"], "fr"))
    assert _in("fr", "Attestation of filing of a residence-permit application") in text
    assert _in("fr", "Only the French text") not in text
    assert "Attestation of filing of a residence-permit application" not in text


def test_for_an_english_reader_the_french_text_comes_first_then_its_translation(
    applicant, ephoto_codes
):
    attestation = filing_attestation(applicant, ephoto_codes["valid"], "en")
    text = pdf_text(attestation)
    french = text.find(_in("fr", "Attestation of filing of a residence-permit application"))
    english = text.find("Attestation of filing of a residence-permit application")
    notice = text.find("Only the French text has legal value.")
    assert 0 <= french < notice < english
    assert "It proves that the application was received." in text
    assert attestation.holder_name in text[english:]


def test_for_an_arabic_reader_the_translation_is_arabic_right_to_left(applicant, ephoto_codes):
    from sejour.attestations import pdf

    attestation = filing_attestation(applicant, ephoto_codes["valid"], "ar")
    text = pdf_text(attestation)
    assert _in("fr", "Attestation of filing of a residence-permit application") in text
    arabic = [char for char in text if any(low <= ord(char) <= high for low, high in ARABIC)]
    assert len(arabic) > 200
    assert "Only the French text" not in text  # the notice is in Arabic too
    html = []
    real = pdf.HTML

    def spy(string, **kwargs):
        html.append(string)
        return real(string=string, **kwargs)

    pdf.HTML = spy
    try:
        with translation.override("fr"):
            pdf.pdf_render(
                "pdf/attestation_filing.html",
                {"attestation": attestation, "application": attestation.application},
                translation_language="ar",
            )
    finally:
        pdf.HTML = real
    assert '<section class="translation" lang="ar" dir="rtl">' in html[0]
    assert html[0].index('<html lang="fr"') < html[0].index('lang="ar"')
