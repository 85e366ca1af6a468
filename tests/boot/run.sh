#!/usr/bin/env bash
# The real guest: Debian's arm64 kernel and busybox (fetched by
# scripts/fetch-guest.sh) boot on Tandem, run a scripted workload whose output
# must equal QEMU's, take commands from the console, and power off with 0.
# Every Tandem run is capped by instruction count (BOOT_MAX_INSNS), so a guest
# that hangs busy fails in seconds; the wall-clock timeouts are the last
# resort (a guest idle in WFI executes nothing). A missing tool is a FAIL line.
set -u
cd "$(dirname "$0")/../.."
T=build/tandem
TS=build/test/tandem
K=guest/out/Image
I=guest/out/initramfs.cpio.gz
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
BASE="console=ttyAMA0 panic=-1 quiet"
SMOKE="tandem.run=/usr/bin/tandem-smoke"
# A boot plus the smoke workload is about 1.1-1.3 G instructions (--stats);
# the cap leaves three times that.
MAX_INSNS=${BOOT_MAX_INSNS:-4000000000}

missing=
for tool in timeout cmp cpio gzip; do
    command -v "$tool" >/dev/null || missing+=" $tool"
done
[ -n "$missing" ] && echo "FAIL boot-tools (missing:$missing; scripts/setup.sh installs them)"
if [ ! -x "$T" ]; then
    echo "FAIL boot ($T is not built: run make)"
    exit 0
fi

if [ ! -s "$K" ] || [ ! -s "$I" ] || [ "$I" -ot guest/rootfs/usr/bin/tandem-smoke ] || [ "$I" -ot guest/init ]; then
    if ! bash scripts/fetch-guest.sh >"$W/fetch.log" 2>&1; then
        echo "FAIL boot-assets (scripts/fetch-guest.sh failed)"
        tail -5 "$W/fetch.log"
        exit 0
    fi
fi
echo "INFO boot: kernel $(cat guest/out/kernel-version)"

workload() { sed -n '/^TANDEM-GUEST-UP/,/^TANDEM-GUEST-DONE/p' "$1" | tr -d '\r'; }

# why RC TIMEOUT: what Tandem's exit status says
why() {
    case $1 in
    124) echo "timed out after $2 s" ;;
    3) echo "instruction limit of $MAX_INSNS reached: the guest hung or ran away" ;;
    *) echo "exit $1" ;;
    esac
}

check_run() { # NAME LOG RC TIMEOUT: the workload ran to completion and the guest powered off
    local name=$1 log=$2 rc=$3
    if [ "$rc" -eq 0 ] && grep -q '^TANDEM-GUEST-DONE rc=0' "$log"; then
        echo "PASS $name"
    else
        echo "FAIL $name ($(why "$rc" "$4"))"
        grep -v '^\[' "$log" | tail -5 | sed 's/^/    /'
        tail -3 "$log" | sed 's/^/    /'
    fi
}

# 1. Boot, workload, power off (nokaslr, as QEMU below).
timeout 300 "$T" run --kernel "$K" --initrd "$I" --append "$BASE nokaslr $SMOKE" --no-rng-seed --stats \
    --max-insns "$MAX_INSNS" </dev/null >"$W/t.log" 2>&1
check_run boot-workload "$W/t.log" $? 300
grep '^tandem:' "$W/t.log" | sed 's/^/INFO /'

# 2. The same workload under QEMU (the oracle; no NIC, as nothing uses one and
#    QEMU's default NIC needs a boot ROM): the same output.
if command -v qemu-system-aarch64 >/dev/null; then
    timeout 300 qemu-system-aarch64 -nic none -M virt,dtb-kaslr-seed=off -cpu cortex-a53 -m 512 -nographic \
        -no-reboot -kernel "$K" -initrd "$I" -append "$BASE nokaslr $SMOKE" </dev/null >"$W/q.log" 2>"$W/q.err"
    qrc=$?
    workload "$W/t.log" >"$W/t.out"
    workload "$W/q.log" >"$W/q.out"
    if [ "$qrc" -ne 0 ] || ! grep -q '^TANDEM-GUEST-DONE rc=0' "$W/q.out"; then
        echo "FAIL workload-matches-qemu (oracle failed: qemu-system-aarch64 $(if [ "$qrc" = 124 ]; then
            echo "timed out after 300 s"
        elif [ "$qrc" -ne 0 ]; then echo "exit status $qrc"; else echo "exit status 0 without TANDEM-GUEST-DONE rc=0"; fi))"
        if [ -s "$W/q.err" ]; then tail -3 "$W/q.err" | sed 's/^/    qemu stderr: /'; else echo "    qemu stderr: (empty)"; fi
        [ -s "$W/q.log" ] && tail -3 "$W/q.log" | tr -d '\r' | sed 's/^/    qemu console: /'
    elif cmp -s "$W/t.out" "$W/q.out"; then
        echo "PASS workload-matches-qemu ($(wc -l <"$W/t.out") lines)"
    else
        echo "FAIL workload-matches-qemu (Tandem's workload output differs from QEMU's)"
        diff "$W/q.out" "$W/t.out" | head -10 | sed 's/^/    /'
    fi
