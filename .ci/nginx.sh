#!/usr/bin/env bash
# Start navguide with two workers behind Debian's nginx, on loopback, for the proxy tests.
# Usage: source .ci/nginx.sh (from .ci/run, under its set -euo pipefail): exports
# NAVGUIDE_TEST_PROXY_URL; `stop_proxy` ends both.
root=$(mktemp -d /tmp/navguide-proxy.XXXXXX)
chmod 755 "$root"  # nginx workers run as www-data
# free ports, so that two runs on one machine do not collide
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
nav_port=$(free_port)
proxy_port=$(free_port)
cat > "$root/nginx.conf" <<CONF
worker_processes 1;
pid $root/nginx.pid;
error_log $root/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $root/body;
    proxy_temp_path $root/proxy;
    server_tokens off;
    upstream navguide { server 127.0.0.1:$nav_port; keepalive 8; }
    server {
        listen 127.0.0.1:$proxy_port;
        client_max_body_size 32k;
        client_body_buffer_size 32k;
        client_body_timeout 10s;
        location / {
            proxy_pass http://navguide;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_read_timeout 30s;
        }
    }
}
CONF
NAVGUIDE_SECRET=proxy-test-secret NAVGUIDE_DATABASE_URL="sqlite:///$root/records.sqlite3" \
  .venv/bin/navguide serve --knowledge tests/data/knowledge --port "$nav_port" --workers 2 \
  --no-watch >"$root/navguide.log" 2>&1 &
navguide_pid=$!
/usr/sbin/nginx -c "$root/nginx.conf" -p "$root"
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$proxy_port/api/health" >/dev/null && break
  sleep 0.5
done
export NAVGUIDE_TEST_PROXY_URL="http://127.0.0.1:$proxy_port"
stop_proxy() {
  /usr/sbin/nginx -c "$root/nginx.conf" -p "$root" -s stop 2>/dev/null || true
  kill -TERM "$navguide_pid" 2>/dev/null || true
  wait "$navguide_pid" 2>/dev/null || true
}
