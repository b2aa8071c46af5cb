# The test fixtures (included by the Makefile): small C programs pinned
# with --section-start or a generated linker script, and defective copies
# made by mkbad.c. No binary is committed.
#
# They are built for ARCH and run natively, or under qemu-user for another
# architecture (or for the host's with QEMU=1, in build/ARCH-qemu). Where
# they pin pages at "where a run without ASLR has X", X is asked of the
# probe fixture, run the way the tests will run the programs.
F := $(B)/fixtures

# How programs of ARCH are started: RUN directly, NOASLR without
# randomization. qemu-user gives the guest a fixed layout when the host
# does not randomize. In a guest (GUEST=NAME, tests/guest) they run
# natively there; its kernel was asked at a first boot where a run
# without ASLR has things ($(B)/probed), and the C library is the guest's.
ifdef GUEST
RUN :=
SYSROOT := $(if $(filter $(ARCH),$(HOST_ARCH)),,/usr/$(call triplet,$(ARCH)))
TEST_SYSROOT :=
else
ifneq ($(ARCH),$(HOST_ARCH))
QEMU := 1
SYSROOT := /usr/$(call triplet,$(ARCH))
else ifeq ($(QEMU),1)
SYSROOT := /
endif
ifeq ($(QEMU),1)
RUN := $(shell command -v setarch) $(shell uname -m) -R $(shell command -v qemu-$(ARCH)) -L $(SYSROOT)
NOASLR := $(RUN)
else
RUN :=
NOASLR := setarch $(ARCH) -R
endif
TEST_SYSROOT := $(SYSROOT)
endif
# riscv64's linker relaxation trips over thousands of pinned sections
fixld.riscv64 := -Wl,--no-relax
FCC := $(CC) $(fixld.$(ARCH))
FIXCC := $(FCC) -static -O2 -g -fstack-protector-all -pthread
ifdef GUEST
noaslr = $$(awk '$$1 == "$(1)" { print $$2 }' $(B)/probed)
else
noaslr = $$($(NOASLR) $(F)/probe $(1))
endif
# an address inside elfload's own image
self_addr = $$(printf '0x%x' $$(( 0x$$($(NM) $(B)/elfload | awk '$$3 == "__executable_start" { print $$1 }') + 0x1000 )))
# where the brk heap of the unpinned program starts
heap_addr = $$(printf '0x%x' $$(( (0x$$($(NM) $(F)/plain | awk '$$3 == "_end" { print $$1 }') + 0xfff) & ~0xfff )))
# the interpreter the dynamic fixtures name, as a file here
interp_file = $$(readlink -f $(SYSROOT)$$($(READELF) -lW $(F)/pie | sed -n 's/.*interpreter: \(.*\)]/\1/p'))
PIN_BASE := 0x30000000

# kview bent into the cases tests/parity.bats compares with direct runs
KV_CASES := rx-bss r-bss rw-bss midpage phdr-start phdr2 align3 align-big ident cut \
	overlap2 memsz0 empty-high
FIXTURES := probe plain pin-base pin-stack pin-vdso pin-self pin-heap pages5000 \
	bigbss perms features auxv entry personality sleeper mkbad mkbad-run notelf rel.o noexec \
	dynamic staticpie $(addprefix bad-,class32 byteorder machine core \
	phentsize noload filesz beyond overflow low high congruence \
	entry entry-nox short-header short-phdrs fill) xnum unaligned execstack \
	trace-dyn stack-dyn pie auxv-dyn interp-missing interp-machine aligned4k \
	pie-nolibc ids fexec tiny shared3200 shared25600 thirds bss1t bss44 bss46 clock recurse \
	$(if $(filter $(ARCH),$(HOST_ARCH)),musl-tls phdr-moved pages20000) \
	$(if $(filter x86_64,$(ARCH)),elf32 elfie) remap origin \
	kview interp-exec $(addprefix kv-,$(KV_CASES))

# ELFs Microprobe made from our MPTs (tests/microprobe, regenerate.sh)
MICROPROBE := $(patsubst tests/microprobe/%.elf.gz,microprobe-%,\
	$(wildcard tests/microprobe/$(ARCH)-*.elf.gz))
FIXTURES += $(MICROPROBE)

fixtures: $(addprefix $(F)/,$(FIXTURES)) $(B)/run-elfload $(B)/test.env $(B)/parity \
	$(if $(or $(GUEST),$(QEMU)),,$(B)/parity-inputs/.made)
$(addprefix $(F)/,$(FIXTURES)): tests/fixtures.mk

# how the tests start elfload (the binary itself, or under qemu-user) and
# programs of ARCH
$(B)/run-elfload: $(B)/elfload tests/fixtures/qemu-run.c tests/fixtures.mk
ifeq ($(RUN),)
	ln -sf elfload $@
