#!/usr/bin/env bash
# ci/callgrind.sh - the instruction-count gate: header parsing and full `prepare` of the
# committed fixtures must not cost more instructions than bench/callgrind-baseline.tsv says.
#
#   ci/callgrind.sh            check (CI runs this from ci/test.sh); exits 1 outside tolerance
#   ci/callgrind.sh --bless    measure and rewrite the baseline (commit it with the change
#                              that moved the numbers, and say why in the commit message)
#
# What is counted: instructions executed inside the probe binary's own code (the Rust
# code of elf-stream, exec-core and the x86_64 policy) while `measured_<probe>` runs
# (callgrind --toggle-collect), divided by the probe's rounds. Process start-up is not
# counted, and neither is libc: glibc picks its memcpy/memset by CPU, so their counts
# differ between machines (they are printed, not gated). Wall time is never asserted.
# Tolerance: EXECCORE_CALLGRIND_TOLERANCE percent either way (default 3). A count far
# below the baseline fails too, so the baseline follows improvements and stays tight.
set -euo pipefail
cd "$(dirname "$0")/.."

BASELINE=bench/callgrind-baseline.tsv
TOLERANCE=${EXECCORE_CALLGRIND_TOLERANCE:-3}
PROBES="headers prepare"
bless=0
[ "${1:-}" = "--bless" ] && bless=1

command -v valgrind >/dev/null || { echo "valgrind is not installed (ci/setup.sh installs it)" >&2; exit 1; }
cargo build --quiet --release -p execcore-bench --bin callgrind-probe
probe=$(pwd)/target/release/callgrind-probe
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure PROBE: prints "own libc" instructions per round.
measure() {
    local out=$tmp/$1.out rounds
    rounds=$(valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect="*measured_$1*" \
        "$probe" "$1" 2>"$tmp/$1.log" | awk '{print $4}')
    [ -n "$rounds" ] || { cat "$tmp/$1.log" >&2; echo "callgrind-probe $1 failed" >&2; exit 1; }
    callgrind_annotate --threshold=100 --inclusive=no "$out" 2>/dev/null | awk -v bin="[$probe]" -v r="$rounds" '
        /^ *[0-9,]+ \(/ && !/PROGRAM TOTALS/ {
            n = $1; gsub(",", "", n)
            if (index($0, bin) > 0) own += n; else if ($0 ~ /libc/) libc += n
        }
        END { printf "%d %d\n", own / r, libc / r }'
}

status=0
declare -A base
if [ $bless = 0 ]; then
    [ -f "$BASELINE" ] || { echo "no $BASELINE: run ci/callgrind.sh --bless" >&2; exit 1; }
    while IFS=$'\t' read -r name count; do
        case $name in '#'* | '') continue ;; esac
        base[$name]=$count
    done <"$BASELINE"
fi
results=""
for p in $PROBES; do
    read -r own libc < <(measure "$p")
    results+="$p"$'\t'"$own"$'\n'
    if [ $bless = 1 ]; then
        printf '  %-8s %8d instructions per round (libc, not gated: %d)\n' "$p" "$own" "$libc"
        continue
    fi
    want=${base[$p]:-}
    [ -n "$want" ] || { echo "  $p: no baseline entry in $BASELINE" >&2; status=1; continue; }
    pct=$(awk -v a="$own" -v b="$want" 'BEGIN { printf "%+.2f", (a - b) * 100 / b }')
    verdict=ok
    if awk -v p="$pct" -v t="$TOLERANCE" 'BEGIN { exit !(p > t || p < -t) }'; then
        verdict="OUTSIDE ±$TOLERANCE%"
        status=1
    fi
    printf '  %-8s %8d instructions per round, baseline %d (%s%%) %s (libc, not gated: %d)\n' \
        "$p" "$own" "$want" "$pct" "$verdict" "$libc"
done
if [ $bless = 1 ]; then
    {
        echo "# Instructions per round of callgrind-probe (bench/src/bin/callgrind-probe.rs), own code"
        echo "# only, Rust 1.95 x86_64 release. Checked by ci/callgrind.sh; rewrite with --bless."
        printf '%s' "$results"
    } >"$BASELINE"
    echo "wrote $BASELINE"
elif [ $status != 0 ]; then
    echo "instruction counts moved: if intended, run ci/callgrind.sh --bless and commit $BASELINE" >&2
fi
exit $status
