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

TDIR=${EXECCORE_LIB_TARGET_DIR:-target}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(x86_64-unknown-linux-gnu x86_64-unknown-none aarch64-unknown-none
    riscv64gc-unknown-none-elf riscv64gc-unknown-linux-gnu)
for t in "${TARGETS[@]}"; do
    case "$t" in
        # Tier 3 (no prebuilt core): nightly builds core from rust-src.
        mips*-mti-none-elf | mips*-unknown-linux-*)
            cargo +nightly build -Zbuild-std=core --release --manifest-path ffi/staticlib/Cargo.toml --target-dir "$TDIR" --target "$t" ;;
        *)
            rustup target list --installed | grep -qx "$t" || rustup target add "$t"
            cargo build --release --manifest-path ffi/staticlib/Cargo.toml --target-dir "$TDIR" --target "$t" ;;
    esac
    check_symbols "$TDIR/$t/release/libexeccore.a" "$(ld_for "$t")"
done
