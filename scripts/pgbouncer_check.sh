#!/usr/bin/env bash
# Runs the lifecycle, intake (with its concurrent requests) and statistics tests through PgBouncer
# in transaction mode, against the PostgreSQL of DATABASE_URL's host (default 127.0.0.1:5432):
# nothing in the system may assume a session (advisory locks, SET, server-side cursors across
# transactions). Needs `pgbouncer` on PATH (apt-get install pgbouncer). Leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."
PGB="$(command -v pgbouncer || echo /usr/sbin/pgbouncer)"
ROOT="$(mktemp -d /tmp/pgbouncer-check.XXXXXX)"
PORT=${PGBOUNCER_PORT:-56432}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cat > "$ROOT/pgbouncer.ini" <<CONF
[databases]
* = host=${PGHOST:-127.0.0.1} port=${PGPORT:-5432}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
auth_type = trust
auth_file = $ROOT/users.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 20
unix_socket_dir = $ROOT
logfile = $ROOT/pgbouncer.log
pidfile = $ROOT/pgbouncer.pid
ignore_startup_parameters = extra_float_digits,options
CONF
echo '"postgres" ""' > "$ROOT/users.txt"
[ "$(id -u)" = 0 ] && chown -R postgres "$ROOT"
as_pg "$PGB" -d "$ROOT/pgbouncer.ini"
trap 'kill "$(cat "$ROOT/pgbouncer.pid")" 2>/dev/null || true; rm -rf "$ROOT"' EXIT
sleep 1
DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/pgbouncer_check" PGBOUNCER_TRANSACTION_MODE=1 \
  "${PY:-.venv/bin/python}" -m pytest -q -p no:cacheprovider \
  tests/workorders/lifecycle tests/workorders/intake tests/workorders/stats/test_figures.py \
  tests/workorders/stats/test_concurrency.py "$@"
