#!/usr/bin/env bash
# testdata/build.sh - rebuild execcore's own ELF test fixtures into testdata/bin/ and
# regenerate testdata/MANIFEST.tsv; build, inspect and run every one of them.
#
# The tests use the committed binaries: this script is only needed to change or rebuild
# them. It is idempotent: each run rebuilds every fixture from testdata/src/ (the output is
# byte-for-byte reproducible with the same toolchain), removes files in bin/ that are not
# fixtures, and exits non-zero if any build, ELF check or run check fails.
#
# Needs a Debian 12 x86_64 host with these packages (installed here with apt-get only when a
# required compiler/tool is missing):
#   apt-get install -y --no-install-recommends \
#     gcc libc6-dev binutils python3 qemu-user-static \
#     gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
#     gcc-mips-linux-gnu libc6-dev-mips-cross \
#     gcc-mipsel-linux-gnu libc6-dev-mipsel-cross \
#     gcc-mips64-linux-gnuabi64 libc6-dev-mips64-cross \
#     gcc-mips64el-linux-gnuabi64 libc6-dev-mips64el-cross \
#     libc6-dev-mipsn32-mips64-cross libc6-dev-mipsn32-mips64el-cross \
#     libn32gcc-12-dev-mips64-cross libn32gcc-12-dev-mips64el-cross \
#     gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
# and rustc with the riscv64gc-unknown-linux-gnu target (added with rustup when missing).
# Optional (only for aarch64-musl-dyn-pie; not installed by this script because it adds a
# foreign dpkg architecture; without it the committed binary is kept and not re-checked):
#   dpkg --add-architecture arm64 && apt-get update && \
#     apt-get install -y --no-install-recommends musl:arm64 musl-dev:arm64
#
# Usage: testdata/build.sh            (from anywhere; no arguments)
set -uo pipefail
export LC_ALL=C

