#!/usr/bin/env bash
# Starts (installing if needed) Azurite's Blob and Table services from npm on loopback, with their data in a temp folder.
# Prints the connection string to use (only that goes to stdout): it names both endpoints (blobs for the blob stores,
# tables for the cluster's membership). Idempotent: reuses a running instance of either service.
set -euo pipefail
exec 3>&1 1>&2
cd "$(dirname "$0")/.."
port=${AZURITE_BLOB_PORT:-10000}
table_port=${AZURITE_TABLE_PORT:-10002}
# The well-known development account of the Azure Storage emulators (public, not a secret).
key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"
# Bash's /dev/tcp: no curl needed on a fresh machine.
up() { (exec 4<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if up "$port" && up "$table_port"; then
  echo "$conn" >&3
  exit 0
fi
tools=.ci/.tools
if [ ! -x "$tools/node_modules/.bin/azurite-blob" ] || [ ! -x "$tools/node_modules/.bin/azurite-table" ]; then
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" azurite@3.37.0 >/dev/null
fi
dir=$(mktemp -d /tmp/azurite.XXXXXX)
# --skipApiVersionCheck: the Azure SDK sends a newer service version than Azurite knows.
if ! up "$port"; then
  nohup "$tools/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" --location "$dir" \
    --skipApiVersionCheck --loose --silent >"$dir/azurite.log" 2>&1 3>&- &
fi
if ! up "$table_port"; then
  nohup "$tools/node_modules/.bin/azurite-table" --tableHost 127.0.0.1 --tablePort "$table_port" --location "$dir" \
    --skipApiVersionCheck --loose --silent >"$dir/azurite-table.log" 2>&1 3>&- &
fi
for i in $(seq 1 60); do
  up "$port" && up "$table_port" && break
  sleep 0.5
done
up "$port" || { echo "Azurite's Blob service did not start; see $dir/azurite.log"; exit 1; }
up "$table_port" || { echo "Azurite's Table service did not start; see $dir/azurite-table.log"; exit 1; }
echo "$conn" >&3
