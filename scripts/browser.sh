#!/usr/bin/env bash
# Makes sure the browser tests can run: Debian's Chromium and the Node packages of tests/e2e.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "browser.sh: Chromium is not installed and this is not root: install Debian's 'chromium' package" >&2
    exit 1
  fi
  echo "browser.sh: installing Chromium" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi
if [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/openid-client ] \
   || [ ! -d tests/e2e/node_modules/amazon-cognito-identity-js ] \
   || [ ! -d tests/e2e/node_modules/aws-amplify ] || [ ! -d tests/e2e/node_modules/otplib ] \
   || [ ! -d tests/e2e/node_modules/oidc-provider ] || [ ! -d tests/e2e/node_modules/samlify ] \
   || [ ! -d tests/e2e/node_modules/axe-core ]; then
  echo "browser.sh: installing the Node packages of tests/e2e" >&2
  (cd tests/e2e && npm ci --no-audit --no-fund >&2)
fi
