#!/usr/bin/env bash
# The whole static gate set next to the secret scan alone on the same tree (issue 14: one walk and
# one parse feed all gates; target within 1.2x of the secret scan). The tree is real code: the
# repositories given, copied side by side until it holds at least MIN_FILES files, without their
# .git directories (history is timed elsewhere). Medians of RUNS runs, same run, same machine.
#
# Usage: bench/static-set.sh REPO...      HARDEN (default: release build), RUNS (5), MIN_FILES (50000)
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
HARDEN="${HARDEN:-${CARGO_TARGET_DIR:-$HERE/target}/release/harden}"
RUNS="${RUNS:-5}"
MIN_FILES="${MIN_FILES:-50000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tree="$work/tree"
mkdir -p "$tree"
copy=0
while [ "$(find "$tree" -type f | wc -l)" -lt "$MIN_FILES" ]; do
  for repo in "$@"; do
    copy=$((copy + 1))
    mkdir -p "$tree/$copy-$(basename "$repo")"
    tar -C "$repo" --exclude=.git -cf - . | tar -C "$tree/$copy-$(basename "$repo")" -xf -
  done
done
printf 'version = 1\n' >"$tree/harden.toml"
files=$(find "$tree" -type f | wc -l)
# Every gate that reads the repository, except the history scan (no .git here) and the live gates.
static=$("$HARDEN" gates --format json | python3 -c '
import json, sys
print(" ".join("--only " + g["id"] for g in json.load(sys.stdin)
               if g["target"] == "repository" and g["id"] not in ("R3.secrets.history", "R2.ledger.intact")))')
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_it() {
  for _ in $(seq "$RUNS"); do
    local start=$EPOCHREALTIME
    "$HARDEN" check "$tree" "$@" --no-record >/dev/null 2>&1 || true
    echo "$EPOCHREALTIME - $start" | bc
  done | median
}
secrets=$(time_it --only R3.secrets.tree)
# shellcheck disable=SC2086 # one argument per gate
all=$(time_it $static)
echo "tree: $files files from $*"
echo "secret scan alone (R3.secrets.tree):  ${secrets} s"
echo "static set ($(echo "$static" | wc -w | awk '{print $1/2}') gates):            ${all} s"
echo "ratio: $(echo "$all / $secrets" | bc -l | cut -c1-4)"
