#!/usr/bin/env bash
# PostgreSQL benchmark, back to back in one run (timing belongs here, never in tests):
#   pgbench -S  (select-only)                 direct / via pgbouncer / via the broker
#   pgbench -S -C (new connection per txn)    direct / via pgbouncer / via the broker
# Backend TLS on everywhere (sslmode=require to PostgreSQL); pgbouncer (session pool) and the
# broker both do the server login themselves (scram_user, SCRAM-SHA-256). Then the broker's RSS
# with 1,000 idle client connections (logged in through the broker to pgbouncer, which holds them
# without server connections).
#
#   bench/pg.sh          # needs the test servers: scripts/test-servers.sh up (or ./run-tests)
#   PGB_ARGS="-c 8 -j 2 -T 10" IDLE=1000 WARM_C=30 bench/pg.sh
#   BASELINE=/tmp/old bench/pg.sh   # also measures the broker of another checkout (e.g. made with
#                                   # git archive main | tar -x -C /tmp/old), right after this one
#                                   # in each mode, same config, own ports; BASELINE_JAVA_OPTS for it
#   SECRETLESS_TEST_STATE=/tmp/st300 bench/pg.sh   # the test servers started with that state dir
#                                   # (default /tmp/secretless-test), e.g. beside a running suite
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PGB_ARGS=${PGB_ARGS:--c 8 -j 2 -T 10}
IDLE=${IDLE:-1000}
BASELINE=${BASELINE:-}
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

state=${SECRETLESS_TEST_STATE:-/tmp/secretless-test}
[ -f "$state/env.sh" ] || {
  echo "bench: no test servers in $state; run scripts/test-servers.sh up (or ./run-tests) first" >&2; exit 1; }
source "$state/env.sh"
bin=$SECRETLESS_IT_PG_BIN
pg_port=$SECRETLESS_IT_PG_PORT
user=$SECRETLESS_IT_PG_SCRAM_USER
export BENCH_PG_PASSWORD=$SECRETLESS_IT_PG_SCRAM_PASSWORD
work=$(mktemp -d /tmp/secretless-bench-pg.XXXXXX)
chmod 755 "$work"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# pgbouncer: the test servers' (scripts/servers/30-pgbouncer.sh) if running, else our own.
pgb_port=${SECRETLESS_IT_PGBOUNCER_PORT:-}
if [ -z "$pgb_port" ] || ! PGCONNECT_TIMEOUT=3 "$bin/psql" "host=127.0.0.1 port=$pgb_port user=$user dbname=postgres sslmode=disable" -Atc 'select 1' >/dev/null 2>&1; then
  command -v pgbouncer >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
  pgb_port=$(free_port)
  echo "bench: starting pgbouncer on $pgb_port under $work" >&2
  mkdir -p "$work/tls"; cp "$SECRETLESS_IT_TLS_DIR/ca.crt" "$work/tls/"
  (export STATE=$work ENV_FILE=$work/env.sh TEST_USER=secretless-test PGBOUNCER_PORT=$pgb_port PGBOUNCER_PG_PORT=$pg_port
   source scripts/servers/30-pgbouncer.sh; up)
  own_pgbouncer=1
fi

# A pgbench database (scale 1) the test user may read.
source "$root/bench/benchdb.sh"
ensure_benchdb

# The broker, from the CLI, with two services: pg-bench (-> PostgreSQL) and pg-idle (-> pgbouncer).
b_port=$(free_port); i_port=$(free_port); a_port=$(free_port)
cat > "$work/secretless.yml" <<YML
version: "2"
services:
  pg-bench:
    connector: pg
    listenOn: tcp://127.0.0.1:$b_port
    credentials:
      host: 127.0.0.1
      port: $pg_port
      username: $user
      password: { from: env, get: BENCH_PG_PASSWORD }
      sslmode: require
  pg-idle:
    connector: pg
    listenOn: tcp://127.0.0.1:$i_port
    credentials:
      host: 127.0.0.1
      port: $pgb_port
      username: $user
      sslmode: disable
