#!/usr/bin/env bash
# The contract-driven live gates (R1.auth.enforced, R1.tenancy.isolation, R5.input.rejected,
# R6.idempotency) against two multi-user applications from the package registries, started on
# 127.0.0.1 with two accounts each, next to schemathesis on the same targets:
#   kinto (PyPI): JSON storage with per-account buckets, a Swagger 2.0 contract, basic auth.
#   LNbits (PyPI): Lightning wallets (FakeWallet funding), an OpenAPI 3.1 contract, wallet keys
#   and JWT logins.
# Each application is started fresh for each tool (schemathesis changes accounts it is logged in
# as). Prints requests, time and the findings of each.
#
# Usage: bench/contract-apps.sh       (needs python3-venv; WORK keeps the installs, default
#        HARDEN=path/to/harden WORK=dir bench/contract-apps.sh      ~/.cache/harden-contract-apps)
#        PARTS="kinto-harden lnbits-st" bench/contract-apps.sh    (some parts only; default all:
#        kinto-harden kinto-st lnbits-harden lnbits-st; also lnbits-r5); RATE=1000 raises both tools' cap (50)
set -euo pipefail
HARDEN="${HARDEN:-${CARGO_TARGET_DIR:-target}/release/harden}"
HARDEN="$(cd "$(dirname "$HARDEN")" && pwd)/$(basename "$HARDEN")"
WORK="${WORK:-$HOME/.cache/harden-contract-apps}"
HERE="$(cd "$(dirname "$0")" && pwd)/contract-apps"
KINTO=26.5.0 LNBITS=1.6.2 SCHEMATHESIS=4.32.5
KINTO_PORT=18501 LNBITS_PORT=18502
PARTS="${PARTS:-kinto-harden kinto-st lnbits-harden lnbits-st}"
RATE="${RATE:-50}"   # requests per second for both tools
want() { [[ " $PARTS " == *" $1 "* ]]; }
run="$(mktemp -d)"
pids=()
# Each application runs in its own session (LNbits serves from a child process), and is stopped
# as a whole group; stop waits until it is gone so the next start can bind its port.
stop() {
  for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 75); do kill -0 -- -"$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 -- -"$p" 2>/dev/null || true
  done
  pids=()
}
trap 'stop; rm -rf "$run"' EXIT
mkdir -p "$WORK"

# --- installs (once) ---------------------------------------------------------------------------
[ -x "$WORK/kinto/bin/kinto" ] || { python3 -m venv "$WORK/kinto"; "$WORK/kinto/bin/pip" install -q "kinto==$KINTO"; }
if [ ! -x "$WORK/lnbits/bin/lnbits" ]; then
  python3 -m venv "$WORK/lnbits"
  # bolt11 imports a name bitstring 5 no longer has.
  "$WORK/lnbits/bin/pip" install -q "lnbits==$LNBITS" && "$WORK/lnbits/bin/pip" install -q "bitstring==4.1.4"
fi
[ -x "$WORK/st/bin/st" ] || { python3 -m venv "$WORK/st"; "$WORK/st/bin/pip" install -q "schemathesis==$SCHEMATHESIS"; }

wait_for() { for _ in $(seq 1 150); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done; echo "no answer from $1" >&2; return 1; }

start_kinto() {
  rm -rf "$run/kinto" "$run/.schemathesis" && mkdir -p "$run/kinto"
  (cd "$run/kinto" && printf "\n%.0s" 1 2 3 4 5 6 7 8 | "$WORK/kinto/bin/kinto" init --ini config.ini --backend memory --cache-backend memory >/dev/null 2>&1)
  # Any account may create buckets (a multi-tenant setup); each owns what it creates.
  sed -i 's/^kinto.bucket_create_principals = .*/kinto.bucket_create_principals = system.Authenticated/' "$run/kinto/config.ini"
  setsid "$WORK/kinto/bin/kinto" start --ini "$run/kinto/config.ini" --port $KINTO_PORT >"$run/kinto/log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$KINTO_PORT/v1/"
  for u in alice bob; do
    curl -fs -o /dev/null -X PUT "http://127.0.0.1:$KINTO_PORT/v1/accounts/$u" -H 'Content-Type: application/json' \
      -d "{\"data\":{\"password\":\"$u-bench-pw\"}}"
  done
  curl -fs "http://127.0.0.1:$KINTO_PORT/v1/__api__" >"$run/kinto-api.json"
  export KINTO_ALICE="Authorization: Basic $(printf 'alice:alice-bench-pw' | base64)"
  export KINTO_BOB="Authorization: Basic $(printf 'bob:bob-bench-pw' | base64)"
}

