#!/usr/bin/env bash
# The research's lmbench figures (Figures 5-8: bw_mem, lat_syscall, lat_proc,
# lat_ctx), measured by the guest's /usr/bin/tandem-bench on each configuration
# below, RUNS boots each (one boot per configuration and run, never two at once).
# Writes to DIR:
#   results.csv  config,run,family,benchmark,param,median,min,unit (raw, every run)
#   report.md    one table per figure: each configuration's median over the runs,
#                and the ratio of each configuration to the first one
#   <family>.png grouped bars, one group per benchmark, one bar per configuration
#   logs/        console (CONFIG.RUN.log) and emulator stderr (.err) of every boot
#
# usage: bench/lmbench.sh [-n RUNS] [-c CONFIG[,CONFIG...]] [-s] [-o DIR]
#   -n RUNS    boots per configuration (default 3)
#   -c LIST    configurations, comma separated, in column order (default tandem,qemu)
#   -s         short mode (tandem.bench=short: few repetitions, small loops)
#   -o DIR     output directory (default build/bench/lmbench)
# Environment: RUN_TIMEOUT (seconds per boot; default 600 with -s, else 3600),
# GRACE (seconds of quiet after BENCH-END before the emulator is killed; 30),
# TANDEM (default build/tandem), TANDEM_MAX_INSNS=N (cap every Tandem boot at
# N guest instructions, --max-insns; a guest that hangs busy then fails in
# seconds instead of at RUN_TIMEOUT), LMBENCH_FAKE=FILE (no emulator: every boot
# prints FILE instead, %c and %r in the name replaced by configuration and run;
# to test the parser and the report without a guest).
set -eu
cd "$(dirname "$0")/.."

# Configurations: name | emulator | emulator options | extra kernel arguments
# ("-" for none). The emulators' common command lines are in config_cmd below;
# a new configuration is one more line here. Pairs see the same seeds: QEMU's
# dtb-kaslr-seed=off drops both kaslr-seed and rng-seed (Tandem: --no-rng-seed),
# its default virt has both (Tandem: --kaslr-seed, rng-seed by default); without
# "nokaslr" KASLR and so, on Cortex-A53, kernel page-table isolation are on.
# tandem2 is two 512 MiB VMs in one Tandem, both running the suite: the column
# is the first VM's results (the second's console is logs/CONFIG.RUN.vm2.log),
# so its ratio to "tandem" is the cost of sharing the host with a second VM.
# tandem-ft protects the VM with a backup (checkpoint every 20 ms);
# tandem-ft-ctxsw checkpoints at every guest context switch (the seed's choice).
# tandem-swap50 gives the 512 MiB guest a machine-memory pool of half its RAM
# with compressed swap (lz4); the suite's guest has about 70 MiB resident, so
# that pool compresses nothing. tandem-swap12 (64 MiB, 12.5%) does: the
# report's compressed-swap section shows the pages compressed per run.
# tandem-share runs the page-sharing scanner (--share all) over the guest:
# its ratio to "tandem" is the scanner's cost.
CONFIG_TABLE='
tandem       | tandem | --mem 512M --no-rng-seed           | nokaslr
qemu         | qemu   | -M virt,dtb-kaslr-seed=off         | nokaslr
tandem-kpti  | tandem | --mem 512M --kaslr-seed 0x5eed1234 | -
qemu-kpti    | qemu   | -M virt                            | -
tandem-2vm   | tandem2 | --no-rng-seed                     | nokaslr
tandem-ft    | tandem | --mem 512M --no-rng-seed --backup   | nokaslr
tandem-ft-ctxsw | tandem | --mem 512M --no-rng-seed --backup --checkpoint context-switch | nokaslr
tandem-swap50 | tandem | --mem 512M --no-rng-seed --machine-mem 256M --compress lz4 | nokaslr
tandem-swap12 | tandem | --mem 512M --no-rng-seed --machine-mem 64M --compress lz4 | nokaslr
tandem-share | tandem | --mem 512M --no-rng-seed --share all | nokaslr
'
DEFAULT_CONFIGS=tandem,qemu
FAMILIES="bw_mem lat_syscall lat_proc lat_ctx" # figure order

die() { echo "lmbench: $*" >&2; exit 1; }
usage() { sed -n '12,16p' "$0" >&2; exit 1; }

