#!/usr/bin/env bash
# Start the Debian PostgreSQL cluster and make the test role and database.
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main >/dev/null
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q -h 127.0.0.1" && break
  sleep 1
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='navguide'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE navguide LOGIN PASSWORD 'navguide'\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='navguide_test'\"" | grep -q 1 ||
  su postgres -c "psql -qc 'CREATE DATABASE navguide_test OWNER navguide'"
