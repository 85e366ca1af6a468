#!/usr/bin/env python3
"""Appends files to an initramfs: writes BASE followed by a gzip-compressed
newc cpio archive holding the given files (Linux unpacks concatenated
archives in order, later ones adding to the first).

usage: overlay.py BASE OUT GUEST-PATH=HOST-FILE...   (files are made 0755)
"""
import gzip
import sys


def newc_entry(name, mode, data, ino):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = hdr + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def archive(files):
    """files: list of (guest path, mode, bytes)."""
    body = b""
    for i, (path, mode, data) in enumerate(files):
        body += newc_entry(path.lstrip("/"), mode, data, 1000 + i)
    body += newc_entry("TRAILER!!!", 0, b"", 0)
    return body


def write_overlay(base, out, files):
    with open(base, "rb") as f:
        data = f.read()
    data += b"\0" * (-len(data) % 4)
    data += gzip.compress(archive([(p, 0o100755, d) for p, d in files]), 9, mtime=0)
    with open(out, "wb") as f:
        f.write(data)


def main(argv):
    files = []
    for spec in argv[3:]:
        guest, host = spec.split("=", 1)
        with open(host, "rb") as f:
            files.append((guest, f.read()))
    write_overlay(argv[1], argv[2], files)


if __name__ == "__main__":
    main(sys.argv)
