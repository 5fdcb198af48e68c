"""Security from the first commit: hashing, headers, CSRF, deploy checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from sejour.attestations.signing import key_text_new
from sejour.audit.services import audit_record

ROOT = Path(__file__).resolve().parents[3]


def test_argon2_is_the_production_hasher():
    # The test settings put a fast hasher first; production reads sejour.settings.
    from sejour import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_new_passwords_are_hashed_with_argon2(settings, applicant):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    applicant.set_password("a long passphrase to hash")
    assert applicant.password.startswith("argon2")


def test_deploy_check_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sejour.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "sejour.example.gouv.fr",
        "EMAIL_HOST": "smtp.example.gouv.fr",
        "ATTESTATION_SIGNING_KEYS": key_text_new("prod1"),
        "TRUSTED_PROXY_COUNT": "1",
    }
    for name in ("SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE", "TASKS_BACKEND"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "sejour.settings"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_cookies_are_secure():
    from sejour import settings as production

    # Tests run with DEBUG off, exactly like production.
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY
    assert production.SECURE_HSTS_SECONDS >= 31536000


@pytest.mark.django_db
def test_security_headers_are_sent(client):
    response = client.get(reverse("accounts:login"))
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.django_db
def test_pages_have_no_inline_script(client):
    body = client.get(reverse("core:home")).content.decode()
    for chunk in body.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert "src=" in head, head


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["accounts:login", "accounts:password_reset", "accounts:signup_residence"]
)
def test_posts_without_csrf_token_are_refused(name, applicant):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse(name), {"identifier": applicant.identifier, "password": "x"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_audit_event_records_who_and_what(applicant):
    with transaction.atomic():
        event = audit_record(action="account.test", subject=applicant, actor=applicant)
    assert event.pk and event.actor == applicant


def test_no_secret_is_committed():
    assert "django-insecure" not in settings.SECRET_KEY or settings.DEBUG is False
