#!/usr/bin/env bash
# Compressed swap (--compress lzo|lz4|zstd): what it saves and what it costs,
# on the Debian guest (512 MiB of RAM). Prints Markdown tables:
#  ratio   per algorithm, on two workloads: "boot" (Debian's boot and
#          tandem-smoke, the pool the guest's RAM but --swap-low/--swap-high
#          just under it, so every cold page of the booted system is
#          compressed) and "memfill" (tb-memfill fills 400 MiB in a 192 MiB
#          pool): compression ratio (orig_data_size/compr_data_size), same
#          and huge (incompressible) pages, compress/decompress/fault-in
#          latency p50/p99, pages faulted in, refaults, wall time against the
#          same workload with --compress off and no memory limit. Medians of
#          RUNS runs; every run's workload output must equal the
#          unconstrained run's.
#  table1  the seed's Table 1, measured: the smallest --machine-mem in which
#          the guest boots and runs tb-memfill (-f MIB, default 200) to
#          TANDEM-GUEST-DONE rc=0 with mismatches=0 and the unconstrained
#          run's digests, with --compress off and each algorithm, for one VM
#          and for two VMs in one Tandem (both running the workload). A search
#          in -g MIB steps (default 8) between 32 MiB per VM and the guests'
#          RAM; a run that pauses for memory (exit 4), fails, or takes more
#          than -t FACTOR (default 4) times the unconstrained run's wall time
#          does not fit. The wall time at the size found is the median of
#          -r REPEAT runs there (default 1: the search's own run).
#  lmbench bench/lmbench.sh -s on tandem, tandem-swap50 (a 256 MiB pool for
#          the 512 MiB guest, lz4) and tandem-swap12 (64 MiB, lz4), its
#          report's tables and compressed-swap section.
# Every Tandem run is build/tandem with --max-insns and a timeout; nothing is
# installed. Logs in build/bench/swap/.
#
# usage: bench/swap-bench.sh [-n RUNS] [-p PARTS] [-a ALGS] [-f MIB] [-g MIB] [-r N] [-t F]
#   -n RUNS   runs per row of ratio and lmbench, and of table1's unconstrained runs (default 3)
#   -p PARTS  comma list of ratio, table1, lmbench (default all three)
#   -a ALGS   algorithms (default lzo,lz4,zstd)
#   -f MIB    table1's memfill size (default 200)
#   -g MIB    table1's search granularity (default 8)
#   -r N      table1: runs at the size found, for its wall time (default 1)
#   -t F      table1: a run slower than F x the unconstrained one does not fit (default 4)
set -eu
cd "$(dirname "$0")/.."
RUNS=3 PARTS=ratio,table1,lmbench ALGS=lzo,lz4,zstd FILL1=200 STEP=8 REPEAT=1 FACTOR=4
while getopts "n:p:a:f:g:r:t:h" o; do
    case $o in
    n) RUNS=$OPTARG ;;
    p) PARTS=$OPTARG ;;
    a) ALGS=$OPTARG ;;
    f) FILL1=$OPTARG ;;
    g) STEP=$OPTARG ;;
    r) REPEAT=$OPTARG ;;
    t) FACTOR=$OPTARG ;;
    *) sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; exit 1 ;;
    esac
done
for x in "$RUNS" "$FILL1" "$STEP" "$REPEAT" "$FACTOR"; do
    [[ $x =~ ^[1-9][0-9]*$ ]] || { echo "swap-bench: '$x' is not a positive number" >&2; exit 1; }
done
IFS=, read -r -a ALG <<<"$ALGS"
for a in "${ALG[@]}"; do
    case $a in lzo | lz4 | zstd) ;; *) echo "swap-bench: unknown algorithm '$a' (lzo, lz4, zstd)" >&2; exit 1 ;; esac
done
IFS=, read -r -a PART <<<"$PARTS"
for p in "${PART[@]}"; do
    case $p in ratio | table1 | lmbench) ;; *) echo "swap-bench: unknown part '$p' (ratio, table1, lmbench)" >&2; exit 1 ;; esac
