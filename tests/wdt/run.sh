#!/usr/bin/env bash
# The SP805 watchdog with the real guest (Debian's kernel and busybox, from
# scripts/fetch-guest.sh): the device tree describes it as Linux's sp805_wdt
# needs; the driver probes and gives /dev/watchdog; when busybox's watchdog
# daemon is killed, the watchdog expires on time and Tandem fails the VM
# (exit 4); while the daemon feeds it, and after it stopped it with the magic
# close, it never expires. The register-level checks are tests/unit/test_sp805.c.
# Runs are capped with --max-insns and timeout; a missing tool is a FAIL line.
set -u
cd "$(dirname "$0")/../.."
T=build/tandem
K=guest/out/Image
I=guest/out/initramfs.cpio.gz
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
BASE="console=ttyAMA0 panic=-1 quiet nokaslr tandem.run=/usr/bin/tandem-watchdog-test"
# A boot is about 1 G instructions; the feed run adds ~10 s of busy guest.
MAX_INSNS=${WDT_MAX_INSNS:-10000000000}
# busybox watchdog -T 4: the kernel's last ping when the daemon's file is
# closed restarts the 4 s; Tandem must end the VM within LATE s after that.
TIMEOUT_S=4
LATE=2

missing=
for tool in timeout dtc fdtget cpio gzip awk; do
    command -v "$tool" >/dev/null || missing+=" $tool"
done
[ -n "$missing" ] && echo "FAIL wdt-tools (missing:$missing; scripts/setup.sh installs them)"
if [ ! -x "$T" ]; then
    echo "FAIL wdt ($T is not built: run make)"
    exit 0
fi
if [ ! -s "$K" ] || [ ! -s "$I" ] || [ "$I" -ot guest/rootfs/usr/bin/tandem-watchdog-test ] ||
    [ "$I" -ot guest/rootfs/usr/bin/tandem-smoke ] || [ "$I" -ot guest/init ]; then
    if ! bash scripts/fetch-guest.sh >"$W/fetch.log" 2>&1; then
        echo "FAIL wdt-assets (scripts/fetch-guest.sh failed)"
        tail -5 "$W/fetch.log"
        exit 0
    fi
fi

# 1. The device tree: the node, its interrupt, and the clocks in the order
#    of the binding (arm,sp805.yaml): the counter's clock first, 1 MHz.
"$T" run --kernel "$K" --dtb-out "$W/b.dtb" --max-insns 1 </dev/null >/dev/null 2>&1
N=/watchdog@90c0000
get() { fdtget "$@" 2>/dev/null; }
why=
if [ ! -s "$W/b.dtb" ] || ! dtc -I dtb -O dts "$W/b.dtb" >"$W/b.dts" 2>/dev/null; then
    why="no device tree from --dtb-out"
elif [ "$(get "$W/b.dtb" $N compatible)" != "arm,sp805 arm,primecell" ]; then
    why="compatible is '$(get "$W/b.dtb" $N compatible)'"
elif [ "$(get -t x "$W/b.dtb" $N reg)" != "0 90c0000 0 1000" ]; then
    why="reg is '$(get -t x "$W/b.dtb" $N reg)'"
elif [ "$(get -t x "$W/b.dtb" $N interrupts)" != "0 a 4" ]; then
    why="interrupts are '$(get -t x "$W/b.dtb" $N interrupts)' (want SPI 10, level-high)"
elif [ "$(get "$W/b.dtb" $N clock-names)" != "wdog_clk apb_pclk" ]; then
    why="clock-names are '$(get "$W/b.dtb" $N clock-names)'"
else
    read -r wclk pclk < <(get "$W/b.dtb" $N clocks)
    clock_node() { # PHANDLE: the root's child with that phandle
        local n
        for n in $(get -l "$W/b.dtb" /); do
            [ "$(get "$W/b.dtb" "/$n" phandle)" = "$1" ] && { echo "/$n"; return; }
        done
    }
    wn=$(clock_node "${wclk:-none}")
    pn=$(clock_node "${pclk:-none}")
    if [ -z "$wn" ] || [ -z "$pn" ]; then
        why="clocks '$wclk $pclk' do not name two clock nodes"
    elif [ "$(get "$W/b.dtb" "$wn" compatible)" != fixed-clock ] || [ "$(get "$W/b.dtb" "$wn" clock-frequency)" != 1000000 ]; then
        why="wdog_clk ($wn) is not a 1 MHz fixed-clock"
    elif [ "$(get "$W/b.dtb" "$pn" compatible)" != fixed-clock ]; then
        why="apb_pclk ($pn) is not a fixed-clock"
    fi
fi
if [ -z "$why" ]; then
    echo "PASS wdt-dtb-node ($N, SPI 10 level-high, wdog_clk $wn 1 MHz, apb_pclk $pn)"
else
    echo "FAIL wdt-dtb-node ($why)"
fi

