#!/usr/bin/env bash
# The September student-renewal peak: students filing with uploads, sign-ups, agents'
# queue work and visitors at once, against gunicorn, two task workers, clamd and
# PostgreSQL. Fails on any failed request, any 5xx, or a backlog that does not drain.
#   bench/surge.sh          # 4 minutes, 100 users  (bench/results/surge.md)
#   bench/surge.sh --short  # 50 s, 30 users         (CI: bench/results/surge-short.md)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=240; users=100; label=surge; students=800
export SURGE_PAUSE="1,4"  # seconds a person takes between two pages
if [ "${1:-}" = "--short" ]; then
  duration=50; users=30; label=surge-short; students=120
  export SURGE_PAUSE="0.2,0.8"  # quicker people, so that the short run files applications
fi
PY=.venv/bin/python
work="var/surge"
rm -rf "$work"; mkdir -p "$work" bench/results

db="${SURGE_DATABASE:-sejour_surge}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
port="$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export SECRET_KEY="surge-only-$(date +%s)" DEBUG=false SECURE_SSL_REDIRECT=false
export ALLOWED_HOSTS=127.0.0.1,localhost SITE_URL="http://127.0.0.1:$port"
export SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export MEDIA_ROOT="$work/media" SURGE_PLAN="$work/plan.json" SURGE_STUDENTS="$students"
export SURGE_NEWCOMERS="$students"
export ATTESTATION_SIGNING_KEYS="surge1:$($PY -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode())')"
# The run serves the demo data and its published password on 127.0.0.1 on purpose
# (production refuses them: sejour.E006).
export SILENCED_SYSTEM_CHECKS=sejour.E006
# The PDF check's wall-clock limit is 2 × its CPU limit + 2 s: on a 2-core machine also
# running locust, PostgreSQL, clamd and the workers (and, when measured, other people's
# work), CPU seconds come slowly: with the default (3 s) a third of the PDF uploads
# were refused as "too complex" during the surge, and one with 10 s. The run is about
# capacity, not hostile PDFs (sejour/documents/tests/test_uploads.py covers those).
export UPLOAD_PDF_CPU_SECONDS="${UPLOAD_PDF_CPU_SECONDS:-20}"
# Everyone comes from 127.0.0.1: lift the per-address limits for this run only.
export LOGIN_FAILURES_PER_ADDRESS=100000 RATE_LIMIT_SIGNUPS_PER_ADDRESS=100000
export RATE_LIMIT_VERIFICATIONS_PER_ADDRESS=100000 RATE_LIMIT_CONTACTS_PER_ADDRESS=100000

# A fresh database each run, so the counts are this run's.
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
$PY manage.py migrate --no-input -v 0
DEBUG=true $PY manage.py load_demo >/dev/null
$PY bench/surge_seed.py "$SURGE_PLAN"
# collectstatic is slow (compression): only when the sources changed since the last one.
if [ ! -f var/static/staticfiles.json ] || [ -n "$(find sejour/static -newer var/static/staticfiles.json -print -quit)" ]; then
  $PY manage.py collectstatic --no-input -v 0
fi
scripts/clamd.sh start >/dev/null

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
# Keep-alive longer than a user's pause: a connection closed by the server just as the
# client reuses it is reset (a proxy in front of gunicorn does the same in production).
.venv/bin/gunicorn sejour.wsgi --workers 3 --threads 4 --worker-class gthread --timeout 120 \
  --keep-alive 30 \
  --bind "127.0.0.1:$port" --log-level warning --access-logfile "$work/access.log" \
  >"$work/gunicorn.log" 2>&1 &
pids+=($!)
for worker in 1 2; do
  $PY manage.py db_worker --interval 0.2 --no-reload --worker-id "surge-w$worker" >"$work/worker$worker.log" 2>&1 &
  pids+=($!)
done
$PY bench/surge_sample.py "$work/samples.csv" 5 &
pids+=($!)
for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done

.venv/bin/locust -f bench/surgefile.py --headless --host "http://127.0.0.1:$port" \
  -u "$users" -r "$(( users / 10 > 0 ? users / 10 : 1 ))" -t "${duration}s" --stop-timeout 20 --only-summary \
  --csv "$work/locust" >"$work/locust.log" 2>&1 || true

# How long the workers take to finish what the surge left them.
stopped=$(date +%s); drained=never
for _ in $(seq 1 600); do
  waiting=$(psql -h 127.0.0.1 -U postgres -d "$db" -tAc \
    "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')")
  if [ "$waiting" = "0" ]; then drained=$(( $(date +%s) - stopped )); break; fi
  sleep 1
done
sleep 5  # one more sample after the drain

status=0
$PY bench/surge_summary.py "$work/locust_stats.csv" "$work/access.log" "$work/samples.csv" \
  "$label" "$users" "$duration" "$drained" > "bench/results/$label.md" || status=$?
cat "bench/results/$label.md"
if [ "$status" != 0 ]; then tail -20 "$work/locust.log" >&2; fi
exit "$status"
