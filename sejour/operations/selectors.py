"""The figures the metrics expose, read from the database: the same for every process."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sejour.applications.models import Application, Status
from sejour.attestations.models import Attestation
from sejour.notifications.models import OutboxMessage
from sejour.rules.services import CHANGE_PROCEDURES

from .models import WorkerHeartbeat

# Waiting for a decision: an ADP must cover these once the current document has ended.
PENDING_DECISION = (Status.FILED, Status.UNDER_INSTRUCTION, Status.WAITING_APPLICANT)


def tasks_waiting() -> dict:
    """Tasks that could run now, per queue, and when the oldest was enqueued.

    Reads the partial index django-tasks-db keeps on READY tasks."""
    ready = DBTaskResult.objects.ready().order_by()
    per_queue = dict(ready.values_list("queue_name").annotate(n=Count("id")))
    oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
    return {"per_queue": per_queue, "oldest_enqueued_at": oldest}


def tasks_running() -> int:
    return DBTaskResult.objects.running().count()


def outbox_counts() -> dict:
    """Messages not yet delivered and messages given up on (index on status, next attempt)."""
    statuses = (OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED)
    counts = dict(
        OutboxMessage.objects.filter(status__in=statuses)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return {status: counts.get(status, 0) for status in statuses}


def adp_coverage_gaps_query(*, today=None):
    """Applications waiting for a decision whose holder has nothing valid today:
    the document they applied with has ended and no ADP covers today.

    Narrowed first by status (indexed) and by the end of the current document
    (indexed), so that at a million applications only those past their
    document's end are probed, each with one lookup on the attestations'
    application index. A superseded ADP still covers until its own end (its
    successor starts the day after), so only revoked ones are left out.
    """
    today = today or timezone.localdate()
    covering = Attestation.objects.filter(
        application=OuterRef("pk"),
        kind=Attestation.Kind.ADP,
        revoked_at__isnull=True,
        valid_from__lte=today,
        valid_until__gte=today,
    )
    return (
        Application.objects.filter(status__in=PENDING_DECISION, current_document_ends_on__lt=today)
        .exclude(procedure__in=CHANGE_PROCEDURES)
        .filter(~Exists(covering))
        .order_by()
    )


def adp_coverage_gaps(*, today=None) -> int:
    return adp_coverage_gaps_query(today=today).count()


def worker_heartbeats(*, now=None) -> dict:
    now = now or timezone.now()
    horizon = now - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    figures = WorkerHeartbeat.objects.aggregate(
        alive=Count("id", filter=Q(seen_at__gte=horizon)), newest=Max("seen_at")
    )
    return {"alive": figures["alive"], "newest": figures["newest"]}
