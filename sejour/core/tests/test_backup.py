"""Backups that restore: fill a database and a storage, back them up with
`manage.py backup` (a separate process, as cron would run it), restore into a new
database and a new storage with `manage.py restore`, and check from here that every
application, every document (by checksum) and every attestation came back, and that
attestations still verify with the restored keys. On disk and, with the S3 test
server, from one bucket into another.
"""

import base64
import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from sejour.applications import services
from sejour.applications.models import Application
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.attestations import signing
from sejour.attestations.models import Attestation
from sejour.conftest import S3_TEST_CREDENTIALS, S3_TEST_REGION, S3Bucket, png_bytes
from sejour.core.backup import attestation_token
from sejour.documents.models import SupportingFile
from sejour.support.models import Screenshot
from sejour.support.services import ticket_create

pytestmark = pytest.mark.usefixtures("clamd")
ROOT = Path(django_settings.BASE_DIR)


def new_key(key_id: str) -> str:
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    return f"{key_id}:{base64.urlsafe_b64encode(seed).rstrip(b'=').decode()}"


@pytest.fixture
def signing_key(settings):
    settings.ATTESTATION_SIGNING_KEYS = new_key("backup1")
    signing.signing_keys.cache_clear()
    yield settings.ATTESTATION_SIGNING_KEYS
    signing.signing_keys.cache_clear()


class Place:
    """A database and a storage, as environment variables for manage.py."""

    def __init__(self, database_url: str, storage_env: dict, read):
        self.database_url = database_url
        self.storage_env = storage_env
        self.read = read  # key -> bytes, read from outside Séjour

    def manage(self, *args: str, keys: str) -> subprocess.CompletedProcess:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_", "DJANGO_", "DATABASE_", "MEDIA_"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "sejour.settings",
                "DATABASE_URL": self.database_url,
                "SECRET_KEY": "backup-test-secret-key",
                "DEBUG": "false",
                "ATTESTATION_SIGNING_KEYS": keys,
                **self.storage_env,
            }
        )
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )


