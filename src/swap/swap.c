#include "swap/swap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 256           /* victims announced to the caches at once */
#define ZPOOL_RESERVE 16    /* frames only the compressed pool may take */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t stamp_ms(const Swap *s)
{
    return (uint32_t)((now_ns() - s->started_ns) / 1000000u);
}

static bool bit(const uint64_t *map, uint64_t i)
{
    return (map[i / 64] >> (i % 64)) & 1;
}

static void set_bit(uint64_t *map, uint64_t i)
{
    map[i / 64] |= 1ull << (i % 64);
}

static void clear_bit(uint64_t *map, uint64_t i)
{
    map[i / 64] &= ~(1ull << (i % 64));
}

static SwapSpace *find_space(Swap *s, const P2m *m)
{
    for (unsigned i = 0; i < s->nspaces; i++)
        if (s->space[i]->m == m)
            return s->space[i];
    return NULL;
}

const SwapSpace *swap_space_of(const Swap *s, const P2m *m)
{
    return find_space((Swap *)s, m);
}

/* ---- the page store (fault-in) ---- */

static bool store_fault_in(void *opaque, P2m *m, uint64_t gfn)
{
    Swap *s = opaque;
    uint64_t t0 = now_ns();
    uint32_t h = (uint32_t)m->slot[gfn];
    zpool_prefetch(&s->z, h);
    FrameId f = p2m_alloc_frame(m, gfn, false);
    if (f == FRAME_NONE)
        return false;
    uint8_t *dst = frame_ptr(m->pool, f);
    for (unsigned o = 0; o < FRAME_SIZE; o += 64)
        __builtin_prefetch(dst + o, 1, 3);
    uint8_t buf[FRAME_SIZE];
    const ZObj *o = zpool_obj(&s->z, h);
    const uint8_t *data = zpool_load(&s->z, h, buf);
    uint64_t t1 = now_ns();
    if (!codec_decompress(&s->codec, data, o->len, dst)) {
        /* Only a defect in Tandem can get here: stop before a guest runs on garbage. */
        fprintf(stderr, "tandem: swap: compressed page %#lx (handle %u, %u bytes) does not decompress\n",
                (unsigned long)(m->base + gfn * FRAME_SIZE), h, o->len);
        abort();
    }
    uint64_t t2 = now_ns();
    bool refault = stamp_ms(s) - o->stamp < SWAP_REFAULT_MS;
    SwapSpace *sp = find_space(s, m);
    if (sp) {
        sp->n.faulted_in++;
        sp->n.refaults += refault;
    }
    s->stats.n.faulted_in++;
    s->stats.n.refaults += refault;
    p2m_install(m, gfn, f);
    latency_add(&s->decompress_lat, t2 - t1);
    latency_add(&s->fault_lat, now_ns() - t0);
    return true;
}

static void store_get(void *opaque, uint64_t h)
{
    zpool_get(&((Swap *)opaque)->z, (uint32_t)h);
}

static void store_put(void *opaque, uint64_t h)
{
    zpool_put(&((Swap *)opaque)->z, (uint32_t)h);
}

/* ---- setup ---- */

uint64_t swap_low(const Swap *s)
{
    if (s->cfg.low)
        return s->cfg.low;
    uint64_t low = s->pool->nframes / 50;
    return low > 256 ? low : 256;
}

uint64_t swap_high(const Swap *s)
{
    if (s->cfg.high)
        return s->cfg.high;
    return swap_low(s) * 2;
}

bool swap_init(Swap *s, FramePool *pool, const SwapConfig *cfg, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->pool = pool;
    if (!s->cfg.threshold)
        s->cfg.threshold = SWAP_DEFAULT_THRESHOLD;
    if (s->cfg.threshold >= FRAME_SIZE) {
        snprintf(err, errlen, "compress-threshold %u: must be below the page size (%u bytes)", s->cfg.threshold,
                 FRAME_SIZE);
        return false;
    }
    if (!codec_init(&s->codec, cfg->alg)) {
        snprintf(err, errlen, "could not set up the %s compressor", codec_name(cfg->alg));
        return false;
    }
    if (swap_high(s) < swap_low(s)) {
        snprintf(err, errlen, "swap watermarks: high (%lu frames) is below low (%lu frames)",
                 (unsigned long)swap_high(s), (unsigned long)swap_low(s));
        codec_destroy(&s->codec);
        return false;
    }
    zpool_init(&s->z, pool);
    pool->reserve = ZPOOL_RESERVE;
    s->store = (PageStore){.opaque = s, .fault_in = store_fault_in, .get = store_get, .put = store_put};
    s->batch = malloc(BATCH * sizeof *s->batch);
    s->started_ns = now_ns();
    if (!s->batch) {
        snprintf(err, errlen, "out of host memory");
        swap_destroy(s);
        return false;
    }
    return true;
}

