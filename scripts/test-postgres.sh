#!/usr/bin/env bash
# "return || exit" returns when sourced and exits when run; shellcheck cannot tell which:
# shellcheck disable=SC2317
# Starts the machine's PostgreSQL for the tests and exports where it is (CORACLE_TEST_POSTGRES).
# Sourced by './coracle test'; safe to run again.
set -euo pipefail

PG_PASSWORD="${CORACLE_TEST_PG_PASSWORD:-coracle}"
PG_PORT="${CORACLE_TEST_PG_PORT:-5432}"

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "test-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
  return 1 2>/dev/null || exit 1
fi
cluster="$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')"
if [[ -z "$cluster" ]]; then
  echo "test-postgres: no PostgreSQL cluster found (pg_createcluster 15 main)" >&2
  return 1 2>/dev/null || exit 1
fi
read -r pg_version pg_name <<<"$cluster"
if ! pg_lsclusters --no-header | awk -v n="$pg_name" '$2==n {print $4}' | grep -q online; then
  pg_ctlcluster "$pg_version" "$pg_name" start
fi
PG_PORT="$(pg_lsclusters --no-header | awk -v n="$pg_name" '$2==n {print $3}')"
# Tests connect over TCP with a password; many test databases at once need connections.
as_postgres() { if [[ "$(id -un)" == postgres ]]; then "$@"; else su postgres -c "$(printf '%q ' "$@")"; fi; }
as_postgres psql -q -p "$PG_PORT" -c "ALTER USER postgres PASSWORD '$PG_PASSWORD'" >/dev/null
current_max="$(as_postgres psql -tA -p "$PG_PORT" -c "SHOW max_connections")"
if (( current_max < 300 )); then
  as_postgres psql -q -p "$PG_PORT" -c "ALTER SYSTEM SET max_connections = 300" >/dev/null
  pg_ctlcluster "$pg_version" "$pg_name" restart
fi
export CORACLE_TEST_POSTGRES="postgres://postgres:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/postgres"
echo "test-postgres: PostgreSQL $pg_version/$pg_name on 127.0.0.1:$PG_PORT" >&2
