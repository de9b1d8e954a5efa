#!/usr/bin/env bash
# HTTP benchmark, back to back in one run (timing belongs here, never in tests):
#   1. wrk straight to nginx (the upstream, returns a small body)
#   2. wrk to an nginx reverse proxy that injects an Authorization header (the peer)
#   3. wrk to the broker (./secretless broker) as a reverse proxy (generic_http, config.upstream)
#      injecting the same header
# Each: wrk -t2 -c32 -d10s --latency (override with WRK_ARGS). Prints req/s, p50, p99 and ratios.
#
#   bench/http.sh                 # uses the test nginx from /tmp/secretless-test/env.sh, else starts one
#   RUNS=3 bench/http.sh          # repeats the measurements, prints each run and the medians
#   BROKER_DIR=/tmp/new bench/http.sh # the broker of another checkout instead of this one
#   BASELINE=/tmp/old bench/http.sh   # also measures the broker of another checkout (e.g. made with
#                                 # `git archive COMMIT | tar -x -C /tmp/old`) right after this one's
# An nginx already described by SECRETLESS_IT_NGINX_* in the environment is used as is.
# SECRETLESS_JAVA_OPTS applies to this checkout's broker, BASELINE_JAVA_OPTS to the baseline's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
WRK_ARGS=${WRK_ARGS:--t2 -c32 -d10s}
RUNS=${RUNS:-1}
# wrk against each broker before measuring, not counted: C2 is still compiling the hot path after
# 10 s on this 2-core machine (its CPU counts in the broker JVM's CPU per request; measured: the
# first 10 s run after a 10 s warm-up cost 76 us/request, the next ones 59 us), hence 30 s.
WARMUP=${WARMUP:-30s}
BASELINE=${BASELINE:-}
BROKER_DIR=${BROKER_DIR:-$root}
TOKEN=bench-canary-token

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

# The upstream nginx (scripts/servers/40-nginx.sh): reuse the test servers' if running.
if [ -z "${SECRETLESS_IT_NGINX_PEER_PORT:-}" ] && [ -f /tmp/secretless-test/env.sh ]; then
  source /tmp/secretless-test/env.sh
fi
export SECRETLESS_IT_NGINX_HTTP_PORT=${SECRETLESS_IT_NGINX_HTTP_PORT:-28080}
export SECRETLESS_IT_NGINX_PEER_PORT=${SECRETLESS_IT_NGINX_PEER_PORT:-28081}
if ! curl -fs "http://127.0.0.1:$SECRETLESS_IT_NGINX_PEER_PORT/" >/dev/null; then
  echo "bench: starting nginx (scripts/servers/40-nginx.sh) under /tmp/secretless-bench" >&2
  export STATE=/tmp/secretless-bench ENV_FILE=/tmp/secretless-bench/env.sh TEST_USER=secretless-test
  mkdir -p "$STATE"; : > "$ENV_FILE"
  command -v nginx >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  (source scripts/servers/10-tls.sh; up)
  (source scripts/servers/40-nginx.sh; down; up)
  source "$ENV_FILE"
  started_nginx=1
fi
direct=$SECRETLESS_IT_NGINX_HTTP_PORT
peer=$SECRETLESS_IT_NGINX_PEER_PORT

# The broker as users run it: ./secretless broker -f FILE (builds the project on first use).
BROKER_PORT=${BROKER_PORT:-$((58090 + ${SECRETLESS_TEST_PORT_OFFSET:-0}))}
work=$(mktemp -d)
broker_pid= baseline_pid=
cleanup() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null || true
  [ -n "$baseline_pid" ] && kill "$baseline_pid" 2>/dev/null || true
  if [ -n "${started_nginx:-}" ]; then (source scripts/servers/40-nginx.sh; down); fi
  rm -rf "$work"
}
trap cleanup EXIT

start_broker() { # checkout port java-opts name -> prints the broker's pid once it answers
  local dir=$1 port=$2 opts=$3 name=$4
  cat > "$work/$name.yml" <<YML
version: "2"
services:
  bench-api:
    connector: generic_http
    listenOn: tcp://127.0.0.1:$port
    credentials:
      token: $TOKEN
    config:
      upstream: http://127.0.0.1:$direct
      headers:
        Authorization: "Bearer {{ .token }}"
YML
  echo "bench: $dir/secretless broker -f $work/$name.yml --no-admin" >&2
  SECRETLESS_JAVA_OPTS=$opts "$dir/secretless" broker -f "$work/$name.yml" --no-admin \
    > "$work/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 900); do
    curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log" >&2; exit 1; }
    sleep 0.2
  done
  local check; check=$(curl -sS "http://127.0.0.1:$port/" || true)
  [ "$check" = "auth=Bearer $TOKEN" ] || { echo "bench: $name answered '$check'" >&2; exit 1; }
  wrk -t2 -c32 -d"$WARMUP" "http://127.0.0.1:$port/" >/dev/null # JIT warm-up (not measured)
  echo "$pid"
}
broker=$BROKER_PORT
broker_pid=$(start_broker "$BROKER_DIR" "$broker" "${SECRETLESS_JAVA_OPTS:-}" broker)
[ -n "$broker_pid" ] || exit 1
if [ -n "$BASELINE" ]; then
  baseline=$((BROKER_PORT + 1))
  baseline_pid=$(start_broker "$BASELINE" "$baseline" "${BASELINE_JAVA_OPTS:-}" baseline)
  [ -n "$baseline_pid" ] || exit 1