TD=$(cd "$(dirname "$0")" && pwd)
SRC=$TD/src
BIN=$TD/bin
MANIFEST=$TD/MANIFEST.tsv
WORK=$(mktemp -d "${TMPDIR:-/tmp}/execcore-testdata.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ------------------------------------------------------------------ tools
REQUIRED_TOOLS="gcc:gcc readelf:binutils python3:python3 cmp:diffutils timeout:coreutils
qemu-aarch64-static:qemu-user-static qemu-mips-static:qemu-user-static
qemu-mipsel-static:qemu-user-static qemu-mips64-static:qemu-user-static
qemu-mips64el-static:qemu-user-static qemu-mipsn32-static:qemu-user-static
qemu-mipsn32el-static:qemu-user-static qemu-riscv64-static:qemu-user-static
riscv64-linux-gnu-gcc:gcc-riscv64-linux-gnu
aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu
mips-linux-gnu-gcc:gcc-mips-linux-gnu mipsel-linux-gnu-gcc:gcc-mipsel-linux-gnu
mips64-linux-gnuabi64-gcc:gcc-mips64-linux-gnuabi64
mips64el-linux-gnuabi64-gcc:gcc-mips64el-linux-gnuabi64"
# Libraries the compilers need for hello.c (checked by file, installed by package).
REQUIRED_FILES="/usr/include/stdio.h:libc6-dev
/usr/aarch64-linux-gnu/include/stdio.h:libc6-dev-arm64-cross
/usr/mips-linux-gnu/include/stdio.h:libc6-dev-mips-cross
/usr/mipsel-linux-gnu/include/stdio.h:libc6-dev-mipsel-cross
/usr/mips64-linux-gnuabi64/include/stdio.h:libc6-dev-mips64-cross
/usr/mips64el-linux-gnuabi64/include/stdio.h:libc6-dev-mips64el-cross
/usr/mips64-linux-gnuabi64/lib32/libc.so:libc6-dev-mipsn32-mips64-cross
/usr/mips64el-linux-gnuabi64/lib32/libc.so:libc6-dev-mipsn32-mips64el-cross
/usr/lib/gcc-cross/mips64-linux-gnuabi64/12/n32/libgcc.a:libn32gcc-12-dev-mips64-cross
/usr/lib/gcc-cross/mips64el-linux-gnuabi64/12/n32/libgcc.a:libn32gcc-12-dev-mips64el-cross
/usr/riscv64-linux-gnu/include/stdio.h:libc6-dev-riscv64-cross"

ensure_tools() {
    local missing=() entry
    for entry in $REQUIRED_TOOLS; do
        command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
    done
    for entry in $REQUIRED_FILES; do
        [ -e "${entry%%:*}" ] || missing+=("${entry#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    # shellcheck disable=SC2207
    missing=($(printf '%s\n' "${missing[@]}" | sort -u))
    echo "== installing missing packages: ${missing[*]}"
    local sudo=
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || { echo "not root and no sudo: install ${missing[*]}" >&2; exit 1; }
        sudo=sudo
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq && $sudo apt-get install -y --no-install-recommends "${missing[@]}" || {
        echo "apt-get install failed" >&2
        exit 1
    }
}

if [ "$(uname -m)" != x86_64 ]; then
    echo "build.sh: the x86_64 fixtures are built with the host gcc and run natively: needs an x86_64 host" >&2
    exit 1
fi
ensure_tools
RUST_RV64=riscv64gc-unknown-linux-gnu
rustup target list --installed | grep -qx $RUST_RV64 || rustup target add $RUST_RV64 || {
    echo "rustup target add $RUST_RV64 failed" >&2
    exit 1
}

# ------------------------------------------------------------------ bookkeeping
FAILED=()
NAMES=()
declare -A ROW         # name -> manifest columns after "name" (arch..description, without class/endian/type/interp)
KEPT=()                # optional fixtures kept from a previous build (compiler missing)

fail() { FAILED+=("$1: $2"); printf '  FAIL  %s: %s\n' "$1" "$2"; }

# elf_field FILE class|endian|type|interp
elf_field() {
    local f=$1
    case $2 in
        class) readelf -hW "$f" | awk -F: '/^ *Class:/ {gsub(/ /, "", $2); print $2}' ;;
        endian) readelf -hW "$f" | awk -F: '/^ *Data:/ {print ($2 ~ /little/ ? "LE" : "BE")}' ;;
        type) readelf -hW "$f" | awk -F: '/^ *Type:/ {sub(/^ +/, "", $2); split($2, a, " "); print a[1]}' ;;
        interp)
            local i
            i=$(readelf -lW "$f" | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p')
            echo "${i:--}"
            ;;
    esac
}

# run_check NAME FILE QEMU SYSROOT: run it (natively when QEMU is -) and compare stdout + status.
run_check() {
    local name=$1 f=$2 qemu=$3 sysroot=$4 cmd=() rc
    if [ "$qemu" = - ]; then
        cmd=("$f")
    elif [ "$sysroot" = - ]; then
        cmd=("$qemu" "$f")
    else
        cmd=("$qemu" -L "$sysroot" "$f")
    fi
    printf 'fixture: %s ok\n' "$name" > "$WORK/$name.expected"
    timeout 30 "${cmd[@]}" > "$WORK/$name.out" 2> "$WORK/$name.err" < /dev/null
    rc=$?
    if [ $rc -ne 0 ]; then
        fail "$name" "exit status $rc from ${cmd[*]} ($(head -c 300 "$WORK/$name.err"))"
        return 1
    fi
    if ! cmp -s "$WORK/$name.expected" "$WORK/$name.out"; then
        fail "$name" "stdout '$(head -c 200 "$WORK/$name.out")' is not '$(cat "$WORK/$name.expected")'"
        return 1
    fi
    return 0
}

