# make fuzz: stage1's real sources under libFuzzer, ASan and UBSan, against
# a model of the kernel (tests/fuzz/fuzz.h says how). Included by the
# Makefile; runs on an x86_64 host, the architecture the model speaks.
#
#   make fuzz [FUZZ_SECONDS=N]   build, then fuzz for N seconds (default 300)
#   make fuzz-replay             every corpus and regression file, once
#   make fuzz-coverage           stage1's line and branch coverage under them
#   make fuzz-real               each of them through the harness and the real
#                                loader, compared by parity -r (needs root)
FUZZ_B       := build/fuzz
FUZZ_SECONDS ?= 300
FUZZ_JOBS    ?= $(shell nproc)
FUZZ_STAGE1  := $(filter-out stage1/launch.c stage1/mem.c,$(wildcard stage1/*.c)) \
	common/fmt.c common/io.c common/errno.c stage1/blob.S
FUZZ_SRC     := $(FUZZ_STAGE1) $(wildcard tests/fuzz/*.c)
FUZZ_CFLAGS  := -g -O1 -Wall -Wextra -Wno-unused-parameter -fno-pie -no-pie \
	-DLIB_HOSTED -Itests/fuzz -Iarch -Icommon -Istage1 -Ibuild/x86_64 -I$(FUZZ_B) \
	-DSTAGE2_BIN='"build/x86_64/stage2.bin"' -DELFLOAD_VERSION='"fuzz"'
FUZZ_DIRS    := $(FUZZ_B)/seeds tests/fuzz/corpus tests/fuzz/regressions

ifeq ($(ARCH),x86_64)
# the model's elfload has the real one's size (memory.c): its text, and
# its data and bss, from their PT_LOADs
$(FUZZ_B)/image.h: $(B)/elfload
	@mkdir -p $(@D)
	readelf -lW $< | awk '/^ *LOAD/ && n < 2 { n++; \
		printf "#define ELFLOAD_%s_VADDR %sULL\n#define ELFLOAD_%s_SIZE %s\n", \
			n == 1 ? "TEXT" : "DATA", $$3, n == 1 ? "TEXT" : "DATA", $$6 }' > $@.tmp
	mv $@.tmp $@
$(FUZZ_B)/fuzz-stage1: $(FUZZ_SRC) $(wildcard tests/fuzz/*.h stage1/*.h common/*.h) \
		$(B)/stage2_blob.h $(B)/arch_table.h $(FUZZ_B)/image.h
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -o $@ $(FUZZ_SRC)
$(FUZZ_B)/fuzz-stage1-cov: $(FUZZ_SRC) $(wildcard tests/fuzz/*.h stage1/*.h common/*.h) \
		$(B)/stage2_blob.h $(B)/arch_table.h $(FUZZ_B)/image.h
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping \
		-o $@ $(FUZZ_SRC)
else
$(FUZZ_B)/fuzz-stage1 $(FUZZ_B)/fuzz-stage1-cov:
	@echo "make fuzz: the model speaks x86_64; run it on an x86_64 host" >&2; exit 1
endif

# the seeds come from the fixtures of every build there is
fuzz-seeds:
	$(MAKE) --no-print-directory ARCH=x86_64 fixtures >/dev/null
	python3 tests/fuzz/seeds.py $(FUZZ_B)/seeds $(wildcard $(addprefix build/,$(ARCHES)))

# new inputs go to build/fuzz/new, findings to build/fuzz/crash-*, each
# worker's log to build/fuzz/fuzz-N.log
fuzz: $(FUZZ_B)/fuzz-stage1 fuzz-seeds
	@mkdir -p $(FUZZ_B)/new
	cd $(FUZZ_B) && ./fuzz-stage1 -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-timeout=10 -rss_limit_mb=4096 -dict=$(CURDIR)/tests/fuzz/elfload.dict \
		-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) -artifact_prefix=$(CURDIR)/$(FUZZ_B)/ \
		new $(addprefix $(CURDIR)/,$(FUZZ_DIRS))
	@! ls $(FUZZ_B)/crash-* $(FUZZ_B)/timeout-* $(FUZZ_B)/leak-* 2>/dev/null

fuzz-replay: $(FUZZ_B)/fuzz-stage1 fuzz-seeds
	tests/fuzz/replay.sh $(FUZZ_B)/fuzz-stage1 $(FUZZ_DIRS)

fuzz-coverage: $(FUZZ_B)/fuzz-stage1-cov fuzz-seeds
	tests/fuzz/coverage.sh $(FUZZ_B) $(FUZZ_DIRS)

# the model held to the real kernel (tests/fuzz/real.py): the
# harness's record of each input against elfload's real run
$(FUZZ_B)/machine: tests/parity/machine.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -o $@ $<
fuzz-real: $(FUZZ_B)/fuzz-stage1 $(FUZZ_B)/machine fuzz-seeds
	$(MAKE) --no-print-directory ARCH=x86_64 all $(B)/parity >/dev/null
	python3 tests/fuzz/real.py $(FUZZ_B)/fuzz-stage1 $(B)/parity $(FUZZ_B)/machine \
		$(B)/elfload $(FUZZ_DIRS)

.PHONY: fuzz fuzz-seeds fuzz-replay fuzz-coverage fuzz-real
