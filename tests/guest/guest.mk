# Builds the freestanding guest test images (run by tests/guest/run.sh):
#   make -f tests/guest/guest.mk [OUT=build/guest]
# Every program in progs/ is built at -O0, -O2 and -O3; exc/ holds the
# exception tests, built once. Images are raw binaries with the arm64 Image
# header (start.S), loaded at 0x40200000.
CROSS  ?= aarch64-linux-gnu-
GCC     = $(CROSS)gcc
OBJCOPY = $(CROSS)objcopy
OUT    ?= build/guest
G       = tests/guest

ARCH    = -march=armv8-a -mstrict-align -mno-outline-atomics -fno-pic -fno-pie
FREE    = -ffreestanding -nostdlib -fno-stack-protector -fno-math-errno -ffp-contract=off
CFLAGS  = $(ARCH) $(FREE) -std=gnu11 -Wall -Wextra -Wno-unused-function -g -I$(G)/rt
LDFLAGS = -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-T,$(G)/rt/link.ld
LIBGCC  = -lgcc

# Extra flags per program: vecloops may reassociate float sums so -O3 vectorises them.
FLAGS_vecloops = -fno-trapping-math -fassociative-math -fno-signed-zeros

PROGS   = $(basename $(notdir $(wildcard $(G)/progs/*.c)))
LEVELS  = O0 O2 O3
EXC     = exceptions
IMAGES  = $(foreach p,$(PROGS),$(foreach l,$(LEVELS),$(OUT)/$(p)-$(l).bin)) $(OUT)/$(EXC).bin

RT_OBJS = $(OUT)/rt/start.o $(OUT)/rt/rt.o

all: $(IMAGES)

$(OUT)/rt/start.o: $(G)/rt/start.S
	@mkdir -p $(dir $@)
	$(GCC) $(ARCH) -c $< -o $@
$(OUT)/rt/rt.o: $(G)/rt/rt.c $(G)/rt/rt.h
	@mkdir -p $(dir $@)
	$(GCC) $(CFLAGS) -O2 -fno-builtin -fno-tree-loop-distribute-patterns -c $< -o $@

define prog_rule
$(OUT)/%-$(1).elf: $(G)/progs/%.c $(G)/rt/rt.h $(RT_OBJS) $(G)/rt/link.ld
	@mkdir -p $$(dir $$@)
	$$(GCC) $$(CFLAGS) -$(1) $$(FLAGS_$$*) $$< $$(RT_OBJS) $$(LDFLAGS) $$(LIBGCC) -o $$@
endef
$(foreach l,$(LEVELS),$(eval $(call prog_rule,$(l))))

$(OUT)/$(EXC).elf: $(wildcard $(G)/exc/*.c $(G)/exc/*.S) $(G)/rt/rt.h $(RT_OBJS) $(G)/rt/link.ld
	@mkdir -p $(dir $@)
	$(GCC) $(CFLAGS) -O2 $(filter %.c %.S,$^) $(RT_OBJS) $(LDFLAGS) $(LIBGCC) -o $@

$(OUT)/%.bin: $(OUT)/%.elf
	$(OBJCOPY) -O binary $< $@

.SECONDARY:
.PHONY: all
