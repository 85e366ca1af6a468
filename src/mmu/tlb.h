/* The soft TLB in front of all guest memory access.
 *
 * One direct-mapped table per privilege (EL0 accesses, EL1 accesses), as QEMU
 * keeps one per MMU index. An entry caches a virtual page's host address and
 * which kinds of access may use it without a slow-path check. A hit is a
 * shift, a mask, a compare and an add. */
#ifndef TANDEM_TLB_H
#define TANDEM_TLB_H

#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define PAGE_OFFSET_MASK ((uint64_t)PAGE_SIZE - 1)
#define PAGE_BASE(va) ((va) & ~PAGE_OFFSET_MASK)

#define TLB_BITS 8
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_INVALID (~(uint64_t)0) /* never equals a page base */

typedef struct TlbEntry {
    uint64_t read;    /* page base if reads may hit, else TLB_INVALID */
    uint64_t write;   /* page base if writes may hit, else TLB_INVALID */
    uintptr_t addend; /* host address = va + addend */
    uint32_t gfn;     /* guest page number (p2m index) the entry reaches */
    uint32_t gen;     /* its p2m generation when the entry was made */
} TlbEntry;

enum { TLB_EL0 = 0, TLB_EL1 = 1 };

typedef struct Tlb {
    TlbEntry e[2][TLB_SIZE];
} Tlb;

/* Instruction fetch: virtual page -> decoded page. Filled only after the
 * fetch permission check, flushed with the data TLB. */
#define CODE_TLB_SIZE 256
typedef struct CodeTlbEntry {
    uint64_t va; /* page base or TLB_INVALID */
    uint32_t el; /* privilege the entry was checked for */
    struct DecodedPage *page;
    uint64_t gpa; /* the guest-physical page it translates to */
} CodeTlbEntry;

static inline unsigned tlb_index(uint64_t va)
{
    return (unsigned)(va >> PAGE_SHIFT) & (TLB_SIZE - 1);
}

#endif
