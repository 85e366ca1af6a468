/* One vCPU's decoded code: for each page of its RAM that has been executed,
 * the DecodedPage it is attached to (code_share.h: pages with the same bytes
 * share one). An attached page is write-protected; a write or a page-state
 * change detaches it, and the next execution attaches it again by content. */
#ifndef TANDEM_CODE_CACHE_H
#define TANDEM_CODE_CACHE_H

#include "cpu/code_share.h"
#include "cpu/insn.h"

typedef struct CodeCache {
    Cpu *cpu;
    CodeShare *share;
    DecodedPage **pages; /* indexed by (gpa - ram_base) >> PAGE_SHIFT; NULL: not attached */
    uint64_t npages, ram_base;
    uint64_t live_pages; /* pages attached now */
    uint8_t watch_bit;   /* our write-protect watcher in the p2m */
} CodeCache;

/* The cache for c's RAM, keeping its decoded pages in `share` (NULL: a
 * share of its own); it watches writes to pages holding decoded code. */
CodeCache *code_cache_new(Cpu *c, CodeShare *share);
void code_cache_free(CodeCache *cc);

/* The decoded page for RAM page `gpa`, attached on first use; NULL if gpa
 * is not RAM or no machine frame could be had for it. */
DecodedPage *code_cache_page(Cpu *c, uint64_t gpa);

/* The clock took page gfn's decoded page (its code TLB entries are
 * scrubbed by the caller, mmu_code_tlb_forget_evicted). */
void code_cache_forget(CodeCache *cc, uint32_t gfn);

/* The bytes of attached page gfn, to confirm a hash match (an attached page
 * is resident: a state change would have detached it); NULL if it is not. */
const uint8_t *code_cache_bytes(const CodeCache *cc, uint32_t gfn);

/* A write or a state change is about to reach page `gpa`: detach it from
 * its decoded page. Returns true if it was attached. */
bool code_cache_invalidate(Cpu *c, uint64_t gpa);

/* The handler every undecoded entry starts with. */
const Insn *exec_decode_stub(Cpu *c, const Insn *d);
/* The sentinel after a page's last entry. */
const Insn *exec_next_page(Cpu *c, const Insn *d);

#endif
