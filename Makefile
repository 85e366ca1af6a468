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

.PHONY: all test clean guest-tests
all: build/tandem

$(REL_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(REL_CFLAGS) -c $< -o $@
$(TST_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(TST_CFLAGS) -c $< -o $@

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

test: build/tandem build/test/tandem $(UNIT_BINS)
	@bash tests/run-all.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
