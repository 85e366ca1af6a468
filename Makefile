# Tandem build. `make` builds build/tandem (optimised); `make test` builds the
# sanitized test build in build/test and runs every test suite.
CC      ?= gcc
CROSS   ?= aarch64-linux-gnu-
WARN     = -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
FPFLAGS  = -frounding-math -fsignaling-nans -ffp-contract=off
CFLAGS_COMMON = -std=gnu11 $(WARN) $(FPFLAGS) -Isrc -MMD -MP -D_GNU_SOURCE
LIBS     = -lfdt -ljson-c -llzo2 -llz4 -lzstd -lxxhash -lm

SRCS     = $(wildcard src/*/*.c)
LIB_SRCS = $(filter-out src/cli/%,$(SRCS))

REL_DIR  = build/rel
TST_DIR  = build/test
REL_CFLAGS = $(CFLAGS_COMMON) -O2 -g -fno-plt
TST_CFLAGS = $(CFLAGS_COMMON) -O1 -foptimize-sibling-calls -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

# PORTABLE=1: the portable C11 <fenv.h> host floating point (src/cpu/fphost.h)
# instead of x86-64 SSE in build/rel and build/test (`make clean` when
# switching). Other hosts use it anyway.
ifeq ($(PORTABLE),1)
CFLAGS_COMMON += -DTANDEM_PORTABLE
endif
# The portable path built on this host for tests/portable, whatever PORTABLE
# says: the unit tests (sanitized) and the differential campaign.
PRT_DIR    = build/portable
PRT_CFLAGS = $(TST_CFLAGS) -DTANDEM_PORTABLE
PRTREL_DIR = build/rel-portable
PRTREL_CFLAGS = $(REL_CFLAGS) -DTANDEM_PORTABLE
# arm64 cross build for tests/arm64, run under qemu-aarch64-static: no
# sanitizers (ASan does not run under QEMU user mode). The arm64 libraries
# come from Debian multiarch (scripts/setup.sh); libfdt-dev is not
# co-installable, so its headers are the host's and the library is libfdt1's.
ARM_DIR    = build/arm64
ARM_CFLAGS = $(CFLAGS_COMMON) -O2 -g
ARM_LIBS   = $(subst -lfdt,-l:libfdt.so.1,$(LIBS))

.PHONY: all test clean guest-tests unit portable cross-arm64
all: build/tandem

$(REL_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(REL_CFLAGS) -c $< -o $@
$(TST_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(TST_CFLAGS) -c $< -o $@
$(PRT_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(PRT_CFLAGS) -c $< -o $@
$(PRTREL_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(PRTREL_CFLAGS) -c $< -o $@
$(ARM_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CROSS)gcc $(ARM_CFLAGS) -c $< -o $@

build/tandem: $(SRCS:%.c=$(REL_DIR)/%.o)
	$(CC) $(REL_CFLAGS) $^ -o $@ $(LIBS)

# Sanitized build of the VMM itself, used by the tests.
build/test/tandem: $(SRCS:%.c=$(TST_DIR)/%.o)
	$(CC) $(TST_CFLAGS) $^ -o $@ $(LIBS)

# Unit tests: one cmocka program per file in tests/unit, linked with the library.
UNIT_SRCS = $(wildcard tests/unit/*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(TST_DIR)/unit/%)
$(TST_DIR)/unit/%: tests/unit/%.c $(LIB_SRCS:%.c=$(TST_DIR)/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(TST_CFLAGS) -Itests $(filter %.c %.o,$^) -o $@ $(LIBS) -lcmocka

# Host tools of the differential campaign (generator, Tandem-side runner).
DIFF_HOST_SRCS = $(wildcard tests/diff/host/*.c)
$(TST_DIR)/diff/%: tests/diff/host/%.c $(LIB_SRCS:%.c=$(TST_DIR)/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(TST_CFLAGS) -Itests $(filter %.c %.o,$^) -o $@ $(LIBS)
$(REL_DIR)/diff/%: tests/diff/host/%.c $(LIB_SRCS:%.c=$(REL_DIR)/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -Itests $(filter %.c %.o,$^) -o $@ $(LIBS)

unit: $(UNIT_BINS)

# Portable host FP on this host: unit tests and the campaign (tests/portable).
PRT_UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(PRT_DIR)/unit/%)
$(PRT_DIR)/unit/%: tests/unit/%.c $(LIB_SRCS:%.c=$(PRT_DIR)/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(PRT_CFLAGS) -Itests $(filter %.c %.o,$^) -o $@ $(LIBS) -lcmocka
$(PRTREL_DIR)/diff/%: tests/diff/host/%.c $(LIB_SRCS:%.c=$(PRTREL_DIR)/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(PRTREL_CFLAGS) -Itests $(filter %.c %.o,$^) -o $@ $(LIBS)
portable: $(PRT_UNIT_BINS) $(PRTREL_DIR)/diff/campaign

# arm64 build: build/arm64/tandem and the unit tests (tests/arm64).
ARM_UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(ARM_DIR)/unit/%)
$(ARM_DIR)/tandem: $(SRCS:%.c=$(ARM_DIR)/%.o)
	$(CROSS)gcc $(ARM_CFLAGS) $^ -o $@ $(ARM_LIBS)
$(ARM_DIR)/unit/%: tests/unit/%.c $(LIB_SRCS:%.c=$(ARM_DIR)/%.o)
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(ARM_CFLAGS) -Itests $(filter %.c %.o,$^) -o $@ $(ARM_LIBS) -lcmocka
cross-arm64: $(ARM_DIR)/tandem $(ARM_UNIT_BINS)

test: build/tandem build/test/tandem $(UNIT_BINS)
	@bash tests/run-all.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' -type f 2>/dev/null)
