/* Open-addressed hash tables of shadow entries keyed by virtual page. */
#include "mmu/shadow.h"

#include <stdio.h>
#include <stdlib.h>

#define SHADOW_MIN_CAP 256

static uint32_t hash_va(uint64_t va, uint32_t cap)
{
    uint64_t h = (va >> 12) * 0x9e3779b97f4a7c15ull;
    return (uint32_t)(h >> 32) & (cap - 1);
}

static ShadowEntry *alloc_slots(uint32_t cap)
{
    ShadowEntry *s = malloc(cap * sizeof *s);
    if (!s) {
        fprintf(stderr, "tandem: out of host memory for shadow page tables\n");
        abort();
    }
    for (uint32_t i = 0; i < cap; i++)
        s[i].va = SHADOW_EMPTY;
    return s;
}

void shadow_init(ShadowTable *t)
{
    t->cap = SHADOW_MIN_CAP;
    t->slot = alloc_slots(t->cap);
    t->live = t->used = 0;
}

void shadow_destroy(ShadowTable *t)
{
    free(t->slot);
    free(t->blocks);
    t->slot = NULL;
    t->blocks = NULL;
    t->cap = t->live = t->used = 0;
    t->nblocks = t->blocks_cap = 0;
}

ShadowEntry *shadow_find(ShadowTable *t, uint64_t va)
{
    for (uint32_t i = hash_va(va, t->cap);; i = (i + 1) & (t->cap - 1)) {
        ShadowEntry *e = &t->slot[i];
        if (e->va == va)
            return e;
        if (e->va == SHADOW_EMPTY)
            return NULL;
    }
}

static void rehash(ShadowTable *t, uint32_t cap)
{
    ShadowEntry *old = t->slot;
    uint32_t old_cap = t->cap;
    t->slot = alloc_slots(cap);
    t->cap = cap;
    t->live = t->used = 0;
    for (uint32_t i = 0; i < old_cap; i++)
        if (old[i].va != SHADOW_EMPTY && old[i].va != SHADOW_TOMB)
            shadow_insert(t, &old[i]);
    free(old);
}

ShadowEntry *shadow_insert(ShadowTable *t, const ShadowEntry *e)
{
    ShadowEntry *have = shadow_find(t, e->va);
    if (have) {
        *have = *e;
        return have;
    }
    /* Keep the table at most 3/4 full, tombstones included. */
    if ((t->used + 1) * 4 > t->cap * 3)
        rehash(t, t->live * 2 + 2 > t->cap / 2 ? t->cap * 2 : t->cap);
    for (uint32_t i = hash_va(e->va, t->cap);; i = (i + 1) & (t->cap - 1)) {
        ShadowEntry *s = &t->slot[i];
        if (s->va == SHADOW_EMPTY || s->va == SHADOW_TOMB) {
            if (s->va == SHADOW_EMPTY)
                t->used++;
            *s = *e;
            t->live++;
            return s;
        }
    }
}

bool shadow_remove(ShadowTable *t, uint64_t va)
{
    ShadowEntry *e = shadow_find(t, va);
    if (!e)
        return false;
    e->va = SHADOW_TOMB;
    t->live--;
    return true;
}

uint32_t shadow_clear(ShadowTable *t)
{
    uint32_t n = t->live;
    t->nblocks = 0;
    if (t->used == 0)
        return 0;
    if (t->cap > SHADOW_MIN_CAP * 4 && t->live * 8 < t->cap) {
        free(t->slot); /* shrink tables that grew for a process now gone */
        t->cap = SHADOW_MIN_CAP;
        t->slot = alloc_slots(t->cap);
    } else {
        for (uint32_t i = 0; i < t->cap; i++)
            t->slot[i].va = SHADOW_EMPTY;
    }
    t->live = t->used = 0;
    return n;
}

static uint64_t block_size(unsigned level)
{
    return 1ull << (12 + 9 * (3 - level));
}

void shadow_note_block(ShadowTable *t, uint64_t va, unsigned level)
{
    uint64_t key = (va & ~(block_size(level) - 1)) | level;
    for (uint32_t i = 0; i < t->nblocks; i++)
        if (t->blocks[i] == key)
            return;
    if (t->nblocks == t->blocks_cap) {
        uint32_t cap = t->blocks_cap ? t->blocks_cap * 2 : 16;
        uint64_t *b = realloc(t->blocks, cap * sizeof *b);
        if (!b) {
            fprintf(stderr, "tandem: out of host memory for shadow page tables\n");
            abort();
        }
        t->blocks = b;
        t->blocks_cap = cap;
    }
    t->blocks[t->nblocks++] = key;
}

uint32_t shadow_invalidate_va(ShadowTable *t, uint64_t va, void (*flush)(void *, uint64_t), void *opaque)
{
    uint32_t removed = shadow_remove(t, va);
    for (uint32_t i = 0; i < t->nblocks;) {
        unsigned level = t->blocks[i] & 3;
        uint64_t base = t->blocks[i] & ~3ull, size = block_size(level);
        if (va - base >= size) {
            i++;
            continue;
        }
        t->blocks[i] = t->blocks[--t->nblocks];
        if (size > (2u << 20)) {
            /* A 1 GiB block: drop the whole table rather than 262144 lookups. */
            for (uint32_t j = 0; j < t->cap; j++)
                if (t->slot[j].va != SHADOW_EMPTY && t->slot[j].va != SHADOW_TOMB)
                    flush(opaque, t->slot[j].va);
            return removed + shadow_clear(t);
        }
        for (uint64_t p = base; p < base + size; p += PAGE_SIZE)
            if (shadow_remove(t, p)) {
                removed++;
                flush(opaque, p);
            }
    }
    return removed;
}
