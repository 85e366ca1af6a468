#!/usr/bin/env bash
# The evaluation suite (bench/lmbench.sh) end to end: the parser and report on a
# canned console, then one short run on Tandem with plausibility checks on its
# numbers and outputs. Prints PASS/FAIL lines; always exits 0. The Tandem run
# is capped by instruction count (EVAL_MAX_INSNS) so that a guest that hangs
# busy fails in seconds, not at the wall-clock timeout.
set -u
cd "$(dirname "$0")/../.."
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
check() { # NAME CONDITION-STATUS [DETAIL]
    if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1${3:+ ($3)}"; fi
}
png_ok() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }

# 1. Parser and report on a canned console: kernel noise, CRs, a RESULT before
#    BENCH-BEGIN (ignored), a malformed line (reported, skipped), two configurations.
for c in tandem qemu; do
    f=$([ $c = tandem ] && echo 1 || echo 2)
    awk -v f="$f" 'BEGIN {
        print "[    0.000000] Booting Linux on physical CPU 0x0\r"
        print "TANDEM-GUEST-UP\r"
        print "RESULT bw_mem read 1MB 1 1 MB/s\r"
        print "BENCH-BEGIN\r"
        print "CONFIG tb-bw-mem reps=3\r"
        printf "RESULT bw_mem read 1MB %.3f %.3f MB/s\r\n", 1000 / f, 900 / f
        printf "RESULT lat_syscall getpid - %.3f %.3f us\r\n", 0.5 * f, 0.4 * f
        print "RESULT lat_syscall read - oops 1 us\r"
        printf "RESULT lat_ctx 64KB 2 %.3f %.3f us\r\n", 10 * f, 9 * f
        print "BENCH-END\r"
        print "TANDEM-GUEST-DONE rc=0\r"
    }' >"$W/console-$c.txt"
done
LMBENCH_FAKE="$W/console-%c.txt" bash bench/lmbench.sh -n 2 -c tandem,qemu -o "$W/fake" >"$W/fake.out" 2>&1
rc=$?
csv=$W/fake/results.csv
exp="config,run,family,benchmark,param,median,min,unit
tandem,1,bw_mem,read,1MB,1000,900,MB/s
tandem,1,lat_syscall,getpid,-,0.5,0.4,us
tandem,1,lat_ctx,64KB,2,10,9,us"
check parser-csv "$([ "$(head -4 "$csv" 2>/dev/null)" = "$exp" ] && [ "$(wc -l <"$csv")" -eq 13 ]; echo $?)" "$(head -3 "$csv" 2>/dev/null | tr '\n' ' ')"
check parser-malformed-line-reported "$([ $rc -ne 0 ] && grep -q 'malformed line: RESULT lat_syscall read - oops' "$W/fake.out"; echo $?)"
check parser-report-ratio "$(grep -q '^| getpid | - | us | 0.500 | 1.00 | 2.00 |$' "$W/fake/report.md" 2>/dev/null; echo $?)" \
    "$(grep getpid "$W/fake/report.md" 2>/dev/null)"
out=$(bash bench/lmbench.sh -c tandem,nosuch -o "$W/bad" 2>&1)
check bad-config-error "$([ $? -ne 0 ] && [[ $out == *"unknown configuration 'nosuch' (known: tandem qemu"* ]]; echo $?)" "$out"
out=$(bash bench/lmbench.sh -n 0 -o "$W/bad" 2>&1)
check bad-runs-error "$([ $? -ne 0 ] && [[ $out == *"-n wants a number of runs"* ]]; echo $?)" "$out"

# 2. One short run on Tandem. A boot plus the short benchmarks is about 1.5 G
#    instructions (--stats); the cap leaves three times that and more.
t0=$SECONDS
TANDEM_MAX_INSNS=${EVAL_MAX_INSNS:-5000000000} bash bench/lmbench.sh -s -n 1 -c tandem -o "$W/run" >"$W/run.out" 2>&1
rc=$?
echo "INFO eval: bench/lmbench.sh -s -n 1 -c tandem took $((SECONDS - t0)) s"
check lmbench-run "$rc" "exit $rc: $(grep -v ', run 1/1' "$W/run.out" | tail -3 | tr '\n' ' ')"
csv=$W/run/results.csv
[ -f "$csv" ] || : >"$csv"
# value FAMILY BENCHMARK PARAM: the median of that result (empty if none)
value() { awk -F, -v f="$1" -v b="$2" -v p="$3" '$3 == f && $4 == b && $5 == p { print $6; exit }' "$csv"; }
positive() { awk -v x="$1" 'BEGIN { exit !(x ~ /^[0-9.eE+-]+$/ && x + 0 > 0) }'; }
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a ~ /^[0-9.eE+-]+$/ && b ~ /^[0-9.eE+-]+$/ && a + 0 < b + 0) }'; }

