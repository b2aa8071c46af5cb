# elfload: make [ARCH=x86_64|aarch64|riscv64|ppc64le|s390x|all] [CROSS_COMPILE=prefix-]
#
#   make            the loader for the compiler's architecture: build/ARCH/elfload
#   make check      install test dependencies (apt-get), build, run all tests
#   make demo       show a trace-shaped program the kernel refuses or runs wrongly
#   make install    PREFIX=/usr/local (DESTDIR respected)
#   make bench      the benchmarks in bench/, against their targets

ARCHES := x86_64 aarch64 riscv64 ppc64le s390x
triplet.x86_64  := x86_64-linux-gnu
triplet.aarch64 := aarch64-linux-gnu
triplet.riscv64 := riscv64-linux-gnu
triplet.ppc64le := powerpc64le-linux-gnu
triplet.s390x   := s390x-linux-gnu

# The architecture is the compiler's: "powerpc64le-linux-gnu" -> ppc64le.
arch_of = $(patsubst powerpc64le,ppc64le,$(firstword $(subst -, ,$(1))))
NATIVE_ARCH := $(call arch_of,$(shell $(CROSS_COMPILE)gcc -dumpmachine))
ARCH ?= $(NATIVE_ARCH)
ifneq ($(ARCH),all)
ifneq ($(ARCH),$(NATIVE_ARCH))
CROSS_COMPILE := $(triplet.$(ARCH))-
endif
endif

CC      := $(CROSS_COMPILE)gcc
LD      := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy
READELF := $(CROSS_COMPILE)readelf
NM      := $(CROSS_COMPILE)nm

B := build/$(ARCH)
PREFIX ?= /usr/local

# Programs of ARCH run natively, or under qemu-user when ARCH is not the
# host's (or with QEMU=1: then the build goes to build/ARCH-qemu).
HOST_ARCH := $(call arch_of,$(shell gcc -dumpmachine))
ifeq ($(ARCH),$(HOST_ARCH))
ifeq ($(QEMU),1)
B := build/$(ARCH)-qemu
SYSROOT := /
endif
else
QEMU := 1
SYSROOT := /usr/$(triplet.$(ARCH))
endif
ifeq ($(QEMU),1)
# qemu-user gives the guest a fixed layout when the host does not randomize
RUN := $(shell command -v setarch) $(shell uname -m) -R $(shell command -v qemu-$(ARCH)) -L $(SYSROOT)
NOASLR := $(RUN)
else
RUN :=
NOASLR := setarch $(ARCH) -R
endif

COMMON_CFLAGS := -Os -g -Wall -Wextra -std=gnu11 -ffreestanding -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-strict-aliasing \
	-Iarch/$(ARCH) -Istage2 -I$(B)
# Per-architecture code models: stage1 lives far above 2 GiB. riscv64
# links without relaxation, so nothing relies on gp.
cflags.riscv64 := -mcmodel=medany -mno-relax
cflags.ppc64le := -mcmodel=medium
# s390x code is PC-relative without PIE, and its linker wants no PIE
# objects in a static executable
stage1_pic.s390x := -fno-pie
STAGE1_CFLAGS := $(COMMON_CFLAGS) $(or $(stage1_pic.$(ARCH)),-fPIE) $(cflags.$(ARCH))
# stage2 is copied to an address known only at run time: everything
# PC-relative, hidden, no tables of pointers that would need relocation.
STAGE2_CFLAGS := $(COMMON_CFLAGS) -fPIE -fvisibility=hidden -fno-jump-tables \
	-fno-tree-switch-conversion $(cflags.$(ARCH))

STAGE2_OBJS := $(B)/stage2/stage2.o $(B)/stage2/lib.o $(B)/stage2/jump.o
STAGE1_OBJS := $(B)/stage1/main.o $(B)/stage1/elf.o $(B)/stage1/host.o \
	$(B)/stage1/layout.o $(B)/stage1/stack.o $(B)/stage1/out.o \
	$(B)/stage1/mem.o $(B)/stage1/lib.o $(B)/stage1/start.o \
	$(B)/stage1/jump.o $(B)/stage1/blob.o