# run NAME EXTRA-APPEND: boot with the watchdog test; the console with a
# host timestamp on every line, ending with the time Tandem exited.
run() {
    local name=$1
    shift
    {
        timeout 120 "$T" run --kernel "$K" --initrd "$I" --append "$BASE $*" --stats --max-insns "$MAX_INSNS" \
            </dev/null 2>"$W/$name.err"
        echo $? >"$W/$name.rc"
    } | while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"; done >"$W/$name.log"
    printf '%s TANDEM-EXITED\n' "$EPOCHREALTIME" >>"$W/$name.log"
}
at() { awk -v pat="$2" 'index($0, pat) { print $1; exit }' "$W/$1.log"; }
show() { # NAME: the end of the console and of stderr
    grep -v '^[0-9.]* \[' "$W/$1.log" | tail -6 | cut -d' ' -f2- | sed 's/^/    console: /'
    grep -v '^tandem: \(cpu\|shadow\|memory\|machine\|scheduler\)' "$W/$1.err" | tail -4 | sed 's/^/    stderr: /'
}
why_rc() {
    case $1 in
    124) echo "timed out after 120 s" ;;
    3) echo "instruction limit of $MAX_INSNS reached" ;;
    *) echo "exit $1" ;;
    esac
}

# 2. The daemon killed: the driver probed, the watchdog expires 4 s after the
#    kernel's last ping, and Tandem exits 4 saying so.
run expire tandem.wdt=expire
rc=$(cat "$W/expire.rc" 2>/dev/null || echo none)
if grep -q 'TANDEM-WDT dmesg: sp805-wdt .*registration successful' "$W/expire.log" &&
    grep -q 'TANDEM-WDT identity sp805-wdt' "$W/expire.log" && grep -q 'TANDEM-WDT started' "$W/expire.log"; then
    echo "PASS wdt-driver-probes (/dev/watchdog, $(grep -o 'timeout [0-9]* s, state [a-z]*' "$W/expire.log"))"
else
    echo "FAIL wdt-driver-probes (no sp805-wdt registration, or no /dev/watchdog)"
    show expire
fi
killed=$(at expire "TANDEM-WDT daemon killed")
exited=$(at expire "TANDEM-EXITED")
if [ "$rc" = 4 ] && grep -q "^tandem: .*the guest's watchdog expired" "$W/expire.err" && [ -n "$killed" ]; then
    delay=$(awk -v a="$killed" -v b="$exited" 'BEGIN { printf "%.2f", b - a }')
    if awk -v d="$delay" -v lo="$TIMEOUT_S" -v late="$LATE" 'BEGIN { exit !(d >= lo - 0.5 && d <= lo + late) }'; then
        echo "PASS wdt-expires (exit 4, ${delay} s after the daemon was killed; timeout ${TIMEOUT_S} s)"
    else
        echo "FAIL wdt-expires (exit 4, but ${delay} s after the daemon was killed: want $((TIMEOUT_S))-$((TIMEOUT_S + LATE)) s)"
    fi
else
    echo "FAIL wdt-expires ($(why_rc "$rc"), want 4 and \"the guest's watchdog expired\"${killed:+; the daemon was killed})"
    show expire
fi
if grep -q '^tandem: watchdog: expired, interrupts 1, pets [0-9]*, expiries 1$' "$W/expire.err"; then
    echo "PASS wdt-expire-stats ($(grep '^tandem: watchdog:' "$W/expire.err" | cut -d' ' -f3-))"
else
    echo "FAIL wdt-expire-stats (--stats: '$(grep '^tandem: watchdog:' "$W/expire.err")')"
fi

# 3. The daemon feeds it for 10 s (2.5 timeouts) while the guest is busy,
#    then stops it with the magic close: no expiry, a clean power off.
run feed tandem.wdt=feed
rc=$(cat "$W/feed.rc" 2>/dev/null || echo none)
stats=$(grep '^tandem: watchdog:' "$W/feed.err")
pets=$(sed -n 's/.*, pets \([0-9]*\),.*/\1/p' <<<"$stats")
if [ "$rc" = 0 ] && grep -q 'TANDEM-WDT fed and stopped without expiring' "$W/feed.log" &&
    grep -q 'TANDEM-GUEST-DONE rc=0' "$W/feed.log" && ! grep -q 'watchdog expired' "$W/feed.err" &&
    grep -q 'TANDEM-WDT daemon stopped, state inactive' "$W/feed.log" &&
    [[ "$stats" == *"stopped, interrupts "*", expiries 0" ]] && [ "${pets:-0}" -ge 8 ]; then
    echo "PASS wdt-fed-no-expiry (exit 0, ${stats#tandem: watchdog: })"
else
    echo "FAIL wdt-fed-no-expiry ($(why_rc "$rc"), want 0; --stats: '${stats#tandem: }')"
    show feed
fi

# 4. Guest time stands still while the VM is paused, and so does the
#    watchdog: the daemon killed, the VM paused for longer than the timeout
#    (control socket stop, cont), the expiry comes after 4 s of running time.
PAUSE_S=6
S="$W/ctl.sock"
{
    timeout 120 "$T" run --kernel "$K" --initrd "$I" --append "$BASE tandem.wdt=expire" --control "$S" \
        --max-insns "$MAX_INSNS" </dev/null 2>"$W/pause.err"
    echo $? >"$W/pause.rc"
} | while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"; done >"$W/pause.log" &
runner=$!
for _ in $(seq 1 900); do # 90 s for the boot
    grep -q 'TANDEM-WDT daemon killed' "$W/pause.log" 2>/dev/null && break
    [ -s "$W/pause.rc" ] && break
    sleep 0.1
