#!/usr/bin/env python3
"""Tiny guests of the fault-tolerance tests, built on tests/vmm/tiny.py (arm64
Image header + raw instructions, MMU off).

usage: ftguests.py OUT lines N SPIN          "line-1".."line-N", SPIN countdown steps after each, power off
       ftguests.py OUT exception-loop SPIN   "tiny: up", SPIN steps, "tiny: looping", then an exception loop
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "vmm"))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
import mkimage  # noqa: E402
import tiny  # noqa: E402

MSR_VBAR_EL1_X0 = 0xD518C000  # msr vbar_el1, x0
ISB = 0xD5033FDF
UDF0 = 0x00000000             # udf #0
# The vector table: 8 MiB into RAM, never written, so all zero: the
# synchronous-exception vector (VBAR + 0x200, current EL with SP_ELx) holds
# udf #0 itself, and every exception is the same one at the same address.
LOOP_VBAR = tiny.RAM + (8 << 20)


def write(out, words):
    mkimage.main(["mkimage.py", out] + ["%08x" % w for w in words])


def lines_image(out, n, spin):
    steps = []
    for k in range(1, n + 1):
        steps.append(["print", "line-%d\n" % k, 1])
        steps.append(("spin", spin))
    write(out, tiny.build(steps, end="off"))


def exception_loop_image(out, spin):
    steps = [["print", "tiny: up\n", 1], ("spin", spin), ["print", "tiny: looping\n", 1]]
    w = tiny.build(steps, end="loop")
    # The program ends in `b .` (the first one: the print loops branch back by
    # -12); branch instead to a tail after the text, which points VBAR_EL1 at
    # zeroed RAM and executes udf #0.
    i = w.index(tiny.b(0))
    w[i] = tiny.b((len(w) - i) * 4)
    w += tiny.mov64(0, LOOP_VBAR) + [MSR_VBAR_EL1_X0, ISB, UDF0]
    write(out, w)


def main(argv):
    out, kind = argv[1], argv[2]
    if kind == "lines":
        lines_image(out, int(argv[3]), int(argv[4], 0))
    elif kind == "exception-loop":
        exception_loop_image(out, int(argv[3], 0))
    else:
        sys.exit("ftguests.py: unknown kind " + kind)


if __name__ == "__main__":
    main(sys.argv)
