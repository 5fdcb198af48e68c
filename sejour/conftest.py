"""Personas shared by every test: built once per test, the same on SQLite and PostgreSQL.

- `applicant` (Amina, student permit, Paris) and `other_applicant` (Lucas, Lyon);
- `agent_paris` (competent for Amina), `agent_rhone` (another prefecture), `support_agent`;
- `registry_person(...)` adds a person and a document to the registry.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from sejour.accounts.models import User
from sejour.notifications.models import OutboxMessage
from sejour.registry.models import DocumentKind, Motive, Person, Prefecture, ResidenceDocument

PASSWORD = "a long enough test passphrase"


def pytest_collection_modifyitems(config, items):
    """A transactional test without serialized_rollback lets Django's flush
    re-create content types under new ids; the next test that restores the
    serialized rows then fails on them (seen with the backup test). Refuse it
    at collection so the order of the suite never matters."""
    unsafe = [
        item.nodeid
        for item in items
        if (marker := item.get_closest_marker("django_db")) is not None
        and marker.kwargs.get("transaction")
        and not marker.kwargs.get("serialized_rollback")
    ]
    if unsafe:
        raise pytest.UsageError(
            "transactional tests must also set serialized_rollback=True: " + ", ".join(unsafe)
        )


@pytest.fixture(autouse=True)
def _fast_and_predictable(settings):
    # Argon2 stays the production hasher (tested in test_security); tests use a fast one.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (threads, live server) empty the tables when they end;
    the reference data every page needs is put back before such a test starts."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from sejour.registry.reference import prefectures_sync
    from sejour.rules.models import FilingWindow
    from sejour.rules.services import rules_sync

    if not FilingWindow.objects.exists() or not Prefecture.objects.exists():
        prefectures_sync()
        rules_sync()


@pytest.fixture
def registry_person(db):
    counter = {"n": 0}

    def make(
        *,
        foreign_number: str | None = None,
        kind: str = DocumentKind.PERMIT,
        number: str | None = None,
        motive: str = Motive.STUDENT,
        starts_in_days: int = -300,
        ends_in_days: int = 90,
        postcode: str = "75011",
        validated: bool = False,
        last_name: str = "Diallo",
        first_names: str = "Amina",
    ) -> ResidenceDocument:
        counter["n"] += 1
        today = timezone.localdate()
        person = Person.objects.create(
            foreign_number=foreign_number,
            last_name=last_name,
            first_names=first_names,
            birth_date=today - timedelta(days=25 * 365),
            birth_place="Dakar",
            nationality="sénégalaise",
            address="1 rue de la Paix",
            postcode=postcode,
            city="Paris",
        )
        return ResidenceDocument.objects.create(
            person=person,
            kind=kind,
            number=number or f"DOC{counter['n']:06d}",
            valid_from=today + timedelta(days=starts_in_days),
            valid_until=today + timedelta(days=ends_in_days),
            motive=motive,
            allows_work=True,
            validated=validated,
        )

    return make


def _applicant(registry_person, number, **document) -> User:
    document = registry_person(foreign_number=number, **document)
    person = document.person
    return User.objects.create_user(
        number,
        PASSWORD,
        email=f"{number}@example.org",
        email_verified_at=timezone.now(),
        first_names=person.first_names,
        last_name=person.last_name,
    )


@pytest.fixture
def applicant(registry_person) -> User:
    return _applicant(registry_person, "7500000001")


@pytest.fixture
def other_applicant(registry_person) -> User:
    return _applicant(
        registry_person,
        "6900000002",
        postcode="69003",
        motive=Motive.TALENT,
        last_name="Pereira",
        first_names="Lucas",
    )


def _staff(identifier: str, role: str, department: str | None) -> User:
    return User.objects.create_user(
        identifier,
        PASSWORD,
        email=f"{identifier}@example.org",
        role=role,
        prefecture=Prefecture.objects.get(department_code=department) if department else None,
    )


@pytest.fixture
def agent_paris(db) -> User:
    return _staff("agent.paris", User.Role.AGENT, "75")


@pytest.fixture
def agent_rhone(db) -> User:
    return _staff("agent.rhone", User.Role.AGENT, "69")


@pytest.fixture
def support_agent(db) -> User:
    return _staff("support", User.Role.SUPPORT, None)


def outbox_text(message: OutboxMessage) -> str:
    """What the person receives: what delivery will send, or, once sent (its secrets
    removed from the outbox), the e-mail as it left."""
    from django.core import mail

    if message.secrets is not None or not message.secret_nonce:
        return message.body_for_delivery()
    for email in reversed(mail.outbox):
        if email.to == [message.recipient] and email.subject == message.subject:
            return email.body
    raise AssertionError(f"the secrets of “{message.subject}” were removed and no e-mail left")


@pytest.fixture
def outbox_link(db):
    """The first link of the newest e-mail sent to an address."""

    def find(recipient: str) -> str:
        message = OutboxMessage.objects.filter(recipient=recipient).order_by("-id").first()
        assert message is not None, f"no e-mail to {recipient}"
        text = outbox_text(message)
        match = re.search(r"https?://\S+", text)
        assert match, text
        return urlsplit(match.group(0)).path

    return find


@pytest.fixture(scope="session")
def clamd():
    """The real clamd (scripts/clamd.sh starts it); CI must have it, elsewhere tests skip."""
    import os

    from sejour.documents.scanning import ClamdScanner, ScannerUnavailable

    try:
        ClamdScanner().scan(b"ping")
    except ScannerUnavailable as error:
        message = f"clamd is not answering ({error}); start it with scripts/clamd.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def png_bytes(size=(40, 30), color=(0, 0, 145)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes(text: str = "Justificatif") -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


@pytest.fixture
def ephoto_codes(db):
    """One e-photo code in each state of SPEC §1."""
    from sejour.registry.models import EphotoCode

    now = timezone.now()
    rows = {
        "valid": ("VALIDE7K2M9Q4R8T1V5X3Z", now - timedelta(days=3), now - timedelta(days=2), None),
        "valid2": (
            "VALIDE2K2M9Q4R8T1V5X3Z",
            now - timedelta(days=3),
            now - timedelta(days=2),
            None,
        ),
        "not_yet": (
            "ATTENTE4B6D8F1H3J5L7N9",
            now - timedelta(hours=2),
            now + timedelta(hours=46),
            None,
        ),
        "expired": (
            "EXPIRE9P8R7S6T5U4V3W2X",
            now - timedelta(days=200),
            now - timedelta(days=199),
            None,
        ),
        "used": (
            "UTILISE2C4E6G8J1L3N5Q7",
            now - timedelta(days=10),
            now - timedelta(days=9),
            now - timedelta(days=5),
        ),
    }
    for code, taken_at, available_at, used_at in rows.values():
        EphotoCode.objects.create(
            code=code, taken_at=taken_at, available_at=available_at, used_at=used_at
        )
    return {name: row[0] for name, row in rows.items()}


TOTP_KEY_HEX = "3132333435363738393031323334353637383930"


def agent_code() -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(TOTP_KEY_HEX)):06d}"


@pytest.fixture
def agent_client(client):
    """Log an agent in through the agents' door, with password and second factor."""
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def log_in(agent, the_client=None):
        the_client = the_client or client
        TOTPDevice.objects.get_or_create(
            user=agent, name="test", defaults={"key": TOTP_KEY_HEX, "confirmed": True}
        )
        response = the_client.post(
            reverse("instruction:login"),
            {"identifier": agent.identifier, "password": PASSWORD, "code": agent_code()},
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        return the_client

    return log_in


@pytest.fixture
def supervisor_paris(db) -> User:
    return _staff("superviseur.paris", User.Role.SUPERVISOR, "75")


@pytest.fixture
def admin_client(db):
    """An administrator logged in with their second factor (the admin requires it)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    admin = User.objects.create_superuser("admin", PASSWORD, email="admin@example.org")
    device = TOTPDevice.objects.create(user=admin, name="test", key=TOTP_KEY_HEX, confirmed=True)
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# --- Object storage ------------------------------------------------------------------
# The S3 tests talk over HTTP to a real S3-compatible server in another process
# (moto's standalone server: `scripts/s3.sh start`, which .ci/run does), never to a
# mock inside the test process. Its address comes from S3_TEST_ENDPOINT_URL.

S3_TEST_CREDENTIALS = {"access_key": "sejour-test", "secret_key": "sejour-test-secret"}
S3_TEST_REGION = "eu-west-3"


def s3_client(endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=S3_TEST_REGION,
        aws_access_key_id=S3_TEST_CREDENTIALS["access_key"],
        aws_secret_access_key=S3_TEST_CREDENTIALS["secret_key"],
        config=Config(retries={"max_attempts": 1}, connect_timeout=3),
    )


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    """The S3-compatible test server; CI must have it, elsewhere the S3 tests skip."""
    import os

    url = os.environ.get("S3_TEST_ENDPOINT_URL", "")
    if not url:
        problem = "S3_TEST_ENDPOINT_URL is not set (scripts/s3.sh start, then export it)"
    else:
        try:
            s3_client(url).list_buckets()
            return url
        except Exception as error:
            problem = f"the S3 test server at {url} does not answer ({error})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"S3 tests cannot run in CI: {problem}")
    pytest.skip(f"S3 tests skipped: {problem}")


class S3Bucket:
    """A fresh private bucket on the test server, seen from outside Séjour."""

    def __init__(self, endpoint: str, name: str):
        self.endpoint = endpoint
        self.name = name
        self.client = s3_client(endpoint)

    def storage_options(self) -> dict:
        return {
            "bucket_name": self.name,
            "endpoint_url": self.endpoint,
            "region_name": S3_TEST_REGION,
            **S3_TEST_CREDENTIALS,
        }

    def create(self) -> "S3Bucket":
        self.client.create_bucket(
            Bucket=self.name, CreateBucketConfiguration={"LocationConstraint": S3_TEST_REGION}
        )
        return self

    def keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def unsigned_get(self, key: str) -> int:
        """The status an anonymous request for the object gets (no signature at all)."""
        import urllib.error
        import urllib.request

        try:
            url = f"{self.endpoint}/{self.name}/{key}"  # the test server, over plain HTTP
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    def destroy(self) -> None:
        for key in self.keys():
            self.client.delete_object(Bucket=self.name, Key=key)
        self.client.delete_bucket(Bucket=self.name)


@pytest.fixture
def s3_bucket(s3_endpoint):
    import uuid

    bucket = S3Bucket(s3_endpoint, f"sejour-test-{uuid.uuid4().hex[:16]}").create()
    yield bucket
    bucket.destroy()


@pytest.fixture
def s3_storage(settings, s3_bucket, tmp_path):
    """Séjour's files in a private bucket of the S3 test server, as in production."""
    settings.MEDIA_ROOT = tmp_path / "media"  # so a test can show nothing lands on disk
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "sejour.core.storage.PrivateS3Storage",
            "OPTIONS": s3_bucket.storage_options(),
        },
    }
    return s3_bucket


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """`collectstatic` run once per test session, as on a server: what production-mode
    processes (DEBUG off, manifest storage) need to render any page."""
    from sejour.journeys.production import collectstatic

    root = tmp_path_factory.mktemp("static")
    collectstatic(root)
    return root
