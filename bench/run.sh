#!/usr/bin/env bash
# Cognate benchmarks side by side with moto and cognito-local (see bench/README.md).
#
#   bench/run.sh               # everything except the 1,000,000-user part (~10 min)
#   bench/run.sh --million     # the same plus Cognate with 1,000,000 users (~3 min more)
#   bench/run.sh --million-only
#   bench/run.sh --report-only # re-render docs/benchmarks.md and the chart from results
#   bench/run.sh --servers cognate --concurrency 1,8 --seconds 1   # a short development run
#   bench/run.sh --fakecloud   # first build fakecloud (once; later runs include it)
#
# Installs its own dependencies (bench/.venv, bench/node_modules), builds Cognate and the load
# generator in release mode, runs the harness, and writes bench/results/latest.json,
# docs/benchmarks.md (between its bench:begin/end markers) and docs/benchmarks.svg.
set -euo pipefail
cd "$(dirname "$0")"
BENCH=$(pwd)
ROOT=$(cd .. && pwd)

report_only=false
build_fakecloud=false
args=()
for a in "$@"; do
    case $a in
        --report-only) report_only=true; args+=("$a") ;;
        --fakecloud) build_fakecloud=true ;;   # ours, not the harness's
        *) args+=("$a") ;;
    esac
done

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
    # fakecloud: a long build (tens of minutes on 2 cores), so only on request; once built it
    # stays in bench/.fakecloud and every later run includes it.
    FAKECLOUD_VERSION=0.51.0
    if $build_fakecloud && [[ ! -x .fakecloud/bin/fakecloud ]]; then
        echo "[bench] building fakecloud $FAKECLOUD_VERSION into bench/.fakecloud (long)"
        cargo install fakecloud --version "$FAKECLOUD_VERSION" --locked \
            --root .fakecloud --target-dir .fakecloud/target
    fi

    if [[ -z ${COGNATE_BIN:-} ]]; then
        echo "[bench] building Cognate (release)"
        (cd "$ROOT" && cargo build --release --locked -p cognate)
    fi
    echo "[bench] building the load generator (release)"
    (cd loadgen && cargo build --release --locked)
fi

exec python3 "$BENCH/harness.py" ${args[@]+"${args[@]}"}
