#!/usr/bin/env bash
# The whole static gate set next to the secret scan alone on the same tree (issue 14: one walk and
# one parse feed all gates; target within 1.2x of the secret scan). The tree is real code: the
# repositories given, copied side by side until it holds at least MIN_FILES files, without their
# .git directories (history is timed elsewhere). Medians of RUNS runs of each, interleaved, with the
# CPU time beside the wall time (GNU time at /usr/bin/time).
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
# One run: wall seconds and CPU seconds (user + sys) on one line.
run_once() {
  local start=$EPOCHREALTIME
  /usr/bin/time -o "$work/time" -f '%U %S' "$HARDEN" check "$tree" "$@" --no-record >/dev/null 2>&1 || true
  echo "$(echo "$EPOCHREALTIME - $start" | bc) $(tail -n 1 "$work/time" | awk '{print $1 + $2}')"
}
# The two are timed in turn (secret scan, set, secret scan, ...), so load that comes and goes on
# a shared machine falls on both alike.
: >"$work/secrets" && : >"$work/set"
for _ in $(seq "$RUNS"); do
  run_once --only R3.secrets.tree >>"$work/secrets"
  # shellcheck disable=SC2086 # one argument per gate
  run_once $static >>"$work/set"
done
secrets=$(cut -d' ' -f1 "$work/secrets" | median)
all=$(cut -d' ' -f1 "$work/set" | median)
secrets_cpu=$(cut -d' ' -f2 "$work/secrets" | median)
all_cpu=$(cut -d' ' -f2 "$work/set" | median)
echo "tree: $files files from $*"
echo "medians of $RUNS interleaved runs        wall      CPU (user + sys)"
echo "secret scan alone (R3.secrets.tree):  ${secrets} s    ${secrets_cpu} s"
echo "static set ($(echo "$static" | wc -w | awk '{print $1/2}') gates):            ${all} s    ${all_cpu} s"
echo "ratio: $(echo "$all / $secrets" | bc -l | cut -c1-4) (CPU: $(echo "$all_cpu / $secrets_cpu" | bc -l | cut -c1-4))"
