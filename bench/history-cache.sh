#!/usr/bin/env bash
# The incremental history scan: R3.secrets.history on a first run (no cache) and on a second
# run with no new commit, on a real repository. Reports the gate's own duration (duration_ms)
# and peak RSS, medians of RUNS pairs.
#
# Usage: bench/history-cache.sh REPO_DIR          (a clone with its history; e.g. a fetched
#        RUNS=3 HARDEN=path/to/harden bench/history-cache.sh ...   snapshot of langfuse/langfuse)
set -euo pipefail
repo="${1:?a repository with history}"
HARDEN="${HARDEN:-${CARGO_TARGET_DIR:-target}/release/harden}"
RUNS="${RUNS:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
gate_ms() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['gates'][0]['duration_ms'])" "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "commits: $(git -C "$repo" rev-list --all --count)"
# The cache lives in the git directory (never in the work tree, where a commit could forge it).
cache="$(git -C "$repo" rev-parse --absolute-git-dir)/harden/cache"
mkdir -p "$repo/.harden"
for i in $(seq "$RUNS"); do
  rm -rf "$cache"
  /usr/bin/time -f "%M" -o "$out/rss-first-$i" "$HARDEN" check "$repo" --only R3.secrets.history --format json >"$out/first-$i.json" || true
  /usr/bin/time -f "%M" -o "$out/rss-second-$i" "$HARDEN" check "$repo" --only R3.secrets.history --format json >"$out/second-$i.json" || true
  cmp -s <(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['gates'][0]['findings'])" "$out/first-$i.json") \
         <(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['gates'][0]['findings'])" "$out/second-$i.json") \
    || { echo "run $i: the second run's findings differ" >&2; exit 1; }
done
first=$(for i in $(seq "$RUNS"); do gate_ms "$out/first-$i.json"; done | median)
second=$(for i in $(seq "$RUNS"); do gate_ms "$out/second-$i.json"; done | median)
rss1=$(cat "$out"/rss-first-* | sort -n | tail -1)
rss2=$(cat "$out"/rss-second-* | sort -n | tail -1)
printf 'first run:  %6d ms (peak %d MiB)\nsecond run: %6d ms (peak %d MiB)\nratio:      %.3f\n' \
  "$first" $((rss1 / 1024)) "$second" $((rss2 / 1024)) "$(echo "$second / $first" | bc -l)"
