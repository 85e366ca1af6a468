#!/usr/bin/env bash
# Where the kernel file lands, against QEMU: a program that prints its own
# address, built as a flat binary (no header) and as arm64 Images with
# text_offset 0, 0x80000 and 0x1000 and with an old kernel's image_size 0,
# run with -kernel on qemu-system-aarch64 -M virt and with --kernel on
# Tandem; the outputs must be equal. Tandem's note for a flat binary is
# checked too. Lines: PASS/FAIL load-<variant>; always exits 0.
set -u
cd "$(dirname "$0")/../.."
T=${TANDEM:-build/tandem}
CROSS=${CROSS:-aarch64-linux-gnu-}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
missing=
for tool in "${CROSS}as" "${CROSS}objcopy" qemu-system-aarch64 timeout; do
    command -v "$tool" >/dev/null || missing+=" $tool"
done
[ -x "$T" ] || missing+=" $T"
if [ -n "$missing" ]; then
    echo "FAIL load-tools (missing:$missing)"
    exit 0
fi

# variant HEADER TEXT_OFFSET IMAGE_SIZE
variants="flat:0:0:0 image-0:1:0:0x1000 image-80000:1:0x80000:0x1000 image-1000:1:0x1000:0x1000 old-kernel:1:0x80000:0"
for v in $variants; do
    IFS=: read -r name hdr off size <<<"$v"
    img=$W/$name.bin
    if ! "${CROSS}as" --defsym HEADER="$hdr" --defsym TEXT_OFFSET="$off" --defsym IMAGE_SIZE="$size" \
        tests/load/whereami.S -o "$W/$name.o" 2>"$W/$name.as" ||
        ! "${CROSS}objcopy" -O binary "$W/$name.o" "$img"; then
        echo "FAIL load-$name (does not assemble: $(head -c 300 "$W/$name.as"))"
        continue
    fi
    timeout 30 qemu-system-aarch64 -nic none -M virt -cpu cortex-a53 -m 128 -nographic -no-reboot \
        -monitor none -serial stdio -kernel "$img" </dev/null >"$W/$name.qemu" 2>"$W/$name.qemu.err"
    qrc=$?
    timeout 30 "$T" run --mem 128M --kernel "$img" </dev/null >"$W/$name.tandem" 2>"$W/$name.err"
    trc=$?
    q=$(grep -a '^pc ' "$W/$name.qemu" | tr -d '\r')
    t=$(grep -a '^pc ' "$W/$name.tandem" | tr -d '\r')
    why=
    [ "$qrc" -eq 0 ] && [ -n "$q" ] || why="QEMU printed no address (exit $qrc: $(head -c 200 "$W/$name.qemu.err"))"
    [ -z "$why" ] && [ "$trc" -ne 0 ] && why="Tandem exited $trc: $(head -c 200 "$W/$name.err")"
    [ -z "$why" ] && [ "$q" != "$t" ] && why="QEMU '$q', Tandem '${t:-nothing}'"
    if [ -z "$why" ] && [ "$hdr" = 0 ] && ! grep -q 'loaded as a flat binary at 0x40080000' "$W/$name.err"; then
        why="no note on stderr for a flat binary: $(head -c 200 "$W/$name.err")"
    fi
    if [ -z "$why" ]; then
        echo "PASS load-$name"
        echo "INFO load-$name: $t on both"
    else
        echo "FAIL load-$name ($why)"
    fi
done
exit 0
