#!/usr/bin/env python3
"""fuzz-programs.py OUT DIR...: the program of every fuzzer input in the
DIRs (tests/fuzz/input.c's format: a 16-byte machine description, the
options, then the program and its interpreter), written to OUT once each,
named by its input. The differential test runs them as they are: they
are shrunk ELF files, mostly headers, and none of their code runs."""
import hashlib
import os
import struct
import sys


def program_of(data):
    rest = data[16:]
    olen = struct.unpack('<H', rest[:2].ljust(2, b'\0'))[0]
    rest = rest[2 + olen:]
    plen = struct.unpack('<I', rest[:4].ljust(4, b'\0'))[0]
    return rest[4:4 + plen]


def main():
    out, dirs = sys.argv[1], sys.argv[2:]
    seen = set()
    for d in dirs:
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), 'rb') as f:
                prog = program_of(f.read())
            digest = hashlib.sha256(prog).hexdigest()
            if len(prog) < 4 or digest in seen:
                continue
            seen.add(digest)
            path = os.path.join(out, name)
            with open(path, 'wb') as f:
                f.write(prog)
            os.chmod(path, 0o755)


if __name__ == '__main__':
    main()
