#!/usr/bin/env python3
"""Builds tiny guest programs (arm64 Image header + raw instructions) for the
VMM tests. They run with the MMU off, as the boot protocol leaves it.

usage: tiny.py OUT [STEP...] [--end off|reset|loop]

The program does its steps in the order given:
  --print TEXT   write TEXT (\\n escapes allowed) to the PL011 data register,
  --repeat N       N times (default 1; follows its --print);
  --touch MIB    store to every 4 KiB page of MIB MiB of RAM from RAM + 4 MiB;
  --spin N       count N down to 0 (two instructions per step);
  --echo         forever: copy every byte received on the console back to it;
then --end: power off (PSCI SYSTEM_OFF, the default), ask for a reset
(SYSTEM_RESET), or loop forever (b .).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import mkimage  # noqa: E402

UART = 0x09000000
RAM = 0x40000000


def movz(rd, imm16, hw):
    return 0xD2800000 | hw << 21 | (imm16 & 0xFFFF) << 5 | rd


def movk(rd, imm16, hw):
    return 0xF2800000 | hw << 21 | (imm16 & 0xFFFF) << 5 | rd


def mov64(rd, value):
    """movz + movk for every other non-zero 16-bit chunk."""
    chunks = [(value >> (16 * i)) & 0xFFFF for i in range(4)]
    first = next((i for i, c in enumerate(chunks) if c), 0)
    words = [movz(rd, chunks[first], first)]
    words += [movk(rd, c, i) for i, c in enumerate(chunks) if c and i != first]
    return words


def subs1(rd):  # subs xd, xd, #1
    return 0xF1000400 | rd << 5 | rd


def b(off):  # b . + off
    return 0x14000000 | ((off // 4) & 0x3FFFFFF)


def bcond(cond, off):  # b.<cond> . + off
    return 0x54000000 | ((off // 4) & 0x7FFFF) << 5 | cond


def adr(rd, off):
    return 0x10000000 | (off & 3) << 29 | ((off >> 2) & 0x7FFFF) << 5 | rd


def cbz_w(rt, off):
    return 0x34000000 | ((off // 4) & 0x7FFFF) << 5 | rt


NE, LO = 1, 3
LDRB_W3_X2_POST1 = 0x38401443  # ldrb w3, [x2], #1
STR_W3_X1 = 0xB9000023         # str w3, [x1]
LDR_W3_X1 = 0xB9400023         # ldr w3, [x1]
LDR_W3_X1_FR = 0xB9401823      # ldr w3, [x1, #0x18]  (UARTFR)
TBNZ_W3_B4_BACK1 = 0x3727FFE3  # tbnz w3, #4, . - 4    (RXFE: nothing received)
STR_X5_X5 = 0xF90000A5         # str x5, [x5]
ADD_X5_4K = 0x914004A5         # add x5, x5, #4096
CMP_X5_X6 = 0xEB0600BF         # cmp x5, x6
HVC0 = 0xD4000002
PSCI_OFF, PSCI_RESET = 0x84000008, 0x84000009


def build(steps, end="off"):
    """steps: ("print", text, repeat), ("touch", mib), ("spin", n), ("echo",), in order."""
    w = mov64(1, UART)
    texts = []  # (index of the adr, text)
    for step in steps:
        if step[0] == "print":
            text, repeat = step[1], step[2]
            w += mov64(7, repeat)
            top = len(w)
            texts.append((len(w), text))
            w.append(0)                          # adr x2, text (patched below)
            w.append(LDRB_W3_X2_POST1)           # 1: ldrb w3, [x2], #1
            w.append(cbz_w(3, 12))               #    cbz w3, 2f
            w.append(STR_W3_X1)                  #    str w3, [x1]
            w.append(b(-12))                     #    b 1b
            w.append(subs1(7))                   # 2: subs x7, x7, #1
            w.append(bcond(NE, (top - len(w)) * 4))
        elif step[0] == "touch":
            w += mov64(5, RAM + (4 << 20))
            w += mov64(6, RAM + (4 << 20) + (step[1] << 20))
            top = len(w)
            w += [STR_X5_X5, ADD_X5_4K, CMP_X5_X6]
            w.append(bcond(LO, (top - len(w)) * 4))
        elif step[0] == "spin":
            w += mov64(4, step[1])
            w.append(subs1(4))
            w.append(bcond(NE, -4))
        elif step[0] == "echo":
            w += [LDR_W3_X1_FR, TBNZ_W3_B4_BACK1, LDR_W3_X1, STR_W3_X1, b(-16)]
    if end in ("off", "reset"):
        w += mov64(0, PSCI_OFF if end == "off" else PSCI_RESET)
        w.append(HVC0)
    w.append(b(0))
    for i, text in texts:
        w[i] = adr(2, (len(w) - i) * 4)
        data = text.encode() + b"\0"
        data += b"\0" * (-len(data) % 4)
        w += [int.from_bytes(data[j:j + 4], "little") for j in range(0, len(data), 4)]
    return w


def main(argv):
    out = argv[1]
    steps, end = [], "off"
    args = iter(argv[2:])
    for a in args:
        if a == "--print":
            steps.append(["print", next(args).encode().decode("unicode_escape"), 1])
        elif a == "--repeat":
            steps[-1][2] = int(next(args), 0)
        elif a == "--touch":
            steps.append(("touch", int(next(args), 0)))
        elif a == "--spin":
            steps.append(("spin", int(next(args), 0)))
        elif a == "--echo":
            steps.append(("echo",))
        elif a == "--end":
            end = next(args)
        else:
            sys.exit("tiny.py: unknown argument " + a)
    words = build(steps, end)
    mkimage.main(["mkimage.py", out] + ["%08x" % x for x in words])


if __name__ == "__main__":
    main(sys.argv)
