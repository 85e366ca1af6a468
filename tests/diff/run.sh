#!/usr/bin/env bash
# CI subset of the differential campaign (Tandem vs qemu-aarch64-static
# -cpu cortex-a53). Lines:
#   FAIL diff-tool-<tool>     a tool is missing (nothing else can run)
#   FAIL diff-build           the runner or the campaign does not build
#   PASS/FAIL diff-selftest-<target>   the comparison notices a corrupted
#                             <target> of Tandem's outcome in every case
#   PASS/FAIL <class>         a fixed-seed run of every class: mismatches
#                             (a timeout on either side is one), runner
#                             failures, coverage below the class's floors
#                             (defined cases, executed mnemonics: gen.h)
#   FAIL <class> (no result: ...)      a class the campaign never reported
#   FAIL diff-campaign (...)  the campaign exited abnormally
# INFO lines give the coverage; the first mismatches of a class are printed
# in full. Always exits 0: the lines count.
# DIFF_COUNT / DIFF_SEED: cases per class and seed of the class runs;
# DIFF_SELFTEST_COUNT: cases per self-test; DIFF_TIME_LIMIT: seconds allowed
# per campaign run.
set -u
cd "$(dirname "$0")/../.."
count=${DIFF_COUNT:-4000}
seed=${DIFF_SEED:-20240601}
st_count=${DIFF_SELFTEST_COUNT:-2000}
limit=${DIFF_TIME_LIMIT:-600}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# Self-test targets: "target class applies-to". "all": every case must be
# reported; "signal": the cases where Tandem raised a signal, and at least
# $min_faults of them data or instruction aborts (SIGSEGV/SIGBUS, whose
# fault address is not the PC). ldst has completed cases, SIGSEGV, SIGBUS
# and SIGILL cases and writes memory.
selftests="x ldst all
sp ldst all
v ldst all
mem ldst all
nzcv ldst all
fpcr ldst all
fpsr ldst all
kind ldst all
fault-pc ldst signal
fault-addr ldst signal"
min_faults=40

stderr_tail() { # FILE: the last lines of a campaign's stderr, indented
    [ -s "$1" ] && tail -n 15 "$1" | sed 's/^/    stderr: /'
    return 0
}

describe_rc() { # RC: how a `timeout campaign` run ended
    if [ "$1" -eq 124 ]; then
        echo "timed out after ${limit}s"
    elif [ "$1" -gt 128 ]; then
        echo "killed by SIG$(kill -l $(($1 - 128)) 2>/dev/null || echo $(($1 - 128)))"
    else
        echo "exit status $1"
    fi
}

campaign() { timeout "$limit" build/rel/diff/campaign --runner build/diff/qemu-runner "$@"; }

# ---- tools and build ----
missing=""
for tool in qemu-aarch64-static aarch64-linux-gnu-gcc aarch64-linux-gnu-objdump; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL diff-tool-$tool (not found in PATH; scripts/setup.sh installs it)"
        missing="$missing $tool"
    fi
done
if [ -n "$missing" ]; then
    # Nothing can run; still name every class and self-test that has no result.
    if make -s -j2 build/rel/diff/campaign >"$W/build.log" 2>&1 &&
        build/rel/diff/campaign --list >"$W/list" 2>/dev/null; then
        for t in $(echo "$selftests" | cut -d' ' -f1); do
            echo "FAIL diff-selftest-$t (no result: not run, missing:$missing)"
        done
        for c in $(grep -v '^[[:space:]]' "$W/list"); do
            echo "FAIL $c (no result: not run, missing:$missing)"
        done
    else
        echo "FAIL diff-build (build/rel/diff/campaign)"
        tail -n 15 "$W/build.log" | sed 's/^/    /'
    fi
    exit 0
fi
if ! bash tests/diff/campaign.sh --list >"$W/list" 2>"$W/build.log"; then
    echo "FAIL diff-build (tests/diff/campaign.sh --list)"
    tail -n 15 "$W/build.log" | sed 's/^/    /'
    exit 0
