#!/usr/bin/env bash
# The live gates against real applications installed from the package registries, started on
# 127.0.0.1, next to two peers on the same targets: the MDN HTTP Observatory CLI and Debian's
# testssl.sh. Targets: datasette (pip), verdaccio (npm), and Debian's nginx as a TLS front of
# datasette twice: hardened (TLS 1.2/1.3, HSTS, headers) and weak (TLS 1.0/1.1 on, an expired
# certificate, no HSTS). Prints each tool's verdicts, requests and time.
#
# Usage: bench/live-apps.sh      (needs python3-venv, npm, nginx, openssl, faketime, testssl.sh)
#        HARDEN=path/to/harden WORK=dir bench/live-apps.sh   (WORK keeps the installs, default
#        ~/.cache/harden-live-apps)
set -euo pipefail
HARDEN="${HARDEN:-${CARGO_TARGET_DIR:-target}/release/harden}"
WORK="${WORK:-$HOME/.cache/harden-live-apps}"
DATASETTE=0.65.5 AUTHPW=1.1.1 VERDACCIO=6.8.0 OBSERVATORY=1.4.8
run="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$run"/*/nginx.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  rm -rf "$run"
}
trap cleanup EXIT
mkdir -p "$WORK"

# --- installs (once) ---------------------------------------------------------------------------
if [ ! -x "$WORK/datasette/bin/datasette" ]; then
  python3 -m venv "$WORK/datasette"
  "$WORK/datasette/bin/pip" install -q "datasette==$DATASETTE" "datasette-auth-passwords==$AUTHPW"
fi
if [ ! -x "$WORK/verdaccio/node_modules/.bin/verdaccio" ]; then
  npm install --prefix "$WORK/verdaccio" --no-audit --no-fund --loglevel=error "verdaccio@$VERDACCIO"
fi
scanner="$WORK/observatory/node_modules/@mdn/mdn-http-observatory"
if [ ! -f "$scanner/src/scan.js" ]; then
  # Its install scripts download lists from the internet; the scanner needs only an empty
  # HSTS preload map to judge a loopback target.
  npm install --prefix "$WORK/observatory" --no-audit --no-fund --ignore-scripts --loglevel=error \
    "@mdn/mdn-http-observatory@$OBSERVATORY"
fi
[ -f "$scanner/conf/hsts-preload.json" ] || echo '{}' >"$scanner/conf/hsts-preload.json"

wait_for() { # url [curl options]
  for _ in $(seq 1 100); do curl -fs -o /dev/null "${@:2}" "$1" && return 0; sleep 0.2; done
  echo "no answer from $1" >&2; return 1
}

# --- datasette on 18401, with a password login ---------------------------------------------------
"$WORK/datasette/bin/python" - "$run/datasette.json" "$run/bench.db" <<'PY'
import json, sqlite3, sys
from datasette_auth_passwords.utils import hash_password
json.dump({"plugins": {"datasette-auth-passwords": {"bench_password_hash": hash_password("benchpass")}}},
          open(sys.argv[1], "w"))
db = sqlite3.connect(sys.argv[2])
db.executescript("create table items(id integer primary key, title text); insert into items(title) values ('first');")
PY
DATASETTE_SECRET=bench-only "$WORK/datasette/bin/datasette" serve "$run/bench.db" -m "$run/datasette.json" \
  -h 127.0.0.1 -p 18401 >"$run/datasette.log" 2>&1 &
pids+=($!)
wait_for http://127.0.0.1:18401/-/versions.json

# --- verdaccio on 18402, offline (no uplinks, no audit) ------------------------------------------
mkdir -p "$run/verdaccio/storage"
cat >"$run/verdaccio/config.yaml" <<YAML
storage: $run/verdaccio/storage
auth: { htpasswd: { file: $run/verdaccio/htpasswd } }
uplinks: {}
packages: { '**': { access: \$all, publish: \$authenticated } }
middlewares: { audit: { enabled: false } }
log: { type: stdout, format: pretty, level: warn }
YAML
"$WORK/verdaccio/node_modules/.bin/verdaccio" --config "$run/verdaccio/config.yaml" \
  --listen http://127.0.0.1:18402 >"$run/verdaccio.log" 2>&1 &
pids+=($!)
wait_for http://127.0.0.1:18402/-/ping

# --- nginx TLS fronts of datasette: hardened on 18443, weak on 18444 ----------------------------
cert() { # dir [faketime date]
  local when=("${@:2}")
  ${when:+faketime "${when[@]}"} openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -addext "basicConstraints=critical,CA:FALSE" \
    -addext "extendedKeyUsage=serverAuth" -keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null
}
front() { # name port protocols ciphers hsts(0/1) [faketime date for the certificate]
  local d="$run/$1"; mkdir -p "$d"; cert "$d" "${@:6}"
  local hsts=""; [ "$5" = 1 ] && hsts='add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;'
  cat >"$d/nginx.conf" <<NGINX
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 64; }
http {
  access_log $d/access.log;
  client_body_temp_path $d; proxy_temp_path $d; fastcgi_temp_path $d; uwsgi_temp_path $d; scgi_temp_path $d;
  server_tokens off;
  server {
    listen 127.0.0.1:$2 ssl;
    ssl_certificate $d/cert.pem; ssl_certificate_key $d/key.pem;
    ssl_protocols $3; ssl_ciphers $4;
    error_page 497 =301 https://\$host:\$server_port\$request_uri;
    $hsts
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy no-referrer always;
    add_header Content-Security-Policy "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'" always;
    add_header X-Request-ID \$request_id always;
    location = /healthz { default_type application/json; return 200 '{"status":"ok"}'; }
    location = /readyz { default_type application/json; return 200 '{"status":"ready"}'; }
    location / { proxy_pass http://127.0.0.1:18401; proxy_set_header Host \$host; }
  }
}
NGINX
  nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf"
}
front tls-good 18443 "TLSv1.2 TLSv1.3" "HIGH:!aNULL:!MD5" 1
front tls-weak 18444 "TLSv1 TLSv1.1 TLSv1.2" "DEFAULT:@SECLEVEL=0" 0 2020-01-01
wait_for https://127.0.0.1:18443/healthz -k
wait_for https://127.0.0.1:18444/healthz -k

# --- the three tools on each target ---------------------------------------------------------------
seconds() { python3 -c 'import sys,time; print(f"{time.time()-float(sys.argv[1]):.2f} s")' "$1"; }
for target in datasette:http://127.0.0.1:18401/ verdaccio:http://127.0.0.1:18402/ \
  tls-good:https://127.0.0.1:18443/ tls-weak:https://127.0.0.1:18444/; do
  name="${target%%:*}"; url="${target#*:}"
  ca=(); [ -f "$run/$name/cert.pem" ] && ca=(--ca-file "$run/$name/cert.pem")
  start=$(date +%s.%N)
  "$HARDEN" probe "$url" --rate 50 "${ca[@]}" --format json >"$run/$name.harden.json" || true
  echo "== $name ($url): harden $(seconds "$start")"
  python3 - "$run/$name.harden.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(f"   {len(report.get('transcript', []))} requests")
for gate in report["gates"]:
    print(f"   {gate['id']:<20} {gate['outcome']:<8} {gate['summary'][:90]}")
    for finding in gate["findings"]:
        print(f"      - [{finding['severity']}] {finding['message'][:140]}")
PY
  host="${url#*://}"; host="${host%/}"
  start=$(date +%s.%N)
  NODE_EXTRA_CA_CERTS="${ca[1]:-}" node "$scanner/src/scan.js" "$host" >"$run/$name.observatory.json" || true
  echo "   observatory $(seconds "$start"):"
  python3 - "$run/$name.observatory.json" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
if "error" in result:
    print(f"      error: {result['error']}")
else:
    print(f"      grade {result['scan']['grade']} score {result['scan']['score']}")
    for test, outcome in result["tests"].items():
        print(f"      {'pass' if outcome['pass'] else 'FAIL'} {test}: {outcome['result']}")
PY
  if [ "${url%%://*}" = https ] && command -v testssl >/dev/null; then
    start=$(date +%s.%N)
    testssl --quiet --color 0 --warnings off --nodns none --ip 127.0.0.1 --connect-timeout 5 \
      --openssl-timeout 5 -p -S -h --add-ca "${ca[1]}" --jsonfile "$run/$name.testssl.json" \
      "https://localhost:${host##*:}" >/dev/null 2>&1 || true
    echo "   testssl $(seconds "$start"):"
    python3 - "$run/$name.testssl.json" <<'PY'
import json, sys
keep = ("TLS1", "TLS1_1", "TLS1_2", "TLS1_3", "cert_chain_of_trust", "cert_expirationStatus", "HSTS")
for item in json.load(open(sys.argv[1])):
    if item["id"] in keep:
        print(f"      {item['id']:<22} {item['severity']:<8} {item['finding'][:70]}")
PY
  fi
done
