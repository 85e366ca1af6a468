#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed".
#  - cmocka unit tests: build/test/unit/*
#  - suites: tests/*/run.sh, each printing "PASS <name>" / "FAIL <name>" lines
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0
log=build/test/logs
mkdir -p "$log"

for t in build/test/unit/*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    out="$log/unit-$name.txt"
    "$t" >"$out" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    p=${p:-0} f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed (sanitizer, signal)
    echo "unit/$name: $p passed, $f failed"
    [ "$f" -ne 0 ] && sed -n '/FAILED\|ERROR\|runtime error\|Sanitizer/p' "$out" | head -20
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
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "$suite: exited $rc"; tail -5 "$out"; fi
    echo "$suite: $p passed, $f failed"
    grep '^FAIL ' "$out" | head -20
    grep -i '^INFO ' "$out" | head -20
    passed=$((passed + p)) failed=$((failed + f))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
