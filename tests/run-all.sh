#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed".
#  - cmocka unit tests: one program build/test/unit/NAME per tests/unit/NAME.c
#  - suites: tests/*/run.sh, each printing "PASS <name>" / "FAIL <name>" lines
# Nothing passes by saying nothing. Counted as failed, besides FAIL lines and
# cmocka's failed tests:
#  - a unit program that is missing, crashes or exits non-zero, or whose
#    summary does not account for every test it ran;
#  - a cmocka test reported as SKIPPED (a skipped check is an unchecked one);
#  - a suite that exits non-zero (a crash included), or prints no PASS or
#    FAIL line at all.
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0
log=build/test/logs
mkdir -p "$log"

for src in tests/unit/*.c; do
    [ -f "$src" ] || continue
    name=$(basename "$src" .c)
    t=build/test/unit/$name
    if [ ! -x "$t" ]; then
        echo "unit/$name: 0 passed, 1 failed"
        echo "FAIL unit/$name ($t is not built: make test builds it)"
        failed=$((failed + 1))
        continue
    fi
    out="$log/unit-$name.txt"
    "$t" >"$out" 2>&1
    rc=$?
    # cmocka's summary: "[==========] N test(s) run.", "[  PASSED  ] N test(s).",
    # "[  FAILED  ] N test(s), listed below:", "[  SKIPPED ] N test(s), listed below:".
    ran=$(sed -n 's/^\[==========\] \([0-9]*\) test(s) run\..*/\1/p' "$out" | tail -1)
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    k=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    p=${p:-0} f=${f:-0} k=${k:-0}
    why=()
    if [ -z "$ran" ]; then
        why+=("no cmocka summary, exit $rc")
        f=$((f + 1))
    elif [ $((p + f + k)) -ne "$ran" ]; then
        why+=("$ran tests ran, $p passed, $f failed, $k skipped")
        f=$((ran - p - k > 0 ? ran - p - k : 1))
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && [ "$k" -eq 0 ]; then
        why+=("exit $rc") # crashed after its summary (sanitizer, signal)
        f=1
    fi
    [ "$k" -ne 0 ] && why+=("$k skipped, counted as failed")
    f=$((f + k))
    reason=$(IFS=';'; echo "${why[*]}")
    echo "unit/$name: $p passed, $f failed${reason:+ (${reason//;/; })}"
    if [ "$f" -ne 0 ]; then
        sed -n '/FAILED\|ERROR\|SKIPPED\|runtime error\|Sanitizer/p' "$out" | head -20
        [ -n "$ran" ] || tail -5 "$out"
    fi
    passed=$((passed + p)) failed=$((failed + f))
done

for s in tests/*/run.sh; do
    [ -f "$s" ] || continue
    suite=$(basename "$(dirname "$s")")
    out="$log/suite-$suite.txt"
    bash "$s" >"$out" 2>&1
    rc=$?
    p=$(grep -c '^PASS ' "$out")
    f=$(grep -c '^FAIL ' "$out")
    extra=
    if [ "$rc" -ne 0 ]; then
        extra=" (the suite exited $rc: counted as one more failure)"
        f=$((f + 1))
    elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
        extra=" (the suite printed no PASS or FAIL line: counted as failed)"
        f=1
    fi
    echo "$suite: $p passed, $f failed$extra"
    grep '^FAIL ' "$out" | head -20
    [ -n "$extra" ] && tail -5 "$out" | sed 's/^/    /'
    grep -i '^INFO ' "$out" | head -20
    passed=$((passed + p)) failed=$((failed + f))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
