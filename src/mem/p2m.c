#include "mem/p2m.h"

#include <stdlib.h>
#include <string.h>

bool p2m_init(P2m *m, FramePool *pool, uint64_t base, uint64_t bytes, FrameId home)
{
    memset(m, 0, sizeof *m);
    m->pool = pool;
    m->base = base;
    m->home = home;
    m->npages = bytes / FRAME_SIZE;
    m->frame = malloc(m->npages * sizeof *m->frame);
    m->state = calloc(m->npages, 1);
    m->gen = calloc(m->npages, sizeof *m->gen);
    m->wp = calloc(m->npages, 1);
    m->accessed = calloc((m->npages + 63) / 64, sizeof *m->accessed);
    if (!m->frame || !m->state || !m->gen || !m->wp || !m->accessed) {
        p2m_destroy(m);
        return false;
    }
    for (uint64_t i = 0; i < m->npages; i++)
        m->frame[i] = FRAME_NONE;
    return true;
}

/* Frees resident frames, returning runs of consecutive frames to the host
 * in one call each. */
static void free_all_frames(P2m *m)
{
    FrameId run = FRAME_NONE;
    uint64_t len = 0;
    for (uint64_t i = 0; i < m->npages; i++) {
        if (m->state[i] != PAGE_RESIDENT)
            continue;
        FrameId f = m->frame[i];
        if (frames_owners(m->pool, f) > 1) { /* shared: the other owner keeps it */
            frames_free(m->pool, f);
            continue;
        }
        if (len && f == run + len) {
            len++;
            continue;
        }
        if (len)
            frames_free_run(m->pool, run, len);
        run = f;
        len = 1;
    }
    if (len)
        frames_free_run(m->pool, run, len);
}

void p2m_destroy(P2m *m)
{
    if (m->pool && m->frame && m->state)
        free_all_frames(m);
    free(m->frame);
    free(m->state);
    free(m->gen);
    free(m->wp);
    free(m->accessed);
    memset(m, 0, sizeof *m);
}

bool p2m_populate(P2m *m, uint64_t i)
{
    FrameId hint = m->home == FRAME_NONE ? FRAME_NONE : m->home + (FrameId)i;
    FrameId f = frames_alloc(m->pool, hint);
    if (f == FRAME_NONE) {
        m->out_of_memory = true;
        m->stats.nomem++;
        return false;
    }
    m->out_of_memory = false;
    m->frame[i] = f;
    m->state[i] = PAGE_RESIDENT;
    m->gen[i]++;
    m->resident++;
    m->stats.populated++;
    return true;
}

void p2m_change(P2m *m, uint64_t gfn)
{
    m->gen[gfn]++;
    m->stats.changes++;
    if (m->cache.page_changing)
        m->cache.page_changing(m->cache.opaque, gfn);
}

void p2m_discard(P2m *m, uint64_t gfn)
{
    if (m->state[gfn] != PAGE_RESIDENT)
        return;
    p2m_change(m, gfn);
    frames_free(m->pool, m->frame[gfn]);
    m->frame[gfn] = FRAME_NONE;
    m->state[gfn] = PAGE_ABSENT;
    m->wp[gfn] = 0;
    m->resident--;
}

uint8_t p2m_watch(P2m *m, const char *name, bool (*written)(void *, uint64_t), void *opaque)
{
    if (m->nwatch == MEM_WATCHERS)
        return 0;
    m->watch[m->nwatch] = (MemWatcher){.name = name, .opaque = opaque, .written = written};
    return (uint8_t)(1u << m->nwatch++);
}

void p2m_write_protect(P2m *m, uint64_t gfn, uint8_t watcher_bit)
{
    bool was_writable = m->wp[gfn] == 0;
    m->wp[gfn] |= watcher_bit;
    m->stats.write_protects++;
    if (was_writable && m->cache.write_protected)
        m->cache.write_protected(m->cache.opaque, gfn);
}

void p2m_write_protect_many(P2m *m, const uint32_t *gfns, size_t n, uint8_t watcher_bit)
{
    for (size_t i = 0; i < n; i++)
        m->wp[gfns[i]] |= watcher_bit;
    m->stats.write_protects += n;
    if (n && m->cache.write_protected)
        m->cache.write_protected(m->cache.opaque, gfns[0]);
}

