#!/usr/bin/env python3
"""seeds.py OUTDIR BUILD...: the fuzzer's seed corpus, made from the test
fixtures of each BUILD directory (build/x86_64, build/aarch64, ...).

Every ELF is shrunk to its headers and a few bytes of each segment, at
file offsets congruent to their addresses as before, so that the seeds
stay small and keep what stage1 looks at: the program headers (at most
MAX_LOADS PT_LOADs of a big table), PT_INTERP, section header 0 for
PN_XNUM, the entry point. Each is written in tests/fuzz/input.c's format
for a few machines and options; dynamically linked ones get their
interpreter, shrunk the same way."""
import os
import struct
import sys

MAX_LOADS = 600
MAX_PAGES = 16      # an ELFie's captured-page sections kept
DATA = 64            # bytes of file data a segment keeps
FAR = 16384          # a segment whose data would start further loses it

PT_LOAD, PT_INTERP, PN_XNUM = 1, 3, 0xffff


def shrink(raw):
    if raw[:4] != b'\x7fELF' or len(raw) < 64 or raw[4] != 2:
        return raw[:4096]
    e = '<' if raw[5] == 1 else '>'
    (phoff, shoff) = struct.unpack_from(e + 'QQ', raw, 32)
    (phentsize, phnum, shentsize) = struct.unpack_from(e + 'HHH', raw, 54)
    if phentsize != 56:
        return raw[:4096]
    count = phnum
    sh0 = None
    if phnum == PN_XNUM and shoff + 64 <= len(raw):
        sh0 = bytearray(raw[shoff:shoff + 64])
        count = struct.unpack_from(e + 'I', sh0, 44)[0]
    phs, interp, loads = [], None, 0
    for i in range(count):
        o = phoff + 56 * i
        if o + 56 > len(raw):
            break
        p = list(struct.unpack_from(e + 'IIQQQQQQ', raw, o))
        if p[0] == PT_LOAD:
            loads += 1
            if loads > MAX_LOADS:
                continue
        if p[0] == PT_INTERP:
            interp = raw[p[2]:p[2] + p[5]]
        phs.append(p)
    table = 64 + 56 * len(phs)
    out = bytearray(raw[:64])
    if sh0 is None:                   # no section headers at all
        struct.pack_into(e + 'QQ', out, 32, 64, 0)
        struct.pack_into(e + 'HHHH', out, 56, len(phs), 0, 0, 0)
    else:                             # e_phnum PN_XNUM, the count in sh0
        struct.pack_into(e + 'I', sh0, 44, len(phs))
        struct.pack_into(e + 'QQ', out, 32, 64, table)
        struct.pack_into(e + 'HHH', out, 58, 64, 1, 0)
    end = table + (64 if sh0 else 0)
    data = {}
    for p in phs:
        if p[0] == PT_INTERP:
            p[2], p[5] = end, len(interp)
            data[end] = interp
            end += len(interp)
    for p in phs:
        if p[0] != PT_LOAD:
            continue
        align = p[7] if p[7] and p[7] & (p[7] - 1) == 0 else 1
        keep = min(p[5], DATA)
        if p[2] == 0:                 # the segment with the headers
            keep = min(p[5], max(keep, end))
            off = 0
        else:
            off = p[3] % align
            if off > FAR:
                keep = 0
        if keep:
            data[off] = raw[p[2]:p[2] + keep]
        p[2], p[5] = off, keep
    body = bytearray(max([end] + [o + len(d) for o, d in data.items()]))
    for o, d in sorted(data.items()):
        body[o:o + len(d)] = d
    body[:64] = out
    for i, p in enumerate(phs):
        struct.pack_into(e + 'IIQQQQQQ', body, 64 + 56 * i, *p)
    if sh0 is not None:
        body[table:table + 64] = sh0
    else:
        add_captured_pages(raw, e, shoff, shentsize, body)
    return bytes(body), (interp.rstrip(b'\0').decode() if interp else None)


def add_captured_pages(raw, e, shoff, shentsize, body):
    """An ELFie's .pbdmap.ADDR/.pbstck.ADDR sections (at most MAX_PAGES of
    them), appended to body as a section table of their own."""
    (shnum, shstrndx) = struct.unpack_from(e + 'HH', raw, 60)
    if shentsize != 64 or not shnum or shstrndx >= shnum or shoff + 64 * shnum > len(raw):
        return
    str_off = struct.unpack_from(e + 'Q', raw, shoff + 64 * shstrndx + 24)[0]
    keep = []
    for i in range(shnum):
        sh = list(struct.unpack_from(e + 'IIQQQQIIQQ', raw, shoff + 64 * i))
        end = raw.find(b'\0', str_off + sh[0])
        if end < 0:                                       # a table cut short
            return
        name = raw[str_off + sh[0]:end]
        if name[:8] in (b'.pbdmap.', b'.pbstck.') and len(keep) < MAX_PAGES:
            keep.append((name, sh))
    if not keep:
        return
    names = b'\0.shstrtab\0' + b''.join(n + b'\0' for n, _ in keep)
    strtab = len(body)
    body += names
    while len(body) % 8:
        body.append(0)
    table = len(body)
    body += bytes(64)                                     # section 0
    at = 11
    for n, sh in keep:
        sh[0], sh[4] = at, 0                              # its data not kept
        body += struct.pack(e + 'IIQQQQIIQQ', *sh)
        at += len(n) + 1
    body += struct.pack(e + 'IIQQQQIIQQ', 1, 3, 0, 0, strtab, len(names), 0, 0, 1, 0)
    struct.pack_into(e + 'Q', body, 40, table)
    struct.pack_into(e + 'HHH', body, 58, 64, len(keep) + 2, len(keep) + 1)


