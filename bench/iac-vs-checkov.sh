#!/usr/bin/env bash
# harden's infrastructure-as-code checks next to checkov on the same trees (issue 15: the IaC
# checks in a tenth of checkov's time). harden runs the gates that read Terraform and Kubernetes
# manifests (R1.network.exposure, R3.identity.federated); checkov its terraform and kubernetes
# frameworks, offline (no policy download, no platform mapping). Medians of RUNS runs each, same
# machine, same run; finding counts beside the times.
#
# Usage: bench/iac-vs-checkov.sh REPO...      HARDEN (default: release build), CHECKOV (checkov
#        on PATH), RUNS (5)
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
HARDEN="${HARDEN:-${CARGO_TARGET_DIR:-$HERE/target}/release/harden}"
CHECKOV="${CHECKOV:-checkov}"
RUNS="${RUNS:-5}"
export BC_SKIP_MAPPING=TRUE
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_it() {
  for _ in $(seq "$RUNS"); do
    local start=$EPOCHREALTIME
    "$@" >/dev/null 2>&1 || true
    echo "$EPOCHREALTIME - $start" | bc
  done | median
}
harden_iac() {
  # harden exits 1 when a gate fails.
  (cd "$1" && "$HARDEN" check . --only R1.network.exposure --only R3.identity.federated --no-record "${@:2}") || true
}
checkov_iac() {
  # checkov exits 1 when a check fails.
  "$CHECKOV" -d "$1" --framework terraform kubernetes --quiet --compact --skip-download "${@:2}" || true
}
printf '%-50s %10s %10s %7s %9s %9s\n' repository harden_s checkov_s ratio harden_n checkov_n
for repo in "$@"; do
  h=$(time_it harden_iac "$repo")
  c=$(time_it checkov_iac "$repo")
  hn=$(harden_iac "$repo" --format json 2>/dev/null | python3 -c '
import json, sys
print(sum(len(g["findings"]) for g in json.load(sys.stdin)["gates"]))')
  cn=$(checkov_iac "$repo" -o json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d if isinstance(d, list) else [d]
print(sum(len(r.get("results", {}).get("failed_checks", [])) for r in d))')
  printf '%-50s %10s %10s %7s %9s %9s\n' "$(basename "$repo")" "$h" "$c" \
    "$(echo "$c / $h" | bc -l | cut -c1-6)" "$hn" "$cn"
done
