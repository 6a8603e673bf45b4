#!/usr/bin/env bash
# Makes sure a local PostgreSQL server runs for the tests and prints its URL.
# Installs Debian's package when missing (as root), starts the first cluster, sets a password
# for the `postgres` role, and drops databases left by earlier test runs.
set -euo pipefail

PASSWORD=cognate
log() { echo "postgres.sh: $*" >&2; }

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL is not installed and this is not root: install the 'postgresql' package or set COGNATE_TEST_DATABASE_URL"
    exit 1
  fi
  log "installing PostgreSQL"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  log "creating cluster $version/main"
  pg_createcluster "$version" main >&2
fi
read -r version cluster port status _ < <(pg_lsclusters -h | head -1)
if [ "$status" != online ]; then
  log "starting cluster $version/$cluster on port $port"
  pg_ctlcluster "$version" "$cluster" start >&2
fi

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
for _ in $(seq 1 30); do
  as_postgres psql -p "$port" -qAtc "select 1" >/dev/null 2>&1 && break
  sleep 1
done
as_postgres psql -p "$port" -qc "ALTER USER postgres PASSWORD '$PASSWORD'" >&2
# Databases made by earlier test runs (tests create one each, named cognate_t_*).
as_postgres psql -p "$port" -qAtc "SELECT 'DROP DATABASE ' || quote_ident(datname) || ';' FROM pg_database WHERE datname LIKE 'cognate\_t\_%'" \
  | as_postgres psql -p "$port" -q >&2 || true

echo "postgres://postgres:$PASSWORD@127.0.0.1:$port/postgres"
