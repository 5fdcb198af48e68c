"""Uploads are accepted by content, scanned by a real clamd, and refused clearly."""

import io
import re

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from PIL import Image

from sejour.applications.tests.helpers import fill_until_documents, start, upload
from sejour.audit.models import AuditEvent
from sejour.conftest import EICAR, pdf_bytes, png_bytes
from sejour.documents.models import SupportingFile
from sejour.documents.scanning import ClamdScanner

pytestmark = pytest.mark.usefixtures("clamd", "media_root")
CODE = "passport"


@pytest.fixture
def application(client, applicant):
    client.force_login(applicant)
    application = start(client)
    fill_until_documents(client, application)
    return application


def image_bytes(image_format: str, size=(20, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 0, 0)).save(buffer, format=image_format)
    return buffer.getvalue()


def error_of(response) -> str:
    forms = [item["form"] for item in response.context["requirements"]]
    return " ".join(str(error) for form in forms for error in form.errors.get("file", []))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("BMP", "image/bmp"), ("TIFF", "image/tiff")],
)
def test_rule_document_formats_each_image_format_is_accepted_by_content(
    client, application, image_format, content_type
):
    response = upload(client, application, CODE, image_bytes(image_format), "photo.weird")
    assert response.status_code == 302
    stored = SupportingFile.objects.get(application=application)
    assert stored.content_type == content_type
    assert stored.file.name.endswith("." + stored.extension)


@pytest.mark.django_db
def test_pdf_is_accepted_and_several_files_per_document(client, application):
    assert upload(client, application, CODE, pdf_bytes(), "front.pdf").status_code == 302
    assert upload(client, application, CODE, png_bytes(), "back.png").status_code == 302
    assert (
        SupportingFile.objects.filter(application=application, requirement_code=CODE).count() == 2
    )


def pdf_with_attachment(content: bytes) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("note.txt", content)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


BAD = {
    "text renamed .pdf": (
        b"This is not a PDF, only text pretending to be one.\n",
        "fake.pdf",
        "not accepted",
    ),
    "empty file": (b"", "empty.pdf", "empty"),
    "truncated PDF": (pdf_bytes()[:-40], "cut.pdf", "damaged or incomplete"),
    "PDF with a broken body": (b"%PDF-1.7\n1 0 obj garbage\n%%EOF", "broken.pdf", "damaged"),
    "truncated PNG": (png_bytes((300, 300))[:-60], "cut.png", "damaged or incomplete"),
    "EICAR": (EICAR, "eicar.pdf", "not accepted"),
    "EICAR attached inside a valid PDF": (pdf_with_attachment(EICAR), "virus.pdf", "virus"),
    "EICAR inside a valid PNG": (png_bytes() + EICAR, "virus.png", "virus"),
    "SVG with script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "a.png",
        "not accepted",
    ),
    "zip archive": (b"PK\x03\x04" + b"\x00" * 60, "doc.pdf", "not accepted"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD))
def test_bad_files_are_refused_next_to_the_field_and_nothing_is_kept(
    client, application, media_root, case
):
    content, name, message = BAD[case]
    response = upload(client, application, CODE, content, name)
    assert response.status_code == 400
    assert message in error_of(response)
    assert not SupportingFile.objects.exists()
    assert not list(media_root.rglob("*.*"))
    # The answers of earlier steps are still there.
    application.refresh_from_db()
    assert application.answers["personal"]["address"] == "12 rue Oberkampf"


@pytest.mark.django_db
def test_image_bomb_is_refused(client, application, settings):
    settings.UPLOAD_MAX_PIXELS = 1_000_000
    bomb = image_bytes("PNG", size=(3000, 3000))  # 9 megapixels of one colour: a few KB
    assert len(bomb) < 100_000
    response = upload(client, application, CODE, bomb, "bomb.png")
    assert response.status_code == 400
    assert "too many pixels" in error_of(response)


@pytest.mark.django_db
def test_oversized_file_is_refused_with_the_limit(client, application, settings):
    settings.UPLOAD_MAX_BYTES = 50_000
    response = upload(client, application, CODE, image_bytes("BMP", size=(200, 200)), "big.bmp")
    assert response.status_code == 400
    assert "too large" in error_of(response)


@pytest.mark.django_db
def test_real_clamd_detects_eicar():
    scanner = ClamdScanner()
    assert scanner.scan(EICAR).infected
    assert "EICAR" in scanner.scan(EICAR).signature
    assert not scanner.scan(b"hello").infected


@pytest.mark.django_db
def test_scanner_down_refuses_the_file_clearly(client, application, settings):
    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"
    from sejour.documents import scanning

    scanning.get_scanner.cache_clear()
    try:
        response = upload(client, application, CODE, png_bytes(), "ok.png")
    finally:
        scanning.get_scanner.cache_clear()
    assert response.status_code == 400
    assert "cannot check files for viruses right now" in error_of(response)
    assert not SupportingFile.objects.exists()


@pytest.mark.django_db
def test_path_traversal_and_overlong_names_are_neutralised(client, application):
    name = "../../../etc/" + "x" * 300 + ".png"
    assert upload(client, application, CODE, png_bytes(), name).status_code == 302
    stored = SupportingFile.objects.get()
    assert ".." not in stored.file.name
    assert re.fullmatch(r"documents/[0-9a-f]{32}\.png", stored.file.name)
    assert "/" not in stored.original_name and len(stored.original_name) <= 120


@pytest.mark.django_db
def test_unknown_requirement_is_refused(client, application):
    response = upload(client, application, "not_a_requirement", png_bytes())
    assert response.status_code == 400
    assert not SupportingFile.objects.exists()


@pytest.mark.django_db
def test_handwritten_letter_replaces_a_document(client, application):
    assert (
        upload(client, application, CODE, png_bytes(), "letter.png", is_letter=True).status_code
        == 302
    )
    assert SupportingFile.objects.get().is_letter


@pytest.mark.django_db
def test_removing_a_file_keeps_its_version_in_the_history(client, application):
    upload(client, application, CODE, png_bytes(), "first.png")
    stored = SupportingFile.objects.get()
    response = client.post(
        reverse("applications:file_remove", args=[application.reference, stored.pk])
    )
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.removed_at is not None
    assert stored.file.storage.exists(stored.file.name)
    assert AuditEvent.objects.filter(application=application, action="document.removed").exists()
    page = client.get(reverse("applications:step", args=[application.reference, "documents"]))
    assert "first.png" not in page.content.decode()


class BrokenStorage(FileSystemStorage):
    def _save(self, name, content):
        raise OSError("disk full")


@pytest.mark.django_db
def test_storage_failure_gives_a_clear_message_and_no_orphan(client, application, monkeypatch):
    monkeypatch.setattr(SupportingFile._meta.get_field("file"), "storage", BrokenStorage())
    response = upload(client, application, CODE, png_bytes(), "ok.png")
    assert response.status_code == 400
    assert "could not save this file" in error_of(response)
    assert not SupportingFile.objects.exists()
