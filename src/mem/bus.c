#include "mem/bus.h"

#include <stdlib.h>
#include <string.h>

bool bus_init(Bus *b, uint64_t ram_base, uint64_t ram_size, FramePool *pool)
{
    memset(b, 0, sizeof *b);
    if (!pool) {
        frames_init(&b->own_pool, ram_size);
        pool = &b->own_pool;
    }
    if (!p2m_init(&b->p2m, pool, ram_base, ram_size))
        return false;
    b->ram_base = ram_base;
    b->ram_size = ram_size;
    return true;
}

void bus_free(Bus *b)
{
    p2m_destroy(&b->p2m);
}

bool bus_add_mmio(Bus *b, uint64_t base, uint64_t size, const MmioOps *ops, void *opaque,
                  const char *name)
{
    if (b->nwin == BUS_MAX_WINDOWS)
        return false;
    b->win[b->nwin++] = (MmioWindow){base, size, ops, opaque, name};
    return true;
}

const MmioWindow *bus_find_mmio(const Bus *b, uint64_t pa)
{
    for (unsigned i = 0; i < b->nwin; i++)
        if (pa - b->win[i].base < b->win[i].size)
            return &b->win[i];
    return NULL;
}