fi
classes=$(grep -v '^[[:space:]]' "$W/list")
if [ -z "$classes" ]; then
    echo "FAIL diff-build (campaign --list names no class)"
    exit 0
fi

# ---- self-tests: the comparison itself ----
while read -r target cls applies; do
    name=diff-selftest-$target
    campaign --class "$cls" --count "$st_count" --seed "$seed" --corrupt "$target" --quiet --show 0 \
        >"$W/st.out" 2>"$W/st.err"
    rc=$?
    line=$(grep "^SELFTEST corrupt=$target class=$cls " "$W/st.out" | head -1)
    get() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
    why=""
    if [ "$rc" -ne 1 ]; then
        why="campaign $(describe_rc $rc), expected 1 (a failing class)"
    fi
    if [ -z "$line" ]; then
        why="${why:+$why; }no SELFTEST line"
    else
        ran=$(get ran) stopped=$(get stopped) applicable=$(get applicable) missed=$(get missed)
        already=$(get already) faults=$(($(get app_segv) + $(get app_bus)))
        [ "$ran" -eq "$st_count" ] || why="${why:+$why; }ran $ran of $st_count cases"
        [ "$stopped" -eq 0 ] || why="${why:+$why; }the runner stopped or failed"
        [ "$missed" -eq 0 ] || why="${why:+$why; }$missed of $applicable corrupted cases reported equal"
        if [ "$applies" = all ]; then
            [ "$applicable" -eq "$ran" ] || why="${why:+$why; }the corruption applied to $applicable of $ran cases"
        elif [ "$faults" -lt "$min_faults" ]; then
            why="${why:+$why; }only $faults SIGSEGV/SIGBUS cases, at least $min_faults wanted"
        fi
        [ "$applicable" -gt 0 ] || why="${why:+$why; }the corruption applied to no case"
        [ "$already" -eq 0 ] || echo "INFO $name: $already cases mismatched already without the corruption"
        grep -q "^FAIL $cls (" "$W/st.out" || why="${why:+$why; }no FAIL $cls line"
    fi
    if [ -z "$why" ]; then
        echo "PASS $name"
        echo "INFO $name: $cls, all $applicable corrupted cases of $ran reported ($applies; $faults SIGSEGV/SIGBUS)"
    else
        echo "FAIL $name ($why)"
        grep -E '^(SELFTEST|FAIL|INFO [a-z_]+:)' "$W/st.out" | sed 's/^/    /'
        stderr_tail "$W/st.err"
    fi
done <<<"$selftests"

# ---- every class ----
campaign --class all --count "$count" --seed "$seed" --quiet --show 3 --coverage 2>"$W/err" | tee "$W/out"
rc=${PIPESTATUS[0]}
bad=0
for c in $classes; do
    n=$(grep -cE "^(PASS|FAIL) $c( |$)" "$W/out")
    if [ "$n" -eq 0 ]; then
        echo "FAIL $c (no result: the campaign ended before this class, $(describe_rc $rc))"
        bad=1
    elif [ "$n" -gt 1 ]; then
        echo "FAIL $c ($n result lines)"
        bad=1
    fi
done
nfail=$(grep -c '^FAIL ' "$W/out")
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    echo "FAIL diff-campaign ($(describe_rc $rc))"
    bad=1
elif [ "$rc" -eq 1 ] && [ "$nfail" -eq 0 ]; then
    echo "FAIL diff-campaign (exit status 1 without a FAIL line)"
    bad=1
elif [ "$rc" -eq 0 ] && [ "$nfail" -ne 0 ]; then
    echo "FAIL diff-campaign (exit status 0 despite $nfail FAIL lines)"
    bad=1
fi
if [ "$bad" -ne 0 ] || [ "$rc" -ne 0 ]; then
    stderr_tail "$W/err"
fi
exit 0
