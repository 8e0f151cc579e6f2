#!/usr/bin/env bash
# bench.sh [--target mips|mipsel] - the kmips numbers of BENCHMARKS.md: for each program,
# the pages of its images that hold file bytes (program + interpreter, from the plan's
# mappings), the pages an eager load copies, and in lazy mode the TLB refills and the page
# faults served by execcore_resolve_fault over the whole run (libraries ld.so maps itself
# are the kernel's mmap, not counted as lazy faults; refills count every TLB miss).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
target=mipsel
[ "${1:-}" = --target ] && target=$2
case "$target" in mipsel) tag=le; sysroot=/usr/mipsel-linux-gnu ;; mips) tag=be; sysroot=/usr/mips-linux-gnu ;; esac
C=$ROOT/../shared/corpus/bin
progs=(tiny-mips-o32-$tag hello-mips-o32-$tag-static hello-mips-o32-$tag-dyn hello-mips-o32-$tag-dynpie)
[ "$target" = mipsel ] && progs+=(hello-mips-o32-le-musl-static)
make -s -C "$HERE" TARGET="$target" >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pack=(--root "$sysroot")
list=
for p in "${progs[@]}"; do pack+=(--prog "$C/$p=/bin/$p"); list+="/bin/$p"$'\n'; done
if [ "$target" = mipsel ]; then
    bb=$("$ROOT/examples/kernel-common/fetch-busybox.sh" mipsel "$ROOT/target/kernel-mips")
    pack+=(--add "$bb=/bin/busybox")
    list+="/bin/busybox"$'\t'"echo"$'\t'"hi"$'\n'
fi
python3 "$ROOT/examples/kernel-common/mkinitramfs.py" -o "$tmp/initrd" "${pack[@]}" --text "etc/kmips.run=$list"
for mode in eager mapped lazy; do
    "qemu-system-$target" -M malta -cpu 24Kf -m 256 -kernel "$ROOT/target/kernel-mips/kmips-$target.elf" \
        -initrd "$tmp/initrd" -append "kmips.mode=$mode" -vga none -net none -display none \
        -monitor none -no-reboot -serial null -serial "file:$tmp/log-$mode" </dev/null
done
echo "| program ($target, 24Kf) | file pages | eager: pages copied | mapped: pages copied | lazy: TLB refills | lazy: page faults |"
echo "|---|---:|---:|---:|---:|---:|"
paste <(grep ') exit status' "$tmp/log-eager") <(grep ') exit status' "$tmp/log-mapped") <(grep ') exit status' "$tmp/log-lazy") |
    sed -E 's/.*pid [0-9]+ \(([^)]*)\) exit status [0-9a-f]+: tlb refills [0-9]+, faults [0-9]+, file pages ([0-9]+), pages copied ([0-9]+)\t.*pages copied ([0-9]+)\tkmips: pid [0-9]+ \([^)]*\) exit status [0-9a-f]+: tlb refills ([0-9]+), faults ([0-9]+).*/| \1 | \2 | \3 | \4 | \5 | \6 |/' |
    sed 's#| /bin/#| #'
