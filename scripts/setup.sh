#!/usr/bin/env bash
# Installs everything Tandem's build, tests and benchmarks need on Debian 12
# (run as root). The tests themselves never install anything.
#   build:   build-essential, libfdt, liblzo2, liblz4, libzstd, libjson-c, libxxhash
#   tests:   libcmocka (unit), the aarch64 cross toolchain with binutils
#            (guest images, objdump of a faulting instruction), QEMU system
#            (the oracle of tests/guest and tests/boot) and user mode
#            (tests/diff), dtc (device trees), cpio and gzip (the initramfs),
#            python3 (tests/cli builds its images with it), mawk (awk)
#   bench:   gnuplot-nox (the lmbench figures), time (peak RSS and CPU times)
# QEMU runs with -nic none everywhere, so its network boot ROMs (ipxe-qemu,
# only recommended by qemu-system-arm) are not needed.
set -eu
export DEBIAN_FRONTEND=noninteractive
pkgs=(build-essential gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
      qemu-system-arm qemu-user-static
      libfdt-dev liblzo2-dev liblz4-dev libzstd-dev libjson-c-dev libxxhash-dev libcmocka-dev device-tree-compiler
      cpio gzip python3 mawk coreutils diffutils findutils gnuplot-nox time)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    # A partial index update (a mirror mid-sync) is not fatal if the packages resolve.
    for i in 1 2 3; do apt-get update -q && break; echo "apt-get update failed (try $i), retrying" >&2; sleep 5; done || true
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Every command the build, the tests and the benchmarks call.
tools=(make gcc aarch64-linux-gnu-gcc aarch64-linux-gnu-objcopy aarch64-linux-gnu-objdump
       qemu-system-aarch64 qemu-aarch64-static dtc cpio gzip zcat python3 awk timeout cmp diff
       od mkfifo xargs find dpkg-deb apt-get gnuplot)
absent=()
for t in "${tools[@]}"; do command -v "$t" >/dev/null || absent+=("$t"); done
if [ ${#absent[@]} -gt 0 ]; then
    echo "setup: still missing after the install: ${absent[*]}" >&2
    exit 1
fi
