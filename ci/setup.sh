#!/usr/bin/env bash
# ci/setup.sh - install what the tests need, idempotently (a fresh Debian 12 machine with
# rustup, gcc and python3). Sourced by ci/test.sh; safe to run by hand.
set -euo pipefail

have_target() { rustup target list --installed | grep -qx "$1"; }
for t in x86_64-unknown-none aarch64-unknown-none; do
    have_target "$t" || rustup target add "$t"
done
for c in rustfmt clippy; do
    rustup component list --installed | grep -q "^$c" || rustup component add "$c"
done

# Debian packages: install only what is missing (apt-get update once, if needed).
APT_NEEDED=()
need_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || APT_NEEDED+=("$1"); }
for p in ${EXECCORE_APT_PACKAGES:-}; do need_pkg "$p"; done
if [ ${#APT_NEEDED[@]} -gt 0 ]; then
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y --no-install-recommends "${APT_NEEDED[@]}"
fi
