"""Settings for the test suite: the real settings, with the environment a test run needs."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

from sejour.settings import *  # noqa: E402, F403
from sejour.settings import STORAGES  # noqa: E402

# Tests run with DEBUG off like production, but sign attestations with the development key.
ATTESTATION_DEVELOPMENT_KEY = True

# No collectstatic before tests: serve static files from the app folders.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}  # noqa: F405

# A file, not memory: tests with several threads (two submissions racing) need
# SQLite's real locking, which shared in-memory databases do not give.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}  # noqa: F405
