"""Backups that restore (docs/operations.md).

A backup is a directory:

    manifest.json       what is inside, with a SHA-256 checksum of every part
    database.dump       PostgreSQL: pg_dump's custom format (SQLite: database.sqlite3)
    files/<key>         every object of the file storage, under its own key
    signing-keys.txt    only with --signing-keys: the attestations' private keys (0600)

`backup_make` dumps the database inside one exported snapshot, so the counts in
the manifest are those of the dump, then copies the storage. Files are never
overwritten and rows never point at a key that is reused, so every file the dump
refers to is already in storage when the copy starts.

`backup_restore` checks every checksum first, refuses a database or a storage
that is not empty, then restores. `backup_check` proves the result: every
application, every document (by checksum), every attestation, and that each
attestation's QR code still verifies with the keys now configured.
"""

import hashlib
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1024 * 1024
# The tables a restore is checked against (counted in the dump's snapshot).
COUNTED = {
    "applications": "applications_application",
    "supporting_files": "documents_supportingfile",
    "attestations": "attestations_attestation",
    "screenshots": "support_screenshot",
    "users": "accounts_user",
    "audit_events": "audit_auditevent",
}


class BackupError(Exception):
    pass


@dataclass
class CheckReport:
    counts: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _storage_keys(storage, folder: str = ""):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for name in sorted(folders):
        yield from _storage_keys(storage, posixpath.join(folder, name) if folder else name)


def _storage_read(storage, key: str):
    from .storage import PrivateS3Storage

    if isinstance(storage, PrivateS3Storage):
        return storage.open_stream(key)[0]
    return storage.open(key, "rb")


def _run(program: str, *args: str, env: dict) -> None:
    path = shutil.which(program)
    if path is None:
        raise BackupError(f"{program} is not installed (Debian package postgresql-client).")
    try:
        subprocess.run([path, *args], env=env, check=True, capture_output=True)  # noqa: S603
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{program} failed: {error.stderr.decode(errors='replace')}") from error


def _pg_environment() -> tuple[list[str], dict]:
    db = connection.settings_dict
    env = {**os.environ}
    args = []
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _count(cursor) -> dict:
    counts = {}
    for name, table in COUNTED.items():
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 — names from COUNTED
        counts[name] = cursor.fetchone()[0]
    return counts


def _dump_database(target: Path) -> tuple[str, dict]:
    """Dump the database; return the file's name and the counts of the dumped rows."""
    if connection.vendor == "postgresql":
        path = target / "database.dump"
        args, env = _pg_environment()
        # One snapshot for the counts and the dump: pg_dump reads exactly what we counted.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count(cursor)
            _run(
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "--file",
                str(path),
                connection.settings_dict["NAME"],
                env=env,
            )
        return path.name, counts
    if connection.vendor == "sqlite":
        path = target / "database.sqlite3"
        source = sqlite3.connect(connection.settings_dict["NAME"])
        copy = sqlite3.connect(path)
        try:
            source.backup(copy)
            counts = _count(copy.cursor())
        finally:
            copy.close()
            source.close()
        return path.name, counts
    raise BackupError(f"No backup for the {connection.vendor} database engine.")


def _public_keys() -> dict:
    from sejour.attestations.signing import _b64, signing_keys

    return {key_id: _b64(key.public_key().public_bytes_raw()) for key_id, key in signing_keys()}


