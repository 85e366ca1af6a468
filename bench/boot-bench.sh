#!/usr/bin/env bash
# Boot benchmark: the Debian arm64 kernel + guest/out/initramfs.cpio.gz, booted
# N times on Tandem and on QEMU TCG (-M virt -cpu cortex-a53 -m 512), in two
# configurations with the same KASLR state on both emulators:
#   nokaslr     Tandem: --no-rng-seed;     QEMU: dtb-kaslr-seed=off (no kaslr-seed, no
#               rng-seed); both "nokaslr"
#   kaslr+kpti  Tandem: --kaslr-seed SEED; QEMU: its own random seed (KASLR, and
#               on Cortex-A53 kernel page-table isolation, on in both)
# Measures the wall time from process start to the TANDEM-GUEST-UP line on the
# console (read as it streams); prints a Markdown table (medians, Tandem/QEMU
# ratio, min/max) and Tandem's --stats output for each configuration.
#
# usage: bench/boot-bench.sh [-n RUNS] [-p] [-s SEED]
#   -n RUNS  boots per emulator and configuration (default 3)
#   -p       also profile one Tandem boot (perf record -g; callgrind on a
#            shorter run if perf is missing or unusable) and print the top 15
#            functions. Profiling is optional: perf (Debian's linux-perf) and
#            valgrind are not installed by scripts/setup.sh, nor here.
#   -s SEED  Tandem's KASLR seed for the kaslr+kpti configuration
# PROFILER=callgrind forces the callgrind fallback.
# Console logs are kept in build/bench/boot/ (diff them with timestamps stripped).
# shellcheck disable=SC2317 # tandem_cmd/qemu_cmd are called as "${emu}_cmd"
set -eu
cd "$(dirname "$0")/.."
RUNS=3
PROFILE=0
SEED=0x5eed1234abcd5678
while getopts "n:ps:h" o; do
    case $o in
    n) RUNS=$OPTARG ;;
    p) PROFILE=1 ;;
    s) SEED=$OPTARG ;;
    *) sed -n '2,20p' "$0"; exit 1 ;;
    esac
