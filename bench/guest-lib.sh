# Sourced by the Debian-guest benchmarks (vmm-bench.sh, ft-bench.sh): the
# release build, the guest assets, and the helpers they share.
TANDEM=${TANDEM:-build/tandem}
K=guest/out/Image I=guest/out/initramfs.cpio.gz
APPEND="console=ttyAMA0 panic=-1 quiet nokaslr tandem.run=/usr/bin/tandem-smoke"
make -s build/tandem
[ -s $K ] && [ -s $I ] || bash scripts/fetch-guest.sh >/dev/null
# median: of the numbers on standard input ("n/a" when there are none)
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "n/a"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
