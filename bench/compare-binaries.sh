#!/usr/bin/env bash
# Two harden binaries on the same tree, interleaved, warm page cache: what a change to the
# detector (more rules, a new prefilter) costs or saves. Prints each binary's wall times and
# median, and the ratio NEW/OLD.
#
# Usage: OLD=/tmp/harden-old NEW=target/release/harden TREE=/some/checkout RUNS=5 bench/compare-binaries.sh
#   ARGS   harden arguments before TREE (default: "secrets scan"; output is JSON to /dev/null)
set -euo pipefail
: "${OLD:?path of the reference binary}" "${NEW:?path of the binary under test}" "${TREE:?directory to scan}"
RUNS=${RUNS:-5}
ARGS=${ARGS:-secrets scan}
declare -A times
# One untimed warm-up each fills the page cache.
for bin in "$OLD" "$NEW"; do $bin $ARGS "$TREE" --format json >/dev/null 2>&1 || true; done
for _ in $(seq "$RUNS"); do
  for name in old new; do
    bin=$OLD; [ "$name" = new ] && bin=$NEW
    start=$EPOCHREALTIME
    $bin $ARGS "$TREE" --format json >/dev/null 2>&1 || true
    end=$EPOCHREALTIME
    times[$name]+="$(echo "$end - $start" | bc) "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
old=$(echo "${times[old]}" | median)
new=$(echo "${times[new]}" | median)
echo "old: ${times[old]}(median $old s)"
echo "new: ${times[new]}(median $new s)"
echo "new/old: $(echo "scale=3; $new / $old" | bc)"
