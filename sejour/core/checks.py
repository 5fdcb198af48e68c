"""Configurations Séjour must not run with, as Django system checks.

`manage.py check --deploy` runs them all; every management
command that checks (migrate, runserver, db_worker …) runs the ones not marked
deploy; and a production web process runs them all when it starts
(`sejour/wsgi.py: refuse_unsafe_configuration`), so gunicorn stops with the
reason instead of serving. To silence one on purpose, name it in
SILENCED_SYSTEM_CHECKS (the load run does, for the demo data it serves).
"""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError
from django.db.models import Q

TAG = "sejour"


@checks.register(TAG)
def signing_keys_check(app_configs=None, **kwargs):
    from sejour.attestations.signing import keys_parse

    configured = settings.ATTESTATION_SIGNING_KEYS
    if not configured:
        if settings.DEBUG or settings.ATTESTATION_DEVELOPMENT_KEY:
            return []
        return [
            checks.Error(
                "ATTESTATION_SIGNING_KEYS is not set.",
                hint=(
                    "Set it to id:base64url-seed (32-byte Ed25519 seeds, newest first) on every "
                    "web process and worker. Without it each machine would make its own key, "
                    "and QR codes signed on one host would not verify on another."
                ),
                id="sejour.E001",
            )
        ]
    try:
        keys_parse(configured)
    except ValueError as error:
        return [
            checks.Error(
                f"ATTESTATION_SIGNING_KEYS cannot be read: {error}.",
                hint="Each key is id:base64url-of-a-32-byte-seed, comma-separated.",
                id="sejour.E002",
            )
        ]
    return []


@checks.register(TAG, checks.Tags.security, deploy=True)
def proxy_header_check(app_configs=None, **kwargs):
    errors = []
    if settings.SECURE_PROXY_SSL_HEADER and not settings.TRUSTED_PROXY_COUNT:
        errors.append(
            checks.Error(
                "SECURE_PROXY_SSL_HEADER is set while TRUSTED_PROXY_COUNT is 0.",
                hint=(
                    "Without a proxy that replaces X-Forwarded-Proto, any client can claim "
                    "HTTPS. Set TRUSTED_PROXY_COUNT to the number of proxies in front."
                ),
                id="sejour.E003",
            )
        )
    if not settings.DEBUG and settings.SECURE_SSL_REDIRECT and not settings.TRUSTED_PROXY_COUNT:
        errors.append(
            checks.Warning(
                "HTTPS redirect is on and no proxy is trusted (TRUSTED_PROXY_COUNT is 0).",
                hint=(
                    "Behind a TLS-terminating proxy, set TRUSTED_PROXY_COUNT, or every request "
                    "arriving over plain HTTP from the proxy is redirected again and again."
                ),
                id="sejour.W004",
            )
        )
    return errors


@checks.register(TAG, deploy=True)
def outbox_secrets_check(app_configs=None, **kwargs):
    if settings.DEBUG or settings.OUTBOX_REDACT_SECRETS_ON_SEND:
        return []
    return [
        checks.Error(
            "OUTBOX_REDACT_SECRETS_ON_SEND is off in production.",
            hint=(
                "Sent messages would keep their sign-in links, temporary passwords and codes "
                "in the database until the retention period. Remove the variable."
            ),
            id="sejour.E005",
        )
    ]


@checks.register(TAG, deploy=True)
def demo_data_check(app_configs=None, databases=None, **kwargs):
    """The demo accounts' password and second-factor secret are published in the README.

    A deployment check only (`check --deploy`, a production start), so it reads the
    default database even when `--database` is not given: an operator who forgets
    the flag must still hear about it."""
    if settings.DEBUG:
        return []
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.accounts.models import User
    from sejour.core.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_KEY_HEX, STAFF

    found = []
    try:
        if TOTPDevice.objects.filter(key=DEMO_TOTP_KEY_HEX).exists():
            found.append("second-factor devices with the demo secret")
        if User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}").exists():
            found.append("demo accounts")
        # Hashing is slow on purpose: only the demo staff identifiers and the (few)
        # superusers are tried.
        demo_staff = [identifier for identifier, *_rest in STAFF] + ["admin"]
        tried = User.objects.filter(
            Q(identifier__in=demo_staff) | Q(is_superuser=True), is_active=True
        )
        for user in tried[:50]:
            if user.check_password(DEMO_PASSWORD):
                found.append(f"the account {user.identifier} with the demo password")
    except DatabaseError:
        return []  # no tables yet: nothing loaded
    if not found:
        return []
    return [
        checks.Error(
            "The database holds the demo data set: " + ", ".join(found) + ".",
            hint=(
                "Their password and second-factor secret are public (README). Remove these "
                "accounts and devices; load_demo is for development only."
            ),
            id="sejour.E006",
        )
    ]
