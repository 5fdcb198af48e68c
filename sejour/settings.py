"""Séjour settings, read from environment variables.

With nothing set, Séjour runs on SQLite with files on local disk, e-mails and
SMS kept in the local outbox and tasks run by the database worker. Every
variable is listed in the README.
"""

import os
import warnings
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.getenv(name, str(default)))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "false")
# A development key is only acceptable when DEBUG is on; production must set one.
SECRET_KEY = os.getenv("SECRET_KEY") or (
    "django-insecure-development-key-do-not-use-in-production" if DEBUG else ""
)
if not SECRET_KEY:
    raise RuntimeError("Set SECRET_KEY (or DEBUG=true for local development).")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# A form sent with an expired or missing token: "this page has expired", in the DSFR.
CSRF_FAILURE_VIEW = "sejour.core.errors.csrf_failure"
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "widget_tweaks",
    "dsfr",
    # Before django_tasks_db: its db_worker command adds a heartbeat to theirs.
    "sejour.operations",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "sejour.core",
    "sejour.audit",
    "sejour.registry",
    "sejour.notifications",
    "sejour.accounts",
    "sejour.rules",
    "sejour.applications",
    "sejour.documents",
    "sejour.attestations",
    "sejour.instruction",
    "sejour.support",
    "sejour.conversations",
    "sejour.figures",
    "sejour.employers",
    "sejour.attention",
    "sejour.collection",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Request id and metrics for everything but static files (WhiteNoise answers those).
    "sejour.operations.requestid.RequestIdMiddleware",
    "sejour.operations.metrics.MetricsMiddleware",
    # Below WhiteNoise (static files come pre-compressed), above everything that
    # writes the body, so that what leaves is compressed last.
    "sejour.core.middleware.CompressTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "sejour.core.middleware.BackOfficeLanguageMiddleware",
    # Right-to-left pages: Latin fragments in brackets isolated (<bdi>), before gzip.
    "sejour.core.middleware.BidiIsolateMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sejour.accounts.middleware.AccountLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "sejour.core.middleware.PermissionsPolicyMiddleware",
    "sejour.accounts.middleware.TemporaryPasswordMiddleware",
    "sejour.support.middleware.AssistedFilingMiddleware",
    "sejour.core.middleware.PrivatePagesMiddleware",
    # 429: the page for TooManyRequests, the status for a form refused by a rate limit.
    "sejour.core.errors.TooManyRequestsMiddleware",
    # Last, so its 413 page gets every header above; it still runs before any view
    # or process_view reads the body.
    "sejour.core.middleware.RequestSizeLimitMiddleware",
]