start_lnbits() {
  rm -rf "$run/lnbits" "$run/.schemathesis" && mkdir -p "$run/lnbits"
  local site; site="$("$WORK/lnbits/bin/python" -c 'import lnbits, os; print(os.path.dirname(os.path.dirname(lnbits.__file__)))')"
  # Static files are found relative to the working directory.
  (cd "$site" && LNBITS_DATA_FOLDER="$run/lnbits" LNBITS_BACKEND_WALLET_CLASS=FakeWallet LNBITS_ADMIN_UI=false \
    exec setsid "$WORK/lnbits/bin/lnbits" --port $LNBITS_PORT --host 127.0.0.1) >"$run/lnbits/log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$LNBITS_PORT/api/v1/health"
  curl -fs "http://127.0.0.1:$LNBITS_PORT/openapi.json" >"$run/lnbits-api.json"
  for u in alice bob; do
    curl -fs -o /dev/null -X POST "http://127.0.0.1:$LNBITS_PORT/api/v1/auth/register" -H 'Content-Type: application/json' \
      -d "{\"username\":\"$u\",\"password\":\"$u-bench-pw1\",\"password_repeat\":\"$u-bench-pw1\"}"
    token=$(curl -fs -X POST "http://127.0.0.1:$LNBITS_PORT/api/v1/auth" -H 'Content-Type: application/json' \
      -d "{\"username\":\"$u\",\"password\":\"$u-bench-pw1\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    key=$(curl -fs "http://127.0.0.1:$LNBITS_PORT/api/v1/wallets" -H "Authorization: Bearer $token" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["adminkey"])')
    export "LNBITS_${u^^}_KEY=$key" "LNBITS_${u^^}_PASSWORD=$u-bench-pw1"
  done
}

summary() { # report.json
  python3 - "$1" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for gate in report["gates"]:
    if gate["id"] in ("R1.auth.enforced", "R1.tenancy.isolation", "R5.input.rejected", "R6.idempotency"):
        counts = gate.get("evidence", {}).get("counts", {})
        print(f"  {gate['id']:22} {gate['outcome']:8} requests {counts.get('requests', 0):4}  {gate.get('summary', '')[:110]}")
        for finding in gate.get("findings", []):
            print(f"      {finding['severity']:8} {finding['message'][:150]}")
print(f"  transcript: {len(report.get('transcript', []))} requests")
PY
}

st_summary() { # har
  python3 - "$1" <<'PY'
import json, sys, collections
entries = json.load(open(sys.argv[1]))["log"]["entries"]
errors = collections.Counter()
for e in entries:
    if e["response"]["status"] >= 500:
        url = e["request"]["url"].split("?")[0].split("/", 3)[3]
        errors[f"{e['request']['method']} /{url} -> {e['response']['status']}"] += 1
print(f"  schemathesis: {len(entries)} requests; 5xx by operation:")
for key, n in sorted(errors.items()):
    print(f"      {n:4}x {key}")
PY
}

# The time goes to the terminal (fd 3), the command's own output where its caller sends it.
exec 3>&1
timed() { local s rc=0; s=$(date +%s.%N); "$@" || rc=$?; echo "  time: $(python3 -c "print(f'{$(date +%s.%N) - $s:.1f} s')")" >&3; return $rc; }

if want kinto-harden; then
echo "== kinto $KINTO: harden"
start_kinto
timed "$HARDEN" probe "http://127.0.0.1:$KINTO_PORT/" --contract "$run/kinto-api.json" --budget 2000 --rate "$RATE" \
  --identity alice=KINTO_ALICE --identity bob=KINTO_BOB --format json >"$run/kinto-harden.json" || true
summary "$run/kinto-harden.json"
stop
fi
if want kinto-st; then
echo "== kinto $KINTO: schemathesis (DELETE excluded, as harden never sends it)"
start_kinto
# From the run directory: schemathesis keeps a cache of past failures in the working directory,
# and replays them; every run starts without one.
cd "$run"
timed "$WORK/st/bin/st" run "$run/kinto-api.json" --url "http://127.0.0.1:$KINTO_PORT/v1" -a alice:alice-bench-pw \
  --checks all --exclude-method DELETE --max-examples 5 --seed 1 --workers 1 --rate-limit "$RATE/s" \
  --report har --report-har-path "$run/kinto-st.har" >"$run/kinto-st.txt" 2>&1 || true
st_summary "$run/kinto-st.har"
stop
fi
if want lnbits-harden; then
echo "== LNbits $LNBITS: harden (wallet admin keys, then JWT logins)"
start_lnbits
mkdir -p "$run/lnbits-repo"
cp "$run/lnbits-api.json" "$run/lnbits-repo/"
sed "s/^rate-per-second = .*/rate-per-second = $RATE/" "$HERE/lnbits-keys.toml" >"$run/lnbits-repo/harden.toml"
(cd "$run/lnbits-repo" && timed "$HARDEN" check . --live --no-record --only R1.auth.enforced --only R1.tenancy.isolation \
  --only R5.input.rejected --only R6.idempotency --format json >"$run/lnbits-harden.json") || true
summary "$run/lnbits-harden.json"
sed "s/^rate-per-second = .*/rate-per-second = $RATE/" "$HERE/lnbits-jwt.toml" >"$run/lnbits-repo/harden.toml"
(cd "$run/lnbits-repo" && timed "$HARDEN" check . --live --no-record --only R1.auth.enforced --only R1.tenancy.isolation \
  --format json >"$run/lnbits-harden-jwt.json") || true
summary "$run/lnbits-harden-jwt.json"
stop
fi
if want lnbits-r5; then
echo "== LNbits $LNBITS: harden, R5.input.rejected alone (the gate comparable to schemathesis)"
start_lnbits
mkdir -p "$run/lnbits-repo"
cp "$run/lnbits-api.json" "$run/lnbits-repo/"
sed "s/^rate-per-second = .*/rate-per-second = $RATE/" "$HERE/lnbits-keys.toml" >"$run/lnbits-repo/harden.toml"
(cd "$run/lnbits-repo" && timed "$HARDEN" check . --live --no-record --only R5.input.rejected \
  --format json >"$run/lnbits-r5.json") || true
summary "$run/lnbits-r5.json"
stop
fi
if want lnbits-st; then
echo "== LNbits $LNBITS: schemathesis (alice's wallet key; the same operations left out)"
start_lnbits
cd "$run"
timed "$WORK/st/bin/st" run "$run/lnbits-api.json" --url "http://127.0.0.1:$LNBITS_PORT" -H "X-Api-Key: $LNBITS_ALICE_KEY" \
  --checks all --exclude-method DELETE \
  --exclude-path-regex '^/(admin|node)/|^/api/v1/(extension|lnurlscan|fiat|auth/first_install|auth/password|auth/reset|wallet/reset|wallet/share)|^/api/v1/payments/lnurl' \
  --max-examples 5 --seed 1 --workers 1 --rate-limit "$RATE/s" --report har --report-har-path "$run/lnbits-st.har" \
  >"$run/lnbits-st.txt" 2>&1 || true
st_summary "$run/lnbits-st.har"
cp "$run/lnbits-st.txt" "${ST_LOG:-/dev/null}" || true
fi
