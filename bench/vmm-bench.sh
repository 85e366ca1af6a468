#!/usr/bin/env bash
# Several VMs in one Tandem: wall time of the same workload (a Debian boot,
# the scripted workload, power off) on one VM and on two VMs sharing the host
# thread, and the scheduler's own cost per slice (from --stats), N runs each.
# Prints a Markdown table of medians.
#
# usage: bench/vmm-bench.sh [-n RUNS] [-s SLICE[,SLICE...]]
#   -n RUNS   runs per configuration (default 5)
#   -s LIST   slice sizes (instructions) for the two-VM runs (default 1048576,131072)
set -eu
cd "$(dirname "$0")/.."
RUNS=5 SLICES=1048576,131072
while getopts "n:s:h" o; do
    case $o in
    n) RUNS=$OPTARG ;;
    s) SLICES=$OPTARG ;;
    *) sed -n '2,10p' "$0"; exit 1 ;;
    esac
done
. bench/guest-lib.sh
OUT=build/bench/vmm
mkdir -p $OUT
vm() { # NAME: one VM entry running the workload
    printf '{"name": "%s", "kernel": "%s", "initrd": "%s", "mem": "512M", "no-rng-seed": true, "append": "%s", "console": "file:%s/%s.log"}' \
        "$1" $K $I "$APPEND" $OUT "$1"
}
printf '{"vms": [%s]}\n' "$(vm one)" >$OUT/one.json
printf '{"vms": [%s, %s]}\n' "$(vm alpha)" "$(vm beta)" >$OUT/two.json

# run NAME CONFIG SLICE: RUNS runs; appends "wall us_per_slice switches" lines to $OUT/NAME.txt
run() {
    local name=$1 cfg=$2 slice=$3 t0 t1
    : >$OUT/$name.txt
    for ((r = 1; r <= RUNS; r++)); do
        t0=${EPOCHREALTIME/./}
        "$TANDEM" run --config "$cfg" --slice "$slice" --stats </dev/null >/dev/null 2>$OUT/$name.err ||
            { echo "vmm-bench: $name run $r failed (see $OUT/$name.err)" >&2; exit 1; }
        t1=${EPOCHREALTIME/./}
        for f in $OUT/*.log; do grep -q 'TANDEM-GUEST-DONE rc=0' "$f" || { echo "vmm-bench: $f: workload did not finish" >&2; exit 1; }; done
        rm -f $OUT/*.log
        sed -n "s/^tandem: scheduler: \([0-9]*\) VM switches.* \([0-9.]*\) us per slice.*/\2 \1/p" $OUT/$name.err |
            awk -v w="$(((t1 - t0) / 1000))" '{ print w / 1000, $1, $2 }' >>$OUT/$name.txt
    done
}
col() { awk -v c="$2" '{ print $c }' "$OUT/$1.txt" | median; }

run one $OUT/one.json 1048576
rows=()
IFS=, read -r -a sl <<<"$SLICES"
for s in "${sl[@]}"; do
    run "two-$s" $OUT/two.json "$s"
    rows+=("two-$s")
done
base=$(col one 1)
echo "| configuration | slice (insns) | median wall (s) | / one VM | VM switches | us per slice outside the guests |"
echo "|---|---:|---:|---:|---:|---:|"
printf '| one VM | 1048576 | %.2f | 1.00 | %s | %s |\n' "$base" "$(col one 3)" "$(col one 2)"
for r in "${rows[@]}"; do
    w=$(col "$r" 1)
    printf '| two VMs, one Tandem | %s | %.2f | %.2f | %s | %s |\n' "${r#two-}" "$w" "$(awk -v a="$w" -v b="$base" 'BEGIN { print a / b }')" \
        "$(col "$r" 3)" "$(col "$r" 2)"
done
echo
echo "$RUNS runs each, medians; the workload: boot Debian's kernel, tandem-smoke, power off (512 MiB per VM)."
echo "Two VMs doing the work of two, on one host thread, cost about twice one VM; the excess over 2.00 is the price of sharing."
