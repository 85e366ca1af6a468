#include "mem/p2m.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

bool p2m_init(P2m *m, FramePool *pool, uint64_t base, uint64_t bytes)
{
    memset(m, 0, sizeof *m);
    m->pool = pool;
    m->base = base;
    m->npages = bytes / FRAME_SIZE;
    /* Reserved, not committed: the host backs a page when it is first written. */
    void *ram = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED)
        return false;
    m->ram = ram;
    m->state = calloc(m->npages, 1);
    m->gen = calloc(m->npages, sizeof *m->gen);
    if (!m->state || !m->gen) {
        p2m_destroy(m);
        return false;
    }
    return true;
}

void p2m_destroy(P2m *m)
{
    if (m->ram)
        munmap(m->ram, m->npages * FRAME_SIZE);
    if (m->pool)
        m->pool->used -= m->resident;
    free(m->state);
    free(m->gen);
    memset(m, 0, sizeof *m);
}

bool p2m_populate(P2m *m, uint64_t i)
{
    if (!frames_charge(m->pool))
        return false;
    m->state[i] = PAGE_RESIDENT;
    m->gen[i]++;
    m->resident++;
    return true;
}
