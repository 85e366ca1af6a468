#!/usr/bin/env bash
# Guest programs on Tandem and on QEMU, outputs compared byte for byte.
#
# Builds every image (tests/guest/guest.mk) into build/guest/, runs each on
#   qemu-system-aarch64 -M virt -cpu cortex-a53 -m 128 (the oracle) and
#   build/tandem run --mem 128M,
# and prints "PASS <image>" or "FAIL <image>" with the first differing lines.
# QEMU runs every time (its output is never cached: a changed QEMU or command
# line is checked at once); an image whose QEMU run fails is a FAIL that says
# so, with QEMU's exit status and the end of its stderr. A missing tool (the
# cross compiler, QEMU, Tandem) is a FAIL line too. Always exits 0: the lines
# count.
#
# Environment: GUEST_FILTER=regex (image names to run), GUEST_TIMEOUT (s, 60),
# TANDEM (binary, default build/tandem), GUEST_JOBS (parallel runs, 2).
set -u
cd "$(dirname "$0")/../.."
OUT=build/guest
TANDEM=${TANDEM:-build/tandem}
TMO=${GUEST_TIMEOUT:-60}
JOBS=${GUEST_JOBS:-2}
FILTER=${GUEST_FILTER:-.}
CROSS=${CROSS:-aarch64-linux-gnu-}

missing=
for tool in "${CROSS}gcc" "${CROSS}objcopy" "${CROSS}objdump" qemu-system-aarch64 timeout cmp; do
    command -v "$tool" >/dev/null || missing+=" $tool"
done
if [ -n "$missing" ]; then
    echo "FAIL guest-tools (missing:$missing; scripts/setup.sh installs them)"
    exit 0
fi
mkdir -p "$OUT"
if ! make -s -f tests/guest/guest.mk OUT="$OUT" CROSS="$CROSS" -j2 >"$OUT/build.log" 2>&1; then
    mkdir -p "$OUT"
    echo "FAIL guest-build"
    tail -20 "$OUT/build.log"
    exit 0
fi
if [ ! -x "$TANDEM" ]; then
    echo "FAIL guest: $TANDEM not built"
    exit 0
fi
mkdir -p "$OUT/out"

# Cap Tandem's instruction count so a CPU that loops on exceptions gives up quickly.
MAX_INSNS=${GUEST_MAX_INSNS:-3000000000}

run_one() {
    local img=$1 name
    name=$(basename "$img" .bin)
    run_cmp "$img" "$name" >"$OUT/out/$name.report"
}

run_cmp() {
    local img=$1 name=$2
    local q="$OUT/out/$name.qemu" t="$OUT/out/$name.tandem"
    # The oracle, every time. No NIC: nothing here uses one, and QEMU's
    # default NIC needs a boot ROM (efi-virtio.rom, Debian's ipxe-qemu).
    rm -f "$q" "$q.err"
    timeout "$TMO" qemu-system-aarch64 -nic none -M virt -cpu cortex-a53 -m 128 -nographic -no-reboot \
        -monitor none -serial stdio -kernel "$img" </dev/null >"$q.raw" 2>"$q.err"
    local qrc=$?
    sed -f tests/guest/qemu-deviations.sed "$q.raw" >"$q"
    rm -f "$q.raw"
    if [ "$qrc" -ne 0 ] || ! grep -q -- '^-- end --' "$q"; then
        local qwhy
        if [ "$qrc" -eq 124 ]; then
            qwhy="timed out after ${TMO}s"
        elif [ "$qrc" -ne 0 ]; then
            qwhy="exit status $qrc"
        else
            qwhy="exit status 0 without the program's '-- end --' line"
        fi
        echo "FAIL $name (oracle failed: qemu-system-aarch64 $qwhy; Tandem not compared)"
        if [ -s "$q.err" ]; then
            tail -3 "$q.err" | sed 's/^/    qemu stderr: /'
        else
            echo "    qemu stderr: (empty)"
        fi
        [ -s "$q" ] && tail -2 "$q" | sed 's/^/    qemu output: /'
        return
    fi
    timeout "$TMO" "$TANDEM" run --kernel "$img" --mem 128M --max-insns "$MAX_INSNS" </dev/null >"$t" 2>"$t.err"
    local rc=$?
    if cmp -s "$q" "$t"; then
        echo "PASS $name"
    else
        local why="output differs"
        [ "$rc" -eq 124 ] && why="timed out after ${TMO}s"
        [ "$rc" -eq 3 ] && why="instruction limit reached"
        echo "FAIL $name ($why, tandem exit $rc)"
        # The first differing line on each side, and Tandem's last stderr words.
        local ln
        ln=$(cmp "$q" "$t" 2>&1 | sed -n 's/.* line \([0-9]*\).*/\1/p')
        [ -n "$ln" ] || ln=$(($(wc -l <"$t") + 1))
        echo "    line $ln qemu:   $(sed -n "${ln}p" "$q")"
        echo "    line $ln tandem: $(sed -n "${ln}p" "$t")"
        [ -s "$t.err" ] && tail -2 "$t.err" | sed 's/^/    stderr: /'
        # An unexpected exception: show the instruction at ELR.
        local elr
        elr=$(sed -n "${ln}s/^UNEXPECTED EXCEPTION .*elr=\([0-9a-f]*\).*/\1/p" "$t")
        if [ -n "$elr" ] && [ -f "$OUT/$name.elf" ]; then
            "${CROSS}objdump" -d --start-address=$((16#$elr)) --stop-address=$((16#$elr + 4)) "$OUT/$name.elf" |
                grep -E '^ +[0-9a-f]+:' | sed 's/^ */    at elr: /'
        fi
    fi
}
export -f run_one run_cmp
export OUT TANDEM TMO MAX_INSNS CROSS

images=$(ls "$OUT"/*.bin 2>/dev/null | grep -E -- "$FILTER")
if [ -z "$images" ]; then
    echo "FAIL guest-images (no image in $OUT matches GUEST_FILTER='$FILTER')"
    exit 0
fi
rm -f "$OUT"/out/*.report
printf '%s\n' $images | xargs -P "$JOBS" -I{} bash -c 'run_one {}'
for img in $images; do
    r="$OUT/out/$(basename "$img" .bin).report"
    if [ -s "$r" ]; then cat "$r"; else echo "FAIL $(basename "$img" .bin) (its run printed no report)"; fi
done
exit 0
