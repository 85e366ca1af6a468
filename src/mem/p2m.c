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
    m->slot = calloc(m->npages, sizeof *m->slot);
    m->gen = calloc(m->npages, sizeof *m->gen);
    m->wp = calloc(m->npages, 1);
    m->accessed = calloc((m->npages + 63) / 64, sizeof *m->accessed);
    if (!m->frame || !m->state || !m->slot || !m->gen || !m->wp || !m->accessed) {
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
        if (m->state[i] == PAGE_COMPRESSED)
            m->store->put(m->store->opaque, m->slot[i]);
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
    free(m->slot);
    free(m->gen);
    free(m->wp);
    free(m->accessed);
    memset(m, 0, sizeof *m);
}

FrameId p2m_alloc_frame(P2m *m, uint64_t gfn, bool zeroed)
{
    FrameId hint = m->home == FRAME_NONE ? FRAME_NONE : m->home + (FrameId)gfn;
    FrameId f = zeroed ? frames_alloc(m->pool, hint) : frames_alloc_unzeroed(m->pool, hint);
    if (f == FRAME_NONE) {
        m->out_of_memory = true;
        m->stats.nomem++;
        return FRAME_NONE;
    }
    m->out_of_memory = false;
    return f;
}

/* Page i takes frame f (it had none). */
static void take_frame(P2m *m, uint64_t i, FrameId f)
{
    m->frame[i] = f;
    m->state[i] = PAGE_RESIDENT;
    m->gen[i]++;
    m->resident++;
}

void p2m_install(P2m *m, uint64_t gfn, FrameId f)
{
    m->store->put(m->store->opaque, m->slot[gfn]);
    m->compressed--;
    take_frame(m, gfn, f);
}

static void fill_page(uint8_t *page, uint64_t value)
{
    for (unsigned o = 0; o < FRAME_SIZE; o += 8)
        memcpy(page + o, &value, 8);
}

bool page_is_filled(const uint8_t *page, uint64_t *value)
{
    uint64_t v, w;
    memcpy(&v, page, 8);
    for (unsigned o = 8; o < FRAME_SIZE; o += 8) {
        memcpy(&w, page + o, 8);
        if (w != v)
            return false;
    }
    *value = v;
    return true;
}

bool p2m_populate(P2m *m, uint64_t i)
{
    if (m->state[i] == PAGE_COMPRESSED)
        return m->store->fault_in(m->store->opaque, m, i);
    FrameId f = p2m_alloc_frame(m, i, m->state[i] == PAGE_ABSENT || !m->slot[i]);
    if (f == FRAME_NONE)
        return false;
    if (m->state[i] == PAGE_FILLED) {
        if (m->slot[i])
            fill_page(frame_ptr(m->pool, f), m->slot[i]);
        m->filled--;
        m->stats.filled_in++;
    } else {
        m->stats.populated++;
    }
    take_frame(m, i, f);
    return true;
}

/* Resident page gfn gives up its frame for a value or a handle. */
static void keep_without_frame(P2m *m, uint64_t gfn, PageState st, uint64_t slot)
{
    frames_free(m->pool, m->frame[gfn]);
    m->frame[gfn] = FRAME_NONE;
    m->state[gfn] = st;
    m->slot[gfn] = slot;
    m->resident--;
    *(st == PAGE_FILLED ? &m->filled : &m->compressed) += 1;
}

void p2m_store_filled(P2m *m, uint64_t gfn, uint64_t value)
{
    keep_without_frame(m, gfn, PAGE_FILLED, value);
}

void p2m_store_compressed(P2m *m, uint64_t gfn, uint64_t handle)
{
    keep_without_frame(m, gfn, PAGE_COMPRESSED, handle);
}

/* Page gfn lets go of whatever holds its contents and is absent (no event:
 * the caller announces the change). */
