"""Task workers' heartbeats: written by each db_worker, read by /readyz and /metrics."""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger("sejour.worker")


def heartbeat_beat(*, worker_id: str, started_at) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": now,
        },
    )
    # Workers that died without saying so (SIGKILL, lost machine) fade out after a day.
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()


def heartbeat_end(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def workers_alive(*, now=None) -> int:
    now = now or timezone.now()
    horizon = now - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    return WorkerHeartbeat.objects.filter(seen_at__gte=horizon).count()


class HeartbeatThread(threading.Thread):
    """Beats every WORKER_HEARTBEAT_SECONDS beside the worker's loop, on its own connection."""

    def __init__(self, *, worker_id: str):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.wait(settings.WORKER_HEARTBEAT_SECONDS):
            try:
                close_old_connections()
                heartbeat_beat(worker_id=self.worker_id, started_at=self.started_at)
            except Exception:  # a missed beat is reported by its absence; keep beating
                logger.exception("heartbeat failed")
        connection.close()

    def stop(self):
        self.stopping.set()
        self.join(timeout=5)
