#!/usr/bin/env bash
# R0.contracts.breaking next to optic and openapi-diff on the contract-pair corpus
# (crates/harden-formats/tests/data/openapi-diff: each case a base/ and head/ version and the
# changes expected). For every case: how many breaking changes each tool reports, and what the
# corpus expects. harden runs as users run it: the base version committed in a git repository,
# the head version in its working tree, `check --only R0.contracts.breaking --base HEAD`.
#
# Usage: bench/contracts-compare.sh      HARDEN (default: release build), TOOLS_DIR (the npm
# prefix holding @useoptic/optic and openapi-diff; default /work/tools/apidiff)
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
HARDEN="${HARDEN:-${CARGO_TARGET_DIR:-$HERE/target}/release/harden}"
TOOLS_DIR="${TOOLS_DIR:-/work/tools/apidiff}"
OPTIC="$TOOLS_DIR/node_modules/.bin/optic"
OPENAPI_DIFF="$TOOLS_DIR/node_modules/.bin/openapi-diff"
CORPUS="$HERE/crates/harden-formats/tests/data/openapi-diff"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

printf '%-38s %8s %6s %6s %13s\n' case expected harden optic openapi-diff
for case in "$CORPUS"/*/; do
  name="$(basename "$case")"
  expected=$(grep -cv '^none$' "$case/expected.txt" || true)
  repo="$work/$name"
  mkdir -p "$repo"
  cp -r "$case/base/." "$repo/"
  printf 'version = 1\n' >"$repo/harden.toml"
  git -C "$repo" init -q -b main
  git -C "$repo" -c user.name=bench -c user.email=bench@example.com add -A
  git -C "$repo" -c user.name=bench -c user.email=bench@example.com commit -qm base
  cp -r "$case/head/." "$repo/"
  harden=$( ("$HARDEN" check "$repo" --only R0.contracts.breaking --base HEAD --no-record \
    --format json 2>/dev/null || true) | python3 -c '
import json, sys
gates = json.load(sys.stdin)["gates"]
print(sum(len(g["findings"]) for g in gates))')
  # optic prints one `x [rule] message` line per failed check.
  optic=$( (cd "$work" && timeout 120 "$OPTIC" diff "$case/base/openapi.yaml" "$case/head/openapi.yaml" \
    --check 2>/dev/null || true) | grep -cE '^\s+x \[' || true)
  # openapi-diff prints a sentence, then JSON with the breaking differences.
  openapi_diff=$( (timeout 120 "$OPENAPI_DIFF" "$case/base/openapi.yaml" "$case/head/openapi.yaml" \
    2>/dev/null || true) | python3 -c '
import json, sys
text = sys.stdin.read()
if text.startswith("No changes found"):
    print(0)
    sys.exit()
start = text.find("{")
try:
    print(len(json.loads(text[start:]).get("breakingDifferences") or []))
except ValueError:
    print("error")')
  printf '%-38s %8s %6s %6s %13s\n' "$name" "$expected" "$harden" "$optic" "$openapi_diff"
done
