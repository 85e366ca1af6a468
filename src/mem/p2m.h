/* The p2m: one VM's guest-physical page -> machine frame map, and the
 * memory events every service uses (DESIGN.md, "Machine memory and memory
 * events").
 *
 * Each guest page has a state, a frame (while resident), a generation and a
 * write-protect mask. The caches above (soft TLBs, shadow tables, decoded
 * code; mmu/ and cpu/) subscribe once through MemCacheOps; services
 * subscribe as watchers. The four events:
 *  1. page state change: p2m_change() bumps the page's generation and tells
 *     the caches to drop whatever reaches the page, before the caller gives
 *     it another frame or state;
 *  2. write-protect: p2m_write_protect(gfn, watcher) makes the caches build
 *     the page read-only; the next guest write traps (p2m_write_fault), each
 *     watcher that asked is told once, and the page is writable again;
 *  3. access information: a bit per page set when a translation to it is
 *     built, plus the pages the caches hold now (harvested on demand), read
 *     and cleared by a clock;
 *  4. VM, address-space and TLBI events are the vCPU's (mmu/shadow.h).
 *
 * A page without a frame is absent (never touched: reads as zeros), filled
 * (every 64-bit word the same value, kept in its slot) or compressed (its
 * slot is a handle of the page store, the compressed-swap service). The next
 * access to it — CPU, page-table walk or device, all through p2m_page() —
 * gives it a frame again (first touch). */
#ifndef TANDEM_P2M_H
#define TANDEM_P2M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/frames.h"

typedef enum PageState {
    PAGE_ABSENT = 0,
    PAGE_RESIDENT = 1,
    PAGE_FILLED = 2,     /* same-filled: the value is its slot */
    PAGE_COMPRESSED = 3, /* in the page store: the handle is its slot */
} PageState;

struct P2m;

/* The guest pages the caches know, in the compressed-swap service's order
 * of preference (DESIGN.md: the address space running now first). */
typedef enum MemSpace {
    MEM_SPACE_PINNED,  /* reachable by the current address space's soft TLBs: never evicted */
    MEM_SPACE_CURRENT, /* mapped by the address space running now */
    MEM_SPACE_OTHERS,  /* mapped by the other address spaces */
    MEM_SPACE_GLOBAL,  /* global (kernel) mappings */
} MemSpace;

/* What the caches above mem do on an event (one subscriber: the vCPU's mmu). */
typedef struct MemCacheOps {
    void *opaque;
    /* Drop every soft-TLB, shadow and decoded-code entry that reaches gfn. */
    void (*page_changing)(void *opaque, uint64_t gfn);
    /* Entries for gfn must no longer allow writes. */
    void (*write_protected)(void *opaque, uint64_t gfn);
    /* Mark as accessed every page the caches can reach without a miss. */
    void (*harvest_access)(void *opaque, struct P2m *m);
    /* Many pages changed at once (their generations are already bumped). */
    void (*pages_changing)(void *opaque, const uint32_t *gfns, size_t n);
    /* Call fn(arg, gfn) for the pages of one space until it returns false
     * (a page may be named more than once). */
    void (*visit_pages)(void *opaque, struct P2m *m, MemSpace which, bool (*fn)(void *, uint64_t), void *arg);
} MemCacheOps;

/* Where compressed pages live (the compressed-swap service). Handles may
 * be held by several pages (a backup VM's page shares its primary's). */
typedef struct PageStore {
    void *opaque;
    /* Give compressed page gfn of m a frame again (p2m_alloc_frame,
     * decompress, p2m_install). False if no frame could be had. */
    bool (*fault_in)(void *opaque, struct P2m *m, uint64_t gfn);
    void (*get)(void *opaque, uint64_t handle); /* one more page holds it */
    void (*put)(void *opaque, uint64_t handle); /* one page fewer */
} PageStore;

/* A subscriber to write-protect events. */
#define MEM_WATCHERS 8
typedef struct MemWatcher {
    const char *name;
    void *opaque;
    /* The page is about to be written. False: the watcher could not do what
     * it needs first (no machine frame); the write must wait. */
    bool (*written)(void *opaque, uint64_t gfn);
} MemWatcher;

