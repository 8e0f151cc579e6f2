#!/usr/bin/env bash
# run.sh - run one MIPS o32 program as the first process of the kmips kernel under qemu.
#
#   run.sh [--target mips|mipsel] [--cpu NAME] [--mode eager|mapped|lazy] [--mem MB]
#          [--root SYSROOT] [--add HOSTFILE=PATH]... [--log FILE] [--timeout SEC]
#          [--append KERNEL-ARGS] PROG [ARGS...]
#
# Builds libexeccore.a and the kernel if needed, packs PROG (as /bin/NAME), its interpreter
# and libraries from SYSROOT (default /usr/<triplet>) and the extra files into an
# initramfs, boots qemu-system-<target> -M malta, prints the program's standard output and
# error (merged) on standard output, the kernel log on standard error (or --log FILE), and
# exits with the program's exit status (128+signal when killed; 125 when the kernel
# failed, 124 on timeout, 127 when exec failed). --append passes kernel arguments
# (ieee754=strict|legacy|2008|relaxed|emulated, as Linux's).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

target=mipsel cpu=24Kf mode=eager mem=256 sysroot= log= timeout=60 append=
adds=()
while [ $# -gt 0 ]; do
    case "$1" in
        --target) target=$2; shift 2 ;;
        --cpu) cpu=$2; shift 2 ;;
        --mode) mode=$2; shift 2 ;;
        --mem) mem=$2; shift 2 ;;
        --root) sysroot=$2; shift 2 ;;
        --add) adds+=(--add "$2"); shift 2 ;;
        --log) log=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --append) append=$2; shift 2 ;;
        --) shift; break ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { sed -n 2,12p "$0" >&2; exit 2; }
case "$target" in
    mipsel) triplet=mipsel-linux-gnu ;;
    mips) triplet=mips-linux-gnu ;;
    *) echo "run.sh: --target mips or mipsel" >&2; exit 2 ;;
esac
case "$mode" in eager|mapped|lazy) ;; *) echo "run.sh: --mode eager, mapped or lazy" >&2; exit 2 ;; esac
[ -n "$sysroot" ] || sysroot=/usr/$triplet

prog=$1; shift
name=/bin/$(basename "$prog")
line=$name
for a in "$@"; do line+=$'\t'"$a"; done

make -s -C "$HERE" TARGET="$target" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$ROOT/examples/kernel-common/mkinitramfs.py" -o "$tmp/initrd" --root "$sysroot" \
    --prog "$prog=$name" "${adds[@]}" --text "etc/kmips.run=$line"
status=0
timeout "$timeout" "qemu-system-$target" -M malta -cpu "$cpu" -m "$mem" \
    -kernel "$ROOT/target/kernel-mips/kmips-$target.elf" -initrd "$tmp/initrd" \
    -append "kmips.mode=$mode $append" -vga none -net none -display none -monitor none -no-reboot \
    -serial "file:$tmp/out" -serial "file:$tmp/log" </dev/null || status=$?
if [ -n "$log" ]; then cp "$tmp/log" "$log"; else cat "$tmp/log" >&2; fi
[ "$status" = 124 ] && { echo "run.sh: timeout after ${timeout}s" >&2; exit 124; }
python3 "$HERE/markers.py" "$tmp/out"
