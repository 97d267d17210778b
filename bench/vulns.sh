#!/usr/bin/env bash
# R4.vulns and `harden db import`, timed (issue 13):
#   1. import of all the OSV data in ../shared/osv (crates.io, PyPI, Go OSV, RustSec native):
#      wall time and peak RSS;
#   2. R4.vulns on a synthetic inventory of 10,000 locked packages (Cargo.lock, go.mod and
#      uv.lock of names the database knows, versions spread over their ranges);
#   3. R4.vulns next to cargo-audit on the same Cargo.lock and the same RustSec snapshot: harden's
#      own Cargo.lock and crates/harden/tests/data/vulnerable/Cargo.lock. Medians of RUNS runs.
#
# Usage: bench/vulns.sh         (cargo-audit from $CARGO_AUDIT or PATH; `cargo install
#        RUNS=11 bench/vulns.sh  cargo-audit --locked` to get it; part 3 is skipped without it)
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$HERE/../shared/osv}"
HARDEN="${HARDEN:-${CARGO_TARGET_DIR:-$HERE/target}/release/harden}"
CARGO_AUDIT="${CARGO_AUDIT:-$(command -v cargo-audit || true)}"
RUNS="${RUNS:-11}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Median wall time (seconds) of RUNS runs of a command; its output is discarded.
median() {
  local times=()
  for _ in $(seq 1 "$RUNS"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# Peak RSS (KiB) of one run; a gate's failing exit status does not stop the script.
peak_rss() { { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null || true; } | tail -1; }

echo "== 1. import of $SHARED (crates.io, PyPI, Go, rustsec-advisory-db)"
sources=("$SHARED/crates.io" "$SHARED/PyPI" "$SHARED/Go" "$SHARED/rustsec-advisory-db")
start=$(date +%s.%N)
rss=$(peak_rss "$HARDEN" db import --advisory-db "$work/all.db" "${sources[@]}")
end=$(date +%s.%N)
printf '  first import: %.2f s, peak RSS %d MiB\n' "$(echo "$end - $start" | bc)" "$((rss / 1024))"
printf '  again (nothing changes): %s s median\n' "$(median "$HARDEN" db import --advisory-db "$work/all.db" "${sources[@]}")"
"$HARDEN" db status --advisory-db "$work/all.db" | sed 's/^/  /'

echo "== 2. R4.vulns over 10,000 synthetic locked packages"
mkdir -p "$work/synthetic"
python3 - "$SHARED" "$work/synthetic" <<'EOF'
import json, os, random, sys
shared, out = sys.argv[1], sys.argv[2]
random.seed(13)
def names(folder, ecosystem):
    seen = []
    for f in sorted(os.listdir(os.path.join(shared, folder))):
        if not f.endswith(".json"):
            continue
        d = json.load(open(os.path.join(shared, folder, f)))
        for a in d.get("affected", []):
            p = a.get("package", {})
            if p.get("ecosystem") == ecosystem:
                seen.append(p["name"])
    return sorted(set(seen))
cargo, go, pypi = names("crates.io", "crates.io"), names("Go", "Go"), names("PyPI", "PyPI")
def pick(pool, n, unknown):
    chosen = [random.choice(pool) for _ in range(n // 2)]
    chosen += [f"{unknown}-{i}" for i in range(n - len(chosen))]
    return chosen
lock = ["version = 3", ""]
for i, name in enumerate(pick(cargo, 4000, "synthetic-crate")):
    v = f"{random.randint(0, 3)}.{random.randint(0, 30)}.{random.randint(0, 9)}"
    lock += ["[[package]]", f'name = "{name}"', f'version = "{v}"',
             'source = "registry+https://github.com/rust-lang/crates.io-index"', ""]
open(os.path.join(out, "Cargo.lock"), "w").write("\n".join(lock))
mod = ["module example.test/synthetic", "", "go 1.22", "", "require ("]
for i, name in enumerate(pick(go, 3000, "example.test/synthetic/mod")):
    mod.append(f"\t{name}{'' if i < 1500 else ''} v0.{random.randint(0, 20)}.{random.randint(0, 9)}")
mod.append(")")
open(os.path.join(out, "go.mod"), "w").write("\n".join(mod) + "\n")
uv = ["version = 1", ""]
for i, name in enumerate(pick(pypi, 3000, "synthetic-dist")):
    uv += ["[[package]]", f'name = "{name}"', f'version = "{random.randint(0, 5)}.{random.randint(0, 20)}"',
           'source = { registry = "https://pypi.example/simple" }', ""]
open(os.path.join(out, "uv.lock"), "w").write("\n".join(uv))
EOF
printf 'version = 1\n\n[gates."R4.vulns"]\nmax-age = "36500d"\n' >"$work/synthetic/harden.toml"
# The gate's exit status (1: findings) is not the script's.
check() { "$HARDEN" check "$1" --only R4.vulns --no-record --advisory-db "$2" --format json || true; }
check "$work/synthetic" "$work/all.db" \
  | python3 -c 'import json,sys; g=json.load(sys.stdin)["gates"][0]; e=g["evidence"]; print("  ", e["counts"].get("locked packages"), "packages,", len(g["findings"]), "findings,", e["counts"].get("advisories matched"), "advisories matched")'
printf '  R4.vulns: %s s median; peak RSS %d MiB\n' "$(median check "$work/synthetic" "$work/all.db")" \
  "$(( $(peak_rss "$HARDEN" check "$work/synthetic" --only R4.vulns --no-record --advisory-db "$work/all.db") / 1024 ))"

echo "== 3. next to cargo-audit (RustSec snapshot, offline)"
if [ -z "$CARGO_AUDIT" ]; then echo "  cargo-audit not found: skipped"; exit 0; fi
"$CARGO_AUDIT" --version | sed 's/^/  /'
cp -r "$SHARED/rustsec-advisory-db" "$work/advisory-db"
(cd "$work/advisory-db" && git init -q && git add -A && git -c user.email=bench@example.test -c user.name=bench commit -qm snapshot)
"$HARDEN" db import --advisory-db "$work/rustsec.db" "$SHARED/rustsec-advisory-db" >/dev/null
for lock in "$HERE/Cargo.lock" "$HERE/crates/harden/tests/data/vulnerable/Cargo.lock"; do
  repo="$work/repo-$(basename "$(dirname "$lock")")"
  mkdir -p "$repo" && cp "$lock" "$repo/Cargo.lock" && cp "$work/synthetic/harden.toml" "$repo/"
  audit() { "$CARGO_AUDIT" audit --db "$work/advisory-db" --no-fetch --stale -f "$1/Cargo.lock" --json || true; }
  a=$(median audit "$repo")
  h=$(median check "$repo" "$work/rustsec.db")
  found_a=$(audit "$repo" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["vulnerabilities"]["count"])')
  found_h=$(check "$repo" "$work/rustsec.db" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["gates"][0]["findings"]))')
  printf '  %s (%s packages): cargo-audit %s s (%s vulnerabilities), harden %s s (%s findings), ratio %.1fx\n' \
    "${lock#"$HERE"/}" "$(grep -c '^\[\[package\]\]' "$lock")" "$a" "$found_a" "$h" "$found_h" "$(echo "$a / $h" | bc -l)"
done
