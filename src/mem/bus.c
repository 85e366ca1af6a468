#include "mem/bus.h"

#include <stdlib.h>
#include <string.h>

bool bus_init(Bus *b, uint64_t ram_base, uint64_t ram_size, FramePool *pool)
{
    return bus_init_in_pool(b, ram_base, ram_size, pool, pool ? FRAME_NONE : 0);
}

bool bus_init_in_pool(Bus *b, uint64_t ram_base, uint64_t ram_size, FramePool *pool, FrameId home)
{
    memset(b, 0, sizeof *b);
    if (!pool) {
        if (!frames_init(&b->own_pool, ram_size))
            return false;
        pool = &b->own_pool;
        home = 0;
    }
    if (!p2m_init(&b->p2m, pool, ram_base, ram_size, home)) {
        frames_destroy(&b->own_pool);
        return false;
    }
    b->ram_base = ram_base;
    b->ram_size = ram_size;
    return true;
}

void bus_free(Bus *b)
{
    p2m_destroy(&b->p2m);
    if (b->own_pool.base)
        frames_destroy(&b->own_pool);
}

bool bus_write(Bus *b, uint64_t pa, const void *src, uint64_t len)
{
    const uint8_t *s = src;
    while (len) {
        uint64_t n = FRAME_SIZE - (pa & (FRAME_SIZE - 1));
        if (n > len)
            n = len;
        if (!p2m_contains(&b->p2m, pa))
            return false;
        uint64_t gfn = p2m_index(&b->p2m, pa);
        if (!p2m_writable(&b->p2m, gfn) && !p2m_write_fault(&b->p2m, gfn))
            return false;
        uint8_t *d = bus_ram_ptr(b, pa, n);
        if (!d)
            return false;
        memcpy(d, s, n);
        pa += n, s += n, len -= n;
    }
    return true;
}

bool bus_read(Bus *b, uint64_t pa, void *dst, uint64_t len)
{
    uint8_t *d = dst;
    while (len) {
        uint64_t n = FRAME_SIZE - (pa & (FRAME_SIZE - 1));
        if (n > len)
            n = len;
        const uint8_t *s = bus_ram_ptr(b, pa, n);
        if (!s)
            return false;
        memcpy(d, s, n);
        pa += n, d += n, len -= n;
    }
    return true;
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

uint8_t *bus_ram_span(Bus *b, uint64_t pa, uint64_t len)
{
    uint8_t *first = bus_ram_ptr(b, pa, 1);
    if (!first || !len)
        return first;
    uint64_t last = (pa + len - 1) & ~(uint64_t)(FRAME_SIZE - 1);
    for (uint64_t p = (pa & ~(uint64_t)(FRAME_SIZE - 1)) + FRAME_SIZE; p <= last; p += FRAME_SIZE) {
        uint8_t *page = bus_ram_ptr(b, p, 1);
        if (page != first - (pa & (FRAME_SIZE - 1)) + (p - (pa & ~(uint64_t)(FRAME_SIZE - 1))))
            return NULL;
    }
    return first;
}
