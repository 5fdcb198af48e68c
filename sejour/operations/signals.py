"""Carry the request id from the request that enqueues a task to the worker that runs it."""

import logging
import threading

from django.tasks.signals import task_enqueued, task_finished, task_started
from django_tasks_db.backend import DatabaseBackend

from .requestid import _current, request_id_get

logger = logging.getLogger("sejour.tasks")
_bound = threading.local()


def _database_backend(sender) -> bool:
    # Sent with the backend's class on enqueue, with the backend itself when run.
    if isinstance(sender, type):
        return issubclass(sender, DatabaseBackend)
    return isinstance(sender, DatabaseBackend)


def task_origin_record(sender, task_result, **kwargs):
    """The task is a row: note which request asked for it (a task enqueued from cron has none)."""
    request_id = request_id_get()
    if request_id and _database_backend(sender):
        from .models import TaskOrigin

        TaskOrigin.objects.create(task_id=task_result.id, request_id=request_id)


def task_origin_bind(sender, task_result, **kwargs):
    """In the worker: log lines of this task carry the request id of its origin."""
    if not _database_backend(sender):
        return  # run inline, inside the request: its id is already bound
    from .models import TaskOrigin

    request_id = (
        TaskOrigin.objects.filter(task_id=task_result.id)
        .values_list("request_id", flat=True)
        .first()
    ) or ""
    _bound.token = _current.set(request_id)
    logger.info(
        "task started",
        extra={"task": task_result.task.module_path, "task_id": str(task_result.id)},
    )


def task_origin_unbind(sender, task_result, **kwargs):
    if not _database_backend(sender):
        return
    logger.info(
        "task finished",
        extra={
            "task": task_result.task.module_path,
            "task_id": str(task_result.id),
            "status": str(task_result.status),
        },
    )
    token = getattr(_bound, "token", None)
    if token is not None:
        _current.reset(token)
        _bound.token = None


task_enqueued.connect(task_origin_record, dispatch_uid="sejour.operations.origin_record")
task_started.connect(task_origin_bind, dispatch_uid="sejour.operations.origin_bind")
task_finished.connect(task_origin_unbind, dispatch_uid="sejour.operations.origin_unbind")
