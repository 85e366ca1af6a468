#!/usr/bin/env bash
# Builds what the differential campaign needs and runs it with the given
# arguments, e.g.:  tests/diff/campaign.sh --class fp_arith --count 20000 --seed 7
set -eu
cd "$(dirname "$0")/../.."
for tool in qemu-aarch64-static aarch64-linux-gnu-gcc aarch64-linux-gnu-objdump; do
    command -v "$tool" >/dev/null || { echo "campaign.sh: $tool is missing (apt-get install qemu-user-static gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu)" >&2; exit 2; }
done
runner=build/diff/qemu-runner
if [ ! -x "$runner" ] || [ tests/diff/qemu-runner.c -nt "$runner" ] || [ tests/diff/layout.h -nt "$runner" ]; then
    mkdir -p build/diff
    aarch64-linux-gnu-gcc -static -O2 -Wall -Itests -o "$runner" tests/diff/qemu-runner.c
fi
make -s -j2 build/rel/diff/campaign >/dev/null
exec build/rel/diff/campaign --runner "$runner" "$@"
