# Sourced by scripts/servers/*.sh. A server that cannot bind its port must not look started: a
# stale server or a second suite's would answer the tests instead. up() checks its ports first and
# stops with the port named.
require_free_port() {
  local port
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "test-servers: port $port on 127.0.0.1 is in use (another suite's servers?): stop what" \
        "listens there, or choose another SECRETLESS_TEST_PORT_OFFSET" >&2
      return 1
    fi
  done
}
