# pgbouncer on 127.0.0.1:26432 in front of the shared PostgreSQL (20-postgres.sh), session pool,
# pgbouncer doing the server login as scram_user over TLS (the peer the broker is compared with).
# Clients log in to pgbouncer without a password (auth_type trust, user must be in userlist.txt).
source "$(dirname "${BASH_SOURCE[0]}")/../ports.sh"
packages=(pgbouncer)
PGBOUNCER_PORT=${PGBOUNCER_PORT:-$((26432 + ${SECRETLESS_TEST_PORT_OFFSET:-0}))}
PGBOUNCER_PG_PORT=${PGBOUNCER_PG_PORT:-$((25432 + ${SECRETLESS_TEST_PORT_OFFSET:-0}))}

up() {
  require_free_port "$PGBOUNCER_PORT" || return 1
  local d=$STATE/pgbouncer
  mkdir -p "$d"
  cat > "$d/userlist.txt" <<USERS
"scram_user" ""
"app" ""
USERS
  cat > "$d/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PGBOUNCER_PG_PORT user=scram_user password=Scram-Canary-7f3a9

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $d/userlist.txt
pool_mode = session
max_client_conn = 2000
default_pool_size = 40
max_db_connections = 60
server_tls_sslmode = require
server_tls_ca_file = $STATE/tls/ca.crt
ignore_startup_parameters = extra_float_digits,options
logfile = $d/pgbouncer.log
pidfile = $d/pgbouncer.pid
log_connections = 0
log_disconnections = 0
INI
  chown -R "$TEST_USER" "$d"; chmod 600 "$d/pgbouncer.ini"
  # max_client_conn needs as many file descriptors; runuser leaves the soft limit at 1024, and a
  # pgbouncer out of them marks its server login as failing (bench/pg.sh holds 1,000 idle clients).
  runuser -u "$TEST_USER" -- sh -c 'ulimit -n 4096 && exec pgbouncer -d "$0"' "$d/pgbouncer.ini"
  for _ in $(seq 1 50); do
    [ -s "$d/pgbouncer.pid" ] && break
    sleep 0.1
  done
  [ -s "$d/pgbouncer.pid" ] || { echo "pgbouncer did not start; see $d/pgbouncer.log" >&2; return 1; }
  cat >> "$ENV_FILE" <<ENV
export SECRETLESS_IT_PGBOUNCER_HOST=127.0.0.1
export SECRETLESS_IT_PGBOUNCER_PORT=$PGBOUNCER_PORT
export SECRETLESS_IT_PGBOUNCER_USER=scram_user
ENV
}

down() {
  local pidfile=$STATE/pgbouncer/pgbouncer.pid
  [ -s "$pidfile" ] || return 0
  kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
}
