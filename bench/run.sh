#!/usr/bin/env bash
# Load run: gunicorn with several workers on 127.0.0.1, PostgreSQL, the demo data,
# locust headless for a bounded time. Fails on any server error or failed request.
#   bench/run.sh          # 60 s, 30 users (the figures in bench/results/)
#   bench/run.sh --short  # 15 s, 10 users (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=60s; users=30; label=full
if [ "${1:-}" = "--short" ]; then duration=15s; users=10; label=short; fi

export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sejour_bench}"
export SECRET_KEY="bench-only-$(date +%s)" DEBUG=false SECURE_SSL_REDIRECT=false
export ALLOWED_HOSTS=127.0.0.1,localhost SITE_URL=http://127.0.0.1:8765
export SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
# Production refuses to start without signing keys: one made for this run.
export ATTESTATION_SIGNING_KEYS="bench1:$(python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode())')"
# The load run serves the demo data on 127.0.0.1 on purpose (production refuses it: sejour.E006).
export SILENCED_SYSTEM_CHECKS=sejour.E006
# The load comes from a few addresses and repeats one sign-up number: lift the per-address
# and per-target limits for this run only.
export LOGIN_FAILURES_PER_ADDRESS=100000 RATE_LIMIT_SIGNUPS_PER_ADDRESS=100000
export RATE_LIMIT_SIGNUPS_PER_TARGET=100000
PY=.venv/bin/python

psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='sejour_bench'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE sejour_bench" >/dev/null
$PY manage.py migrate --no-input -v 0
# load_demo is a development command (it refuses with DEBUG off): the bench asks for it.
DEBUG=true $PY manage.py load_demo >/dev/null
$PY manage.py collectstatic --no-input -v 0

.venv/bin/gunicorn sejour.wsgi --workers 4 --bind 127.0.0.1:8765 --log-level warning \
  --access-logfile bench/results/access-$label.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs -o /dev/null http://127.0.0.1:8765/healthz && break; sleep 0.2; done

.venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:8765 \
  -u "$users" -r "$users" -t "$duration" --only-summary --csv "bench/results/$label" >/dev/null 2>&1 || true

$PY bench/summarise.py "bench/results/${label}_stats.csv" "bench/results/access-$label.log" "$label" \
  > "bench/results/$label.md"
cat "bench/results/$label.md"
