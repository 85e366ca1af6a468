/* The guest-physical address space of one VM: RAM and MMIO windows.
 *
 * RAM is one host allocation; devices register windows with read/write
 * callbacks. The CPU's mmu layer resolves physical addresses here. */
#ifndef TANDEM_BUS_H
#define TANDEM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct MmioOps {
    /* size is 1, 2, 4 or 8; offset is relative to the window base. */
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
} MmioOps;

typedef struct MmioWindow {
    uint64_t base, size;
    const MmioOps *ops;
    void *opaque;
    const char *name;
} MmioWindow;

#define BUS_MAX_WINDOWS 32

typedef struct Bus {
    uint8_t *ram;
    uint64_t ram_base, ram_size;
    MmioWindow win[BUS_MAX_WINDOWS];
    unsigned nwin;
} Bus;

/* Allocates zeroed RAM; returns false (errno set) if the host refuses. */
bool bus_init(Bus *b, uint64_t ram_base, uint64_t ram_size);
void bus_free(Bus *b);
bool bus_add_mmio(Bus *b, uint64_t base, uint64_t size, const MmioOps *ops, void *opaque,
                  const char *name);

/* Host pointer of guest-physical RAM [pa, pa+len), or NULL if not all RAM. */
static inline uint8_t *bus_ram_ptr(const Bus *b, uint64_t pa, uint64_t len)
{
    uint64_t off = pa - b->ram_base;
    if (pa < b->ram_base || off >= b->ram_size || len > b->ram_size - off)
        return NULL;
    return b->ram + off;
}

const MmioWindow *bus_find_mmio(const Bus *b, uint64_t pa);

#endif
