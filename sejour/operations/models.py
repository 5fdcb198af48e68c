from django.conf import settings
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


class PartnerAddress(models.Model):
    """A place that helps many people from one address — a France Services office, a
    library, an association. Its network is counted as one, with its own ceiling, in
    place of the per-address limits (sejour.accounts.throttle.address_counter); the
    per-person limits (identifier, e-mail, document number) still apply to everyone.

    Registered by a prefecture's supervisors for their département, never deleted:
    a removal is dated, and both are audited.
    """

    prefecture = models.ForeignKey(
        "registry.Prefecture",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prefecture"),
    )
    name = models.CharField(_("name"), max_length=120)
    network = models.CharField(_("address or network"), max_length=49)
    ceiling = models.PositiveIntegerField(_("attempts allowed per hour"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("partner address")
        verbose_name_plural = _("partner addresses")

    def __str__(self) -> str:
        return f"{self.name} ({self.network})"
