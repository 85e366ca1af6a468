#include "swap/zpool.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SLOTS (ZPOOL_MAX_FRAMES * FRAME_SIZE / ZPOOL_STEP)

/* Frames per zspage for objects of `size`: the count that wastes least. */
static unsigned best_frames(uint32_t size)
{
    unsigned best = 1;
    uint64_t best_used = 0;
    for (unsigned k = 1; k <= ZPOOL_MAX_FRAMES; k++) {
        uint64_t cap = (uint64_t)k * FRAME_SIZE, used = cap / size * size;
        if (used * best * FRAME_SIZE > best_used * cap) { /* used/cap > best_used/(best*FRAME_SIZE) */
            best = k;
            best_used = used;
        }
    }
    return best;
}

void zpool_init(ZPool *z, FramePool *pool)
{
    memset(z, 0, sizeof *z);
    z->pool = pool;
    z->zs_free = z->obj_free = ZPOOL_NONE;
    for (unsigned i = 0; i < ZPOOL_CLASSES; i++) {
        ZClass *c = &z->cls[i];
        c->size = (i + 1) * ZPOOL_STEP;
        c->frames = (uint8_t)best_frames(c->size);
        c->per_zspage = (uint16_t)(c->frames * FRAME_SIZE / c->size);
        c->partial = ZPOOL_NONE;
    }
}

void zpool_destroy(ZPool *z)
{
    for (uint32_t i = 0; i < z->nzs; i++) {
        ZsPage *p = &z->zs[i];
        if (!p->live)
            continue;
        for (unsigned k = 0; k < z->cls[p->cls].frames; k++)
            frames_free(z->pool, p->frame[k]);
        free(p->handles);
    }
    free(z->zs);
    free(z->obj);
    memset(z, 0, sizeof *z);
}

static unsigned class_of(size_t len)
{
    return (unsigned)((len + ZPOOL_STEP - 1) / ZPOOL_STEP - 1);
}

/* ---- zspages and their class's partial list ---- */

static void partial_add(ZPool *z, uint32_t id)
{
    ZsPage *p = &z->zs[id];
    ZClass *c = &z->cls[p->cls];
    p->prev = ZPOOL_NONE;
    p->next = c->partial;
    if (c->partial != ZPOOL_NONE)
        z->zs[c->partial].prev = id;
    c->partial = id;
}

static void partial_remove(ZPool *z, uint32_t id)
{
    ZsPage *p = &z->zs[id];
    if (p->prev != ZPOOL_NONE)
        z->zs[p->prev].next = p->next;
    else
        z->cls[p->cls].partial = p->next;
    if (p->next != ZPOOL_NONE)
        z->zs[p->next].prev = p->prev;
}

static uint32_t new_zspage(ZPool *z, unsigned cls)
{
    ZClass *c = &z->cls[cls];
    FrameId f[ZPOOL_MAX_FRAMES];
    for (unsigned k = 0; k < c->frames; k++)
        if ((f[k] = frames_alloc_reserve(z->pool, FRAME_NONE)) == FRAME_NONE) {
            while (k--)
                frames_free(z->pool, f[k]);
            return ZPOOL_NONE;
        }
    uint32_t *handles = malloc(c->per_zspage * sizeof *handles);
    uint32_t id = z->zs_free;
    if (handles && id == ZPOOL_NONE && z->nzs == z->zs_cap) {
        uint32_t cap = z->zs_cap ? z->zs_cap * 2 : 64;
        ZsPage *zs = realloc(z->zs, cap * sizeof *zs);
        if (zs)
            z->zs = zs, z->zs_cap = cap;
    }
    if (!handles || (id == ZPOOL_NONE && z->nzs == z->zs_cap)) {
        free(handles);
        for (unsigned k = 0; k < c->frames; k++)
            frames_free(z->pool, f[k]);
        return ZPOOL_NONE;
    }
    if (id == ZPOOL_NONE)
        id = z->nzs++;
    else
        z->zs_free = z->zs[id].next;
    ZsPage *p = &z->zs[id];
    memset(p, 0, sizeof *p);
    memcpy(p->frame, f, sizeof f);
    p->cls = (uint8_t)cls;
    p->live = true;
    p->handles = handles;
    partial_add(z, id);
    c->zspages++;
    z->frames += c->frames;
    if (z->frames > z->frames_max)
        z->frames_max = z->frames;
    return id;
}

