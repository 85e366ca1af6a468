/* Machine memory accounting: the pool of 4 KiB frames the VMM may commit for
 * all VMs together. A VM page costs a frame while it is resident; compressed
 * or shared pages (later services) give theirs back. */
#ifndef TANDEM_FRAMES_H
#define TANDEM_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#define FRAME_SIZE 4096u

typedef struct FramePool {
    uint64_t nframes;    /* capacity */
    uint64_t used;       /* frames committed to guest pages */
    uint64_t high_water;
} FramePool;

static inline void frames_init(FramePool *p, uint64_t bytes)
{
    *p = (FramePool){.nframes = bytes / FRAME_SIZE};
}

/* Take one frame; false when machine memory is exhausted. */
static inline bool frames_charge(FramePool *p)
{
    if (p->used == p->nframes)
        return false;
    if (++p->used > p->high_water)
        p->high_water = p->used;
    return true;
}

static inline void frames_uncharge(FramePool *p)
{
    p->used--;
}

#endif
