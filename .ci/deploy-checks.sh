#!/usr/bin/env bash
# Checks the deployment files offline, since no GitHub runner, Docker engine or systemd is reachable from here:
# - .github/workflows/*.yml against the GitHub workflow JSON schema (SchemaStore's github-workflow.json, built into
#   @action-validator/cli from npm; it also checks that `paths` globs match files);
# - Dockerfile with dockerfile-utils' linter (npm): instructions, arguments, ports, HEALTHCHECK;
# - deploy/systemd/*.service with systemd-analyze verify, where systemd is installed.
# Prints one line per file checked; exits 1 if any is invalid.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=.ci/.tools
validator="$tools/node_modules/.bin/action-validator"
dockerlint="$tools/node_modules/.bin/dockerfile-utils"
if [ ! -x "$validator" ] || [ ! -x "$dockerlint" ]; then
  command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" @action-validator/cli@0.6.0 dockerfile-utils@0.16.3 >/dev/null \
    || { echo "could not install @action-validator/cli and dockerfile-utils from npm"; exit 1; }
fi

status=0
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
[ ${#workflows[@]} -gt 0 ] || { echo "no workflow files under .github/workflows"; exit 1; }
for f in "${workflows[@]}"; do
  if "$validator" "$f"; then echo "valid: $f"; else echo "invalid: $f (schema errors above)"; status=1; fi
done

if "$dockerlint" lint Dockerfile; then echo "valid: Dockerfile"; else echo "invalid: Dockerfile (lint errors above)"; status=1; fi

if command -v systemd-analyze >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for f in deploy/systemd/*.service; do
    # The unit runs /opt/aitrader/aitrader, which is not installed here: verify a copy that starts /bin/true instead.
    sed 's|^ExecStart=/opt/aitrader/aitrader|ExecStart=/bin/true|' "$f" > "$tmp/$(basename "$f")"
    if systemd-analyze verify "$tmp/$(basename "$f")"; then echo "valid: $f"; else echo "invalid: $f (systemd-analyze above)"; status=1; fi
  done
else
  echo "not checked: deploy/systemd/*.service (systemd-analyze is not installed)"
fi
exit $status
