#!/bin/bash
# BENCHMARKS.md numbers for kernel-aarch64: per program and load mode, the pages of the
# program and interpreter files, pages copied by the load (eager, mapped), pages mapped
# in place from the initramfs (mapped), image pages faulted in and the file reads they
# made (lazy), read_at calls during exec, and the exec path's instruction count (qemu
# -icount shift=0: one instruction per virtual nanosecond; the kernel times exec with
# the generic timer). Prints a Markdown table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/../../../shared/corpus/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
busybox=$("$here/tests/fetch-busybox.sh" "$here/target/busybox-arm64")
progs=(hello-aarch64-glibc-static hello-aarch64-glibc-staticpie hello-aarch64-glibc-dyn hello-aarch64-glibc-dynpie
    hello-aarch64-musl-static hello-aarch64-musl-staticpie hello-aarch64-musl-dynpie rusthello-aarch64-gnu)
packs=()
: > "$work/batch"
for p in "${progs[@]}"; do
    packs+=(--prog "$corpus/$p=/bin/$p")
    echo "/bin/$p" >> "$work/batch"
done
packs+=(--add "$busybox=/bin/busybox")
printf '/bin/busybox\techo\thi\n' >> "$work/batch"
# The 72 MiB program of testdata/src/big.
python3 - "$work/blob.bin" <<'PY'
import sys
n = 72 << 20
b = bytearray(n)
for i in range(n):
    b[i] = (((i * 0x9e3779b1) & 0xffffffff) >> 24) ^ ((i >> 20) & 0xff)
open(sys.argv[1], "wb").write(b)
PY
aarch64-linux-gnu-gcc -O2 -static -o "$work/big" "$here/../../testdata/src/big/big.c" \
    "$here/../../testdata/src/big/blob.S" -DBLOB_BYTES=$((72 << 20)) "-Wa,-I$work"
packs+=(--prog "$work/big=/bin/big")
echo "/bin/big" >> "$work/batch"

echo "| program | mode | file pages | pages copied | pages mapped in place | image pages faulted | fault reads | read_at in exec | exec instructions |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for mode in eager mapped lazy; do
    KERNEL_QEMU_ARGS="-icount shift=0" "$here/run.sh" --mode "$mode" --root /usr/aarch64-linux-gnu --root / \
        "${packs[@]}" --batch "$work/batch" --log "$work/log-$mode" --timeout 600 > /dev/null
    # The first process of each batch line exits last: its exit line precedes the batch line.
    awk -v mode="$mode" '
        /^exit: / { last = $0; next }
        /^batch [0-9]+: exit code/ {
            n = split(last, f, " ")
            for (i = 1; i < n; i++) v[f[i]] = f[i + 1]
            name = v["exe"]; sub(".*/", "", name)
            if (name == "busybox") name = "busybox echo"
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name, mode, v["file_pages"], v["pages_copied"],
                v["pages_borrowed"], v["image_faults"], v["fault_reads"], v["read_at"], v["exec_ns"]
        }' "$work/log-$mode"
done
