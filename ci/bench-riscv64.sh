#!/usr/bin/env bash
# ci/bench-riscv64.sh - the riscv64 numbers of BENCHMARKS.md ("riscv64"): for every riscv64
# fixture, what `prepare` reads and the stack it needs (execplan --stats, the Rust API on
# the host) and what the cross-built C harness does under qemu-riscv64 (--verify-faults:
# pages loaded, stack high-water of prepare + load, read calls and bytes), eager and
# mapped. Counts only (no wall time: qemu-user's would say nothing about a riscv64 kernel).
# Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
SYSROOT=/usr/riscv64-linux-gnu
cargo build --quiet --release -p execplan
make --quiet -C examples/c TARGET=riscv64 >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| fixture | prepare: read calls, bytes | stack: prepare_into / load (Rust) | harness eager: pages, stack, reads, bytes | harness mapped: pages, stack, reads, bytes |"
echo "|---|---|---|---|---|"
for f in testdata/bin/riscv64-*; do
    name=$(basename "$f")
    stats=$(target/release/execplan --stats --json --root "$SYSROOT" "$f" | python3 -c '
import json, sys
s = json.load(sys.stdin)["stats"]
print("%d, %d B | %d B / %d B" % (s["read_calls"], s["bytes_read"], s["stack"]["prepare_into"], s["stack"]["load"]))')
    cells=()
    for mode in eager mapped; do
        qemu-riscv64-static -L "$SYSROOT" examples/c/exec-harness-riscv64 --mode "$mode" --root "$SYSROOT" \
            --verify-faults "$tmp/$mode" "$f" >/dev/null
        cells+=("$(python3 -c '
import sys
kv = dict(zip(*[iter(open(sys.argv[1]).read().split())] * 2))
assert kv["mismatches"] == "0", kv
print("%s, %s B, %s, %s B" % (kv["pages"], kv["stack"], kv["reads"], kv["read_bytes"]))' "$tmp/$mode")")
    done
    echo "| $name | $stats | ${cells[0]} | ${cells[1]} |"
done
