#include "share/share.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#define SKIP_FACTOR 64 /* a pass also ends after this many pages per page to scan (absent ones) */

static const char *const names[] = {[SHARE_OFF] = "off", [SHARE_VM] = "vm", [SHARE_ALL] = "all"};

bool share_parse(const char *name, ShareMode *mode)
{
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i])) {
            *mode = (ShareMode)i;
            return true;
        }
    return false;
}

const char *share_mode_name(ShareMode mode)
{
    return names[mode];
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool share_init(Share *s, FramePool *pool, const ShareConfig *cfg)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->pool = pool;
    if (!s->cfg.pages)
        s->cfg.pages = SHARE_DEFAULT_PAGES;
    if (!s->cfg.sleep_set)
        s->cfg.sleep_ms = SHARE_DEFAULT_SLEEP_MS;
    return true;
}

static void free_space(ShareSpace *sp)
{
    free(sp->sum);
    free(sp);
}

void share_destroy(Share *s)
{
    for (unsigned i = 0; i < SHARE_MAX_SPACES; i++)
        if (s->space[i])
            free_space(s->space[i]);
    index_free(&s->stable);
    index_free(&s->unstable);
    memset(s, 0, sizeof *s);
}

bool share_add_space(Share *s, P2m *m)
{
    unsigned i = 0;
    while (i < SHARE_MAX_SPACES && s->space[i])
        i++;
    if (i == SHARE_MAX_SPACES)
        return false;
    ShareSpace *sp = calloc(1, sizeof *sp);
    if (!sp || !(sp->sum = calloc(m->npages ? m->npages : 1, sizeof *sp->sum))) {
        free(sp);
        return false;
    }
    sp->m = m;
    s->space[i] = sp;
    return true;
}

void share_remove_space(Share *s, P2m *m)
{
    for (unsigned i = 0; i < SHARE_MAX_SPACES; i++)
        if (s->space[i] && s->space[i]->m == m) {
            free_space(s->space[i]);
            s->space[i] = NULL; /* index entries naming it fail their check from now on */
            return;
        }
}

const ShareSpace *share_space_of(const Share *s, const P2m *m)
{
    for (unsigned i = 0; i < SHARE_MAX_SPACES; i++)
        if (s->space[i] && s->space[i]->m == m)
            return s->space[i];
    return NULL;
}

/* ---- the scan ---- */

/* The page an entry names, if it still has the frame it had. */
static P2m *entry_page(const Share *s, const IndexEntry *e)
{
    const ShareSpace *sp = e->space < SHARE_MAX_SPACES ? s->space[e->space] : NULL;
    if (!sp || e->gfn >= sp->m->npages || sp->m->state[e->gfn] != PAGE_RESIDENT || sp->m->frame[e->gfn] != e->frame)
        return NULL;
    return sp->m;
}

static bool same_bytes(const Share *s, FrameId a, FrameId b)
{
    return memcmp(frame_ptr(s->pool, a), frame_ptr(s->pool, b), FRAME_SIZE) == 0;
}

/* Page g of space si joins the page the entry names (which keeps its frame). */
static bool join(Share *s, unsigned si, uint64_t g, const IndexEntry *e, P2m *rep)
{
    if (s->cfg.mode == SHARE_VM && e->space != si)
        return false; /* keys differ per VM; only a hash collision gets here */
    if (!p2m_merge(s->space[si]->m, g, rep, e->gfn))
        return false;
    s->st.merges++;
    return true;
}

/* Try the stable index: true if page g now shares a frame. */
static bool try_stable(Share *s, unsigned si, uint64_t g, uint64_t key)
{
    IndexEntry *e = index_find(&s->stable, key);
    if (!e)
        return false;
    P2m *rep = entry_page(s, e);
    FrameId f = s->space[si]->m->frame[g];
    if (!rep || !same_bytes(s, f, e->frame)) {
        index_remove(&s->stable, e); /* its page was written, swapped out or removed */
        s->st.stale++;
        return false;
    }
    return join(s, si, g, e, rep);
}

/* Try the unstable index, or enter page g in it. */
static void try_unstable(Share *s, unsigned si, uint64_t g, uint64_t key)
{
    P2m *m = s->space[si]->m;
    FrameId f = m->frame[g];
    IndexEntry here = {.hash = key, .gfn = (uint32_t)g, .space = (uint16_t)si, .frame = f};
    IndexEntry *e = index_find(&s->unstable, key);
    if (e && !(e->space == si && e->gfn == g)) {
        P2m *rep = entry_page(s, e);
        if (rep && frames_owners(s->pool, e->frame) == 1 && same_bytes(s, f, e->frame)) {
            IndexEntry st = *e;
            if (join(s, si, g, e, rep)) {
                index_remove(&s->unstable, e);
                index_put(&s->stable, &st); /* out of host memory: the share stays, unindexed */
                return;
            }
        }
        *e = here; /* the old candidate is gone or different: this page takes its place */
        return;
    }
    if (!e)
        index_put(&s->unstable, &here);
}

