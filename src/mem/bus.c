#include "mem/bus.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

bool bus_init(Bus *b, uint64_t ram_base, uint64_t ram_size)
{
    memset(b, 0, sizeof *b);
    /* mmap gives zeroed memory that the host commits only when touched. */
    void *p = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        return false;
    b->ram = p;
    b->ram_base = ram_base;
    b->ram_size = ram_size;
    return true;
}

void bus_free(Bus *b)
{
    if (b->ram)
        munmap(b->ram, b->ram_size);
    b->ram = NULL;
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
