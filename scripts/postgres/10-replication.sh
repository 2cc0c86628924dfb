#!/usr/bin/env bash
# Run once by the postgres image when it initialises the primary (docker-entrypoint-initdb.d):
# a role the streaming replica connects with, and the pg_hba line that lets it.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'replicator';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