# fx NAME ARCH ABI TYPE INTERP QEMU SYSROOT DESCRIPTION -- COMPILER ARGS...
#   Build with the compiler into a scratch file (the command gets -o FILE appended), check
#   e_type and the interpreter against TYPE/INTERP, run it, then install it into bin/.
#   Extra checks for one fixture go in check_<name with - as _> if such a function exists.
fx() {
    local name=$1 arch=$2 abi=$3 type=$4 interp=$5 qemu=$6 sysroot=$7 desc=$8
    shift 9
    NAMES+=("$name")
    ROW[$name]="$arch	$abi	$type	$interp	$qemu	$sysroot	$desc"
    local out=$WORK/$name
    if ! "$@" -o "$out" > "$WORK/$name.log" 2>&1; then
        fail "$name" "build failed: $* ($(tail -c 600 "$WORK/$name.log"))"
        return
    fi
    if [ -s "$WORK/$name.log" ]; then
        # Warnings are failures: the fixtures are meant to be clean.
        fail "$name" "build printed: $(head -c 600 "$WORK/$name.log")"
        return
    fi
    local got
    got=$(elf_field "$out" type)
    [ "$got" = "$type" ] || { fail "$name" "e_type $got, want $type"; return; }
    got=$(elf_field "$out" interp)
    [ "$got" = "$interp" ] || { fail "$name" "interpreter $got, want $interp"; return; }
    local extra=check_${name//-/_}
    if declare -F "$extra" >/dev/null; then
        "$extra" "$out" || return
    fi
    run_check "$name" "$out" "$qemu" "$sysroot" || return
    install -m 0755 "$out" "$BIN/$name"
    printf '  ok    %-24s %6d bytes\n' "$name" "$(stat -c %s "$BIN/$name")"
}

# Optional fixture whose compiler is missing: keep the committed binary (if any) as it is.
keep() {
    local name=$1 why=$2
    shift 2
    NAMES+=("$name")
    ROW[$name]="$1	$2	$3	$4	$5	$6	$7"
    if [ -f "$BIN/$name" ]; then
        KEPT+=("$name")
        printf '  kept  %-24s (%s; committed binary kept, not rebuilt or run)\n' "$name" "$why"
    else
        printf '  skip  %-24s (%s)\n' "$name" "$why"
    fi
}

mkdir -p "$BIN"
HELLO=$SRC/hello.c
CFLAGS=(-O2 -g0 -Wall -Wextra -s)
FREE=(-nostdlib -static -no-pie -s)        # freestanding ET_EXEC
defname() { printf -- "-DFIXTURE_NAME=\"%s\"" "$1"; }

# ------------------------------------------------------------------ extra checks
check_x86_64_static_pie() {
    local f=$1 r
    r=$(readelf -rW "$f")
    if ! grep -q 'There are no relocations in this file' <<< "$r"; then
        fail x86_64-static-pie "has relocations (nothing would apply them): $r"
        return 1
    fi
}

check_aarch64_bti() {
    local f=$1
    if ! readelf -nW "$f" | grep -q 'AArch64 feature: .*BTI'; then
        fail aarch64-bti "readelf -n shows no GNU_PROPERTY_AARCH64_FEATURE_1_AND with BTI"
        return 1
    fi
    if ! readelf -lW "$f" | grep -q '^ *GNU_PROPERTY '; then
        fail aarch64-bti "no PT_GNU_PROPERTY program header"
        return 1
    fi
}

# PT_MIPS_OPTIONS shown by readelf (2.40 says OPTIONS; others MIPS_OPTIONS or LOPROC+0x2),
# and its bytes hold our two records.
mips_options_check() {
    local name=$1 f=$2
    if ! readelf -lW "$f" | grep -Eq '^ *(MIPS_OPTIONS|OPTIONS|LOPROC\+0x2) '; then
        fail "$name" "readelf -lW shows no PT_MIPS_OPTIONS"
        return 1
    fi
    if ! python3 "$SRC/tools/mips-options.py" "$f" 2=0x40f01 4=0x9 > "$WORK/$name.options" 2>&1; then
        fail "$name" "option records: $(cat "$WORK/$name.options")"
        return 1
    fi
}
check_mips_n64_le_options() { mips_options_check mips-n64-le-options "$1"; }
check_mips_o32_be_options() { mips_options_check mips-o32-be-options "$1"; }

# The riscv64 static-pies: no relocations, and every PT_LOAD aligned as asked.
riscv64_static_pie_check() {
    local name=$1 f=$2 align=$3 r
    r=$(readelf -rW "$f")
    if ! grep -q 'There are no relocations in this file' <<< "$r"; then
        fail "$name" "has relocations (nothing would apply them): $r"
        return 1
    fi
    if readelf -lW "$f" | awk '$1 == "LOAD" {print $NF}' | grep -vqx "$align"; then
        fail "$name" "a PT_LOAD is not aligned to $align: $(readelf -lW "$f" | grep LOAD)"
        return 1
    fi
}
check_riscv64_static_pie() { riscv64_static_pie_check riscv64-static-pie "$1" 0x1000; }
check_riscv64_static_pie_64k() { riscv64_static_pie_check riscv64-static-pie-64k "$1" 0x10000; }

# ------------------------------------------------------------------ x86_64 (host gcc, run natively)
echo "== x86_64"
fx x86_64-static x86_64 lp64 EXEC - - - \
    "freestanding (no libc) static ET_EXEC: raw write/exit syscalls" -- \
    gcc "${FREE[@]}" "$(defname x86_64-static)" "$SRC/x86_64.S"
fx x86_64-static-pie x86_64 lp64 DYN - - - \
    "freestanding static-pie: ET_DYN without PT_INTERP, RIP-relative code, no relocations" -- \
    gcc -nostdlib -static-pie -s "$(defname x86_64-static-pie)" "$SRC/x86_64.S"
fx x86_64-dyn-pie x86_64 lp64 DYN /lib64/ld-linux-x86-64.so.2 - - \
    "glibc dynamic PIE (hello.c, printf)" -- \
    gcc "${CFLAGS[@]}" -fPIE -pie "$(defname x86_64-dyn-pie)" "$HELLO"
fx x86_64-dyn-exec x86_64 lp64 EXEC /lib64/ld-linux-x86-64.so.2 - - \
    "glibc dynamic non-PIE ET_EXEC with PT_INTERP (hello.c)" -- \
    gcc "${CFLAGS[@]}" -fno-PIE -no-pie "$(defname x86_64-dyn-exec)" "$HELLO"

# ------------------------------------------------------------------ aarch64
echo "== aarch64"
A64=aarch64-linux-gnu-gcc
A64SR=/usr/aarch64-linux-gnu
fx aarch64-static aarch64 lp64 EXEC - qemu-aarch64-static - \
    "freestanding static ET_EXEC, 64 KiB-aligned PT_LOAD" -- \
    $A64 "${FREE[@]}" "$(defname aarch64-static)" "$SRC/aarch64.S"
# -z norelro: binutils 2.40 aligns the end of RELRO to the 64 KiB max page size, which pads
# the file to ~67 KiB; without RELRO the file is ~5 KiB and the PT_LOADs stay 64 KiB-aligned.
fx aarch64-dyn-pie aarch64 lp64 DYN /lib/ld-linux-aarch64.so.1 qemu-aarch64-static $A64SR \
    "glibc dynamic PIE (hello.c), 64 KiB-aligned PT_LOADs, linked -z norelro to stay small" -- \
    $A64 "${CFLAGS[@]}" -fPIE -pie -Wl,-z,norelro "$(defname aarch64-dyn-pie)" "$HELLO"
fx aarch64-bti aarch64 lp64 EXEC - qemu-aarch64-static - \
    "freestanding static ET_EXEC with PT_GNU_PROPERTY: AARCH64_FEATURE_1_AND = BTI|PAC; entry starts with bti c" -- \
    $A64 -mbranch-protection=standard -Wl,-z,force-bti "${FREE[@]}" "$(defname aarch64-bti)" "$SRC/aarch64.S"
MUSL_A64=aarch64-linux-musl-gcc
MUSL_ROW=(aarch64 lp64 DYN /lib/ld-musl-aarch64.so.1 qemu-aarch64-static /
    "musl dynamic PIE (hello.c), interpreter /lib/ld-musl-aarch64.so.1 (qemu -L / finds the host's musl:arm64)")
if command -v $MUSL_A64 >/dev/null 2>&1 && [ -e /lib/ld-musl-aarch64.so.1 ]; then
    fx aarch64-musl-dyn-pie "${MUSL_ROW[@]}" -- \
        $MUSL_A64 "${CFLAGS[@]}" -fPIE -pie -Wl,-z,norelro "$(defname aarch64-musl-dyn-pie)" "$HELLO"
else
    keep aarch64-musl-dyn-pie "$MUSL_A64 or /lib/ld-musl-aarch64.so.1 missing" "${MUSL_ROW[@]}"
fi

# ------------------------------------------------------------------ MIPS o32 / n32 / n64, BE + LE
echo "== mips"
# abi endian compiler                     -mabi       qemu                   sysroot (-L)                 text base
MIPS_CFGS="
o32 be mips-linux-gnu-gcc                 -mabi=32    qemu-mips-static       /usr/mips-linux-gnu          0x400000
o32 le mipsel-linux-gnu-gcc               -mabi=32    qemu-mipsel-static     /usr/mipsel-linux-gnu        0x400000
n32 be mips64-linux-gnuabi64-gcc          -mabi=n32   qemu-mipsn32-static    /usr/mips64-linux-gnuabi64   0x10000000
n32 le mips64el-linux-gnuabi64-gcc        -mabi=n32   qemu-mipsn32el-static  /usr/mips64el-linux-gnuabi64 0x10000000
n64 be mips64-linux-gnuabi64-gcc          -mabi=64    qemu-mips64-static     /usr/mips64-linux-gnuabi64   0x120000000
n64 le mips64el-linux-gnuabi64-gcc        -mabi=64    qemu-mips64el-static   /usr/mips64el-linux-gnuabi64 0x120000000
"
while read -r abi en cc mabi qemu sr base; do
    [ -z "$abi" ] && continue
    case $abi in n32 | n64) interp=/lib64/ld.so.1 ;; *) interp=/lib/ld.so.1 ;; esac
    [ "$abi" = n32 ] && interp=/lib32/ld.so.1
    t=mips-$abi-$en
    fx "$t-static" mips "$abi" EXEC - "$qemu" - \
        "freestanding static ET_EXEC ($abi, ${en^^}): raw syscalls, no GOT" -- \
        $cc $mabi "${FREE[@]}" "$(defname "$t-static")" "$SRC/mips.S"
    fx "$t-dyn" mips "$abi" EXEC $interp "$qemu" "$sr" \
        "glibc dynamic non-PIE ET_EXEC with PT_INTERP ($abi, ${en^^}; hello.c)" -- \
        $cc $mabi "${CFLAGS[@]}" -fno-PIE -no-pie "$(defname "$t-dyn")" "$HELLO"
    if [ "$t" = mips-o32-le ] || [ "$t" = mips-n64-le ]; then
        fx "$t-dyn-pie" mips "$abi" DYN $interp "$qemu" "$sr" \
            "glibc dynamic PIE ($abi, ${en^^}; hello.c)" -- \
            $cc $mabi "${CFLAGS[@]}" -fPIE -pie "$(defname "$t-dyn-pie")" "$HELLO"
    fi
    if [ "$t" = mips-o32-be ] || [ "$t" = mips-n64-le ]; then
        fx "$t-options" mips "$abi" EXEC - "$qemu" - \
            "freestanding static ET_EXEC with PT_MIPS_OPTIONS over .MIPS.options: ODK_EXCEPTIONS info 0x40f01 (PRECISEFP, FPU_MAX 0xf, FPU_MIN 0x1), ODK_HWPATCH info 0x9 (R4KEOP|R5KCVTL)$([ $abi = n64 ] && echo '; assembler ODK_REGINFO first')" -- \
            $cc $mabi -DWITH_OPTIONS "${FREE[@]}" -Wl,-T,"$SRC/mips-options.ld" -Wl,-Ttext-segment=$base \
            "$(defname "$t-options")" "$SRC/mips.S"
    fi
