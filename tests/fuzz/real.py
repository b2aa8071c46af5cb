#!/usr/bin/env python3
"""real.py ELFLOAD DIR...: every fuzz input in the DIRs, through the real
loader: its program (and interpreter) written to files, elfload run on
them with the input's options and --stop-at-entry, under `timeout 5`, as
nobody when we are root. Each run must end in SIGTRAP (it reached the
program) or in a refusal: status 125, 126 or 127 and elfload's one line
(after the layout with -v); status 0 only for --map, --help, --version.
Prints one line per failure and a count; exit status 1 if any failed."""
import os
import shutil
import struct
import subprocess
import sys
import tempfile


def decode(data):
    head, rest = data[:16], data[16:]
    olen = struct.unpack('<H', rest[:2].ljust(2, b'\0'))[0]
    rest = rest[2:]
    opts = rest[:olen]
    rest = rest[olen:]
    plen = struct.unpack('<I', rest[:4].ljust(4, b'\0'))[0]
    rest = rest[4:]
    prog, interp = rest[:plen], rest[plen:]
    words = [w for w in opts.split(b'\0')][:30]
    if words and words[-1] == b'':
        words.pop()
    return words, prog, interp


def judge(words, status, err):
    if status == -5 or status == 133:
        return None
    lines = err.decode(errors='replace').splitlines()
    if status == 0:
        if any(w in (b'--map', b'--help', b'-h', b'--version') for w in words):
            return None
        return 'exit 0'
    if status in (125, 126, 127):
        if status == 125 and lines and lines[-1].startswith('Try '):
            lines = lines[:-1]
        verbose = any(w in (b'-v', b'--verbose') for w in words)
        if lines and lines[-1].startswith('elfload: ') and (len(lines) == 1 or verbose):
            return None
        return 'status %d, message %r' % (status, err[-300:])
    return 'status %d%s' % (status, ' (a hang)' if status == 124 else '')


def main():
    elfload, dirs = sys.argv[1], sys.argv[2:]
    nobody = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'] \
        if os.getuid() == 0 else []
    work = tempfile.mkdtemp(prefix='elfload-real.')
    os.chmod(work, 0o755)
    loader = os.path.join(work, 'elfload')
    shutil.copy(elfload, loader)
    files = sorted(os.path.join(d, f) for d in dirs if os.path.isdir(d)
                   for f in os.listdir(d))
    failed = 0
    for path in files:
        with open(path, 'rb') as f:
            words, prog, interp = decode(f.read())
        p, i = os.path.join(work, 'p'), os.path.join(work, 'i')
        for name, data in ((p, prog), (i, interp)):
            with open(name, 'wb') as out:
                out.write(data)
            os.chmod(name, 0o755)
        argv = [loader, '--stop-at-entry']
        if interp and b'--interp' not in words:
            argv += ['--interp', i]
        argv += [w.decode('utf-8', 'surrogateescape') for w in words] + [p, 'a1']
        r = subprocess.run(['timeout', '5'] + nobody + argv, cwd=work,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        why = judge(words, r.returncode, r.stderr)
        if why:
            failed += 1
            print('%s: %s' % (path, why))
    shutil.rmtree(work)
    print('%d inputs through %s as %s: %d failed' %
          (len(files), elfload, 'nobody' if nobody else 'this user', failed))
    return 1 if failed else 0


sys.exit(main())
