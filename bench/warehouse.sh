#!/usr/bin/env bash
# Warehouse benchmark (not a test): concurrent clients retrieving credentials over the API with the
# audit log on (every read is a token check, an RBAC check, an envelope decryption, an access-count
# update and a hash-chained audit record committed before the answer), then concurrent writers; on
# SQLite and on PostgreSQL. The load generator is wrk (bench/warehouse.lua), which costs the shared
# CPUs far less than a JVM client. Per phase it prints req/s, p50/p90/p99, errors and the server's
# CPU time and bytes written to storage per request (utime+stime and write_bytes of the server JVM
# from /proc, over the phase).
#   bench/warehouse.sh [CLIENTS] [SECONDS]        (default 16 clients, 10 s per measured phase)
# Environment:
#   WARMUP=30        seconds of read load (and a third of it of health and write load) before the
#                    measured phases: on 2 busy cores the JIT compiler threads still take ~40 % of
#                    the server's CPU 25-45 s into a run, and the first runs are slower
#   STORES="sqlite postgresql"   which stores to run, in order; "sqlite-normal" is SQLite started
#                    with --sqlite-synchronous normal (WAL survives a process crash, but the last
#                    commits may be lost on power loss: NOT the default, label its figures so)
#   THREADS=2        wrk threads
#   IN_PROCESS=1     instead of the HTTP phases, run the read path below HTTP in one JVM
#                    (io.secretless.warehouse.ReadPathBench: CLIENTS virtual threads calling
#                    Warehouse.secret, WARMUP s then SECONDS s; prints reads/s, p50/p99 and the
#                    JVM's CPU per read), for each store
#   WAREHOUSE_SERVER_OPTS  extra JVM options for the server, e.g. a JFR recording:
#                    WAREHOUSE_SERVER_OPTS=-XX:StartFlightRecording=duration=60s,filename=/tmp/wh.jfr
# PostgreSQL: uses the test server from /tmp/secretless-test/env.sh (run ./run-tests or
# scripts/test-servers.sh up first); skipped with a note when it is not there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
clients=${1:-16}
seconds=${2:-10}
warmup=${WARMUP:-30}
threads=${THREADS:-2}
stores=${STORES:-sqlite postgresql}
if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null ||
    { echo "bench/warehouse.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
fi
JAVA_HOME=$("$root/scripts/java-home.sh")
export JAVA_HOME
# As ./secretless starts the server (serial collector, Netty's leak detector off), with a bounded heap.
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled -Xmx512m)
work=$(mktemp -d /tmp/warehouse-bench.XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$root" && mvn -B -q -pl warehouse -am compile dependency:build-classpath \
  -Dmdep.outputFile="$work/cp" -Dmdep.includeScope=runtime -Dspotless.apply.skip=true >/dev/null)
cp="$root/warehouse/target/classes:$(cat "$work/cp")"
if [ -n "${IN_PROCESS:-}" ]; then
  (cd "$root" && mvn -B -q -pl warehouse -am test-compile -Dspotless.apply.skip=true >/dev/null)
  cp="$root/warehouse/target/test-classes:$cp"
fi
# Quiet logging for the server: a logback.xml at WARN (without one logback logs at DEBUG, which
# costs ~10x the CPU per request).
mkdir -p "$work/conf"
cat > "$work/conf/logback.xml" <<'XML'
<configuration><appender name="E" class="ch.qos.logback.core.ConsoleAppender"><target>System.err</target>
<encoder><pattern>%d{HH:mm:ss} %-5level %logger{20} - %msg%n</pattern></encoder></appender>
<root level="WARN"><appender-ref ref="E"/></root></configuration>
XML
logback=$(find ~/.m2/repository/ch/qos/logback -name 'logback-c*-1.5.21.jar' | tr '\n' ':')
cp="$work/conf:$logback$cp"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Bytes the server process had written to storage (the WAL and database files, with their fsyncs).
disk_bytes() { awk '/^write_bytes/ {print $2}' "/proc/$1/io"; }
# CPU ticks of the JIT compiler threads (C1/C2) of process $1: reported apart, as JIT work is a
# warm-up cost, not a per-request one. Compiler threads that exit within a phase are missed.
jit_ticks() {
  local t sum=0
  for t in /proc/"$1"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in C1\ Compiler*|C2\ Compiler*)
      sum=$((sum + $(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}'))) ;;
    esac
  done
  echo "$sum"
}

# phase LABEL MODE SECONDS [quiet]: one wrk run against the server; prints one line unless quiet.
phase() {
  local label=$1 mode=$2 secs=$3 quiet=${4:-}
  local before after jit_before jit_after disk_before disk_after out
  before=$(cpu_ticks "$server_pid")
  disk_before=$(disk_bytes "$server_pid")
  jit_before=$(jit_ticks "$server_pid")
  out=$(WH_MODE=$mode WH_TOKEN=$token WH_RUN="$mode-$RANDOM$RANDOM" \
    /usr/bin/time -f "WRKCPU %U %S" wrk -t"$threads" -c"$clients" -d"${secs}s" --timeout 5s \
    -s "$root/bench/warehouse.lua" "$base" 2>&1)
  after=$(cpu_ticks "$server_pid")
  jit_after=$(jit_ticks "$server_pid")
  disk_after=$(disk_bytes "$server_pid")
  [ -n "$quiet" ] && return 0
  python3 - "$label" "$mode" "$clients" "$((after - before))" "$(getconf CLK_TCK)" "$((jit_after - jit_before))" "$((disk_after - disk_before))" <<PY
import re, sys
label, mode, clients, ticks, hz, jit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
disk = int(sys.argv[7])
out = """$out"""
r = dict(re.findall(r"(\w+)=(\d+)", re.search(r"RESULT (.*)", out).group(1)))
u, s = map(float, re.search(r"WRKCPU (\S+) (\S+)", out).group(1, 2))
n, dur = int(r["requests"]), int(r["duration_us"]) / 1e6
cpu = ticks / hz
print(f"{label:14} {mode:6} clients={clients} {n / dur:8.0f} req/s  p50={int(r['p50_us'])/1000:6.2f} ms"
      f"  p90={int(r['p90_us'])/1000:6.2f} ms  p99={int(r['p99_us'])/1000:7.2f} ms  errors={r['errors']}"
      f"  server_cpu={100 * cpu / dur:4.0f}%  server_us/req={1e6 * cpu / max(n, 1):5.0f}"
      f" (JIT {1e6 * jit / hz / max(n, 1):4.0f})"
      f"  wrk_us/req={1e6 * (u + s) / max(n, 1):4.0f}  disk_kb/req={disk / 1024 / max(n, 1):5.1f}")
PY
}

# in_process SYNC [JDBC-URL]: the read path without HTTP (ReadPathBench) on one store.
in_process() {
  # shellcheck disable=SC2086
  "${java[@]}" ${WAREHOUSE_SERVER_OPTS:-} -cp "$cp" io.secretless.warehouse.ReadPathBench \
    "$1" "$clients" "$warmup" "$seconds" ${2:+"$2"} 2>&1 | grep -v '^WARNING'
}

run_store() {
  local label=$1; shift
  if [ -n "${IN_PROCESS:-}" ]; then
    case $label in
      sqlite) in_process full ;;
      sqlite-normal) in_process normal ;;
      postgresql) in_process full "$2" ;;
    esac
    return 0
  fi
  local data="$work/$label"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  "${java[@]}" -cp "$cp" io.secretless.warehouse.WarehouseMain init --data-dir "$data" "$@" >/dev/null
  # shellcheck disable=SC2086
  "${java[@]}" ${WAREHOUSE_SERVER_OPTS:-} -cp "$cp" io.secretless.warehouse.WarehouseMain serve \
    --data-dir "$data" --listen "127.0.0.1:$port" "$@" >"$work/$label.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    curl -fsS "$base/v1/health" >/dev/null 2>&1 && break
    sleep 0.5
  done
  local id secret i
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_id"])' "$data/admin-client.json")
  secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_secret"])' "$data/admin-client.json")
  token=$(curl -fsS -u "$id:$secret" -d grant_type=client_credentials "$base/v1/oauth/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  for i in $(seq 0 19); do
    curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "{\"name\":\"bench-$i\",\"data\":{\"password\":\"pw-$i\"}}" "$base/v1/credentials"
  done
  echo "== $label ($(uptime | sed 's/.*load/load/'))"
  phase "$label" health $((warmup / 3 + 1)) quiet
  phase "$label" read "$warmup" quiet
  phase "$label" write $((warmup / 3 + 1)) quiet
  phase "$label" health "$seconds"
  phase "$label" read "$seconds"
  phase "$label" write "$seconds"
  echo "   (after: $(uptime | sed 's/.*load/load/'))"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=
}

