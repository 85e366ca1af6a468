#!/usr/bin/env bash
# Installs everything Tandem needs on Debian 12 (run as root).
set -eu
export DEBIAN_FRONTEND=noninteractive
pkgs=(build-essential gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm qemu-user-static
      libfdt-dev liblzo2-dev liblz4-dev libzstd-dev libjson-c-dev libcmocka-dev device-tree-compiler
      cpio gnuplot-nox)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    # A partial index update (a mirror mid-sync) is not fatal if the packages resolve.
    for i in 1 2 3; do apt-get update -q && break; echo "apt-get update failed (try $i), retrying" >&2; sleep 5; done || true
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
