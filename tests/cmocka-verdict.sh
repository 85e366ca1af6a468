# Sourced by suites that run cmocka programs themselves (tests/portable,
# tests/arm64). cmocka_verdict NAME OUT RC prints "PASS NAME" only when the
# program's summary accounts for every test it ran, none failed or was
# skipped and it exited 0; else "FAIL NAME (why)" and the failing lines.
cmocka_verdict() {
    local name=$1 out=$2 rc=$3 ran p f k why=
    ran=$(sed -n 's/^\[==========\] \([0-9]*\) test(s) run\..*/\1/p' "$out" | tail -1)
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    k=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    p=${p:-0} f=${f:-0} k=${k:-0}
    if [ -z "$ran" ]; then
        why="no cmocka summary, exit $rc"
    elif [ "$f" -ne 0 ] || [ "$k" -ne 0 ] || [ "$p" -ne "$ran" ] || [ "$ran" -eq 0 ]; then
        why="$ran tests ran, $p passed, $f failed, $k skipped"
    elif [ "$rc" -ne 0 ]; then
        why="exit $rc after its summary"
    fi
    if [ -z "$why" ]; then
        echo "PASS $name"
    else
        echo "FAIL $name ($why)"
        sed -n '/FAILED\|ERROR\|SKIPPED\|runtime error\|Sanitizer/p' "$out" | head -10 | sed 's/^/    /'
        [ -n "$ran" ] || tail -5 "$out" | sed 's/^/    /'
    fi
}