else
    echo "FAIL workload-matches-qemu (qemu-system-aarch64 is missing; scripts/setup.sh installs it)"
fi

# 3. KASLR on: kernel page-table isolation switches ASID on every kernel entry.
timeout 300 "$T" run --kernel "$K" --initrd "$I" --append "$BASE $SMOKE" --kaslr-seed 0x5eed1234abcd --stats \
    --max-insns "$MAX_INSNS" </dev/null >"$W/k.log" 2>&1
rc=$?
check_run boot-kaslr-kpti "$W/k.log" $rc 300
switches=$(sed -n 's/.*ASID switches \([0-9]*\).*/\1/p' "$W/k.log")
# Without KASLR the same workload switches ASID a few hundred times (process switches).
if [ "${switches:-0}" -gt 1000 ]; then
    echo "PASS kpti-address-spaces-kept ($switches ASID switches)"
else
    echo "FAIL kpti-address-spaces-kept (ASID switches: ${switches:-none})"
fi

# 4. An interactive shell on the console: typed commands run, poweroff exits 0.
(sleep 15; printf 'echo shell-$((6*7))\n'; sleep 3; printf 'poweroff -f\n') |
    timeout 120 "$T" run --kernel "$K" --initrd "$I" --append "$BASE nokaslr" --max-insns "$MAX_INSNS" >"$W/i.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^shell-42' "$W/i.log"; then
    echo "PASS interactive-shell"
else
    echo "FAIL interactive-shell ($(why "$rc" 120))"
    tail -5 "$W/i.log" | sed 's/^/    /'
fi

# 5. The whole boot under AddressSanitizer and UBSan: no report, clean power off.
if [ -x "$TS" ]; then
    ASAN_OPTIONS=detect_leaks=1 timeout 600 "$TS" run --kernel "$K" --initrd "$I" \
        --append "$BASE nokaslr tandem.run=/bin/true" --max-insns "$MAX_INSNS" </dev/null >"$W/s.log" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q '^TANDEM-GUEST-DONE rc=0' "$W/s.log" && ! grep -q 'Sanitizer\|runtime error' "$W/s.log"; then
        echo "PASS boot-under-sanitizers"
    else
        echo "FAIL boot-under-sanitizers ($(why "$rc" 600))"
        grep -m5 'Sanitizer\|runtime error' "$W/s.log" | sed 's/^/    /'
        tail -3 "$W/s.log" | sed 's/^/    /'
    fi
else
    echo "FAIL boot-under-sanitizers ($TS is not built: make build/test/tandem, or make test)"
fi

# 6. The generated device tree decodes and describes the board, with boot
#    entropy in /chosen/rng-seed unless --no-rng-seed (without it the guest's
#    RNG is not ready and every system call takes the crng's slow path).
dts() { # dts NAME [tandem flags]: write the board's device tree, decode it to stdout
    local name=$1
    shift
    "$T" run --kernel "$K" --dtb-out "$W/$name.dtb" --max-insns 1 "$@" </dev/null >/dev/null 2>&1
    [ -s "$W/$name.dtb" ] && dtc -I dtb -O dts "$W/$name.dtb" 2>/dev/null
}
if command -v dtc >/dev/null; then
    dts board >"$W/board.dts"
    if grep -q 'arm,pl011' "$W/board.dts" && grep -q 'arm,cortex-a15-gic' "$W/board.dts" &&
        grep -q 'arm,armv8-timer' "$W/board.dts" && grep -q 'arm,psci' "$W/board.dts" &&
        grep -q 'rng-seed' "$W/board.dts"; then
        echo "PASS dtb-out"
    else
        echo "FAIL dtb-out (device tree missing or incomplete)"
    fi
    dts norng --no-rng-seed >"$W/norng.dts"
    if grep -q 'arm,pl011' "$W/norng.dts" && ! grep -q 'rng-seed' "$W/norng.dts"; then
        echo "PASS no-rng-seed"
    else
        echo "FAIL no-rng-seed (device tree missing, or it still has rng-seed)"
    fi
else
    echo "FAIL dtb-out (dtc is missing; scripts/setup.sh installs device-tree-compiler)"
fi
exit 0
