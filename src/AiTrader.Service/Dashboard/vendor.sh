#!/usr/bin/env bash
# Re-vendors the dashboard's browser libraries from the versions package-lock.json pins:
# installs them with npm ci and copies each standalone production build and its licence into wwwroot/assets/vendor/.
# The copies are committed; `dotnet build` embeds them and needs no npm.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
mkdir -p wwwroot/assets/vendor
cp node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js wwwroot/assets/vendor/lightweight-charts.standalone.production.js
cp node_modules/lightweight-charts/LICENSE wwwroot/assets/vendor/lightweight-charts.LICENSE.txt
version=$(node -p "require('./node_modules/lightweight-charts/package.json').version")
printf 'lightweight-charts %s (TradingView, Apache-2.0): dist/lightweight-charts.standalone.production.js and LICENSE\n' "$version" > wwwroot/assets/vendor/VERSIONS.txt
rm -rf node_modules
echo "vendored lightweight-charts $version into wwwroot/assets/vendor/"