declare -A C_EMU C_OPTS C_KARGS
KNOWN=()
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
while IFS='|' read -r name emu opts kargs; do
    name=$(trim "$name") emu=$(trim "$emu") opts=$(trim "$opts") kargs=$(trim "${kargs-}")
    [ -n "$name" ] && [ "${name:0:1}" != "#" ] || continue
    KNOWN+=("$name")
    C_EMU[$name]=$emu C_OPTS[$name]=$opts C_KARGS[$name]=${kargs#-}
done <<<"$CONFIG_TABLE"

RUNS=3 LIST=$DEFAULT_CONFIGS SHORT=0 OUT=build/bench/lmbench
while getopts "n:c:so:h" o; do
    case $o in
    n) RUNS=$OPTARG ;;
    c) LIST=$OPTARG ;;
    s) SHORT=1 ;;
    o) OUT=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || die "unexpected argument '$1' (usage: bench/lmbench.sh [-n RUNS] [-c CONFIG[,CONFIG...]] [-s] [-o DIR])"
[[ $RUNS =~ ^[0-9]+$ ]] && [ "$((10#$RUNS))" -ge 1 ] && [ "$((10#$RUNS))" -le 1000 ] ||
    die "-n wants a number of runs from 1 to 1000, not '$RUNS'"
