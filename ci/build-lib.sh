#!/usr/bin/env bash
# ci/build-lib.sh - build libexeccore.a for kernel targets and check its undefined symbols.
#
#   ci/build-lib.sh [TARGET...]     default: x86_64-unknown-linux-gnu x86_64-unknown-none aarch64-unknown-none
#                                            riscv64gc-unknown-none-elf riscv64gc-unknown-linux-gnu
#
# Output: target/<TARGET>/release/libexeccore.a (MIPS bare-metal targets mips-mti-none-elf and
# mipsel-mti-none-elf are tier 3: nightly builds core with -Zbuild-std=core). The check links every exported execcore_*
# function with --gc-sections and fails if anything other than the kernel-provided
# execcore_panic and the memory builtins (memcpy, memmove, memset, memcmp, bcmp) is left
# undefined. Set LIBEXECCORE_CHECK_ONLY=path/to/lib.a to only check a given library.
# EXECCORE_LIB_TARGET_DIR (default target) is the cargo target directory: a build started
# from inside `cargo test` uses its own, so it never waits on the outer cargo's lock.
# EXECCORE_LIB_ARCH=arch-mips (or arch-x86_64, arch-aarch64, arch-riscv64) builds a
# one-architecture library. Without arguments the script also builds each one-architecture
# library for x86_64-unknown-none (target/one-arch/libexeccore-ARCH.a) and checks that each
# links smaller than the all-architecture one (text + data after --gc-sections).
set -euo pipefail
cd "$(dirname "$0")/.."

ALLOWED="execcore_panic memcpy memmove memset memcmp bcmp"

ld_for() {
    case "$1" in
        x86_64-*) echo ld ;;
        aarch64-*) echo aarch64-linux-gnu-ld ;;
        riscv64*) echo riscv64-linux-gnu-ld ;;
        mips64el-*) echo mips64el-linux-gnuabi64-ld ;;
        mips64-*) echo mips64-linux-gnuabi64-ld ;;
        mipsel-*) echo mipsel-linux-gnu-ld ;;
        mips-*) echo mips-linux-gnu-ld ;;
        *) echo ld ;;
    esac
}

# check_symbols LIB LD: prints the undefined symbols left after gc and fails on extras.
check_symbols() {
    local lib=$1 ld=$2 tmp
    tmp=$(mktemp -d)
    local syms args=()
    syms=$(nm -g --defined-only "$lib" 2>/dev/null | awk '$2=="T" && $3 ~ /^execcore_/ {print $3}' | sort -u)
    [ -n "$syms" ] || { echo "no execcore_* symbols in $lib" >&2; return 1; }
    for s in $syms; do args+=(-u "$s"); done
    "$ld" -r --gc-sections "${args[@]}" -o "$tmp/all.o" "$lib"
    local undefined bad=()
    undefined=$(readelf -sW "$tmp/all.o" | awk '$7=="UND" && $8!="" {print $8}' | sort -u)
    for u in $undefined; do
        case " $ALLOWED " in *" $u "*) ;; *) bad+=("$u") ;; esac
    done
    rm -rf "$tmp"
    echo "  $lib: $(echo "$syms" | wc -l) exported, undefined: $(echo $undefined)"
    if [ ${#bad[@]} -gt 0 ]; then
        echo "  unexpected undefined symbols: ${bad[*]}" >&2
        return 1
    fi
}

if [ -n "${LIBEXECCORE_CHECK_ONLY:-}" ]; then
    check_symbols "$LIBEXECCORE_CHECK_ONLY" "${LIBEXECCORE_LD:-ld}"
    exit
fi

# linked_size LIB LD: bytes of code and data a kernel links from LIB (every execcore_*
# function kept, the rest collected).
linked_size() {
    local lib=$1 ld=$2 tmp args=()
    tmp=$(mktemp -d)
    for s in $(nm -g --defined-only "$lib" 2>/dev/null | awk '$2=="T" && $3 ~ /^execcore_/ {print $3}' | sort -u); do
        args+=(-u "$s")
    done
    "$ld" -r --gc-sections "${args[@]}" -o "$tmp/all.o" "$lib"
    size -A "$tmp/all.o" | awk '$1 ~ /^\.(text|rodata|data)/ {n += $2} END {print n + 0}'
    rm -rf "$tmp"
}

TDIR=${EXECCORE_LIB_TARGET_DIR:-target}
FEATURES=()
[ -z "${EXECCORE_LIB_ARCH:-}" ] || FEATURES=(--no-default-features --features "panic-handler,$EXECCORE_LIB_ARCH")
DEFAULT_RUN=0
[ $# -gt 0 ] || DEFAULT_RUN=1
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(x86_64-unknown-linux-gnu x86_64-unknown-none aarch64-unknown-none
    riscv64gc-unknown-none-elf riscv64gc-unknown-linux-gnu)
for t in "${TARGETS[@]}"; do
    case "$t" in
        # Tier 3 (no prebuilt core): nightly builds core from rust-src.
        mips*-mti-none-elf | mips*-unknown-linux-*)
            cargo +nightly build -Zbuild-std=core --release --manifest-path ffi/staticlib/Cargo.toml --target-dir "$TDIR" --target "$t" "${FEATURES[@]}" ;;
        *)
            rustup target list --installed | grep -qx "$t" || rustup target add "$t"
            cargo build --release --manifest-path ffi/staticlib/Cargo.toml --target-dir "$TDIR" --target "$t" "${FEATURES[@]}" ;;
    esac
    check_symbols "$TDIR/$t/release/libexeccore.a" "$(ld_for "$t")"
done

if [ "$DEFAULT_RUN" = 1 ] && [ -z "${EXECCORE_LIB_ARCH:-}" ]; then
    t=x86_64-unknown-none
    out="$TDIR/one-arch"
    mkdir -p "$out"
    all=$(linked_size "$TDIR/$t/release/libexeccore.a" ld)
    echo "  all architectures: $all bytes linked"
    for arch in arch-x86_64 arch-aarch64 arch-mips arch-riscv64; do
        cargo build --release --manifest-path ffi/staticlib/Cargo.toml --target-dir "$TDIR" --target "$t" \
            --no-default-features --features "panic-handler,$arch"
        cp "$TDIR/$t/release/libexeccore.a" "$out/libexeccore-$arch.a"
        check_symbols "$out/libexeccore-$arch.a" ld
        one=$(linked_size "$out/libexeccore-$arch.a" ld)
        echo "  $arch only: $one bytes linked ($((one * 100 / all)) % of all)"
        if [ "$one" -ge "$all" ]; then
            echo "  $arch: a one-architecture library is not smaller than the full one" >&2
            exit 1
        fi
    done
    # Leave the full library where the default build put it.
    cargo build --release --manifest-path ffi/staticlib/Cargo.toml --target-dir "$TDIR" --target "$t"
fi