void p2m_write_protect_all(P2m *m, uint8_t watcher_bit)
{
    for (uint64_t i = 0; i < m->npages; i++)
        m->wp[i] |= watcher_bit;
    m->stats.write_protects += m->npages;
    if (m->cache.write_protected)
        m->cache.write_protected(m->cache.opaque, 0);
}

bool p2m_write_fault(P2m *m, uint64_t gfn)
{
    uint8_t bits = m->wp[gfn], failed = 0;
    m->wp[gfn] = 0;
    m->stats.write_faults++;
    for (unsigned i = 0; bits >> i; i++)
        if (((bits >> i) & 1) && m->watch[i].written && !m->watch[i].written(m->watch[i].opaque, gfn))
            failed |= (uint8_t)(1u << i);
    m->wp[gfn] |= failed; /* they are asked again when the write is retried */
    return failed == 0;
}

void p2m_change_many(P2m *m, const uint32_t *gfns, size_t n)
{
    for (size_t i = 0; i < n; i++)
        m->gen[gfns[i]]++;
    m->stats.changes += n;
    if (n && m->cache.pages_changing)
        m->cache.pages_changing(m->cache.opaque, gfns, n);
}

bool p2m_share_from(P2m *dst, const P2m *src, uint64_t gfn)
{
    bool resident = src->state[gfn] == PAGE_RESIDENT;
    if (resident && dst->state[gfn] == PAGE_RESIDENT && dst->frame[gfn] == src->frame[gfn])
        return true;
    if (resident && !frames_ref(src->pool, src->frame[gfn]))
        return false;
    if (dst->state[gfn] == PAGE_RESIDENT) {
        p2m_change(dst, gfn);
        frames_free(dst->pool, dst->frame[gfn]);
        dst->resident--;
    }
    dst->frame[gfn] = resident ? src->frame[gfn] : FRAME_NONE;
    dst->state[gfn] = resident ? PAGE_RESIDENT : PAGE_ABSENT;
    dst->resident += resident;
    return true;
}

void p2m_copy_from(P2m *dst, const P2m *src, uint64_t gfn)
{
    if (src->state[gfn] != PAGE_RESIDENT) {
        p2m_share_from(dst, src, gfn); /* absent in both */
        return;
    }
    const uint8_t *from = frame_ptr(src->pool, src->frame[gfn]);
    if (dst->state[gfn] == PAGE_RESIDENT && dst->frame[gfn] != src->frame[gfn] &&
        frames_owners(dst->pool, dst->frame[gfn]) == 1) {
        memcpy(frame_ptr(dst->pool, dst->frame[gfn]), from, FRAME_SIZE);
        return;
    }
    FrameId f = frames_alloc(dst->pool, FRAME_NONE);
    if (f == FRAME_NONE) {
        p2m_share_from(dst, src, gfn);
        return;
    }
    memcpy(frame_ptr(dst->pool, f), from, FRAME_SIZE);
    p2m_change(dst, gfn);
    if (dst->state[gfn] == PAGE_RESIDENT)
        frames_free(dst->pool, dst->frame[gfn]);
    else
        dst->resident++;
    dst->frame[gfn] = f;
    dst->state[gfn] = PAGE_RESIDENT;
}

bool p2m_break_share(P2m *m, uint64_t gfn)
{
    if (!p2m_is_shared(m, gfn))
        return true;
    FrameId old = m->frame[gfn], f = frames_alloc(m->pool, FRAME_NONE);
    if (f == FRAME_NONE) {
        m->out_of_memory = true;
        m->stats.nomem++;
        return false;
    }
    memcpy(frame_ptr(m->pool, f), frame_ptr(m->pool, old), FRAME_SIZE);
    p2m_change(m, gfn);
    m->frame[gfn] = f;
    frames_free(m->pool, old);
    return true;
}

void p2m_exchange(P2m *a, P2m *b)
{
    FrameId *f = a->frame;
    uint8_t *st = a->state;
    uint64_t r = a->resident;
    a->frame = b->frame, a->state = b->state, a->resident = b->resident;
    b->frame = f, b->state = st, b->resident = r;
}

void p2m_harvest_access(P2m *m)
{
    if (m->cache.harvest_access)
        m->cache.harvest_access(m->cache.opaque, m);
}

bool p2m_test_clear_accessed(P2m *m, uint64_t gfn)
{
    uint64_t bit = 1ull << (gfn % 64);
    bool was = m->accessed[gfn / 64] & bit;
    m->accessed[gfn / 64] &= ~bit;
    return was;
}
