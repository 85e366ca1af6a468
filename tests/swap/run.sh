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
SUITE=swap
. "$(dirname "$0")/memfill-suite.sh"
