"""Housekeeping of the task queue (django-tasks-db).

A worker claims a task by marking its row RUNNING, runs it, then marks it done.
Nothing in django-tasks-db ever looks at a RUNNING row again: a worker killed in
the middle of a task (out of memory, SIGKILL, a machine lost) would leave its
task RUNNING forever, and an attestation of filing would never be issued.

`tasks_reclaim` gives such tasks back to the queue: at once when the worker that
claimed it has stopped beating (its heartbeat, sejour.operations, is older than
WORKER_HEARTBEAT_MAX_AGE or gone), and in any case once it has run longer than
TASKS_RUNNING_TIMEOUT_SECONDS (a worker alive but stuck). It gives up on a task
claimed TASKS_MAX_CLAIMS times (one that kills every worker that runs it).

A killed worker's transaction is rolled back by the database, so it leaves
nothing half-written; and every Séjour task is idempotent (a unique constraint,
or a re-check under a row lock: one filing attestation per application, an
outbox message sent only while pending, coverage re-read under the
application's lock), so running a task again after a slow first run has no
visible effect twice.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def _workers_beating(now) -> set[str]:
    from sejour.operations.models import WorkerHeartbeat

    horizon = now - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    return set(
        WorkerHeartbeat.objects.filter(seen_at__gte=horizon).values_list("worker_id", flat=True)
    )


def tasks_reclaim(*, older_than: timedelta | None = None) -> tuple[int, int]:
    """Put tasks stuck RUNNING back in the queue; return (reclaimed, given up)."""
    if older_than is None:
        older_than = timedelta(seconds=settings.TASKS_RUNNING_TIMEOUT_SECONDS)
    now = timezone.now()
    beating = _workers_beating(now)
    reclaimed = given_up = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING
        )
        for task in running:
            worker = task.worker_ids[-1] if task.worker_ids else None
            if worker in beating and task.started_at > now - older_than:
                continue  # its worker is alive and the task is not overdue
            if len(task.worker_ids) >= settings.TASKS_MAX_CLAIMS:
                task.status = TaskResultStatus.FAILED
                task.finished_at = now
                task.exception_class_path = "sejour.core.taskqueue.NeverFinished"
                task.traceback = (
                    f"Claimed {len(task.worker_ids)} times ({', '.join(task.worker_ids)}) "
                    "and never finished: given up."
                )
                task.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                logger.error("Task %s (%s) given up: %s", task.pk, task.task_path, task.traceback)
                given_up += 1
            else:
                task.status = TaskResultStatus.READY
                task.save(update_fields=["status"])
                logger.warning(
                    "Task %s (%s) running since %s on %s (%s): back in the queue",
                    task.pk,
                    task.task_path,
                    task.started_at,
                    worker,
                    "alive but overdue" if worker in beating else "no heartbeat",
                )
                reclaimed += 1
    return reclaimed, given_up
