# A throw-away CA and a server certificate for localhost/127.0.0.1/::1, used by every TLS server.
packages=(openssl)
up() {
  local d=$STATE/tls
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Secretless Test CA" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' > "$d/san.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/san.ext" -out "$d/server.crt" 2>/dev/null
  # A client certificate for mTLS tests.
  openssl req -newkey rsa:2048 -nodes -subj "/CN=secretless-client" \
    -keyout "$d/client.key" -out "$d/client.csr" 2>/dev/null
  openssl x509 -req -in "$d/client.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -out "$d/client.crt" 2>/dev/null
  chmod 644 "$d"/*.crt "$d"/*.key
  echo "export SECRETLESS_IT_TLS_DIR=$d" >> "$ENV_FILE"
}
down() { :; }
