#!/usr/bin/env bash
# Page sharing: two Debian guests with the same kernel and initramfs in one
# Tandem with --share all or vm, each running tb-memfill (the same pages in
# both); QEMU with the same RAM gives the reference digests. The tests are in
# test_share.py (it reuses tests/swap's helpers), one PASS or FAIL line each:
#  - --share all: both guests' digests equal QEMU's, a floor of memory saved,
#    copies on write seen;
#  - --share vm: the same digests, fewer frames saved than across VMs;
#  - the sanitized build: the same, and no sanitizer report;
#  - with compressed swap in a smaller pool and a protected guest that fails over;
#  - bad flags and config values are named.
# Environment: SHARE_ONLY=name,name (run only those tests), SHARE_WORK=DIR.
set -u
cd "$(dirname "$0")/../.."
T=build/tandem
TS=build/test/tandem
K=guest/out/Image
I=guest/out/initramfs.cpio.gz
MF=build/guest-bin/tb-memfill
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
if [ -n "${SHARE_WORK:-}" ]; then
    W=$SHARE_WORK
    mkdir -p "$W"
else
    W=$(mktemp -d)
    trap 'rm -rf "$W"' EXIT
fi

missing=
for tool in timeout qemu-system-aarch64 qemu-aarch64-static cpio gzip "$PY"; do
    command -v "$tool" >/dev/null || missing+=" $tool"
done
[ -n "$missing" ] && echo "FAIL share-tools (missing:$missing; scripts/setup.sh installs them)"
if [ ! -x "$T" ]; then
    echo "FAIL share ($T is not built: run make)"
    exit 0
fi

# The initramfs must hold tb-memfill as built from the current source.
stale=
for f in guest/bench/memfill.c guest/bench/common.c guest/bench/common.h guest/init \
         guest/rootfs/usr/bin/tandem-memfill scripts/build-guest-bench.sh; do
    [ "$I" -ot "$f" ] && stale=1
done
if [ ! -s "$K" ] || [ ! -s "$I" ] || [ ! -x "$MF" ] || [ -n "$stale" ] ||
   ! gzip -dc "$I" | cpio -t --quiet 2>/dev/null | grep -qx 'usr/bin/tb-memfill'; then
    if ! bash scripts/fetch-guest.sh >"$W/fetch.log" 2>&1; then
        echo "FAIL share-assets (scripts/fetch-guest.sh failed)"
        tail -5 "$W/fetch.log"
        exit 0
    fi
fi

only=()
[ -n "${SHARE_ONLY:-}" ] && only=(--only "$SHARE_ONLY")
mkdir -p "$W/share"
# The worst case is every run hitting its own timeout; a normal run is minutes.
timeout 2400 $PY tests/share/test_share.py --tandem "$T" --tandem-san "$TS" --work "$W/share" --kernel "$K" \
    --initrd "$I" --memfill "$MF" "${only[@]}" ||
    echo "FAIL test_share.py (exit $?)"
exit 0
