from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class WorkerHeartbeat(models.Model):
    """A task worker says it is alive: one row per worker process, refreshed every few seconds.

    django-tasks-db records which worker claimed a task, but nothing about an
    idle worker; the readiness check and the metrics need to know that at
    least one worker is polling the queue.
    """

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("machine"), max_length=255)
    pid = models.PositiveIntegerField(_("process"))
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class TaskOrigin(models.Model):
    """The request that enqueued a task, so that the worker's logs carry its request id.

    Deleted with the task result (prune_db_task_results).
    """

    task = models.OneToOneField(
        DBTaskResult, on_delete=models.CASCADE, primary_key=True, related_name="origin"
    )
    request_id = models.CharField(_("request id"), max_length=64)

    class Meta:
        verbose_name = _("task origin")
        verbose_name_plural = _("task origins")

    def __str__(self) -> str:
        return self.request_id
