#!/usr/bin/env bash
# Real Debian programs in the guest: bookworm's arm64 python3.11 (minimal) and
# sqlite3 with their shared libraries, in an initramfs with Tandem's /init and
# busybox; the guest runs bench/programs/workload.sh (a pure-python
# computation, then an SQL script on a tmpfs database) on Tandem (release
# build) and on QEMU TCG (-cpu cortex-a53), N runs each. The programs' output
# must be the same on both (the script fails otherwise). Prints a Markdown
# table: per program and in total, the median time inside the guest (from
# /proc/uptime around each program) on each emulator, the Tandem/QEMU ratio,
# and the median wall time of the whole run (boot, programs, power off).
#
# usage: bench/programs-bench.sh [-n RUNS] [-s SCALE]
#   -n RUNS   runs per emulator (default 3)
#   -s SCALE  python3 work multiplier (default 1)
# The .debs go to guest/out/programs/debs (apt-get download PKG:arm64; the arm64
# architecture and package lists as scripts/fetch-guest.sh sets them up); the
# kernel, busybox and /init come from guest/out (scripts/fetch-guest.sh);
# GUEST=DIR takes them from another guest/out, TANDEM=PATH another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=3 SCALE=1
while getopts "n:s:h" o; do
    case $o in
    n) RUNS=$OPTARG ;;
    s) SCALE=$OPTARG ;;
    *) sed -n '2,18p' "$0"; exit 1 ;;
    esac
done
die() { echo "programs-bench: $*" >&2; exit 1; }
for tool in cpio gzip dpkg-deb apt-get apt-cache readelf qemu-system-aarch64; do
    command -v "$tool" >/dev/null || die "$tool is missing (run scripts/setup.sh)"
done
TANDEM=${TANDEM:-build/tandem}
GUEST=${GUEST:-guest/out}
K=$GUEST/Image
# The packages and the trees built from them live under guest/out/programs
# (not build/: the Makefile includes every *.d under build/, and Debian's
# trees have directories such as etc/ld.so.conf.d); logs go to build/bench.
G=guest/out/programs
DL=$G/debs
OUT=build/bench/programs
mkdir -p "$DL" "$OUT"
[ "$TANDEM" = build/tandem ] && make -s build/tandem
[ -s "$K" ] && [ -d "$GUEST/rootfs" ] || bash scripts/fetch-guest.sh >/dev/null

# Package lists for arm64, as fetch-guest.sh does it.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
fi
have_lists() { apt-cache show python3.11-minimal:arm64 >/dev/null 2>&1 && apt-cache show sqlite3:arm64 >/dev/null 2>&1; }
if ! have_lists; then
    for i in 1 2 3; do apt-get update -q >/dev/null 2>&1 && break; sleep 5; done || true
    have_lists || die "Debian's arm64 package lists are not available (apt-get update failed)"
fi

