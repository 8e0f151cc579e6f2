#!/usr/bin/env bash
# ci/miri.sh [CARGO TEST ARGS...] - the elf-stream, exec-core and ffi tests under Miri
# (nightly): undefined behaviour in the parsers, the planner, the loader and the C entry
# points called with Rust callbacks fails the run. Isolation is off so tests can read the
# fixtures; tests that spawn processes or scan hundreds of files are `ignore`d under Miri
# (`cfg_attr(miri, ignore = "why")`), the heaviest sweeps sample (fixtures only, every
# structure edge, every other address-space call), and proptest runs few cases.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup component list --toolchain nightly --installed | grep -q '^miri' ||
    rustup component add miri --toolchain nightly
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-disable-isolation}"
export PROPTEST_CASES="${PROPTEST_CASES:-4}"
# The three crates in parallel (about 13 minutes in all on 2 cores; ffi's MIPS tests are
# the longest): the C entry points (the crate with `unsafe`) and the two forbid(unsafe)
# crates. Every test binary runs even after a failure. Logs: target/miri-<crate>.log.
mkdir -p target
pids=()
for crate in ffi exec-core elf-stream; do
    cargo +nightly miri test --no-fail-fast -p "$crate" --target-dir "target/miri-$crate" "$@" \
        >"target/miri-$crate.log" 2>&1 &
    pids+=($!)
done
status=0
for i in 0 1 2; do
    wait "${pids[$i]}" || status=1
done
for crate in ffi exec-core elf-stream; do
    echo "== $crate"
    grep -E '^test result|^error|Undefined Behavior' "target/miri-$crate.log" || true
done
exit $status
