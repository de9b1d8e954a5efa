#!/usr/bin/env bash
# Warehouse benchmark (not a test): concurrent clients retrieving credentials over the API with the
# audit log on (every read appends a hash-chained audit record), then concurrent writers; on SQLite
# and on PostgreSQL. Prints reads/s, p50/p99 and writes/s per store.
#   bench/warehouse.sh [CLIENTS] [SECONDS]        (default 16 clients, 10 s per phase)
# WAREHOUSE_SERVER_OPTS: extra JVM options for the server, e.g. a JFR recording:
#   WAREHOUSE_SERVER_OPTS=-XX:StartFlightRecording=duration=30s,filename=/tmp/wh.jfr
# PostgreSQL: uses the test server from /tmp/secretless-test/env.sh (run ./run-tests or
# scripts/test-servers.sh up first); skipped with a note when it is not there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
clients=${1:-16}
seconds=${2:-10}
JAVA_HOME=$("$root/scripts/java-home.sh")
export JAVA_HOME
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx512m)
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
# Quiet logging for the server: a logback.xml at WARN.
mkdir -p "$work/conf"
cat > "$work/conf/logback.xml" <<'XML'
<configuration><appender name="E" class="ch.qos.logback.core.ConsoleAppender"><target>System.err</target>
<encoder><pattern>%d{HH:mm:ss} %-5level %logger{20} - %msg%n</pattern></encoder></appender>
<root level="WARN"><appender-ref ref="E"/></root></configuration>
XML
logback=$(find ~/.m2/repository/ch/qos/logback -name 'logback-c*-1.5.21.jar' | tr '\n' ':')
cp="$work/conf:$logback$cp"

run_store() {
  local label=$1; shift
  local data="$work/$label"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "${java[@]}" -cp "$cp" io.secretless.warehouse.WarehouseMain init --data-dir "$data" "$@" >/dev/null
  # shellcheck disable=SC2086
  "${java[@]}" ${WAREHOUSE_SERVER_OPTS:-} -cp "$cp" io.secretless.warehouse.WarehouseMain serve --data-dir "$data" --listen "127.0.0.1:$port" "$@" \
    >"$work/$label.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break
    sleep 0.5
  done
  local id secret
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_id"])' "$data/admin-client.json")
  secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_secret"])' "$data/admin-client.json")
  echo "== $label"
  "$JAVA_HOME/bin/java" "$root/bench/WarehouseLoad.java" "http://127.0.0.1:$port" "$id" "$secret" "$clients" "$seconds"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=
}

run_store sqlite

env_file=${SECRETLESS_TEST_STATE:-/tmp/secretless-test}/env.sh
if [ -f "$env_file" ]; then
  # shellcheck disable=SC1090
  source "$env_file"
  db="warehouse_bench_$$"
  pg_url="jdbc:postgresql://$SECRETLESS_IT_PG_HOST:$SECRETLESS_IT_PG_PORT"
  psql_admin=(env PGPASSWORD="$SECRETLESS_IT_PG_ADMIN_PASSWORD" psql -h "$SECRETLESS_IT_PG_HOST" -p "$SECRETLESS_IT_PG_PORT" -U "$SECRETLESS_IT_PG_ADMIN_USER" -d postgres -q -v ON_ERROR_STOP=1)
  "${psql_admin[@]}" -c "CREATE DATABASE $db"
  run_store postgresql --database "$pg_url/$db?user=$SECRETLESS_IT_PG_ADMIN_USER&password=$SECRETLESS_IT_PG_ADMIN_PASSWORD"
  "${psql_admin[@]}" -c "DROP DATABASE $db WITH (FORCE)"
else
  echo "== postgresql: skipped ($env_file missing; start the test servers first)"
fi
