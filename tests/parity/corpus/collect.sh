#!/usr/bin/env bash
# collect.sh - rebuild the ELF parity corpus (corpus.tar.xz + SOURCES.tsv).
#
# What: ELF files committed to public test-suite / golfing repositories
# (pyelftools, Go's debug/elf testdata, radare2/rizin testbins, elfutils,
# angr binaries, tiny/minimal-ELF repositories), read out of local git
# mirrors at pinned commits.  Why: a differential test of elfload against the
# kernel's execve needs many real-world and hand-crafted headers; x86_64
# ET_EXEC/ET_DYN files (plus x86_64 files with odd e_ident bytes, as golfed
# ELFs have) are run under both, and a few small foreign-machine and 32-bit
# files check that both reject them the same way.
#
# Selection (per file blob under the listed paths, .gz/.bz2/.xz decompressed):
#   1. first 4 bytes are \x7fELF;
#   2. keep EI_CLASS=64, e_machine=62, e_type 2|3, size <= 512 KiB; also keep
#      e_machine=62 (read little-endian) with invalid EI_CLASS/EI_DATA/EI_VERSION;
#   3. plus up to 40 64-bit ET_EXEC/ET_DYN <= 64 KiB of machines 183/243/21/22
#      and up to 20 32-bit ET_EXEC/ET_DYN <= 64 KiB (4 x32 and 6 i386 first,
#      then round-robin by machine; odd-ident and smallest files first; golfed
#      odd-ident files of other machines count here too);
#   4. dedup by sha256 (first source/path in the order below wins), file name =
#      first 16 hex digits of the sha256;
#   5. total <= 12 MiB (largest dropped first); the cap is lowered by 1 MiB
#      steps until corpus.tar.xz is < 3 MiB.
# Output is byte-for-byte reproducible given the same mirrors and tools
# (GNU tar, xz run single-threaded).
#
# Usage: collect.sh [MIRROR_DIR]   (default /work/.mirror; each repository is
#        MIRROR_DIR/<owner>+<name>/repo, a bare git dir or one holding .git)
# Writes corpus.tar.xz and SOURCES.tsv next to this script.
# Only python3's standard library and coreutils/git/tar/xz are used.
set -euo pipefail

MIRROR=${1:-/work/.mirror}
OUT=$(cd "$(dirname "$0")" && pwd)

