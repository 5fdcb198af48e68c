"""django-tasks-db's worker, with a heartbeat: the same command and options.

sejour.operations comes before django_tasks_db in INSTALLED_APPS, so
`manage.py db_worker` runs this one. The worker says it is alive every
WORKER_HEARTBEAT_SECONDS (a row in operations.WorkerHeartbeat), which
/readyz and the metrics read; its log lines carry the request id of the
request that enqueued each task (sejour.operations.signals).
"""

import logging

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from sejour.operations.heartbeat import HeartbeatThread, heartbeat_beat, heartbeat_end

logger = logging.getLogger("sejour.worker")


class Command(DatabaseWorkerCommand):
    help = "Run a database background worker (with a heartbeat read by /readyz and /metrics)"

    def handle(self, *args, worker_id: str, **options):
        heartbeat = HeartbeatThread(worker_id=worker_id)
        heartbeat_beat(worker_id=worker_id, started_at=heartbeat.started_at)
        heartbeat.start()
        logger.info("worker started", extra={"worker_id": worker_id})
        try:
            return super().handle(*args, worker_id=worker_id, **options)
        finally:
            heartbeat.stop()
            heartbeat_end(worker_id=worker_id)
            logger.info("worker stopped", extra={"worker_id": worker_id})
