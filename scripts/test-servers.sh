#!/usr/bin/env bash
# Installs (Debian packages, when missing) and starts, or stops, the real servers the integration
# tests use, all on loopback on non-standard ports under one state directory.
#
#   scripts/test-servers.sh up     # then: source "$SECRETLESS_TEST_STATE/env.sh"
#   scripts/test-servers.sh down   # stops what `up` started, by PID
#
# SECRETLESS_TEST_PORT_OFFSET (default 0) shifts every port, so a second suite can run beside the
# first (e.g. a developer's servers and a clean-clone run); pick one that lands on no port of the
# first set (300 does; 1000 puts PostgreSQL on pgbouncer's 26432): a port in use stops `up`.
# The base ports (25432, 26432, 28080, 28443, 28081) lie below Linux's ephemeral range
# (32768-60999): a server there cannot find its port taken by some client's outgoing connection
# (or its TIME_WAIT), which made pgbouncer's bind fail after a benchmark's connection churn.
#
# Each scripts/servers/NAME.sh sets `packages` (Debian names) and defines `up` and `down`; `up`
# appends `export VAR=...` lines to "$ENV_FILE" for the tests. Servers that need a non-root user
# run as $TEST_USER.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export SECRETLESS_TEST_STATE=${SECRETLESS_TEST_STATE:-/tmp/secretless-test}
export STATE=$SECRETLESS_TEST_STATE
export ENV_FILE=$STATE/env.sh
export TEST_USER=secretless-test
action=${1:?usage: test-servers.sh up|down}

log() { echo "test-servers: $*" >&2; }
export -f log

servers=("$here"/servers/*.sh)

install_missing() {
  local wanted=() missing=()
  for f in "${servers[@]}"; do
    # shellcheck disable=SC1090
    wanted+=($(packages=(); source "$f"; echo "${packages[@]}"))
  done
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
      log "not root: install these packages first: ${missing[*]}"; exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    # Servers are started by our scripts only: keep Debian from starting its own instances.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
  fi
}

case "$action" in
  up)
    install_missing
    id -u "$TEST_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$TEST_USER"
    "$0" down >/dev/null 2>&1 || true
    rm -rf "$STATE"; mkdir -p "$STATE"; chmod 755 "$STATE"
    : > "$ENV_FILE"
    for f in "${servers[@]}"; do
      name=$(basename "$f" .sh)
      log "starting $name"
      ( source "$f"; up ) || { log "$name failed to start"; exit 1; }
    done
    log "ready; environment in $ENV_FILE"
    ;;
  down)
    for f in "${servers[@]}"; do
      ( source "$f"; down ) || true
    done
    ;;
  *) echo "usage: test-servers.sh up|down" >&2; exit 2 ;;
esac