typedef struct P2mStats {
    uint64_t populated;     /* pages given a frame on first touch */
    uint64_t changes;       /* page state changes */
    uint64_t write_protects, write_faults;
    uint64_t nomem;         /* populations refused: machine memory exhausted */
    uint64_t filled_in;     /* same-filled pages given a frame again */
    uint64_t merged;        /* pages that gave up their frame for an equal page's (page sharing) */
    uint64_t cow_breaks;    /* writes that gave a shared page a frame of its own */
} P2mStats;

typedef struct P2m {
    FramePool *pool;
    uint64_t base;   /* guest-physical address of page 0 */
    uint64_t npages;
    FrameId home;    /* preferred frame of page 0 (pages prefer home + gfn) */
    FrameId *frame;  /* FRAME_NONE unless resident */
    uint8_t *state;  /* PageState */
    uint64_t *slot;  /* value of a filled page, handle of a compressed one */
    uint32_t *gen;
    uint8_t *wp;     /* bit i: watcher i waits for the next write */
    uint64_t *accessed; /* bitmap */
    uint64_t resident, filled, compressed; /* pages in each state */
    bool out_of_memory; /* the latest population failed */
    MemCacheOps cache;
    const PageStore *store;
    struct P2m *twin; /* the other table of a protected VM: page i may share its frame */
    uint8_t twin_bit; /* a watcher bit of this (primary) table, set while page i equals the twin's */
    bool twin_apart;  /* the twins hold no frame or stored copy in common (a backup that must
                         survive a memory error in the primary's copy) */
    MemWatcher watch[MEM_WATCHERS];
    unsigned nwatch;
    P2mStats stats;
} P2m;

/* `bytes` of RAM at guest-physical `base`, frames from `pool`. */
bool p2m_init(P2m *m, FramePool *pool, uint64_t base, uint64_t bytes, FrameId home);
/* Frees every frame. */
void p2m_destroy(P2m *m);

static inline bool p2m_contains(const P2m *m, uint64_t gpa)
{
    return gpa - m->base < m->npages * FRAME_SIZE;
}

static inline uint64_t p2m_index(const P2m *m, uint64_t gpa)
{
    return (gpa - m->base) / FRAME_SIZE;
}

/* Give page i a frame (first touch, or back from filled or compressed);
 * false if machine memory is exhausted (m->out_of_memory is then set). */
bool p2m_populate(P2m *m, uint64_t i);

/* A frame for page gfn (its home frame if free), zero-filled unless the
 * caller overwrites it whole (the page store decompressing into it), or
 * FRAME_NONE with m->out_of_memory set. */
FrameId p2m_alloc_frame(P2m *m, uint64_t gfn, bool zeroed);
/* Compressed page gfn now has frame f holding its contents. */
void p2m_install(P2m *m, uint64_t gfn, FrameId f);
/* Resident page gfn, already announced (p2m_change/p2m_change_many), gives
 * up its frame and keeps its contents as a value or a store handle (the
 * caller's reference). Write-protect and access bits stay as they are. */
void p2m_store_filled(P2m *m, uint64_t gfn, uint64_t value);
void p2m_store_compressed(P2m *m, uint64_t gfn, uint64_t handle);
/* Every 64-bit word of the page equals *value? */
bool page_is_filled(const uint8_t *page, uint64_t *value);

/* Host address of the page holding `gpa` (given a frame on first touch);
 * NULL if gpa is not RAM or machine memory is exhausted. Valid until the
 * page's next state change. */
static inline uint8_t *p2m_page(P2m *m, uint64_t gpa)
{
    if (!p2m_contains(m, gpa))
        return NULL;
    uint64_t i = p2m_index(m, gpa);
    if (__builtin_expect(m->state[i] != PAGE_RESIDENT, 0) && !p2m_populate(m, i))
        return NULL;
    return frame_ptr(m->pool, m->frame[i]);
}

static inline uint32_t p2m_gen(const P2m *m, uint64_t gpa)
{
    return m->gen[p2m_index(m, gpa)];
}

