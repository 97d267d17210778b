#!/usr/bin/env bash
# harden's CI gates next to zizmor, audit by audit (issue 21): for each repository given, zizmor
# (offline, default persona) over its .github directory and harden's R4.pinning.actions and R4.ci.*
# over the repository, then the findings of each side by audit or gate, with file:line.
#
# Usage: bench/ci-compare.sh REPO...        (zizmor from PATH: `pip install zizmor`)
#   HARDEN  binary (default: the target dir's release/harden)
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
HARDEN="${HARDEN:-${CARGO_TARGET_DIR:-$HERE/target}/release/harden}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf 'version = 1\n' >"$work/harden.toml"
echo "zizmor $(zizmor --version | awk '{print $2}'), $("$HARDEN" --version)"
for repo in "$@"; do
  name="$(basename "$repo")"
  zizmor --offline --format json "$repo/.github" >"$work/$name.zizmor.json" 2>/dev/null || true
  "$HARDEN" check "$repo" --only R4.pinning.actions --only 'R4.ci.*' --no-record --format json \
    --config "$work/harden.toml" >"$work/$name.harden.json" || true
  python3 - "$name" "$repo" "$work/$name.zizmor.json" "$work/$name.harden.json" <<'PY'
import collections, json, os, sys
name, repo, zizmor_file, harden_file = sys.argv[1:]
print(f"\n== {name}")
z = collections.defaultdict(list)
for f in json.load(open(zizmor_file)):
    shown = [l for l in f["locations"] if l["symbolic"]["kind"] != "Hidden"] or f["locations"]
    l = shown[-1]
    path = os.path.relpath(l["symbolic"]["key"]["Local"]["verbatim_path"], repo)
    d = f["determinations"]
    z[f["ident"]].append(f'{path}:{l["concrete"]["location"]["start_point"]["row"] + 1} ({d["confidence"].lower()} confidence, {d["severity"].lower()})')
h = collections.defaultdict(list)
for g in json.load(open(harden_file))["gates"]:
    for f in g["findings"]:
        l = f["location"]
        h[g["id"]].append(f'{l.get("path")}:{l.get("span", {}).get("start", {}).get("line")} {f["message"][:90]}')
for side, found in (("zizmor", z), ("harden", h)):
    for key in sorted(found):
        print(f"  {side:6} {key:24} {len(found[key]):3}")
        for item in sorted(found[key])[:40]:
            print(f"           {item}")
PY
done
