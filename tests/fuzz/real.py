#!/usr/bin/env python3
"""real.py FUZZER PARITY MACHINE ELFLOAD DIR...: the model held to
the real kernel. Every fuzz input in the DIRs runs through the harness
(FUZZER, with FUZZ_DESCRIBE: tests/fuzz/describe.c writes what the run
came to) and through the real elfload, under parity -r (PARITY, see
tests/parity/parity.c), which compares the two: the same refusal (exit
status and message), exit 0 with the same message, or the same process
at --stop-at-entry (auxv, the stack from argc up, every segment page's
protection and bytes).

The machine an input describes is what the real run gets where this
machine can take it: resource limits, personality, the caller's IDs,
no_new_privs (MACHINE, tests/parity/machine.c), /proc or not, a nosuid
file system, the files' types, modes and owners, the re-exec's marker
and PATH in the environment. The rest of the input's machine is
rewritten to this machine's before the harness runs it, and counted:
the page size, the top of the address space, the vm sysctls, RAM and
commit limit, no vDSO, pages above the stack, no AT_PAGESZ, crowded,
no faccessat2, a program swapped for a FIFO; and the harness is told
that a debugger is attached (the real run is traced). The options get
--stop-at-entry in front on both sides.

Each real run is chrooted into a directory holding elfload, /p, the
interpreter at every path the program may name it by (PT_INTERP, #!,
--interp) and /proc where the input has it, in a mount namespace of its
own. Needs root; prints one line per disagreement and a summary; exit
status 1 if any disagree."""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

NONE = 'none'
PAGES = [4096, 16384, 65536]
TOPS = [0x7ffffffff000, 0x800000000000, 0x1000000000000, 0x100000000000000]
MIN_ADDRS = [4096, 65536, 32768, 0]
MAP_COUNTS = [65530, 20000, 2000, 600, 200, 64]
STACKS = [8 << 20, NONE, 64 << 10, 1 << 30, 100 << 20]
AS_LIMITS = [NONE, 64 << 20, 1 << 30, 16 << 30, 12 << 20, 256 << 20]
DATA_LIMITS = [NONE, 1 << 30, 32 << 20, 8 << 20]
RAMS = [24 << 30, 1 << 30, 256 << 30, 64 << 20]
COMMITS = [16 << 30, 1 << 30, 200 << 20, 128 << 20]
MODES = [0o100755, 0o100644, 0o104755, 0o102755, 0o106755, 0o100700, 0o040755,
         0o010755, 0o100111, 0o100070]
OWNERS = [0, 1000, 65534]
CALLERS = [(0, 0), (1000, 1000), (1000, 0), (0, 1000), (65534, 65534)]
LOADER = '/.elfload'

# what parity -r cannot compare, as the harness's model has no such thing
NOT_COMPARED = (
    "AT_HWCAP's value and the entries this kernel adds that the harness's "
    "first stack lacks (AT_HWCAP2/3/4, AT_MINSIGSTKSZ, AT_RSEQ_*): the model "
    "passes through made-up ones; AT_SYSINFO_EHDR's value, AT_RANDOM's bytes, "
    "the stack's, PIE's and interpreter's addresses (offsets from the top "
    "and less the biases are compared); mappings other than the segments' "
    "(vDSO, vvar, elfload's own); the output of --map, --help, --version "
    "(stdout)")


def pick(table, byte):
    return table[byte % len(table)]


def index_of(table, value):
    """The byte that picks value from table, or the nearest value's."""
    if value in table:
        return table.index(value)
    return min(range(len(table)), key=lambda i: abs(table[i] - value))


def read_int(path):
    with open(path) as f:
        return int(f.read().split()[0])


def meminfo(key):
    with open('/proc/meminfo') as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1]) << 10
    return 0


def this_machine():
    flags = open('/proc/cpuinfo').read()
    m = {'page': os.sysconf('SC_PAGE_SIZE'),
         'top': 0x100000000000000 if ' la57' in flags else 0x7ffffffff000,
         'min_addr': read_int('/proc/sys/vm/mmap_min_addr'),
         'map_count': read_int('/proc/sys/vm/max_map_count'),
         'overcommit': read_int('/proc/sys/vm/overcommit_memory'),
         'ram': meminfo('MemTotal') + meminfo('SwapTotal'),
         'commit': max(meminfo('CommitLimit') - meminfo('Committed_AS'), 0)}
    return m