void swap_destroy(Swap *s)
{
    while (s->nspaces)
        swap_remove_space(s, s->space[0]->m);
    if (s->pool)
        s->pool->reserve = 0;
    zpool_destroy(&s->z);
    codec_destroy(&s->codec);
    free(s->batch);
    memset(s, 0, sizeof *s);
}

/* Memory event 2: an incompressible page was written; try it again. */
static bool kept_page_written(void *opaque, uint64_t gfn)
{
    SwapSpace *sp = opaque;
    sp->skip[gfn] = 0;
    return true;
}

static void free_space(SwapSpace *sp)
{
    free(sp->skip), free(sp->queued), free(sp->pinned), free(sp->kept);
    free(sp);
}

bool swap_add_space(Swap *s, P2m *m, const char *name, bool backup)
{
    if (s->nspaces == SWAP_MAX_SPACES)
        return false;
    SwapSpace *sp = calloc(1, sizeof *sp);
    if (!sp)
        return false;
    uint64_t words = (m->npages + 63) / 64;
    sp->skip = calloc(m->npages ? m->npages : 1, 1);
    sp->queued = calloc(words ? words : 1, sizeof *sp->queued);
    sp->pinned = calloc(words ? words : 1, sizeof *sp->pinned);
    sp->kept = malloc(BATCH * sizeof *sp->kept);
    if (!sp->skip || !sp->queued || !sp->pinned || !sp->kept ||
        (!backup && !(sp->watch = p2m_watch(m, "swap", kept_page_written, sp)))) {
        free_space(sp);
        return false;
    }
    sp->m = m;
    sp->backup = backup;
    snprintf(sp->name, sizeof sp->name, "%s", name);
    m->store = &s->store;
    s->space[s->nspaces++] = sp;
    return true;
}

void swap_remove_space(Swap *s, P2m *m)
{
    for (unsigned i = 0; i < s->nspaces; i++)
        if (s->space[i]->m == m) {
            free_space(s->space[i]);
            s->space[i] = s->space[--s->nspaces];
            return;
        }
}

/* ---- choosing and storing pages ---- */

/* Can page g's frame be freed by taking the page (and its twin's) away? */
static bool evictable(const P2m *m, uint64_t g)
{
    unsigned owners = frames_owners(m->pool, m->frame[g]);
    if (owners == 1)
        return true;
    const P2m *t = m->twin;
    return owners == 2 && t && t->state[g] == PAGE_RESIDENT && t->frame[g] == m->frame[g];
}

typedef struct Pass {
    Swap *s;
    SwapSpace *sp;
    uint64_t target;   /* available frames wanted */
    bool stop;         /* the compressed pool is full */
} Pass;

static bool enough(const Pass *p)
{
    return p->stop || frames_available(p->s->pool) + p->s->nbatch >= p->target;
}

/* Take one page away: compressed or as a value. False if it stays. */
typedef struct Stored {
    uint8_t state;
    uint64_t slot;
} Stored;

typedef enum Outcome { STORE_DONE, STORE_KEPT, STORE_FULL } Outcome;

static Outcome store_page(Swap *s, SwapSpace *sp, uint64_t g, Stored *out)
{
    const P2m *t = sp->m->twin;
    if (t && !sp->m->twin_apart && (t->state[g] == PAGE_FILLED || t->state[g] == PAGE_COMPRESSED) &&
        p2m_equals_twin(sp->m, g)) {
        /* The twin already keeps these bytes: hold its copy. */
        out->state = t->state[g];
        out->slot = t->slot[g];
        if (out->state == PAGE_COMPRESSED)
            zpool_get(&s->z, (uint32_t)out->slot);
        sp->n.twin_shared++;
        s->stats.n.twin_shared++;
        return STORE_DONE;
    }
    const uint8_t *page = frame_ptr(sp->m->pool, sp->m->frame[g]);
    if (page_is_filled(page, &out->slot)) {
        out->state = PAGE_FILLED;
        return STORE_DONE;
    }
    uint8_t buf[FRAME_SIZE];
    uint64_t t0 = now_ns();
    size_t n = codec_compress(&s->codec, page, buf, s->cfg.threshold);
    latency_add(&s->compress_lat, now_ns() - t0);
    if (!n) {
        if (sp->watch) {
            sp->skip[g] = SWAP_SKIP_UNTIL_WRITTEN;
            sp->kept[sp->nkept++] = (uint32_t)g;
        } else {
            sp->skip[g] = SWAP_SKIP_PASSES;
        }
        sp->n.incompressible++;
        s->stats.n.incompressible++;
        return STORE_KEPT;
    }
    uint32_t h = zpool_store(&s->z, buf, n, stamp_ms(s));
    if (h == ZPOOL_NONE) {
        s->stats.pool_full++;
        return STORE_FULL;
    }
    out->state = PAGE_COMPRESSED;
    out->slot = h;
    return STORE_DONE;
}

