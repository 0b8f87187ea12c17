#!/usr/bin/env bash
# Validates the GitHub Actions workflows offline against the workflow JSON schema (SchemaStore's github-workflow.json,
# built into @action-validator/cli from npm; it also checks that `paths` globs match files). No runner is reachable
# from here, so this is what stands between a typo in .github/workflows and a deploy that never runs.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=.ci/.tools
validator="$tools/node_modules/.bin/action-validator"
if [ ! -x "$validator" ]; then
  command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" @action-validator/cli@0.6.0 >/dev/null \
    || { echo "could not install @action-validator/cli from npm"; exit 1; }
fi
shopt -s nullglob
files=(.github/workflows/*.yml .github/workflows/*.yaml)
[ ${#files[@]} -gt 0 ] || { echo "no workflow files under .github/workflows"; exit 1; }
status=0
for f in "${files[@]}"; do
  if "$validator" "$f"; then
    echo "valid: $f"
  else
    echo "invalid: $f (schema errors above)"
    status=1
  fi
done
exit $status
