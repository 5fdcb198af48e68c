#!/usr/bin/env bash
# Start (or check, or stop) a local S3-compatible server for the object-storage
# tests: moto's standalone server (a separate process speaking S3 over HTTP), on a
# free port of 127.0.0.1. The address is written to var/s3/url; the tests read it
# from S3_TEST_ENDPOINT_URL:
#   scripts/s3.sh start && export S3_TEST_ENDPOINT_URL="$(cat var/s3/url)"
# Production points AWS_S3_ENDPOINT_URL (or nothing, for AWS) at the real service.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="var/s3"
moto=".venv/bin/moto_server"

answers() {
  [ -f "$dir/url" ] && curl -fs -o /dev/null "$(cat "$dir/url")/moto-api/"
}

case "${1:-start}" in
  start)
    if answers; then echo "S3 test server already answers at $(cat "$dir/url")"; exit 0; fi
    if [ ! -x "$moto" ]; then
      echo "moto_server missing: run make install (moto[server] is a development dependency)" >&2
      exit 1
    fi
    mkdir -p "$dir"
    port="${S3_TEST_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
    nohup "$moto" -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 &
    echo $! >"$dir/pid"
    echo "http://127.0.0.1:$port" >"$dir/url"
    for _ in $(seq 1 100); do answers && { echo "S3 test server answers at $(cat "$dir/url")"; exit 0; }; sleep 0.1; done
    echo "moto_server did not start; see $dir/moto.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/pid" ]; then kill "$(cat "$dir/pid")" 2>/dev/null || true; rm -f "$dir/pid" "$dir/url"; fi
    ;;
  status)
    answers && echo "S3 test server answers at $(cat "$dir/url")"
    ;;
esac