done <<< "$MIPS_CFGS"

# ------------------------------------------------------------------ riscv64
echo "== riscv64"
RV=riscv64-linux-gnu-gcc
RVSR=/usr/riscv64-linux-gnu
RVQ=qemu-riscv64-static
# Bookworm's toolchain cannot link a glibc static-pie (glibc 2.36 has no rcrt1.o, gcc 12
# ignores -static-pie for riscv): the static-pies are freestanding, linked without a
# dynamic linker.
RVPIE=(-nostdlib -static-pie -Wl,--no-dynamic-linker -s)
fx riscv64-static riscv64 lp64d EXEC - $RVQ - \
    "freestanding static ET_EXEC (lp64d, RVC): raw write/exit syscalls" -- \
    $RV "${FREE[@]}" "$(defname riscv64-static)" "$SRC/riscv64.S"
fx riscv64-static-pie riscv64 lp64d DYN - $RVQ - \
    "freestanding static-pie, 4 KiB-aligned PT_LOADs, PC-relative code, no relocations" -- \
    $RV "${RVPIE[@]}" "$(defname riscv64-static-pie)" "$SRC/riscv64.S"
# -z norelro: otherwise the RW segment's RELRO end is padded to 64 KiB in the file.
fx riscv64-static-pie-64k riscv64 lp64d DYN - $RVQ - \
    "freestanding static-pie, 64 KiB-aligned PT_LOADs (max-page-size 0x10000, -z norelro), no relocations" -- \
    $RV "${RVPIE[@]}" -Wl,-z,max-page-size=0x10000 -Wl,-z,norelro "$(defname riscv64-static-pie-64k)" \
    "$SRC/riscv64.S"