# The programs and the shared libraries they depend on: Depends and
# Pre-Depends, followed through library packages only (not through the
# essential tools some of them declare, such as dpkg and tar, which the
# programs do not run).
PROGS="python3.11-minimal sqlite3"
is_lib() { [[ $1 =~ ^(lib|zlib) ]] || [[ " $PROGS " == *" $1 "* ]]; }
pkgs= todo=$PROGS
while [ -n "$todo" ]; do
    next=
    for p in $todo; do
        for d in $(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
            --no-enhances "$p:arm64" 2>/dev/null | sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: \([a-z0-9][^ <>]*\):arm64$/\2/p'); do
            is_lib "$d" && [[ " $pkgs $todo $next " != *" $d "* ]] && next="$next $d"
        done
        pkgs="$pkgs $p"
    done
    todo=$next
done
pkgs=$(printf '%s\n' $pkgs | sort -u)
[ -n "$pkgs" ] || die "cannot resolve the dependencies of $PROGS"
fetch() { # fetch PACKAGE: download its .deb into $DL once
    ls "$DL/$1"_*.deb >/dev/null 2>&1 && return 0
    for i in 1 2 3; do (cd "$DL" && apt-get download -q "$1:arm64" >/dev/null 2>&1) && return 0; sleep 3; done
    die "apt-get download $1:arm64 failed"
}
X=$G/extract
rm -rf "$X" && mkdir -p "$X"
for p in $pkgs; do
    fetch "$p"
    dpkg-deb -x "$(ls "$DL/$p"_*.deb | head -1)" "$X"
done
# glibc's iconv modules (gconv) are not used by the workload.
rm -rf "$X"/usr/share/{doc,man,lintian,locale} "$X"/usr/lib/aarch64-linux-gnu/gconv
ln -sf python3.11 "$X/usr/bin/python3"

# Every NEEDED entry of the programs, their libraries and python's extension
# modules must be found in the tree (the dynamic loader's default paths).
libdirs="lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib usr/lib"
missing=
while read -r elf; do
    for so in $(readelf -d "$elf" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        found=
        for d in $libdirs; do [ -e "$X/$d/$so" ] && found=1 && break; done
        [ -n "$found" ] || missing="$missing ${elf#$X/}:$so"
    done
done < <(find "$X" -type f \( -name '*.so*' -o -path '*/bin/*' \) -exec sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' _ {} \;)
[ -z "$missing" ] || die "shared libraries not in the packages:$missing"

# The initramfs: the guest's rootfs (busybox, modules), this tree's /init,
# the programs and the workload.
R=$G/rootfs
rm -rf "$R" && cp -a "$GUEST/rootfs" "$R"
cp guest/init "$R/init"
cp -a "$X"/. "$R/"
[ -e "$R/lib/ld-linux-aarch64.so.1" ] || die "the dynamic loader /lib/ld-linux-aarch64.so.1 is missing"
mkdir -p "$R/usr/share/programs-bench"
cp bench/programs/work.py bench/programs/work.sql "$R/usr/share/programs-bench/"
cp bench/programs/workload.sh "$R/usr/bin/programs-workload"
chmod +x "$R/usr/bin/programs-workload"
I=$G/initramfs.cpio.gz
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -6 >"../initramfs.cpio.gz")
APPEND="console=ttyAMA0 panic=-1 quiet nokaslr bench.scale=$SCALE tandem.run=/usr/bin/programs-workload"
echo "programs-bench: $I ($(stat -c %s "$I") bytes; packages: $(echo $pkgs))" >&2

# boot EMU LOG: one run; the console goes to LOG, wall seconds are printed
boot() {
    local t0 t1
    t0=${EPOCHREALTIME/./}
    case $1 in
    tandem) timeout 3600 "$TANDEM" run --kernel "$K" --initrd "$I" --mem 512M --no-rng-seed --append "$APPEND" ;;
    qemu) timeout 3600 qemu-system-aarch64 -M virt,dtb-kaslr-seed=off -cpu cortex-a53 -m 512 -nographic -nic none \
        -no-reboot -monitor none -serial stdio -kernel "$K" -initrd "$I" -append "$APPEND" ;;
    esac </dev/null 2>&1 | tr -d '\r' >"$2" || true
    t1=${EPOCHREALTIME/./}
    grep -q 'TANDEM-GUEST-DONE rc=0' "$2" || die "$1: the workload did not finish or failed (see $2)"
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) / 1e6 }'
}
# outputs LOG: the programs' framed output
outputs() { sed -n '/^PROGRAM-BEGIN/,/^PROGRAM-END/p' "$1"; }
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "n/a"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

for e in tandem qemu; do : >"$OUT/$e.times"; done
ref=
for ((r = 1; r <= RUNS; r++)); do
    for e in qemu tandem; do
        log=$OUT/$e-$r.log
        wall=$(boot $e "$log")
        outputs "$log" >"$OUT/$e-$r.out"
        [ -s "$OUT/$e-$r.out" ] || die "$e: no program output (see $log)"
        if [ -z "$ref" ]; then
            ref=$OUT/$e-$r.out
        elif ! cmp -s "$ref" "$OUT/$e-$r.out"; then
            diff -u "$ref" "$OUT/$e-$r.out" >&2 || true
            die "$e run $r: the programs' output differs from ${ref#$OUT/} (see $log)"
        fi
        py=$(sed -n 's/^PROGRAM-TIME python3 //p' "$log")
        sq=$(sed -n 's/^PROGRAM-TIME sqlite3 //p' "$log")
        echo "$py $sq $(awk -v a="$py" -v b="$sq" 'BEGIN { print a + b }') $wall" >>"$OUT/$e.times"
    done
done
col() { awk -v c="$2" '{ print $c }' "$OUT/$1.times" | median; }
echo "Debian bookworm arm64 programs in the guest (python3 scale $SCALE), median of $RUNS runs; outputs identical on both"
echo
echo "| program | Tandem (s) | QEMU TCG cortex-a53 (s) | Tandem/QEMU |"
echo "|---|---:|---:|---:|"
c=1
for name in "python3 (in guest)" "sqlite3 (in guest)" "total (in guest)" "whole run, wall (boot + programs + power off)"; do
    t=$(col tandem $c) q=$(col qemu $c)
    awk -v n="$name" -v t="$t" -v q="$q" 'BEGIN { printf "| %s | %.2f | %.2f | %s |\n", n, t, q, (q > 0 ? sprintf("%.2f", t / q) : "n/a") }'
    c=$((c + 1))
done
echo
echo "In-guest times come from /proc/uptime (10 ms resolution) around each program."
