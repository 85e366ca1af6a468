#!/usr/bin/env bash
# The backup VM's costs: checkpoint pause (p50/p99/max), pages per epoch,
# and failover time, for checkpoint intervals of 5, 20 and 100 ms, on a
# Debian boot running the scripted workload with three injected crashes (the
# run must still produce the fault-free output). Also the wall time against
# an unprotected run. N runs per row, medians. Prints a Markdown table.
#
# usage: bench/ft-bench.sh [-n RUNS] [-i INTERVALS]   (default 3 runs, 5,20,100)
set -eu
cd "$(dirname "$0")/.."
RUNS=3 INTERVALS=5,20,100
while getopts "n:i:h" o; do
    case $o in
    n) RUNS=$OPTARG ;;
    i) INTERVALS=$OPTARG ;;
    *) sed -n '2,9p' "$0"; exit 1 ;;
    esac
done
. bench/guest-lib.sh
OUT=build/bench/ft
mkdir -p $OUT
workload() { sed -n '/^TANDEM-GUEST-UP/,/^TANDEM-GUEST-DONE/p' "$1" | tr -d '\r'; }

# run NAME FLAGS...: RUNS runs; one line per run in $OUT/NAME.txt:
# wall_s checkpoints pause_p50 pause_p99 pause_max pages_per_epoch failover_max_us failovers
run() {
    local name=$1 t0 t1 f
    shift
    : >$OUT/$name.txt
    for ((r = 1; r <= RUNS; r++)); do
        t0=${EPOCHREALTIME/./}
        timeout 300 "$TANDEM" run --kernel $K --initrd $I --append "$APPEND" --no-rng-seed --stats "$@" \
            </dev/null >$OUT/$name.log 2>$OUT/$name.err || { echo "ft-bench: $name run $r failed (see $OUT/$name.err)" >&2; exit 1; }
        t1=${EPOCHREALTIME/./}
        workload $OUT/$name.log >$OUT/$name.out
        [ -s $OUT/base.out ] || cp $OUT/$name.out $OUT/base.out
        cmp -s $OUT/$name.out $OUT/base.out || { echo "ft-bench: $name run $r: output differs from the unprotected run" >&2; exit 1; }
        f=$(grep "^tandem: ft:" $OUT/$name.err || true)
        awk -v w=$(((t1 - t0) / 1000)) -v f="$f" 'BEGIN {
            n = split(f, a, /[ ,()]+/)
            for (i = 1; i <= n; i++) {
                if (a[i] == "checkpoints") c = a[i + 1]
                if (a[i] == "failovers") fo = a[i + 1]
                if (a[i] == "committed") pc = a[i + 1]
                if (a[i] == "p50") p50 = a[i + 1]
                if (a[i] == "p99") p99 = a[i + 1]
                if (a[i] == "max" && a[i - 3] == "p99") pmax = a[i + 1]
                if (a[i] == "time" && a[i + 1] == "last") fmax = a[i + 5]
            }
            printf "%.3f %s %s %s %s %s %s %s\n", w / 1000, c + 0, p50 + 0, p99 + 0, pmax + 0, c ? pc / c : 0, fmax + 0, fo + 0
        }' >>$OUT/$name.txt
    done
}
col() { awk -v c="$2" '{ print $c }' "$OUT/$1.txt" | median; }

rm -f $OUT/base.out
run plain
IFS=, read -r -a iv <<<"$INTERVALS"
for ms in "${iv[@]}"; do
    run "ft-$ms" --backup --checkpoint "interval:$ms" --inject crash@1500ms --inject crash@2500ms --inject crash@3200ms
done
base=$(col plain 1)
echo "| configuration | wall (s) | / unprotected | checkpoints | pause p50 (us) | pause p99 (us) | pause max (us) | pages per epoch | failovers | failover max (us) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '| unprotected | %.2f | 1.00 | | | | | | | |\n' "$base"
for ms in "${iv[@]}"; do
    n=ft-$ms
    printf '| backup, interval:%s, 3 crashes | %.2f | %.2f | %s | %s | %s | %s | %.0f | %s | %s |\n' "$ms" "$(col $n 1)" \
        "$(awk -v a="$(col $n 1)" -v b="$base" 'BEGIN { print a / b }')" "$(col $n 2)" "$(col $n 3)" "$(col $n 4)" \
        "$(col $n 5)" "$(col $n 6)" "$(col $n 8)" "$(col $n 7)"
done
echo
echo "$RUNS runs each, medians; a Debian boot, the scripted workload and power off on a 512 MiB guest;"
echo "every protected run's workload output equals the unprotected run's, every line once."
