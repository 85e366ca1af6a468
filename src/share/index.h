/* The page-sharing scanner's content index: pages by the hash of their
 * contents (KSM's stable and unstable trees, as hash tables). An entry names
 * a page (space and guest frame number) and the machine frame it had when it
 * was entered; the scanner checks both, and the bytes, before it trusts one. */
#ifndef TANDEM_SHARE_INDEX_H
#define TANDEM_SHARE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct IndexEntry {
    uint64_t hash;  /* 0: empty slot (hashes of 0 are stored as 1) */
    uint32_t gfn;
    uint16_t space;
    uint32_t frame;
} IndexEntry;

typedef struct ContentIndex {
    IndexEntry *e;
    size_t cap;     /* a power of two, or 0 */
    size_t n;
} ContentIndex;

static inline uint64_t index_key(uint64_t hash)
{
    return hash ? hash : 1;
}

/* The entry for hash, or NULL. */
IndexEntry *index_find(ContentIndex *x, uint64_t hash);
/* Enter (or replace) the entry for e->hash. False if out of host memory. */
bool index_put(ContentIndex *x, const IndexEntry *e);
void index_remove(ContentIndex *x, IndexEntry *e);
void index_clear(ContentIndex *x);
void index_free(ContentIndex *x);

#endif
