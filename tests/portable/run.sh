#!/usr/bin/env bash
# The portable host floating point (src/cpu/fphost.h, -DTANDEM_PORTABLE) on
# this host, where the default is the SSE one: every unit test built with it
# (sanitized, build/portable/unit), then the FP classes of the differential
# campaign against qemu-aarch64-static with a campaign built with it
# (build/rel-portable/diff/campaign). Lines:
#   FAIL portable-build                the portable build failed
#   PASS/FAIL portable-unit/<name>     one cmocka program
#   PASS/FAIL portable-diff-<class>    a fixed-seed run of an FP class
# Always exits 0: the lines count. PORTABLE_DIFF_COUNT: cases per class.
set -u
cd "$(dirname "$0")/../.."
. tests/cmocka-verdict.sh
count=${PORTABLE_DIFF_COUNT:-4000}
seed=${DIFF_SEED:-20240601}
classes="fp_arith fp_cmp fp_cvt simd_fp"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

if ! make -s -j2 portable >"$W/build.log" 2>&1; then
    echo "FAIL portable-build (make portable)"
    tail -n 15 "$W/build.log" | sed 's/^/    /'
    exit 0
fi
for src in tests/unit/*.c; do
    name=$(basename "$src" .c)
    build/portable/unit/$name >"$W/$name.txt" 2>&1
    cmocka_verdict "portable-unit/$name" "$W/$name.txt" $?
done

# The campaign's runner and tools (campaign.sh builds the runner).
if ! bash tests/diff/campaign.sh --list >"$W/list" 2>"$W/list.err"; then
    for c in $classes; do echo "FAIL portable-diff-$c (tests/diff/campaign.sh --list failed)"; done
    tail -n 5 "$W/list.err" | sed 's/^/    /'
    exit 0
fi
for c in $classes; do
    if ! grep -qx "$c" "$W/list"; then
        echo "FAIL portable-diff-$c (the campaign has no such class)"
        continue
    fi
    timeout 600 build/rel-portable/diff/campaign --runner build/diff/qemu-runner --class "$c" \
        --count "$count" --seed "$seed" --quiet --show 3 >"$W/$c.out" 2>"$W/$c.err"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q "^PASS $c\( \|$\)" "$W/$c.out" && ! grep -q '^FAIL ' "$W/$c.out"; then
        echo "PASS portable-diff-$c"
        grep "^INFO $c" "$W/$c.out" | head -1 | sed "s/^INFO $c/INFO portable-diff-$c/"
    else
        echo "FAIL portable-diff-$c (campaign exit $rc)"
        head -n 40 "$W/$c.out" | sed 's/^/    /'
        tail -n 5 "$W/$c.err" | sed 's/^/    stderr: /'
    fi
done
exit 0
