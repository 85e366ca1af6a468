#!/usr/bin/env bash
# Installs everything Tandem's build, tests and benchmarks need on Debian 12
# (run as root). The tests themselves never install anything.
#   build:   build-essential, libfdt, liblzo2, liblz4, libzstd, libjson-c, libxxhash
#   tests:   libcmocka (unit), the aarch64 cross toolchain with binutils
#            (guest images, objdump of a faulting instruction), QEMU system
#            (the oracle of tests/guest and tests/boot) and user mode
#            (tests/diff), dtc (device trees), cpio and gzip (the initramfs),
#            python3 (tests/cli builds its images with it), mawk (awk)
#   arm64:   the arm64 libraries of `make cross-arm64` (tests/arm64) from
#            Debian multiarch, all Multi-Arch: same so they co-install with
#            the amd64 ones; libc6:arm64 gives qemu-aarch64-static the loader
#            /lib/ld-linux-aarch64.so.1 and libc. libfdt-dev is not
#            co-installable: its headers are the host's, the library libfdt1.
#   bench:   gnuplot-nox (the lmbench figures), time (peak RSS and CPU times)
# QEMU runs with -nic none everywhere, so its network boot ROMs (ipxe-qemu,
# only recommended by qemu-system-arm) are not needed.
set -eu
export DEBIAN_FRONTEND=noninteractive
pkgs=(build-essential gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
      qemu-system-arm qemu-user-static
      libfdt-dev liblzo2-dev liblz4-dev libzstd-dev libjson-c-dev libxxhash-dev libcmocka-dev device-tree-compiler
      cpio gzip python3 mawk coreutils diffutils findutils gnuplot-nox time)
arm64_pkgs=(libc6:arm64 libfdt1:arm64 liblzo2-dev:arm64 liblz4-dev:arm64 libzstd-dev:arm64
            libjson-c-dev:arm64 libxxhash-dev:arm64 libcmocka-dev:arm64)
added_arch=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    added_arch=1
fi
missing=()
for p in "${pkgs[@]}" "${arm64_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ "$added_arch" -eq 1 ]; then
    # A partial index update (a mirror mid-sync) is not fatal if the packages resolve.
    for i in 1 2 3; do apt-get update -q && break; echo "apt-get update failed (try $i), retrying" >&2; sleep 5; done || true
    [ ${#missing[@]} -eq 0 ] || apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Every command the build, the tests and the benchmarks call.
tools=(make gcc aarch64-linux-gnu-gcc aarch64-linux-gnu-objcopy aarch64-linux-gnu-objdump
       qemu-system-aarch64 qemu-aarch64-static dtc cpio gzip zcat python3 awk timeout cmp diff
       od mkfifo xargs find dpkg-deb apt-get gnuplot)
absent=()
for t in "${tools[@]}"; do command -v "$t" >/dev/null || absent+=("$t"); done
[ -e /lib/ld-linux-aarch64.so.1 ] || absent+=(/lib/ld-linux-aarch64.so.1)
if [ ${#absent[@]} -gt 0 ]; then
    echo "setup: still missing after the install: ${absent[*]}" >&2
    exit 1
fi
