#!/usr/bin/env bash
# Runs every test of Cognate. Installs and starts what the tests need when it is missing,
# so it works the same on a fresh machine and on a developer's.
#   COGNATE_TEST_DATABASE_URL  use this PostgreSQL server instead of a local one
#   COGNATE_TEST_PG_CTL        the command that stops/starts/restarts that server (e.g.
#                              `pg_ctlcluster 15 main`), for the outage test; found for the
#                              local server, and the test is skipped (said so) without it
#   COGNATE_SKIP_POSTGRES=1    run only the SQLite pass
set -euo pipefail
cd "$(dirname "$0")/.."

# Real servers for the message tests and independent client libraries, from PyPI, in a
# virtual environment of their own: an SMTP server (aiosmtpd), an SNS-compatible one (moto's
# server, also its KMS), pycognito, pyotp and the AWS Encryption SDK.
tools=target/test-tools
if [ ! -x "$tools/bin/moto_server" ] || ! "$tools/bin/python" -c "import aiosmtpd, pycognito, pyotp, aws_encryption_sdk" 2>/dev/null; then
  echo "test.sh: installing scripts/test-tools.txt into $tools" >&2
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check -r scripts/test-tools.txt >&2
fi
export COGNATE_TEST_PYTHON="$PWD/$tools/bin/python"
export COGNATE_TEST_MOTO_SERVER="$PWD/$tools/bin/moto_server"

echo "== tests on the embedded SQLite store"
cargo test --workspace --locked
echo "== browser, interop and timing-sensitive tests, one at a time"
scripts/browser.sh
cargo test --locked -p cognate --test api -- --ignored --test-threads=1 \
  --skip two_nodes_survive_postgres_restarts

if [ "${COGNATE_SKIP_POSTGRES:-}" = 1 ]; then
  echo "== PostgreSQL pass skipped (COGNATE_SKIP_POSTGRES=1)"
  exit 0
fi
if [ -z "${COGNATE_TEST_DATABASE_URL:-}" ]; then
  url="$(scripts/postgres.sh)"
  if [ -z "${COGNATE_TEST_PG_CTL:-}" ]; then
    read -r version cluster _ < <(pg_lsclusters -h | head -1)
    COGNATE_TEST_PG_CTL="pg_ctlcluster $version $cluster"
  fi
else
  url="$COGNATE_TEST_DATABASE_URL"
fi
echo "== the store suite and the API tests again on PostgreSQL"
COGNATE_TEST_DATABASE_URL="$url" cargo test --locked -p cognate-store -p cognate
if [ -n "${COGNATE_TEST_PG_CTL:-}" ]; then
  echo "== two nodes through PostgreSQL restarts and a stop"
  COGNATE_TEST_DATABASE_URL="$url" COGNATE_TEST_PG_CTL="$COGNATE_TEST_PG_CTL" \
    cargo test --locked -p cognate --test api -- --ignored --exact \
    hardening::postgres_outage::two_nodes_survive_postgres_restarts_and_a_stop
else
  echo "== PostgreSQL outage test skipped: set COGNATE_TEST_PG_CTL to the command that controls $url's server"
fi
