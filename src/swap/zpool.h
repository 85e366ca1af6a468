/* The compressed pool: compressed pages packed into machine frames taken
 * from the VMM's pool, so compressed memory is accounted like any other.
 *
 * As zsmalloc does, objects are grouped in size classes (32-byte steps);
 * a class packs its objects into "zspages" of 1 to 4 frames, the count
 * that wastes least, and an object may straddle two frames of its zspage.
 * A handle names an object through a table, so objects can move
 * (compaction) while pages hold their handles. Objects carry a reference
 * count (a backup page may hold its primary's) and the time they were
 * stored (to tell refaults). */
#ifndef TANDEM_ZPOOL_H
#define TANDEM_ZPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/frames.h"

#define ZPOOL_STEP 32
#define ZPOOL_CLASSES (FRAME_SIZE / ZPOOL_STEP)
#define ZPOOL_MAX_FRAMES 4
#define ZPOOL_NONE UINT32_MAX

typedef struct ZClass {
    uint32_t size;       /* object slot size */
    uint16_t per_zspage; /* objects per zspage */
    uint8_t frames;      /* frames per zspage */
    uint32_t partial;    /* zspages with free slots (list head) */
    uint64_t zspages, objects;
} ZClass;

typedef struct ZsPage {
    FrameId frame[ZPOOL_MAX_FRAMES];
    uint16_t inuse;
    uint8_t cls;
    bool live;
    uint32_t prev, next; /* partial list, or free list of zspage ids */
    uint32_t *handles;   /* the handle of each slot's object */
    uint64_t used[(ZPOOL_MAX_FRAMES * FRAME_SIZE / ZPOOL_STEP) / 64];
} ZsPage;

typedef struct ZObj {
    uint32_t zspage;  /* ZPOOL_NONE when the handle is free (next free in idx/len) */
    uint16_t idx;     /* slot in its zspage */
    uint16_t len;     /* compressed bytes */
    uint32_t stamp;   /* when stored (caller's clock) */
    uint32_t refs;
} ZObj;

typedef struct ZPool {
    FramePool *pool;
    ZClass cls[ZPOOL_CLASSES];
    ZsPage *zs;
    uint32_t nzs, zs_cap, zs_free;
    ZObj *obj;
    uint32_t nobj, obj_cap, obj_free;
    uint64_t frames, frames_max; /* machine frames held */
    uint64_t objects, bytes;     /* live objects and their compressed bytes */
    uint64_t compactions, moved; /* objects moved to free zspages */
} ZPool;

void zpool_init(ZPool *z, FramePool *pool);
void zpool_destroy(ZPool *z);

/* Store len bytes (1..FRAME_SIZE); a handle with one reference, or
 * ZPOOL_NONE when no frame (reserve included) is left. */
uint32_t zpool_store(ZPool *z, const uint8_t *data, size_t len, uint32_t stamp);
/* The object's bytes: a pointer into the pool, or into buf (FRAME_SIZE
 * bytes) when the object straddles two frames. */
const uint8_t *zpool_load(const ZPool *z, uint32_t h, uint8_t *buf);
/* Start bringing object h's bytes into the cache (a fault-in waits on them). */
void zpool_prefetch(const ZPool *z, uint32_t h);
static inline const ZObj *zpool_obj(const ZPool *z, uint32_t h)
{
    return &z->obj[h];
}
void zpool_get(ZPool *z, uint32_t h);
/* Drop a reference; the last one frees the object. */
void zpool_put(ZPool *z, uint32_t h);

/* Move objects out of sparse zspages until no class could free a zspage
 * that way; returns the frames given back. */
uint64_t zpool_compact(ZPool *z);
/* Bytes of the pool's frames not holding compressed data. */
static inline uint64_t zpool_wasted(const ZPool *z)
{
    return z->frames * FRAME_SIZE - z->bytes;
}

#endif
