# PostgreSQL on 127.0.0.1:25432 (and a unix socket), TLS on, one user per auth method.
source "$(dirname "${BASH_SOURCE[0]}")/../ports.sh"
packages=(postgresql postgresql-client)
PG_PORT=$((25432 + ${SECRETLESS_TEST_PORT_OFFSET:-0}))
pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }
as_test_user() { runuser -u "$TEST_USER" -- "$@"; }

up() {
  require_free_port "$PG_PORT" || return 1
  local bin; bin=$(pg_bin)
  local d=$STATE/pg
  mkdir -p "$d/sock"; chown -R "$TEST_USER" "$d"
  as_test_user "$bin/initdb" -D "$d/data" -U postgres --auth=trust -E UTF8 >/dev/null
  cp "$STATE/tls/server.crt" "$STATE/tls/server.key" "$STATE/tls/ca.crt" "$d/data/"
  chown "$TEST_USER" "$d/data"/*.crt "$d/data"/*.key; chmod 600 "$d/data/server.key"
  cat >> "$d/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1,::1'
port = $PG_PORT
unix_socket_directories = '$d/sock'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
ssl_ca_file = 'ca.crt'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
CONF
  cat > "$d/data/pg_hba.conf" <<HBA
local     all  all                             trust
hostssl   all  ssl_only_user   127.0.0.1/32    scram-sha-256
hostssl   all  ssl_only_user   ::1/128         scram-sha-256
host      all  ssl_only_user   all             reject
host      all  md5_user        127.0.0.1/32    md5
host      all  md5_user        ::1/128         md5
host      all  cleartext_user  127.0.0.1/32    password
host      all  cleartext_user  ::1/128         password
host      all  trust_user      127.0.0.1/32    trust
host      all  all             127.0.0.1/32    scram-sha-256
host      all  all             ::1/128         scram-sha-256
HBA
  as_test_user "$bin/pg_ctl" -D "$d/data" -l "$d/postgres.log" -w -t 60 start >/dev/null
  local psql=("$bin/psql" -h "$d/sock" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q)
  as_test_user "${psql[@]}" -d postgres <<SQL
SET password_encryption = 'scram-sha-256';
CREATE ROLE scram_user LOGIN PASSWORD 'Scram-Canary-7f3a9';
CREATE ROLE ssl_only_user LOGIN PASSWORD 'Ssl-Canary-51bd0';
CREATE ROLE cleartext_user LOGIN PASSWORD 'Clear-Canary-c04e2';
CREATE ROLE trust_user LOGIN;
CREATE ROLE admin_user LOGIN SUPERUSER CREATEROLE PASSWORD 'Admin-Canary-99e1d';
SET password_encryption = 'md5';
CREATE ROLE md5_user LOGIN PASSWORD 'Md5-Canary-2b8c6';
CREATE DATABASE appdb;
GRANT ALL ON DATABASE appdb TO PUBLIC;
\c appdb
GRANT ALL ON SCHEMA public TO PUBLIC;
SQL
  cat >> "$ENV_FILE" <<ENV
export SECRETLESS_IT_PG_BIN=$bin
export SECRETLESS_IT_PG_HOST=127.0.0.1
export SECRETLESS_IT_PG_PORT=$PG_PORT
export SECRETLESS_IT_PG_SOCKET_DIR=$d/sock
export SECRETLESS_IT_PG_DATABASE=appdb
export SECRETLESS_IT_PG_SUPERUSER=postgres
export SECRETLESS_IT_PG_SCRAM_USER=scram_user
export SECRETLESS_IT_PG_SCRAM_PASSWORD=Scram-Canary-7f3a9
export SECRETLESS_IT_PG_MD5_USER=md5_user
export SECRETLESS_IT_PG_MD5_PASSWORD=Md5-Canary-2b8c6
export SECRETLESS_IT_PG_CLEARTEXT_USER=cleartext_user
export SECRETLESS_IT_PG_CLEARTEXT_PASSWORD=Clear-Canary-c04e2
export SECRETLESS_IT_PG_SSL_ONLY_USER=ssl_only_user
export SECRETLESS_IT_PG_SSL_ONLY_PASSWORD=Ssl-Canary-51bd0
export SECRETLESS_IT_PG_TRUST_USER=trust_user
export SECRETLESS_IT_PG_ADMIN_USER=admin_user
export SECRETLESS_IT_PG_ADMIN_PASSWORD=Admin-Canary-99e1d
ENV
}

down() {
  local d=$STATE/pg
  [ -f "$d/data/postmaster.pid" ] || return 0
  runuser -u "$TEST_USER" -- "$(pg_bin)/pg_ctl" -D "$d/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
    || kill "$(head -n 1 "$d/data/postmaster.pid")" 2>/dev/null || true
}
