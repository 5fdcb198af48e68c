"""The production configuration, started for real: collectstatic, gunicorn, DEBUG off.

Every other test runs in-process with static files served from the app
folders. That hid a whole class of faults (rewritten stylesheets refused by
their integrity hashes, a missing font). Here the README's production
commands run as they would on a server: `collectstatic` into a temporary
STATIC_ROOT with the manifest storage, gunicorn on a free port with
`DJANGO_SETTINGS_MODULE=sejour.settings`, a secret key, secure cookies,
HTTPS redirect and HSTS on. The browser plays the TLS-terminating proxy by
sending `X-Forwarded-Proto: https` (the header `SECURE_PROXY_SSL_HEADER`
trusts, with TRUSTED_PROXY_COUNT=1); Chromium keeps `Secure` cookies for 127.0.0.1, a trustworthy origin.
The one concession: the page's own http:// origin is a trusted CSRF origin.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sejour.attestations.signing import key_text_new

ROOT = Path(__file__).resolve().parents[2]
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.parent / "gunicorn"
# The helpers' port range on the shared machine; a free one is picked at run time.
PORTS = range(18100, 18200)
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as candidate:
            try:
                candidate.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


def database_url(settings_dict: dict) -> str:
    """The test database (already created by pytest-django) as a DATABASE_URL."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    credentials = quote(settings_dict["USER"] or "", safe="")
    if settings_dict.get("PASSWORD"):
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


def production_environment(**extra: str) -> dict[str, str]:
    """Only what a production server would set: nothing inherited from the test settings
    (settings_test turns the HTTPS redirect off and runs tasks inline)."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "sejour.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Production refuses to start without signing keys (check sejour.E001).
        "ATTESTATION_SIGNING_KEYS": key_text_new("prod1"),
        # The browser plays the proxy: X-Forwarded-Proto is believed only from a known one.
        "TRUSTED_PROXY_COUNT": "1",
    }
    for name in ("CLAMD_SOCKET", "CLAMD_HOST", "CLAMD_PORT"):
        if name in os.environ:
            environment[name] = os.environ[name]
    environment.update(extra)
    return environment


def collectstatic(static_root: Path) -> None:
    subprocess.run(
        [str(PYTHON), "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=production_environment(STATIC_ROOT=str(static_root)),
        check=True,
        timeout=300,
    )


@dataclass
class ProductionServer:
    url: str
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]


def gunicorn_start(*, static_root: Path, database: str, log: Path, **extra) -> ProductionServer:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = production_environment(
        STATIC_ROOT=str(static_root),
        DATABASE_URL=database,
        SITE_URL=url,
        # The page's origin is http://… (no real TLS here) while Django, told by the
        # proxy header that the request is HTTPS, expects https://…: trust the former.
        CSRF_TRUSTED_ORIGINS=url,
        **extra,
    )
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "sejour.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = ProductionServer(url=url, process=process, log=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{server.log_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    gunicorn_stop(server)
    raise RuntimeError(f"gunicorn did not answer in 30 s:\n{server.log_text()}")


def gunicorn_stop(server: ProductionServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
