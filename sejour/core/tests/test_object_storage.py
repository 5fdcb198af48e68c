"""Files in S3-compatible object storage, for real: every test talks over HTTP to the
S3 test server (moto's standalone server in its own process, started by
scripts/s3.sh) through the storage Séjour uses in production.

Uploads, downloads, previews, attestation PDFs (and the e-mail that carries
them), contact-form screenshots and the personal-data archive; a private bucket;
keys that say nothing; storage that does not answer.
"""

import hashlib
import io
import json
import re
import socket
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sejour.applications import services
from sejour.applications.tests.helpers import fill_until_documents, start, upload
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.attestations.models import Attestation
from sejour.conftest import pdf_bytes, png_bytes
from sejour.core.storage import PrivateS3Storage
from sejour.documents.models import SupportingFile
from sejour.notifications.models import OutboxMessage
from sejour.support.models import Screenshot, Ticket

pytestmark = [pytest.mark.s3, pytest.mark.usefixtures("clamd", "s3_storage")]
KEY = re.compile(r"(documents|attestations|screenshots)/[0-9a-f]{32}\.(png|jpg|bmp|tif|pdf)")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def download_url(application, supporting_file) -> str:
    return reverse("applications:file_download", args=[application.reference, supporting_file.pk])


def filed(applicant, code, capture) -> object:
    application = ready_to_submit(applicant, code)
    with capture(execute=True):
        services.application_submit(application=application, by=applicant)
    return application


def files_on_disk(settings) -> list:
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.django_db
def test_an_upload_goes_to_the_bucket_and_comes_back_to_its_owner_only(
    client, applicant, other_applicant, s3_storage, settings
):
    client.force_login(applicant)
    application = start(client)
    fill_until_documents(client, application)
    content = png_bytes(color=(10, 200, 30))
    assert (
        upload(client, application, "passport", content, "passeport Amina.png").status_code == 302
    )

    stored = SupportingFile.objects.get(application=application)
    assert s3_storage.keys() == [stored.file.name]
    assert KEY.fullmatch(stored.file.name)
    assert s3_storage.read(stored.file.name) == content
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.original_name == "passeport Amina.png"  # the name is in the database only
    assert files_on_disk(settings) == []

    response = client.get(download_url(application, stored))
    assert response.status_code == 200
    assert body(response) == content
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"

    preview = client.get(download_url(application, stored), {"inline": "1"})
    assert preview.status_code == 200
    assert preview["Content-Disposition"].startswith("inline;")
    assert body(preview) == content

    client.force_login(other_applicant)
    assert client.get(download_url(application, stored)).status_code == 404
    client.logout()
    assert client.get(download_url(application, stored)).status_code == 404


@pytest.mark.django_db
def test_filing_stores_the_attestation_and_mails_it_from_the_bucket(
    client,
    applicant,
    agent_paris,
    agent_rhone,
    agent_client,
    ephoto_codes,
    s3_storage,
    settings,
    django_capture_on_commit_callbacks,
):
    application = filed(applicant, ephoto_codes["valid"], django_capture_on_commit_callbacks)
    attestation = Attestation.objects.get(application=application, kind=Attestation.Kind.FILING)
    assert KEY.fullmatch(attestation.file.name)
    pdf = s3_storage.read(attestation.file.name)
    assert pdf.startswith(b"%PDF-")
    assert files_on_disk(settings) == []

    # The outbox read the attachment back from the bucket when it delivered the e-mail.
    message = OutboxMessage.objects.get(attachment=attestation.file.name)
    assert message.status == OutboxMessage.Status.SENT
    assert mail.outbox[-1].attachments[0][1] == pdf

    client.force_login(applicant)
    download = client.get(
        reverse(
            "applications:attestation_download", args=[application.reference, attestation.number]
        )
    )
    assert download.status_code == 200
    assert body(download) == pdf
    assert download["Content-Type"] == "application/pdf"

    # The competent agent previews the files sent; an agent of another prefecture cannot.
    supporting_file = application.files.filter(submitted=True).first()
    agent = agent_client(agent_paris)
    preview = agent.get(download_url(application, supporting_file), {"inline": "1"})
    assert preview.status_code == 200
    assert body(preview) == s3_storage.read(supporting_file.file.name)
    outsider = agent_client(agent_rhone, the_client=type(client)())
    assert outsider.get(
        download_url(application, supporting_file), {"inline": "1"}
    ).status_code in (
        403,
        404,
    )


@pytest.mark.django_db
def test_contact_form_screenshots_go_to_the_bucket_and_only_support_reads_them(
    client, applicant, support_agent, agent_client, s3_storage
):
    shot_bytes = png_bytes(color=(250, 100, 0))
    client.post(
        reverse("support:contact"),
        {
            "category": "ephoto",
            "message": "My code is refused.",
            "email": "me@example.org",
            "screenshots": [SimpleUploadedFile("écran 1.png", shot_bytes)],
        },
    )
    shot = Screenshot.objects.get()
    assert KEY.fullmatch(shot.file.name)
    assert shot.file.name.startswith("screenshots/")
    assert s3_storage.read(shot.file.name) == shot_bytes
    url = reverse("support:screenshot", args=[shot.ticket.reference, shot.pk])

    support = agent_client(support_agent)
    response = support.get(url)
    assert response.status_code == 200
    assert body(response) == shot_bytes

    other = type(client)()
    other.force_login(applicant)
    assert other.get(url).status_code == 403


