"""Many processes, one truth: two web processes (gunicorn) and task workers
(`manage.py db_worker`) as real OS processes on one PostgreSQL database, with a
real SMTP server receiving what they send.

- A worker SIGKILLed in the middle of issuing an attestation of filing (its PDF
  already in storage, its transaction waiting on a row lock we hold) leaves
  nothing half-done; the task stays RUNNING until `manage.py tasks_reclaim` gives it
  back (its heartbeat stopped), and another worker then does it, once.
- Applications filed over HTTP through both web processes at once (a double
  submission sent to both), then two coverage runs at once on two workers: one
  filing, one attestation of filing, one ADP and one e-mail each, every e-mail
  delivered once.
- Login failures spread over both web processes lock the account on both; the
  contact form's limit per address holds across them.
"""

import base64
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sejour.accounts.models import User
from sejour.applications.models import Application, Status
from sejour.applications.tests.helpers import step_url
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEvent
from sejour.conftest import PASSWORD
from sejour.core.taskqueue import tasks_reclaim
from sejour.journeys.production import database_url, production_environment
from sejour.notifications.models import OutboxMessage
from sejour.registry.models import EphotoCode

pytestmark = pytest.mark.usefixtures("clamd")
ROOT = Path(django_settings.BASE_DIR)
APPLICANTS = 6
DOCUMENT_ENDS_IN_DAYS = 10  # late renewal: an ADP is due as soon as the application is filed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """A real SMTP server's mailbox: what actually left Séjour."""

    def __init__(self):
        self.recipients = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


