# Sourced by tests/swap/run.sh and tests/share/run.sh with SUITE set (swap or
# share): the paths, the work directory (${SUITE^^}_WORK keeps it), the tools
# and the guest assets with tb-memfill; then runs tests/$SUITE/test_$SUITE.py
# (${SUITE^^}_ONLY=name,name runs only those tests). Every problem is a FAIL line.
set -u
cd "$(dirname "$0")/../.."
T=build/tandem
TS=build/test/tandem
K=guest/out/Image
I=guest/out/initramfs.cpio.gz
MF=build/guest-bin/tb-memfill
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
work_var=${SUITE^^}_WORK only_var=${SUITE^^}_ONLY
if [ -n "${!work_var:-}" ]; then
    W=${!work_var}
    mkdir -p "$W"
else
    W=$(mktemp -d)
    trap 'rm -rf "$W"' EXIT
fi

missing=
for tool in timeout qemu-system-aarch64 qemu-aarch64-static cpio gzip "$PY"; do
    command -v "$tool" >/dev/null || missing+=" $tool"
done
[ -n "$missing" ] && echo "FAIL $SUITE-tools (missing:$missing; scripts/setup.sh installs them)"
if [ ! -x "$T" ]; then
    echo "FAIL $SUITE ($T is not built: run make)"
    exit 0
fi

# The initramfs must hold tb-memfill as built from the current source.
stale=
for f in guest/bench/memfill.c guest/bench/common.c guest/bench/common.h guest/init \
         guest/rootfs/usr/bin/tandem-memfill scripts/build-guest-bench.sh; do
    [ "$I" -ot "$f" ] && stale=1
done
if [ ! -s "$K" ] || [ ! -s "$I" ] || [ ! -x "$MF" ] || [ -n "$stale" ] ||
   ! gzip -dc "$I" | cpio -t --quiet 2>/dev/null | grep -qx 'usr/bin/tb-memfill'; then
    if ! bash scripts/fetch-guest.sh >"$W/fetch.log" 2>&1; then
        echo "FAIL $SUITE-assets (scripts/fetch-guest.sh failed)"
        tail -5 "$W/fetch.log"
        exit 0
    fi
fi

only=()
[ -n "${!only_var:-}" ] && only=(--only "${!only_var}")
mkdir -p "$W/$SUITE"
# The worst case is every run hitting its own timeout; a normal run is minutes.
timeout 2400 $PY tests/$SUITE/test_$SUITE.py --tandem "$T" --tandem-san "$TS" --work "$W/$SUITE" --kernel "$K" \
    --initrd "$I" --memfill "$MF" "${only[@]}" ||
    echo "FAIL test_$SUITE.py (exit $?)"
exit 0
