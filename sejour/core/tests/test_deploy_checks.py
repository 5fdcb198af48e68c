"""Unsafe production configurations fail loudly: `check --deploy` and the start of a
production process refuse them (issue 17, "done when")."""

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from sejour.accounts.models import User
from sejour.attestations import signing
from sejour.attestations.signing import key_text_new
from sejour.core import checks

ROOT = Path(__file__).resolve().parents[3]


def _ids(messages) -> list[str]:
    return [message.id for message in messages]


def production_env(tmp_path, **extra) -> dict[str, str]:
    """A production process's environment: nothing from the test settings."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "sejour.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "sejour.example.gouv.fr",
        "EMAIL_HOST": "smtp.example.gouv.fr",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "ATTESTATION_SIGNING_KEYS": key_text_new("prod1"),
        "TRUSTED_PROXY_COUNT": "1",
    }
    env.update(extra)
    return {name: value for name, value in env.items() if value is not None}


def _run(args, env, timeout=120):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


# --- Signing keys ----------------------------------------------------------------------


def test_production_without_signing_keys_is_refused(settings):
    settings.DEBUG = False
    settings.ATTESTATION_SIGNING_KEYS = ""
    settings.ATTESTATION_DEVELOPMENT_KEY = False
    assert _ids(checks.signing_keys_check()) == ["sejour.E001"]
    signing.signing_keys.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="ATTESTATION_SIGNING_KEYS"):
            signing.signing_keys()
    finally:
        signing.signing_keys.cache_clear()


def test_development_and_tests_sign_with_a_generated_key(settings):
    settings.ATTESTATION_SIGNING_KEYS = ""
    settings.ATTESTATION_DEVELOPMENT_KEY = True
    assert checks.signing_keys_check() == []
    settings.DEBUG = True
    settings.ATTESTATION_DEVELOPMENT_KEY = False
    assert checks.signing_keys_check() == []


def test_unreadable_signing_keys_are_refused(settings):
    settings.ATTESTATION_SIGNING_KEYS = "no-separator"
    assert _ids(checks.signing_keys_check()) == ["sejour.E002"]
    settings.ATTESTATION_SIGNING_KEYS = "k1:dG9vLXNob3J0"  # 9 bytes, not a 32-byte seed
    assert _ids(checks.signing_keys_check()) == ["sejour.E002"]
    settings.ATTESTATION_SIGNING_KEYS = f"{key_text_new('new')},{key_text_new('old')}"
    assert checks.signing_keys_check() == []


def test_production_settings_make_no_development_key():
    from sejour import settings as production

    # Tests run with DEBUG off: this is what production reads (settings_test turns it on).
    assert production.ATTESTATION_DEVELOPMENT_KEY is False


# --- X-Forwarded-Proto -----------------------------------------------------------------


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_a_client_cannot_claim_https_without_a_trusted_proxy(client):
    response = client.get("/aide/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response.url.startswith("https://")


@pytest.mark.parametrize(("count", "expected"), [("0", "None"), ("1", "HTTP_X_FORWARDED_PROTO")])
def test_the_proxy_header_is_trusted_only_with_a_proxy_count(tmp_path, count, expected):
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SECURE_PROXY_SSL_HEADER)",
        ],
        production_env(tmp_path, TRUSTED_PROXY_COUNT=count),
    )
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_trusting_the_proxy_header_without_a_proxy_is_refused(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 0
    assert "sejour.E003" in _ids(checks.proxy_header_check())
    settings.TRUSTED_PROXY_COUNT = 1
    assert checks.proxy_header_check() == []


def test_an_https_redirect_without_a_proxy_is_a_warning(settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.TRUSTED_PROXY_COUNT = 0
    assert _ids(checks.proxy_header_check()) == ["sejour.W004"]


# --- Outbox secrets --------------------------------------------------------------------


def test_keeping_outbox_secrets_after_sending_is_refused_in_production(settings):
    settings.DEBUG = False
    settings.OUTBOX_REDACT_SECRETS_ON_SEND = False
    assert _ids(checks.outbox_secrets_check()) == ["sejour.E005"]
    settings.DEBUG = True
    assert checks.outbox_secrets_check() == []


# --- Demo data -------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_data_in_the_database_is_refused(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False
    messages = checks.demo_data_check(databases=["default"])
    assert _ids(messages) == ["sejour.E006"]
    assert "demo accounts" in messages[0].msg and "admin" in messages[0].msg


@pytest.mark.django_db
def test_an_admin_with_the_published_password_is_refused(settings):
    from sejour.core.demo import DEMO_PASSWORD

    settings.DEBUG = False
    assert checks.demo_data_check(databases=["default"]) == []
    User.objects.create_superuser("admin", DEMO_PASSWORD, email="root@prefecture.gouv.fr")
    messages = checks.demo_data_check(databases=["default"])
    assert _ids(messages) == ["sejour.E006"]
    assert "admin" in messages[0].msg
    User.objects.filter(identifier="admin").update(identifier="chef")  # any superuser
    messages = checks.demo_data_check(databases=["default"])
    assert _ids(messages) == ["sejour.E006"] and "chef" in messages[0].msg


@pytest.mark.django_db
def test_check_deploy_reports_demo_data_without_the_database_flag(settings):
    # The review found `check --deploy` silent unless `--database default` was given.
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False
    with pytest.raises(SystemCheckError, match="sejour.E006"):
        call_command("check", deploy=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.mark.django_db
def test_a_production_process_refuses_to_start_with_demo_data(settings):
    from sejour import wsgi

    settings.DEBUG = False
    wsgi.refuse_unsafe_configuration()  # a clean database: it starts
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="sejour.E006"):
        wsgi.refuse_unsafe_configuration()
    settings.SILENCED_SYSTEM_CHECKS = ["sejour.E006"]  # the load run's choice, on purpose
    wsgi.refuse_unsafe_configuration()


# --- check --deploy and a real production start ----------------------------------------


@pytest.mark.parametrize(
    ("unsafe", "check_id"),
    [
        ({"ATTESTATION_SIGNING_KEYS": None}, "sejour.E001"),
        ({"ATTESTATION_SIGNING_KEYS": "garbage"}, "sejour.E002"),
        ({"OUTBOX_REDACT_SECRETS_ON_SEND": "false"}, "sejour.E005"),
    ],
)
def test_check_deploy_fails_on_an_unsafe_configuration(tmp_path, unsafe, check_id):
    result = _run(["manage.py", "check", "--deploy"], production_env(tmp_path, **unsafe))
    assert result.returncode != 0
    assert check_id in result.stderr + result.stdout


def _free_port() -> int:
    for port in range(18400, 18500):  # this work's range on the shared machine
        with socket.socket() as candidate:
            try:
                candidate.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def test_gunicorn_refuses_to_start_without_signing_keys(tmp_path):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "sejour.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{_free_port()}"],
        cwd=ROOT,
        env=production_env(tmp_path, ATTESTATION_SIGNING_KEYS=None),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if process.poll() is None:
        process.kill()
        pytest.fail("gunicorn kept running without signing keys")
    output = process.stdout.read()
    assert process.returncode != 0
    assert "Séjour refuses to start" in output and "ATTESTATION_SIGNING_KEYS" in output
