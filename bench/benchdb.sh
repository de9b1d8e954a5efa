# Sourced by the pg benchmarks: creates the pgbench database benchdb (scale 1, readable by every
# user) on the test PostgreSQL unless it exists. Needs the test servers' environment sourced.
ensure_benchdb() {
  local admin=("$SECRETLESS_IT_PG_BIN/psql" -h "$SECRETLESS_IT_PG_SOCKET_DIR" -p "$SECRETLESS_IT_PG_PORT"
    -U postgres -v ON_ERROR_STOP=1 -q)
  if [ "$("${admin[@]}" -d postgres -Atc "select count(*) from pg_database where datname='benchdb'")" = 0 ]; then
    echo "bench: creating benchdb (pgbench -i -s 1)" >&2
    "${admin[@]}" -d postgres -c 'CREATE DATABASE benchdb'
    "$SECRETLESS_IT_PG_BIN/pgbench" -h "$SECRETLESS_IT_PG_SOCKET_DIR" -p "$SECRETLESS_IT_PG_PORT" \
      -U postgres -i -s 1 -q benchdb >/dev/null 2>&1
    "${admin[@]}" -d benchdb -c 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC'
  fi
}
