#!/usr/bin/env bash
# ci/setup.sh - install what the tests need, idempotently, on a fresh Debian 12 machine
# that has rustup (stable + nightly), gcc and python3. Sourced by ci/test.sh; safe to run
# by hand (as root, or with sudo). Installs only what is missing.
set -euo pipefail

SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

# Rust: kernel targets for the no_std builds and libexeccore.a, aarch64 and riscv64 Linux
# for the cross-built C harnesses (riscv64 also for the Rust std fixture's rebuild),
# nightly rust-src for the MIPS staticlibs (tier 3: -Zbuild-std=core).
have_target() { rustup target list --installed | grep -qx "$1"; }
for t in x86_64-unknown-none aarch64-unknown-none aarch64-unknown-linux-gnu \
    riscv64gc-unknown-none-elf riscv64gc-unknown-linux-gnu; do
    have_target "$t" || rustup target add "$t"
done
for c in rustfmt clippy; do
    rustup component list --installed | grep -q "^$c" || rustup component add "$c"
done
rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src' ||
    rustup component add rust-src --toolchain nightly
# cargo-fuzz (nightly) for the short fuzz run in ci/test.sh and for ci/fuzz.sh.
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Debian packages (EXECCORE_APT_PACKAGES, from ci/test.sh): the C harness, qemu-user for
# the cross-built harnesses, the cross compilers and sysroots the corpus programs run
# against, qemu-system + cpio + bc for ../shared/sysoracle (the real arm64/MIPS/riscv64 kernels),
# musl for arm64/mips64el/mipsel (foreign dpkg architectures).
FOREIGN_ARCHS="arm64 mips64el mipsel"
APT_NEEDED=()
need_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || APT_NEEDED+=("$1"); }
for p in ${EXECCORE_APT_PACKAGES:-}; do need_pkg "$p"; done
if [ ${#APT_NEEDED[@]} -gt 0 ]; then
    for a in $FOREIGN_ARCHS; do
        dpkg --print-foreign-architectures | grep -qx "$a" || $SUDO dpkg --add-architecture "$a"
    done
    $SUDO apt-get update -qq
    $SUDO apt-get install -y --no-install-recommends "${APT_NEEDED[@]}"
fi