YML
echo "bench: starting ./secretless broker -f $work/secretless.yml" >&2
./secretless broker -f "$work/secretless.yml" --admin-address "127.0.0.1:$a_port" > "$work/broker.log" 2>&1 &
broker_pid=$!
cleanup() {
  kill "$broker_pid" ${baseline_pid:-} 2>/dev/null || true
  wait "$broker_pid" ${baseline_pid:-} 2>/dev/null || true
  if [ -n "${own_pgbouncer:-}" ]; then (export STATE=$work; source scripts/servers/30-pgbouncer.sh; down); fi
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$a_port/ready" >/dev/null 2>&1 && break
  kill -0 "$broker_pid" 2>/dev/null || { echo "bench: broker exited" >&2; cat "$work/broker.log" >&2; exit 1; }
  sleep 0.5
done
curl -fs "http://127.0.0.1:$a_port/ready" >/dev/null || { echo "bench: broker not ready" >&2; exit 1; }
java_pid=$(pgrep -P "$broker_pid" java || echo "$broker_pid")

# The baseline broker (BASELINE=DIR): same services on its own ports.
if [ -n "$BASELINE" ]; then
  bb_port=$(free_port); ba_port=$(free_port)
  sed -e "s#127.0.0.1:$b_port#127.0.0.1:$bb_port#" -e "/^  pg-idle:/,\$d" "$work/secretless.yml" > "$work/baseline.yml"
  echo "bench: starting $BASELINE/secretless broker -f $work/baseline.yml" >&2
  SECRETLESS_JAVA_OPTS=${BASELINE_JAVA_OPTS:-} "$BASELINE/secretless" broker -f "$work/baseline.yml" \
    --admin-address "127.0.0.1:$ba_port" > "$work/baseline.log" 2>&1 &
  baseline_pid=$!
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$ba_port/ready" >/dev/null 2>&1 && break
    kill -0 "$baseline_pid" 2>/dev/null || { echo "bench: baseline exited" >&2; cat "$work/baseline.log" >&2; exit 1; }
    sleep 0.5
  done
  baseline_java=$(pgrep -P "$baseline_pid" java || echo "$baseline_pid")
fi

pgb() { # host port user extra-args... -> tps (full output in $work/pgbench.out)
  local out
  out=$("$bin/pgbench" -n -S $PGB_ARGS "${@:4}" -h "$1" -p "$2" -U "$3" benchdb 2>&1) || {
    echo "bench: pgbench failed: $out" >&2; echo 0; return; }
  printf '%s\n' "$out" > "$work/pgbench.out"
  awk '/^tps/ {print $3; exit}' <<<"$out"
}
# A broker's CPU time (utime+stime, clock ticks) from /proc.
ticks() { awk '{print $14 + $15}' "/proc/${1:-$java_pid}/stat"; }
hz=$(getconf CLK_TCK)
direct() { PGSSLMODE=require PGPASSWORD=$BENCH_PG_PASSWORD pgb 127.0.0.1 "$pg_port" "$user" "$@"; }
bouncer() { PGSSLMODE=disable pgb 127.0.0.1 "$pgb_port" "$user" "$@"; }
broker() { PGSSLMODE=disable pgb 127.0.0.1 "$b_port" app "$@"; }
baseline() { PGSSLMODE=disable pgb 127.0.0.1 "$bb_port" app "$@"; }
txns() { awk '/number of transactions actually processed/ {print $6; exit}' "$work/pgbench.out"; }
per_txn() { awk -v t="$1" -v n="${2:-0}" -v hz="$hz" 'BEGIN{printf "%.1f us", (n>0)?t*1e6/hz/n:0}'; }

# JIT warm-up of the broker (not measured). The connect path (-C) takes longer: per-thread CPU
# from /proc showed C2 still compiling it after 10-20 s of -C load, settled after ~40 s.
PGB_ARGS="-c 8 -j 2 -T 10" broker >/dev/null
PGB_ARGS="-c 8 -j 2 -T ${WARM_C:-30}" broker -C >/dev/null
if [ -n "$BASELINE" ]; then
  PGB_ARGS="-c 8 -j 2 -T 10" baseline >/dev/null
  PGB_ARGS="-c 8 -j 2 -T ${WARM_C:-30}" baseline -C >/dev/null
fi

echo "pgbench -n -S $PGB_ARGS, backend TLS (sslmode=require), SCRAM-SHA-256; tps (load: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-22s %12s %12s %12s %16s %18s %16s\n' mode direct pgbouncer broker broker/direct broker/pgbouncer 'broker CPU/txn'
for mode in "" "-C"; do
  d=$(direct $mode); p=$(bouncer $mode)
  t0=$(ticks); b=$(broker $mode); t1=$(ticks)
  n=$(txns)
  printf '%-22s %12.0f %12.0f %12.0f %16s %18s %16s\n' "-S ${mode:-(persistent)}" "$d" "$p" "$b" \
    "$(awk -v a="$b" -v b="$d" 'BEGIN{printf "%.2fx", (b>0)?a/b:0}')" \
    "$(awk -v a="$b" -v b="$p" 'BEGIN{printf "%.2fx", (b>0)?a/b:0}')" \
    "$(per_txn "$((t1 - t0))" "$n")"
  if [ -n "$BASELINE" ]; then
    t0=$(ticks "$baseline_java"); o=$(baseline $mode); t1=$(ticks "$baseline_java")
    printf '%-22s %12s %12s %12.0f %16s %18s %16s\n' "  baseline" "" "" "$o" \
      "$(awk -v a="$o" -v b="$d" 'BEGIN{printf "%.2fx", (b>0)?a/b:0}')" \
      "$(awk -v a="$o" -v b="$p" 'BEGIN{printf "%.2fx", (b>0)?a/b:0}')" \
      "$(per_txn "$((t1 - t0))" "$(txns)")"
  fi
done
pooled=$(curl -fs "http://127.0.0.1:$a_port/metrics" | awk '/^secretless_pg_pool_reused_total\{service="pg-bench"/ {printf "%d", $2}')
echo "broker backend logins reused from its pool (all runs, warm-up included): ${pooled:-none (no pool)}"

# Broker RSS, idle and with $IDLE idle client connections (each logged in through the broker).
rss() { awk '/^VmRSS/ {print $2}' "/proc/$java_pid/status"; }
before=$(rss)
python3 - "$i_port" "$IDLE" "$java_pid" "$before" <<'PY'
import socket, struct, sys
port, n, pid, before = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
def startup():
    body = struct.pack(">i", 196608) + b"user\0app\0database\0benchdb\0\0"
    return struct.pack(">i", len(body) + 4) + body
held = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(startup())
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("connection %d closed during login: %r" % (i, buf[:200]))
        buf += chunk
        # stop at ReadyForQuery ('Z', length 5, status)
        if len(buf) >= 6 and buf[-6:-1] == b"Z\0\0\0\x05":
            break
        if buf[:1] == b"E":
            sys.exit("login failed: %r" % buf[:200])
    held.append(s)
rss = int([l.split()[1] for l in open("/proc/%s/status" % pid) if l.startswith("VmRSS")][0])
print("broker RSS: %d MiB idle after the runs, %d MiB with %d idle client connections (+%.1f KiB each)"
      % (before // 1024, rss // 1024, n, (rss - before) / max(n, 1)))
for s in held:
    s.close()
PY