/* Victims stored but still holding their frames: announced to the caches
 * in one pass, then their frames are freed. */
typedef struct Commit {
    Stored st[BATCH];
    uint32_t done[BATCH], twins[BATCH];
    size_t n, nt;
} Commit;

static void commit(Swap *s, SwapSpace *sp, Commit *c)
{
    P2m *m = sp->m, *t = m->twin;
    p2m_change_many(m, c->done, c->n);
    if (c->nt)
        p2m_change_many(t, c->twins, c->nt);
    for (size_t i = 0, j = 0; i < c->n; i++) {
        uint32_t g = c->done[i];
        bool twin = j < c->nt && c->twins[j] == g;
        if (c->st[i].state == PAGE_FILLED) {
            p2m_store_filled(m, g, c->st[i].slot);
            if (twin)
                p2m_store_filled(t, g, c->st[i].slot);
            sp->n.filled++, s->stats.n.filled++;
        } else {
            p2m_store_compressed(m, g, c->st[i].slot);
            if (twin) {
                zpool_get(&s->z, (uint32_t)c->st[i].slot);
                p2m_store_compressed(t, g, c->st[i].slot);
                t->store = &s->store;
            }
            sp->n.compressed++, s->stats.n.compressed++;
        }
        j += twin;
    }
    c->n = c->nt = 0;
}

/* Store the queued victims. When the compressed pool finds no frame, the
 * pages stored so far give theirs up first and the page is tried again;
 * only a second refusal ends the pass. */
static void flush(Pass *p, SwapSpace *sp)
{
    Swap *s = p->s;
    P2m *m = sp->m;
    Commit c;
    c.n = c.nt = 0;
    for (size_t i = 0; i < s->nbatch; i++) {
        uint32_t g = s->batch[i];
        clear_bit(sp->queued, g);
        if (p->stop)
            continue;
        Outcome o = store_page(s, sp, g, &c.st[c.n]);
        if (o == STORE_FULL && c.n) {
            commit(s, sp, &c);
            o = store_page(s, sp, g, &c.st[c.n]);
        }
        p->stop = o == STORE_FULL;
        if (o != STORE_DONE)
            continue;
        if (frames_owners(m->pool, m->frame[g]) == 2)
            c.twins[c.nt++] = g;
        c.done[c.n++] = g;
    }
    s->nbatch = 0;
    p2m_write_protect_many(m, sp->kept, sp->nkept, sp->watch);
    sp->nkept = 0;
    commit(s, sp, &c);
}

/* The clock's look at one page: queue it if it was not used since the
 * last look. False: stop the walk. */
static bool consider(void *arg, uint64_t g)
{
    Pass *p = arg;
    if (enough(p))
        return false;
    SwapSpace *sp = p->sp;
    P2m *m = sp->m;
    p->s->stats.scanned++;
    if (g >= m->npages || m->state[g] != PAGE_RESIDENT || bit(sp->queued, g) || bit(sp->pinned, g) ||
        !evictable(m, g))
        return true;
    if (sp->skip[g]) {
        sp->skip[g] -= sp->skip[g] != SWAP_SKIP_UNTIL_WRITTEN;
        return true;
    }
    if (sp->backup && m->twin && !m->twin_apart && m->twin->state[g] == PAGE_RESIDENT && m->twin->frame[g] != m->frame[g] &&
        p2m_equals_twin(m, g) && !p2m_test_accessed(m->twin, g) && p2m_share_from(m, m->twin, g)) {
        /* A backup page equal to its primary's (an incompressible one too)
         * shares the primary's frame again: a frame freed without
         * compressing (the primary's next write copies it back). */
        sp->n.twin_shared++;
        p->s->stats.n.twin_shared++;
        return true;
    }
    bool used = p2m_test_clear_accessed(m, g);
    if (frames_owners(m->pool, m->frame[g]) == 2)
        used |= p2m_test_clear_accessed(m->twin, g);
    if (used) {
        p->s->stats.second_chances++;
        return true;
    }
    set_bit(sp->queued, g);
    p->s->batch[p->s->nbatch++] = (uint32_t)g;
    if (p->s->nbatch == BATCH)
        flush(p, sp);
    return true;
}

/* The clock hand goes round at most `laps` times. Queued pages count as
 * freed frames until they are stored, so after each flush the walk goes on
 * if what the compressed copies took leaves it short. */
static void sweep(Pass *p, SwapSpace *sp, unsigned laps)
{
    p->sp = sp;
    uint64_t left = laps * sp->m->npages;
    do {
        for (; left && !enough(p); left--) {
            uint64_t g = sp->hand;
            sp->hand = g + 1 == sp->m->npages ? 0 : g + 1;
            consider(p, g);
        }
        flush(p, sp);
    } while (left && !enough(p));
}

