#!/usr/bin/env bash
# CPU benchmark: the same freestanding image on Tandem (release build) and on
# QEMU TCG (-cpu cortex-a53), N runs each; prints a Markdown table with the
# median wall time, guest MIPS and the Tandem/QEMU ratio. Workloads:
#   cpubench  bench/cpubench.c, CoreMark-like: lists, matrix multiply, state
#             machine, CRC (the default; 3000 iterations)
#   mix       bench/cpumix.c: integer, scalar FP (double and single), AdvSIMD,
#             strided memory and unpredictable branches (1000 iterations)
#   all       both, one table each
#
# usage: bench/cpu-bench.sh [-n RUNS] [-w cpubench|mix|all] [-i ITERATIONS]
# (-i sets the iterations of every workload run; default: each one's own)
# The guest instruction count comes from `tandem --stats`; both emulators run
# the same instruction stream (their checksums are compared), so it is used
# for QEMU too. Wall times include process start-up (QEMU's is ~0.1-0.2 s).
set -eu
cd "$(dirname "$0")/.."
RUNS=5
ITERS=
WORK=cpubench
while getopts "n:i:w:h" o; do
    case $o in
    n) RUNS=$OPTARG ;;
    i) ITERS=$OPTARG ;;
    w) WORK=$OPTARG ;;
    *) sed -n '2,17p' "$0"; exit 1 ;;
    esac
done
case $WORK in
cpubench | mix) WORKS=$WORK ;;
all) WORKS="cpubench mix" ;;
*) echo "cpu-bench: unknown workload '$WORK' (cpubench, mix or all)" >&2; exit 1 ;;
esac
CROSS=${CROSS:-aarch64-linux-gnu-}
TANDEM=${TANDEM:-build/tandem}
OUT=build/bench
G=tests/guest
mkdir -p "$OUT"

make -s build/tandem
make -s -f $G/guest.mk OUT="$OUT" "$OUT/rt/start.o" "$OUT/rt/rt.o"

# build NAME SOURCE ITERATIONS: the freestanding image $OUT/NAME.bin
build() {
    "${CROSS}gcc" -march=armv8-a -mstrict-align -mno-outline-atomics -fno-pic -fno-pie -ffreestanding -nostdlib \
        -fno-stack-protector -fno-math-errno -std=gnu11 -O2 -DITERS="$3" -I$G/rt "$2" "$OUT/rt/start.o" "$OUT/rt/rt.o" \
        -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-T,$G/rt/link.ld -lgcc \
        -o "$OUT/$1.elf"
    "${CROSS}objcopy" -O binary "$OUT/$1.elf" "$OUT/$1.bin"
}

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# timed FILE CMD...: append "wall cpu" (seconds; cpu = user + sys) to FILE
timed() {
    local f=$1
    shift
    /usr/bin/time -f '%e %U %S' -o "$OUT/time.txt" "$@" </dev/null >/dev/null
    awk '{printf "%s %.2f\n", $1, $2 + $3}' "$OUT/time.txt" >>"$f"
}

# run_one NAME SOURCE ITERATIONS: build, check against QEMU, time, print the table
run_one() {
    build "$1" "$2" "$3"
    local IMG=$OUT/$1.bin qref tref icount twall tcpu qwall qcpu
    # The images take no interrupts: Tandem's hang detector (no interrupt in
    # 5 s of guest run time) would stop a run longer than that.
    local TRUN=("$TANDEM" run --kernel "$IMG" --mem 128M --hang-timeout 0)
    # Reference output and instruction count.
    qref=$(timeout 600 qemu-system-aarch64 -nic none -M virt -cpu cortex-a53 -m 128 -nographic -no-reboot -monitor none \
        -serial stdio -kernel "$IMG" </dev/null | grep "^$1 ")
    tref=$("${TRUN[@]}" --stats </dev/null 2>"$OUT/stats.txt" | grep "^$1 " || true)
    icount=$(sed -n 's/^tandem: \([0-9]*\) instructions.*/\1/p' "$OUT/stats.txt")
    if [ "$qref" != "$tref" ]; then
        echo "cpu-bench: Tandem's output differs from QEMU's; timings would not compare the same work" >&2
        echo "  qemu:   $qref" >&2
        echo "  tandem: ${tref:-<none>} $(tail -1 "$OUT/stats.txt")" >&2
        exit 1
    fi

    : >"$OUT/tandem.times"
    : >"$OUT/qemu.times"
    for ((r = 0; r < RUNS; r++)); do
        timed "$OUT/tandem.times" "${TRUN[@]}"
        timed "$OUT/qemu.times" qemu-system-aarch64 -nic none -M virt -cpu cortex-a53 -m 128 -nographic -no-reboot \
            -monitor none -serial stdio -kernel "$IMG"
    done
    twall=$(cut -d' ' -f1 "$OUT/tandem.times" | median)
    tcpu=$(cut -d' ' -f2 "$OUT/tandem.times" | median)
    qwall=$(cut -d' ' -f1 "$OUT/qemu.times" | median)
    qcpu=$(cut -d' ' -f2 "$OUT/qemu.times" | median)

    echo "CPU benchmark: $qref, $icount guest instructions, median of $RUNS runs"
    echo
    echo "| emulator | median wall time (s) | median CPU time (s) | guest MIPS (wall) | Tandem/QEMU (wall) |"
    echo "|---|---:|---:|---:|---:|"
    awk -v tw="$twall" -v tc="$tcpu" -v qw="$qwall" -v qc="$qcpu" -v n="$icount" 'BEGIN {
        printf "| Tandem | %.2f | %.2f | %.1f | %.2f |\n", tw, tc, n / tw / 1e6, tw / qw
        printf "| QEMU TCG (cortex-a53) | %.2f | %.2f | %.1f | 1.00 |\n", qw, qc, n / qw / 1e6
    }'
    echo
}

for w in $WORKS; do
    case $w in
    cpubench) run_one cpubench bench/cpubench.c "${ITERS:-3000}" ;;
    mix) run_one cpumix bench/cpumix.c "${ITERS:-1000}" ;;
    esac
done
echo "Wall time includes start-up; CPU time (user + sys) is steadier on a shared machine."