def backup_make(*, target: Path, with_signing_keys: bool = False) -> dict:
    """Write a backup into `target` (a new or empty directory); return its manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: a backup goes into a new directory.")
    target.mkdir(parents=True, exist_ok=True)
    created_at = timezone.now()
    database_file, counts = _dump_database(target)

    files = {}
    for key in _storage_keys(default_storage):
        destination = target / "files" / key
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with _storage_read(default_storage, key) as source, destination.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        files[key] = {"size": size, "sha256": digest.hexdigest()}

    keys_file = None
    if with_signing_keys:
        from sejour.attestations.signing import _b64, signing_keys

        keys_file = "signing-keys.txt"
        path = target / keys_file
        path.touch(mode=0o600)
        path.write_text(
            ",".join(f"{key_id}:{_b64(key.private_bytes_raw())}" for key_id, key in signing_keys())
        )

    manifest = {
        "format": FORMAT,
        "created_at": created_at.isoformat(),
        "finished_at": timezone.now().isoformat(),
        "database": {
            "engine": connection.vendor,
            "file": database_file,
            "sha256": _sha256_file(target / database_file),
            "size": (target / database_file).stat().st_size,
        },
        "counts": counts,
        "files": files,
        "signing_keys": {"public": _public_keys(), "file": keys_file},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def manifest_read(source: Path) -> dict:
    path = Path(source) / MANIFEST
    if not path.exists():
        raise BackupError(f"No {MANIFEST} in {source}: not a Séjour backup.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def backup_verify(*, source: Path) -> list[str]:
    """Problems with the backup itself: a part missing or not matching its checksum."""
    source = Path(source)
    manifest = manifest_read(source)
    problems = []
    database = source / manifest["database"]["file"]
    if not database.exists() or _sha256_file(database) != manifest["database"]["sha256"]:
        problems.append(f"database dump {database.name} missing or altered")
    for key, entry in manifest["files"].items():
        path = source / "files" / key
        if not path.exists() or _sha256_file(path) != entry["sha256"]:
            problems.append(f"file {key} missing or altered")
    return problems


def _ensure_fresh() -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} "
            "tables): restore into a new, empty database."
        )
    if next(_storage_keys(default_storage), None) is not None:
        raise BackupError("The file storage is not empty: restore into a new, empty storage.")


def _restore_database(source: Path, manifest: dict) -> None:
    dump = source / manifest["database"]["file"]
    engine = manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(f"This backup is of a {engine} database, not {connection.vendor}.")
    if engine == "postgresql":
        args, env = _pg_environment()
        connection.close()
        _run(
            "pg_restore",
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            connection.settings_dict["NAME"],
            str(dump),
            env=env,
        )
    else:
        connection.close()
        copy = sqlite3.connect(connection.settings_dict["NAME"])
        backup = sqlite3.connect(dump)
        try:
            backup.backup(copy)
        finally:
            backup.close()
            copy.close()


def backup_restore(*, source: Path) -> CheckReport:
    """Restore a backup into the configured (empty) database and storage, then check it."""
    source = Path(source)
    manifest = manifest_read(source)
    problems = backup_verify(source=source)
    if problems:
        raise BackupError("The backup is damaged; nothing restored: " + "; ".join(problems))
    _ensure_fresh()
    _restore_database(source, manifest)
    for key in manifest["files"]:
        with (source / "files" / key).open("rb") as handle:
            stored = default_storage.save(key, File(handle))
        if stored != key:
            raise BackupError(f"{key} was stored as {stored}: the storage was not empty.")
    return backup_check(manifest=manifest)


_TOKEN = re.compile(r"/verifier/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")


def attestation_token(pdf: bytes) -> str | None:
    """The signed token printed under an attestation's QR code."""
    import io

    from pypdf import PdfReader

    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    # The address may be broken over lines in the PDF.
    match = _TOKEN.search(re.sub(r"\s+", "", text))
    return match.group(1) if match else None


def _read_all(storage, name: str) -> bytes | None:
    try:
        with _storage_read(storage, name) as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def backup_check(*, manifest: dict | None = None) -> CheckReport:
    """Check the configured database and storage, against a backup's manifest if given."""
    from sejour.attestations import signing
    from sejour.attestations.models import Attestation
    from sejour.documents.models import SupportingFile
    from sejour.support.models import Screenshot

    signing.signing_keys.cache_clear()  # the keys configured now, not those of an earlier call
    report = CheckReport()
    with connection.cursor() as cursor:
        report.counts = _count(cursor)
    problems = report.problems
    if manifest is not None:
        configured = _public_keys()
        for key_id, public in manifest["signing_keys"]["public"].items():
            if configured.get(key_id) != public:
                problems.append(
                    f"signing key {key_id} of the backup is not configured "
                    "(ATTESTATION_SIGNING_KEYS): attestations signed with it will not verify"
                )
        for name, expected in manifest["counts"].items():
            if report.counts.get(name) != expected:
                problems.append(f"{name}: {report.counts.get(name)} restored, {expected} backed up")
        for key, entry in manifest["files"].items():
            content = _read_all(default_storage, key)
            if content is None or hashlib.sha256(content).hexdigest() != entry["sha256"]:
                problems.append(f"file {key} missing or altered in storage")

    for supporting_file in SupportingFile.objects.only("pk", "file", "sha256").iterator():
        content = _read_all(default_storage, supporting_file.file.name)
        if content is None:
            problems.append(f"document {supporting_file.pk}: file missing")
        elif hashlib.sha256(content).hexdigest() != supporting_file.sha256:
            problems.append(f"document {supporting_file.pk}: checksum differs")
    for screenshot in Screenshot.objects.only("pk", "file").iterator():
        if _read_all(default_storage, screenshot.file.name) is None:
            problems.append(f"screenshot {screenshot.pk}: file missing")
    for attestation in Attestation.objects.only("pk", "number", "file").iterator():
        if not attestation.file:
            continue
        pdf = _read_all(default_storage, attestation.file.name)
        if pdf is None:
            problems.append(f"attestation {attestation.number}: PDF missing")
            continue
        token = attestation_token(pdf)
        payload = signing.verify(token) if token else None
        if not payload or payload.get("n") != attestation.number:
            problems.append(f"attestation {attestation.number}: its QR code does not verify")
    return report
