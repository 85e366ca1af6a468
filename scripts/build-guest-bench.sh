#!/usr/bin/env bash
# Cross-compiles the guest benchmark programs (guest/bench/*.c, lmbench-style:
# tb-bw-mem, tb-lat-syscall, tb-lat-proc, tb-lat-ctx; tb-chain, the
# deterministic workload of the fault-tolerance tests; and tb-memfill, that of
# the compressed-swap tests) into static arm64 binaries in build/guest-bin/,
# which scripts/fetch-guest.sh copies into the initramfs's /usr/bin.
# CC_AARCH64 overrides the cross compiler.
# Usage: scripts/build-guest-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC_AARCH64:-aarch64-linux-gnu-gcc}
command -v "$CC" >/dev/null || { echo "build-guest-bench: $CC is missing (run scripts/setup.sh)" >&2; exit 1; }
SRC=guest/bench
OUT=build/guest-bin
mkdir -p "$OUT"
for prog in bw_mem lat_syscall lat_proc lat_ctx chain memfill; do
    bin=$OUT/tb-${prog//_/-}
    "$CC" -static -O2 -Wall -Wextra -o "$bin.tmp" "$SRC/$prog.c" "$SRC/common.c" ||
        { rm -f "$bin.tmp"; echo "build-guest-bench: compiling $SRC/$prog.c failed" >&2; exit 1; }
    mv "$bin.tmp" "$bin"
done
echo "build-guest-bench: $(cd "$OUT" && ls tb-* | tr '\n' ' ')in $OUT"
