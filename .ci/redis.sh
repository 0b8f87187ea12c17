#!/usr/bin/env bash
# Starts (installing if needed) Debian's redis-server on loopback, with its data in a temp folder, for the cluster's
# Redis membership (aitrader silo --clustering redis). Prints the address to use as AITRADER_CLUSTER_CONNECTION_STRING
# (only that goes to stdout). Idempotent: reuses a server already answering on the port.
set -euo pipefail
exec 3>&1 1>&2
port=${REDIS_PORT:-6380}
addr="127.0.0.1:$port"
# Bash's /dev/tcp: no redis-cli or curl needed to see whether it answers.
up() { (exec 4<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
if up; then
  echo "$addr" >&3
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  # root here; sudo on a CI runner
  sudo=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
fi
dir=$(mktemp -d /tmp/redis.XXXXXX)
# No persistence: the membership is rebuilt by the silos that start; loopback only.
redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no --daemonize yes \
  --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" 3>&-
for i in $(seq 1 40); do
  up && break
  sleep 0.25
done
up || { echo "redis-server did not start; see $dir/redis.log"; exit 1; }
echo "$addr" >&3
