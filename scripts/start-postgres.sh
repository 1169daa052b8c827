#!/usr/bin/env bash
# Install (Debian), start a PostgreSQL server on localhost and create a database for the
# export tests; prints the DSN. CI runs only what .ci/run starts, so .ci/run calls this.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
    pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
    pg_isready -q -h localhost && break
    sleep 1
done
su postgres -c "psql -q -h localhost -c \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cecot') THEN CREATE ROLE cecot LOGIN PASSWORD 'cecot'; END IF; END\\\$\\\$\"" >/dev/null 2>&1 \
    || su postgres -c "psql -q -c \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cecot') THEN CREATE ROLE cecot LOGIN PASSWORD 'cecot'; END IF; END\\\$\\\$\"" >/dev/null
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname = 'cecot_test'\"" | grep -q 1 \
    || su postgres -c "createdb -O cecot cecot_test"
echo "postgresql://cecot:cecot@localhost:5432/cecot_test"
