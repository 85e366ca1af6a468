/* Guest memory access for the interpreter.
 *
 * mem_load/mem_store are the hot path: a soft-TLB hit is inlined into the
 * instruction handler. Everything else (translation, faults, MMIO, accesses
 * that cross a page, pages holding decoded code) is the slow path in mmu.c.
 * `flags` are compile-time constants in every caller so the checks fold. */
#ifndef TANDEM_MMU_H
#define TANDEM_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/cpu.h"
#include "mmu/tlb.h"

enum {
    ACC_UNPRIV = 1u << 0, /* LDTR/STTR: checked as EL0 */
    ACC_ALIGN = 1u << 1,  /* must be naturally aligned (exclusives, acquire/release) */
};

uint64_t mmu_load_slow(Cpu *c, uint64_t va, unsigned size, unsigned flags);
void mmu_store_slow(Cpu *c, uint64_t va, uint64_t val, unsigned size, unsigned flags);

static inline TlbEntry *mmu_tlb(Cpu *c, uint64_t va, unsigned flags)
{
    TlbEntry *t = (flags & ACC_UNPRIV) ? c->tlb->e[TLB_EL0] : c->tlb_cur;
    return &t[tlb_index(va)];
}

static inline bool mmu_fast_ok(uint64_t tag, uint64_t va, unsigned size, unsigned flags)
{
    if (flags & ACC_ALIGN)
        return tag == PAGE_BASE(va) && !(va & (size - 1));
    /* The page of the access's last byte: an access that crosses into the
     * next page misses, as that page cannot share this entry's index. */
    return tag == PAGE_BASE(va + size - 1);
}

/* size is 1, 2, 4 or 8; the value is zero-extended. */
static inline uint64_t mem_load(Cpu *c, uint64_t va, unsigned size, unsigned flags)
{
    const TlbEntry *e = mmu_tlb(c, va, flags);
    if (__builtin_expect(mmu_fast_ok(e->read, va, size, flags), 1)) {
        const void *p = (const void *)(uintptr_t)(va + e->addend);
        switch (size) {
        case 1: return *(const uint8_t *)p;
        case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
        case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
        default: { uint64_t v; memcpy(&v, p, 8); return v; }
        }
    }
    return mmu_load_slow(c, va, size, flags);
}

static inline void mem_store(Cpu *c, uint64_t va, uint64_t val, unsigned size, unsigned flags)
{
    const TlbEntry *e = mmu_tlb(c, va, flags);
    if (__builtin_expect(mmu_fast_ok(e->write, va, size, flags), 1)) {
        void *p = (void *)(uintptr_t)(va + e->addend);
        switch (size) {
        case 1: *(uint8_t *)p = (uint8_t)val; return;
        case 2: { uint16_t v = (uint16_t)val; memcpy(p, &v, 2); return; }
        case 4: { uint32_t v = (uint32_t)val; memcpy(p, &v, 4); return; }
        default: memcpy(p, &val, 8); return;
        }
    }
    mmu_store_slow(c, va, val, size, flags);
}

/* 16-byte accesses (Q registers, pairs of X) as two 8-byte halves. */
static inline void mem_load128(Cpu *c, uint64_t va, uint64_t out[2], unsigned flags)
{
    const TlbEntry *e = mmu_tlb(c, va, flags);
    if (__builtin_expect(mmu_fast_ok(e->read, va, 16, flags), 1)) {
        memcpy(out, (const void *)(uintptr_t)(va + e->addend), 16);
        return;
    }
    out[0] = mmu_load_slow(c, va, 8, flags);
    out[1] = mmu_load_slow(c, va + 8, 8, flags & ~ACC_ALIGN);
}

static inline void mem_store128(Cpu *c, uint64_t va, const uint64_t in[2], unsigned flags)
{
    const TlbEntry *e = mmu_tlb(c, va, flags);
    if (__builtin_expect(mmu_fast_ok(e->write, va, 16, flags), 1)) {
        memcpy((void *)(uintptr_t)(va + e->addend), in, 16);
        return;
    }
    mmu_store_slow(c, va, in[0], 8, flags);
    mmu_store_slow(c, va + 8, in[1], 8, flags & ~ACC_ALIGN);
}

void mmu_init(Cpu *c);
void mmu_destroy(Cpu *c);
/* Forget every translation (TLBI VMALLE1, SCTLR or TCR changes). */
void mmu_flush_all(Cpu *c);
/* Empty the data soft TLBs of every address space (translations are kept). */
void mmu_flush_data_tlbs(Cpu *c);
/* TTBRx, TCR or SCTLR changed: make the address space of the current ASID
 * (or the MMU-off space) current. Nothing is flushed. */
void mmu_update_context(Cpu *c);
/* Page `gpa` changes state: a p2m page-state-change event (p2m_change). */
void mmu_forget_gpa(Cpu *c, uint64_t gpa);

/* TLBI (the SYS encoding key and Xt) and AT (returns the PAR_EL1 value). */
void mmu_tlbi(Cpu *c, uint32_t key, uint64_t xt);
uint64_t mmu_at(Cpu *c, uint32_t key, uint64_t va);

/* Instruction fetch: the code-TLB entry (decoded page and guest-physical
 * page) for virtual page `va`; raises an instruction abort if it cannot be
 * executed. */
const CodeTlbEntry *mmu_code_page(Cpu *c, uint64_t va);
/* No code-TLB entry of any address space may reach decoded page p any more. */
void mmu_code_tlb_forget(Cpu *c, const struct DecodedPage *p);
/* ... nor any decoded page the code cache's clock is evicting. */
void mmu_code_tlb_forget_evicted(Cpu *c);
/* Mark every decoded page a code-TLB entry reaches as referenced. */
void mmu_code_tlb_harvest(Cpu *c);

#endif