static void visit(Pass *p, SwapSpace *sp, MemSpace which)
{
    p->sp = sp;
    for (unsigned round = 0; round < 4 && !enough(p); round++) {
        uint64_t before = sp->n.compressed + sp->n.filled;
        p2m_visit_pages(sp->m, which, consider, p);
        flush(p, sp);
        if (sp->n.compressed + sp->n.filled == before)
            break; /* the space has nothing more to give */
    }
}

static bool pin(void *arg, uint64_t g)
{
    SwapSpace *sp = arg;
    if (g < sp->m->npages)
        set_bit(sp->pinned, g);
    return true;
}

static uint64_t reclaim_to(Swap *s, P2m *current, uint64_t target)
{
    uint64_t t0 = now_ns(), before = frames_available(s->pool);
    Pass p = {.s = s, .target = target};
    SwapSpace *cur = current ? find_space(s, current) : NULL;
    for (unsigned i = 0; i < s->nspaces; i++)
        if (!s->space[i]->backup)
            p2m_harvest_access(s->space[i]->m);
    if (cur)
        p2m_visit_pages(cur->m, MEM_SPACE_PINNED, pin, cur);
    for (unsigned i = 0; i < s->nspaces && !enough(&p); i++)
        if (s->space[i]->backup)
            sweep(&p, s->space[i], 1);
    if (cur) {
        static const MemSpace order[] = {MEM_SPACE_CURRENT, MEM_SPACE_OTHERS, MEM_SPACE_GLOBAL};
        for (unsigned i = 0; i < 3 && !enough(&p); i++)
            visit(&p, cur, order[i]);
        sweep(&p, cur, 2);
    }
    for (unsigned i = 0; i < s->nspaces && !enough(&p); i++)
        if (!s->space[i]->backup && s->space[i] != cur)
            sweep(&p, s->space[i], 2);
    if (cur)
        memset(cur->pinned, 0, (cur->m->npages + 63) / 64 * sizeof *cur->pinned);
    if (zpool_wasted(&s->z) > s->z.frames * FRAME_SIZE / 4 && s->z.frames >= 64)
        zpool_compact(&s->z);
    uint64_t after = frames_available(s->pool);
    s->stats.passes++;
    s->stats.reclaim_ns += now_ns() - t0;
    return after > before ? after - before : 0;
}

uint64_t swap_balance(Swap *s, P2m *current, uint64_t budget)
{
    uint64_t have = frames_available(s->pool), low = swap_low(s), high = swap_high(s);
    if (have >= low)
        return 0;
    if (s->backoff_left) { /* the last passes found little: do not rescan every slice */
        s->backoff_left--;
        return 0;
    }
    uint64_t want = high - have;
    if (want > budget)
        want = budget;
    uint64_t freed = reclaim_to(s, current, have + want);
    if (freed < want / 4) {
        s->backoff = s->backoff ? (s->backoff < 128 ? s->backoff * 2 : 128) : 1;
        s->backoff_left = s->backoff;
    } else {
        s->backoff = 0;
    }
    return freed;
}

uint64_t swap_reclaim(Swap *s, P2m *current)
{
    uint64_t have = frames_available(s->pool), high = swap_high(s);
    s->stats.direct++;
    reclaim_to(s, current, have < high ? high : have + SWAP_MIN_FREED);
    if (frames_available(s->pool) < have + SWAP_MIN_FREED)
        zpool_compact(&s->z);
    uint64_t after = frames_available(s->pool), freed = after > have ? after - have : 0;
    if (after < SWAP_MIN_FREED) {
        s->stats.failed++;
        return 0;
    }
    return freed ? freed : 1;
}

/* ---- statistics ---- */

static void add_usage(const Swap *s, const SwapSpace *sp, SwapUsage *u)
{
    const P2m *m = sp->m;
    for (uint64_t g = 0; g < m->npages; g++) {
        switch (m->state[g]) {
        case PAGE_COMPRESSED:
            u->orig_data_size += FRAME_SIZE;
            u->compr_data_size += zpool_obj(&s->z, (uint32_t)m->slot[g])->len;
            break;
        case PAGE_FILLED:
            u->same_pages++;
            break;
        case PAGE_RESIDENT:
            u->huge_pages += sp->skip[g] != 0;
            break;
        }
    }
}

SwapUsage swap_usage(const Swap *s, const P2m *m)
{
    SwapUsage u = {0};
    for (unsigned i = 0; i < s->nspaces; i++)
        if (!m || s->space[i]->m == m)
            add_usage(s, s->space[i], &u);
    if (!m) { /* the machine: what the pool stores, each object once (a backup may share its primary's) */
        u.orig_data_size = s->z.objects * FRAME_SIZE;
        u.compr_data_size = s->z.bytes;
    }
    return u;
}
