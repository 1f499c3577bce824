#!/usr/bin/env bash
# Installs what bridgeline needs on this machine, and nothing when it is
# already there: node modules from package-lock.json and redis-server from the
# system package manager. `npm start`, `npm test` and `npm run bench` run it
# first, so a fresh clone needs no other step.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  say "Node $node_major found; bridgeline needs Node 20 or newer."
  exit 1
fi

# npm writes node_modules/.package-lock.json on every install; when it is
# older than package-lock.json the tree no longer matches the lock file.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  say "installing node modules from package-lock.json"
  npm ci --no-audit --no-fund
fi

redis_bin=${REDIS_SERVER_BIN:-redis-server}
if ! command -v "$redis_bin" >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "redis-server is missing and this is not a Debian-like system."
    say "Install Redis 7 with your package manager, or set REDIS_SERVER_BIN."
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    say "redis-server is missing; installing it needs root. Run:"
    say "  sudo apt-get update && sudo apt-get install -y redis-server"
    exit 1
  fi
  say "installing redis-server with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The package's own service is not wanted: bridgeline starts its own
  # redis-server. policy-rc.d keeps the install from starting it.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=1
  fi
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  if [ "$created_policy" -eq 1 ]; then rm -f "$policy"; fi
fi

# The chat page's browser test drives Debian's chromium with playwright-core.
# Only tests need it: `npm start` and `npm run bench` do not ask for it.
if [ "${npm_lifecycle_event:-}" = "pretest" ] && [ -z "${CHROMIUM_BIN:-}" ] &&
  ! command -v chromium >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
    say "chromium is missing; the chat page test needs it. Run:"
    say "  sudo apt-get update && sudo apt-get install -y chromium"
    say "or set CHROMIUM_BIN to a Chromium or Chrome binary."
    exit 1
  fi
  say "installing chromium with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