fx riscv64-glibc-static riscv64 lp64d EXEC - $RVQ - \
    "glibc static ET_EXEC (hello.c, printf; TLS segment)" -- \
    $RV "${CFLAGS[@]}" -static "$(defname riscv64-glibc-static)" "$HELLO"
fx riscv64-dyn-pie riscv64 lp64d DYN /lib/ld-linux-riscv64-lp64d.so.1 $RVQ $RVSR \
    "glibc dynamic PIE (hello.c)" -- \
    $RV "${CFLAGS[@]}" -fPIE -pie "$(defname riscv64-dyn-pie)" "$HELLO"
fx riscv64-dyn-exec riscv64 lp64d EXEC /lib/ld-linux-riscv64-lp64d.so.1 $RVQ $RVSR \
    "glibc dynamic non-PIE ET_EXEC with PT_INTERP (hello.c)" -- \
    $RV "${CFLAGS[@]}" -fno-PIE -no-pie "$(defname riscv64-dyn-exec)" "$HELLO"
# rustc takes the output as -o FILE like the compilers; the name comes from the environment.
fx riscv64-rust-std riscv64 lp64d DYN /lib/ld-linux-riscv64-lp64d.so.1 $RVQ $RVSR \
    "Rust std program (hello.rs: println!, ExitCode) for riscv64gc-unknown-linux-gnu, dynamic PIE against glibc" -- \
    env FIXTURE_NAME=riscv64-rust-std rustc --edition 2021 --target $RUST_RV64 -C linker=$RV \
    -C opt-level=s -C panic=abort -C codegen-units=1 -C debuginfo=0 -C strip=symbols "$SRC/hello.rs"