/* Event 1: page gfn is about to change frame or state. */
void p2m_change(P2m *m, uint64_t gfn);
/* Take page gfn's frame away (it reads as zeros when touched again). */
void p2m_discard(P2m *m, uint64_t gfn);

/* Many pages change at once (one cache pass): event 1 for each of gfns. */
void p2m_change_many(P2m *m, const uint32_t *gfns, size_t n);

/* Frames shared between p2ms of one pool (a backup VM, page sharing). */
/* dst's page gfn maps src's frame for it (or is absent like it). */
bool p2m_share_from(P2m *dst, const P2m *src, uint64_t gfn);
/* dst's page gfn holds a copy of src's contents, in a frame of its own
 * (src's frame shared instead when the pool has none to give). */
void p2m_copy_from(P2m *dst, const P2m *src, uint64_t gfn);
/* Give page gfn a frame of its own if it shares one (copy on write);
 * false if machine memory is exhausted. */
bool p2m_break_share(P2m *m, uint64_t gfn);
/* A frame with more than one owner is never writable: the first write to
 * any of its pages takes the write fault and a copy (p2m_write_fault). */
static inline bool p2m_is_shared(const P2m *m, uint64_t gfn)
{
    return m->state[gfn] == PAGE_RESIDENT && frames_owners(m->pool, m->frame[gfn]) > 1;
}
/* Page sharing: resident page dg of dst, whose contents the caller found
 * equal to src's resident page sg, maps sg's frame instead of its own (one
 * frame fewer). A page-state change for dg; src's caches lose write access
 * to sg. False if the frame has as many owners as it can count. */
bool p2m_merge(P2m *dst, uint64_t dg, P2m *src, uint64_t sg);
/* Swap the two maps' frame tables: each now has the other's memory (O(1));
 * the caller announces the pages whose contents differ (p2m_change_many). */
void p2m_exchange(P2m *a, P2m *b);

/* Event 2. Returns the watcher's bit, or 0 if there is no room. */
uint8_t p2m_watch(P2m *m, const char *name, bool (*written)(void *, uint64_t), void *opaque);
void p2m_write_protect(P2m *m, uint64_t gfn, uint8_t watcher_bit);
/* The same for many pages, with one pass of the caches. */
void p2m_write_protect_many(P2m *m, const uint32_t *gfns, size_t n, uint8_t watcher_bit);
void p2m_write_protect_all(P2m *m, uint8_t watcher_bit);
/* A guest (or device) write is about to reach a page that is not writable:
 * every watcher that asked is told, a shared frame is copied (copy on
 * write), then the page is writable. False if a watcher or the copy could
 * not proceed (no machine frame): the write must be retried. */
bool p2m_write_fault(P2m *m, uint64_t gfn);
static inline bool p2m_writable(const P2m *m, uint64_t gfn)
{
    return m->wp[gfn] == 0 && !p2m_is_shared(m, gfn);
}

/* Does page gfn hold what the twin's page gfn holds (not written since)? */
static inline bool p2m_equals_twin(const P2m *m, uint64_t gfn)
{
    const P2m *primary = m->twin_bit ? m : m->twin;
    return m->twin && primary && primary->twin_bit && (primary->wp[gfn] & primary->twin_bit);
}

static inline bool p2m_test_accessed(const P2m *m, uint64_t gfn)
{
    return (m->accessed[gfn / 64] >> (gfn % 64)) & 1;
}

static inline bool p2m_has_frame(const P2m *m, uint64_t gfn)
{
    return m->state[gfn] == PAGE_RESIDENT;
}

/* Event 3. */
static inline void p2m_mark_accessed(P2m *m, uint64_t gfn)
{
    m->accessed[gfn / 64] |= 1ull << (gfn % 64);
}
/* Fold in the pages the caches hold now (call before a clock pass). */
void p2m_harvest_access(P2m *m);
/* The pages of one space, as the caches know them (none without caches). */
void p2m_visit_pages(P2m *m, MemSpace which, bool (*fn)(void *, uint64_t), void *arg);
/* Was gfn used since the last call? Clears the bit. */
bool p2m_test_clear_accessed(P2m *m, uint64_t gfn);

#endif