static void free_zspage(ZPool *z, uint32_t id)
{
    ZsPage *p = &z->zs[id];
    ZClass *c = &z->cls[p->cls];
    partial_remove(z, id);
    for (unsigned k = 0; k < c->frames; k++)
        frames_free(z->pool, p->frame[k]);
    free(p->handles);
    p->live = false;
    p->handles = NULL;
    p->next = z->zs_free;
    z->zs_free = id;
    c->zspages--;
    z->frames -= c->frames;
}

/* A free slot of zspage id (which has one). */
static unsigned take_slot(ZPool *z, uint32_t id)
{
    ZsPage *p = &z->zs[id];
    unsigned w = 0;
    while (!~p->used[w])
        w++;
    unsigned slot = w * 64 + (unsigned)__builtin_ctzll(~p->used[w]);
    p->used[w] |= 1ull << (slot % 64);
    if (++p->inuse == z->cls[p->cls].per_zspage)
        partial_remove(z, id);
    return slot;
}

static void give_slot(ZPool *z, uint32_t id, unsigned slot)
{
    ZsPage *p = &z->zs[id];
    p->used[slot / 64] &= ~(1ull << (slot % 64));
    if (p->inuse-- == z->cls[p->cls].per_zspage)
        partial_add(z, id);
    if (!p->inuse)
        free_zspage(z, id);
}

/* ---- object bytes (an object may straddle two frames) ---- */

static void where(const ZPool *z, const ZObj *o, unsigned *k, unsigned *off)
{
    uint64_t at = (uint64_t)o->idx * z->cls[z->zs[o->zspage].cls].size;
    *k = (unsigned)(at / FRAME_SIZE);
    *off = (unsigned)(at % FRAME_SIZE);
}

static void put_bytes(ZPool *z, const ZObj *o, const uint8_t *data)
{
    const ZsPage *p = &z->zs[o->zspage];
    unsigned k, off;
    where(z, o, &k, &off);
    size_t first = o->len < FRAME_SIZE - off ? o->len : FRAME_SIZE - off;
    memcpy(frame_ptr(z->pool, p->frame[k]) + off, data, first);
    if (first < o->len)
        memcpy(frame_ptr(z->pool, p->frame[k + 1]), data + first, o->len - first);
}

static void prefetch_range(const uint8_t *p, size_t n)
{
    for (size_t o = 0; o < n; o += 64)
        __builtin_prefetch(p + o, 0, 3);
}

void zpool_prefetch(const ZPool *z, uint32_t h)
{
    const ZObj *o = &z->obj[h];
    const ZsPage *p = &z->zs[o->zspage];
    unsigned k, off;
    where(z, o, &k, &off);
    size_t first = o->len < FRAME_SIZE - off ? o->len : FRAME_SIZE - off;
    prefetch_range(frame_ptr(z->pool, p->frame[k]) + off, first);
    if (first < o->len)
        prefetch_range(frame_ptr(z->pool, p->frame[k + 1]), o->len - first);
}

const uint8_t *zpool_load(const ZPool *z, uint32_t h, uint8_t *buf)
{
    const ZObj *o = &z->obj[h];
    const ZsPage *p = &z->zs[o->zspage];
    unsigned k, off;
    where(z, o, &k, &off);
    const uint8_t *src = frame_ptr(z->pool, p->frame[k]) + off;
    if (off + o->len <= FRAME_SIZE)
        return src;
    size_t first = FRAME_SIZE - off;
    memcpy(buf, src, first);
    memcpy(buf + first, frame_ptr(z->pool, p->frame[k + 1]), o->len - first);
    return buf;
}

/* ---- handles ---- */

static uint32_t new_handle(ZPool *z)
{
    if (z->obj_free != ZPOOL_NONE) {
        uint32_t h = z->obj_free;
        z->obj_free = z->obj[h].stamp;
        return h;
    }
    if (z->nobj == z->obj_cap) {
        uint32_t cap = z->obj_cap ? z->obj_cap * 2 : 1024;
        ZObj *o = realloc(z->obj, cap * sizeof *o);
        if (!o)
            return ZPOOL_NONE;
        z->obj = o, z->obj_cap = cap;
    }
    return z->nobj++;
}

