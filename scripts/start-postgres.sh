#!/usr/bin/env bash
# Install (Debian), start a PostgreSQL server on localhost and create a database for the
# export tests; prints the DSN. CI runs only what .ci/run starts, so .ci/run calls this.
# CECOT_PG_CLUSTER and CECOT_PG_PORT pick another cluster and port (default: main, 5432),
# so that several checkouts on one machine do not share a server.
set -euo pipefail

cluster=${CECOT_PG_CLUSTER:-main}
port=${CECOT_PG_PORT:-5432}
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version $cluster "; then
    pg_createcluster -p "$port" "$version" "$cluster" >/dev/null
fi
port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c {print $3}')
pg_ctlcluster "$version" "$cluster" start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
    pg_isready -q -h localhost -p "$port" && break
    sleep 1
done
psql_as_postgres() {
    su postgres -c "psql -q -h localhost -p $port $1" 2>/dev/null || su postgres -c "psql -q -p $port $1"
}
psql_as_postgres "-c \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cecot') THEN CREATE ROLE cecot LOGIN PASSWORD 'cecot'; END IF; END\\\$\\\$\"" >/dev/null
psql_as_postgres "-tc \"SELECT 1 FROM pg_database WHERE datname = 'cecot_test'\"" | grep -q 1 \
    || su postgres -c "createdb -p $port -O cecot cecot_test"
echo "postgresql://cecot:cecot@localhost:$port/cecot_test"
