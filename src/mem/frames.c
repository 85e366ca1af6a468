#include "mem/frames.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static bool bit_test(const uint64_t *map, uint64_t i)
{
    return (map[i / 64] >> (i % 64)) & 1;
}

static void bit_set(uint64_t *map, uint64_t i)
{
    map[i / 64] |= 1ull << (i % 64);
}

static void bit_clear(uint64_t *map, uint64_t i)
{
    map[i / 64] &= ~(1ull << (i % 64));
}

static uint64_t pool_bytes(const FramePool *p)
{
    return p->nframes ? p->nframes * FRAME_SIZE : FRAME_SIZE;
}

bool frames_init(FramePool *p, uint64_t bytes)
{
    memset(p, 0, sizeof *p);
    p->nframes = bytes / FRAME_SIZE;
    if (p->nframes >= FRAME_NONE)
        p->nframes = FRAME_NONE - 1;
    uint64_t words = (p->nframes + 63) / 64;
    void *base = mmap(NULL, pool_bytes(p), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return false;
    p->base = base;
    p->used_map = calloc(words ? words : 1, sizeof *p->used_map);
    p->dirty_map = calloc(words ? words : 1, sizeof *p->dirty_map);
    p->refs = calloc(p->nframes ? p->nframes : 1, sizeof *p->refs);
    if (!p->used_map || !p->dirty_map || !p->refs) {
        frames_destroy(p);
        return false;
    }
    /* Bits past the last frame are permanently "used". */
    for (uint64_t i = p->nframes; i < words * 64; i++)
        bit_set(p->used_map, i);
    return true;
}

void frames_destroy(FramePool *p)
{
    if (p->base)
        munmap(p->base, pool_bytes(p));
    free(p->used_map);
    free(p->dirty_map);
    free(p->refs);
    memset(p, 0, sizeof *p);
}

/* The first free frame at or after the cursor, wrapping once. */
static FrameId find_free(FramePool *p)
{
    uint64_t words = (p->nframes + 63) / 64;
    for (uint64_t n = 0; n < words; n++) {
        uint64_t w = (p->cursor + n) % words;
        if (~p->used_map[w]) {
            p->cursor = w;
            return (FrameId)(w * 64 + (uint64_t)__builtin_ctzll(~p->used_map[w]));
        }
    }
    return FRAME_NONE;
}

static FrameId take(FramePool *p, FrameId hint, uint64_t keep, bool zero)
{
    if (p->used + keep >= p->nframes) {
        p->failures++;
        return FRAME_NONE;
    }
    FrameId f = hint < p->nframes && !bit_test(p->used_map, hint) ? hint : find_free(p);
    bit_set(p->used_map, f);
    p->refs[f] = 1;
    if (bit_test(p->dirty_map, f)) {
        if (zero)
            memset(frame_ptr(p, f), 0, FRAME_SIZE);
        bit_clear(p->dirty_map, f);
    }
    if (++p->used > p->high_water)
        p->high_water = p->used;
    return f;
}

FrameId frames_alloc(FramePool *p, FrameId hint)
{
    return take(p, hint, p->reserve, true);
}

FrameId frames_alloc_reserve(FramePool *p, FrameId hint)
{
    return take(p, hint, 0, true);
}

/* The most recently freed frame that is still free, or FRAME_NONE. */
static FrameId pop_hot(FramePool *p)
{
    while (p->hot_count) {
        p->hot_top = (p->hot_top + FRAMES_HOT - 1) % FRAMES_HOT;
        p->hot_count--;
        FrameId f = p->hot[p->hot_top];
        if (!bit_test(p->used_map, f))
            return f;
    }
    return FRAME_NONE;
}

static void push_hot(FramePool *p, FrameId f)
{
    p->hot[p->hot_top] = f;
    p->hot_top = (p->hot_top + 1) % FRAMES_HOT;
    if (p->hot_count < FRAMES_HOT)
        p->hot_count++;
}

FrameId frames_alloc_unzeroed(FramePool *p, FrameId hint)
{
    if (p->used + p->reserve >= p->nframes)
        return take(p, hint, p->reserve, false); /* counts the failure */
    FrameId hot = pop_hot(p);
    return take(p, hot != FRAME_NONE ? hot : hint, p->reserve, false);
}

void frames_free(FramePool *p, FrameId f)
{
    if (--p->refs[f])
        return;
    bit_clear(p->used_map, f);
    bit_set(p->dirty_map, f);
    p->used--;
    push_hot(p, f);
}

void frames_release(FramePool *p, FrameId f)
{
    if (p->refs[f] == 1)
        frames_free_run(p, f, 1);
    else
        frames_free(p, f);
}

void frames_free_run(FramePool *p, FrameId first, uint64_t n)
{
    if (!n)
        return;
    madvise(frame_ptr(p, first), n * FRAME_SIZE, MADV_DONTNEED);
    for (uint64_t i = 0; i < n; i++) {
        p->refs[first + i] = 0;
        bit_clear(p->used_map, first + i);
        bit_clear(p->dirty_map, first + i);
    }
    p->used -= n;
}

bool frames_ref(FramePool *p, FrameId f)
{
    if (p->refs[f] == UINT16_MAX)
        return false;
    p->refs[f]++;
    return true;
}
