#!/usr/bin/env bash
# Start (or check) a clamd for Séjour with a small local signature database
# that detects the EICAR test file. No signature download happens here; in
# production, run clamd with freshclam's databases and point CLAMD_SOCKET at it.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
dir="$root/var/clamav"
socket="$dir/clamd.sock"
clamd_bin="$(command -v clamd || echo /usr/sbin/clamd)"

ping() {
  python3 - "$socket" <<'PY'
import socket, sys
try:
    s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1]); s.sendall(b"zPING\0")
    sys.exit(0 if s.recv(16).startswith(b"PONG") else 1)
except OSError:
    sys.exit(1)
PY
}

case "${1:-start}" in
  start)
    if ping; then echo "clamd already answers at $socket"; exit 0; fi
    if [ ! -x "$clamd_bin" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
      echo "Installing clamav-daemon (Debian)"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon) >/dev/null
      clamd_bin="$(command -v clamd || echo /usr/sbin/clamd)"
    fi
    if [ ! -x "$clamd_bin" ]; then
      echo "clamd is not installed (Debian package clamav-daemon): uploads will be refused until it runs." >&2
      exit 1
    fi
    mkdir -p "$dir/db"
    cp "$root/sejour/documents/clamav/"*.ndb "$dir/db/"
    cat > "$dir/clamd.conf" <<CONF
LocalSocket $socket
LocalSocketMode 660
DatabaseDirectory $dir/db
PidFile $dir/clamd.pid
LogFile $dir/clamd.log
Foreground no
StreamMaxLength 30M
MaxFileSize 30M
CONF
    if [ "$(id -u)" = "0" ]; then echo "User root" >> "$dir/clamd.conf"; fi
    rm -f "$socket"
    "$clamd_bin" --config-file="$dir/clamd.conf"
    for _ in $(seq 1 60); do ping && { echo "clamd answers at $socket"; exit 0; }; sleep 0.5; done
    echo "clamd did not start; see $dir/clamd.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/clamd.pid" ]; then kill "$(cat "$dir/clamd.pid")" 2>/dev/null || true; fi
    ;;
  status)
    ping && echo "clamd answers at $socket"
    ;;
esac