done
want() { [[ ",$PARTS," == *",$1,"* ]]; }
. bench/guest-lib.sh
OUT=build/bench/swap
mkdir -p $OUT
BASE="console=ttyAMA0 panic=-1 quiet nokaslr"
MEM=512                 # MiB of guest RAM, every VM
MAX_INSNS=20000000000   # a 400 MiB fill is about 4.5 G instructions
T0=${EPOCHREALTIME/./}
secs() { awk -v a="$1" -v b="${EPOCHREALTIME/./}" 'BEGIN { printf "%.0f", (b - a) / 1e6 }'; }
say() { echo "swap-bench: $*" >&2; }

# trun NAME TIMEOUT ARGS...: one Tandem run, console in NAME.out, stderr in
# NAME.err; sets RC (124: timed out) and WALL (seconds).
trun() {
    local name=$1 to=$2 t0 t1
    shift 2
    t0=${EPOCHREALTIME/./}
    RC=0
    timeout -k 5 "$to" "$TANDEM" run --stats "$@" </dev/null >$OUT/$name.out 2>$OUT/$name.err || RC=$?
    t1=${EPOCHREALTIME/./}
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')
}
# rec NAME: one line of key=value: wall, rc, high water (MiB), the swap
# machine line's fields, and cratio (orig_data_size / compr_data_size)
rec() {
    awk -v w="$WALL" -v rc="$RC" '
    /^tandem: swap: machine / { for (i = 4; i <= NF; i++) if (index($i, "=")) { s = s " " $i; split($i, a, "="); v[a[1]] = a[2] } }
    /^tandem: machine: / && match($0, /high water [0-9]+ MiB/) { hw = substr($0, RSTART + 11, RLENGTH - 15) }
    END { printf "wall=%s rc=%s hw=%s%s", w, rc, hw, s
          if (v["compr_data_size"] > 0) printf " cratio=%.3f", v["orig_data_size"] / v["compr_data_size"]
          printf "\n" }' "$OUT/$1.err"
}
# col ROW KEY: the median of KEY over ROW's runs
col() { awk -v k="$2" '{ for (i = 1; i <= NF; i++) { n = index($i, "="); if (substr($i, 1, n - 1) == k) print substr($i, n + 1) } }' "$OUT/$1.txt" | median; }
# workload FILE: the guest's output from TANDEM-GUEST-UP to TANDEM-GUEST-DONE,
# without kernel messages and tb-memfill's timing line (the parts that vary)
workload() { tr -d '\r' <"$1" | sed -n '/^TANDEM-GUEST-UP/,/^TANDEM-GUEST-DONE/p' | grep -v -e '^\[' -e '^memfill: seconds'; }
why() { # NAME: a short reason for a failed run
    case $RC in
    124 | 137) echo "timed out" ;;
    3) echo "instruction limit" ;;
    4) grep -q 'out of machine memory' "$OUT/$1.err" && echo "paused for memory (exit 4)" || echo "VM failed (exit 4: $(grep -m1 '^tandem: ' "$OUT/$1.err" | cut -c1-80))" ;;
    1) echo "exit 1: $(grep -m1 '^tandem: ' "$OUT/$1.err" | cut -c9-90)" ;;
    *) echo "exit $RC" ;;
    esac
}
WARN=()   # anything that looked wrong in Tandem, printed at the end
f0() { awk -v x="$1" 'BEGIN { if (x == "n/a" || x == "") print "n/a"; else printf "%.0f", x }'; }
f2() { awk -v x="$1" 'BEGIN { if (x == "n/a" || x == "") print "n/a"; else printf "%.2f", x }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }

# --- part 1: ratio and latency per algorithm ---------------------------------
ratio_part() {
    local t0=${EPOCHREALTIME/./} w row alg r args
    declare -A W_APPEND W_ARGS W_DESC
    W_APPEND[boot]="$BASE tandem.run=/usr/bin/tandem-smoke"
    W_ARGS[boot]="--swap-low $((MEM - 12))M --swap-high $((MEM - 2))M"
    W_DESC[boot]="boot + tandem-smoke, --swap-low $((MEM - 12))M --swap-high $((MEM - 2))M in the ${MEM} MiB pool"
    W_APPEND[memfill]="$BASE tandem.run=/usr/bin/tandem-memfill tandem.fill=400"
    W_ARGS[memfill]="--machine-mem 192M"
    W_DESC[memfill]="tb-memfill 400 MiB in a 192 MiB pool"
    for w in boot memfill; do
        for row in off "${ALG[@]}"; do
            : >$OUT/$w-$row.txt
            for ((r = 1; r <= RUNS; r++)); do
                say "ratio: $w, $row, run $r/$RUNS"
                if [ $row = off ]; then
                    # shellcheck disable=SC2086
                    args=(--compress off)
                else
                    # shellcheck disable=SC2206
                    args=(--compress $row ${W_ARGS[$w]})
                fi
                trun "$w-$row" 300 --no-rng-seed -k $K -i $I --append "${W_APPEND[$w]}" --mem ${MEM}M --max-insns $MAX_INSNS "${args[@]}"
                if [ $RC != 0 ] || ! grep -q 'TANDEM-GUEST-DONE rc=0' $OUT/$w-$row.out; then
                    say "ratio: $w $row run $r failed: $(why "$w-$row") (see $OUT/$w-$row.err)"
                    WARN+=("ratio: $w --compress $row run $r: $(why "$w-$row"), no TANDEM-GUEST-DONE rc=0")
                    continue
                fi
                workload $OUT/$w-$row.out >$OUT/$w-$row.wl
                [ $row = off ] && [ $r = 1 ] && cp $OUT/$w-$row.wl $OUT/$w.ref
                cmp -s $OUT/$w-$row.wl $OUT/$w.ref ||
                    WARN+=("ratio: $w --compress $row run $r: the workload's output differs from the unconstrained run's ($(diff $OUT/$w.ref $OUT/$w-$row.wl | grep -m1 '^>' | cut -c1-80))")
                rec "$w-$row" >>$OUT/$w-$row.txt
                [ $row = off ] || [ "$(col "$w-$row" pages_compressed)" != 0 ] ||
                    WARN+=("ratio: $w --compress $row: pages_compressed=0 (nothing was compressed)")
            done
        done
    done
    echo "## Compressed swap per algorithm"
    echo
    echo "| workload | alg | ratio | same pages | huge pages | pages compressed | faulted in | refaults | compress p50/p99 (ns) | decompress p50/p99 (ns) | fault-in p50/p99 (ns) | pool high water (MiB) | wall (s) | / off, no limit |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for w in boot memfill; do
        local base
        base=$(col $w-off wall)
        printf '| %s | off, no limit | | | | | | | | | | %s | %s | 1.00 |\n' $w "$(col $w-off hw)" "$(f2 "$base")"
        for alg in "${ALG[@]}"; do
            row=$w-$alg
            [ -s $OUT/$row.txt ] || { printf '| %s | %s | every run failed | | | | | | | | | | | |\n' $w $alg; continue; }
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s | %s | %s |\n' $w $alg \
                "$(f2 "$(col $row cratio)")" "$(f0 "$(col $row same_pages)")" "$(f0 "$(col $row huge_pages)")" \
                "$(f0 "$(col $row pages_compressed)")" "$(f0 "$(col $row pages_faulted_in)")" "$(f0 "$(col $row refaults)")" \
                "$(f0 "$(col $row compress_p50_ns)")" "$(f0 "$(col $row compress_p99_ns)")" \
                "$(f0 "$(col $row decompress_p50_ns)")" "$(f0 "$(col $row decompress_p99_ns)")" \
                "$(f0 "$(col $row fault_in_p50_ns)")" "$(f0 "$(col $row fault_in_p99_ns)")" \
                "$(col $row hw)" "$(f2 "$(col $row wall)")" "$(div "$(col $row wall)" "$base")"
        done
    done
    echo
    echo "$RUNS run(s) per row, medians; --mem ${MEM}M, Tandem's --stats at exit."
    for w in boot memfill; do echo "- $w: ${W_DESC[$w]}; \"off, no limit\": --compress off and the whole ${MEM} MiB."; done
    echo "- ratio: orig_data_size / compr_data_size of the pages compressed at exit (same-filled pages, kept as a value, not counted);"
    echo "  same pages: kept as a value; huge pages: resident pages found incompressible (over the 3072-byte threshold)."
    echo "- latencies per page: compress and decompress are the codec; fault-in is the p2m fault through decompression."
    echo "- refaults: pages faulted in within 1 s of being compressed."
    echo "- Every run's workload output (tb-memfill's digests, tandem-smoke's lines) equals the unconstrained run's."
    echo
    say "ratio: done in $(secs $t0) s"
    TIMES+=("ratio: $(secs $t0) s")
}

# --- part 2: Table 1, the smallest pool ---------------------------------------
T1_APPEND="$BASE tandem.run=/usr/bin/tandem-memfill tandem.fill=$FILL1"
# t1run KEY SIZE: one run of configuration KEY (one-ALG or two-ALG) with
# --machine-mem SIZE MiB (SIZE 0: no limit); sets RC, WALL, FIT (1 fits) and WHY
t1run() {
    local key=$1 size=$2 alg=${1#*-} nvm name to logs f
    nvm=${1%%-*}
    name=t1-$key-$size
    to=${T1_TIMEOUT[$nvm]:-600}
    local lim=()
    [ "$size" = 0 ] || lim=(--machine-mem "${size}M")
    if [ $nvm = one ]; then
        trun "$name" "$to" --no-rng-seed -k $K -i $I --append "$T1_APPEND" --mem ${MEM}M --max-insns $MAX_INSNS --compress "$alg" "${lim[@]}"
        logs=($OUT/$name.out)
    else
        local vm a b
        vm() { printf '{"name": "%s", "kernel": "%s", "initrd": "%s", "mem": "%dM", "no-rng-seed": true, "on-reset": "stop", "max-insns": %s, "append": "%s", "console": "file:%s"}' \
            "$1" $K $I $MEM $MAX_INSNS "$T1_APPEND" "$2"; }
        a=$OUT/$name.alpha.log b=$OUT/$name.beta.log
        rm -f "$a" "$b"
        printf '{"vms": [%s, %s]}\n' "$(vm alpha "$a")" "$(vm beta "$b")" >$OUT/$name.json
        trun "$name" "$to" --config $OUT/$name.json --compress "$alg" "${lim[@]}"
        logs=("$a" "$b")
    fi
    FIT=1 WHY=
    if [ $RC != 0 ]; then
        FIT=0 WHY=$(why "$name")
        return
    fi
    for f in "${logs[@]}"; do
        if ! tr -d '\r' <"$f" | grep -q '^TANDEM-GUEST-DONE rc=0'; then
            FIT=0 WHY="$(basename "$f"): no TANDEM-GUEST-DONE rc=0"
            WARN+=("table1: $key at ${size} MiB: exit 0 but $WHY")
            return
        fi
        tr -d '\r' <"$f" | grep -q '^memfill: mismatches=0' || {
            FIT=0 WHY="$(basename "$f"): mismatches"
            WARN+=("table1: $key at ${size} MiB: $(tr -d '\r' <"$f" | grep -m1 'mismatch')")
            return
        }
        workload "$f" >$OUT/$name.wl
        if [ -s $OUT/t1.ref ] && ! cmp -s $OUT/$name.wl $OUT/t1.ref; then
            FIT=0 WHY="$(basename "$f"): digests differ from the unconstrained run's"
            WARN+=("table1: $key at ${size} MiB: $WHY")
            return
        fi
        [ -s $OUT/t1.ref ] || cp $OUT/$name.wl $OUT/t1.ref
    done
}
declare -A FITS WALLS REASON
# probe KEY SIZE: does KEY fit in SIZE MiB (cached)? Logs one line per run.
probe() {
    local k="$1:$2"
    if [ -z "${FITS[$k]+x}" ]; then
        t1run "$1" "$2"
        FITS[$k]=$FIT WALLS[$k]=$WALL REASON[$k]=$WHY
        NPROBES[$1]=$((${NPROBES[$1]:-0} + 1))
        echo "$1 $2 $FIT $WALL $(awk '/^tandem: swap: machine / { for (i = 4; i <= NF; i++) if ($i ~ /^(pages_compressed|refaults|scanned)=/) printf "%s ", $i }
            / instructions in [0-9.]+ s busy/ { for (i = 1; i <= NF; i++) if ($i == "busy,") b += $(i - 2) }
            END { printf "busy=%.1fs", b }' $OUT/t1-$1-$2.err) $WHY" >>$OUT/t1-probes.txt
        say "table1: $1 in $2 MiB: $([ "$FIT" = 1 ] && echo "fits, $WALL s" || echo "does not fit ($WHY, $WALL s)")"
    fi
    [ "${FITS[$k]}" = 1 ]
}
declare -A NPROBES RESULT
# search KEY FLOOR HI [HINT]: the smallest multiple of STEP in [FLOOR, HI]
# that fits (HI is assumed to fit until probed). With a HINT, the search
# starts there and walks away from it in growing steps (STEP, 2 STEP, 4 STEP..)
# until the answer is bracketed, then bisects: a near hint costs one or two
# runs that do not fit, and those (a thrashing run takes its whole timeout)
# are the expensive ones. Sets RESULT[KEY] (0: none fits).
declare -A SEARCH_HI
search() {
    local key=$1 lo=$(($2 - STEP)) hi=$3 hint=${4:-0} mid d=$STEP
    SEARCH_HI[$key]=$3
    if [ "$hint" -gt "$lo" ] && [ "$hint" -lt "$hi" ]; then
        if probe "$key" "$hint"; then
            hi=$hint
            while [ $((hi - d)) -gt "$lo" ]; do
                if probe "$key" $((hi - d)); then hi=$((hi - d)) d=$((2 * d)); else lo=$((hi - d)); break; fi
            done
        else
            lo=$hint
            while [ $((lo + d)) -lt "$hi" ]; do
                if probe "$key" $((lo + d)); then hi=$((lo + d)); break; else lo=$((lo + d)) d=$((2 * d)); fi
            done
        fi
    fi
    while [ $((hi - lo)) -gt "$STEP" ]; do
        mid=$((lo + (hi - lo) / STEP / 2 * STEP))
        if probe "$key" $mid; then hi=$mid; else lo=$mid; fi
    done
    if probe "$key" "$hi"; then RESULT[$key]=$hi; else RESULT[$key]=0; fi
}
up() { echo $((($1 + STEP - 1) / STEP * STEP)); }
declare -A T1_TIMEOUT T1_BASE T1_HW
table1_part() {
    local t0=${EPOCHREALTIME/./} nvm ram alg key prev r k w n ws
    rm -f $OUT/t1.ref $OUT/t1-probes.txt $OUT/t1-*.alpha.log $OUT/t1-*.beta.log
    for nvm in one two; do
        ram=$MEM
        [ $nvm = two ] && ram=$((2 * MEM))
        # the unconstrained run: the reference digests, the timeout, the high water
        : >$OUT/t1-$nvm-base.txt
        for ((r = 1; r <= RUNS; r++)); do
            say "table1: $nvm-off, no limit, run $r/$RUNS"
            t1run "$nvm-off" 0
            [ "$FIT" = 1 ] || { say "table1: the unconstrained $nvm-VM run failed: $WHY (see $OUT/t1-$nvm-off-0.err)"; exit 1; }
            rec "t1-$nvm-off-0" >>$OUT/t1-$nvm-base.txt
        done
        T1_BASE[$nvm]=$(col t1-$nvm-base wall) T1_HW[$nvm]=$(col t1-$nvm-base hw)
        T1_TIMEOUT[$nvm]=$(awk -v w="${T1_BASE[$nvm]}" -v f=$FACTOR 'BEGIN { t = f * w; printf "%d", t < 30 ? 30 : t + 1 }')
        # --compress off: near the unconstrained high water
        search $nvm-off $((32 * ${ram} / MEM)) $ram "$(up "${T1_HW[$nvm]}")"
        # each algorithm: at most what off needs; the hint is the previous
        # algorithm's size (one VM) or twice one VM's (two VMs)
        prev=0
        for alg in "${ALG[@]}"; do
            key=$nvm-$alg
            local hint=$prev hi=${RESULT[$nvm-off]}
            [ "$hi" = 0 ] && hi=$ram
            [ $nvm = two ] && [ "${RESULT[one-$alg]:-0}" != 0 ] && hint=$((2 * ${RESULT[one-$alg]}))
            search "$key" $((32 * ram / MEM)) "$hi" "$hint"
            [ "${RESULT[$key]}" = 0 ] || prev=${RESULT[$key]}
        done
    done
    # the wall time at the size found: the median of REPEAT runs there
    for nvm in one two; do
        for key in $nvm-off "${ALG[@]/#/$nvm-}"; do
            n=${RESULT[$key]}
            [ "$n" = 0 ] && continue
            ws=${WALLS[$key:$n]} k=1
            for ((r = 2; r <= REPEAT; r++)); do
                say "table1: $key at $n MiB, timing run $r/$REPEAT"
                t1run "$key" "$n"
                if [ "$FIT" = 1 ]; then ws+=" $WALL" k=$((k + 1)); else
                    WARN+=("table1: $key fitted in $n MiB once but not in timing run $r ($WHY): the size is at the edge")
                fi
            done
            WALLS[$key:$n]=$(tr ' ' '\n' <<<"$ws" | median) FITS[$key:runs]="$k/$REPEAT"
        done
    done
    echo "## The seed's Table 1, measured: the smallest machine memory"
    echo
    echo "| configuration | smallest machine-mem (MiB) | / guest RAM | wall (s) at that size | / no limit | fits at that size | runs in the search |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for nvm in one two; do
        ram=$MEM
        [ $nvm = two ] && ram=$((2 * MEM))
        local label="one VM"
        [ $nvm = two ] && label="two VMs, one Tandem"
        printf '| %s, no limit (%d MiB, --compress off) | high water %s | %s | %s | 1.00 | | |\n' "$label" $ram "${T1_HW[$nvm]}" \
            "$(div "${T1_HW[$nvm]}" $ram)" "$(f2 "${T1_BASE[$nvm]}")"
        for key in $nvm-off "${ALG[@]/#/$nvm-}"; do
            n=${RESULT[$key]}
            if [ "$n" = 0 ]; then
                printf '| %s, --compress %s | none up to %s | | | | | %s |\n' "$label" "${key#*-}" "${SEARCH_HI[$key]}" "${NPROBES[$key]:-0}"
                continue
            fi
            w=${WALLS[$key:$n]}
            printf '| %s, --compress %s | %d | %s | %s | %s | %s | %s |\n' "$label" "${key#*-}" "$n" "$(div "$n" $ram)" "$(f2 "$w")" \
                "$(div "$w" "${T1_BASE[$nvm]}")" "${FITS[$key:runs]}" "${NPROBES[$key]:-0}"
        done
    done
    echo
    echo "Workload: Debian's boot, tb-memfill $FILL1 MiB (zero, same-filled, text, binary and random pages; every page checked),"
    echo "power off; ${MEM} MiB of RAM per VM, both VMs running it in the two-VM rows. A size fits when Tandem exits 0, every"
    echo "guest prints TANDEM-GUEST-DONE rc=0 and memfill: mismatches=0, and the digests equal the unconstrained run's, within"
    echo "${FACTOR}x the unconstrained wall time (one VM: ${T1_TIMEOUT[one]} s, two: ${T1_TIMEOUT[two]} s; a run that pauses for memory exits 4 and"
    echo "does not fit). Search: multiples of $STEP MiB from 32 MiB per VM up; the first try is, for off, the unconstrained high"
    echo "water, for an algorithm the previous algorithm's size (two VMs: twice one VM's), then steps of growing size away"
    echo "from it until the answer is bracketed, then bisection."
    echo "The wall time is the median of the runs at that size (-r $REPEAT); \"fits at that size\" counts them. The unconstrained"
    echo "rows are medians of -n $RUNS runs."
    echo "The search's runs, in order (MiB: ok and wall s, or why not; a timed-out run's share of host time spent running"
    echo "its guests and its refaults, from the stats Tandem prints when it is terminated):"
    awk '{ k = $1; if (!(k in seen)) { seen[k] = 1; order[++n] = k }
           busy = ""; rf = ""; why = ""
           for (i = 5; i <= NF; i++) { if ($i ~ /^busy=/) busy = substr($i, 6) + 0; else if ($i ~ /^refaults=/) rf = substr($i, 10); else if ($i !~ /=/) why = why " " $i }
           if ($3 == 1) r = sprintf("%s ok %.1f s", $2, $4)
           else if (why ~ /timed out/) r = sprintf("%s timed out (guests ran %.0f%% of %.0f s, %s refaults)", $2, 100 * busy / $4, $4, rf)
           else { sub(/^ /, "", why); r = sprintf("%s %s", $2, why) }
           line[k] = line[k] (line[k] == "" ? "" : "; ") r }
         END { for (i = 1; i <= n; i++) printf "- %s: %s\n", order[i], line[order[i]] }' $OUT/t1-probes.txt
    echo "All runs: $OUT/t1-probes.txt; consoles and stderr: $OUT/t1-CONFIG-MIB.*."
    echo
    say "table1: done in $(secs $t0) s"
    TIMES+=("table1: $(secs $t0) s")
}

# --- part 3: lmbench beside unconstrained Tandem ------------------------------
lmbench_part() {
    local t0=${EPOCHREALTIME/./} rc=0
    say "lmbench: bench/lmbench.sh -s -n $RUNS -c tandem,tandem-swap50,tandem-swap12"
    bench/lmbench.sh -s -n "$RUNS" -c tandem,tandem-swap50,tandem-swap12 -o $OUT/lmbench || rc=$?
    [ $rc = 0 ] || WARN+=("lmbench: bench/lmbench.sh exited $rc (see $OUT/lmbench/report.md)")
    echo "## lmbench (short mode) with a smaller machine-memory pool"
    echo
    # the report without its title, date and the guest programs' settings
    sed -e '1{/^# /d}' -e '/^Guest programs. settings/,/^```$/d' -e 's/^## /### /' $OUT/lmbench/report.md | sed '1{/^$/d}' | sed '1d'
    echo
    echo "tandem-swap50 is the 512 MiB guest in a 256 MiB pool (50%): the lmbench guest never has more than about"
    echo "70 MiB resident (bw_mem's working set is 1 MB), so that pool compresses nothing (pages_compressed=0 above)."
    echo "tandem-swap12 (64 MiB, 12.5%) is below that and compresses (the pages above; checked in every run)."
    echo
    local c r p
    for c in tandem-swap50 tandem-swap12; do
        for ((r = 1; r <= RUNS; r++)); do
            p=$(sed -n 's/^tandem: swap: machine .* pages_compressed=\([0-9]*\) .*/\1/p' $OUT/lmbench/logs/$c.$r.log.err 2>/dev/null)
            [ $c = tandem-swap12 ] && [ "${p:-0}" = 0 ] && WARN+=("lmbench: $c run $r: pages_compressed=${p:-?}: the pool did not force compression")
            [ $c = tandem-swap50 ] && [ "${p:-0}" != 0 ] && WARN+=("lmbench: $c run $r: pages_compressed=$p: the note above about 50% is stale")
        done
    done
    say "lmbench: done in $(secs $t0) s"
    TIMES+=("lmbench: $(secs $t0) s")
}

TIMES=()
echo "# Compressed swap on Tandem"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), host $(uname -m) $(nproc) CPUs, $TANDEM, guest kernel $(cat guest/out/kernel-version 2>/dev/null || echo '?'), -n $RUNS."
echo
want ratio && ratio_part
want table1 && table1_part
want lmbench && lmbench_part
echo "Time: ${TIMES[*]}; total $(secs $T0) s."
if [ ${#WARN[@]} -gt 0 ]; then
    echo
    echo "Problems seen:"
    for x in "${WARN[@]}"; do echo "- $x"; done
fi