# fsync latency of the disk under the data directory: with synchronous=FULL every group commit
# waits for one WAL fsync, and a read that arrives while a commit is in flight waits for the rest of
# that one and then its own: between 1 and 2 fsyncs of latency from the disk alone.
fsync_latency() {
  python3 - "$work" <<'PY'
import os, sys, time
path = os.path.join(sys.argv[1], "fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
lat = []
for _ in range(200):
    os.write(fd, b"x" * 4096)
    t = time.perf_counter()
    os.fsync(fd)
    lat.append(time.perf_counter() - t)
os.close(fd)
os.unlink(path)
lat.sort()
p50, p99 = lat[len(lat) // 2] * 1e3, lat[int(len(lat) * 0.99)] * 1e3
print(f"== fsync of 4 KiB under {sys.argv[1]}: p50 {p50:.2f} ms, p99 {p99:.2f} ms (200 writes):"
      f" synchronous=FULL commits at most ~{1000 / p50:.0f} batches/s and a FULL read waits 1-2"
      f" fsyncs (p50 >= ~{1.5 * p50:.1f} ms, p99 >= ~{p99 + p50:.1f} ms)")
PY
}
case " $stores " in *" sqlite "*) fsync_latency ;; esac

env_file=${SECRETLESS_TEST_STATE:-/tmp/secretless-test}/env.sh
for store in $stores; do
  case $store in
    sqlite) run_store sqlite ;;
    sqlite-normal) run_store sqlite-normal --sqlite-synchronous normal ;;
    postgresql)
      if [ ! -f "$env_file" ]; then
        echo "== postgresql: skipped ($env_file missing; start the test servers first)"
        continue
      fi
      # shellcheck disable=SC1090
      source "$env_file"
      db="warehouse_bench_$$"
      pg_url="jdbc:postgresql://$SECRETLESS_IT_PG_HOST:$SECRETLESS_IT_PG_PORT"
      psql_admin=(env PGPASSWORD="$SECRETLESS_IT_PG_ADMIN_PASSWORD" psql -h "$SECRETLESS_IT_PG_HOST" -p "$SECRETLESS_IT_PG_PORT" -U "$SECRETLESS_IT_PG_ADMIN_USER" -d postgres -q -v ON_ERROR_STOP=1)
      "${psql_admin[@]}" -c "CREATE DATABASE $db"
      run_store postgresql --database "$pg_url/$db?user=$SECRETLESS_IT_PG_ADMIN_USER&password=$SECRETLESS_IT_PG_ADMIN_PASSWORD"
      "${psql_admin[@]}" -c "DROP DATABASE $db WITH (FORCE)"
      ;;
    *) echo "unknown store $store (sqlite, sqlite-normal, postgresql)" >&2; exit 2 ;;
  esac
done
