#!/usr/bin/env bash
# Cognate benchmarks side by side with moto and cognito-local (see bench/README.md).
#
#   bench/run.sh               # everything except the 1,000,000-user part (~10 min)
#   bench/run.sh --million     # the same plus Cognate with 1,000,000 users (~3 min more)
#   bench/run.sh --million-only
#   bench/run.sh --report-only # re-render docs/benchmarks.md and the chart from results
#   bench/run.sh --servers cognate --concurrency 1,8 --seconds 1   # a short development run
#
# Installs its own dependencies (bench/.venv, bench/node_modules), builds Cognate and the load
# generator in release mode, runs the harness, and writes bench/results/latest.json,
# docs/benchmarks.md (between its bench:begin/end markers) and docs/benchmarks.svg.
set -euo pipefail
cd "$(dirname "$0")"
BENCH=$(pwd)
ROOT=$(cd .. && pwd)

report_only=false
for a in "$@"; do [[ $a == --report-only ]] && report_only=true; done

if ! $report_only; then
    # Peers: moto's server from PyPI, cognito-local from npm (versions pinned).
    if [[ ! -x .venv/bin/moto_server ]] || ! cmp -s requirements.txt .venv/.requirements; then
        echo "[bench] installing moto[server] into bench/.venv"
        python3 -m venv .venv
        .venv/bin/pip install --quiet -r requirements.txt
        cp requirements.txt .venv/.requirements
    fi
    if [[ ! -f node_modules/cognito-local/package.json ]]; then
        echo "[bench] installing cognito-local into bench/node_modules"
        npm ci --no-audit --no-fund --loglevel=error
    fi
    command -v node >/dev/null || { echo "node is required (cognito-local)" >&2; exit 1; }

    if [[ -z ${COGNATE_BIN:-} ]]; then
        echo "[bench] building Cognate (release)"
        (cd "$ROOT" && cargo build --release --locked -p cognate)
    fi
    echo "[bench] building the load generator (release)"
    (cd loadgen && cargo build --release --locked)
fi

exec python3 "$BENCH/harness.py" "$@"
