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
    FramePool own_pool; /* used when the VM is not given a pool by the VMM */
    uint64_t ram_base, ram_size;
    MmioWindow win[BUS_MAX_WINDOWS];
    unsigned nwin;
} Bus;

/* RAM of ram_size bytes at ram_base with its frames from `pool`, page i
 * preferring frame home + i. Returns false (errno set) if the host refuses. */
bool bus_init_in_pool(Bus *b, uint64_t ram_base, uint64_t ram_size, FramePool *pool, FrameId home);
/* The same with a pool of its own as large as the RAM when `pool` is NULL. */
bool bus_init(Bus *b, uint64_t ram_base, uint64_t ram_size, FramePool *pool);
void bus_free(Bus *b);
bool bus_add_mmio(Bus *b, uint64_t base, uint64_t size, const MmioOps *ops, void *opaque,
                  const char *name);

/* Host pointer of guest-physical RAM [pa, pa+len), which must lie in one
 * page (the page is given a frame on first touch); NULL if it is not RAM,
 * crosses a page, or machine memory is exhausted. Guest pages are separate
 * frames: longer ranges go page by page (bus_write/bus_read). */
static inline uint8_t *bus_ram_ptr(Bus *b, uint64_t pa, uint64_t len)
{
    if (len > FRAME_SIZE - (pa & (FRAME_SIZE - 1)))
        return NULL;
    uint8_t *page = p2m_page(&b->p2m, pa);
    return page ? page + (pa & (FRAME_SIZE - 1)) : NULL;
}

static inline bool bus_is_ram(const Bus *b, uint64_t pa)
{
    return p2m_contains(&b->p2m, pa);
}

/* Tools and tests that treat a VM's RAM as one host range: every page of
 * [pa, pa+len) is given a frame, and the host pointer returned only if the
 * frames happen to be consecutive (always so for a VM alone in a pool of
 * its own, as the pool gives each page its home frame); else NULL. */
uint8_t *bus_ram_span(Bus *b, uint64_t pa, uint64_t len);

/* Copy into / out of guest RAM page by page (loaders, devices). A write
 * tells the page's write watchers first, as a guest store would. False if
 * part of the range is not RAM or machine memory ran out. */
bool bus_write(Bus *b, uint64_t pa, const void *src, uint64_t len);
bool bus_read(Bus *b, uint64_t pa, void *dst, uint64_t len);

const MmioWindow *bus_find_mmio(const Bus *b, uint64_t pa);

#endif