ROOT_URLCONF = "sejour.urls"
WSGI_APPLICATION = "sejour.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sejour" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sejour.core.context_processors.site",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite unless DATABASE_URL says otherwise (e.g. postgres://…).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Wait rather than fail when the web process and the worker write at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "core:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Length first, no arbitrary composition rules (ANSSI / NIST 800-63B).
PASSWORD_MIN_LENGTH = envint("PASSWORD_MIN_LENGTH", 12)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: French first, English, Arabic (right to left) for applicants; the switch stores
# the choice in a cookie. Back-office pages fall back to French under Arabic
# (BackOfficeLanguageMiddleware).
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "sejour" / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Files: local disk by default, S3-compatible storage when AWS_STORAGE_BUCKET_NAME is set.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "sejour" / "static"]
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if os.getenv("AWS_STORAGE_BUCKET_NAME"):
    # A private bucket; credentials from the usual AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
    # (or the machine's role). Objects are private and never overwritten, and every
    # download is streamed through Séjour after its own check (decision 0004).
    STORAGES["default"] = {
        "BACKEND": "sejour.core.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": os.getenv("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": os.getenv("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.getenv("AWS_S3_REGION_NAME") or None,
            # "path" for most S3-compatible services that are not AWS.
            "addressing_style": os.getenv("AWS_S3_ADDRESSING_STYLE") or None,
        },
    }

# Uploads (SPEC §3): checked by content, scanned for viruses before they are kept.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
UPLOAD_MAX_PIXELS = envint("UPLOAD_MAX_PIXELS", 40_000_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# PDFs are opened in a child process within these bounds (a crafted 2 KB PDF
# costs minutes of CPU to an unbounded parser); beyond them the file is refused.
UPLOAD_PDF_CPU_SECONDS = envint("UPLOAD_PDF_CPU_SECONDS", 3)
UPLOAD_PDF_MEMORY_BYTES = envint("UPLOAD_PDF_MEMORY_BYTES", 768 * 1024 * 1024)
UPLOAD_PDF_MAX_PAGES = envint("UPLOAD_PDF_MAX_PAGES", 200)
UPLOAD_PDF_MAX_OBJECTS = envint("UPLOAD_PDF_MAX_OBJECTS", 100_000)
# No request body above this is read (a 413 page from its Content-Length): the contact
# form's three screenshots at most, plus the fields. Fields other than files: 1 MB.
REQUEST_MAX_BYTES = envint("REQUEST_MAX_BYTES", 3 * UPLOAD_MAX_BYTES + 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
# The "download my data" archive copies stored files up to this total; beyond, they are
# listed in it with where to download them.
PERSONAL_DATA_ARCHIVE_MAX_BYTES = envint("PERSONAL_DATA_ARCHIVE_MAX_BYTES", 500 * 1024 * 1024)
VIRUS_SCANNER = os.getenv("VIRUS_SCANNER", "sejour.documents.scanning.ClamdScanner")
CLAMD_SOCKET = os.getenv("CLAMD_SOCKET", str(BASE_DIR / "var" / "clamav" / "clamd.sock"))
CLAMD_HOST = os.getenv("CLAMD_HOST", "")
CLAMD_PORT = envint("CLAMD_PORT", 3310)
CLAMD_TIMEOUT = envint("CLAMD_TIMEOUT", 30)

# The national files: Séjour's local copy unless a connector is named here.
REGISTRY_BACKEND = os.getenv("REGISTRY_BACKEND", "sejour.registry.adapter.LocalRegistry")
# Employers' checks: the register of companies (SIRENE), the legal period a check is
# kept (5 years: the employer's own obligation to keep the proof lasts as long as the
# contract plus the labour-law limitation period), and the API's rate per token.
EMPLOYER_REGISTRY = os.getenv("EMPLOYER_REGISTRY", "sejour.employers.adapter.LocalCompanyRegistry")
EMPLOYER_CHECK_RETENTION_DAYS = envint("EMPLOYER_CHECK_RETENTION_DAYS", 5 * 365)
EMPLOYER_API_REQUESTS_PER_MINUTE = envint("EMPLOYER_API_REQUESTS_PER_MINUTE", 60)
# Checks one employer may ask per hour, page and API together: a payroll run fits,
# trying numbers and dates to learn who holds them does not.
EMPLOYER_CHECKS_PER_HOUR = envint("EMPLOYER_CHECKS_PER_HOUR", 300)
# Attestations' QR codes: "id:base64-seed" Ed25519 keys, newest first (see attestations/signing.py).
ATTESTATION_SIGNING_KEYS = os.getenv("ATTESTATION_SIGNING_KEYS", "")
# Without keys, development (and the tests) sign with a key made once in var/keys/;
# production refuses to start (check sejour.E001): QR codes must verify on every host.
ATTESTATION_DEVELOPMENT_KEY = DEBUG
STAMP_SERVICE = os.getenv("STAMP_SERVICE", "sejour.registry.stamps.LocalStampService")
EPHOTO_SERVICE = os.getenv("EPHOTO_SERVICE", "sejour.registry.ephoto.LocalEphotoService")

# Background tasks: Django's tasks framework with django-tasks-db's database worker.
TASKS = {
    "default": {
        "BACKEND": os.getenv("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A task running longer than this is taken to have lost its worker and is queued
# again (`manage.py tasks_reclaim`, every minute); one claimed this often is given up.
TASKS_RUNNING_TIMEOUT_SECONDS = envint("TASKS_RUNNING_TIMEOUT_SECONDS", 15 * 60)
TASKS_MAX_CLAIMS = envint("TASKS_MAX_CLAIMS", 3)

# E-mail: every message goes through the outbox (sejour.notifications); the
# delivery task hands it to this backend. SMTP when EMAIL_HOST is set.
if os.getenv("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.getenv("EMAIL_HOST"),
                "port": envint("EMAIL_PORT", 587),
                "username": os.getenv("EMAIL_HOST_USER", ""),
                "password": os.getenv("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", "true"),
                "timeout": envint("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    # Nothing leaves the machine: the outbox table is the record, shown at /dev/outbox/.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
SMS_GATEWAY = os.getenv("SMS_GATEWAY", "sejour.notifications.sms.OutboxOnlySmsGateway")
SMS_GATEWAY_URL = os.getenv("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.getenv("SMS_GATEWAY_TOKEN", "")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "Séjour <ne-pas-repondre@sejour.example>")
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 8)
# Delivery runs in the worker; tests and a bare `make run` may run it inline.
OUTBOX_DELIVER_ON_COMMIT = envbool("OUTBOX_DELIVER_ON_COMMIT", "true")
# Links, temporary passwords and codes in messages: deleted once a message has left in
# production; development keeps them (clickable in /dev/outbox/) until the retention period,
# after which the housekeeping job deletes them everywhere.
OUTBOX_REDACT_SECRETS_ON_SEND = envbool(
    "OUTBOX_REDACT_SECRETS_ON_SEND", "false" if DEBUG else "true"
)
OUTBOX_SECRET_RETENTION_HOURS = envint("OUTBOX_SECRET_RETENTION_HOURS", 48)

DSFR_MARK_OPTIONAL_FIELDS = True
# django-dsfr announces, on every form, that this transitional setting will go: once is enough.
warnings.filterwarnings("ignore", message="Transitional Django setting DSFR_MARK_OPTIONAL_FIELDS")

# Caches: local memory by default (throttling counters live in the database,
# so several web processes share them without Redis).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Security.
# Secure cookies unless DEBUG; a plain-HTTP load test on 127.0.0.1 may turn them off.
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "false" if DEBUG else "true")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "false" if DEBUG else "true")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 2 * 3600)
# Expire after inactivity, not two hours after logging in.
SESSION_SAVE_EVERY_REQUEST = True
# A wizard step sent after the session ended is kept for someone logged in here within
# this many seconds (a signed cookie says who), and only up to this size.
PENDING_STEP_KEEP_SECONDS = envint("PENDING_STEP_KEEP_SECONDS", 24 * 3600)
PENDING_STEP_MAX_BYTES = envint("PENDING_STEP_MAX_BYTES", 32 * 1024)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
# Probes and the metrics scrape come from inside the network, straight to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Proxies in front of Séjour (they set X-Forwarded-For and X-Forwarded-Proto, replacing what
# the client sent). With none, both headers come from the client and are not believed.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT > 0 else None
SECURE_HSTS_SECONDS = 0 if DEBUG else envint("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: scripts and styles are files served by us.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The admin never shows a second-factor key again once the device exists (no QR code page).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Account rules (SPEC §2).
ACCOUNT_EMAIL_LINK_MAX_AGE = envint("ACCOUNT_EMAIL_LINK_MAX_AGE", 24 * 3600)
ACCOUNT_RESET_LINK_MAX_AGE = envint("ACCOUNT_RESET_LINK_MAX_AGE", 3600)
PASSWORD_RESET_TIMEOUT = ACCOUNT_RESET_LINK_MAX_AGE
# The first password link of an account a support agent opened with the person.
ACCOUNT_WELCOME_LINK_MAX_AGE = envint("ACCOUNT_WELCOME_LINK_MAX_AGE", 7 * 24 * 3600)
LOGIN_FAILURES_PER_IDENTIFIER = envint("LOGIN_FAILURES_PER_IDENTIFIER", 5)
# Per identifier first; per address with a much higher ceiling (a help desk serves dozens a day).
LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", 100)
LOGIN_LOCKOUT_SECONDS = envint("LOGIN_LOCKOUT_SECONDS", 15 * 60)
RATE_LIMIT_WINDOW_SECONDS = envint("RATE_LIMIT_WINDOW_SECONDS", 3600)
# Per target (document number, e-mail address, identifier) first, low: stops a robot
# hammering one person. Per address second, much higher: a France Services office or an
# association helps dozens of people a day from one address; a robot trying many targets
# from one address is stopped. Supervisors give partner places their own ceiling.
RATE_LIMIT_SIGNUPS_PER_TARGET = envint("RATE_LIMIT_SIGNUPS_PER_TARGET", 5)
RATE_LIMIT_VERIFICATIONS_PER_TARGET = envint("RATE_LIMIT_VERIFICATIONS_PER_TARGET", 5)
RATE_LIMIT_RESETS_PER_TARGET = envint("RATE_LIMIT_RESETS_PER_TARGET", 5)
RATE_LIMIT_CONTACTS_PER_TARGET = envint("RATE_LIMIT_CONTACTS_PER_TARGET", 3)
RATE_LIMIT_SIGNUPS_PER_ADDRESS = envint("RATE_LIMIT_SIGNUPS_PER_ADDRESS", 100)
RATE_LIMIT_RESETS_PER_ADDRESS = envint("RATE_LIMIT_RESETS_PER_ADDRESS", 100)
RATE_LIMIT_VERIFICATIONS_PER_ADDRESS = envint("RATE_LIMIT_VERIFICATIONS_PER_ADDRESS", 100)
RATE_LIMIT_CONTACTS_PER_ADDRESS = envint("RATE_LIMIT_CONTACTS_PER_ADDRESS", 30)
# The highest ceiling a supervisor may give one partner place.
PARTNER_CEILING_MAX = envint("PARTNER_CEILING_MAX", 2000)
# Each upload costs a scan and a parse: a person filing sends a few dozen at most.
RATE_LIMIT_UPLOADS_PER_ACCOUNT = envint("RATE_LIMIT_UPLOADS_PER_ACCOUNT", 60)
# Messages an applicant may send to the prefecture per hour, all applications together.
RATE_LIMIT_MESSAGES_PER_HOUR = envint("RATE_LIMIT_MESSAGES_PER_HOUR", 10)

SUPPORT_PHONE = "0 806 001 620"

# `check --deploy` names these to be silenced on purpose (e.g. sejour.E006 for the load run).
SILENCED_SYSTEM_CHECKS = envlist("SILENCED_SYSTEM_CHECKS")

# Operations: metrics, request ids, worker heartbeats (sejour/operations).
# /metrics answers only with this bearer token and/or from these networks (404 when neither is set).
METRICS_TOKEN = os.getenv("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = envlist("METRICS_ALLOWED_NETWORKS")
# A request id is taken from this header only if the proxy sets it (a client could forge it).
REQUEST_ID_HEADER = os.getenv("REQUEST_ID_HEADER", "")
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 15)
WORKER_HEARTBEAT_MAX_AGE = envint("WORKER_HEARTBEAT_MAX_AGE", 60)

# One JSON object per line (LOG_FORMAT=text for people reading a terminal), each with
# the request id of the request or task it belongs to.
LOG_FORMAT = os.getenv("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sejour.operations.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
