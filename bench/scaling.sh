#!/usr/bin/env bash
# Growth of harden's cost with hostile input sizes (issue 20): each case is built at n and 2n and
# timed; a ratio near 2 means linear, near 4 quadratic. Medians of RUNS runs, same machine, same
# run, so the ratio is what to read (the machine is noisy).
#
# Usage (from the repository root): bench/scaling.sh
#   HARDEN  binary (default: target dir's release/harden; build it with cargo build --release -p harden)
#   RUNS    timed runs per size (default 5)
#
# Cases:
#   uses      one workflow with n unpinned `uses:` steps        (check --only R4.pinning.actions)
#   waivers   harden.toml with n path waivers                   (check --only R7.runbooks)
#   pinned    the same workflow with every `uses:` pinned        (the reference: no findings)
#   npm-line  a package-lock.json of n packages on one line, non-ASCII in every entry (R4.sbom:
#             every package located by line and column)
#   yarn      a yarn.lock of n entries                           (R4.sbom)
#   pipfile   a Pipfile.lock of n packages, minified              (R4.sbom)
#   composer  a Composer monorepo of n path packages, each with its composer.json, locked in the
#             root's composer.lock                                (R4.lockfiles)
set -euo pipefail
cd "$(dirname "$0")/.."
HARDEN="${HARDEN:-${CARGO_TARGET_DIR:-target}/release/harden}"
RUNS="${RUNS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

make_uses() { # dir n pinned
  mkdir -p "$1/.github/workflows"; git -C "$1" init -q
  python3 - "$1" "$2" "$3" <<'PY'
import sys
d, n, pinned = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
ref = "8e5e7e5ab8b370d6c329ec480221332ada57f0ab" if pinned else "v{}"
lines = ["on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:"]
lines += [f"      - uses: actions/checkout@{ref.format(i)}" for i in range(n)]
open(f"{d}/.github/workflows/ci.yml", "w").write("\n".join(lines) + "\n")
PY
}

make_waivers() { # dir n
  mkdir -p "$1"; git -C "$1" init -q
  python3 - "$1" "$2" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
out = ['version = 1', '[service]', 'name = "x"', 'owners = ["a@example.com"]',
       'scope = "HTTP API for invoices and payments; excludes the admin UI"', '']
for i in range(n):
    out += ['[[waiver]]', 'gate = "R7.runbooks"', f'path = "docs/legacy/{i}/*.md"', 'reason = "being rewritten"',
            'owner = "dana@example.com"', f'reference = "OPS-{i}"', 'expires = 2027-03-01', '']
open(f"{d}/harden.toml", "w").write("\n".join(out))
PY
}

make_lock() { # dir n kind
  mkdir -p "$1"; git -C "$1" init -q
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d, n, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kind == "npm-line":
    packages = {"": {"name": "app", "version": "1.0.0", "dependencies": {"p0": "^1.0.0"}}}
    for i in range(n):
        packages[f"node_modules/p{i}"] = {"version": "1.0.0", "integrity": "sha512-é" + "a" * 40,
                                          "requires": {f"p{(i + 1) % n}": "^1"}}
    text = json.dumps({"name": "app", "lockfileVersion": 3, "packages": packages},
                      separators=(",", ":"), ensure_ascii=False)
    open(f"{d}/package-lock.json", "w").write(text)
elif kind == "yarn":
    entries = "".join(f'p{i}@^1.0.0:\n  version "1.0.0"\n  resolved "https://r.example/p{i}.tgz"\n\n' for i in range(n))
    open(f"{d}/yarn.lock", "w").write("# yarn lockfile v1\n\n" + entries)
else:
    default = {f"p{i}": {"version": "==1.0.0", "hashes": ["sha256:aa"]} for i in range(n)}
    open(f"{d}/Pipfile.lock", "w").write(json.dumps({"default": default, "develop": {}}, separators=(",", ":")))
PY
}

make_composer() { # dir n
  mkdir -p "$1"; git -C "$1" init -q
  python3 - "$1" "$2" <<'PY'
import json, os, sys
d, n = sys.argv[1], int(sys.argv[2])
packages = []
for i in range(n):
    os.makedirs(f"{d}/packages/p{i}", exist_ok=True)
    json.dump({"name": f"acme/p{i}", "require": {"psr/log": "^3.0"}}, open(f"{d}/packages/p{i}/composer.json", "w"))
    packages.append({"name": f"acme/p{i}", "version": "dev-main", "dist": {"type": "path", "url": f"packages/p{i}"}})
packages.append({"name": "psr/log", "version": "3.0.0"})
json.dump({"name": "acme/root", "require": {f"acme/p{i}": "*" for i in range(n)},
           "repositories": [{"type": "path", "url": "packages/*"}]}, open(f"{d}/composer.json", "w"))
json.dump({"packages": packages, "packages-dev": []}, open(f"{d}/composer.lock", "w"), indent=4)
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

time_case() { # dir gate
  for _ in $(seq "$RUNS"); do
    local start=$EPOCHREALTIME
    "$HARDEN" check "$1" --only "$2" --no-record >/dev/null || true
    echo "$EPOCHREALTIME - $start" | bc
  done | median
}

printf '%-8s %8s %10s %8s %10s %7s\n' case n median_s 2n median_s ratio
for spec in "uses 20000 R4.pinning.actions" "pinned 20000 R4.pinning.actions" "waivers 10000 R7.runbooks" \
  "npm-line 25000 R4.sbom" "yarn 25000 R4.sbom" "pipfile 25000 R4.sbom" "composer 3000 R4.lockfiles"; do
  read -r name n gate <<<"$spec"
  for size in "$n" $((n * 2)); do
    dir="$work/$name-$size"
    case "$name" in
      uses) make_uses "$dir" "$size" 0 ;;
      pinned) make_uses "$dir" "$size" 1 ;;
      waivers) make_waivers "$dir" "$size" ;;
      npm-line | yarn | pipfile) make_lock "$dir" "$size" "$name" ;;
      composer) make_composer "$dir" "$size" ;;
    esac
  done
  a=$(time_case "$work/$name-$n" "$gate")
  b=$(time_case "$work/$name-$((n * 2))" "$gate")
  printf '%-8s %8d %10.3f %8d %10.3f %7.2f\n' "$name" "$n" "$a" $((n * 2)) "$b" "$(echo "$b / $a" | bc -l)"
done