static void visit(Share *s, unsigned si, uint64_t g)
{
    ShareSpace *sp = s->space[si];
    P2m *m = sp->m;
    s->st.pages_scanned++;
    if (frames_owners(s->pool, m->frame[g]) > 1)
        return; /* shared already (with another page, or with the VM's backup) */
    s->st.pages_hashed++;
    uint64_t h = XXH3_64bits(frame_ptr(s->pool, m->frame[g]), FRAME_SIZE);
    uint64_t key = s->cfg.mode == SHARE_VM ? XXH3_64bits_withSeed(&h, sizeof h, si + 1) : h;
    if (try_stable(s, si, g, key)) {
        sp->sum[g] = 0; /* shared: its next change is a copy, seen afresh */
        return;
    }
    uint32_t sum = (uint32_t)(h >> 32) | 1;
    if (sp->sum[g] != sum) { /* new, or changed since the last visit: volatile for now */
        sp->sum[g] = sum;
        s->volatile_now++;
        return;
    }
    try_unstable(s, si, g, key);
}

/* Shares that have lost all but one page are forgotten (the page is
 * writable again, its contents may change). */
static void prune_stable(Share *s)
{
    for (size_t i = 0; i < s->stable.cap;) {
        IndexEntry *e = &s->stable.e[i];
        if (e->hash && (!entry_page(s, e) || frames_owners(s->pool, e->frame) < 2)) {
            index_remove(&s->stable, e); /* a later entry may have moved into slot i */
            s->st.stale++;
            continue;
        }
        i++;
    }
}

static void end_full_scan(Share *s)
{
    s->st.full_scans++;
    s->st.pages_volatile = s->volatile_now;
    s->st.pages_unshared = s->unstable.n;
    s->volatile_now = 0;
    s->scan_steps = 0;
    index_clear(&s->unstable);
    prune_stable(s);
}

unsigned share_pass(Share *s)
{
    uint64_t t0 = now_ns(), merges = s->st.merges;
    /* Short of machine memory, sharing is the cheap way to make room (a
     * merge costs a hash and a compare, a compressed page a fault-in on
     * every use): the scanner works harder until a quarter is free. */
    uint64_t pages = s->cfg.pages;
    if (frames_free_count(s->pool) < s->pool->nframes / SHARE_PRESSURE_DIV) {
        pages *= SHARE_PRESSURE_BOOST;
        s->st.boosted_passes++;
    }
    uint64_t budget = pages, steps = pages * SKIP_FACTOR;
    while (budget && steps) {
        if (s->at_space >= SHARE_MAX_SPACES) {
            s->at_space = 0;
            s->at_gfn = 0;
            if (s->scan_steps)
                end_full_scan(s);
            break; /* no guest ran since these pages were seen: the next pass goes on */
        }
        ShareSpace *sp = s->space[s->at_space];
        if (!sp || s->at_gfn >= sp->m->npages) {
            s->at_space++;
            s->at_gfn = 0;
            continue;
        }
        uint64_t g = s->at_gfn++;
        steps--;
        s->scan_steps++;
        if (sp->m->state[g] == PAGE_RESIDENT) {
            visit(s, s->at_space, g);
            budget--;
        }
    }
    s->st.passes++;
    s->st.scan_ns += now_ns() - t0;
    return (unsigned)(s->st.merges - merges);
}

void share_tick(Share *s, uint64_t now)
{
    if (now < s->next_ns)
        return;
    share_pass(s);
    s->next_ns = now + (uint64_t)s->cfg.sleep_ms * 1000000u;
}

/* ---- figures ---- */

ShareUsage share_usage(const Share *s, const P2m *m)
{
    ShareUsage u = {0};
    uint16_t *maps = calloc(s->pool->nframes ? s->pool->nframes : 1, sizeof *maps);
    if (!maps)
        return u;
    for (unsigned i = 0; i < SHARE_MAX_SPACES; i++) {
        const P2m *p = s->space[i] ? s->space[i]->m : NULL;
        for (uint64_t g = 0; p && g < p->npages; g++)
            if (p->state[g] == PAGE_RESIDENT && maps[p->frame[g]] < UINT16_MAX)
                maps[p->frame[g]]++;
    }
    for (uint64_t f = 0; f < s->pool->nframes; f++)
        if (maps[f] > 1) {
            u.pages_shared++;
            u.pages_sharing += maps[f] - 1u;
        }
    for (unsigned i = 0; i < SHARE_MAX_SPACES; i++) {
        const P2m *p = s->space[i] ? s->space[i]->m : NULL;
        if (!p || (m && p != m))
            continue;
        for (uint64_t g = 0; g < p->npages; g++)
            u.pages_on_shared += p->state[g] == PAGE_RESIDENT && maps[p->frame[g]] > 1;
    }
    free(maps);
    return u;
}

uint64_t share_cow_breaks(const Share *s, const P2m *m)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < SHARE_MAX_SPACES; i++) {
        const ShareSpace *sp = s->space[i];
        if (sp && (!m || sp->m == m))
            n += sp->m->stats.cow_breaks;
    }
    return n;
}
