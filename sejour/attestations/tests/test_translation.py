"""Attestations stay legally French; the holder's translation follows beneath (issue 15 §1)."""

import io
import json
import zipfile

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
    assert "Foreign-national number" in text[english:]  # every label in the translation
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


# --- The names of the person's downloads ------------------------------------------------


def test_a_content_disposition_has_an_ascii_name_and_the_utf8_one():
    from sejour.core.http import content_disposition, download_filename

    name = download_filename("إفادة الإيداع", "ATT-1234", extension="pdf")
    assert name == "إفادة-الإيداع-ATT-1234.pdf"
    header = content_disposition(name)
    assert header.startswith("attachment; filename=\"ATT-1234.pdf\"; filename*=UTF-8''")
    assert "%D8%A5" in header  # the first Arabic letter, percent-encoded
    header.encode("ascii")  # a header is ASCII whatever the name
    french = content_disposition("mes-données-Séjour.zip", as_attachment=False)
    assert french.startswith('inline; filename="mes-donnees-Sejour.zip"')
    # What a person typed cannot break out of the header.
    hostile = content_disposition(download_filename('a"\r\nSet-Cookie: x=1', extension="png"))
    assert "\r" not in hostile and "\n" not in hostile and hostile.count('"') == 2


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Attestation-of-filing-"), ("fr", "Attestation-de-dépôt-")],
)
def test_the_attestation_downloads_under_a_name_in_the_holders_language(
    client, applicant, ephoto_codes, language, expected
):
    from urllib.parse import unquote

    from django.urls import reverse

    attestation = filing_attestation(applicant, ephoto_codes["valid"], language)
    client.cookies["django_language"] = language
    client.force_login(applicant)
    url = reverse(
        "applications:attestation_download",
        args=[attestation.application.reference, attestation.number],
    )
    header = client.get(url)["Content-Disposition"]
    utf8 = unquote(header.split("filename*=UTF-8''")[1])
    assert utf8 == f"{expected}{attestation.number}.pdf"
    assert "filing-" not in utf8.lower() or language == "en"


def test_an_arabic_holder_gets_an_arabic_name_and_others_get_nothing(
    client, applicant, other_applicant, agent_rhone, ephoto_codes
):
    from urllib.parse import unquote

    from django.urls import reverse

    attestation = filing_attestation(applicant, ephoto_codes["valid"], "ar")
    url = reverse(
        "applications:attestation_download",
        args=[attestation.application.reference, attestation.number],
    )
    client.force_login(applicant)
    client.cookies["django_language"] = "ar"
    response = client.get(url)
    header = response["Content-Disposition"]
    fallback = header.split('filename="')[1].split('"')[0]
    assert fallback.endswith(f"-{attestation.number}.pdf") and "--" not in fallback
    with translation.override("ar"):
        label = str(attestation.get_kind_display())
    assert any("\u0600" <= char <= "\u06ff" for char in label)
    assert unquote(header.split("''")[1]) == f"{label.replace(' ', '-')}-{attestation.number}.pdf"
    for outsider in (other_applicant, agent_rhone):
        client.force_login(outsider)
        assert client.get(url).status_code in (403, 404)


def test_an_uploaded_file_downloads_under_the_name_the_person_gave_it(client, applicant):
    from urllib.parse import unquote

    from django.urls import reverse

    from sejour.applications.tests.helpers import upload
    from sejour.conftest import png_bytes

    client.force_login(applicant)
    application = application_services.application_start(applicant=applicant, motive="student")
    response = upload(client, application, "passport", png_bytes(), "passeport été.png")
    assert response.status_code == 302
    supporting_file = application.files.get()
    header = client.get(
        reverse("applications:file_download", args=[application.reference, supporting_file.pk])
    )["Content-Disposition"]
    assert unquote(header.split("''")[1]) == "passeport-été.png"
    assert "passport" not in header  # no internal code in the person's file name


def test_the_attestation_e_mail_and_its_attachment_are_in_the_holders_language(
    applicant, ephoto_codes
):
    from sejour.notifications.models import OutboxMessage

    attestation = filing_attestation(applicant, ephoto_codes["valid"], "en")
    message = OutboxMessage.objects.get(recipient=applicant.email, attachment__isnull=False)
    assert message.attachment_name == f"Attestation-of-filing-{attestation.number}.pdf"
    assert message.subject.startswith("Séjour: your application")
    assert "Your attestation of filing is attached to this e-mail." in message.body


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_personal_data_archive_and_the_list_of_documents_are_named_in_the_language(
    client, applicant, language
):
    from urllib.parse import unquote

    from django.urls import reverse

    applicant.language = language
    applicant.save()
    client.cookies["django_language"] = language
    client.force_login(applicant)
    response = client.get(reverse("accounts:my_data"))
    held = json.loads(
        zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("my-data.json")
    )
    assert held["account"]["language"] == language  # what the account keeps is in it
    archive = response["Content-Disposition"]
    pieces = client.get(reverse("applications:requirements_pdf", args=["student", "renewal"]))[
        "Content-Disposition"
    ]
    with translation.override(language):
        data = translation.pgettext("file name", "my-Séjour-data")
        documents = translation.pgettext("file name", "documents-to-provide")
    assert unquote(archive.split("''")[1]) == f"{data}.zip"
    assert unquote(pieces.split("''")[1]).startswith(f"{documents}-")
    for header in (archive, pieces):
        header.encode("ascii")
        assert header.startswith('attachment; filename="')
