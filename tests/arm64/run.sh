#!/usr/bin/env bash
# The arm64 build (make cross-arm64: build/arm64, aarch64-linux-gnu-gcc -O2,
# no sanitizers) run under qemu-aarch64-static, with the arm64 loader and
# libraries of Debian multiarch (libc6:arm64 and the others, scripts/setup.sh).
# Lines:
#   FAIL arm64-tools / arm64-build     nothing else can run
#   PASS/FAIL arm64-unit/<name>        a unit test program
#   PASS/FAIL arm64-guest-<image>      a guest program (tests/guest/progs) on
#                                      build/arm64/tandem, output identical
#                                      to qemu-system-aarch64's (the oracle)
# Always exits 0: the lines count.
set -u
cd "$(dirname "$0")/../.."
. tests/cmocka-verdict.sh
CROSS=${CROSS:-aarch64-linux-gnu-}
TMO=${ARM64_TIMEOUT:-300}
# hello: console and printf; fpfloat/fpdouble: the portable host FP on arm64.
images="hello-O2 fpfloat-O2 fpdouble-O2"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

missing=
for tool in "${CROSS}gcc" "${CROSS}objcopy" qemu-aarch64-static qemu-system-aarch64 timeout cmp; do
    command -v "$tool" >/dev/null || missing+=" $tool"
done
[ -e /lib/ld-linux-aarch64.so.1 ] || missing+=" /lib/ld-linux-aarch64.so.1(libc6:arm64)"
if [ -n "$missing" ]; then
    echo "FAIL arm64-tools (missing:$missing; scripts/setup.sh installs them)"
    exit 0
fi
if ! make -s -j2 cross-arm64 >"$W/build.log" 2>&1; then
    echo "FAIL arm64-build (make cross-arm64)"
    tail -n 15 "$W/build.log" | sed 's/^/    /'
    exit 0
fi

for src in tests/unit/*.c; do
    name=$(basename "$src" .c)
    timeout "$TMO" qemu-aarch64-static build/arm64/unit/$name >"$W/$name.txt" 2>&1
    cmocka_verdict "arm64-unit/$name" "$W/$name.txt" $?
done

OUT=build/guest
if ! make -s -f tests/guest/guest.mk OUT="$OUT" CROSS="$CROSS" $(printf "$OUT/%s.bin " $images) \
    >"$W/guest.log" 2>&1; then
    for i in $images; do echo "FAIL arm64-guest-$i (the image does not build)"; done
    tail -n 10 "$W/guest.log" | sed 's/^/    /'
    exit 0
fi
for i in $images; do
    img=$OUT/$i.bin
    timeout 60 qemu-system-aarch64 -nic none -M virt -cpu cortex-a53 -m 128 -nographic -no-reboot \
        -monitor none -serial stdio -kernel "$img" </dev/null 2>"$W/$i.qerr" |
        sed -f tests/guest/qemu-deviations.sed >"$W/$i.qemu"
    if ! grep -q -- '^-- end --' "$W/$i.qemu"; then
        echo "FAIL arm64-guest-$i (oracle failed: no '-- end --' from qemu-system-aarch64)"
        tail -n 3 "$W/$i.qerr" | sed 's/^/    qemu stderr: /'
        continue
    fi
    timeout "$TMO" qemu-aarch64-static build/arm64/tandem run --kernel "$img" --mem 128M \
        --max-insns 3000000000 </dev/null >"$W/$i.tandem" 2>"$W/$i.err"
    rc=$?
    if [ "$rc" -eq 0 ] && cmp -s "$W/$i.qemu" "$W/$i.tandem"; then
        echo "PASS arm64-guest-$i"
    else
        echo "FAIL arm64-guest-$i (tandem exit $rc, output $(cmp -s "$W/$i.qemu" "$W/$i.tandem" && echo identical || echo differs))"
        diff "$W/$i.qemu" "$W/$i.tandem" | head -n 6 | sed 's/^/    /'
        tail -n 3 "$W/$i.err" | sed 's/^/    stderr: /'
    fi
done
exit 0
