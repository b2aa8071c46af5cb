# elfload: make [ARCH=x86_64|aarch64|riscv64|ppc64le|s390x|all] [CROSS_COMPILE=prefix-] [V=1]
#
#   make            the loader for the compiler's architecture: build/ARCH/elfload
#   make check      install test dependencies (apt-get), build, run all tests
#   make demo       show a trace-shaped program the kernel refuses or runs wrongly
#   make install    PREFIX=/usr/local (DESTDIR respected); ARCH=all adds every
#                   other architecture's loader; make uninstall undoes it
#   make bench      the benchmarks in bench/, against their targets
#   make parity     [FILES=...] each file run by the kernel and by elfload,
#                   compared up to the first instruction (tests/parity)
#   make mutants    [NAMES=...] plant each fault of tests/mutants/faults and
#                   check that the tests catch it (before a release)
#
# The build prints one short line per step; V=1 prints the commands instead.
#
# What is built, from what (see README.md, "Where things are"):
#
#   stage1/*.c common/*.c arch/ARCH/{start,jump}.S  ->  build/ARCH/obj1/...
#   stage2/*.c common/*.c arch/ARCH/jump.S          ->  build/ARCH/obj2/...
#   obj2 -> stage2.elf (PIE at 0, no relocations) -> stage2.bin, stage2_blob.h
#   obj1 + stage2.bin (stage1/blob.S)  -> build/ARCH/elfload (linker/ARCH.ld)

VERSION := 0.2.0

# ---- output: "  CC     build/x86_64/obj1/stage1/elf.o", or with V=1 the commands
ifneq ($(V),1)
MAKEFLAGS += --silent
say = printf '  %-6s %s\n' '$(1)' '$(2)'
else
say = :
endif

# ---- architectures: the facts are in arch/arches, one line each ----
ARCHES  := $(shell awk '/^[a-z]/ { print $$1 }' arch/arches)
triplet  = $(shell awk '$$1 == "$(1)" { print $$2 }' arch/arches)
# The architecture of a compiler's -dumpmachine: "powerpc64le-linux-gnu" -> ppc64le
arch_of  = $(shell awk -v m='$(1)' '/^[a-z]/ { split($$2, t, "-"); split(m, u, "-"); \
		if (t[1] == u[1]) print $$1 }' arch/arches)

NATIVE_ARCH := $(call arch_of,$(shell $(CROSS_COMPILE)gcc -dumpmachine))
HOST_ARCH   := $(call arch_of,$(shell gcc -dumpmachine))
ARCH ?= $(NATIVE_ARCH)
ifneq ($(ARCH),all)
ifneq ($(ARCH),$(NATIVE_ARCH))
CROSS_COMPILE := $(call triplet,$(ARCH))-
endif
endif

CC      := $(CROSS_COMPILE)gcc
LD      := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy
READELF := $(CROSS_COMPILE)readelf
NM      := $(CROSS_COMPILE)nm

B := build/$(ARCH)
PREFIX ?= /usr/local
# programs of ARCH run under qemu-user when ARCH is not the host's, or
# with QEMU=1 (then the build goes to build/ARCH-qemu): tests/fixtures.mk
ifeq ($(ARCH)$(QEMU),$(HOST_ARCH)1)
B := build/$(ARCH)-qemu
endif
# programs of ARCH run natively on ARCH's own kernel, booted under
# qemu-system (tests/guest): build/guest-NAME
ifdef GUEST
B := build/guest-$(GUEST)
endif

# ---- flags ----
COMMON_CFLAGS := -Os -g -Wall -Wextra -std=gnu11 -ffreestanding -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-strict-aliasing \
	-Iarch -Iarch/$(ARCH) -Icommon -I$(B) -MMD -MP -DELFLOAD_VERSION='"$(VERSION)"'
