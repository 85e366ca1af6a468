/* Decoded code, one DecodedPage per guest-physical RAM page that has been
 * executed. Pages are never freed while the VM lives: invalidation resets
 * their entries to the decode stub, so pointers held by the run loop stay valid. */
#ifndef TANDEM_CODE_CACHE_H
#define TANDEM_CODE_CACHE_H

#include "cpu/insn.h"

typedef struct CodeCache {
    DecodedPage **pages; /* indexed by (gpa - ram_base) >> PAGE_SHIFT */
    uint64_t npages, ram_base;
    uint64_t live_pages;
    uint8_t watch_bit; /* our write-protect watcher in the p2m */
} CodeCache;

/* The cache for c's RAM; it watches writes to pages holding decoded code. */
CodeCache *code_cache_new(Cpu *c);
void code_cache_free(CodeCache *cc);

/* The decoded page for RAM page `gpa` (created on first use). */
DecodedPage *code_cache_page(Cpu *c, uint64_t gpa);

/* A guest or device write hit page `gpa`: forget its decoded instructions.
 * Returns true if the page held code. */
bool code_cache_invalidate(Cpu *c, uint64_t gpa);

/* The handler every undecoded entry starts with. */
const Insn *exec_decode_stub(Cpu *c, const Insn *d);

#endif