HEADERS := $(wildcard stage1/*.h stage2/*.h arch/$(ARCH)/*.h)

ifeq ($(ARCH),all)
all:
	@for a in $(ARCHES); do $(MAKE) --no-print-directory ARCH=$$a || exit 1; done
else
all: $(B)/elfload $(B)/elfload-gdb $(B)/elfload.gdb
endif

# the debugger integration: a script and the gdb commands it loads
$(B)/elfload-gdb $(B)/elfload.gdb: $(B)/%: gdb/%
	@mkdir -p $(@D)
	cp $< $@

$(B)/stage2/%.o: stage2/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(STAGE2_CFLAGS) -c -o $@ $<
$(B)/stage2/jump.o: arch/$(ARCH)/jump.S
	@mkdir -p $(@D)
	$(CC) $(STAGE2_CFLAGS) -c -o $@ $<

# The blob: linked as a PIE at 0, which must need no relocation at all.
$(B)/stage2.elf: $(STAGE2_OBJS) linker/stage2.ld
	$(LD) -pie --no-dynamic-linker -z noexecstack --no-warn-rwx-segments -T linker/stage2.ld -o $@ \
		$(STAGE2_OBJS) $(shell $(CC) -print-libgcc-file-name)
	@if $(READELF) -rW $@ | grep -q 'Relocation section'; then \
		echo "stage2 has relocations the loader cannot apply:" >&2; \
		$(READELF) -rW $@ >&2; rm -f $@; exit 1; fi
	@extra=$$($(READELF) -SW $@ | sed 's/^ *\[ *[0-9]*\] *//' | \
		awk '$$7 ~ /A/ && $$1 !~ /^(\.text|\.data|\.hash|\.gnu\.hash|\.dynsym|\.dynstr|\.rela\.dyn|\.dynamic)$$/ { print $$1 }'); \
	if [ -n "$$extra" ]; then echo "stage2 has sections outside the blob: $$extra" >&2; rm -f $@; exit 1; fi
$(B)/stage2.bin: $(B)/stage2.elf
	$(OBJCOPY) -O binary -j .text $< $@
$(B)/stage2_blob.h: $(B)/stage2.bin $(B)/stage2.elf
	{ echo "/* generated from stage2.elf; do not edit */"; \
	  $(NM) $(B)/stage2.elf | awk '$$3 == "stage2_main" { print "#define STAGE2_OFF_stage2_main 0x" $$1 }'; \
	  echo "#define STAGE2_SIZE $$(wc -c < $(B)/stage2.bin)"; } > $@.tmp
	@grep -q STAGE2_OFF_stage2_main $@.tmp || { echo "stage2_main not found" >&2; exit 1; }
	mv $@.tmp $@

$(B)/stage1/%.o: stage1/%.c $(HEADERS) $(B)/stage2_blob.h
	@mkdir -p $(@D)
	$(CC) $(STAGE1_CFLAGS) -c -o $@ $<
$(B)/stage1/lib.o: stage2/lib.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(STAGE1_CFLAGS) -c -o $@ $<
$(B)/stage1/%.o: arch/$(ARCH)/%.S
	@mkdir -p $(@D)
	$(CC) $(STAGE1_CFLAGS) -c -o $@ $<
$(B)/stage1/blob.o: stage1/blob.S $(B)/stage2.bin
	@mkdir -p $(@D)
	$(CC) $(STAGE1_CFLAGS) -DSTAGE2_BIN='"$(B)/stage2.bin"' -c -o $@ $<

$(B)/elfload: $(STAGE1_OBJS) linker/stage1.ld linker/$(ARCH).ld
	$(CC) -static -nostdlib -no-pie -Wl,--build-id=none -Wl,-z,noexecstack \
		-Llinker -Wl,-T,linker/$(ARCH).ld -o $@ $(STAGE1_OBJS) -lgcc

clean:
	rm -rf build

# the performance targets (not part of check: timings are not tests)
bench:
	bench/run-all.sh

.PHONY: all clean check demo install bench

# ---- test fixtures: small C programs pinned with --section-start ----
#
# They are built for ARCH and run natively, or under qemu-user for another
# architecture (or for the host's with QEMU=1, in build/ARCH-qemu). Where
# they pin pages at "where a run without ASLR has X", X is asked of the
# probe fixture, run the way the tests will run the programs.
F := $(B)/fixtures
# riscv64's linker relaxation trips over thousands of pinned sections
fixld.riscv64 := -Wl,--no-relax
FCC := $(CC) $(fixld.$(ARCH))
FIXCC := $(FCC) -static -O2 -g -fstack-protector-all -pthread
noaslr = $$($(NOASLR) $(F)/probe $(1))
# an address inside elfload's own image
self_addr = $$(printf '0x%x' $$(( 0x$$($(NM) $(B)/elfload | awk '$$3 == "__executable_start" { print $$1 }') + 0x1000 )))
# where the brk heap of the unpinned program starts
heap_addr = $$(printf '0x%x' $$(( (0x$$($(NM) $(F)/plain | awk '$$3 == "_end" { print $$1 }') + 0xfff) & ~0xfff )))
# the interpreter the dynamic fixtures name, as a file here
interp_file = $$(readlink -f $(SYSROOT)$$($(READELF) -lW $(F)/pie | sed -n 's/.*interpreter: \(.*\)]/\1/p'))
PIN_BASE := 0x30000000

FIXTURES := probe plain pin-base pin-stack pin-vdso pin-self pin-heap pages5000 \
	bigbss perms features auxv entry personality sleeper mkbad notelf rel.o noexec \
	dynamic staticpie $(addprefix bad-,class32 byteorder machine core \
	phentsize noload filesz beyond overflow low high congruence overlap \
	entry entry-nox short-header short-phdrs fill) xnum unaligned execstack \
	trace-dyn stack-dyn pie auxv-dyn interp-missing interp-machine aligned4k \
	pie-nolibc \
	$(if $(filter $(ARCH),$(HOST_ARCH)),musl-tls phdr-moved pages20000)

fixtures: $(addprefix $(F)/,$(FIXTURES)) $(B)/run-elfload $(B)/test.env
$(addprefix $(F)/,$(FIXTURES)): Makefile

# how the tests start elfload (the binary itself, or under qemu-user) and
# programs of ARCH
$(B)/run-elfload: $(B)/elfload tests/fixtures/qemu-run.c Makefile
ifeq ($(RUN),)
	ln -sf elfload $@
else
	gcc -O2 -o $@ tests/fixtures/qemu-run.c -DSETARCH='"$(word 1,$(RUN))"' \
		-DHOST='"$(word 2,$(RUN))"' -DQEMU='"$(word 4,$(RUN))"' \
		-DSYSROOT='"$(SYSROOT)"' -DELFLOAD='"$(CURDIR)/$(B)/elfload"'
endif
$(B)/test.env: Makefile
	printf 'ARCH=%s\nRUN="%s"\n' "$(ARCH)" "$(RUN)" > $@

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
$(F)/bigbss $(F)/features $(F)/auxv $(F)/entry $(F)/personality $(F)/sleeper: $(F)/%: tests/fixtures/%.c
	@mkdir -p $(@D)
	$(FIXCC) -o $@ $<
# a tool that runs here, whatever ARCH is
$(F)/mkbad: tests/fixtures/mkbad.c
	@mkdir -p $(@D)
	gcc -O2 -o $@ $<
$(F)/bad-fill: $(F)/mkbad $(F)/pin-base $(F)/probe
	$(F)/mkbad fill $(F)/pin-base $@ $$(v=$(call noaslr,vvar); [ $$v != 0x0 ] && echo $$v || echo 0x7ff000000000) 0x7fffff000000
$(F)/bad-%: $(F)/mkbad $(F)/pin-base
	$(F)/mkbad $* $(F)/pin-base $@
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
	printf '#!not really\nhello\n' > $@ && chmod +x $@
$(F)/rel.o: tests/fixtures/pinned.c
	$(FCC) -c -o $@ $< && chmod +x $@
$(F)/noexec: $(F)/plain
	cp $< $@ && chmod 644 $@
$(F)/dynamic: tests/fixtures/pinned.c
	$(FCC) -O2 -o $@ $<
# glibc's static-PIE where this C library has one (rcrt1.o), else the same
# program as any static one, and the tests skip
$(F)/staticpie: tests/fixtures/pinned.c
	if [ -e "$$($(CC) -print-file-name=rcrt1.o)" ]; then \
		$(FCC) -O2 -static-pie -o $@ $<; else cp $(F)/plain $@; fi
# a static-PIE on every architecture: no libc, no relocation
$(F)/pie-nolibc: tests/fixtures/pie-nolibc.c stage2/lib.c arch/$(ARCH)/start.S
	$(FCC) -O2 -static-pie -nostdlib -ffreestanding -fPIE -fno-stack-protector \
		-fvisibility=hidden $(cflags.$(ARCH)) -Iarch/$(ARCH) -Istage2 -o $@ $(filter %.c %.S,$^)
	@! $(READELF) -rW $@ | grep -q 'Relocation section' || \
		{ echo "pie-nolibc needs relocations" >&2; rm -f $@; exit 1; }

# make check: the whole suite natively, under qemu-user for the host's
# architecture, and under qemu-user for every other one
CHECK_BUILDS := $(HOST_ARCH) $(HOST_ARCH)-qemu $(filter-out $(HOST_ARCH),$(ARCHES))
check:
	tests/install-deps.sh
	@for b in $(CHECK_BUILDS); do \
		$(MAKE) --no-print-directory ARCH=$${b%-qemu} $$(case $$b in *-qemu) echo QEMU=1;; esac) \
			all fixtures >/dev/null || exit 1; done
	tests/run.sh $(CHECK_BUILDS)

demo: all $(F)/trace-dyn $(F)/stack-dyn $(F)/probe
	@tests/demo.sh $(B)/elfload $(F)

install: all
	install -D -m 755 $(B)/elfload $(DESTDIR)$(PREFIX)/bin/elfload
	install -D -m 755 $(B)/elfload-gdb $(DESTDIR)$(PREFIX)/bin/elfload-gdb
	install -D -m 644 $(B)/elfload.gdb $(DESTDIR)$(PREFIX)/share/elfload/elfload.gdb

.PHONY: fixtures