# ---- pinned sources: repository, commit, path prefixes ('.' = whole repo) ----
PYELFTOOLS_REPO=eliben/pyelftools
PYELFTOOLS_COMMIT=e5fa2a4f3e665d082cfc453fd0877f5516200926
PYELFTOOLS_PATHS="test/testfiles_"
# golang/go itself is over the mirror size limit; chadac/golang is a full fork
# of it (same src/debug/elf/testdata).
GO_REPO=chadac/golang
GO_COMMIT=5bc5b13dd94ffd5dae333eae6c6aa34aceb62bf9
GO_PATHS="src/debug/elf/testdata/"
R2_REPO=radareorg/radare2-testbins
R2_COMMIT=7873e3a930d729f0843d0efda02984a4a107aed7
R2_PATHS="elf/"
RIZIN_REPO=rizinorg/rizin-testbins
RIZIN_COMMIT=d903ae9f42b9d33d490560ddebfa6abe7dc929bb
RIZIN_PATHS="elf/"
ELFUTILS_REPO=sourceware-org/elfutils
ELFUTILS_COMMIT=67199e1c974db37f2bd200dcca7d7103f42ed06e
ELFUTILS_PATHS="tests/"
ANGR_REPO=angr/binaries
ANGR_COMMIT=718e154d407d1e4eb80a1a9b95133630bd427645
ANGR_PATHS="tests/x86_64/ tests/aarch64/ tests/riscv64/ tests/ppc64/ tests/s390x/ tests/i386/"
MELKOR_REPO=IOActive/Melkor_ELF_Fuzzer          # templates/ holds only C sources
MELKOR_COMMIT=3ef15ca012a0e942ac80e71afcec1b057850a17a
MELKOR_PATHS="templates/"
# tiny / golfed ELF repositories (whole tree)
TINY1_REPO=Valentin271/tiny-elf;               TINY1_COMMIT=3e1955de0c4b1129c2101ba2df55c1dccec19f4f
TINY2_REPO=mz0/tiny-elf;                       TINY2_COMMIT=1b62ee303745ca2327b608144b9c1471074502d5
TINY3_REPO=kanav99/tiny-elf;                   TINY3_COMMIT=8f3cca6ceb9aac74796e19dcffa044219f1637ea
TINY4_REPO=wybiral/tiny-elf;                   TINY4_COMMIT=347ac72ba68b8c36a9c79b17d9e5fef2e6979ce6
TINY5_REPO=arjun024/tiny-elf;                  TINY5_COMMIT=186050ac055b9bec6486e059b7eed88af8cae1a8
TINY6_REPO=devnull850/tiny-elf;                TINY6_COMMIT=0e8a2ccc9d84ad307f62ea7978ef283757409c2d
TINY7_REPO=koeller21/tinyelf;                  TINY7_COMMIT=ec08c92a0531269fab7db39be9993b60de569973
TINY8_REPO=monstrous-moonshine/tinyelf;        TINY8_COMMIT=f16744ad7e4a3be9f24f0c9a1a8f7c5155931ba1
TINY9_REPO=hzqmwne/tinyelf;                    TINY9_COMMIT=9f746fe6f2bb25b3ab47153afb0146981c75d0ec
TINY10_REPO=spencertipping/tinyelf;            TINY10_COMMIT=4cb21c6035009887adb735f4be15a3ec0f832458
TINY11_REPO=luc65r/tinyelf;                    TINY11_COMMIT=b867ba6e54f84a85fc2d86cdacce1cfe18ca94f0
TINY12_REPO=yiezias/tinyelf;                   TINY12_COMMIT=d1deb86755cfd14809435212fa22f50390af5f29
TINY13_REPO=galchapman/TinyElf;                TINY13_COMMIT=205a1bb6e8041a49d1b3fbe26e5284c97825e6b9
TINY14_REPO=veritas501/tiny_elf_sample;        TINY14_COMMIT=04f1939ed67d23b3b2d4ec4cbaeca5a3fe8c7049
TINY15_REPO=ifyGecko/tiny_elf;                 TINY15_COMMIT=00b8d7bdba9df21d5f20fb246e20ae8b53b65baf
TINY16_REPO=tchajed/minimal-elf;               TINY16_COMMIT=03ccedc923ebab6c5043aed0d75f1b7e2814c71e
TINY17_REPO=frezcirno/minimal-elf;             TINY17_COMMIT=c0c309f256762e7d501586d314139726268762c6
TINY18_REPO=AjayBrahmakshatriya/minimal-elf;   TINY18_COMMIT=1c47f5d2ff17b1eda35696737213527519d6925b
TINY19_REPO=pineapplehunter/minimal-elf;       TINY19_COMMIT=e8b8a11864ea134c3bf116811d780a38ff54331a

TOTAL_CAP=$((12 * 1024 * 1024))
CAP_STEP=$((1024 * 1024))
ARCHIVE_MAX=$((3 * 1024 * 1024))

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

{
  for s in PYELFTOOLS GO R2 RIZIN ELFUTILS ANGR MELKOR; do
    r=${s}_REPO c=${s}_COMMIT p=${s}_PATHS
    printf '%s\t%s\t%s\n' "${!r}" "${!c}" "${!p}"
  done
  for i in $(seq 1 19); do
    r=TINY${i}_REPO c=TINY${i}_COMMIT
    printf '%s\t%s\t.\n' "${!r}" "${!c}"
  done
} > "$WORK/sources.tsv"

# ---- phase 1: scan mirrors, decompress, classify, dedup -> $WORK/pool ----
python3 - "$MIRROR" "$WORK" <<'PY'
import bz2, gzip, hashlib, lzma, os, struct, subprocess, sys

mirror, work = sys.argv[1], sys.argv[2]
pool = os.path.join(work, "pool")
os.makedirs(pool)
KIB = 1024
MAX_X86 = 512 * KIB
MAX_SMALL = 64 * KIB
OTHER_MACHINES = {183, 243, 21, 22}
MAX_OTHER64, MAX_32 = 40, 20

