"""Request ids (generated or from the proxy), JSON log lines, and the real worker:
its log lines carry the id of the request that enqueued the task, and its
heartbeat makes /readyz ready or not."""

import io
import json
import logging
import re
import subprocess
import time

import pytest
from django.db import connection
from pythonjsonlogger.json import JsonFormatter

from sejour.journeys.production import PYTHON, ROOT, database_url, production_environment
from sejour.notifications.models import OutboxMessage
from sejour.operations.models import TaskOrigin, WorkerHeartbeat
from sejour.operations.requestid import RequestIdFilter

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
HEX32 = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.django_db
def test_each_request_gets_an_id_returned_in_a_header(client, settings):
    settings.REQUEST_ID_HEADER = ""
    first, second = client.get("/")["X-Request-ID"], client.get("/")["X-Request-ID"]
    assert HEX32.match(first) and HEX32.match(second) and first != second
    # Not trusted unless configured: a client cannot choose its id.
    assert client.get("/", HTTP_X_REQUEST_ID="chosen-by-client")["X-Request-ID"] != (
        "chosen-by-client"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("5f0c7e1e-8a51-4d1c-9c65-2b7f3f1b0a42", True),
        ("proxy.req:12345678", True),
        ("short", False),
        ("x" * 65, False),
        ('abc12345"}\n{"level": "ERROR"', False),
        ("", False),
    ],
)
def test_a_trusted_proxy_id_is_kept_when_it_is_safe(client, settings, incoming, kept):
    settings.REQUEST_ID_HEADER = "X-Request-ID"
    answered = client.get("/", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"]
    assert (answered == incoming) is kept
    if not kept:
        assert HEX32.match(answered)


def _json_handler(settings):
    options = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(RequestIdFilter())
    return handler, stream


@pytest.mark.django_db
def test_request_log_lines_are_json_with_the_id_and_no_token(client, settings):
    settings.REQUEST_ID_HEADER = "X-Request-ID"
    handler, stream = _json_handler(settings)
    logger = logging.getLogger("sejour.request")
    logger.addHandler(handler)
    try:
        client.get("/", HTTP_X_REQUEST_ID="req-home-0001")
        client.get("/compte/verifier/SECRET-TOKEN-42/", HTTP_X_REQUEST_ID="req-token-0002")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    home, link = lines
    assert home["request_id"] == "req-home-0001"
    assert home["message"] == "request" and home["level"] == "INFO"
    assert home["view"] == "core:home" and home["status"] == 200
    assert home["duration_ms"] >= 0 and "time" in home
    assert link["request_id"] == "req-token-0002"
    assert link["route"] == "compte/verifier/<str:token>/"
    assert "SECRET-TOKEN-42" not in stream.getvalue()


def _worker(*args, **environment):
    return subprocess.Popen(
        [str(PYTHON), "manage.py", "db_worker", "--no-reload", "--no-startup-delay", *args],
        cwd=ROOT,
        env=production_environment(
            DATABASE_URL=database_url(connection.settings_dict), LOG_FORMAT="json", **environment
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_logs_the_request_id_of_the_request_that_enqueued_its_task(
    client, settings, applicant
):
    settings.TASKS = DATABASE_TASKS
    response = client.post(
        "/mot-de-passe/oublie/",
        {"identifier": applicant.identifier},
        HTTP_X_REQUEST_ID="ignored-not-trusted",
    )
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    origin = TaskOrigin.objects.get()
    assert origin.request_id == request_id
    assert "deliver" in origin.task.task_path

    worker = _worker("--batch")
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    started = [line for line in lines if line.get("message") == "task started"]
    assert started, output
    assert started[0]["request_id"] == request_id
    assert "deliver" in started[0]["task"]
    finished = [line for line in lines if line.get("message") == "task finished"]
    assert finished[0]["request_id"] == request_id
    assert finished[0]["status"].endswith("SUCCESSFUL")
    # Lines outside any task carry no id (the worker's own start and stop).
    assert [line["request_id"] for line in lines if line["message"] == "worker started"] == [""]
    message = OutboxMessage.objects.get(recipient=applicant.email)
    assert message.status == OutboxMessage.Status.SENT  # the task really ran
    assert not WorkerHeartbeat.objects.exists()  # a worker that stops says so


def _ready(client):
    response = client.get("/readyz")
    return response.status_code, response.json()["checks"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("clamd", "media_root")
def test_readiness_follows_a_real_worker_heartbeat(client, settings):
    settings.TASKS = DATABASE_TASKS
    settings.WORKER_HEARTBEAT_MAX_AGE = 3
    status, checks = _ready(client)
    assert status == 503
    assert checks == {"database": "ok", "storage": "ok", "clamd": "ok", "worker": "failed"}

    worker = _worker(WORKER_HEARTBEAT_SECONDS="1")
    try:
        deadline = time.monotonic() + 60
        while _ready(client)[0] != 200:
            assert worker.poll() is None, worker.stdout.read()
            assert time.monotonic() < deadline, "the worker never beat"
            time.sleep(0.5)
        beat = WorkerHeartbeat.objects.get()
        assert beat.pid == worker.pid
        first_seen = beat.seen_at
        time.sleep(2.5)
        beat.refresh_from_db()
        assert beat.seen_at > first_seen  # it keeps beating while idle
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert not WorkerHeartbeat.objects.exists()
    assert _ready(client)[0] == 503

    # Killed without a word (SIGKILL): its last beat ages out.
    worker = _worker(WORKER_HEARTBEAT_SECONDS="1")
    try:
        deadline = time.monotonic() + 60
        while not WorkerHeartbeat.objects.exists():
            assert time.monotonic() < deadline
            time.sleep(0.3)
    finally:
        worker.kill()
        worker.wait(timeout=30)
    assert WorkerHeartbeat.objects.exists()
    time.sleep(3.5)
    status, checks = _ready(client)
    assert status == 503 and checks["worker"] == "failed"


@pytest.mark.django_db
@pytest.mark.usefixtures("clamd")
def test_readiness_names_the_dependency_that_fails(client, settings, tmp_path):
    from sejour.documents.scanning import get_scanner

    settings.MEDIA_ROOT = tmp_path / "media"
    status, checks = _ready(client)
    assert status == 200  # tasks inline in tests: no worker needed
    assert checks == {"database": "ok", "storage": "ok", "clamd": "ok", "worker": "not used"}

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    status, checks = _ready(client)
    assert status == 503 and checks["storage"] == "failed"
    assert checks["clamd"] == "ok"

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    settings.CLAMD_HOST = ""
    get_scanner.cache_clear()
    try:
        response = client.get("/readyz")
    finally:
        get_scanner.cache_clear()  # the next test gets the real scanner again
    checks = response.json()["checks"]
    assert response.status_code == 503
    assert checks["clamd"] == "failed" and checks["storage"] == "ok"
    # The public answer names the failing part, never the error's text.
    body = response.content.decode()
    assert "no-clamd.sock" not in body and "Traceback" not in body