def shrunk(path):
    with open(path, 'rb') as f:
        r = shrink(f.read())
    return r if isinstance(r, tuple) else (r, None)


def machine(**kw):
    """tests/fuzz/input.c's 16 bytes, by name; 0 is the plain machine"""
    names = ['flags', 'page', 'top', 'overcommit', 'min_addr', 'max_maps',
             'stack', 'as_limit', 'data_limit', 'ram', 'commit', 'mode',
             'owner', 'interp_mode', 'caller', 'spare']
    return bytes(kw.get(n, 0) for n in names)


# flags: 1 no /proc, 2 no vDSO, 8 traced, 16 no_new_privs, 32 nosuid,
# 64 ASLR on; the other bytes pick from input.c's lists
MACHINES = [machine(), machine(flags=1), machine(flags=2, page=1, top=1),
            machine(flags=66, page=1, top=2, caller=1)]
# a few programs meet every unusual machine
UNUSUAL = [machine(mode=2, caller=1), machine(mode=4, owner=2),
           machine(flags=8, mode=2, caller=1), machine(flags=32, mode=3, caller=1),
           machine(flags=16, mode=2, caller=1), machine(mode=6), machine(mode=7),
           machine(mode=1, caller=1), machine(overcommit=2, commit=3),
           machine(max_maps=3), machine(as_limit=4), machine(data_limit=3),
           machine(page=2), machine(min_addr=1), machine(stack=1), machine(stack=2),
           machine(ram=3), machine(caller=3), machine(top=3, page=1),
           machine(spare=1), machine(spare=2), machine(spare=4), machine(spare=8),
           machine(spare=16), machine(spare=32), machine(spare=64)]
UNUSUAL_FOR = ('plain', 'pie', 'dynamic', 'tiny', 'pages5000', 'pie-nolibc', 'bss1t')
OPTIONS = [b'', b'--map\0', b'--page-size\x0065536\0', b'--aslr\0-v\0',
           b'--base\x000x10000000\0', b'--stack-size\x001M\0--stack-top\x000x500000000000\0',
           b'--entry\x00main\0', b'--argv0\x00x\0--stop-at-entry\0',
           b'--reserve\x000x7ffff7ffc000-0x7ffff7fff000\0--reserve\x000x1000-0x2000\0',
           b'--userns\0', b'--userns\0--map\0']
# pie-nolibc has its symbol table: kept whole, it tries --entry
ENTRY = [b'--entry\x00stage1_main\0', b'--entry\x00nosuch\0', b'--entry\x000x1000\0',
         b'--entry\x00fmt_hex\0--base\x000x20000000\0']


def write(outdir, name, machine, opts, prog, interp=b''):
    with open(os.path.join(outdir, name), 'wb') as f:
        f.write(machine + struct.pack('<H', len(opts)) + opts +
                struct.pack('<I', len(prog)) + prog + interp)


def main():
    outdir, builds = sys.argv[1], sys.argv[2:]
    os.makedirs(outdir, exist_ok=True)
    n = 0
    for b in builds:
        fix = os.path.join(b, 'fixtures')
        if not os.path.isdir(fix):
            continue
        sysroot = ''
        env = os.path.join(b, 'test.env')
        if os.path.exists(env):
            for line in open(env):
                if line.startswith('SYSROOT='):
                    sysroot = line.split('=', 1)[1].strip().strip('"')
        arch = os.path.basename(b)
        for name in sorted(os.listdir(fix)):
            path = os.path.join(fix, name)
            if not os.path.isfile(path) or name.endswith(('.c', '.ld')) or name == 'mkbad':
                continue
            prog, interp_path = shrunk(path)
            interp = b''
            if interp_path:
                ld = os.path.realpath(sysroot.rstrip('/') + interp_path)
                if os.path.exists(ld):
                    interp = shrunk(ld)[0]
            native = arch == 'x86_64'
            for i, m in enumerate(MACHINES if native else MACHINES[:1]):
                for j, opts in enumerate(OPTIONS if native and i == 0 else OPTIONS[:1]):
                    write(outdir, '%s-%s-%d-%d' % (arch, name, i, j), m, opts,
                          prog, interp)
                    n += 1
            if native and name in UNUSUAL_FOR:
                for i, m in enumerate(UNUSUAL):
                    write(outdir, '%s-%s-unusual-%d' % (arch, name, i), m, b'', prog,
                          interp)
                    n += 1
            if name == 'pie-nolibc':
                with open(path, 'rb') as f:
                    whole = f.read()
                for j, opts in enumerate(ENTRY):
                    write(outdir, '%s-%s-whole-%d' % (arch, name, j), MACHINES[0], opts,
                          whole)
                    n += 1
    print('%d seeds in %s' % (n, outdir))


main()
