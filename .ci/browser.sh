#!/usr/bin/env bash
# The dashboard's browser test (tests/browser/dashboard.mjs, run by DashboardBrowserTests): Debian's Chromium and
# playwright-core and axe-core at the versions tests/browser/package-lock.json pins. Idempotent; messages go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2
fi
if [ ! -f tests/browser/node_modules/playwright-core/package.json ] || [ ! -f tests/browser/node_modules/axe-core/package.json ]; then
  (cd tests/browser && npm ci --silent --no-audit --no-fund) >&2
fi
echo "browser test: $(/usr/bin/chromium --version 2>/dev/null | head -1), playwright-core $(node -p "require('./tests/browser/node_modules/playwright-core/package.json').version")" >&2