# Per-architecture code models: stage1 lives far above 2 GiB. riscv64
# links without relaxation, so nothing relies on gp.
cflags.riscv64 := -mcmodel=medany -mno-relax
cflags.ppc64le := -mcmodel=medium
# s390x code is PC-relative without PIE, and its linker wants no PIE
# objects in a static executable
stage1_pic.s390x := -fno-pie
STAGE1_CFLAGS := $(COMMON_CFLAGS) $(or $(stage1_pic.$(ARCH)),-fPIE) $(cflags.$(ARCH))
# stage2 is copied to an address known only at run time: everything
# PC-relative, hidden, no tables of pointers that would need relocation;
# what it does not call is left out.
STAGE2_CFLAGS := $(COMMON_CFLAGS) -fPIE -fvisibility=hidden -fno-jump-tables \
	-fno-tree-switch-conversion -ffunction-sections $(cflags.$(ARCH))

# ---- sources and objects ----
objs = $(patsubst %,$(B)/$(1)/%.o,$(basename $(2)))
COMMON_SRC := $(wildcard common/*.c)
STAGE1_OBJS := $(call objs,obj1,$(wildcard stage1/*.c stage1/*.S) $(COMMON_SRC) \
	arch/$(ARCH)/start.S arch/$(ARCH)/jump.S)
STAGE2_OBJS := $(call objs,obj2,$(wildcard stage2/*.c) $(COMMON_SRC) arch/$(ARCH)/jump.S)

ifeq ($(ARCH),all)
all:
	for a in $(ARCHES); do $(MAKE) --no-print-directory ARCH=$$a || exit 1; done
else
all: $(B)/elfload $(B)/elfload-gdb $(B)/elfload.gdb $(B)/arches
endif

# the debugger integration: a script, the gdb commands and the
# architecture table it reads
$(B)/elfload-gdb: gdb/elfload-gdb
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	sed 's/@VERSION@/$(VERSION)/' $< > $@ && chmod 755 $@
$(B)/elfload.gdb: gdb/elfload.gdb
	@mkdir -p $(@D)
	$(call say,CP,$@)
	cp $< $@
$(B)/arches: arch/arches
	@mkdir -p $(@D)
	$(call say,CP,$@)
	cp $< $@

$(B)/obj1/%.o: %.c | $(B)/stage2_blob.h $(B)/arch_table.h
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(CC) $(STAGE1_CFLAGS) -c -o $@ $<
$(B)/obj1/%.o: %.S
	@mkdir -p $(@D)
	$(call say,AS,$@)
	$(CC) $(STAGE1_CFLAGS) -c -o $@ $<
$(B)/obj1/stage1/blob.o: $(B)/stage2.bin
$(B)/obj1/stage1/blob.o: STAGE1_CFLAGS += -DSTAGE2_BIN='"$(B)/stage2.bin"'
$(B)/obj2/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(CC) $(STAGE2_CFLAGS) -c -o $@ $<
$(B)/obj2/%.o: %.S
	@mkdir -p $(@D)
	$(call say,AS,$@)
	$(CC) $(STAGE2_CFLAGS) -c -o $@ $<
-include $(STAGE1_OBJS:.o=.d) $(STAGE2_OBJS:.o=.d)

# The blob: linked as a PIE at 0, which must need no relocation at all,
# and hold nothing but what linker/stage2.ld puts in .text.
STAGE2_SECTIONS := .text .data .hash .gnu.hash .dynsym .dynstr .rela.dyn .dynamic
$(B)/stage2.elf: $(STAGE2_OBJS) linker/stage2.ld
	$(call say,LD,$@)
	$(LD) -pie --no-dynamic-linker --gc-sections -z noexecstack --no-warn-rwx-segments \
		-T linker/stage2.ld -o $@ $(STAGE2_OBJS) $(shell $(CC) -print-libgcc-file-name)
	@if $(READELF) -rW $@ | grep -q 'Relocation section'; then \
		echo "stage2 has relocations the loader cannot apply:" >&2; \
		$(READELF) -rW $@ >&2; rm -f $@; exit 1; fi
	@extra=$$($(READELF) -SW $@ | sed 's/^ *\[ *[0-9]*\] *//' | \
		awk '$$7 ~ /A/ && index(" $(STAGE2_SECTIONS) ", " " $$1 " ") == 0 { print $$1 }'); \
	if [ -n "$$extra" ]; then echo "stage2 has sections outside the blob: $$extra" >&2; rm -f $@; exit 1; fi
$(B)/stage2.bin: $(B)/stage2.elf
	$(call say,BIN,$@)
	$(OBJCOPY) -O binary -j .text $< $@
$(B)/stage2_blob.h: $(B)/stage2.bin $(B)/stage2.elf
	$(call say,GEN,$@)
	{ echo "/* generated from stage2.elf; do not edit */"; \
	  $(NM) $(B)/stage2.elf | awk '$$3 == "stage2_main" { print "#define STAGE2_OFF_stage2_main 0x" $$1 }'; \
	  echo "#define STAGE2_SIZE $$(wc -c < $(B)/stage2.bin)"; } > $@.tmp
	@grep -q STAGE2_OFF_stage2_main $@.tmp || { echo "stage2_main not found" >&2; exit 1; }
	mv $@.tmp $@

# every architecture's programs, as stage1 recognizes them (foreign.c)
$(B)/arch_table.h: arch/arches
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	awk 'BEGIN { print "/* generated from arch/arches; do not edit */" } \
		/^[a-z]/ { printf "{ \"%s\", \"%s\", %s, ELFDATA2%s },\n", $$1, $$2, $$4, $$5 }' \
		$< > $@.tmp
	mv $@.tmp $@

$(B)/elfload: $(STAGE1_OBJS) linker/stage1.ld linker/$(ARCH).ld
	$(call say,LD,$@)
	$(CC) -static -nostdlib -no-pie -Wl,--build-id=none -Wl,-z,noexecstack \
		-Llinker -Wl,-T,linker/$(ARCH).ld -o $@ $(STAGE1_OBJS) -lgcc

clean:
	rm -rf build

# the performance targets (not part of check: timings are not tests)
bench:
	bench/run-all.sh

# the test fixtures, built for ARCH from tests/fixtures/; the fuzzer
include tests/fixtures.mk
include tests/fuzz/fuzz.mk

# make check: the whole suite natively, under qemu-user for the host's
# architecture, and under qemu-user for every other one; then on each
# architecture's own kernel under qemu-system (tests/guest); one count
# of all at the end
CHECK_BUILDS := $(HOST_ARCH) $(HOST_ARCH)-qemu $(filter-out $(HOST_ARCH),$(ARCHES))
check:
	echo "make check: test dependencies"
	tests/install-deps.sh
	for b in $(CHECK_BUILDS); do \
		echo "make check: building $$b (elfload and the test programs)"; \
		$(MAKE) --no-print-directory ARCH=$${b%-qemu} $$(case $$b in *-qemu) echo QEMU=1;; esac) \
			all fixtures >/dev/null || exit 1; done
	$(if $(filter x86_64,$(HOST_ARCH)),echo "make check: replaying the fuzzer's inputs"; \
		$(MAKE) --no-print-directory fuzz-replay && \
		echo "make check: the fuzzer's inputs through the real loader against the harness" && \
		$(MAKE) --no-print-directory fuzz-real)
	{ tests/run.sh $(CHECK_BUILDS); echo $$? > build/check-host.status; } | tee build/check-host.log
	echo "make check: the guests (tests/guest)"
	{ tests/guest/run.sh; echo $$? > build/check-guests.status; } | tee build/check-guests.log
	tail -n 1 -q build/check-host.log build/check-guests.log | \
		awk '{ p += $$1; f += $$3 } END { print p " passed, " f " failed" }'
	[ "$$(cat build/check-host.status build/check-guests.status)" = "$$(printf '0\n0')" ]