class Cluster:
    """The OS processes of one deployment, started and stopped by the test."""

    def __init__(self, env: dict, logs: Path):
        self.env = env
        self.logs = logs
        self.processes: dict[str, subprocess.Popen] = {}
        self.web: dict[str, str] = {}

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes[name] = process
        return process

    def start_web(self, name: str) -> str:
        port = free_port()
        self._start(
            name,
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "sejour.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
        )
        self.web[name] = f"http://127.0.0.1:{port}"
        return self.web[name]

    def wait_web(self) -> None:
        deadline = time.monotonic() + 60
        for name, base in self.web.items():
            while True:
                assert self.processes[name].poll() is None, self.log(name)
                try:
                    if requests.get(base + "/healthz", timeout=10).status_code == 200:
                        break
                except requests.RequestException:
                    pass  # still starting
                assert time.monotonic() < deadline, f"{name} did not start: {self.log(name)}"
                time.sleep(0.2)

    def start_worker(self, name: str) -> subprocess.Popen:
        return self._start(
            name,
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--interval",
                "0.1",
                "--no-startup-delay",
                "--no-reload",
                "--worker-id",
                name,
            ],
        )

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def kill(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for name in self.processes:  # shown by pytest when the test fails
            print(f"--- {name} ---\n{self.log(name)[-1500:]}")
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


class Browser:
    """A person's browser: one cookie jar for both web processes (same host)."""

    def __init__(self):
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = "en"

    def post(self, base: str, path: str, data: dict) -> requests.Response:
        page = self.http.get(base + path, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, (path, page.status_code)
        return self.http.post(
            base + path,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            allow_redirects=False,
            timeout=60,
        )

    def log_in(self, base: str, identifier: str, password: str = PASSWORD) -> requests.Response:
        return self.post(
            base, reverse("accounts:login"), {"identifier": identifier, "password": password}
        )


def signing_keys() -> str:
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    return "many1:" + base64.urlsafe_b64encode(seed).rstrip(b"=").decode()


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("several processes on one database: this test runs on PostgreSQL")


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


@pytest.fixture
def cluster(postgres, smtp, static_root, tmp_path, settings):
    # What a server would set, nothing inherited from the test settings (which run
    # tasks inline): production settings, the database worker, real SMTP.
    env = production_environment(
        **{
            "DATABASE_URL": database_url(connection.settings_dict),
            "STATIC_ROOT": str(static_root),
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "ATTESTATION_SIGNING_KEYS": signing_keys(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp[0]),
            "EMAIL_USE_TLS": "false",
            "LOGIN_FAILURES_PER_IDENTIFIER": "5",
            "RATE_LIMIT_CONTACTS_PER_ADDRESS": "3",
            "WORKER_HEARTBEAT_SECONDS": "1",
        }
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    logs = tmp_path / "logs"
    logs.mkdir()
    running = Cluster(env, logs)
    yield running
    running.stop()

    def others_connected() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0] > 0

    # The processes are gone; let the server notice before the test database is dropped.
    wait_until(lambda: not others_connected(), 30, "the processes' sessions to end")


def applicants(registry_person, settings) -> list[User]:
    # The web processes know only the production hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    people = []
    now = timezone.now()
    for index in range(APPLICANTS):
        number = f"75090000{index:02d}"
        registry_person(foreign_number=number, ends_in_days=DOCUMENT_ENDS_IN_DAYS)
        user = User.objects.create_user(
            number,
            PASSWORD,
            email=f"{number}@example.org",
            email_verified_at=now,
            first_names="Amina",
            last_name="Diallo",
        )
        code = f"MANY{index:02d}K2M9Q4R8T1V5X3Z"
        EphotoCode.objects.create(
            code=code,
            taken_at=now - timedelta(days=3),
            available_at=now - timedelta(days=2),
        )
        ready_to_submit(user, code)
        people.append(user)
    return people


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def blocked_by(holder_pid: int) -> list[int]:
    """The sessions waiting for a lock the holder has."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [holder_pid],
        )
        return [row[0] for row in cursor.fetchall()]


def sessions_alive(pids: list[int]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
        return cursor.fetchone()[0] > 0


def confirmation_url(user: User) -> str:
    return step_url(Application.objects.get(applicant=user), "confirmation")


def file_over_http(browser: Browser, log_in_at: str, submit_at: str, user: User, url: str) -> int:
    # No database access here: it runs in threads, whose connections would outlive them.
    assert browser.log_in(log_in_at, user.identifier).status_code == 302
    return browser.post(submit_at, url, {"certify": "on"}).status_code


def idle_queue() -> bool:
    return not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_web_processes_and_two_workers_keep_one_truth(cluster, smtp, registry_person, settings):
    people = applicants(registry_person, settings)
    web_a, web_b = cluster.start_web("web-a"), cluster.start_web("web-b")
    cluster.wait_web()
    inbox = smtp[1]

    # 1. A worker killed in the middle of a task. Filed (on web-b after logging in on
    # web-a: one session for both) while no worker runs; we hold a lock on the
    # attestations' table, so the worker renders and stores the PDF, opens its
    # transaction, then waits on its first write.
    first = people[0]
    assert file_over_http(Browser(), web_a, web_b, first, confirmation_url(first)) == 302
    application = Application.objects.get(applicant=first)
    assert application.status == Status.FILED
    import psycopg

    db = connection.settings_dict
    holder = psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
    )
    # Reads go on; whoever writes an attestation waits for us.
    holder.execute("LOCK TABLE attestations_attestation IN SHARE MODE")
    cluster.start_worker("w1")
    wait_until(lambda: blocked_by(holder.info.backend_pid), 60, "the worker to wait on us")
    task = DBTaskResult.objects.get(task_path__endswith="issue_filing_attestation")
    assert task.status == "RUNNING" and task.worker_ids == ["w1"]
    pdfs_stored = list((settings.MEDIA_ROOT / "attestations").glob("*.pdf"))
    assert len(pdfs_stored) == 1  # the task was half-way: its PDF is written
    worker_session = blocked_by(holder.info.backend_pid)
    cluster.kill("w1")
    holder.rollback()
    holder.close()
    # The database sees its client gone and rolls the worker's transaction back.
    wait_until(lambda: not sessions_alive(worker_session), 30, "the dead worker's session to end")

    # Nothing half-done: no attestation, no audit event, no e-mail.
    assert not Attestation.objects.filter(application=application).exists()
    assert not AuditEvent.objects.filter(application=application, action="attestation.issued")
    assert not OutboxMessage.objects.filter(recipient=first.email).exclude(attachment="")
    # Other workers alone do not redo it: the task looks RUNNING forever.
    cluster.start_worker("w2")
    cluster.start_worker("w3")
    time.sleep(2)
    task.refresh_from_db()
    assert task.status == "RUNNING"
    # The housekeeping step gives it back once w1's heartbeat is stale (3 s here).
    settings.WORKER_HEARTBEAT_MAX_AGE = 3
    wait_until(lambda: tasks_reclaim() == (1, 0), 30, "w1's task to be reclaimed")
    wait_until(lambda: Attestation.objects.filter(application=application).exists(), 60, "redo")
    task.refresh_from_db()
    wait_until(idle_queue, 60, "the queue to drain")
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.worker_ids[0] == "w1" and task.worker_ids[1] in ("w2", "w3")
    # The killed run's PDF is an orphan no row points at; the redo wrote its own.
    redone = Attestation.objects.get(application=application)
    assert redone.file.name not in {f"attestations/{p.name}" for p in pdfs_stored}

    # 2. Everybody else files at once, through both web processes; one person's
    # confirmation reaches both processes at the same moment.
    urls = {index: confirmation_url(people[index]) for index in range(APPLICANTS)}

    def file(index: int) -> int:
        web = (web_a, web_b) if index % 2 else (web_b, web_a)
        return file_over_http(Browser(), *web, people[index], urls[index])

    double = Browser()
    assert double.log_in(web_a, people[1].identifier).status_code == 302
    double_url = urls[1]
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(file, range(2, APPLICANTS)))
        twice = list(
            pool.map(lambda base: double.post(base, double_url, {"certify": "on"}), (web_a, web_b))
        )
    # Tasks running on workers that beat are left alone.
    assert tasks_reclaim()[0] == 0
    assert statuses == [302] * (APPLICANTS - 2)
    assert [response.status_code for response in twice] == [302, 302]
    # Two coverage runs at once, one on each worker.
    cluster.manage("attestations_cover", "--enqueue")
    cluster.manage("attestations_cover", "--enqueue")
    wait_until(idle_queue, 90, "the queue to drain")

    # One truth: each application filed once, one attestation of filing, one ADP.
    for person in people:
        application = Application.objects.get(applicant=person)
        assert application.status == Status.FILED
        kinds = sorted(application.attestations.values_list("kind", flat=True))
        assert kinds == ["adp", "filing"], (person.identifier, kinds)
        assert (
            AuditEvent.objects.filter(
                application=application, action="application.submitted"
            ).count()
            == 1
        )
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
    coverage_runs = DBTaskResult.objects.filter(task_path__endswith="ensure_coverage")
    assert coverage_runs.count() == 2
    # Every e-mail written once and delivered once to the real SMTP server.
    sent = OutboxMessage.objects.filter(channel="email")
    assert not sent.exclude(status="sent").exists()
    with_pdf = sent.exclude(attachment="")
    assert with_pdf.count() == 2 * APPLICANTS
    wait_until(lambda: len(inbox.recipients) == sent.count(), 10, "the SMTP server")
    assert sorted(inbox.recipients) == sorted(sent.values_list("recipient", flat=True))

    # 3. Login failures spread over both processes lock the account on both.
    target = people[-1]
    for attempt in range(5):
        response = Browser().log_in((web_a, web_b)[attempt % 2], target.identifier, "wrong")
        assert response.status_code == 200
    for base in (web_a, web_b):
        refused = Browser().log_in(base, target.identifier)
        assert refused.status_code == 200
        assert "Too many failed attempts" in refused.text or "blocked" in refused.text
    # The contact form's limit per address (3 here) holds across processes too.
    contact = reverse("support:contact")
    message = {"category": "other", "message": "Bonjour", "email": "x@example.org"}
    for attempt in range(3):
        response = Browser().post((web_a, web_b)[attempt % 2], contact, message)
        assert "Too many messages" not in response.text
    for base in (web_a, web_b):
        assert "Too many messages" in Browser().post(base, contact, message).text
