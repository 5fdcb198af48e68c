"""Tasks whose worker died go back in the queue (at once when its heartbeat stopped,
after a timeout otherwise); a task that never finishes is given up."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sejour.attestations.tasks import ensure_coverage
from sejour.core.taskqueue import tasks_reclaim
from sejour.operations.heartbeat import heartbeat_beat


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_RUNNING_TIMEOUT_SECONDS = 600
    settings.TASKS_MAX_CLAIMS = 3
    settings.WORKER_HEARTBEAT_MAX_AGE = 60


def beating(worker: str, seconds_ago: float = 0) -> None:
    heartbeat_beat(worker_id=worker, started_at=timezone.now())
    from sejour.operations.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id=worker).update(
        seen_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def claimed(worker: str, minutes_ago: float, task: DBTaskResult | None = None) -> DBTaskResult:
    task = task or DBTaskResult.objects.get(pk=ensure_coverage.enqueue().id)
    task.claim(worker)
    DBTaskResult.objects.filter(pk=task.pk).update(
        started_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    task.refresh_from_db()
    return task


@pytest.mark.django_db
def test_a_task_running_past_the_timeout_goes_back_in_the_queue(database_queue):
    beating("w1")
    beating("w2")
    stuck = claimed("w1", minutes_ago=11)  # alive, but overdue
    busy = claimed("w2", minutes_ago=2)
    assert tasks_reclaim() == (1, 0)
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert stuck.status == "READY" and stuck.worker_ids == ["w1"]
    assert DBTaskResult.objects.ready().filter(pk=stuck.pk).exists()
    assert busy.status == "RUNNING"
    assert tasks_reclaim() == (0, 0)  # nothing left to do: running it again changes nothing


@pytest.mark.django_db
def test_a_task_whose_worker_stopped_beating_goes_back_at_once(database_queue):
    beating("alive")
    beating("silent", seconds_ago=90)
    mine = claimed("alive", minutes_ago=1)
    silent = claimed("silent", minutes_ago=1)
    gone = claimed("never-beat", minutes_ago=0)
    assert tasks_reclaim() == (2, 0)
    assert [
        t.status
        for t in DBTaskResult.objects.filter(pk__in=[mine.pk, silent.pk, gone.pk]).order_by(
            "enqueued_at"
        )
    ] == ["RUNNING", "READY", "READY"]


@pytest.mark.django_db
def test_a_task_that_never_finishes_is_given_up_after_three_claims(database_queue):
    task = claimed("w1", minutes_ago=30)
    for worker in ("w2", "w3"):
        assert tasks_reclaim() == (1, 0)
        task = claimed(worker, minutes_ago=30, task=task)
    assert tasks_reclaim() == (0, 1)
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert "Claimed 3 times (w1, w2, w3)" in task.traceback
    assert task.finished_at is not None


@pytest.mark.django_db
def test_the_command_takes_a_timeout(database_queue):
    from django.core.management import call_command

    beating("w1")
    claimed("w1", minutes_ago=1)
    call_command("tasks_reclaim")
    assert DBTaskResult.objects.get().status == "RUNNING"
    call_command("tasks_reclaim", "--older-than", "30")
    assert DBTaskResult.objects.get().status == "READY"
