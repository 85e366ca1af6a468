#!/usr/bin/env bash
# Fault tolerance: protected VMs (--backup), checkpoints, failover, the failure
# detectors (panic, hang, exception loop, watchdog), output commit, input
# replay, fault injection, the repeated-fault guard, and the control commands
# and events. The workload is tb-chain (guest/bench/chain.c), whose output
# under faults must equal the fault-free run's, every line once; the tests are
# in test_ft.py, one PASS or FAIL line each ("FAIL NAME (not implemented: ...)"
# for what Tandem does not do yet). Debian's guest runs on the optimised build,
# tiny guests on the sanitized one. Every Tandem run is capped by --max-insns
# and a timeout.
# Environment: FT_ONLY=name,name (run only those tests), FT_JOBS (parallel
# scenarios, default 2), FT_WORK=DIR (keep every run's console, stderr and
# config there instead of a temporary directory), FT_TINY_OPTIMISED=1 (tiny
# guests on the optimised build).
set -u
cd "$(dirname "$0")/../.."
T=build/tandem
TS=build/test/tandem
K=guest/out/Image
I=guest/out/initramfs.cpio.gz
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
if [ -n "${FT_WORK:-}" ]; then
    W=$FT_WORK
    mkdir -p "$W"
else
    W=$(mktemp -d)
    trap 'rm -rf "$W"' EXIT
fi

missing=
for tool in timeout qemu-system-aarch64 dtc "$PY"; do
    command -v "$tool" >/dev/null || missing+=" $tool"
done
[ -n "$missing" ] && echo "FAIL ft-tools (missing:$missing; scripts/setup.sh installs them)"
if [ ! -x "$T" ]; then
    echo "FAIL ft ($T is not built: run make)"
    exit 0
fi
[ -x "$TS" ] || echo "INFO ft: $TS is not built (make build/test/tandem): tiny guests run on $T"

# The initramfs must hold tb-chain as built from the current source.
stale=
for f in guest/bench/chain.c guest/bench/common.c guest/init scripts/build-guest-bench.sh; do
    [ "$I" -ot "$f" ] && stale=1
done
if [ ! -s "$K" ] || [ ! -s "$I" ] || [ -n "$stale" ] || ! gzip -dc "$I" | cpio -t --quiet 2>/dev/null | grep -qx 'usr/bin/tb-chain'; then
    if ! bash scripts/fetch-guest.sh >"$W/fetch.log" 2>&1; then
        echo "FAIL ft-assets (scripts/fetch-guest.sh failed)"
        tail -5 "$W/fetch.log"
        exit 0
    fi
fi

only=()
[ -n "${FT_ONLY:-}" ] && only=(--only "$FT_ONLY")
mkdir -p "$W/ft"
timeout 600 $PY tests/ft/test_ft.py --tandem "$T" --tandem-san "$TS" --work "$W/ft" --kernel "$K" --initrd "$I" "${only[@]}" ||
    echo "FAIL test_ft.py (exit $?)"
exit 0
