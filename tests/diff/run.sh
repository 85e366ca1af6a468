#!/usr/bin/env bash
# CI subset of the differential campaign (Tandem vs qemu-aarch64-static
# -cpu cortex-a53): a fixed-seed run of every class, one "PASS <class>" or
# "FAIL <class> (<n> mismatches)" line each, INFO lines with coverage, the
# first mismatches of each class in full. Always exits 0: the lines count.
# DIFF_COUNT / DIFF_SEED override the number of cases per class and the seed.
set -u
cd "$(dirname "$0")/../.."
count=${DIFF_COUNT:-4000}
seed=${DIFF_SEED:-20240601}

if ! out=$(bash tests/diff/campaign.sh --list 2>&1); then
    echo "$out" | tail -5
    echo "FAIL diff-setup (tools or build missing)"
    exit 0
fi

# The harness itself: a corrupted Tandem result must be reported.
if bash tests/diff/campaign.sh --class int --count 100 --seed "$seed" --corrupt --quiet --show 0 |
    grep -q '^FAIL int'; then
    echo "PASS diff-selftest-corrupt"
else
    echo "FAIL diff-selftest-corrupt (a corrupted register went unnoticed)"
fi

bash tests/diff/campaign.sh --class all --count "$count" --seed "$seed" --quiet --show 3
exit 0