done
stopped= resumed= ctl_ok=no
if grep -q 'TANDEM-WDT daemon killed' "$W/pause.log" && [ ! -s "$W/pause.rc" ]; then
    if "$T" ctl "$S" stop >"$W/ctl.out" 2>&1; then
        stopped=$EPOCHREALTIME
        sleep "$PAUSE_S"
        state=$("$T" ctl "$S" query-status 2>&1)
        if "$T" ctl "$S" cont >>"$W/ctl.out" 2>&1; then
            resumed=$EPOCHREALTIME
            [[ "$state" == *'"status": "paused"'* || "$state" == *'"status":"paused"'* ]] && ctl_ok=yes
        fi
    fi
fi
wait "$runner"
printf '%s TANDEM-EXITED\n' "$EPOCHREALTIME" >>"$W/pause.log"
rc=$(cat "$W/pause.rc" 2>/dev/null || echo none)
killed=$(at pause "TANDEM-WDT daemon killed")
exited=$(at pause "TANDEM-EXITED")
if [ "$rc" = 4 ] && [ "$ctl_ok" = yes ] && grep -q "^tandem: .*the guest's watchdog expired" "$W/pause.err"; then
    ran=$(awk -v k="$killed" -v s="$stopped" -v r="$resumed" -v e="$exited" 'BEGIN { printf "%.2f", (s - k) + (e - r) }')
    wall=$(awk -v k="$killed" -v e="$exited" 'BEGIN { printf "%.2f", e - k }')
    if awk -v d="$ran" -v lo="$TIMEOUT_S" -v late="$LATE" 'BEGIN { exit !(d >= lo - 0.5 && d <= lo + late) }'; then
        echo "PASS wdt-paused-stands-still (expired after ${ran} s of running time, ${wall} s wall with a ${PAUSE_S} s pause)"
    else
        echo "FAIL wdt-paused-stands-still (expired after ${ran} s of running time, ${wall} s wall with a ${PAUSE_S} s pause: want $((TIMEOUT_S))-$((TIMEOUT_S + LATE)) s running)"
    fi
else
    echo "FAIL wdt-paused-stands-still ($(why_rc "$rc"), want 4; stop/cont while paused: $ctl_ok)"
    sed 's/^/    ctl: /' "$W/ctl.out" 2>/dev/null | tail -4
    show pause
fi
# 5. The watchdog as a fault-tolerance detector: a protected VM whose
#    vCPU hangs (injected, with the hang detector off) stops feeding it; the
#    expiry is a failure, the VM fails over to its last checkpoint and runs
#    on: the daemon feeds again, stops with the magic close, exit 0, and the
#    console shows nothing of the failed epoch. The hang is injected over the
#    control socket 2 s after the daemon started (a fixed time from the start
#    may come before the daemon on a slow host: nothing would expire).
S5="$W/ftw.sock"
timeout 120 "$T" run --kernel "$K" --initrd "$I" --append "$BASE tandem.wdt=feed" --backup --control "$S5" \
    --hang-timeout 0 --stats --max-insns "$MAX_INSNS" </dev/null >"$W/ftw.log" 2>"$W/ftw.err" &
runner=$!
for ((i = 0; i < 1200; i++)); do
    if grep -q "TANDEM-WDT started" "$W/ftw.log" 2>/dev/null; then
        sleep 2
        "$T" ctl "$S5" inject-fault '{"vm": "vm0", "kind": "hang"}' >>"$W/ftw.ctl" 2>&1
        break
    fi
    kill -0 "$runner" 2>/dev/null || break
    sleep 0.1
done
wait "$runner"
rc=$?
if [ "$rc" = 0 ] && grep -q "^tandem: injected hang" "$W/ftw.err" && grep -q "^tandem: failure: the guest's watchdog expired" "$W/ftw.err" &&
    grep -q "^tandem: failover 1:" "$W/ftw.err" && grep -q 'TANDEM-WDT fed and stopped without expiring' "$W/ftw.log" &&
    grep -q 'TANDEM-GUEST-DONE rc=0' "$W/ftw.log" && grep -q '^tandem: ft: checkpoints [0-9]*, failovers 1,' "$W/ftw.err"; then
    echo "PASS wdt-failover-on-hang ($(grep -o 'failover 1:.*' "$W/ftw.err"))"
else
    echo "FAIL wdt-failover-on-hang ($(why_rc "$rc"), want 0 after one failover)"
    grep '^tandem: \(injected\|failure\|failover\|failed\|ft:\)' "$W/ftw.err" | head -5 | sed 's/^/    /'
    grep -a 'TANDEM-' "$W/ftw.log" | tail -3 | sed 's/^/    console: /'
fi
exit 0
