/* The device tree Tandem gives the guest, built with libfdt. */
#ifndef TANDEM_FDT_H
#define TANDEM_FDT_H

#include <stddef.h>
#include <stdint.h>

#define RNG_SEED_BYTES 64

typedef struct FdtConfig {
    uint64_t ram_base, ram_size;
    const char *bootargs;
    uint64_t initrd_start, initrd_end; /* 0, 0: none */
    uint64_t kaslr_seed;               /* 0: none (KASLR off) */
    const uint8_t *rng_seed;           /* NULL: none; else RNG_SEED_BYTES of entropy */
} FdtConfig;

/* Writes the blob into buf; returns its size, or 0 if it does not fit. */
size_t fdt_build(const FdtConfig *cfg, void *buf, size_t len);

#endif
