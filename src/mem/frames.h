/* Machine memory: the pool of 4 KiB frames the VMM owns and lends to VMs.
 *
 * The pool is one host reservation (committed by the host only when a frame
 * is first written), handed out frame by frame. A VM's p2m maps each guest
 * page to a frame number, never to an offset of its own, so a frame can be
 * freed, exchanged, shared or replaced without moving anything else. An
 * allocation may name a preferred frame (the page's "home"); while the pool
 * is not overcommitted every VM gets its home frames and its RAM stays
 * contiguous in the host, which keeps host page walks and THP cheap. */
#ifndef TANDEM_FRAMES_H
#define TANDEM_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#define FRAME_SIZE 4096u
#define FRAME_SHIFT 12

typedef uint32_t FrameId;
#define FRAME_NONE UINT32_MAX
#define FRAMES_HOT 1024 /* freed frames remembered, still in the host's caches */

typedef struct FramePool {
    uint8_t *base;      /* frame f lives at base + f * FRAME_SIZE */
    uint64_t nframes;   /* capacity */
    uint64_t used;      /* frames allocated */
    uint64_t high_water;
    uint64_t *used_map; /* one bit per frame */
    uint64_t *dirty_map; /* freed without being returned to the host: zero before reuse */
    uint16_t *refs;     /* owners of each frame (guest pages of one or more p2ms) */
    uint64_t cursor;    /* where the next search for a free frame starts (in words) */
    uint64_t failures;  /* allocations refused because the pool was exhausted */
    uint64_t reserve;   /* frames only frames_alloc_reserve may take */
    FrameId hot[FRAMES_HOT]; /* the frames freed last, newest at hot_top - 1 */
    unsigned hot_top, hot_count;
} FramePool;

/* A pool of `bytes` (rounded down to frames). False (errno set) if the host
 * refuses the reservation. */
bool frames_init(FramePool *p, uint64_t bytes);
void frames_destroy(FramePool *p);

/* A zero-filled frame, `hint` if it is free; FRAME_NONE when the pool is
 * exhausted. */
FrameId frames_alloc(FramePool *p, FrameId hint);
/* The same from the reserve as well: for the compressed pool, which must
 * find room for a page's compressed copy before the page's frame is freed,
 * even when guests have taken every other frame. */
FrameId frames_alloc_reserve(FramePool *p, FrameId hint);
/* A frame whose old contents the caller overwrites whole (not zeroed):
 * one of those freed last if there is one, since its lines and its host
 * page-table entry are likely still cached (a compressed page's fault-in
 * writes the whole frame while the guest waits), else `hint` if free. */
FrameId frames_alloc_unzeroed(FramePool *p, FrameId hint);
/* Drop one owner of a frame; the last one gives it back, and its contents
 * are forgotten (the next owner sees zeros). */
void frames_free(FramePool *p, FrameId f);
/* The same, and the last owner's leaving returns the frame's memory to the
 * host (a frame that merged into another's: nothing will take it soon). */
void frames_release(FramePool *p, FrameId f);
/* Give back frames [first, first + n), each with one owner, and return their
 * memory to the host. */
void frames_free_run(FramePool *p, FrameId first, uint64_t n);
/* One more owner (a second guest page, or a backup, maps the frame). False
 * when the count is at its limit. */
bool frames_ref(FramePool *p, FrameId f);
static inline unsigned frames_owners(const FramePool *p, FrameId f)
{
    return p->refs[f];
}

static inline uint8_t *frame_ptr(const FramePool *p, FrameId f)
{
    return p->base + (uint64_t)f * FRAME_SIZE;
}

static inline uint64_t frames_free_count(const FramePool *p)
{
    return p->nframes - p->used;
}

/* Frames an ordinary allocation can still get. */
static inline uint64_t frames_available(const FramePool *p)
{
    uint64_t f = p->nframes - p->used;
    return f > p->reserve ? f - p->reserve : 0;
}

#endif
