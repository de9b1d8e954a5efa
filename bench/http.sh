#!/usr/bin/env bash
# HTTP benchmark, back to back in one run (timing belongs here, never in tests):
#   1. wrk straight to nginx (the upstream, returns a small body)
#   2. wrk to an nginx reverse proxy that injects an Authorization header (the peer)
#   3. wrk to the broker as a reverse proxy (generic_http, config.upstream) injecting the same header
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

export JAVA_HOME=${JAVA_HOME:-$(scripts/java-home.sh)}
echo "bench: building" >&2
cp_file=$(mktemp)
mvn -B -q -pl connector-http -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$cp_file" > "$cp_file.log" 2>&1 || { cat "$cp_file.log" >&2; exit 1; }
rm -f "$cp_file.log"
cp="connector-http/target/test-classes:connector-http/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"

broker_out=$(mktemp)
"$JAVA_HOME/bin/java" -XX:+UseParallelGC -Xms256m -cp "$cp" io.secretless.http.BenchBroker \
  "http://127.0.0.1:$direct" "$TOKEN" > "$broker_out" 2>&1 &
broker_pid=$!
cleanup() {
  kill "$broker_pid" 2>/dev/null || true
  rm -f "$broker_out"
  if [ -n "${started_nginx:-}" ]; then (source scripts/servers/40-nginx.sh; down); fi
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  grep -q '^PORT ' "$broker_out" && break
  kill -0 "$broker_pid" 2>/dev/null || { cat "$broker_out" >&2; exit 1; }
  sleep 0.2
done
broker=$(awk '/^PORT /{print $2}' "$broker_out")
[ -n "$broker" ] || { echo "bench: broker did not start" >&2; cat "$broker_out" >&2; exit 1; }

check=$(curl -sS "http://127.0.0.1:$broker/" || true)
[ "$check" = "auth=Bearer $TOKEN" ] || { echo "bench: broker answered '$check'" >&2; exit 1; }

# JIT warm-up of the broker (not measured).
wrk -t2 -c32 -d5s "http://127.0.0.1:$broker/" >/dev/null

run() { # name port -> "rps p50 p99"
  local out; out=$(wrk $WRK_ARGS --latency "http://127.0.0.1:$2/")
  local rps p50 p99
  rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  if grep -q 'Non-2xx' <<<"$out"; then echo "bench: $1 had non-2xx responses" >&2; fi
  echo "$rps $p50 $p99"
}
read -r d_rps d_p50 d_p99 < <(run direct "$direct")
read -r p_rps p_p50 p_p99 < <(run nginx-peer "$peer")
read -r b_rps b_p50 b_p99 < <(run broker "$broker")

echo "wrk $WRK_ARGS --latency (small body; header injected by peer and broker)"
printf '%-28s %12s %10s %10s %14s\n' target req/s p50 p99 "vs direct"
printf '%-28s %12s %10s %10s %14s\n' "direct nginx" "$d_rps" "$d_p50" "$d_p99" "1.00x"
printf '%-28s %12s %10s %10s %14s\n' "nginx proxy (peer)" "$p_rps" "$p_p50" "$p_p99" "$(awk -v a="$p_rps" -v b="$d_rps" 'BEGIN{printf "%.2fx", a/b}')"
printf '%-28s %12s %10s %10s %14s\n' "secretless broker" "$b_rps" "$b_p50" "$b_p99" "$(awk -v a="$b_rps" -v b="$d_rps" 'BEGIN{printf "%.2fx", a/b}')"
echo "broker / nginx peer: $(awk -v a="$b_rps" -v b="$p_rps" 'BEGIN{printf "%.2fx", a/b}')"
