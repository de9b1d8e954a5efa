#!/usr/bin/env bash
# What fetching the password from the warehouse costs a new connection, and what the value cache
# (SECRETLESS_WAREHOUSE_CACHE_TTL) gives back. Back to back in one run, each with a broker of its
# own, pgbench -n -S -C (a new connection per transaction) through the broker to the test
# PostgreSQL (sslmode=require, SCRAM-SHA-256, session pool on):
#   1. password: { from: env }                              (the peer: no fetch at all)
#   2. password: { from: warehouse }, no cache              (one audited warehouse read per connection)
#   3. password: { from: warehouse }, SECRETLESS_WAREHOUSE_CACHE_TTL=$TTL
# The warehouse is a fresh SQLite one (./secretless warehouse serve, synchronous=FULL) in a temp
# dir. Prints tps, the broker's and the warehouse's CPU per connection, and the warehouse reads.
#
#   bench/pg-warehouse.sh            # needs the test servers: scripts/test-servers.sh up
#   PGB_ARGS="-c 8 -j 2 -T 10" WARM=30 TTL=5m bench/pg-warehouse.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PGB_ARGS=${PGB_ARGS:--c 8 -j 2 -T 10}
WARM=${WARM:-30}
TTL=${TTL:-5m}
state=${SECRETLESS_TEST_STATE:-/tmp/secretless-test}
[ -f "$state/env.sh" ] || {
  echo "bench: no test servers in $state; run scripts/test-servers.sh up (or ./run-tests) first" >&2; exit 1; }
source "$state/env.sh"
source "$root/bench/benchdb.sh"
ensure_benchdb

work=$(mktemp -d /tmp/secretless-bench-pgw.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ready() { # url pid log
  for _ in $(seq 1 600); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; exit 1; }
    sleep 0.5
  done
  echo "bench: $1 never answered" >&2; exit 1
}
java_of() { ss -Hltnp "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }

# The warehouse, with the bench password stored as bench-db (read by its admin client).
w_port=$(free_port)
./secretless warehouse init --data-dir "$work/wh" >/dev/null
./secretless warehouse serve --data-dir "$work/wh" --listen "127.0.0.1:$w_port" > "$work/warehouse.log" 2>&1 &
pids+=($!)
ready "http://127.0.0.1:$w_port/v1/health" "$!" "$work/warehouse.log"
warehouse_java=$(java_of "$w_port")
export SECRETLESS_WAREHOUSE_URL=http://127.0.0.1:$w_port
export SECRETLESS_WAREHOUSE_CLIENT_FILE=$work/wh/admin-client.json
umask 077
printf '%s' "$SECRETLESS_IT_PG_SCRAM_PASSWORD" > "$work/password"
./secretless cred put bench-db -f "value=@$work/password" --data-dir "$work/wh" >/dev/null
rm -f "$work/password"
export BENCH_PG_PASSWORD=$SECRETLESS_IT_PG_SCRAM_PASSWORD

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
reads() { # the warehouse's access count of bench-db
  local tok
  tok=$(python3 - "$SECRETLESS_WAREHOUSE_CLIENT_FILE" "$SECRETLESS_WAREHOUSE_URL" <<'PY'
import base64, json, sys, urllib.request
c = json.load(open(sys.argv[1]))
auth = base64.b64encode((c["client_id"] + ":" + c["client_secret"]).encode()).decode()
req = urllib.request.Request(sys.argv[2] + "/v1/oauth/token", data=b"grant_type=client_credentials",
                             headers={"Authorization": "Basic " + auth})
print(json.load(urllib.request.urlopen(req))["access_token"])
PY
)
  # /v1/stats writes the node's access counts first (they are otherwise written once a second);
  # bench-db is the only credential of this warehouse.
  curl -fs -H "Authorization: Bearer $tok" "$SECRETLESS_WAREHOUSE_URL/v1/stats" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["total_accesses"])'
}

measure() { # name from ttl -> one table row
  local name=$1 from=$2 ttl=$3 port admin
  port=$(free_port); admin=$(free_port)
  cat > "$work/$name.yml" <<YML
version: "2"
services:
  pg-bench:
    connector: pg
    listenOn: tcp://127.0.0.1:$port
    credentials:
      host: 127.0.0.1
      port: $SECRETLESS_IT_PG_PORT
      username: $SECRETLESS_IT_PG_SCRAM_USER
      password: $from
      sslmode: require
YML
  SECRETLESS_WAREHOUSE_CACHE_TTL=$ttl ./secretless broker -f "$work/$name.yml" \
    --admin-address "127.0.0.1:$admin" > "$work/$name.log" 2>&1 &
  local pid=$!
  pids+=($pid)
  ready "http://127.0.0.1:$admin/ready" "$pid" "$work/$name.log"
  local java; java=$(java_of "$admin")
  pgb() { PGSSLMODE=disable "$SECRETLESS_IT_PG_BIN/pgbench" -n -S -C $1 -h 127.0.0.1 -p "$port" -U app benchdb 2>&1; }
  pgb "-c 8 -j 2 -T $WARM" >/dev/null # JIT warm-up of the connect path (not measured)
  local b0 w0 r0 out b1 w1 r1 n
  b0=$(ticks "$java"); w0=$(ticks "$warehouse_java"); r0=$(reads)
  out=$(pgb "$PGB_ARGS")
  b1=$(ticks "$java"); w1=$(ticks "$warehouse_java"); r1=$(reads)
  n=$(awk '/number of transactions actually processed/ {print $6; exit}' <<<"$out")
  kill "$java" 2>/dev/null || true
  awk -v name="$name" -v tps="$(awk '/^tps/ {print $3; exit}' <<<"$out")" -v n="$n" -v hz="$hz" \
    -v b=$((b1 - b0)) -v w=$((w1 - w0)) -v r=$((r1 - r0)) \
    'BEGIN{printf "%-34s %8.0f %14.0f %16.0f %14d\n", name, tps, b*1e6/hz/n, w*1e6/hz/n, r}'
  grep -q "failed transactions: 0 " <<<"$out" || echo "bench: $name had failed connections: $(grep -m1 failed <<<"$out")" >&2
}

echo "pgbench -n -S -C $PGB_ARGS through the broker (backend TLS, SCRAM, session pool), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %8s %14s %16s %14s\n' "password from" tps "broker us/conn" "warehouse us/conn" "warehouse reads"
measure "env (peer)" "{ from: env, get: BENCH_PG_PASSWORD }" 0
measure "warehouse, no cache" "{ from: warehouse, get: bench-db }" 0
measure "warehouse, cache ttl $TTL" "{ from: warehouse, get: bench-db }" "$TTL"
