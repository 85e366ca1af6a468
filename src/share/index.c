#include "share/index.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(const ContentIndex *x, uint64_t key)
{
    return (size_t)(key * 0x9e3779b97f4a7c15ull >> 17) & (x->cap - 1);
}

IndexEntry *index_find(ContentIndex *x, uint64_t hash)
{
    if (!x->cap)
        return NULL;
    uint64_t key = index_key(hash);
    for (size_t i = slot_of(x, key);; i = (i + 1) & (x->cap - 1)) {
        if (x->e[i].hash == key)
            return &x->e[i];
        if (!x->e[i].hash)
            return NULL;
    }
}

static void insert(ContentIndex *x, const IndexEntry *e)
{
    size_t i = slot_of(x, e->hash);
    while (x->e[i].hash && x->e[i].hash != e->hash)
        i = (i + 1) & (x->cap - 1);
    x->n += !x->e[i].hash;
    x->e[i] = *e;
}

static bool grow(ContentIndex *x)
{
    size_t cap = x->cap ? x->cap * 2 : 1024;
    IndexEntry *old = x->e, *e = calloc(cap, sizeof *e);
    if (!e)
        return false;
    size_t oldcap = x->cap;
    x->e = e, x->cap = cap, x->n = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].hash)
            insert(x, &old[i]);
    free(old);
    return true;
}

bool index_put(ContentIndex *x, const IndexEntry *e)
{
    if ((x->n + 1) * 2 > x->cap && !grow(x)) /* at most half full: probes stay short */
        return false;
    IndexEntry k = *e;
    k.hash = index_key(e->hash);
    insert(x, &k);
    return true;
}

/* Linear probing without tombstones: close the gap by moving back every
 * later entry of the run that may live in it. */
void index_remove(ContentIndex *x, IndexEntry *e)
{
    size_t hole = (size_t)(e - x->e), mask = x->cap - 1;
    x->e[hole].hash = 0;
    x->n--;
    for (size_t i = (hole + 1) & mask; x->e[i].hash; i = (i + 1) & mask) {
        size_t home = slot_of(x, x->e[i].hash);
        /* Entry i may move to the hole if its home is not between hole and i. */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            x->e[hole] = x->e[i];
            x->e[i].hash = 0;
            hole = i;
        }
    }
}

void index_clear(ContentIndex *x)
{
    if (x->cap)
        memset(x->e, 0, x->cap * sizeof *x->e);
    x->n = 0;
}

void index_free(ContentIndex *x)
{
    free(x->e);
    memset(x, 0, sizeof *x);
}
