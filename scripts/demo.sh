#!/usr/bin/env bash
# Tandem's main job: two VMs in one Tandem, both Debian's unmodified arm64
# kernel and busybox on Tandem's own AArch64 CPU with shadow page tables,
# sharing one pool of machine memory, smaller than their RAM and backup, with
# compressed swap (lz4) and page sharing (equal pages stored once):
#   alpha  an interactive shell on this terminal, protected by a backup VM
#   beta   runs the scripted workload on a socket console, then powers off
# with a control socket for `tandem ctl`. Statistics for both follow at exit.
# `scripts/demo.sh --single [run flags]` boots one VM the classic way instead.
set -eu
cd "$(dirname "$0")/.."
make -s build/tandem
[ -s guest/out/Image ] && [ -s guest/out/initramfs.cpio.gz ] || bash scripts/fetch-guest.sh
K=guest/out/Image I=guest/out/initramfs.cpio.gz
if [ "${1:-}" = "--single" ]; then
    shift
    echo "tandem: booting Debian's arm64 kernel; Ctrl-A x quits, Ctrl-A h lists the keys." >&2
    exec build/tandem run --kernel $K --initrd $I --append "console=ttyAMA0 panic=-1 nokaslr" --stats "$@"
fi
D=build/demo
mkdir -p $D
cat >$D/two-vms.json <<JSON
{
  "machine-mem": "768M",
  "compress": "lz4",
  "share": "all",
  "control": "$D/control.sock",
  "stats": true,
  "vms": [
    {"name": "alpha", "kernel": "$K", "initrd": "$I", "mem": "512M", "console": "stdio", "backup": true,
     "append": "console=ttyAMA0 panic=-1 nokaslr"},
    {"name": "beta", "kernel": "$K", "initrd": "$I", "mem": "256M", "console": "socket:$D/beta.sock",
     "append": "console=ttyAMA0 panic=-1 nokaslr quiet tandem.run=/usr/bin/tandem-smoke"}
  ]
}
JSON
cat >&2 <<MSG
tandem: two VMs from $D/two-vms.json in 768 MiB of machine memory (1280 MiB of RAM and backup;
tandem:   cold pages compressed with lz4, equal pages of both VMs stored once):
tandem:   alpha (512 MiB, with a backup VM) is this terminal: try \`cat /proc/meminfo\`,
tandem:     \`tandem-smoke\`, \`poweroff -f\`; crash it from another terminal and watch it recover:
tandem:     build/tandem ctl $D/control.sock inject-fault '{"vm": "alpha", "kind": "crash"}'
tandem:     build/tandem ctl $D/control.sock query-ft '{"vm": "alpha"}'
tandem:   beta (256 MiB) runs the workload; from another terminal:
tandem:     build/tandem console $D/beta.sock          (Ctrl-A x detaches)
tandem:     build/tandem ctl $D/control.sock query-stats    (memory: "swap" and "share")
tandem:     build/tandem ctl $D/control.sock query-swap
tandem:     build/tandem ctl $D/control.sock stop '{"vm": "beta"}'   (and cont)
tandem: Ctrl-A x quits both, Ctrl-A h lists the keys.
MSG
exec build/tandem run --config $D/two-vms.json "$@"
