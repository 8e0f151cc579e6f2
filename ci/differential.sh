#!/bin/sh
# Differential test against the real kernels, long runs:
#
#   ci/differential.sh [N] [host|aarch64|mips64el|mipsel|all]     (default: 3000 host)
#
# host: N mutants of the x86_64 fixtures, corpus and host programs executed on the host
# kernel under ptrace and planned by execcore (arch-x86_64/tests/differential.rs).
# aarch64, mips64el, mipsel: N mutants through the real kernels of ../shared/sysoracle
# (arch-aarch64 and arch-mips tests/differential.rs; one boot per few hundred mutants,
# results cached by the mutants' SHA-256).
# Prints the agreement and every class of difference with examples; fails when the
# agreement drops below the floor the test asserts or an accepted plan is unsound.
# DIFFERENTIAL_SEED changes the seed; DIFFERENTIAL_KEEP=DIR keeps each mutant that differs;
# DIFFERENTIAL_EXAMPLES=N lists N examples of each difference (default 4).
set -eu
cd "$(dirname "$0")/.."
N="${1:-3000}"
WHICH="${2:-host}"
run() { # package test-name filter
    DIFFERENTIAL_MUTANTS="$N" nice cargo test --release -q -p "$1" --test differential -- --nocapture --test-threads=1 "$2"
}
case "$WHICH" in
    host) run arch-x86_64 host ;;
    aarch64) run arch-aarch64 aarch64 ;;
    mips64el) run arch-mips mips64el ;;
    mipsel) run arch-mips mipsel ;;
    all)
        status=0
        run arch-x86_64 host || status=1
        run arch-aarch64 aarch64 || status=1
        run arch-mips mips64el || status=1
        run arch-mips mipsel || status=1
        exit $status ;;
    *) echo "usage: $0 [N] [host|aarch64|mips64el|mipsel|all]" >&2; exit 2 ;;
esac
