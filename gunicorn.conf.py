"""Read by gunicorn from the directory it starts in (the README's production command)."""

import os


def child_exit(server, worker):
    # prometheus_client's multiprocess mode: a finished worker's gauges stop counting.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
