# nginx as the HTTP upstream of the HTTP connector tests and benchmark, on loopback:
#   127.0.0.1:28080  plain HTTP, echoes what the broker injected
#   127.0.0.1:28443  the same over TLS (certificate from 10-tls.sh, CA $SECRETLESS_IT_TLS_DIR/ca.crt)
#   127.0.0.1:28081  the benchmark peer: nginx as a proxy to :28080 injecting an Authorization header
# Locations: /            -> "auth=<Authorization received>"
#            /args        -> "args=<query string received>"
#            /echo-header -> the Authorization header repeated in the X-Echo-Auth response header
#            /headers     -> Authorization, X-Api-Key, Proxy-Authorization, Host, X-Amz-*, as received
#            /only-token-2 -> 200 for "Bearer token-2", else 401 (OAuth2 retry tests)
#            /upload      -> reads the request body, answers its length
#            /big.bin     -> a 32 MiB random file (streaming and backpressure tests); its sha256
#                            is in $SECRETLESS_IT_NGINX_BIG_SHA256
source "$(dirname "${BASH_SOURCE[0]}")/../ports.sh"
packages=(nginx)
NGINX_HTTP_PORT=$((28080 + ${SECRETLESS_TEST_PORT_OFFSET:-0}))
NGINX_HTTPS_PORT=$((28443 + ${SECRETLESS_TEST_PORT_OFFSET:-0}))
NGINX_PEER_PORT=$((28081 + ${SECRETLESS_TEST_PORT_OFFSET:-0}))

up() {
  require_free_port "$NGINX_HTTP_PORT" "$NGINX_HTTPS_PORT" "$NGINX_PEER_PORT" || return 1
  local d=$STATE/nginx
  mkdir -p "$d/tmp" "$d/logs" "$d/www"
  chmod 777 "$d/tmp"
  head -c $((32 * 1024 * 1024)) /dev/urandom > "$d/www/big.bin"
  chmod 755 "$d/www"; chmod 644 "$d/www/big.bin"
  local locations
  locations=$(cat <<'LOC'
    default_type text/plain;
    location = / { return 200 "auth=$http_authorization\n"; }
    location = /args { return 200 "args=$args\n"; }
    location = /echo-header { add_header X-Echo-Auth $http_authorization; return 200 "ok\n"; }
    location = /headers {
      return 200 "auth=$http_authorization\napikey=$http_x_api_key\nproxyauth=$http_proxy_authorization\nhost=$host\nhosthdr=$http_host\namzdate=$http_x_amz_date\namztoken=$http_x_amz_security_token\namzsha=$http_x_amz_content_sha256\nctype=$content_type\n";
    }
    location = /only-token-2 {
      if ($http_authorization != "Bearer token-2") { return 401 "unauthorized\n"; }
      return 200 "auth=$http_authorization\n";
    }
    location = /upload {
      client_body_buffer_size 16k;
      client_body_temp_path tmp/body;
      echo_read_request_body_placeholder;
    }
LOC
)
  # nginx's core has no "echo the body length" directive; proxy /upload to a local location that
  # reports $content_length after nginx has read the whole body (proxy_pass reads it first).
  locations=${locations//echo_read_request_body_placeholder;/proxy_pass http://127.0.0.1:$NGINX_HTTP_PORT/upload-done; proxy_set_header X-Len \$content_length;}
  cat > "$d/nginx.conf" <<CONF
worker_processes auto;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  keepalive_requests 100000;
  client_max_body_size 64m;
  upstream plain_upstream { server 127.0.0.1:$NGINX_HTTP_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_HTTP_PORT;
$locations
    location = /upload-done { return 200 "received=\$http_x_len\n"; }
    location = /big.bin { root $d/www; default_type application/octet-stream; }
  }
  server {
    listen 127.0.0.1:$NGINX_HTTPS_PORT ssl;
    ssl_certificate $STATE/tls/server.crt;
    ssl_certificate_key $STATE/tls/server.key;
$locations
  }
  server {
    listen 127.0.0.1:$NGINX_PEER_PORT;
    location / {
      proxy_pass http://plain_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "Bearer bench-canary-token";
    }
  }
}
CONF
  nginx -p "$d" -c "$d/nginx.conf" -t -q
  nginx -p "$d" -c "$d/nginx.conf"
  cat >> "$ENV_FILE" <<ENV
export SECRETLESS_IT_NGINX_HTTP_PORT=$NGINX_HTTP_PORT
export SECRETLESS_IT_NGINX_HTTPS_PORT=$NGINX_HTTPS_PORT
export SECRETLESS_IT_NGINX_PEER_PORT=$NGINX_PEER_PORT
export SECRETLESS_IT_NGINX_PID_FILE=$d/nginx.pid
export SECRETLESS_IT_NGINX_BIG_SHA256=$(sha256sum "$d/www/big.bin" | cut -d' ' -f1)
ENV
}

down() {
  local pidfile=$STATE/nginx/nginx.pid
  [ -f "$pidfile" ] || return 0
  kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
}
