#!/usr/bin/env bash
# Starts (installing if needed) a local PostgreSQL 15 server and creates the test database.
# Prints the DATABASE_URL to use. Idempotent.
set -euo pipefail
# Only the URL goes to stdout (callers capture it); everything else the tools print goes to stderr.
exec 3>&1 1>&2
if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$ver main"; then
  pg_createcluster "$ver" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$ver" main start 3>&-
fi
for i in $(seq 1 30); do
  su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qAtc \"alter user postgres password 'postgres'\"" >/dev/null
su postgres -c "psql -qAtc \"select 1 from pg_database where datname='aitrader_test'\"" | grep -q 1 \
  || su postgres -c "createdb aitrader_test"
echo "postgres://postgres:postgres@127.0.0.1:5432/aitrader_test" >&3
