/* The p2m: one VM's guest-physical page -> machine memory map.
 *
 * A VM's RAM is one reserved host region; page i's home frame is at
 * ram + i * 4 KiB, so resident memory stays contiguous for DMA and loaders.
 * The p2m records each page's state and charges resident pages to the
 * machine frame pool on first touch. Later services add states (compressed,
 * shared) whose data lives elsewhere. Every state change bumps the page's
 * generation number: shadow entries remember the generation they were built
 * from, so a changed page is never used through a stale entry (the rule in
 * DESIGN.md). */
#ifndef TANDEM_P2M_H
#define TANDEM_P2M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/frames.h"

typedef enum PageState { PAGE_ABSENT = 0, PAGE_RESIDENT = 1 } PageState;

typedef struct P2m {
    FramePool *pool;
    uint8_t *ram;    /* home frames */
    uint64_t base;   /* guest-physical address of page 0 */
    uint64_t npages;
    uint8_t *state;  /* PageState */
    uint32_t *gen;
    uint64_t resident;
} P2m;

bool p2m_init(P2m *m, FramePool *pool, uint64_t base, uint64_t bytes);
void p2m_destroy(P2m *m);

static inline bool p2m_contains(const P2m *m, uint64_t gpa)
{
    return gpa - m->base < m->npages * FRAME_SIZE;
}

static inline uint64_t p2m_index(const P2m *m, uint64_t gpa)
{
    return (gpa - m->base) / FRAME_SIZE;
}

/* Make page i resident (first touch); false if machine memory is exhausted. */
bool p2m_populate(P2m *m, uint64_t i);

/* Host address of guest page `gpa` (made resident on first touch); NULL if
 * gpa is not RAM or machine memory is exhausted. */
static inline uint8_t *p2m_page(P2m *m, uint64_t gpa)
{
    if (!p2m_contains(m, gpa))
        return NULL;
    uint64_t i = p2m_index(m, gpa);
    if (__builtin_expect(m->state[i] != PAGE_RESIDENT, 0) && !p2m_populate(m, i))
        return NULL;
    return m->ram + i * FRAME_SIZE;
}

static inline uint32_t p2m_gen(const P2m *m, uint64_t gpa)
{
    return m->gen[p2m_index(m, gpa)];
}

#endif
