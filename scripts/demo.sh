#!/usr/bin/env bash
# Tandem's main job: boot Debian's unmodified arm64 kernel and busybox on
# Tandem's own AArch64 CPU with shadow page tables, to an interactive shell.
# Extra arguments are passed to `tandem run` (e.g. --kaslr-seed 1 or --mem 1G).
set -eu
cd "$(dirname "$0")/.."
make -s build/tandem
[ -s guest/out/Image ] && [ -s guest/out/initramfs.cpio.gz ] || bash scripts/fetch-guest.sh
cat >&2 <<'MSG'
tandem: booting Debian's arm64 kernel; at the shell try `cat /proc/cpuinfo`,
tandem: `tandem-smoke` or `poweroff -f`. Ctrl-A x quits. Statistics follow at exit.
MSG
exec build/tandem run --kernel guest/out/Image --initrd guest/out/initramfs.cpio.gz \
    --append "console=ttyAMA0 panic=-1 nokaslr" --stats "$@"