def database_url(name: str) -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def fresh_database(tmp_path):
    """A new, empty database: its URL, a function running a query in it, one dropping it."""
    if connection.vendor == "sqlite":
        path = str(tmp_path / "restored.sqlite3")

        def query(sql):
            with sqlite3.connect(path) as db:
                return db.execute(sql).fetchall()

        return database_url(path), query, lambda: None
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    params = {
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')

    def query(sql):
        with psycopg.connect(dbname=name, **params) as restored:
            return restored.execute(sql).fetchall()

    def drop():
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return database_url(name), query, drop


def disk_place(url: str, root: Path) -> Place:
    return Place(url, {"MEDIA_ROOT": str(root)}, lambda key: (root / key).read_bytes())


def s3_place(url: str, bucket: S3Bucket) -> Place:
    env = {
        "AWS_STORAGE_BUCKET_NAME": bucket.name,
        "AWS_S3_ENDPOINT_URL": bucket.endpoint,
        "AWS_S3_REGION_NAME": S3_TEST_REGION,
        "AWS_ACCESS_KEY_ID": S3_TEST_CREDENTIALS["access_key"],
        "AWS_SECRET_ACCESS_KEY": S3_TEST_CREDENTIALS["secret_key"],
    }
    return Place(url, env, bucket.read)


@pytest.fixture(params=["disk", pytest.param("s3", marks=pytest.mark.s3)])
def places(request, tmp_path, settings):
    """Where the data lives, and a new empty database and storage to restore into."""
    restored_url, query, drop = fresh_database(tmp_path)
    source_url = database_url(connection.settings_dict["NAME"])
    if request.param == "disk":
        request.getfixturevalue("media_root")
        source = disk_place(source_url, Path(settings.MEDIA_ROOT))
        target = disk_place(restored_url, tmp_path / "restored-media")
    else:
        bucket = request.getfixturevalue("s3_storage")
        fresh = S3Bucket(bucket.endpoint, f"sejour-restored-{uuid.uuid4().hex[:12]}").create()
        request.addfinalizer(fresh.destroy)
        source = s3_place(source_url, bucket)
        target = s3_place(restored_url, fresh)
    yield source, target, query
    drop()


def fill(applicant, other_applicant, ephoto_codes) -> None:
    for person, code in ((applicant, "valid"), (other_applicant, "valid2")):
        application = ready_to_submit(person, ephoto_codes[code])
        services.application_submit(application=application, by=person)
    # A draft too, and a message to support with a screenshot.
    services.application_start(applicant=applicant, motive="visitor")
    ticket_create(
        category="other",
        message="Bonjour",
        email="me@example.org",
        name="",
        page_url="",
        happened_at="",
        screenshots=[SimpleUploadedFile("screen.png", png_bytes(color=(1, 2, 3)))],
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_a_new_database_and_storage(
    applicant, other_applicant, ephoto_codes, signing_key, places, tmp_path, settings
):
    source, target, restored = places
    fill(applicant, other_applicant, ephoto_codes)
    applications = sorted(Application.objects.values_list("reference", "status"))
    documents = {f.pk: (f.file.name, f.sha256) for f in SupportingFile.objects.all()}
    attestations = {a.number: a.file.name for a in Attestation.objects.all()}
    assert len(applications) == 3 and len(documents) > 4 and len(attestations) == 2
    screenshot = Screenshot.objects.get()

    backup = tmp_path / "backup"
    made = source.manage("backup", str(backup), "--signing-keys", keys=signing_key)
    assert made.returncode == 0, made.stderr
    assert "3 applications" in made.stdout
    keys_file = backup / "signing-keys.txt"
    assert keys_file.stat().st_mode & 0o777 == 0o600

    # A damaged backup is refused before anything is written.
    damaged = tmp_path / "damaged"
    subprocess.run(["cp", "-r", str(backup), str(damaged)], check=True)
    a_file = next(p for p in (damaged / "files").rglob("*") if p.is_file())
    a_file.write_bytes(a_file.read_bytes() + b"x")
    refused = target.manage("restore", str(damaged), keys=signing_key)
    assert refused.returncode != 0
    assert "damaged" in refused.stderr
    assert restored_tables(restored) == []

    # Restored with the keys from the backup, into the new database and storage.
    restored_keys = keys_file.read_text()
    done = target.manage("restore", str(backup), keys=restored_keys)
    assert done.returncode == 0, done.stderr
    assert "Restored and checked" in done.stdout

    # Checked from outside: every application, document and attestation is there.
    assert sorted(restored("SELECT reference, status FROM applications_application")) == (
        applications
    )
    rows = restored("SELECT id, file, sha256 FROM documents_supportingfile")
    assert {row[0]: (row[1], row[2]) for row in rows} == documents
    for key, sha256 in documents.values():
        assert hashlib.sha256(target.read(key)).hexdigest() == sha256
        assert target.read(key) == source.read(key)
    assert dict(restored("SELECT number, file FROM attestations_attestation")) == attestations
    assert target.read(screenshot.file.name) == source.read(screenshot.file.name)

    # The attestations' QR codes verify with the restored keys, and only with them.
    settings.ATTESTATION_SIGNING_KEYS = new_key("backup1")
    signing.signing_keys.cache_clear()
    tokens = {number: attestation_token(target.read(key)) for number, key in attestations.items()}
    assert all(signing.verify(token) is None for token in tokens.values())
    settings.ATTESTATION_SIGNING_KEYS = restored_keys
    signing.signing_keys.cache_clear()
    for number, token in tokens.items():
        payload = signing.verify(token)
        assert payload["n"] == number and payload["k"] == "backup1"

    # The check command says so too; with other keys it names what does not verify.
    checked = target.manage("backup_check", str(backup), keys=restored_keys)
    assert checked.returncode == 0, checked.stderr
    wrong = target.manage("backup_check", str(backup), keys=new_key("other"))
    assert wrong.returncode != 0
    assert "does not verify" in wrong.stderr and "signing key backup1" in wrong.stderr

    # A database that is not empty is never restored over.
    again = target.manage("restore", str(backup), keys=restored_keys)
    assert again.returncode != 0
    assert "not empty" in again.stderr


def restored_tables(query) -> list:
    if connection.vendor == "sqlite":
        return query("SELECT name FROM sqlite_master WHERE type = 'table'")
    return query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
