#!/usr/bin/env bash
# Tandem's main job at this stage: build the freestanding guest programs and
# run them on Tandem's AArch64 CPU, side by side with QEMU's output.
set -eu
cd "$(dirname "$0")/.."
make -s build/tandem
bash tests/guest/build.sh >/dev/null
for img in build/guest/*-O2.bin; do
    name=$(basename "$img" .bin)
    echo "=== $name on Tandem"
    build/tandem run --kernel "$img" --mem 128M --stats </dev/null || echo "(exit status $?)"
done