uint32_t zpool_store(ZPool *z, const uint8_t *data, size_t len, uint32_t stamp)
{
    unsigned cls = class_of(len);
    uint32_t id = z->cls[cls].partial;
    if (id == ZPOOL_NONE && (id = new_zspage(z, cls)) == ZPOOL_NONE)
        return ZPOOL_NONE;
    uint32_t h = new_handle(z);
    if (h == ZPOOL_NONE) {
        if (!z->zs[id].inuse)
            free_zspage(z, id);
        return ZPOOL_NONE;
    }
    unsigned slot = take_slot(z, id);
    z->zs[id].handles[slot] = h;
    z->obj[h] = (ZObj){.zspage = id, .idx = (uint16_t)slot, .len = (uint16_t)len, .stamp = stamp, .refs = 1};
    put_bytes(z, &z->obj[h], data);
    z->cls[cls].objects++;
    z->objects++;
    z->bytes += len;
    return h;
}

void zpool_get(ZPool *z, uint32_t h)
{
    z->obj[h].refs++;
}

void zpool_put(ZPool *z, uint32_t h)
{
    ZObj *o = &z->obj[h];
    if (--o->refs)
        return;
    ZClass *c = &z->cls[z->zs[o->zspage].cls];
    c->objects--;
    z->objects--;
    z->bytes -= o->len;
    give_slot(z, o->zspage, o->idx);
    o->zspage = ZPOOL_NONE;
    o->stamp = z->obj_free;
    z->obj_free = h;
}

/* ---- compaction ---- */

/* The class's partial zspage with the fewest objects, and the free slots
 * of the others. */
static uint32_t sparsest(const ZPool *z, const ZClass *c, uint64_t *others_free)
{
    uint32_t best = ZPOOL_NONE;
    uint64_t free_total = 0;
    for (uint32_t id = c->partial; id != ZPOOL_NONE; id = z->zs[id].next) {
        free_total += c->per_zspage - z->zs[id].inuse;
        if (best == ZPOOL_NONE || z->zs[id].inuse < z->zs[best].inuse)
            best = id;
    }
    *others_free = best == ZPOOL_NONE ? 0 : free_total - (c->per_zspage - z->zs[best].inuse);
    return best;
}

/* Empty zspage src into its class's other partial zspages. */
static void evacuate(ZPool *z, uint32_t src)
{
    uint8_t buf[FRAME_SIZE];
    partial_remove(z, src); /* no object moves into it */
    ZsPage *p = &z->zs[src];
    const ZClass *c = &z->cls[p->cls];
    for (unsigned slot = 0; slot < c->per_zspage && p->inuse; slot++) {
        if (!((p->used[slot / 64] >> (slot % 64)) & 1))
            continue;
        uint32_t h = p->handles[slot], dst = c->partial;
        ZObj *o = &z->obj[h];
        const uint8_t *data = zpool_load(z, h, buf);
        if (data != buf)
            memcpy(buf, data, o->len);
        unsigned to = take_slot(z, dst);
        z->zs[dst].handles[to] = h;
        o->zspage = dst;
        o->idx = (uint16_t)to;
        put_bytes(z, o, buf);
        p = &z->zs[src];
        p->used[slot / 64] &= ~(1ull << (slot % 64));
        p->inuse--;
        z->moved++;
    }
    partial_add(z, src); /* free_zspage takes it off the list again */
    free_zspage(z, src);
}

uint64_t zpool_compact(ZPool *z)
{
    uint64_t before = z->frames;
    for (unsigned i = 0; i < ZPOOL_CLASSES; i++) {
        ZClass *c = &z->cls[i];
        for (;;) {
            uint64_t room;
            uint32_t src = sparsest(z, c, &room);
            if (src == ZPOOL_NONE || room < z->zs[src].inuse)
                break;
            evacuate(z, src);
        }
    }
    z->compactions++;
    return before - z->frames;
}
