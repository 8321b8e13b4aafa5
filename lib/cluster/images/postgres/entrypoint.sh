#!/bin/bash
# Initialises a throwaway cluster and runs postgres in the foreground, logging to stderr
# so the retry correlator can count serialization failures from the container log.
set -euo pipefail
: "${PG_PASSWORD:?PG_PASSWORD is required}"
PG_ISOLATION="${PG_ISOLATION:-serializable}"
PGDATA=/var/lib/postgresql/data; BIN=/usr/lib/postgresql/15/bin
mkdir -p "$PGDATA" /run/postgresql; chown postgres:postgres "$PGDATA" /run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile="$(mktemp)"; printf '%s' "$PG_PASSWORD" >"$pwfile"; chown postgres "$pwfile"
  runuser -u postgres -- "$BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "host all all 0.0.0.0/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "CREATE DATABASE ${PG_DATABASE:-keystone};" | runuser -u postgres -- "$BIN/postgres" --single -D "$PGDATA" postgres >/dev/null
fi
# fsync off: a throwaway test database; durability across host crashes is not under test.
exec runuser -u postgres -- "$BIN/postgres" -D "$PGDATA" \
  -c listen_addresses='*' -c max_connections=300 \
  -c default_transaction_isolation="${PG_ISOLATION}" \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
  -c log_destination=stderr -c logging_collector=off \
  -c log_line_prefix='%m [%p] %e ' -c log_min_messages=warning -c log_min_error_statement=panic
