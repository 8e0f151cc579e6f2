#!/usr/bin/env bash
# ci/test.sh - the one test command: what CI runs and what a developer runs before pushing.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "setup"
# Debian packages the tests need (the C harness links statically against glibc).
export EXECCORE_APT_PACKAGES="${EXECCORE_APT_PACKAGES:-} make gcc libc6-dev binutils python3"
source ci/setup.sh

step "format"
cargo fmt --all --check

step "clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "tests"
cargo test --workspace

step "no_std builds"
for t in x86_64-unknown-none aarch64-unknown-none; do
    cargo build -p elf-stream --target "$t"
done

step "libexeccore.a for kernel targets + symbol check"
ci/build-lib.sh

step "all passed"