# ------------------------------------------------------------------ bin/ clean-up and manifest
for f in "$BIN"/* "$BIN"/.[!.]*; do
    [ -e "$f" ] || continue
    b=$(basename "$f")
    [ -n "${ROW[$b]+x}" ] || { echo "  removing stale $b"; rm -rf "$f"; }
done

{
    printf 'name\tarch\tabi\tclass\tendian\ttype\tinterp\tqemu\tsysroot\tstdout\tdescription\n'
    for n in "${NAMES[@]}"; do
        f=$BIN/$n
        [ -f "$f" ] || continue
        IFS=$'\t' read -r arch abi type interp qemu sr desc <<< "${ROW[$n]}"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$arch" "$abi" \
            "$(elf_field "$f" class)" "$(elf_field "$f" endian)" "$(elf_field "$f" type)" \
            "$(elf_field "$f" interp)" "$qemu" "$sr" "fixture: $n ok" "$desc"
    done
} > "$MANIFEST"

echo
total=0
for n in "${NAMES[@]}"; do [ -f "$BIN/$n" ] && total=$((total + 1)); done
echo "fixtures in bin/: $total (manifest: $MANIFEST)"
if [ ${#KEPT[@]} -gt 0 ]; then echo "kept without rebuilding: ${KEPT[*]}"; fi
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "FAILED (${#FAILED[@]}):"
    printf '  %s\n' "${FAILED[@]}"
    exit 1
fi
echo "all fixtures built and checked"
