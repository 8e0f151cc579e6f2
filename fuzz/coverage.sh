#!/usr/bin/env bash
# fuzz/coverage.sh [TARGET...] - line coverage of execcore's library code by the committed
# fuzz corpus: `cargo fuzz coverage` per target, profiles merged, one row per crate (lines
# covered by at least one target). Prints a Markdown table. Needs nightly llvm-tools.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(header notes mips_records exec stack c_abi elfmap)
rustup component list --toolchain nightly --installed | grep -q '^llvm-tools' ||
    rustup component add llvm-tools-preview --toolchain nightly
llvm="$(rustc +nightly --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin"
bins=()
for t in "${targets[@]}"; do
    cargo +nightly fuzz coverage "$t" >"target/fuzz-coverage-$t.log" 2>&1
    bins+=(-object "target/x86_64-unknown-linux-gnu/coverage/x86_64-unknown-linux-gnu/release/$t")
done
profiles=()
for t in "${targets[@]}"; do profiles+=("fuzz/coverage/$t/coverage.profdata"); done
"$llvm/llvm-profdata" merge -sparse "${profiles[@]}" -o target/fuzz-coverage.profdata
# Columns of `llvm-cov report`: file, regions (3), functions (3), lines (3), branches (3).
"$llvm/llvm-cov" report "${bins[@]}" -instr-profile=target/fuzz-coverage.profdata |
    awk -v root="$PWD/" '
        index($1, root) == 1 || index("/" $1, root) == 1 {
            f = $1; sub(".*" substr(root, 2), "", f); sub("^/", "", f)
            split(f, part, "/"); crate = part[1]
            if (crate == "fuzz" || crate == "test-support" || crate == "examples") next
            lines[crate] += $8; missed[crate] += $9
        }
        END {
            for (c in lines)
                printf "| %s | %d | %d | %.1f%% |\n", c, lines[c], lines[c] - missed[c], 100 * (lines[c] - missed[c]) / lines[c]
        }' | sort >target/fuzz-coverage.md
echo "| crate | lines | covered | line coverage |"
echo "|---|---|---|---|"
cat target/fuzz-coverage.md
