#!/usr/bin/env bash
# ci/fuzz.sh [SECONDS] [TARGET...] - fuzz execcore with cargo-fuzz (nightly): every target
# (or the ones named) for SECONDS each (default 600), from the committed corpus, then
# minimise the corpus. Each run is appended to the table in fuzz/README.md. A finding
# stops the script with libFuzzer's report; the input is in fuzz/artifacts/<target>/.
# EXECCORE_FUZZ_ROUND names the round in the table's first column.
# EXECCORE_FUZZ_SCRATCH=1 (ci/test.sh's short run): new inputs go to target/fuzz-scratch, the
# committed corpus is only read, nothing is minimised or recorded.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(header notes mips_records exec stack c_abi elfmap)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
[ -n "$(ls fuzz/corpus/header 2>/dev/null)" ] || python3 fuzz/seed.py

cargo +nightly fuzz build
for t in "${targets[@]}"; do
    log="target/fuzz-$t.log"
    mkdir -p target fuzz/corpus/"$t"
    # -timeout: an input that runs 10 s is a hang (a walk that never ends), a finding.
    dirs=(fuzz/corpus/"$t")
    if [ "${EXECCORE_FUZZ_SCRATCH:-0}" = 1 ]; then
        dirs=(target/fuzz-scratch/"$t" fuzz/corpus/"$t")
        mkdir -p "${dirs[0]}"
    fi
    if ! cargo +nightly fuzz run "$t" "${dirs[@]}" -- -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        tail -60 "$log"
        echo "ci/fuzz.sh: $t found something; the input is in fuzz/artifacts/$t/" >&2
        exit 1
    fi
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
    execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$done_line")
    cov=$(sed -E 's/.*cov: ([0-9]+).*/\1/' <<<"$done_line")
    ft=$(sed -E 's/.*ft: ([0-9]+).*/\1/' <<<"$done_line")
    if [ "${EXECCORE_FUZZ_SCRATCH:-0}" != 1 ]; then
        cargo +nightly fuzz cmin "$t" -- -rss_limit_mb=2048 >>"$log" 2>&1
    fi
    files=$(ls fuzz/corpus/"$t" | wc -l)
    echo "ci/fuzz.sh: $t: $execs executions in ${seconds} s, cov $cov, features $ft, corpus $files files, no finding"
    if [ "${EXECCORE_FUZZ_SCRATCH:-0}" != 1 ]; then
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | none |\n' "${EXECCORE_FUZZ_ROUND:--}" \
            "$(date -u +%F)" "$t" "$seconds" "$execs" "$cov" "$ft" "$files" >>fuzz/README.md
    fi
done
