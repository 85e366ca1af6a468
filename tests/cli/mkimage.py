#!/usr/bin/env python3
"""Writes a minimal arm64 Image: the boot header followed by raw instruction words.

usage: mkimage.py OUT [--image-size N] [--text-offset N] [--magic HEX] WORD...
"""
import struct
import sys


def main(argv):
    out = argv[1]
    image_size = None
    text_offset = 0
    magic = 0x644D5241
    words = []
    args = iter(argv[2:])
    for a in args:
        if a == "--image-size":
            image_size = int(next(args), 0)
        elif a == "--text-offset":
            text_offset = int(next(args), 0)
        elif a == "--magic":
            magic = int(next(args), 0)
        else:
            words.append(int(a, 16))
    # code0 branches over the header (b +64), code1 is a NOP.
    code = struct.pack("<II", 0x14000010, 0xD503201F)
    body = b"".join(struct.pack("<I", w) for w in words)
    size = 64 + len(body)
    header = code + struct.pack("<QQQQQQII", text_offset, image_size if image_size is not None else size,
                                0xA, 0, 0, 0, magic, 0)
    with open(out, "wb") as f:
        f.write(header + body)


if __name__ == "__main__":
    main(sys.argv)
