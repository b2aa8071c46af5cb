#!/usr/bin/env python3
"""gen-mpt.py OUTDIR: the MPTs of tests/microprobe, in the shape ChopStiX's
chop-trace2mpt writes them: the traced code as raw instruction words at
its address ([CODE]), and a state file of registers (R NAME VALUE) and
whole 4 KiB pages (M ADDRESS HEXBYTES), gzipped.

The code is checksum.ARCH.s, assembled with Debian's cross assembler; the
register holding the list is set in the state. Each page holds its own
address in every word (its first word plus one), so a page that is
missing, moved or wrong by one byte changes the sum the code computes.
"""
import gzip
import os
import struct
import subprocess
import sys

PAGE = 4096
HERE = os.path.dirname(os.path.abspath(__file__))
ARCHES = {   # triplet, the register the code reads the list from
    'riscv64': ('riscv64-linux-gnu', 'X10'),
    'ppc64le': ('powerpc64le-linux-gnu', 'GPR3'),
}
CODE = 0x10000000
LIST = 0x50000000   # above where the POWER wrapper links its own code


def spaced(first, n, step=32 * PAGE):
    return [first + i * step for i in range(n)]


# name: (arch, pages besides the message page, what they stand for)
FIXTURES = {
    'riscv64-small': ('riscv64', [0x50005000, 0x60000000], 'a few pages'),
    'riscv64-pages1200': ('riscv64', spaced(0x58002000, 1199),
                          '1200 separate pages, more than the kernel takes'),
    # Sv39 (256 GiB): the no-ASLR stack top, the interpreter below the
    # kernel's mmap base, elfload's own image, and elfload's default
    # stack, vDSO, brk, mmap base and PIE base for that size
    'riscv64-sv39': ('riscv64', [0x3ffffff000, 0x3fffffe000, 0x3ff7fff000,
                                 0x1f00001000, 0x1effffe000, 0xffffff000,
                                 0x1001000000, 0xc00000000, 0xaaaaa9000,
                                 0x800000000],
                     'Sv39: the stack top, the interpreter, elfload'),
    # Sv48 (128 TiB): elfload's image and default layout for 47 bits, and
    # a span of 128 TiB. Not the no-ASLR stack top and interpreter of a
    # 47-bit process: on an x86_64 host, qemu-user keeps its own stack and
    # libraries there
    'riscv64-sv48': ('riscv64', [0x1f00001000, 0x1ffffffff000, 0x200001000000,
                                 0x180000000000, 0x155555553000, 0x100000000000,
                                 0x7fff00000000],
                     'Sv48: elfload, 128 TiB'),
    # 47 bits and Sv48 (a 128 TiB window): the pages a process without ASLR
    # has at the top of its stack and where its interpreter goes, below
    # the kernel's mmap base (2^47 - 128 MiB), on 4 KiB and on 64 KiB
    # pages. Only for a real kernel: under qemu-user on an x86_64 host
    # they are where qemu keeps its own stack and libraries
    'riscv64-sv48-stack': ('riscv64', [0x7ffffffff000, 0x7fffffffe000, 0x7fffffff0000,
                                       0x7ffff7fff000, 0x7ffff7ff0000],
                           'Sv48: the stack top, the interpreter'),
    'ppc64le-small': ('ppc64le', [0x50005000, 0x60000000], 'a few pages'),
    'ppc64le-pages1200': ('ppc64le', spaced(0x58002000, 1199),
                          '1200 separate pages, more than the kernel takes'),
    # the 47-bit layout: elfload's image and default layout (not the
    # no-ASLR stack top and interpreter, as for Sv48)
    'ppc64le-top47': ('ppc64le', [0x6f0000001000, 0x6effffff0000, 0x1ffffffff000,
                                  0x200001000000, 0x180000000000, 0x155555553000,
                                  0x100000000000, 0x7fff00000000],
                      '47 bits: elfload, 128 TiB'),
    'ppc64le-top47-stack': ('ppc64le', [0x7ffffffff000, 0x7fffffffe000, 0x7fffffff0000,
                                        0x7ffff7fff000, 0x7ffff7ff0000],
                            '47 bits: the stack top, the interpreter'),
}


def code_words(arch):
    """The instruction words of checksum.ARCH.s, as the processor reads
    them (both architectures are little-endian)."""
    triplet = ARCHES[arch][0]
    obj, raw = os.path.join(OUT, arch + '.o'), os.path.join(OUT, arch + '.bin')
    subprocess.run([triplet + '-as', '-o', obj, os.path.join(HERE, 'checksum.%s.s' % arch)],
                   check=True)
    subprocess.run([triplet + '-objcopy', '-O', 'binary', '-j', '.text', obj, raw], check=True)
    with open(raw, 'rb') as f:
        text = f.read()
    os.unlink(obj)
    os.unlink(raw)
    return [w for (w,) in struct.iter_unpack('<I', text)]


def page_bytes(addr):
    words = [addr] * (PAGE // 8)
    words[0] = addr + 1
    return struct.pack('<%dQ' % len(words), *words)


def fold(pages):
    acc = 0
    for p in pages:
        for (w,) in struct.iter_unpack('<Q', p):
            acc = (acc * 31 + w) & (2**64 - 1)
    return acc


def write(name, arch, others, what):
    msg_page = 0x50010000
    message = ('microprobe %s: every page right\n' % name).encode()
    msg = bytearray(page_bytes(msg_page))
    msg[64:64 + len(message)] = message
    data = [(msg_page, bytes(msg))] + [(a, page_bytes(a)) for a in others]
    lst = struct.pack('<4Q', len(data), fold([p for _, p in data]), msg_page + 64,
                      len(message))
    lst += struct.pack('<%dQ' % len(data), *[a for a, _ in data])
    lst += bytes(-len(lst) % PAGE)
    pages = [(LIST + i, lst[i:i + PAGE]) for i in range(0, len(lst), PAGE)] + data
    with gzip.GzipFile(os.path.join(OUT, name + '.state.gz'), 'wb', mtime=0) as f:
        f.write(('R PC 0x%x\nR %s 0x%x\n' % (CODE, ARCHES[arch][1], LIST)).encode())
        for a, p in sorted(pages):
            f.write(('M 0x%x %s\n' % (a, p.hex())).encode())
    with open(os.path.join(OUT, name + '.mpt'), 'w') as f:
        f.write('; %s: %s (tests/microprobe/gen-mpt.py)\n' % (name, what))
        f.write('[MPT]\nmpt_version = 0.5\n\n[STATE]\ncontents = %s.state.gz\n\n' % name)
        f.write('[CODE]\ndefault_address = 0x0\ninstructions =\n')
        f.write('  0x%016x <CODE_START>:\n' % CODE)
        for w in code_words(arch):
            f.write('    0x%08x\n' % w)


if __name__ == '__main__':
    OUT = sys.argv[1]
    os.makedirs(OUT, exist_ok=True)
    for name, (arch, others, what) in FIXTURES.items():
        write(name, arch, others, what)
        print(name)
