#!/usr/bin/env bash
# ci/test.sh - the one test command: what CI runs and what a developer runs before pushing.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "setup"
# Debian packages the tests need: the host C harness (static glibc); qemu-user and the
# aarch64/MIPS/riscv64 cross toolchains and sysroots for the cross-built harnesses, the
# corpus and the fixtures; qemu-system (arm, mips, misc = riscv64), cpio and bc for the
# real-kernel oracles (../shared/sysoracle); musl for
# arm64, mips64el and mipsel (foreign architectures, added by setup.sh); valgrind for the
# instruction-count gate.
export EXECCORE_APT_PACKAGES="${EXECCORE_APT_PACKAGES:-} make gcc g++ libc6-dev binutils python3 coreutils valgrind
  qemu-user-static qemu-system-arm qemu-system-mips qemu-system-misc cpio bc
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  gcc-mips-linux-gnu libc6-dev-mips-cross gcc-mipsel-linux-gnu libc6-dev-mipsel-cross
  gcc-mips64-linux-gnuabi64 gcc-mips64el-linux-gnuabi64 binutils-mips64-linux-gnuabi64
  libc6-dev-mipsn32-mips64-cross libc6-dev-mipsn32-mips64el-cross
  libn32gcc-12-dev-mips64-cross libn32gcc-12-dev-mips64el-cross
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  musl:arm64 musl-dev:arm64 musl:mips64el musl-dev:mips64el musl:mipsel musl-dev:mipsel"
source ci/setup.sh

step "format"
cargo fmt --all --check
cargo fmt --manifest-path fuzz/Cargo.toml --all --check
(cd examples/kernel-aarch64 && cargo fmt --check)

step "clippy"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --manifest-path fuzz/Cargo.toml --all-targets -- -D warnings
# libexeccore.a's own crate: a workspace of its own (its [lints] repeat the library rules).
cargo clippy --manifest-path ffi/staticlib/Cargo.toml -- -D warnings
# The example kernel: its own workspace, built for aarch64-unknown-none (its .cargo/config.toml).
(cd examples/kernel-aarch64 && cargo clippy --release -- -D warnings)

step "docs (every crate, warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

step "MSRV: the library crates build with the declared rust-version"
MSRV=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
rustup toolchain list | grep -q "^$MSRV" || rustup toolchain install "$MSRV" --profile minimal
cargo "+$MSRV" build --target-dir target/msrv -p elf-stream -p exec-core -p arch-x86_64 -p arch-aarch64 \
    -p arch-mips -p arch-riscv64 -p ffi

step "crates package (each verified against the others' packages)"
# The verification builds each crate against the others' freshly packed .crate files, but
# cargo reuses an extraction of the same name and version left in CARGO_HOME by an earlier
# run from the same path (a stale elf-stream 0.1.0): remove those first.
for c in elf-stream exec-core arch-x86_64 arch-aarch64 arch-mips arch-riscv64 ffi; do
    rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/"$c"-[0-9]*
done
cargo package --allow-dirty -p elf-stream -p exec-core -p arch-x86_64 -p arch-aarch64 -p arch-mips \
    -p arch-riscv64 -p ffi

step "tests"
cargo test --workspace

step "C ABI stack: every entry point within 4 KiB (painted stack, release build: ffi/tests/stack.rs)"
cargo test --release -p ffi --test stack

step "C ABI: the header in C89/C99/C11 and C++ (ffi/tests/header.rs, run above), the minimal example on /bin/true"
make -C examples/c minimal_exec
examples/c/minimal_exec /bin/true

step "fuzz corpus replay (every corpus and artifact file, stable)"
cargo test --manifest-path fuzz/Cargo.toml -p fuzz-cases

step "fuzz, time-boxed (20 s per target; ci/fuzz.sh runs the long ones)"
EXECCORE_FUZZ_SCRATCH=1 ci/fuzz.sh 20

step "instruction counts (callgrind gate; benchmarks themselves: ci/bench.sh)"
ci/callgrind.sh

step "no_std builds"
for t in x86_64-unknown-none aarch64-unknown-none; do
    cargo build -p elf-stream --target "$t"
done
# riscv64: the parser, the planner and the policy, for the kernels written for it first.
cargo build -p elf-stream -p exec-core -p arch-riscv64 --target riscv64gc-unknown-none-elf

step "libexeccore.a for kernel targets + symbol check"
ci/build-lib.sh

step "all passed"