# the mutation check (tests/mutants): each fault in tests/mutants/faults
# planted in a copy of the tree must be caught by the fuzz replay or the
# suite; NAMES="..." plants only those
mutants: all fixtures fuzz-seeds
	for a in $$(awk -F '\t' '/^[a-z]/ && $$3 != "-" { print $$3 }' tests/mutants/faults | sort -u); do \
		$(MAKE) --no-print-directory ARCH=$$a all fixtures >/dev/null || exit 1; done
	tests/mutants/run.sh $(NAMES)

# the differential test against the kernel (tests/parity): FILES, or the
# fixtures, the corpus and the fuzzer's programs; one line per file
parity: all fixtures
	tests/parity/run.sh $(B)/elfload $(B)/parity $(or $(FILES),$(F)/* \
		$(wildcard $(B)/parity-inputs/corpus/* $(B)/parity-inputs/fuzz/*))

demo: all $(F)/trace-dyn $(F)/stack-dyn $(F)/probe
	@tests/demo.sh $(B)/elfload $(F)

# Installed: the native loader and elfload-gdb in bin/; with ARCH=all (or
# ARCH=another), the other architectures' loaders in lib/elfload/ARCH/,
# each with a link bin/elfload-ARCH; the gdb commands and the
# architecture table in share/elfload/; the manual pages in share/man/man1/;
# bash completion in share/bash-completion/completions/ (one file, linked
# under every command name it completes, as bash-completion loads by name).
DEST := $(DESTDIR)$(PREFIX)
OTHER_ARCHES := $(filter-out $(NATIVE_ARCH),$(if $(filter all,$(ARCH)),$(ARCHES),$(ARCH)))
COMPLETIONS := share/bash-completion/completions
INSTALLED := bin/elfload bin/elfload-gdb share/elfload/elfload.gdb share/elfload/arches \
	share/man/man1/elfload.1 share/man/man1/elfload-gdb.1 \
	$(foreach a,$(OTHER_ARCHES),lib/elfload/$(a)/elfload bin/elfload-$(a)) \
	$(addprefix $(COMPLETIONS)/,elfload elfload-gdb $(addprefix elfload-,$(OTHER_ARCHES)))
install:
	for a in $(NATIVE_ARCH) $(OTHER_ARCHES); do \
		$(MAKE) --no-print-directory ARCH=$$a all || exit 1; done
	$(call say,INSTALL,$(DEST))
	install -D -m 755 build/$(NATIVE_ARCH)/elfload $(DEST)/bin/elfload
	install -D -m 755 build/$(NATIVE_ARCH)/elfload-gdb $(DEST)/bin/elfload-gdb
	install -D -m 644 gdb/elfload.gdb $(DEST)/share/elfload/elfload.gdb
	install -D -m 644 arch/arches $(DEST)/share/elfload/arches
	install -D -m 644 man/elfload.1 $(DEST)/share/man/man1/elfload.1
	install -D -m 644 man/elfload-gdb.1 $(DEST)/share/man/man1/elfload-gdb.1
	install -D -m 644 completion/elfload.bash $(DEST)/$(COMPLETIONS)/elfload
	ln -sf elfload $(DEST)/$(COMPLETIONS)/elfload-gdb
	for a in $(OTHER_ARCHES); do \
		install -D -m 755 build/$$a/elfload $(DEST)/lib/elfload/$$a/elfload || exit 1; \
		ln -sf ../lib/elfload/$$a/elfload $(DEST)/bin/elfload-$$a || exit 1; \
		ln -sf elfload $(DEST)/$(COMPLETIONS)/elfload-$$a || exit 1; done
uninstall:
	$(call say,RM,$(DEST))
	rm -f $(addprefix $(DEST)/,$(INSTALLED))
	for d in $(addprefix $(DEST)/lib/elfload/,$(OTHER_ARCHES)) $(DEST)/lib/elfload \
		$(DEST)/share/elfload $(DEST)/$(COMPLETIONS) $(DEST)/share/bash-completion; do \
		rmdir "$$d" 2>/dev/null || :; done

.PHONY: all clean check demo install uninstall bench fixtures parity mutants
