#!/usr/bin/env bash
# Density: Debian busybox guests of 256 MiB each running the scripted workload
# (boot, tandem-smoke, power off), N of them in one Tandem, against N QEMU
# processes running the same guests side by side. Prints Markdown tables:
#  rss     peak RSS (MiB) of the one Tandem process for N = 1..MAX guests
#          with each of off (no limit, nothing compressed or shared),
#          share (--share all), compress (--compress lz4 in POOL MiB of
#          machine memory) and share+compress, against the sum of the N QEMU
#          processes' peak RSS; the median of RUNS runs.
#  fit     the most guests that finish the workload in POOL MiB of machine
#          memory with compress and with share+compress (up to MAX), and
#          their peak RSS against the same number of QEMU processes.
# Every run's every guest must print TANDEM-GUEST-DONE rc=0; a run that does
# not is reported, never counted. Logs in build/bench/density/.
#
# usage: bench/density.sh [-n RUNS] [-m MAX] [-p POOL_MIB]
#   -n RUNS   runs per cell (default 3)
#   -m MAX    the most guests (default 4)
#   -p MIB    machine memory of the compress configurations (default 192)
set -eu
cd "$(dirname "$0")/.."
RUNS=3 MAX=4 POOL=192
while getopts "n:m:p:h" o; do
    case $o in
    n) RUNS=$OPTARG ;;
    m) MAX=$OPTARG ;;
    p) POOL=$OPTARG ;;
    *) sed -n '2,19p' "$0"; exit 1 ;;
    esac
done
for x in "$RUNS" "$MAX" "$POOL"; do
    [[ $x =~ ^[1-9][0-9]*$ ]] || { echo "density: '$x' is not a positive number" >&2; exit 1; }
done
command -v qemu-system-aarch64 >/dev/null || { echo "density: qemu-system-aarch64 is missing (scripts/setup.sh installs it)" >&2; exit 1; }
. bench/guest-lib.sh
OUT=build/bench/density
mkdir -p $OUT
MEM=256
say() { echo "density: $*" >&2; }
declare -A ARGS=([off]="--compress off" [share]="--compress off --share all"
                 [compress]="--compress lz4 --machine-mem ${POOL}M"
                 [share+compress]="--compress lz4 --machine-mem ${POOL}M --share all")
ROWS=(off share compress share+compress)

# config N: a config file for N guests, consoles in $OUT/g*.log
config() {
    local n=$1 i sep=
    printf '{"vms": ['
    for ((i = 0; i < n; i++)); do
        printf '%s{"name": "g%d", "kernel": "%s", "initrd": "%s", "mem": "%dM", "no-rng-seed": true, "on-reset": "stop", "max-insns": 4000000000, "append": "%s", "console": "file:%s/g%d.log"}' \
            "$sep" $i $K $I $MEM "$APPEND" $OUT $i
        sep=", "
    done
    printf ']}\n'
}

# tandem ROW N: one run; prints the peak RSS in MiB, or "fail"
tandem() {
    local row=$1 n=$2 rc=0 i
    config "$n" >$OUT/n$n.json
    rm -f $OUT/g*.log
    # shellcheck disable=SC2086
    /usr/bin/time -f '%M' -o $OUT/time.txt timeout 600 "$TANDEM" run --config $OUT/n$n.json ${ARGS[$row]} --stats \
        </dev/null >/dev/null 2>$OUT/$row-$n.err || rc=$?
    for ((i = 0; i < n; i++)); do
        if ! tr -d '\r' <$OUT/g$i.log 2>/dev/null | grep -q '^TANDEM-GUEST-DONE rc=0'; then
            [ "$rc" = 0 ] && rc="0, but g$i did not finish"
        fi
    done
    if [ "$rc" != 0 ]; then
        say "$row with $n guests: exit $rc (see $OUT/$row-$n.err)"
        echo fail
        return
    fi
    awk '{ printf "%.0f", $1 / 1024 }' $OUT/time.txt
}