def rewrite(head, m, opts_words, notes):
    """The input's 16 machine bytes, with what this machine cannot take
    replaced by what it is; each replacement named in notes."""
    p = list(head.ljust(16, b'\0'))
    have_proc = not p[0] & 1

    def set_to(i, table, value, name, matters=True):
        want = index_of(table, value)
        if pick(table, p[i]) != table[want]:
            if matters:
                notes.append(name)
            p[i] = want

    if p[15] & 4:
        notes.append('no AT_PAGESZ')
        p[15] &= ~4
    set_to(1, PAGES, m['page'], 'page size')
    set_to(2, TOPS, m['top'], 'top of the address space')
    set_to(4, MIN_ADDRS, m['min_addr'], 'vm.mmap_min_addr')
    # without /proc stage1 takes these two to be the defaults
    if pick([0, 1, 2], p[3]) != m['overcommit']:
        if have_proc:
            notes.append('vm.overcommit_memory')
        p[3] = m['overcommit']
    set_to(5, MAP_COUNTS, m['map_count'], 'vm.max_map_count', have_proc)
    set_to(9, RAMS, m['ram'], 'RAM and swap')
    set_to(10, COMMITS, m['commit'], 'commit limit left')
    for bit, name in ((2, 'no vDSO'),):
        if p[0] & bit:
            notes.append(name)
            p[0] &= ~bit
    if not p[0] & 8:
        notes.append('not traced (the real run is)')
        p[0] |= 8
    # a chrooted process may not make a user namespace
    if b'--userns' in opts_words and p[0] & 64 and not p[15] & 1:
        notes.append('user namespaces allowed')
        p[0] &= ~64
    for bit, name in ((2, 'pages above the stack'), (8, 'crowded'),
                      (16, 'no faccessat2'), (32, 'program swapped for a FIFO')):
        if p[15] & bit:
            notes.append(name)
            p[15] &= ~bit
    return bytes(p)


def split_input(data):
    head, rest = data[:16], data[16:]
    olen = struct.unpack('<H', rest[:2].ljust(2, b'\0'))[0]
    rest = rest[2:]
    olen = min(olen, len(rest))
    opts, rest = rest[:olen], rest[olen:]
    plen = struct.unpack('<I', rest[:4].ljust(4, b'\0'))[0]
    rest = rest[4:]
    plen = min(plen, len(rest))
    return head, opts, rest[:plen], rest[plen:]


def join_input(head, opts, prog, interp):
    return (head + struct.pack('<H', len(opts)) + opts + struct.pack('<I', len(prog)) +
            prog + interp)


# ---- the harness: every input once, each leaving a record ----

