#!/usr/bin/env bash
# History secret scanning against `git log -p --all` (what a diff-based scanner has to read) on
# the same repository, alternating runs, medians and peak RSS.
#
# Usage: REPO=/path/to/clone [HARDEN=target/release/harden] [RUNS=5] bench/secrets-history.sh
# REPO must be a complete clone (every object present): `git log -p --all` stops at a missing
# object, while harden counts it as missing and goes on, which would not be a fair race.
set -euo pipefail

HARDEN=${HARDEN:-$(cd "$(dirname "$0")/.." && pwd)/target/release/harden}
RUNS=${RUNS:-5}
: "${REPO:?set REPO to a git clone}"
OUT=$(mktemp -d)

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

run() { # name, command...
    local name=$1
    shift
    /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$@" >/dev/null 2>"$OUT/$name.err" || true
    # GNU time writes "Command exited with non-zero status N" first when the exit is not 0.
    grep -v "^Command" "$OUT/$name.time" >>"$OUT/$name.runs"
}

git -C "$REPO" fsck --connectivity-only --no-dangling >/dev/null 2>&1 ||
    echo "warning: $REPO is missing objects; git log -p will stop early" >&2
commits=$(git -C "$REPO" rev-list --all --count)
blobs=$(git -C "$REPO" rev-list --objects --all --filter=object:type=blob | awk 'NF > 1' | wc -l)
pack=$(git -C "$REPO" count-objects -vH | awk '/size-pack/ { print $2, $3 }')

# Warm-up (page cache, kingfisher-style rule caches do not apply here).
git -C "$REPO" log -p --all >/dev/null 2>&1 || true
"$HARDEN" secrets scan "$REPO" --history --format json -o "$OUT/report.json" || true
for ((r = 1; r <= RUNS; r++)); do
    run git sh -c "git -C '$REPO' log -p --all"
    run harden "$HARDEN" secrets scan "$REPO" --history --format json -o "$OUT/report.json"
done

git_s=$(awk '{ print $1 }' "$OUT/git.runs" | median)
harden_s=$(awk '{ print $1 }' "$OUT/harden.runs" | median)
git_rss=$(awk '{ print $2 }' "$OUT/git.runs" | sort -n | tail -1)
harden_rss=$(awk '{ print $2 }' "$OUT/harden.runs" | sort -n | tail -1)
read_blobs=$(jq '.gates[] | select(.id == "R3.secrets.history") | .evidence.examined.blobs' "$OUT/report.json")

echo "raw runs in $OUT (wall s, peak KiB per line)" >&2
echo "## History: $(basename "$REPO")"
echo
echo "- $commits commits, $blobs blobs reachable from all refs, pack $pack; harden read $read_blobs text blobs (binary ones are counted, not scanned)"
echo "- $RUNS alternating runs after one warm-up each; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | median wall (s) | peak RSS (MiB) | vs git log -p |"
echo "| --- | ---: | ---: | ---: |"
printf '| `git log -p --all >/dev/null` | %.2f | %.0f | 1.00x |\n' "$git_s" "$(echo "$git_rss / 1024" | bc -l)"
printf '| `harden secrets scan --history` | %.2f | %.0f | %.2fx |\n' "$harden_s" "$(echo "$harden_rss / 1024" | bc -l)" "$(echo "$harden_s / $git_s" | bc -l)"