def gitdir(repo):
    d = os.path.join(mirror, repo.replace("/", "+"), "repo")
    return os.path.join(d, ".git") if os.path.isdir(os.path.join(d, ".git")) else d

def blobs(gd, commit, prefixes):
    out = subprocess.run(["git", "--git-dir", gd, "ls-tree", "-r", "-l", "-z", "--full-tree", commit],
                         check=True, capture_output=True).stdout
    for ent in out.split(b"\0"):
        if not ent:
            continue
        meta, path = ent.split(b"\t", 1)
        mode, typ, oid, size = meta.split()
        path = path.decode("utf-8", "surrogateescape")
        # blobs over 512 KiB can never qualify; mirrors omit files >= 4 MiB
        # (ls-tree shows their size as BAD), which are skipped the same way
        if typ != b"blob" or mode == b"120000" or not size.isdigit() or int(size) > MAX_X86:
            continue
        if "." in prefixes or any(path.startswith(p) for p in prefixes):
            yield path, oid.decode()

class Cat:
    def __init__(self, gd):
        self.p = subprocess.Popen(["git", "--git-dir", gd, "cat-file", "--batch"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    def read(self, oid):
        self.p.stdin.write(oid.encode() + b"\n"); self.p.stdin.flush()
        hdr = self.p.stdout.readline().split()
        if len(hdr) < 3 or hdr[1] == b"missing":
            raise SystemExit("missing object %s" % oid)
        data = self.p.stdout.read(int(hdr[2])); self.p.stdout.read(1)
        return data
    def close(self):
        self.p.stdin.close(); self.p.wait()

def decompress(path, data):
    try:
        if path.endswith(".gz"):
            return "gunzip", gzip.decompress(data)
        if path.endswith(".bz2"):
            return "bunzip2", bz2.decompress(data)
        if path.endswith(".xz"):
            return "unxz", lzma.decompress(data)
    except Exception:
        return None, None
    return "-", data

def classify(d):
    """-> (group, e_machine, e_type) or None if not kept."""
    if len(d) < 20 or d[:4] != b"\x7fELF":
        return None
    cls, dat, ver = d[4], d[5], d[6]
    end = ">" if dat == 2 else "<"
    e_type, e_machine = struct.unpack_from(end + "HH", d, 16)
    le_type, le_machine = struct.unpack_from("<HH", d, 16)
    odd = cls not in (1, 2) or dat not in (1, 2) or ver != 1
    size = len(d)
    if odd:
        if le_machine == 62 and size <= MAX_X86:
            return "x86_64-odd-ident", le_machine, le_type
        # golfed ELFs of other machines: verdict checks only
        if le_type in (2, 3) and size <= MAX_SMALL:
            return ("other64" if le_machine in OTHER_MACHINES else "elf32"), le_machine, le_type
        return None
    if cls == 2 and e_machine == 62 and e_type in (2, 3) and size <= MAX_X86:
        return "x86_64", e_machine, e_type
    if e_type in (2, 3) and size <= MAX_SMALL:
        if cls == 2 and e_machine in OTHER_MACHINES:
            return "other64", e_machine, e_type
        if cls == 1:
            return "elf32", e_machine, e_type
    return None

seen = {}
cands = []   # dicts in source order
for line in open(os.path.join(work, "sources.tsv")):
    repo, commit, paths = line.rstrip("\n").split("\t")
    gd = gitdir(repo)
    if not os.path.isdir(gd):
        raise SystemExit("collect.sh: no mirror for %s at %s" % (repo, gd))
    if subprocess.run(["git", "--git-dir", gd, "cat-file", "-e", commit + "^{commit}"]).returncode:
        raise SystemExit("collect.sh: commit %s not in mirror of %s" % (commit, repo))
    cat = Cat(gd)
    for path, oid in blobs(gd, commit, paths.split()):
        raw = cat.read(oid)
        how, data = decompress(path, raw)
        if data is None:
            continue
        c = classify(data)
        if c is None:
            continue
        sha = hashlib.sha256(data).hexdigest()
        if sha in seen:
            continue
        seen[sha] = True
        group, mach, typ = c
        odd = data[4] not in (1, 2) or data[5] not in (1, 2) or data[6] != 1
        cands.append(dict(name=sha[:16], sha=sha, repo=repo, commit=commit, path=path, odd=odd,
                          how=how, mach=mach, type=typ, size=len(data), group=group, data=data))
    cat.close()

def pick(items, limit, quota=None):
    """Up to limit items: first each machine's quota, then round-robin over
    machines (most candidates first); inside a machine odd-ident files first,
    then smallest, then by sha256."""
    by = {}
    for it in sorted(items, key=lambda x: (not x["odd"], x["size"], x["sha"])):
        by.setdefault(it["mach"], []).append(it)
    out = []
    for m, q in (quota or {}).items():
        while q and by.get(m) and len(out) < limit:
            out.append(by[m].pop(0)); q -= 1
    keys = sorted(by, key=lambda m: (-len(by[m]), m))
    while len(out) < limit and any(by[k] for k in keys):
        for k in keys:
            if by[k] and len(out) < limit:
                out.append(by[k].pop(0))
    return set(id(x) for x in out)

keep_o = pick([c for c in cands if c["group"] == "other64"], MAX_OTHER64)
# 32-bit: x32 (EM_X86_64) and i386 first, they are what an x86_64 kernel may run
keep_3 = pick([c for c in cands if c["group"] == "elf32"], MAX_32, {62: 4, 3: 6})
kept = [c for c in cands if c["group"].startswith("x86_64") or id(c) in keep_o or id(c) in keep_3]

with open(os.path.join(work, "pool.tsv"), "w") as f:
    for c in kept:
        with open(os.path.join(pool, c["name"]), "wb") as g:
            g.write(c["data"])
        f.write("\t".join(str(c[k]) for k in
                ("name", "sha", "repo", "commit", "path", "how", "mach", "type", "size", "group")) + "\n")
print("collect.sh: %d ELF candidates after dedup, %d in pool" % (len(cands), len(kept)), file=sys.stderr)
PY

# ---- phase 2: apply the size cap, pack, lower the cap until the archive fits ----
export XZ_OPT="-9 -T1"
export LC_ALL=C
cap=$TOTAL_CAP
while :; do
  # drop largest first (ties: by name) until the total fits the cap
  sort -t$'\t' -k9,9nr -k1,1 "$WORK/pool.tsv" |
    awk -F'\t' -v cap="$cap" '{ s[NR]=$9; l[NR]=$0; t+=$9 }
      END { for (i=1; i<=NR; i++) { if (t > cap) { t-=s[i]; continue } print l[i] } }' |
    sort -t$'\t' -k1,1 > "$WORK/kept.tsv"
  rm -rf "$WORK/corpus"; mkdir "$WORK/corpus"
  cut -f1 "$WORK/kept.tsv" | while read -r n; do cp "$WORK/pool/$n" "$WORK/corpus/$n"; done
  chmod 0755 "$WORK/corpus" "$WORK"/corpus/*
  tar --sort=name --format=gnu --owner=0 --group=0 --numeric-owner --mtime=@0 \
      -C "$WORK" -cJf "$WORK/corpus.tar.xz" corpus
  asz=$(stat -c %s "$WORK/corpus.tar.xz")
  if [ "$asz" -lt "$ARCHIVE_MAX" ] || [ "$cap" -le "$CAP_STEP" ]; then break; fi
  cap=$((cap - CAP_STEP))
done

{
  printf 'name\tsha256\trepository\tcommit\tpath\tdecompress\te_machine\te_type\tsize\tgroup\n'
  cat "$WORK/kept.tsv"
} > "$OUT/SOURCES.tsv"
cp "$WORK/corpus.tar.xz" "$OUT/corpus.tar.xz"
echo "collect.sh: $(wc -l < "$WORK/kept.tsv") files, $(awk -F'\t' '{t+=$9} END {print t}' "$WORK/kept.tsv") bytes, cap $cap, archive $asz bytes" >&2