fi

# CPU time (user+sys, clock ticks) of a set of processes, to compare the CPU each proxy spends per
# request: on a shared machine req/s depends on what else runs, CPU per request much less.
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
# The same, system time (stime) only: on loopback most of a proxy's CPU is the kernel's TCP path.
sys_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
nginx_pids() { # every process holding the upstream's listening socket (nginx master and workers)
  ss -Hltnp "sport = :$direct" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | tr '\n' ' '
}
hz=$(getconf CLK_TCK)

run() { # name port pids... -> "rps p50 p99 cpu_us_per_req sys_us_per_req"
  local name=$1 port=$2; shift 2
  local sys_before; sys_before=$(sys_ticks "$@")
  local before; before=$(ticks "$@")
  local out; out=$(wrk $WRK_ARGS --latency "http://127.0.0.1:$port/")
  local after; after=$(ticks "$@")
  local sys_after; sys_after=$(sys_ticks "$@")
  local rps p50 p99 total
  rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  total=$(awk '/requests in/{print $1}' <<<"$out")
  if grep -q 'Non-2xx' <<<"$out"; then echo "bench: $name had non-2xx responses" >&2; fi
  per_req() { awk -v t="$1" -v hz="$hz" -v n="$total" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}'; }
  echo "$rps $p50 $p99 $(per_req $((after - before))) $(per_req $((sys_after - sys_before)))"
}
read -r -a ngx <<<"$(nginx_pids)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2fx", a/b}'; }
median() { sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
row() { printf '%-22s %11s %9s %9s %10s %s\n' "$@"; }
: > "$work/runs"
for i in $(seq 1 "$RUNS"); do
  read -r d_rps d_p50 d_p99 d_cpu d_sys < <(run direct "$direct" "${ngx[@]}")
  read -r p_rps p_p50 p_p99 p_cpu p_sys < <(run nginx-peer "$peer" "${ngx[@]}")
  o_rps=0 o_cpu=0
  # With a baseline, the two brokers take turns at going first (order effects on a shared machine).
  if [ -n "$BASELINE" ] && [ $((i % 2)) -eq 0 ]; then
    read -r o_rps o_p50 o_p99 o_cpu o_sys < <(run baseline "$baseline" "$baseline_pid")
  fi
  read -r b_rps b_p50 b_p99 b_cpu b_sys < <(run broker "$broker" "$broker_pid")
  if [ -n "$BASELINE" ] && [ $((i % 2)) -eq 1 ]; then
    read -r o_rps o_p50 o_p99 o_cpu o_sys < <(run baseline "$baseline" "$baseline_pid")
  fi
  echo "run $i/$RUNS, wrk $WRK_ARGS --latency (small body; header injected by peer and broker), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  row target req/s p50 p99 "vs direct" "CPU/request"
  row "direct nginx" "$d_rps" "$d_p50" "$d_p99" "1.00x" "${d_cpu} us (nginx; system ${d_sys})"
  row "nginx proxy (peer)" "$p_rps" "$p_p50" "$p_p99" "$(ratio "$p_rps" "$d_rps")" \
    "${p_cpu} us (nginx: proxy + upstream; proxy alone ~$(awk -v a="$p_cpu" -v b="$d_cpu" 'BEGIN{printf "%.1f", a-b}') us, system ~$(awk -v a="$p_sys" -v b="$d_sys" 'BEGIN{printf "%.1f", a-b}'))"
  row "secretless broker" "$b_rps" "$b_p50" "$b_p99" "$(ratio "$b_rps" "$d_rps")" "${b_cpu} us (broker JVM; system ${b_sys})"
  if [ -n "$BASELINE" ]; then
    row "baseline broker" "$o_rps" "$o_p50" "$o_p99" "$(ratio "$o_rps" "$d_rps")" "${o_cpu} us (baseline JVM; system ${o_sys})"
  fi
  echo "broker / nginx peer (req/s): $(ratio "$b_rps" "$p_rps")"
  if [ -n "$BASELINE" ]; then echo "baseline / nginx peer (req/s): $(ratio "$o_rps" "$p_rps")"; fi
  echo "$d_rps $p_rps $b_rps $o_rps $(awk -v a="$p_cpu" -v b="$d_cpu" 'BEGIN{print a-b}') $b_cpu $o_cpu" >> "$work/runs"
done
if [ "$RUNS" -gt 1 ]; then
  col() { awk -v c="$1" '{print $c}' "$work/runs" | median; }
  echo "medians over $RUNS runs: direct $(col 1) req/s, peer $(col 2), broker $(col 3)$([ -n "$BASELINE" ] && echo ", baseline $(col 4)")"
  echo "median broker / peer (req/s): $(awk '{printf "%.3f\n", $3/$2}' "$work/runs" | median)x$([ -n "$BASELINE" ] && echo "; baseline / peer: $(awk '{printf "%.3f\n", $4/$2}' "$work/runs" | median)x")"
  echo "median CPU per request: nginx proxy part $(col 5) us, broker $(col 6) us$([ -n "$BASELINE" ] && echo ", baseline $(col 7) us")"
fi
