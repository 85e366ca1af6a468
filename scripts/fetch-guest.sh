#!/usr/bin/env bash
# Fetches the guest from Debian's archive (nothing prebuilt is committed):
#   - the arm64 kernel: linux-image-arm64 -> guest/out/Image (raw arm64 Image)
#   - busybox-static:arm64 and the kernel modules the guest needs
# and builds guest/out/initramfs.cpio.gz with Tandem's own /init.
# Usage: scripts/fetch-guest.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in cpio gzip dpkg-deb apt-get; do
    command -v "$tool" >/dev/null || { echo "fetch-guest: $tool is missing (run scripts/setup.sh)" >&2; exit 1; }
done
OUT=guest/out
DL=$OUT/debs
mkdir -p "$DL"
[ "${1:-}" = "--force" ] && rm -f "$OUT/Image" "$OUT/initramfs.cpio.gz"

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
fi
have_lists() { apt-cache show busybox-static:arm64 >/dev/null 2>&1 && apt-cache depends linux-image-arm64:arm64 >/dev/null 2>&1; }
if ! have_lists; then
    # A mirror mid-sync can fail one index; go on if what we need resolves.
    for i in 1 2 3; do apt-get update -q >/dev/null 2>&1 && break; sleep 5; done || true
    have_lists || { echo "fetch-guest: Debian's arm64 package lists are not available (apt-get update failed)" >&2; exit 1; }
fi

kpkg=$(apt-cache depends linux-image-arm64:arm64 | sed -n 's/.*Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -1)
kpkg=${kpkg%:arm64}
[ -n "$kpkg" ] || { echo "fetch-guest: cannot resolve the kernel package behind linux-image-arm64" >&2; exit 1; }
echo "fetch-guest: kernel package $kpkg"

fetch() { # fetch PACKAGE: download its .deb into $DL once
    ls "$DL/$1"_*.deb >/dev/null 2>&1 && return 0
    for i in 1 2 3; do (cd "$DL" && apt-get download -q "$1:arm64" >/dev/null 2>&1) && return 0; sleep 3; done
    echo "fetch-guest: apt-get download $1:arm64 failed" >&2
    return 1
}
fetch "$kpkg"
fetch busybox-static

X=$OUT/extract
rm -rf "$X" && mkdir -p "$X"
dpkg-deb -x "$DL/${kpkg}"_*.deb "$X/kernel"
dpkg-deb -x "$DL"/busybox-static_*.deb "$X/busybox"
vmlinuz=$(ls "$X"/kernel/boot/vmlinuz-* | head -1)
kver=${vmlinuz##*/vmlinuz-}
if [ "$(head -c 2 "$vmlinuz" | od -An -tx1 | tr -d ' ')" = "1f8b" ]; then
    zcat "$vmlinuz" >"$OUT/Image"
else
    cp "$vmlinuz" "$OUT/Image"
fi
echo "$kver" >"$OUT/kernel-version"

# The guest's benchmark programs, built into build/guest-bin/ (copied below).
bash scripts/build-guest-bench.sh

# The initramfs: busybox, our /init and payloads, and the modules we use.
R=$OUT/rootfs
rm -rf "$R" && mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,tmp,root,lib/modules,usr/bin,usr/sbin}
cp "$X/busybox/bin/busybox" "$R/bin/busybox"
for m in virtio_mmio virtio_blk virtio_console failover net_failover virtio_net sp805_wdt; do
    f=$(find "$X/kernel/lib/modules/$kver" -name "$m.ko*" | head -1)
    [ -n "$f" ] && cp "$f" "$R/lib/modules/"
done
cp guest/init "$R/init"
chmod +x "$R/init"
if [ -d guest/rootfs ]; then cp -a guest/rootfs/. "$R/"; fi
if [ -d build/guest-bin ]; then mkdir -p "$R/usr/bin" && cp build/guest-bin/* "$R/usr/bin/" 2>/dev/null || true; fi
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -9 >"../initramfs.cpio.gz")
echo "fetch-guest: $OUT/Image ($(stat -c %s "$OUT/Image") bytes, $kver), $OUT/initramfs.cpio.gz ($(stat -c %s "$OUT/initramfs.cpio.gz") bytes)"