else
	gcc -O2 -o $@ tests/fixtures/qemu-run.c -DSETARCH='"$(word 1,$(RUN))"' \
		-DHOST='"$(word 2,$(RUN))"' -DQEMU='"$(word 4,$(RUN))"' \
		-DSYSROOT='"$(SYSROOT)"' -DELFLOAD='"$(CURDIR)/$(B)/elfload"'
endif
# the differential test against the kernel (tests/parity): its tool, and
# for the host's native build its inputs besides the fixtures: the corpus
# of other projects' ELF files, and the programs of the fuzzer's inputs
$(B)/parity: tests/parity/parity.c tests/parity/record.h
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(CC) -O2 -static -Wall -Wextra -o $@ $<
$(B)/parity-inputs/.made: tests/parity/corpus/corpus.tar.xz tests/parity/fuzz-programs.py \
		$(wildcard tests/fuzz/corpus/* tests/fuzz/regressions/*)
	rm -rf $(@D) && mkdir -p $(@D)/fuzz
	tar -xJf $< -C $(@D)
	tests/parity/fuzz-programs.py $(@D)/fuzz tests/fuzz/corpus tests/fuzz/regressions
	touch $@
$(B)/test.env: Makefile tests/fixtures.mk
	printf 'ARCH=%s\nRUN="%s"\nSYSROOT="%s"\nGUEST="%s"\n' "$(ARCH)" "$(RUN)" "$(TEST_SYSROOT)" "$(GUEST)" > $@

$(F)/probe: tests/fixtures/probe.c
	@mkdir -p $(@D)
	$(FIXCC) -o $@ $<
$(F)/plain: tests/fixtures/pinned.c
	@mkdir -p $(@D)
	$(FIXCC) -o $@ $<
$(F)/pin-base: tests/fixtures/pinned.c
	$(FIXCC) -o $@ $< -Wl,--section-start=.pinned=$(PIN_BASE)
$(F)/pin-stack: tests/fixtures/pinned.c $(F)/probe
	$(FIXCC) -o $@ $< -Wl,--section-start=.pinned=$(call noaslr,stack-page)
# without a vDSO (qemu-user) there is nothing to pin over: the tests skip
$(F)/pin-vdso: tests/fixtures/pinned.c $(F)/probe $(F)/plain
	v=$(call noaslr,vvar); if [ $$v = 0x0 ]; then cp $(F)/plain $@; else \
	$(FIXCC) -o $@ $< -DPIN_SIZE=$(call noaslr,vdso-span) \
		-Wl,--section-start=.pinned=$$v; fi
$(F)/pin-self: tests/fixtures/pinned.c $(B)/elfload
	$(FIXCC) -o $@ $< -Wl,--section-start=.pinned=$(self_addr)
$(F)/pin-heap: tests/fixtures/pinned.c $(F)/plain
	$(FIXCC) -o $@ $< -Wl,--section-start=.pinned=$(heap_addr)
$(F)/pages%.c: tests/fixtures/gen-pages.sh
	@mkdir -p $(@D)
	sh $< $* 0x20000000 0x2000 $(F)/pages$*
# 4 KiB pages in the file too: with 64 KiB ones the linker would merge
# neighbouring pinned pages into one segment (and the file would be huge)
SMALLPAGES := -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096
$(F)/pages5000 $(F)/pages20000: $(F)/pages%: tests/fixtures/pages-main.c $(F)/pages%.c
	$(FIXCC) $(SMALLPAGES) -DNPAGES=$* -o $@ $(filter %.c,$^) -Wl,-T,$(F)/pages$*.ld
# 1600 pages side by side, one PT_LOAD, cut into PT_LOADs of 2 KiB and of
# 256 bytes: 2 and 16 segments share every page (no C library: its
# start-up would look for the program headers where they were)
$(F)/contig%.c: tests/fixtures/gen-pages.sh
	@mkdir -p $(@D)
	sh $< $* 0x20000000 0x1000 $(F)/contig$*
$(F)/contig1600: tests/fixtures/pages-nolibc.c $(F)/contig1600.c $(COMMON_SRC) arch/$(ARCH)/start.S
	$(FCC) -O2 -static -nostdlib -ffreestanding -fno-stack-protector $(SMALLPAGES) \
		$(cflags.$(ARCH)) -Iarch/$(ARCH) -Icommon -DNPAGES=1600 -o $@ \
		$(filter %.c %.S,$^) -Wl,-T,$(F)/contig1600.ld
$(F)/shared3200: $(F)/mkbad $(F)/contig1600
	$(F)/mkbad split $(F)/contig1600 $@ 0x800
$(F)/shared25600: $(F)/mkbad $(F)/contig1600
	$(F)/mkbad split $(F)/contig1600 $@ 0x100
# the first of those pages shared by three segments from three file pages
$(F)/thirds: $(F)/mkbad $(F)/contig1600
	$(F)/mkbad thirds $(F)/contig1600 $@
# one RWX PT_LOAD: the whole 256-byte file, and bss up to 8 KiB
$(F)/tiny: $(F)/mkbad $(F)/plain
	$(F)/mkbad tiny $(F)/plain $@ 0x100 0x2000 0x10000000
# a bss of 1 TiB, and of 16 and 64 TiB ending a 64 KiB page below x86_64's
# top (their addresses congruent to their offsets on 64 KiB pages too)
$(F)/bss1t: $(F)/mkbad $(F)/pin-base
	$(F)/mkbad memsz $(F)/pin-base $@ 0x10000000000
$(F)/bss44: $(F)/mkbad $(F)/pin-base
	$(F)/mkbad memsz $(F)/pin-base $@ 0x100000000000 0x7fffffff0000
$(F)/bss46: $(F)/mkbad $(F)/pin-base
	$(F)/mkbad memsz $(F)/pin-base $@ 0x400000000000 0x7fffffff0000
# segments aligned to 4 KiB only, for --page-size 65536
$(F)/aligned4k: tests/fixtures/pinned.c
	$(FIXCC) $(SMALLPAGES) -o $@ $<

# dynamically linked, non-PIE, as trace-to-benchmark tools link
TRACE_PINS = -Wl,--section-start=.pin_stack=$(call noaslr,stack-page) \
	$$(v=$(call noaslr,vvar); [ $$v = 0x0 ] || echo -DPIN_VDSO_SIZE=$(call noaslr,vdso-span) \
		-Wl,--section-start=.pin_vdso=$$v) \
	-DPIN_SELF -Wl,--section-start=.pin_self=$(self_addr)
$(F)/trace-dyn: tests/fixtures/trace.c $(F)/pages1500.c $(F)/probe $(B)/elfload
	$(FCC) -O2 -no-pie $(SMALLPAGES) -DNPAGES=1500 $(TRACE_PINS) -o $@ tests/fixtures/trace.c \
		$(F)/pages1500.c -Wl,-T,$(F)/pages1500.ld
$(F)/stack-dyn: tests/fixtures/trace.c $(F)/probe
	$(FCC) -O2 -no-pie -Wl,--section-start=.pin_stack=$(call noaslr,stack-page) -o $@ $<
$(F)/pie: tests/fixtures/pinned.c
	$(FCC) -O2 -pie -fPIE -o $@ $<
$(F)/auxv-dyn: tests/fixtures/auxv.c
	$(FCC) -O2 -o $@ $<
$(F)/interp-missing: $(F)/mkbad $(F)/pie
	$(F)/mkbad interp $(F)/pie $@ /no/such/ld.so
$(F)/interp-machine: $(F)/mkbad $(F)/pie
	$(F)/mkbad machine $(interp_file) $@
$(F)/perms: tests/fixtures/perms.c
	$(FIXCC) $(SMALLPAGES) -o $@ $< -Wl,--section-start=.pin_r=0x50000000 \
		-Wl,--section-start=.pin_rx=0x50010000 \
		-Wl,--section-start=.pin_rw=0x50020000
$(F)/bigbss $(F)/features $(F)/auxv $(F)/entry $(F)/personality $(F)/sleeper $(F)/ids \
$(F)/clock $(F)/recurse $(F)/fexec: $(F)/%: tests/fixtures/%.c
	@mkdir -p $(@D)
	$(FIXCC) -o $@ $<
# a tool that runs here, whatever ARCH is; mkbad-run, the same where the
# tests run (in a guest, ARCH's own)
$(F)/mkbad: tests/fixtures/mkbad.c
	@mkdir -p $(@D)
	gcc -O2 -o $@ $<
$(F)/mkbad-run: tests/fixtures/mkbad.c $(F)/mkbad
ifdef GUEST
	$(CC) -O2 -static -o $@ $<
else
	ln -sf mkbad $@
endif
# the window full but for the no-ASLR vDSO's place (where it is below the
# stack) and 16 MiB under the top: [0x10000, vvar or W - 32M), [W - 16M, W)
$(F)/bad-fill: $(F)/mkbad $(F)/pin-base $(F)/probe
	w=$(call noaslr,window); v=$(call noaslr,vvar); \
	[ $$((v)) -ne 0 ] && [ $$((v)) -lt $$((w - 0x1000000)) ] || v=$$(printf 0x%x $$((w - 0x2000000))); \
	$(F)/mkbad fill $(F)/pin-base $@ $$v $$(printf 0x%x $$((w - 0x1000000))) $$w
$(F)/bad-%: $(F)/mkbad $(F)/pin-base
	$(F)/mkbad $* $(F)/pin-base $@
# pinball2elf's ELFie of its own example pinball (tests/pinball says how it
# was made; x86_64 only)
$(F)/elfie: tests/pinball/log_0.basic.elfie.gz
	@mkdir -p $(@D)
	gzip -dc $< > $@ && chmod 755 $@
# replaces the page three below the end of a no-ASLR run's vDSO (x86_64:
# 0x7ffff7ffc000, a page of the ELFie's); without a vDSO, a page near the top
$(F)/remap: tests/fixtures/remap.c $(F)/probe
	e=$(call noaslr,vdso-end); [ $$e != 0x0 ] || e=0x7ffff7fff000; \
	$(FIXCC) -DPAGE=$$(printf '0x%x' $$((e - 0x3000))) -o $@ $<
# a genuine ELFCLASS32 program (i386, without libc: gcc -m32 needs no more)
$(F)/elf32: tests/fixtures/elf32.c
	@mkdir -p $(@D)
	gcc -m32 -nostdlib -static -ffreestanding -fno-pie -no-pie -o $@ $<
$(F)/musl-tls: tests/fixtures/musl-tls.c
	@mkdir -p $(@D)
	musl-gcc -static -O2 -o $@ $<
$(F)/phdr-moved: $(F)/mkbad $(F)/musl-tls
	$(F)/mkbad movephdr $(F)/musl-tls $@
$(F)/unaligned: $(F)/mkbad $(F)/pin-base
	$(F)/mkbad unaligned $(F)/pin-base $@
$(F)/execstack: tests/fixtures/pinned.c
	$(FIXCC) -z execstack -o $@ $<
$(F)/xnum: $(F)/mkbad $(F)/pin-base
	$(F)/mkbad xnum $(F)/pin-base $@
$(F)/notelf:
	@mkdir -p $(@D)
	printf 'hello: text, not an ELF file\n' > $@ && chmod +x $@
$(F)/rel.o: tests/fixtures/pinned.c
	$(FCC) -c -o $@ $< && chmod +x $@
$(F)/noexec: $(F)/plain
	cp $< $@ && chmod 644 $@
$(F)/dynamic: tests/fixtures/pinned.c
	$(FCC) -O2 -o $@ $<
$(F)/microprobe-%: tests/microprobe/%.elf.gz
	@mkdir -p $(@D)
	gzip -dc $< > $@ && chmod +x $@
$(F)/liborigin.so: tests/fixtures/origin-lib.c
	$(FCC) -O2 -shared -fPIC -o $@ $<
$(F)/origin: tests/fixtures/origin.c $(F)/liborigin.so
	$(FCC) -O2 -o $@ $< -L$(F) -lorigin -Wl,-rpath,'$$ORIGIN'
$(F)/kview: tests/fixtures/kview.c
	@mkdir -p $(@D)
	$(FIXCC) -o $@ $< -Wl,--section-start=.kv=$(PIN_BASE)
$(F)/kv-%: $(F)/mkbad $(F)/kview
	$(F)/mkbad $* $(F)/kview $@
# an ET_EXEC interpreter without a C library, away from the programs
$(F)/interp-exec: tests/fixtures/interp-exec.c $(COMMON_SRC) arch/$(ARCH)/start.S
	$(FCC) -O2 -static -no-pie -nostdlib -ffreestanding -fno-pie -fno-stack-protector \
		$(cflags.$(ARCH)) -Iarch/$(ARCH) -Icommon -Wl,-Ttext-segment=0x20000000 \
		-o $@ $(filter %.c %.S,$^)
# glibc's static-PIE where this C library has one (rcrt1.o), else the same
# program as any static one, and the tests skip
$(F)/staticpie: tests/fixtures/pinned.c
	if [ -e "$$($(CC) -print-file-name=rcrt1.o)" ]; then \
		$(FCC) -O2 -static-pie -o $@ $<; else cp $(F)/plain $@; fi
# a static-PIE on every architecture: no libc, no relocation, no
# interpreter (riscv64's gcc 12 asks for one without --no-dynamic-linker)
$(F)/pie-nolibc: tests/fixtures/pie-nolibc.c $(COMMON_SRC) arch/$(ARCH)/start.S
	$(FCC) -O2 -static-pie -Wl,--no-dynamic-linker -nostdlib -ffreestanding -fPIE -fno-stack-protector \
		-fvisibility=hidden $(cflags.$(ARCH)) -Iarch/$(ARCH) -Icommon -o $@ $(filter %.c %.S,$^)
	@! $(READELF) -rW $@ | grep -q 'Relocation section' || \
		{ echo "pie-nolibc needs relocations" >&2; rm -f $@; exit 1; }
