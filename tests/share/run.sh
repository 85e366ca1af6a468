#!/usr/bin/env bash
# Page sharing: two Debian guests with the same kernel and initramfs in one
# Tandem with --share all or vm, each running tb-memfill (the same pages in
# both); QEMU with the same RAM gives the reference digests. The tests are in
# test_share.py (it reuses tests/swap's helpers), one PASS or FAIL line each:
#  - --share all: both guests' digests equal QEMU's, a floor of memory saved,
#    copies on write seen;
#  - --share vm: the same digests, fewer frames saved than across VMs;
#  - the sanitized build: the same, and no sanitizer report;
#  - with compressed swap in a smaller pool and a protected guest that fails over;
#  - bad flags and config values are named.
# Environment: SHARE_ONLY=name,name (run only those tests), SHARE_WORK=DIR.
SUITE=share
. "$(dirname "$0")/../swap/memfill-suite.sh"