done
TANDEM=${TANDEM:-build/tandem}
OUT=build/bench/boot
KERNEL=guest/out/Image
INITRD=guest/out/initramfs.cpio.gz
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300} # whole boot, per run
GRACE=${GRACE:-30}                # after the marker: quiet this long -> kill
BASE="console=ttyAMA0 panic=-1 tandem.run=/bin/true"
MARK="TANDEM-GUEST-UP"
mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/*.log.err "$OUT"/*.times

[ -x "$TANDEM" ] || timeout 900 make -s build/tandem
if [ ! -f "$KERNEL" ] || [ ! -f "$INITRD" ]; then timeout 1800 scripts/fetch-guest.sh; fi
command -v qemu-system-aarch64 >/dev/null || { echo "boot-bench: qemu-system-aarch64 is missing" >&2; exit 1; }

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# boot LOG CMD...: run CMD (console on stdout) under timeout, copy its console
# to LOG and its stderr to LOG.err; sets UP (seconds from start to the marker
# line, empty if none) and RC (CMD's exit status). After the marker the guest
# powers off by itself; if it goes quiet for GRACE seconds it is killed.
boot() {
    local log=$1 fifo=$OUT/console.fifo line t0 pid
    shift
    rm -f "$fifo"
    mkfifo "$fifo"
    UP=
    t0=$EPOCHREALTIME
    timeout -k 5 "$BOOT_TIMEOUT" "$@" </dev/null >"$fifo" 2>"$log.err" &
    pid=$!
    exec 3<"$fifo"
    while :; do
        if [ -z "$UP" ]; then
            IFS= read -r line <&3 || break
        else
            IFS= read -r -t "$GRACE" line <&3 || {
                [ $? -gt 128 ] && { echo "boot-bench: no power-off ${GRACE}s after the marker; killing" >&2; kill "$pid" 2>/dev/null || true; }
                break
            }
        fi
        printf '%s\n' "$line" >&4
        [ -z "$UP" ] && [[ $line == *"$MARK"* ]] && UP=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.3f", b - a}')
    done 4>"$log"
    exec 3<&-
    RC=0
    wait "$pid" || RC=$?
    rm -f "$fifo"
}

# tandem_cmd / qemu_cmd CONFIG: set CMD to the emulator's command line
tandem_cmd() {
    CMD=("$TANDEM" run --kernel "$KERNEL" --initrd "$INITRD" --stats)
    case $1 in
    nokaslr) CMD+=(--no-rng-seed --append "$BASE nokaslr") ;;
    kaslr) CMD+=(--kaslr-seed "$SEED" --append "$BASE") ;;
    esac
}
qemu_cmd() {
    local m=virt,dtb-kaslr-seed=off args="$BASE nokaslr"
    if [ "$1" = kaslr ]; then m=virt args=$BASE; fi
    # No NIC: the guest uses none, and QEMU's default one needs a boot ROM
    # (efi-virtio.rom, in Debian's ipxe-qemu).
    CMD=(qemu-system-aarch64 -nic none -M "$m" -cpu cortex-a53 -m 512 -nographic -no-reboot
        -kernel "$KERNEL" -initrd "$INITRD" -append "$args")
}

CONFIGS="nokaslr kaslr"
FAILED=0
for cfg in $CONFIGS; do
    : >"$OUT/$cfg.tandem.times"
    : >"$OUT/$cfg.qemu.times"
    for ((r = 0; r < RUNS; r++)); do
        for emu in tandem qemu; do
            "${emu}_cmd" "$cfg"
            log=$OUT/$cfg.$emu.$r.log
            boot "$log" "${CMD[@]}"
            if [ -z "$UP" ]; then
                echo "boot-bench: $emu ($cfg, run $r) never printed $MARK (exit $RC); see $log" >&2
                FAILED=1
                continue
            fi
            [ "$RC" = 0 ] || echo "boot-bench: $emu ($cfg, run $r) exited with status $RC after the marker" >&2
            echo "$UP" >>"$OUT/$cfg.$emu.times"
        done
    done
done

stat3() { # FILE -> "median min max" or "- - -"
    [ -s "$1" ] || { echo "- - -"; return; }
    echo "$(median <"$1") $(sort -g "$1" | head -1) $(sort -g "$1" | tail -1)"
}
echo "Boot to $MARK (wall time from process start, seconds), $RUNS boots each; QEMU TCG -M virt -cpu cortex-a53 -m 512"
echo
echo "| configuration | Tandem median | QEMU median | Tandem/QEMU | Tandem min–max | QEMU min–max |"
echo "|---|---:|---:|---:|---:|---:|"
for cfg in $CONFIGS; do
    case $cfg in
    nokaslr) name="nokaslr (no seeds; QEMU dtb-kaslr-seed=off)" ;;
    kaslr) name="KASLR+KPTI (Tandem seed $SEED; QEMU own seed)" ;;
    esac
    read -r tm tmin tmax <<<"$(stat3 "$OUT/$cfg.tandem.times")"
    read -r qm qmin qmax <<<"$(stat3 "$OUT/$cfg.qemu.times")"
    awk -v n="$name" -v tm="$tm" -v tmin="$tmin" -v tmax="$tmax" -v qm="$qm" -v qmin="$qmin" -v qmax="$qmax" 'BEGIN {
        ratio = (tm == "-" || qm == "-") ? "-" : sprintf("%.2f", tm / qm)
        printf "| %s | %s | %s | %s | %s–%s | %s–%s |\n", n, tm, qm, ratio, tmin, tmax, qmin, qmax
    }'
done
echo
echo "Shared machine: expect ±25 % noise; logs in $OUT/."
for cfg in $CONFIGS; do
    echo
    echo "Tandem --stats, $cfg, first boot:"
    echo '```'
    grep '^tandem:' "$OUT/$cfg.tandem.0.log.err" || echo "(no statistics)"
    echo '```'
done

[ "$PROFILE" = 1 ] || exit $FAILED

# Profile one Tandem boot (nokaslr): perf if it can sample here, else callgrind
# on the first part of the boot.
echo
if ! command -v perf >/dev/null && [ "${PROFILER:-auto}" != callgrind ]; then
    echo "boot-bench: perf is not installed (apt-get install linux-perf to profile with it); trying callgrind" >&2
fi
tandem_cmd nokaslr
PROF=$OUT/perf.data
if [ "${PROFILER:-auto}" != callgrind ] && command -v perf >/dev/null && timeout 60 perf record -o "$OUT/perf-probe.data" -- true >/dev/null 2>&1; then
    timeout -k 5 "$BOOT_TIMEOUT" perf record -g -o "$PROF" -- "${CMD[@]}" </dev/null >"$OUT/perf.console.log" 2>"$OUT/perf.err" || true
    echo "Profile of one Tandem boot (nokaslr), perf record -g ($(perf evlist -i "$PROF" 2>/dev/null | head -1)), top 15 by self time:"
    echo '```'
    timeout 300 perf report -i "$PROF" --no-children -g none --sort symbol,dso --stdio 2>/dev/null |
        grep -v '^#' | grep '%' | sed 's/[ -]*$//' | head -15
    echo '```'
    echo "By DSO:"
    echo '```'
    timeout 300 perf report -i "$PROF" --no-children -g none --sort dso --stdio 2>/dev/null |
        grep -v '^#' | grep '%' | sed 's/[ -]*$//' | head -6
    echo '```'
elif command -v valgrind >/dev/null; then
    echo "perf cannot sample here (or PROFILER=callgrind); callgrind on the first 50 M guest instructions instead:"
    timeout -k 5 1200 valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
        "${CMD[@]}" --max-insns 50000000 </dev/null >"$OUT/callgrind.console.log" 2>"$OUT/callgrind.err" || true
    echo '```'
    timeout 300 callgrind_annotate "$OUT/callgrind.out" 2>/dev/null | grep -E '^ *[0-9,]+ ' | sed -n '2,16p'
    echo '```'
else
    echo "Neither perf nor valgrind is usable here; no profile (apt-get install linux-perf or valgrind)."
fi
exit $FAILED
