#!/usr/bin/env bash
# R4.vulns on real PyPI lockfiles next to an independent reading of the same OSV records
# (bench/vulns/pypi-reference.py: pip's `packaging` for PEP 440, OSV's rules as its schema
# states them). The lockfiles are saleor's poetry.lock as committed at three dates, taken from
# the history of a saleor checkout. Prints, per lockfile, the (advisory, package, version) pairs
# each side found and their differences.
#
# Usage: SALEOR=path/to/saleor bench/vulns/pypi-compare.sh   (needs python3 with `packaging`)
set -euo pipefail
HERE="$(cd "$(dirname "$0")/../.." && pwd)"
SHARED="${SHARED:-$HERE/../shared/osv}"
HARDEN="${HARDEN:-${CARGO_TARGET_DIR:-$HERE/target}/release/harden}"
SALEOR="${SALEOR:?a saleor git checkout with its history}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$HARDEN" db import --advisory-db "$work/pypi.db" "$SHARED/PyPI" >/dev/null
printf 'version = 1\n[gates."R4.vulns"]\nmax-age = "36500d"\n' >"$work/harden.toml"
for date in 2021-06-01 2023-01-01 2024-06-01; do
  commit=$(git -C "$SALEOR" rev-list -1 --before="$date" HEAD -- poetry.lock)
  mkdir -p "$work/$date"
  git -C "$SALEOR" show "$commit:poetry.lock" >"$work/$date/poetry.lock"
  python3 "$HERE/bench/vulns/pypi-reference.py" "$SHARED/PyPI" "$work/$date/poetry.lock" | sort -u >"$work/$date.reference"
  { "$HARDEN" check "$work/$date" --only R4.vulns --no-record --advisory-db "$work/pypi.db" \
      --config "$work/harden.toml" --format json || true; } >"$work/$date.json"
  python3 - "$work/$date" "$SHARED/PyPI" "$commit" <<'PY'
import json, os, re, sys
base, osv, commit = sys.argv[1], sys.argv[2], sys.argv[3]
records = {f[:-5] for f in os.listdir(osv)}
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
reference = {tuple(l.split()) for l in open(base + ".reference") if l.strip()}
gate = json.load(open(base + ".json"))["gates"][0]
harden = set()
for f in gate["findings"]:
    v = f["vulnerability"]
    # A finding lists every id of the vulnerability; the reference prints record ids.
    harden |= {(i, norm(v["package"]), v["version"]) for i in v["ids"] if i in records}
packages = gate["evidence"]["counts"].get("locked packages")
print(f"  poetry.lock at {commit[:10]} ({packages} packages): reference {len(reference)} pairs, "
      f"R4.vulns {len(harden)} pairs in {len(gate['findings'])} findings; only reference: "
      f"{sorted(reference - harden)}; only R4.vulns: {sorted(harden - reference)}")
PY
done
