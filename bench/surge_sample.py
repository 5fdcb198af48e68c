"""Every few seconds, the worker's backlog: tasks waiting and running, the age of the
oldest waiting task, attestations issued, outbox messages pending. One CSV line each,
until stopped (bench/surge.sh starts and stops it)."""

import csv
import os
import sys
import time

import dj_database_url
import psycopg

out, interval = sys.argv[1], float(sys.argv[2] if len(sys.argv) > 2 else 5)
db = dj_database_url.parse(os.environ["DATABASE_URL"])
QUERY = """
SELECT now(),
  (SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'),
  (SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'),
  (SELECT coalesce(extract(epoch FROM now() - min(enqueued_at)), 0)
     FROM django_tasks_database_dbtaskresult WHERE status = 'READY'),
  (SELECT count(*) FROM attestations_attestation),
  (SELECT count(*) FROM notifications_outboxmessage WHERE status = 'pending'),
  (SELECT count(*) FROM applications_application WHERE filed_at IS NOT NULL)
"""
with (
    psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as connection,
    open(out, "w", newline="") as handle,
):
    writer = csv.writer(handle)
    writer.writerow(["at", "ready", "running", "oldest_ready_s", "attestations", "outbox", "filed"])
    while True:
        row = connection.execute(QUERY).fetchone()
        writer.writerow([row[0].isoformat(), *[round(float(v), 1) for v in row[1:]]])
        handle.flush()
        time.sleep(interval)
