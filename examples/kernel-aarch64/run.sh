#!/bin/bash
# Runs a Linux arm64 program on kernel-aarch64 under qemu-system-aarch64 -M virt.
#
#   run.sh [--mode eager|mapped|lazy] [--cpu max|cortex-a57] [--mem MB] [--root SYSROOT]...
#          [--add HOSTFILE=PATH]... [--prog HOSTFILE=PATH]... [--log FILE] [--timeout SECONDS]
#          (PROG [ARGS...] | --batch FILE)
#
# Builds the kernel if needed, packs PROG at /bin/<name> with its interpreter and
# libraries from the SYSROOTs (like qemu -L; several are searched in order, default /), the --add files as they are and the --prog
# programs with their libraries, boots, and runs PROG with ARGS as the first process.
# Standard output is exactly the program's output (stdout and stderr merged); the kernel
# log goes to standard error (or FILE); the exit status is the program's (128+signal
# when killed). --batch runs each line of FILE (tab-separated arguments) in turn in one
# boot and frames each program's output with \002BEGIN n\003 and
# \002END n code free-pages-before free-pages-after\003. KERNEL_QEMU_ARGS adds qemu options
# (bench.sh: -icount shift=0, one instruction per virtual nanosecond).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mode=eager cpu=max mem=512 log= batch= timeout=${KERNEL_TIMEOUT:-120}
packs=()
roots=()
while [ $# -gt 0 ]; do
    case "$1" in
        --mode) mode=$2; shift 2 ;;
        --cpu) cpu=$2; shift 2 ;;
        --mem) mem=$2; shift 2 ;;
        --root) roots+=(--root "$2"); shift 2 ;;
        --add) packs+=(--add "$2"); shift 2 ;;
        --prog) packs+=(--prog "$2"); shift 2 ;;
        --log) log=$2; shift 2 ;;
        --batch) batch=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --) shift; break ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
case "$mode" in eager|mapped|lazy) ;; *) echo "run.sh: --mode eager|mapped|lazy" >&2; exit 2 ;; esac

# Build (cargo decides whether anything changed), then the flat Image qemu boots.
(cd "$here" && cargo build --release --quiet)
elf="$here/target/aarch64-unknown-none/release/kernel-aarch64"
image="$here/target/aarch64-unknown-none/release/Image"
if [ ! -e "$image" ] || [ "$elf" -nt "$image" ]; then
    # Written aside and renamed: a concurrent run never boots a half-written image.
    aarch64-linux-gnu-objcopy -O binary "$elf" "$image.$$"
    mv -f "$image.$$" "$image"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
markers=
if [ -n "$batch" ]; then
    cp "$batch" "$work/batch"
    markers=markers=1
else
    [ $# -ge 1 ] || { echo "run.sh: PROG or --batch FILE needed" >&2; exit 2; }
    prog=$1; shift
    guest="/bin/$(basename "$prog")"
    packs+=(--prog "$prog=$guest")
    line=$guest
    for a in "$@"; do line+=$'\t'"$a"; done
    printf '%s\n' "$line" > "$work/batch"
fi
packs+=(--add "$work/batch=/etc/batch")
python3 "$here/../kernel-common/mkinitramfs.py" -o "$work/initrd" "${roots[@]}" "${packs[@]}"

err=/dev/stderr
[ -n "$log" ] && err=$log
status=0
timeout --foreground "$timeout" qemu-system-aarch64 -M virt -cpu "$cpu" -m "$mem" -nic none \
    -display none -monitor none -serial stdio -semihosting-config enable=on,target=native \
    -kernel "$image" -initrd "$work/initrd" -append "mode=$mode $markers" ${KERNEL_QEMU_ARGS:-} \
    </dev/null 2>>"$err" || status=$?
if [ "$status" = 124 ]; then
    echo "run.sh: the boot did not finish within ${timeout}s" >&2
fi
exit "$status"
