#!/usr/bin/env bash
# HTTP benchmark, back to back in one run (timing belongs here, never in tests):
#   1. wrk straight to nginx (the upstream, returns a small body)
#   2. wrk to an nginx reverse proxy that injects an Authorization header (the peer)
#   3. wrk to the broker (./secretless broker) as a reverse proxy (generic_http, config.upstream)
#      injecting the same header
# Each: wrk -t2 -c32 -d10s --latency (override with WRK_ARGS). Prints req/s, p50, p99 and ratios.
#
#   bench/http.sh                 # uses the test nginx from /tmp/secretless-test/env.sh, else starts one
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
WRK_ARGS=${WRK_ARGS:--t2 -c32 -d10s}
TOKEN=bench-canary-token

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

# The upstream nginx (scripts/servers/40-nginx.sh): reuse the test servers' if running.
[ -f /tmp/secretless-test/env.sh ] && source /tmp/secretless-test/env.sh
export SECRETLESS_IT_NGINX_HTTP_PORT=${SECRETLESS_IT_NGINX_HTTP_PORT:-58080}
export SECRETLESS_IT_NGINX_PEER_PORT=${SECRETLESS_IT_NGINX_PEER_PORT:-58081}
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
cat > "$work/secretless.yml" <<YML
version: "2"
services:
  bench-api:
    connector: generic_http
    listenOn: tcp://127.0.0.1:$BROKER_PORT
    credentials:
      token: $TOKEN
    config:
      upstream: http://127.0.0.1:$direct
      headers:
        Authorization: "Bearer {{ .token }}"
YML
echo "bench: ./secretless broker -f $work/secretless.yml --no-admin" >&2
./secretless broker -f "$work/secretless.yml" --no-admin > "$work/broker.log" 2>&1 &
broker_pid=$!
cleanup() {
  kill "$broker_pid" 2>/dev/null || true
  if [ -n "${started_nginx:-}" ]; then (source scripts/servers/40-nginx.sh; down); fi
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 900); do
  curl -fs "http://127.0.0.1:$BROKER_PORT/" >/dev/null 2>&1 && break
  kill -0 "$broker_pid" 2>/dev/null || { cat "$work/broker.log" >&2; exit 1; }
  sleep 0.2
done
broker=$BROKER_PORT

check=$(curl -sS "http://127.0.0.1:$broker/" || true)
[ "$check" = "auth=Bearer $TOKEN" ] || { echo "bench: broker answered '$check'" >&2; exit 1; }

# JIT warm-up of the broker (not measured).
wrk -t2 -c32 -d5s "http://127.0.0.1:$broker/" >/dev/null

# CPU time (user+sys, clock ticks) of a set of processes, to compare the CPU each proxy spends per
# request: on a shared machine req/s depends on what else runs, CPU per request much less.
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
nginx_pids() { # every process holding the upstream's listening socket (nginx master and workers)
  ss -Hltnp "sport = :$direct" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | tr '\n' ' '
}
hz=$(getconf CLK_TCK)

run() { # name port pids... -> "rps p50 p99 cpu_us_per_req"
  local name=$1 port=$2; shift 2
  local before; before=$(ticks "$@")
  local out; out=$(wrk $WRK_ARGS --latency "http://127.0.0.1:$port/")
  local after; after=$(ticks "$@")
  local rps p50 p99 total
  rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  total=$(awk '/requests in/{print $1}' <<<"$out")
  if grep -q 'Non-2xx' <<<"$out"; then echo "bench: $name had non-2xx responses" >&2; fi
  echo "$rps $p50 $p99 $(awk -v t=$((after - before)) -v hz="$hz" -v n="$total" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}')"
}
read -r -a ngx <<<"$(nginx_pids)"
read -r d_rps d_p50 d_p99 d_cpu < <(run direct "$direct" "${ngx[@]}")
read -r p_rps p_p50 p_p99 p_cpu < <(run nginx-peer "$peer" "${ngx[@]}")
read -r b_rps b_p50 b_p99 b_cpu < <(run broker "$broker" "$broker_pid")

echo "wrk $WRK_ARGS --latency (small body; header injected by peer and broker)"
printf '%-22s %11s %9s %9s %10s %s\n' target req/s p50 p99 "vs direct" "CPU/request"
printf '%-22s %11s %9s %9s %10s %s\n' "direct nginx" "$d_rps" "$d_p50" "$d_p99" "1.00x" "${d_cpu} us (nginx)"
printf '%-22s %11s %9s %9s %10s %s\n' "nginx proxy (peer)" "$p_rps" "$p_p50" "$p_p99" \
  "$(awk -v a="$p_rps" -v b="$d_rps" 'BEGIN{printf "%.2fx", a/b}')" \
  "${p_cpu} us (nginx: proxy + upstream; proxy alone ~$(awk -v a="$p_cpu" -v b="$d_cpu" 'BEGIN{printf "%.1f", a-b}') us)"
printf '%-22s %11s %9s %9s %10s %s\n' "secretless broker" "$b_rps" "$b_p50" "$b_p99" \
  "$(awk -v a="$b_rps" -v b="$d_rps" 'BEGIN{printf "%.2fx", a/b}')" "${b_cpu} us (broker JVM)"
echo "broker / nginx peer (req/s): $(awk -v a="$b_rps" -v b="$p_rps" 'BEGIN{printf "%.2fx", a/b}')"
