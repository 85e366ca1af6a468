/* The guest-physical address space of one VM: RAM (through the p2m) and
 * MMIO windows. Devices register windows with read/write callbacks. The
 * CPU's mmu layer resolves physical addresses here. */
#ifndef TANDEM_BUS_H
#define TANDEM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/frames.h"
#include "mem/p2m.h"

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
    P2m p2m;
    FramePool own_pool; /* used when the VM is not given a shared pool */
    uint64_t ram_base, ram_size;
    MmioWindow win[BUS_MAX_WINDOWS];
    unsigned nwin;
} Bus;

/* RAM of ram_size bytes at ram_base, charged to `pool` (NULL: a pool of its
 * own, as large as the RAM). Returns false (errno set) if the host refuses. */
bool bus_init(Bus *b, uint64_t ram_base, uint64_t ram_size, FramePool *pool);
void bus_free(Bus *b);
bool bus_add_mmio(Bus *b, uint64_t base, uint64_t size, const MmioOps *ops, void *opaque,
                  const char *name);

/* Host pointer of guest-physical RAM [pa, pa+len) (every page made resident),
 * or NULL if not all RAM or machine memory is exhausted. */
static inline uint8_t *bus_ram_ptr(Bus *b, uint64_t pa, uint64_t len)
{
    uint64_t off = pa - b->ram_base;
    if (pa < b->ram_base || off >= b->ram_size || len > b->ram_size - off)
        return NULL;
    if (len <= FRAME_SIZE - (pa & (FRAME_SIZE - 1)))
        return p2m_page(&b->p2m, pa) ? b->p2m.ram + off : NULL;
    for (uint64_t p = pa & ~(uint64_t)(FRAME_SIZE - 1); p < pa + len; p += FRAME_SIZE)
        if (!p2m_page(&b->p2m, p))
            return NULL;
    return b->p2m.ram + off;
}

const MmioWindow *bus_find_mmio(const Bus *b, uint64_t pa);

#endif