@pytest.mark.django_db
def test_the_personal_data_archive_is_made_from_the_bucket(
    client, applicant, ephoto_codes, s3_storage, django_capture_on_commit_callbacks
):
    application = filed(applicant, ephoto_codes["valid"], django_capture_on_commit_callbacks)
    client.force_login(applicant)
    response = client.get(reverse("accounts:my_data"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    archive = zipfile.ZipFile(io.BytesIO(content))
    data = json.loads(archive.read("my-data.json"))
    expected = {file["in_archive"]: file for a in data["applications"] for file in a["files"]}
    assert len(expected) == application.files.count() > 0
    for stored in application.files.all():
        (path,) = [
            p
            for p in expected
            if expected[p]["name"] == stored.original_name
            and p.startswith(f"documents/{application.reference}/{stored.pk}-")
        ]
        assert hashlib.sha256(archive.read(path)).hexdigest() == stored.sha256
    attestation = application.attestations.get()
    pdf = s3_storage.read(attestation.file.name)
    assert archive.read(f"attestations/{attestation.number}.pdf") == pdf


@pytest.mark.django_db
def test_the_bucket_is_private_and_its_keys_say_nothing(
    client, applicant, ephoto_codes, s3_storage, django_capture_on_commit_callbacks
):
    application = filed(applicant, ephoto_codes["valid"], django_capture_on_commit_callbacks)
    client.post(
        reverse("support:contact"),
        {
            "category": "other",
            "message": "Hello",
            "email": applicant.email,
            "screenshots": [SimpleUploadedFile("Amina-capture.png", png_bytes())],
        },
    )
    keys = s3_storage.keys()
    attestation = application.attestations.get()
    ticket = Ticket.objects.get()
    assert len(keys) == application.files.count() + 2
    secrets = [
        application.reference,
        applicant.identifier,
        attestation.number,
        ticket.reference,
        "Amina-capture",
    ]
    for key in keys:
        # A folder, 32 hexadecimal digits and the extension of the detected type: nothing else.
        assert KEY.fullmatch(key), key
        assert not [secret for secret in secrets if secret in key], key

    # No grant to everyone, on the bucket or on any object; an unsigned GET is refused.
    public = {
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    }
    grants = s3_storage.client.get_bucket_acl(Bucket=s3_storage.name)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI") in public]
    for key in keys:
        grants = s3_storage.client.get_object_acl(Bucket=s3_storage.name, Key=key)["Grants"]
        assert not [g for g in grants if g["Grantee"].get("URI") in public], key
        assert s3_storage.unsigned_get(key) == 403, key
    # The server does serve a public object without a signature: the 403s above are ours.
    s3_storage.client.put_object(
        Bucket=s3_storage.name, Key="control", Body=b"public", ACL="public-read"
    )
    assert s3_storage.unsigned_get("control") == 200


def test_the_storage_refuses_to_write_public_objects(s3_storage):
    with pytest.raises(ImproperlyConfigured):
        PrivateS3Storage(**s3_storage.storage_options(), default_acl="public-read")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _storage_down(settings, bucket) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "sejour.core.storage.PrivateS3Storage",
            "OPTIONS": {
                **bucket.storage_options(),
                "endpoint_url": f"http://127.0.0.1:{_closed_port()}",
            },
        },
    }


@pytest.mark.django_db
def test_storage_that_does_not_answer_loses_nothing_and_never_answers_500(
    client, applicant, s3_storage, settings
):
    client.force_login(applicant)
    application = start(client)
    fill_until_documents(client, application)
    assert upload(client, application, "passport", pdf_bytes(), "kept.pdf").status_code == 302
    kept = SupportingFile.objects.get()

    _storage_down(settings, s3_storage)
    response = upload(client, application, "proof_of_address", png_bytes(), "lost.png")
    assert response.status_code == 400
    assert "could not save this file" in response.content.decode()
    assert SupportingFile.objects.count() == 1

    download = client.get(download_url(application, kept))
    assert download.status_code == 503
    assert "cannot be opened right now" in download.content.decode()

    response = client.post(
        reverse("support:contact"),
        {
            "category": "documents",
            "message": "My upload fails.",
            "email": applicant.email,
            "screenshots": [SimpleUploadedFile("screen.png", png_bytes())],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "could not save your screenshots" in page
    assert "My upload fails." in page
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_file_missing_from_the_bucket_answers_404(client, applicant, s3_storage):
    client.force_login(applicant)
    application = start(client)
    fill_until_documents(client, application)
    upload(client, application, "passport", png_bytes(), "a.png")
    stored = SupportingFile.objects.get()
    s3_storage.client.delete_object(Bucket=s3_storage.name, Key=stored.file.name)
    assert client.get(download_url(application, stored)).status_code == 404


def test_a_key_is_never_reused(s3_storage):
    storage = PrivateS3Storage(**s3_storage.storage_options())
    first = storage.save("documents/same.pdf", ContentFile(b"one"))
    second = storage.save("documents/same.pdf", ContentFile(b"two"))
    assert first != second
    assert s3_storage.read(first) == b"one"
