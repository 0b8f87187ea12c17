#!/usr/bin/env bash
# Starts (installing if needed) Azurite's Blob service from npm on loopback, with its data in a temp folder.
# Prints the connection string to use (only that goes to stdout). Idempotent: reuses a running instance.
set -euo pipefail
exec 3>&1 1>&2
cd "$(dirname "$0")/.."
port=${AZURITE_BLOB_PORT:-10000}
# The well-known development account of the Azure Storage emulators (public, not a secret).
key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1;"
# Bash's /dev/tcp: no curl needed on a fresh machine.
up() { (exec 4<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
if up; then
  echo "$conn" >&3
  exit 0
fi
tools=.ci/.tools
if [ ! -x "$tools/node_modules/.bin/azurite-blob" ]; then
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" azurite@3.37.0 >/dev/null
fi
dir=$(mktemp -d /tmp/azurite.XXXXXX)
# --skipApiVersionCheck: the Azure SDK sends a newer service version than Azurite knows.
nohup "$tools/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" --location "$dir" \
  --skipApiVersionCheck --loose --silent >"$dir/azurite.log" 2>&1 3>&- &
for i in $(seq 1 60); do
  up && break
  sleep 0.5
done
up || { echo "Azurite did not start; see $dir/azurite.log"; exit 1; }
echo "$conn" >&3
