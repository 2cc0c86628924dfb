#!/usr/bin/env bash
# Shows that the read replica works: starts a throw-away PostgreSQL primary and a streaming replica
# on loopback (ports 55432 and 55433, under a temporary folder), migrates the primary, records a
# complaint there, and reads the manager dashboard through the replica (DATABASE_REPLICA_URL) until
# the new complaint is counted. Needs the PostgreSQL server binaries (pg_config --bindir); when run
# as root the clusters run as the `postgres` user. Leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | tail -1)"
ROOT="$(mktemp -d /tmp/replica-check.XXXXXX)"
PRIMARY_PORT=${PRIMARY_PORT:-55432}
REPLICA_PORT=${REPLICA_PORT:-55433}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  as_pg "$BIN/pg_ctl" -D "$ROOT/replica" -m immediate stop >/dev/null 2>&1 || true
  as_pg "$BIN/pg_ctl" -D "$ROOT/primary" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$ROOT"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres "$ROOT"

as_pg "$BIN/initdb" -D "$ROOT/primary" -U postgres --auth=trust -E UTF8 >/dev/null
cat >> "$ROOT/primary/postgresql.conf" <<CONF
port = $PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$ROOT'
wal_level = replica
max_wal_senders = 4
CONF
echo "host replication all 127.0.0.1/32 trust" >> "$ROOT/primary/pg_hba.conf"
as_pg "$BIN/pg_ctl" -D "$ROOT/primary" -l "$ROOT/primary.log" -w start >/dev/null
as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$ROOT/replica" -R -X stream >/dev/null
sed -i "s/^port = $PRIMARY_PORT/port = $REPLICA_PORT/" "$ROOT/replica/postgresql.conf"
as_pg "$BIN/pg_ctl" -D "$ROOT/replica" -l "$ROOT/replica.log" -w start >/dev/null
echo "primary on $PRIMARY_PORT, streaming replica on $REPLICA_PORT"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PRIMARY_PORT/postgres"
export DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$REPLICA_PORT/postgres"
PY=${PY:-.venv/bin/python}
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py shell -c '
import time
from django.db import connections
from accounts.demo import seed_organisation
from accounts.models import User
from config.routers import reading_replica
from tests.builders import OrderBuilder
from workorders.stats.reads import StatsFilter, stats_summary

depts, users = seed_organisation(password="demo12345")
users = {u.username: u for u, _role in users}
manager = users["manager"]
with reading_replica():
    before = stats_summary(manager, StatsFilter())["received"]
OrderBuilder(users, depts).register()  # written on the primary
with reading_replica():
    for _ in range(50):
        connections["replica"].close()
        after = stats_summary(manager, StatsFilter())["received"]
        if after == before + 1:
            break
        time.sleep(0.2)
in_recovery = connections["replica"].cursor()
in_recovery.execute("SELECT pg_is_in_recovery()")
assert in_recovery.fetchone()[0], "the replica is not a standby"
assert after == before + 1, (before, after)
print(f"the dashboard read from the replica counts the new complaint: {before} -> {after}")
'
