#!/usr/bin/env bash
# fetch-busybox.sh DEBARCH DIR - Debian's busybox-static for DEBARCH (mipsel, arm64, ...),
# fetched once with `apt-get download` and unpacked with `dpkg-deb -x`; prints the path of
# the binary (DIR/busybox-DEBARCH). The architecture must be known to dpkg (ci/setup.sh
# adds mipsel and arm64) and apt's lists must be current.
set -euo pipefail
arch=$1 dir=$2
out=$dir/busybox-$arch
if [ ! -x "$out" ]; then
    mkdir -p "$dir"
    tmp=$(mktemp -d "$dir/fetch.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && apt-get download "busybox-static:$arch" >&2 && dpkg-deb -x busybox-static_*.deb x)
    cp "$(ls "$tmp"/x/bin/busybox "$tmp"/x/usr/bin/busybox 2>/dev/null | head -1)" "$out.tmp"
    chmod +x "$out.tmp"
    mv "$out.tmp" "$out"
fi
echo "$out"
