#!/usr/bin/env bash
# Runs every test of Cognate. Installs and starts what the tests need when it is missing,
# so it works the same on a fresh machine and on a developer's.
#   COGNATE_TEST_DATABASE_URL  use this PostgreSQL server instead of a local one
#   COGNATE_SKIP_POSTGRES=1    run only the SQLite pass
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== tests on the embedded SQLite store"
cargo test --workspace --locked
echo "== browser, interop and timing-sensitive tests, one at a time"
scripts/browser.sh
cargo test --locked -p cognate --test api -- --ignored --test-threads=1

if [ "${COGNATE_SKIP_POSTGRES:-}" = 1 ]; then
  echo "== PostgreSQL pass skipped (COGNATE_SKIP_POSTGRES=1)"
  exit 0
fi
url="${COGNATE_TEST_DATABASE_URL:-$(scripts/postgres.sh)}"
echo "== the store suite and the API tests again on PostgreSQL"
COGNATE_TEST_DATABASE_URL="$url" cargo test --locked -p cognate-store -p cognate
