#!/usr/bin/env bash
# R4.vulns on real npm lockfiles next to npm's own semver library, on the same advisories: the
# Node.js Security WG's npm advisories (nodejs/security-wg, vuln/npm, MIT), converted to OSV by
# nswg-to-osv.js for harden and read as they are (vulnerable_versions ranges) by
# npm-reference.js. The lockfiles are saleor's package-lock.json as committed at four dates
# (lockfile v1 and v2), from the history of a saleor checkout.
#
# Usage: SALEOR=path/to/saleor SECURITY_WG=path/to/security-wg bench/vulns/npm-compare.sh
#        (SEMVER: npm's semver module, default the one npm ships with)
set -euo pipefail
HERE="$(cd "$(dirname "$0")/../.." && pwd)"
HARDEN="${HARDEN:-${CARGO_TARGET_DIR:-$HERE/target}/release/harden}"
SALEOR="${SALEOR:?a saleor git checkout with its history}"
SECURITY_WG="${SECURITY_WG:?a nodejs/security-wg checkout}"
SEMVER="${SEMVER:-$(npm root -g)/npm/node_modules/semver}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node "$HERE/bench/vulns/nswg-to-osv.js" "$SEMVER" "$SECURITY_WG/vuln/npm" "$work/osv"
"$HARDEN" db import --advisory-db "$work/npm.db" "$work/osv" >/dev/null
printf 'version = 1\n[gates."R4.vulns"]\nmax-age = "36500d"\n' >"$work/harden.toml"
for date in 2018-06-01 2019-06-01 2020-06-01 2021-06-01; do
  commit=$(git -C "$SALEOR" rev-list -1 --before="$date" HEAD -- package-lock.json)
  mkdir -p "$work/$date"
  git -C "$SALEOR" show "$commit:package-lock.json" >"$work/$date/package-lock.json"
  node "$HERE/bench/vulns/npm-reference.js" "$SEMVER" "$SECURITY_WG/vuln/npm" \
    "$work/$date/package-lock.json" | sort -u | grep . >"$work/$date.reference" || true
  { "$HARDEN" check "$work/$date" --only R4.vulns --no-record --advisory-db "$work/npm.db" \
      --config "$work/harden.toml" --format json || true; } >"$work/$date.json"
  python3 - "$work/$date" "$commit" <<'PY'
import json, sys
base, commit = sys.argv[1], sys.argv[2]
reference = {l.strip() for l in open(base + ".reference") if l.strip()}
gate = json.load(open(base + ".json"))["gates"][0]
harden = {f"{i} {f['vulnerability']['package']} {f['vulnerability']['version']}"
          for f in gate["findings"] for i in f["vulnerability"]["ids"] if i.startswith("NSWG-")}
packages = gate["evidence"]["counts"].get("locked packages")
print(f"  package-lock.json at {commit[:10]} ({packages} packages): npm semver {len(reference)} pairs, "
      f"R4.vulns {len(harden)}; only npm semver: {sorted(reference - harden)}; only R4.vulns: {sorted(harden - reference)}")
PY
done