RUNS=$((10#$RUNS))
CONFIGS=()
IFS=, read -r -a req <<<"$LIST"
for c in "${req[@]}"; do
    c=$(trim "$c")
    [ -n "$c" ] || continue
    [ -n "${C_EMU[$c]+x}" ] || die "unknown configuration '$c' (known: ${KNOWN[*]})"
    [[ " ${CONFIGS[*]-} " == *" $c "* ]] || CONFIGS+=("$c")
done
[ ${#CONFIGS[@]} -gt 0 ] || die "-c names no configuration (known: ${KNOWN[*]})"

TANDEM=${TANDEM:-build/tandem}
KERNEL=guest/out/Image
INITRD=guest/out/initramfs.cpio.gz
RUN_TIMEOUT=${RUN_TIMEOUT:-$([ $SHORT = 1 ] && echo 600 || echo 3600)}
GRACE=${GRACE:-30}
APPEND="console=ttyAMA0 panic=-1 quiet tandem.run=/usr/bin/tandem-bench"
[ $SHORT = 1 ] && APPEND+=" tandem.bench=short"
FAKE=${LMBENCH_FAKE:-}

mkdir -p "$OUT/logs" || die "cannot create $OUT"
rm -f "$OUT"/results.csv "$OUT"/report.md "$OUT"/*.png "$OUT"/*.dat "$OUT"/*.gp "$OUT"/logs/*

uses() { local c; for c in "${CONFIGS[@]}"; do [ "${C_EMU[$c]}" = "$1" ] && return 0; done; return 1; }

# --- what is missing: Tandem, the guest, QEMU, gnuplot -------------------------
# Nothing is installed here (scripts/setup.sh does that): a missing tool is
# reported.
if [ -z "$FAKE" ]; then
    if { uses tandem || uses tandem2; } && [ "$TANDEM" = build/tandem ]; then
        env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL timeout 900 make -s build/tandem >"$OUT/logs/make.log" 2>&1 ||
            die "make build/tandem failed (see $OUT/logs/make.log)"
    fi
    [ -x "$TANDEM" ] || ! { uses tandem || uses tandem2; } || die "$TANDEM is not an executable"
    uses qemu && ! command -v qemu-system-aarch64 >/dev/null &&
        die "qemu-system-aarch64 is missing (scripts/setup.sh installs it)"
    has_bench() { gzip -dc "$INITRD" 2>/dev/null | cpio -it --quiet 2>/dev/null | grep -qx 'usr/bin/tandem-bench'; }
    stale=
    if [ ! -s "$KERNEL" ] || [ ! -s "$INITRD" ]; then
        stale="guest/out is missing"
    elif [ -n "$(find guest/bench guest/init guest/rootfs -newer "$INITRD" -print -quit 2>/dev/null)" ]; then
        stale="guest sources are newer than $INITRD"
    elif ! has_bench; then
        stale="$INITRD has no /usr/bin/tandem-bench"
    fi
    if [ -n "$stale" ]; then
        echo "lmbench: $stale; running scripts/fetch-guest.sh" >&2
        timeout 1800 bash scripts/fetch-guest.sh >"$OUT/logs/fetch-guest.log" 2>&1 || true
        [ -s "$KERNEL" ] || die "kernel $KERNEL is missing and scripts/fetch-guest.sh could not fetch it (see $OUT/logs/fetch-guest.log)"
        [ -s "$INITRD" ] || die "$INITRD is missing and scripts/fetch-guest.sh could not build it (see $OUT/logs/fetch-guest.log)"
        has_bench || die "$INITRD has no /usr/bin/tandem-bench after scripts/fetch-guest.sh (guest/bench not built? see $OUT/logs/fetch-guest.log)"
    fi
fi
command -v gnuplot >/dev/null ||
    echo "lmbench: gnuplot is missing (scripts/setup.sh installs gnuplot-nox); no plots" >&2
MAX_INSNS=${TANDEM_MAX_INSNS:-}
[ -z "$MAX_INSNS" ] || [[ $MAX_INSNS =~ ^[0-9]+$ ]] || die "TANDEM_MAX_INSNS wants a number, not '$MAX_INSNS'"

# config_cmd NAME: set CMD to the configuration's command line (console on stdout)
config_cmd() {
    local c=$1 a="$APPEND ${C_KARGS[$1]}"
    a=${a% }
    # shellcheck disable=SC2206 # the table's options are words
    local opts=(${C_OPTS[$c]})
    case ${C_EMU[$c]} in
    tandem)
        CMD=("$TANDEM" run --kernel "$KERNEL" --initrd "$INITRD" "${opts[@]}" --append "$a" --stats)
        if [ -n "$MAX_INSNS" ]; then CMD+=(--max-insns "$MAX_INSNS"); fi
        ;;
    tandem2)
        local j=$OUT/logs/$c.json vm1 vm2 no_rng=false cap=
        [[ " ${opts[*]} " == *" --no-rng-seed "* ]] && no_rng=true
        [ -n "$MAX_INSNS" ] && cap=", \"max-insns\": $MAX_INSNS"
        vm1="\"kernel\": \"$KERNEL\", \"initrd\": \"$INITRD\", \"mem\": \"512M\", \"no-rng-seed\": $no_rng, \"append\": \"$a\"$cap"
        vm2="$vm1, \"console\": \"file:$OUT/logs/$c.$2.vm2.log\""
        printf '{"vms": [{"name": "first", %s, "console": "stdio"}, {"name": "second", %s}]}\n' "$vm1" "$vm2" >"$j"
        CMD=("$TANDEM" run --config "$j" --stats) ;;
    # No NIC: the guest uses none, and QEMU's default one needs a boot ROM
    # (efi-virtio.rom, in Debian's ipxe-qemu).
    qemu) CMD=(qemu-system-aarch64 -nic none "${opts[@]}" -cpu cortex-a53 -m 512 -nographic -no-reboot
        -kernel "$KERNEL" -initrd "$INITRD" -append "$a") ;;
    *) die "configuration $c: unknown emulator '${C_EMU[$c]}'" ;;
    esac
    if [ -n "$FAKE" ]; then
        local f=${FAKE//%c/$c}
        CMD=(cat "${f//%r/$2}")
    fi
}

# --- progress ------------------------------------------------------------------
T0=${EPOCHREALTIME/./}
TTY=0
[ -t 2 ] && TTY=1
declare -A SPENT NDONE # per configuration: microseconds and boots done
hms() { local s=$(($1 / 1000000)); if [ $s -ge 3600 ]; then printf '%dh%02dm%02ds' $((s / 3600)) $((s / 60 % 60)) $((s % 60)); else printf '%dm%02ds' $((s / 60)) $((s % 60)); fi; }
# progress CONFIG RUN BOOT [NOTE]: one line on stderr (rewritten in place on a terminal)
progress() {
    local c=$1 r=$2 b=$3 note=${4:-} now eta=0 known=1 x tot=0 n=0 left
    now=${EPOCHREALTIME/./}
    for x in "${CONFIGS[@]}"; do tot=$((tot + ${SPENT[$x]:-0})) n=$((n + ${NDONE[$x]:-0})); done
    # ETA: each boot not yet finished costs its configuration's mean so far
    # (the mean over all configurations where it has none), less the current boot's time so far.
    if [ "$n" -eq 0 ]; then known=0; else
        for x in "${CONFIGS[@]}"; do
            left=$((RUNS - ${NDONE[$x]:-0}))
            if [ "${NDONE[$x]:-0}" -gt 0 ]; then eta=$((eta + left * SPENT[$x] / NDONE[$x])); else eta=$((eta + left * tot / n)); fi
        done
        eta=$((eta - (now - BOOT_T0)))
        [ $eta -lt 0 ] && eta=0
    fi
    local msg
    msg="lmbench: $c, run $r/$RUNS (boot $b/$TOTAL), elapsed $(hms $((now - T0))), ETA $([ $known = 1 ] && hms $eta || echo '?')${note:+, $note}"
    if [ $TTY = 1 ]; then printf '\r\033[K%s' "$msg" >&2; else printf '%s\n' "$msg" >&2; fi
}

# --- one boot ------------------------------------------------------------------
# boot LOG CMD...: run CMD under timeout with its console copied to LOG (CRs
# dropped) and its stderr to LOG.err; reads the console as it streams, shows
# the running program in the progress line, and after BENCH-END gives the
# guest GRACE seconds of quiet to power off before killing it. Sets RC.
GUEST_PID=
boot() {
    local log=$1 fifo=$OUT/console.fifo line ended=0
    shift
    rm -f "$fifo"
    mkfifo "$fifo"
    timeout -k 5 "$RUN_TIMEOUT" "$@" </dev/null >"$fifo" 2>"$log.err" &
    GUEST_PID=$!
    exec 3<"$fifo"
    while :; do
        if [ $ended = 0 ]; then
            IFS= read -r line <&3 || break
        else
            IFS= read -r -t "$GRACE" line <&3 || {
                [ $? -gt 128 ] && { echo "lmbench: no power-off ${GRACE}s after BENCH-END; killing" >&2; kill "$GUEST_PID" 2>/dev/null || true; }
                break
            }
        fi
        line=${line//$'\r'/}
        printf '%s\n' "$line" >&4
        case $line in
        CONFIG\ *) [ $TTY = 1 ] && progress "$CUR_C" "$CUR_R" "$CUR_B" "${line#CONFIG }" ;;
        *BENCH-END*) ended=1 ;;
        esac
    done 4>"$log"
    exec 3<&-
    RC=0
    wait "$GUEST_PID" || RC=$?
    GUEST_PID=
    rm -f "$fifo"
}
cleanup() {
    [ -n "$GUEST_PID" ] && kill "$GUEST_PID" 2>/dev/null
    rm -f "$OUT/console.fifo"
}
trap cleanup EXIT
trap 'echo >&2; echo "lmbench: interrupted" >&2; exit 130' INT TERM

# parse LOG CONFIG RUN: append the RESULT lines between BENCH-BEGIN and BENCH-END
# to results.csv; prints "RESULTS MALFORMED ENDED [FAILED-PROGRAM...]".
parse() {
    awk -v c="$2" -v r="$3" -v csv="$OUT/results.csv" -v cfgs="$OUT/logs/guest-config.txt" '
    function num(x) { return x ~ /^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/ }
    /BENCH-BEGIN/ { inside = 1; next }
    /BENCH-END/ { if (inside) ended = 1; inside = 0; next }
    !inside { next }
    /^(CONFIG|INFO) / { if (r == 1) print c ": " $0 >>cfgs; next }
    /BENCH-FAIL/ { sub(/^.*BENCH-FAIL /, ""); printf "lmbench: %s run %d: guest program failed: %s\n", c, r, $0 >"/dev/stderr"; fails = fails " " $1; next }
    /RESULT/ {
        sub(/^.*RESULT /, "RESULT ")
        if (NF != 7 || !num($5) || !num($6) || $2 !~ /^[A-Za-z0-9_]+$/ || $3 ~ /,/ || $4 ~ /,/ || $7 ~ /,/) {
            printf "lmbench: %s run %d: malformed line: %s\n", c, r, $0 >"/dev/stderr"; bad++; next
        }
        printf "%s,%d,%s,%s,%s,%s,%s,%s\n", c, r, $2, $3, $4, $5 + 0, $6 + 0, $7 >>csv; n++
    }
    END { printf "%d %d %d%s\n", n, bad, ended, fails }' "$1"
}

# --- the runs ------------------------------------------------------------------
echo "config,run,family,benchmark,param,median,min,unit" >"$OUT/results.csv"
TOTAL=$((RUNS * ${#CONFIGS[@]}))
FAILED=()
b=0
for ((r = 1; r <= RUNS; r++)); do
    for c in "${CONFIGS[@]}"; do
        b=$((b + 1))
        CUR_C=$c CUR_R=$r CUR_B=$b
        BOOT_T0=${EPOCHREALTIME/./}
        progress "$c" "$r" "$b" "booting"
        config_cmd "$c" "$r"
        log=$OUT/logs/$c.$r.log
        boot "$log" "${CMD[@]}"
        SPENT[$c]=$((${SPENT[$c]:-0} + ${EPOCHREALTIME/./} - BOOT_T0))
        NDONE[$c]=$((${NDONE[$c]:-0} + 1))
        read -r n bad ended progfail <<<"$(parse "$log" "$c" "$r")"
        if [ "$ended" != 1 ] || [ "$n" -eq 0 ]; then
            [ $TTY = 1 ] && echo >&2
            if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
                why="timed out after ${RUN_TIMEOUT}s"
            elif [ "$RC" = 3 ] && [ "${C_EMU[$c]}" = tandem ] && [ -n "$MAX_INSNS" ]; then
                why="instruction limit of $MAX_INSNS reached"
            else
                why="exit status $RC"
                [ -s "$log.err" ] && why+=", stderr: $(tail -2 "$log.err" | tr '\n' ' ' | sed 's/ *$//')"
            fi
            echo "lmbench: $c run $r: $([ "$ended" = 1 ] && echo "no RESULT lines" || echo "no BENCH-END") ($why, $n results); see $log" >&2
            FAILED+=("$c run $r: $([ "$ended" = 1 ] && echo "no RESULT lines" || echo "incomplete, $why, $n results")")
        else
            [ "$bad" -gt 0 ] && FAILED+=("$c run $r: $bad malformed RESULT lines")
            [ -n "$progfail" ] && FAILED+=("$c run $r: guest program(s) failed: $progfail")
        fi
    done
done
[ $TTY = 1 ] && echo >&2
ELAPSED=$(hms $((${EPOCHREALTIME/./} - T0)))

# --- aggregation: report.md tables and one .dat per family ---------------------
fmt_header() {
    echo "# lmbench on Tandem and QEMU (the research's Figures 5-8)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), host $(uname -m) $(nproc) CPUs, guest kernel $(cat guest/out/kernel-version 2>/dev/null || echo '?')," \
        "$RUNS run(s) per configuration, $([ $SHORT = 1 ] && echo 'short mode (tandem.bench=short)' || echo 'full mode'), total $ELAPSED."
    echo "Each cell is the median over the runs of the guest program's per-run median; raw numbers in results.csv."
    echo "Ratio columns: configuration / first column (MB/s: higher is faster; us: lower is faster)."
    [ -n "$FAKE" ] && echo "**Fake guest output ($FAKE), not a measurement.**"
    echo
    echo "| configuration | command line |"
    echo "|---|---|"
    for c in "${CONFIGS[@]}"; do
        config_cmd "$c" 1
        echo "| $c | \`$(for w in "${CMD[@]}"; do [[ $w == *' '* ]] && printf '"%s" ' "$w" || printf '%s ' "$w"; done | sed 's/ $//')\` |"
    done
}
{
    fmt_header
    awk -F, -v cfgs="${CONFIGS[*]}" -v fams="$FAMILIES" -v out="$OUT" -v runs="$RUNS" '
    function median(k, m, i, j, t, a) {
        m = cnt[k]; for (i = 1; i <= m; i++) a[i] = v[k, i]
        for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
    }
    function f(x) { return x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : x >= 1 ? sprintf("%.2f", x) : sprintf("%.3f", x) }
    function label(fam, b, p) { return fam == "lat_ctx" ? p " procs" : p == "-" ? b : b " " p }
    BEGIN {
        nc = split(cfgs, C, " ")
        nf = split(fams, F, " ")
        title["bw_mem"] = "Fig. 5: memory bandwidth (bw_mem)"
        title["lat_syscall"] = "Fig. 6: system call latency (lat_syscall)"
        title["lat_proc"] = "Fig. 7: process creation latency (lat_proc)"
        title["lat_ctx"] = "Fig. 8: context switch latency (lat_ctx)"
    }
    NR == 1 { next }
    {
        key = $3 SUBSEP $4 SUBSEP $5
        if (!(key in seen)) {
            seen[key] = 1; nk[$3]++; rows[$3, nk[$3]] = key; unit[key] = $8
            if (!($3 in known)) { known[$3] = 1; if (index(" " fams " ", " " $3 " ") == 0) F[++nf] = $3 }
        }
        k = $1 SUBSEP key; cnt[k]++; v[k, cnt[k]] = $6
    }
    END {
        for (i = 1; i <= nf; i++) {
            fam = F[i]
            printf "\n## %s\n\n", (fam in title) ? title[fam] : fam
            if (!nk[fam]) { print "No results."; continue }
            hdr = "| benchmark | param | unit |"; sep = "|---|---|---|"
            for (j = 1; j <= nc; j++) { hdr = hdr " " C[j] " |"; sep = sep "---:|" }
            for (j = 2; j <= nc; j++) { hdr = hdr " " C[j] " / " C[1] " |"; sep = sep "---:|" }
            print hdr; print sep
            dat = out "/" fam ".dat"
            printf "benchmark" >dat; for (j = 1; j <= nc; j++) printf "\t%s", C[j] >dat; printf "\n" >dat
            for (r = 1; r <= nk[fam]; r++) {
                key = rows[fam, r]; split(key, K, SUBSEP)
                line = "| " K[2] " | " K[3] " | " unit[key] " |"
                printf "%s", label(fam, K[2], K[3]) >dat
                for (j = 1; j <= nc; j++) {
                    k = C[j] SUBSEP key
                    if (cnt[k]) { m[j] = median(k); cell = f(m[j]); if (cnt[k] < runs) cell = cell " (" cnt[k] "/" runs " runs)"; printf "\t%s", m[j] >dat }
                    else { m[j] = ""; cell = "n/a"; printf "\t?" >dat }
                    line = line " " cell " |"
                }
                for (j = 2; j <= nc; j++) line = line " " ((m[1] != "" && m[j] != "" && m[1] > 0) ? sprintf("%.2f", m[j] / m[1]) : "n/a") " |"
                print line; printf "\n" >dat
            }
            close(dat)
        }
    }' "$OUT/results.csv"
    if [ -s "$OUT/logs/guest-config.txt" ]; then
        echo
        echo "Guest programs' settings and notes (first run):"
        echo '```'
        cat "$OUT/logs/guest-config.txt"
        echo '```'
    fi
    sched=$(for c in "${CONFIGS[@]}"; do
        case ${C_EMU[$c]} in tandem | tandem2) ;; *) continue ;; esac
        for ((r = 1; r <= RUNS; r++)); do
            sed -n "s/^tandem: scheduler: \([0-9]*\) VM switches.* \([0-9.]*\) us per slice outside the guests/$c \1 \2/p" "$OUT/logs/$c.$r.log.err" 2>/dev/null
        done
    done | awk '{ n[$1]++; sw[$1] += $2; us[$1, n[$1]] = $3; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
        END { for (i = 1; i <= k; i++) { c = order[i]; m = n[c]
            for (a = 1; a <= m; a++) v[a] = us[c, a]
            for (a = 2; a <= m; a++) { t = v[a]; for (b = a - 1; b >= 1 && v[b] > t; b--) v[b + 1] = v[b]; v[b + 1] = t }
            med = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
            printf "- %s: %.2f us per slice outside the guests (median of %d runs), %.0f VM switches per run\n", c, med, m, sw[c] / m } }')
    if [ -n "$sched" ]; then
        echo
        echo "Scheduling overhead (Tandem's --stats: host time per slice spent polling and switching, not running a guest):"
        echo "$sched"
    fi
    # Compressed swap: Tandem's --stats swap line, for configurations that limit
    # machine memory or choose an algorithm
    swap=$(for c in "${CONFIGS[@]}"; do
        [ "${C_EMU[$c]}" = tandem ] || continue
        [[ " ${C_OPTS[$c]} " == *" --machine-mem "* || " ${C_OPTS[$c]} " == *" --compress "* ]] || continue
        for ((r = 1; r <= RUNS; r++)); do
            awk -v c="$c" '
            /^tandem: swap: machine / { for (i = 4; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] } }
            /^tandem: machine: / && match($0, /high water [0-9]+ MiB/) { hw = substr($0, RSTART + 11, RLENGTH - 15) }
            END { if (hw != "") printf "%s %s %s %s %s %s %s\n", c, v["alg"], v["pages_compressed"] + 0, v["pages_faulted_in"] + 0,
                                       v["refaults"] + 0, v["ratio"] + 0, hw }' "$OUT/logs/$c.$r.log.err" 2>/dev/null
        done
    done | awk '{ n[$1]++; alg[$1] = $2; pc[$1, n[$1]] = $3; pf[$1, n[$1]] = $4; rf[$1, n[$1]] = $5; ra[$1, n[$1]] = $6; hw[$1, n[$1]] = $7
                  if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
        function med(x, c, m, a, i, j, t) { for (i = 1; i <= m; i++) a[i] = x[c, i]
            for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
        END { for (i = 1; i <= k; i++) { c = order[i]; m = n[c]
            printf "| %s | %s | %.0f | %.0f | %.0f | %.2f | %.0f |\n", c, alg[c], med(pc, c, m), med(pf, c, m), med(rf, c, m), med(ra, c, m), med(hw, c, m) } }')
    if [ -n "$swap" ]; then
        echo
        echo "Compressed swap (Tandem's --stats at exit, medians over the runs; ratio: orig_data_size / compr_data_size):"
        echo
        echo "| configuration | alg | pages compressed | pages faulted in | refaults | ratio | machine high water (MiB) |"
        echo "|---|---|---:|---:|---:|---:|---:|"
        echo "$swap"
    fi
    if [ ${#FAILED[@]} -gt 0 ]; then
        echo
        echo "Failed or incomplete runs (console logs in $OUT/logs/):"
        for x in "${FAILED[@]}"; do echo "- $x"; done
    fi
} >"$OUT/report.md"

# --- plots ---------------------------------------------------------------------
plot() { # FAMILY TITLE
    local fam=$1 dat=$OUT/$1.dat unit ncol term=png
    [ -s "$dat" ] || return 0
    unit=$(awk -F, -v f="$fam" '$3 == f { print $8; exit }' "$OUT/results.csv")
    ncol=$(($(head -1 "$dat" | awk -F'\t' '{print NF}') - 1))
    gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1 && term=pngcairo
    local better="lower is better"
    [[ $unit == */s ]] && better="higher is better"
    cat >"$OUT/$fam.gp" <<EOF
set terminal $term size 960,540 noenhanced font "sans,11"
set output "$OUT/$fam.png"
set title "$2; $better"
set datafile separator "\t"
set datafile missing "?"
set key autotitle columnhead
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key outside top center horizontal
set ylabel "$unit"
set yrange [0:*]
set grid ytics
set xtics nomirror
set offsets 0, 0, graph 0.08, 0
N = $ncol
plot for [i=2:N+1] "$dat" using i:xtic(1) title columnheader(i), \
     for [i=2:N+1] "$dat" using (\$0 + (i - 2 - (N - 1) / 2.0) / (N + 1.0)):(column(i)):(column(i) >= 100 ? sprintf("%.0f", column(i)) : sprintf("%.3g", column(i))) \
         with labels offset 0,0.7 font "sans,8" notitle
EOF
    gnuplot "$OUT/$fam.gp" 2>"$OUT/logs/gnuplot-$fam.log" || echo "lmbench: gnuplot failed for $fam (see $OUT/logs/gnuplot-$fam.log)" >&2
}
if command -v gnuplot >/dev/null; then
    plot bw_mem "Fig. 5: memory bandwidth, bw_mem"
    plot lat_syscall "Fig. 6: system call latency, lat_syscall"
    plot lat_proc "Fig. 7: process creation latency, lat_proc"
    plot lat_ctx "Fig. 8: context switch latency, lat_ctx (64 KB per process)"
fi

echo "lmbench: $(($(wc -l <"$OUT/results.csv") - 1)) results from $TOTAL boots in $ELAPSED; $OUT/report.md, results.csv, $(find "$OUT" -maxdepth 1 -name '*.png' | wc -l) PNGs" >&2
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "lmbench: ${#FAILED[@]} run(s) failed, incomplete or with malformed lines: see $OUT/report.md" >&2
    exit 1
fi