# Every result line on the console is in the CSV (none malformed), every family
# is there with its benchmarks, and every median and min is positive -- except a
# lat_ctx min: the best repetition of a paired difference (ring minus self, see
# guest/bench/lat_ctx.c), which may come out at 0 on a loaded host. Its median
# must be positive.
console=$(sed -n '/BENCH-BEGIN/,/BENCH-END/p' "$W/run/logs/tandem.1.log" 2>/dev/null | grep -c 'RESULT')
rows=$(($(wc -l <"$csv") - 1))
check results-all-parsed "$([ "$rows" -gt 0 ] && [ "$rows" -eq "$console" ]; echo $?)" "$rows CSV rows, $console RESULT lines"
check no-guest-program-failed "$(! grep -q BENCH-FAIL "$W/run/logs/tandem.1.log" 2>/dev/null; echo $?)" \
    "$(grep BENCH-FAIL "$W/run/logs/tandem.1.log" 2>/dev/null | tr -d '\r' | tr '\n' ' ')"
for spec in "bw_mem 3" "lat_syscall 3" "lat_proc 2" "lat_ctx 6"; do
    read -r fam want <<<"$spec"
    n=$(awk -F, -v f="$fam" '$3 == f' "$csv" | wc -l)
    bad=$(awk -F, -v f="$fam" '$3 == f && !($6 + 0 > 0 && ($7 + 0 > 0 || (f == "lat_ctx" && $7 ~ /^[0-9.]+$/))) { printf "%s/%s=%s,%s ", $4, $5, $6, $7 }' "$csv")
    check "results-$fam" "$([ "$n" -ge "$want" ] && [ -z "$bad" ]; echo $?)" "$n results (want $want)${bad:+, not positive: $bad}"
done
getpid=$(value lat_syscall getpid -)
fexit=$(value lat_proc fork+exit -)
fexec=$(value lat_proc fork+exec -)
check fork-exit-slower-than-getpid "$(less "$getpid" "$fexit"; echo $?)" "getpid ${getpid:-none} us, fork+exit ${fexit:-none} us"
check fork-exec-slower-than-fork-exit "$(less "$fexit" "$fexec"; echo $?)" "fork+exit ${fexit:-none} us, fork+exec ${fexec:-none} us"
bw=$(awk -F, '$3 == "bw_mem" { printf "%s=%s ", $4, $6 }' "$csv")
bwbad=$(awk -F, '$3 == "bw_mem" && ($8 != "MB/s" || !($6 + 0 >= 1 && $6 + 0 <= 100000)) { printf "%s=%s%s ", $4, $6, $8 }' "$csv")
check bandwidth-1MBps-to-100GBps "$([ -n "$bw" ] && [ -z "$bwbad" ]; echo $?)" "${bwbad:-no bw_mem results}"
for p in 2 4 6 8 16 32; do
    v=$(awk -F, -v p="$p" '$3 == "lat_ctx" && $5 == p { print $6; exit }' "$csv")
    check "lat-ctx-${p}procs-positive" "$(positive "${v:-x}"; echo $?)" "${v:-no result}"
done
[ -n "$bw" ] && echo "INFO eval: bw_mem MB/s $bw"
[ -n "$getpid" ] && echo "INFO eval: getpid $getpid us, fork+exit ${fexit:-?} us, fork+exec ${fexec:-?} us"
ctx=$(awk -F, '$3 == "lat_ctx" { printf "%s=%s/%s ", $5, $6, $7 }' "$csv")
[ -n "$ctx" ] && echo "INFO eval: lat_ctx 64KB us per switch (procs=median/min) $ctx"

# Outputs: the CSV header, one table per figure in the report, PNGs.
check csv-written "$([ "$(head -1 "$csv")" = "config,run,family,benchmark,param,median,min,unit" ]; echo $?)"
tables=$(grep -c '^| benchmark | param | unit | tandem |' "$W/run/report.md" 2>/dev/null)
check report-written "$([ "${tables:-0}" -eq 4 ]; echo $?)" "${tables:-0} tables"
for fam in bw_mem lat_syscall lat_proc lat_ctx; do
    check "png-$fam" "$(png_ok "$W/run/$fam.png"; echo $?)" "$W/run/$fam.png missing or not a PNG"
done
exit 0