# qemu N: N QEMU processes at once; prints the sum of their peak RSS in MiB, or "fail"
qemu() {
    local n=$1 i pids=() sum=0 bad=0
    for ((i = 0; i < n; i++)); do
        /usr/bin/time -f '%M' -o $OUT/qtime$i.txt timeout 300 qemu-system-aarch64 -M virt,dtb-kaslr-seed=off \
            -cpu cortex-a53 -m ${MEM}M -nographic -nic none -no-reboot -kernel $K -initrd $I -append "$APPEND" \
            </dev/null >$OUT/q$i.log 2>&1 &
        pids+=($!)
    done
    for ((i = 0; i < n; i++)); do
        wait "${pids[$i]}" || bad=1
        tr -d '\r' <$OUT/q$i.log | grep -q '^TANDEM-GUEST-DONE rc=0' || bad=1
        sum=$((sum + $(cat $OUT/qtime$i.txt)))
    done
    if [ $bad = 1 ]; then
        say "qemu with $n guests failed (see $OUT/q*.log)"
        echo fail
        return
    fi
    echo $((sum / 1024))
}

med() { # values...: the median of those that are numbers, else "fail"
    printf '%s\n' "$@" | grep -E '^[0-9]+$' | median | sed 's/^n\/a$/fail/'
}
cells() { # COMMAND ARGS...: RUNS runs of the command, the median
    local r v=()
    for ((r = 1; r <= RUNS; r++)); do v+=("$("$@")"); done
    med "${v[@]}"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a !~ /^[0-9]+$/ || b !~ /^[0-9]+$/ || b == 0) print "n/a"; else printf "%.2f", a / b }'; }

declare -A RSS QRSS
for ((n = 1; n <= MAX; n++)); do
    say "qemu x $n"
    QRSS[$n]=$(cells qemu $n)
    for row in "${ROWS[@]}"; do
        say "$row, $n guest(s)"
        RSS[$row,$n]=$(cells tandem $row $n)
    done
done

echo "## Peak RSS against the number of guests (MiB)"
echo
printf '| guests | QEMU (sum of N processes) |'
for row in "${ROWS[@]}"; do printf ' %s | / QEMU |' "$row"; done
echo
printf '|---:|---:|'
for row in "${ROWS[@]}"; do printf -- '---:|---:|'; done
echo
for ((n = 1; n <= MAX; n++)); do
    printf '| %d | %s |' $n "${QRSS[$n]}"
    for row in "${ROWS[@]}"; do printf ' %s | %s |' "${RSS[$row,$n]}" "$(ratio "${RSS[$row,$n]}" "${QRSS[$n]}")"; done
    echo
done
echo
echo "Guests of ${MEM} MiB running tandem-smoke (boot, the scripted workload, power off), the median of $RUNS run(s)."
echo "off: no limit (machine memory is the sum of the guests' RAM), nothing compressed or shared; share: --share all;"
echo "compress: --compress lz4 --machine-mem ${POOL}M; QEMU: -m ${MEM}M -cpu cortex-a53, N processes at once, their peak RSS summed."
echo
echo "## The most guests in ${POOL} MiB of machine memory (up to $MAX)"
echo
echo "| configuration | guests | peak RSS (MiB) | QEMU for as many (MiB) | / QEMU |"
echo "|---|---:|---:|---:|---:|"
for row in compress share+compress; do
    best=0
    for ((n = 1; n <= MAX; n++)); do [ "${RSS[$row,$n]}" != fail ] && best=$n; done
    if [ $best = 0 ]; then
        printf '| %s | 0 | | | |\n' "$row"
    else
        printf '| %s | %d | %s | %s | %s |\n' "$row" $best "${RSS[$row,$best]}" "${QRSS[$best]}" "$(ratio "${RSS[$row,$best]}" "${QRSS[$best]}")"
    fi
done
grep -h '^tandem: share: machine' $OUT/share+compress-$MAX.err 2>/dev/null | sed 's/^/    /' || true