static void release(P2m *m, uint64_t gfn)
{
    switch (m->state[gfn]) {
    case PAGE_RESIDENT:
        frames_free(m->pool, m->frame[gfn]);
        m->frame[gfn] = FRAME_NONE;
        m->resident--;
        break;
    case PAGE_FILLED:
        m->filled--;
        break;
    case PAGE_COMPRESSED:
        m->store->put(m->store->opaque, m->slot[gfn]);
        m->compressed--;
        break;
    }
    m->state[gfn] = PAGE_ABSENT;
    m->slot[gfn] = 0;
}

/* dst's page gfn holds what src's filled or compressed page holds. */
static void take_value(P2m *dst, const P2m *src, uint64_t gfn)
{
    uint8_t st = src->state[gfn];
    uint64_t v = src->slot[gfn];
    if (st == PAGE_COMPRESSED) {
        src->store->get(src->store->opaque, v);
        dst->store = src->store;
        dst->compressed++;
    } else {
        dst->filled++;
    }
    dst->state[gfn] = st;
    dst->slot[gfn] = v;
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
    if (m->state[gfn] == PAGE_ABSENT)
        return;
    p2m_change(m, gfn);
    release(m, gfn);
    m->wp[gfn] = 0;
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
    if (failed)
        return false;
    if (!p2m_is_shared(m, gfn))
        return true;
    if (!p2m_break_share(m, gfn))
        return false;
    m->stats.cow_breaks++;
    return true;
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
    uint8_t st = src->state[gfn];
    if (st == dst->state[gfn] && (st == PAGE_RESIDENT ? dst->frame[gfn] == src->frame[gfn]
                                                      : st == PAGE_ABSENT || dst->slot[gfn] == src->slot[gfn]))
        return true;
    if (st == PAGE_RESIDENT && !frames_ref(src->pool, src->frame[gfn]))
        return false;
    if (dst->state[gfn] != PAGE_ABSENT) {
        p2m_change(dst, gfn);
        release(dst, gfn);
    }
    if (st == PAGE_RESIDENT) {
        dst->frame[gfn] = src->frame[gfn];
        dst->state[gfn] = PAGE_RESIDENT;
        dst->resident++;
    } else if (st != PAGE_ABSENT) {
        take_value(dst, src, gfn);
    }
    return true;
}

void p2m_copy_from(P2m *dst, const P2m *src, uint64_t gfn)
{
    if (src->state[gfn] != PAGE_RESIDENT) {
        p2m_share_from(dst, src, gfn); /* absent, filled or compressed: the value or handle is shared */
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
    release(dst, gfn);
    dst->frame[gfn] = f;
    dst->state[gfn] = PAGE_RESIDENT;
    dst->resident++;
}

bool p2m_merge(P2m *dst, uint64_t dg, P2m *src, uint64_t sg)
{
    FrameId f = src->frame[sg];
    if (dst->frame[dg] == f)
        return true;
    if (!frames_ref(src->pool, f))
        return false;
    /* The frame's first owner may hold writable entries for it: no more. */
    if (frames_owners(src->pool, f) == 2 && src->cache.write_protected)
        src->cache.write_protected(src->cache.opaque, sg);
    p2m_change(dst, dg);
    frames_release(dst->pool, dst->frame[dg]);
    dst->frame[dg] = f;
    dst->stats.merged++;
    return true;
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

#define SWAP(a, b)            \
    do {                      \
        __typeof__(a) t_ = a; \
        a = b;                \
        b = t_;               \
    } while (0)

void p2m_exchange(P2m *a, P2m *b)
{
    SWAP(a->frame, b->frame);
    SWAP(a->state, b->state);
    SWAP(a->slot, b->slot);
    SWAP(a->resident, b->resident);
    SWAP(a->filled, b->filled);
    SWAP(a->compressed, b->compressed);
    if (!a->store)
        a->store = b->store;
    if (!b->store)
        b->store = a->store;
}

void p2m_visit_pages(P2m *m, MemSpace which, bool (*fn)(void *, uint64_t), void *arg)
{
    if (m->cache.visit_pages)
        m->cache.visit_pages(m->cache.opaque, m, which, fn, arg);
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
