#!/usr/bin/env bash
# Compressed swap: a 512 MiB guest in a 192 MiB machine-frame pool, its cold
# pages compressed by Tandem (--compress lzo|lz4|zstd). The workload is
# tb-memfill (guest/bench/memfill.c, run by guest/rootfs/usr/bin/tandem-memfill):
# 400 MiB of zero, same-filled, text, binary and random pages, every page
# checked on read-back, one digest per class. QEMU with the whole 512 MiB
# gives the reference digests in each run. The tests are in test_swap.py, one
# PASS or FAIL line each:
#  - the page checker catches a flipped bit (tb-memfill under qemu-aarch64-static);
#  - QEMU's run: mismatches=0, the reference digests;
#  - per algorithm, the optimised build: the same digests, the stats show pages
#    compressed and faulted back in within the pool, peak RSS near the pool;
#  - the sanitized build with lz4: the same, and no sanitizer report;
#  - --compress off: the VM pauses for memory, Tandem quits cleanly on request;
#  - two 512 MiB VMs in a 256 MiB pool, each with QEMU's digests;
#  - a protected VM (backup) in a pool smaller than its RAM, with failovers;
#  - random data (nothing to compress): paused with OUT_OF_MEMORY, not corrupted;
#  - query-swap's figures agree with each other; bad flags and keys are named.
# Debian's guest runs on both builds here. Every Tandem run is capped by
# --max-insns and a timeout.
# Environment: SWAP_ONLY=name,name (run only those tests), SWAP_WORK=DIR (keep
# every run's console and stderr there instead of a temporary directory).
set -u
cd "$(dirname "$0")/../.."
T=build/tandem
TS=build/test/tandem
K=guest/out/Image
I=guest/out/initramfs.cpio.gz
MF=build/guest-bin/tb-memfill
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
if [ -n "${SWAP_WORK:-}" ]; then
    W=$SWAP_WORK
    mkdir -p "$W"
else
    W=$(mktemp -d)
    trap 'rm -rf "$W"' EXIT
fi

missing=
for tool in timeout qemu-system-aarch64 qemu-aarch64-static cpio gzip "$PY"; do
    command -v "$tool" >/dev/null || missing+=" $tool"
done
[ -n "$missing" ] && echo "FAIL swap-tools (missing:$missing; scripts/setup.sh installs them)"
if [ ! -x "$T" ]; then
    echo "FAIL swap ($T is not built: run make)"
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
        echo "FAIL swap-assets (scripts/fetch-guest.sh failed)"
        tail -5 "$W/fetch.log"
        exit 0
    fi
fi

only=()
[ -n "${SWAP_ONLY:-}" ] && only=(--only "$SWAP_ONLY")
mkdir -p "$W/swap"
# The worst case is every run hitting its own timeout; a normal run is minutes.
timeout 2400 $PY tests/swap/test_swap.py --tandem "$T" --tandem-san "$TS" --work "$W/swap" --kernel "$K" \
    --initrd "$I" --memfill "$MF" "${only[@]}" ||
    echo "FAIL test_swap.py (exit $?)"
exit 0
