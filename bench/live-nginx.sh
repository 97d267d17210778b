#!/usr/bin/env bash
# The live gates against Debian's nginx on 127.0.0.1: its stock site, and the same site with a
# hardened configuration written here. Prints each gate's verdict, requests and time.
#
# Usage: bench/live-nginx.sh        (needs Debian's nginx: apt-get install nginx)
#        HARDEN=path/to/harden bench/live-nginx.sh
set -euo pipefail
HARDEN="${HARDEN:-${CARGO_TARGET_DIR:-target}/release/harden}"
work="$(mktemp -d)"
trap 'for p in "$work"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; rm -rf "$work"' EXIT
mkdir -p "$work/logs"

conf() { # name port extra-server-lines
  cat >"$work/$1.conf" <<EOF
worker_processes 1;
pid $work/$1.pid;
error_log $work/logs/$1.error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log $work/logs/$1.access.log;
  ${4:-}
  server {
    listen 127.0.0.1:$2;
    root /var/www/html;
    index index.nginx-debian.html index.html;
$3
  }
}
EOF
  nginx -c "$work/$1.conf"
}

conf stock 18089 ""
conf hardened 18090 "
    add_header X-Request-ID \$request_id always;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy strict-origin-when-cross-origin always;
    add_header Content-Security-Policy \"default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'\" always;
    location = /health { default_type application/json; return 200 '{\"status\":\"ok\"}'; }
    location = /ready { default_type application/json; return 200 '{\"status\":\"ready\"}'; }" "server_tokens off;"
sleep 0.3

for site in stock:18089 hardened:18090; do
  name="${site%%:*}"; port="${site##*:}"
  mkdir -p "$work/$name-repo"
  printf 'version = 1\n\n[service]\nname = "nginx-%s"\n\n[target]\nbase-url = "http://127.0.0.1:%s/"\n' "$name" "$port" >"$work/$name-repo/harden.toml"
  before=$(wc -l <"$work/logs/$name.access.log")
  "$HARDEN" check "$work/$name-repo" --no-record --live --format json \
    --only R1.http.cors --only R2.correlation --only R3.errors.leak --only R7.http.headers --only R7.http.cookies --only R7.health \
    >"$work/$name.json" || true
  after=$(wc -l <"$work/logs/$name.access.log")
  echo "== nginx $name: $((after - before)) requests seen by nginx"
  python3 - "$work/$name.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
for gate in report["gates"]:
    print(f'  {gate["id"]:<18} {gate["outcome"]:<7} {len(gate["findings"])} finding(s)  {gate["duration_ms"]} ms')
EOF
done
