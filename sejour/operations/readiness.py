"""Readiness: may this process be sent traffic? Every dependency answers, or it says which not.

Liveness (/healthz) only says the process and its database answer; a load
balancer restarts on it. Readiness adds what a request may need: file
storage, the virus scanner, and at least one task worker alive (without one,
no e-mail and no attestation would leave).
"""

import logging
import os
from pathlib import Path

from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.tasks import task_backends
from django_tasks_db.backend import DatabaseBackend

from sejour.documents.scanning import get_scanner

from .heartbeat import workers_alive

logger = logging.getLogger("sejour.readiness")


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _storage():
    storage = default_storage
    if isinstance(storage, FileSystemStorage):
        # The folder is made at the first upload: then its nearest existing parent must be writable.
        location = Path(storage.location)
        while not location.exists() and location != location.parent:
            location = location.parent
        if not (location.is_dir() and os.access(location, os.W_OK)):
            raise OSError(f"{location} is not a writable directory")
    else:
        # One HEAD request: the bucket answers and the credentials are accepted.
        storage.exists("readyz/probe")


def _clamd():
    get_scanner().scan(b"readiness probe")


def _worker():
    if not isinstance(task_backends["default"], DatabaseBackend):
        return "not used"  # tasks run inline (tests, a bare development server)
    if workers_alive() == 0:
        raise RuntimeError("no task worker heartbeat within WORKER_HEARTBEAT_MAX_AGE")
    return None


CHECKS = {"database": _database, "storage": _storage, "clamd": _clamd, "worker": _worker}


def readiness() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check() or "ok"
        except Exception:  # any failure means "not ready", with the reason in the logs
            logger.exception("readiness check failed", extra={"check": name})
            results[name] = "failed"
    return results
