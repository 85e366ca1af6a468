/* The slow path of guest memory access: translation, permission and
 * alignment faults, MMIO dispatch, page-crossing accesses, TLB fills. */
#include "mmu/mmu.h"

#include "cpu/code_cache.h"
#include "cpu/exception.h"
#include "mem/bus.h"
#include "mmu/translate.h"

#define SCTLR_A (1u << 1)

void mmu_flush_all(Cpu *c)
{
    for (unsigned t = 0; t < 2; t++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            c->tlb.e[t][i].read = TLB_INVALID;
            c->tlb.e[t][i].write = TLB_INVALID;
        }
    for (unsigned i = 0; i < CODE_TLB_SIZE; i++)
        c->code_tlb[i].va = TLB_INVALID;
    c->stats.tlb_flushes++;
}

void mmu_flush_va(Cpu *c, uint64_t va)
{
    uint64_t page = PAGE_BASE(va);
    for (unsigned t = 0; t < 2; t++) {
        TlbEntry *e = &c->tlb.e[t][tlb_index(va)];
        if (e->read == page || e->write == page)
            e->read = e->write = TLB_INVALID;
    }
    CodeTlbEntry *ce = &c->code_tlb[tlb_index(va)];
    if (ce->va == page)
        ce->va = TLB_INVALID;
}

void mmu_protect_code(Cpu *c, uint64_t gpa)
{
    for (unsigned t = 0; t < 2; t++)
        for (unsigned i = 0; i < TLB_SIZE; i++)
            if (c->tlb.e[t][i].gpa == gpa)
                c->tlb.e[t][i].write = TLB_INVALID;
}

static unsigned access_el(const Cpu *c, unsigned flags)
{
    return (flags & ACC_UNPRIV) ? 0 : c->el;
}

static void fill_tlb(Cpu *c, uint64_t va, const Translation *t, uint8_t *host, unsigned flags)
{
    if (c->sr.sctlr & SCTLR_A)
        return; /* every access needs the alignment check: keep them all slow */
    TlbEntry *e = mmu_tlb(c, va, flags);
    uint64_t page = PAGE_BASE(va);
    e->read = t->readable ? page : TLB_INVALID;
    e->write = t->writable && !code_cache_is_live(c->code, t->pa) ? page : TLB_INVALID;
    e->addend = (uintptr_t)host - page;
    e->gpa = PAGE_BASE(t->pa);
}

static void check_alignment(Cpu *c, uint64_t va, unsigned size, unsigned flags, bool write)
{
    if (!(va & (size - 1)))
        return;
    if ((flags & ACC_ALIGN) || (c->sr.sctlr & SCTLR_A))
        raise_data_abort(c, va, FSC_ALIGNMENT, write);
}

static bool crosses_page(uint64_t va, unsigned size)
{
    return (va & PAGE_OFFSET_MASK) > PAGE_SIZE - size;
}

uint64_t mmu_load_slow(Cpu *c, uint64_t va, unsigned size, unsigned flags)
{
    check_alignment(c, va, size, flags, false);
    if (crosses_page(va, size)) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= mmu_load_slow(c, va + i, 1, flags & ~ACC_ALIGN) << (8 * i);
        return v;
    }
    Translation t;
    mmu_translate_or_fault(c, va, ACCESS_READ, access_el(c, flags), &t);
    uint8_t *host = bus_ram_ptr(c->bus, t.pa, size);
    if (host) {
        fill_tlb(c, va, &t, host - (t.pa & PAGE_OFFSET_MASK), flags);
        uint64_t v = 0;
        memcpy(&v, host, size);
        return v;
    }
    const MmioWindow *w = bus_find_mmio(c->bus, t.pa);
    if (!w)
        raise_data_abort(c, va, FSC_EXTERNAL, false);
    return w->ops->read(w->opaque, t.pa - w->base, size);
}

void mmu_store_slow(Cpu *c, uint64_t va, uint64_t val, unsigned size, unsigned flags)
{
    check_alignment(c, va, size, flags, true);
    if (crosses_page(va, size)) {
        for (unsigned i = 0; i < size; i++)
            mmu_store_slow(c, va + i, val >> (8 * i), 1, flags & ~ACC_ALIGN);
        return;
    }
    Translation t;
    mmu_translate_or_fault(c, va, ACCESS_WRITE, access_el(c, flags), &t);
    uint8_t *host = bus_ram_ptr(c->bus, t.pa, size);
    if (host) {
        code_cache_invalidate(c, PAGE_BASE(t.pa));
        fill_tlb(c, va, &t, host - (t.pa & PAGE_OFFSET_MASK), flags);
        memcpy(host, &val, size);
        return;
    }
    const MmioWindow *w = bus_find_mmio(c->bus, t.pa);
    if (!w)
        raise_data_abort(c, va, FSC_EXTERNAL, true);
    w->ops->write(w->opaque, t.pa - w->base, val, size);
}

DecodedPage *mmu_code_page(Cpu *c, uint64_t va)
{
    CodeTlbEntry *ce = &c->code_tlb[tlb_index(va)];
    uint64_t page = PAGE_BASE(va);
    if (ce->va == page && ce->el == c->el)
        return ce->page;
    Translation t;
    mmu_translate_or_fault(c, va, ACCESS_EXEC, c->el, &t);
    if (!bus_ram_ptr(c->bus, t.pa, PAGE_SIZE))
        raise_insn_abort(c, va, FSC_EXTERNAL);
    DecodedPage *p = code_cache_page(c, t.pa);
    ce->va = page;
    ce->el = c->el;
    ce->page = p;
    return p;
}

void mmu_tlbi(Cpu *c, uint32_t key, uint64_t xt)
{
    /* Until the shadow tables exist every TLBI flushes everything: always safe. */
    mmu_flush_all(c);
}

uint64_t mmu_at(Cpu *c, uint32_t key, uint64_t va)
{
    if (!(c->sr.sctlr & 1))
        return va & 0x000000fffffff000ull; /* flat: PA, F=0 */
    return 1 | (FSC_TRANSLATION << 1);      /* F=1, FST: level-0 translation fault */
}
