#!/usr/bin/env bash
# The command line: errors name the bad input; a guest that powers off exits 0.
set -u
cd "$(dirname "$0")/../.."
T=build/test/tandem
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
if [ ! -x "$T" ]; then
    echo "FAIL cli ($T is not built: make build/test/tandem, or make test)"
    exit 0
fi
for tool in python3 timeout; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL cli ($tool is missing; scripts/setup.sh installs it)"
        exit 0
    fi
done

# expect NAME STATUS REGEX -- ARGS...: exit status and a stderr line matching REGEX
expect() {
    local name=$1 want=$2 re=$3
    shift 4
    timeout 20 "$T" "$@" >"$W/out" 2>"$W/err" </dev/null
    local rc=$?
    local ok=0
    if [ "$re" = EMPTY ]; then [ ! -s "$W/err" ] && ok=1; else grep -Eq -- "$re" "$W/err" && ok=1; fi
    if [ "$rc" -eq "$want" ] && [ "$ok" = 1 ]; then
        echo "PASS $name"
    else
        echo "FAIL $name (exit $rc, want $want; stderr: $(head -c 300 "$W/err"))"
    fi
}

# Guest programs as raw words after an Image header.
off="d2800100 f2b08000 d4000002"      # x0 = 0x84000008 (SYSTEM_OFF); hvc #0
reset="d2800120 f2b08000 d4000002"    # x0 = 0x84000009 (SYSTEM_RESET)
loop="14000000"                        # b .
python3 tests/cli/mkimage.py "$W/off.img" $off
python3 tests/cli/mkimage.py "$W/reset.img" $reset
python3 tests/cli/mkimage.py "$W/loop.img" $loop
python3 tests/cli/mkimage.py "$W/huge.img" --image-size 0x40000000 $off
python3 tests/cli/mkimage.py "$W/nomagic.img" --magic 0x12345678 $off
printf '\x1f\x8b\x08\x00garbage' >"$W/gz.img"
printf 'ab' >"$W/short.img"
printf '\x7fELF\x02\x01\x01' >"$W/elf.img"
# A flat binary: the same program with no header at all.
python3 - "$W/flat.bin" $off <<'PY'
import struct, sys
open(sys.argv[1], "wb").write(b"".join(struct.pack("<I", int(w, 16)) for w in sys.argv[2:]))
PY

expect power-off-exits-0 0 EMPTY -- run --kernel "$W/off.img"
expect reset-is-reported 2 'system reset' -- run --kernel "$W/reset.img"
expect insn-limit 3 'instruction limit' -- run --kernel "$W/loop.img" --max-insns 100000
expect stats-printed 0 'instructions in' -- run --kernel "$W/off.img" --stats
expect no-kernel 1 'no kernel given' -- run
expect missing-kernel 1 'nonexistent.img: No such file' -- run --kernel "$W/nonexistent.img"
expect flat-binary-runs 0 'no arm64 Image header; loaded as a flat binary at 0x40080000' -- run --kernel "$W/flat.bin"
expect bad-magic-is-flat 0 'no arm64 Image header; loaded as a flat binary' -- run --kernel "$W/nomagic.img"
expect elf-refused 1 'an ELF file' -- run --kernel "$W/elf.img"
expect gzip-image 1 'gzip-compressed' -- run --kernel "$W/gz.img"
expect short-image 1 'too short' -- run --kernel "$W/short.img"
expect too-big-for-ram 1 'needs 1026 MiB .* --mem is 64 MiB' -- run --kernel "$W/huge.img" --mem 64M
expect bad-mem-string 1 "--mem '12X': not a size" -- run --kernel "$W/off.img" --mem 12X
expect mem-too-small 1 'from 16M to 8G' -- run --kernel "$W/off.img" --mem 1M
expect bad-option 1 "unknown option '--frobnicate'" -- run --frobnicate
expect missing-value 1 '--mem needs a value' -- run --kernel "$W/off.img" --mem
expect unknown-command 1 "unknown command 'fly'" -- fly
expect bad-insn-count 1 "--max-insns 'lots': not a number" -- run --kernel "$W/off.img" --max-insns lots
exit 0
