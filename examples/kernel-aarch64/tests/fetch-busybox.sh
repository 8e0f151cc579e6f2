#!/bin/bash
# Fetches Debian's busybox-static for arm64 (downloaded and unpacked, not installed) into
# DEST; prints the path of the busybox binary. Needs the arm64 dpkg architecture and its
# package lists (ci/setup.sh adds them).
set -euo pipefail
dest=$1
bin="$dest/x/bin/busybox"
if [ ! -x "$bin" ]; then
    mkdir -p "$dest"
    (cd "$dest" && rm -f busybox-static_*.deb && apt-get download busybox-static:arm64 >&2 2>/dev/null \
        && dpkg-deb -x busybox-static_*.deb x)
fi
echo "$bin"