def run_harness(fuzzer, inputs, work):
    """Runs the inputs through the harness in batches; returns for each
    its record's path, or why there is none."""
    out = [None] * len(inputs)
    start, batch = 0, 0
    while start < len(inputs):
        batch += 1
        rec = os.path.join(work, 'rec%d' % batch) + '/'
        os.mkdir(rec)
        env = dict(os.environ, FUZZ_DESCRIBE=rec)
        r = subprocess.run([fuzzer, '-rss_limit_mb=4096', '-timeout=30', '-detect_leaks=0'] + inputs[start:],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        done = [ln for ln in r.stderr.decode(errors='replace').splitlines()
                if ln.startswith('Executed ')]
        for k in range(len(done)):
            out[start + k] = rec + str(k + 1)
        start += len(done)
        if r.returncode and start < len(inputs):
            text = r.stderr.decode(errors='replace')
            finding = [ln for ln in text.splitlines() if 'elfload fuzz finding' in ln]
            out[start] = 'the harness fails: ' + (finding[0].split(': ', 1)[-1] if finding
                                                   else text.strip().splitlines()[-1][:200])
            start += 1
    return out


def record_strings(path):
    """The record's argv, environment and the program's path (or None:
    stage1 opened none)."""
    with open(path, 'rb') as f:
        data = f.read()
    argv, envp, prog, i = [], [], [], 8
    while i + 32 <= len(data):
        tag, _, _, _, n = struct.unpack('<IIQQQ', data[i:i + 32])
        if tag in (2, 3, 6):
            {2: argv, 3: envp, 6: prog}[tag].append(data[i + 32:i + 32 + n])
        i += 32 + ((n + 7) & ~7)
    return argv, envp, prog[0] if prog else None


# ---- the real run's root directory ----

def interp_paths(prog, interp, argv):
    """Every path elfload may open the interpreter by: the program's and
    the interpreter's PT_INTERP and #! line, and --interp's value."""
    paths = []
    for data in (prog, interp):
        if data[:2] == b'#!':
            words = data[2:256].split(b'\n')[0].split(b'\0')[0].replace(b'\t', b' ').split()
            if words:
                paths.append(words[0])
        if data[:4] == b'\x7fELF' and len(data) >= 64:
            paths += pt_interp(data)
    for i, a in enumerate(argv[1:], 1):
        if a == b'--':
            break
        if a.startswith(b'--interp='):
            paths.append(a[9:])
        elif a == b'--interp' and i + 1 < len(argv):
            paths.append(argv[i + 1])
    return [p for p in paths if p]


def pt_interp(data):
    phoff, = struct.unpack('<Q', data[32:40])
    phnum, = struct.unpack('<H', data[56:58])
    if phnum == 0xffff:
        shoff, = struct.unpack('<Q', data[40:48])
        if shoff + 64 <= len(data):
            phnum, = struct.unpack('<I', data[shoff + 44:shoff + 48])
    for i in range(min(phnum, 1 << 16)):
        h = data[phoff + 56 * i:phoff + 56 * i + 56]
        if len(h) < 56:
            break
        if struct.unpack('<I', h[:4])[0] == 3:
            off, = struct.unpack('<Q', h[8:16])
            size, = struct.unpack('<Q', h[32:40])
            return [data[off:off + min(size, 4096)].split(b'\0')[0]]
    return []


def make_file(path, data, mode, uid, gid):
    kind = mode & 0o170000
    if kind == 0o040000:
        os.mkdir(path)
    elif kind == 0o010000:
        os.mkfifo(path)
    else:
        with open(path, 'wb') as f:
            f.write(data)
    os.chown(path, uid, gid)
    os.chmod(path, mode & 0o7777)


def place(root, name, data, mode, uid, gid, made):
    """The file at name (absolute, or from /) under root; False where it
    cannot be made there."""
    rel = os.path.normpath(b'/' + name).lstrip(b'/')
    if not rel or rel.split(b'/')[0] in (b'proc', b'.elfload'):
        return False
    path = os.path.join(root, rel)
    try:
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        if os.path.lexists(path):
            return True
        make_file(path, data, mode, uid, gid)
    except (OSError, ValueError):
        return False
    made.append(rel.split(b'/')[0])
    return True


def clear(root, made):
    for top in set(made):
        path = os.path.join(root, top)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.unlink(path)
    made.clear()


def make_roots(work, elfload):
    """Four roots: with /proc or without, nosuid or not."""
    roots = {}
    for proc in (0, 1):
        for nosuid in (0, 1):
            root = os.path.join(work, 'root%d%d' % (proc, nosuid))
            os.mkdir(root)
            opts = 'mode=755' + (',nosuid' if nosuid else '')
            subprocess.run(['mount', '-t', 'tmpfs', '-o', opts, 'tmpfs', root], check=True)
            shutil.copy(elfload, root + LOADER)
            os.chmod(root + LOADER, 0o755)
            if proc:
                os.mkdir(root + '/proc')
                subprocess.run(['mount', '--bind', '/proc', root + '/proc'], check=True)
            roots[proc, nosuid] = root.encode()
    return roots


# ---- one input ----

def run_real(tools, roots, work, name, head, prog, interp, record):
    """parity -r's lines for one input, and its status."""
    parity, machine = tools
    p = head
    argv, envp, prog_path = record_strings(record)
    root = roots[int(not p[0] & 1), int(bool(p[0] & 32))]
    made = []
    owner = pick(OWNERS, p[12])
    # where stage1 opened none (it stopped before), at the harness's "/p"
    place(root, prog_path or b'/p', prog, pick(MODES, p[11]), owner, owner, made)
    host_prog = os.path.join(work, 'prog')
    with open(host_prog, 'wb') as f:
        f.write(prog)
    cmd = [parity, '-q', '-t', '10', '-r', record, '-n', name]
    if interp:
        host_interp = os.path.join(work, 'interp')
        with open(host_interp, 'wb') as f:
            f.write(interp)
        for path in interp_paths(prog, interp, argv):
            if path != prog_path:
                place(root, path, interp, pick(MODES, p[13]), 0, 0, made)
        cmd += ['-i', host_interp]
    uid, euid = pick(CALLERS, p[14])
    personality = 0x40000 if (p[15] & 1 or not p[0] & 64) else 0

    def limit(v):
        return '-' if v == NONE else str(v)
    cmd += [host_prog, machine, root, str(uid), str(euid), str(uid), '%x' % personality,
            '1' if p[0] & 16 else '0', limit(pick(STACKS, p[6])), limit(pick(AS_LIMITS, p[7])),
            limit(pick(DATA_LIMITS, p[8])), LOADER] + argv
    env = dict(e.split(b'=', 1) for e in envp if b'=' in e)
    try:
        r = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        lines, status = r.stdout.decode(errors='replace').splitlines(), r.returncode
    except subprocess.TimeoutExpired:
        lines, status = ['%s: parity timed out' % name], 2
    clear(root, made)   # the root serves the next input
    return lines, status


# Differences that are not the model's to know, each recognised from
# parity's lines alone: (why, test of the lines and the input's argv).
def numbers_only(lines, argv):
    """a refusal whose message differs only in its numbers: RAM and swap
    (the input picks from a list), elfload's own size against RLIMIT_AS,
    an address of the layout (the model's stack top and vDSO are not
    this machine's)"""
    if len(lines) != 1 or ': differ: message: model "' not in lines[0]:
        return False
    text = lines[0].split(': differ: message: model "', 1)[1]
    model, _, real = text.partition('", elfload "')
    return mask(model) == mask(real.rstrip('"'))


def aslr_gap(lines, argv):
    """--aslr: the random gap the stack gets below the program's strings
    (AT_RANDOM's and AT_PLATFORM's offsets from the top, the stack's length)"""
    return b'--aslr' in argv and all(
        any(k in ln for k in (': differ: auxv AT_RANDOM:', ': differ: auxv AT_PLATFORM:',
                              ': differ: stack: ')) for ln in lines)


EXPLAINED = (numbers_only, aslr_gap)


def mask(text):
    out, digits = [], False
    for c in text.replace('0x', ''):
        if c in '0123456789abcdef':
            if not digits:
                out.append('N')
            digits = True
        else:
            out.append(c)
            digits = False
    return ''.join(out)


def main():
    fuzzer, parity, machine, elfload = sys.argv[1:5]
    dirs = sys.argv[5:]
    if os.geteuid() != 0:
        print('real.py: skipped: it needs root (IDs, chroot, mounts)')
        return 0
    if os.environ.get('REAL_NS') != '1':
        os.environ['REAL_NS'] = '1'
        os.execvp('unshare', ['unshare', '-m', '--propagation', 'private', sys.executable] +
                  sys.argv)
    m = this_machine()
    files = sorted(os.path.join(d, f) for d in dirs if os.path.isdir(d)
                   for f in os.listdir(d))
    work = tempfile.mkdtemp(prefix='elfload-real.')
    os.chmod(work, 0o755)
    roots = make_roots(work, elfload)
    os.mkdir(os.path.join(work, 'in'))

    inputs, parts, notes = [], [], {}
    for n, path in enumerate(files):
        with open(path, 'rb') as f:
            head, opts, prog, interp = split_input(f.read())
        words = opts.split(b'\0')
        mine = []
        head = rewrite(head, m, words, mine)
        for note in mine:
            notes[note] = notes.get(note, 0) + 1
        opts = b'--stop-at-entry\0' + opts
        name = os.path.join(work, 'in', str(n))
        with open(name, 'wb') as f:
            f.write(join_input(head, opts, prog, interp))
        inputs.append(name)
        parts.append((head, prog, interp))

    records = run_harness(fuzzer, inputs, work)
    agreed = disagreed = 0
    explained = {}
    for path, rec, (head, prog, interp) in zip(files, records, parts):
        if not rec or not rec.startswith(work):
            disagreed += 1
            print('%s: differ: %s' % (path, rec or 'the harness left no record'))
            continue
        lines, status = run_real((parity, machine), roots, work, path, head, prog, interp,
                                 rec)
        why = [f for f in EXPLAINED if status == 1 and f(lines, record_strings(rec)[0])]
        if why:
            explained[why[0].__name__] = explained.get(why[0].__name__, 0) + 1
            continue
        for ln in lines:
            print(ln)
        if status == 0:
            agreed += 1
        else:
            disagreed += 1
            if not lines or status not in (0, 1):
                print('%s: parity fails (status %d)' % (path, status))
    subprocess.run(['umount', '-R'] + [r.decode() for r in roots.values()])
    if os.environ.get('REAL_KEEP'):   # the rewritten inputs and records, to look at
        print('real.py: kept ' + work)
    else:
        shutil.rmtree(work)
    print('real.py: not compared (the model cannot know it): ' + NOT_COMPARED)
    print('real.py: settings not applied (this machine\'s instead): ' +
          (', '.join('%s %d' % (k, v) for k, v in sorted(notes.items())) or 'none'))
    for f in EXPLAINED:
        if f.__name__ in explained:
            print('real.py: %d agree but for %s' % (explained[f.__name__],
                                                       ' '.join(f.__doc__.split())))
    print('real.py: %d inputs: %d agree, %d agree but as above, %d disagree' %
          (len(files), agreed, sum(explained.values()), disagreed))
    return 1 if disagreed else 0


sys.exit(main())
