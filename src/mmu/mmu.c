/* The slow path of guest memory access: translation, permission and
 * alignment faults, MMIO dispatch, page-crossing accesses, soft-TLB fills. */
#include "mmu/mmu.h"

#include "cpu/code_cache.h"
#include "cpu/exception.h"
#include "mem/bus.h"
#include "mmu/shadow.h"
#include "mmu/translate.h"
#include "mmu/walk.h"

#define SCTLR_A (1u << 1)

static unsigned access_el(const Cpu *c, unsigned flags)
{
    return (flags & ACC_UNPRIV) ? 0 : c->el;
}

static void fill_tlb(Cpu *c, uint64_t va, const Translation *t, uint8_t *host_page, unsigned flags)
{
    P2m *p2m = &c->bus->p2m;
    uint64_t gfn = p2m_index(p2m, t->pa);
    p2m_mark_accessed(p2m, gfn);
    if (c->sr.sctlr & SCTLR_A)
        return; /* every access needs the alignment check: keep them all slow */
    if (__builtin_expect(c->watch_on, 0) && debug_page_watched(c, PAGE_BASE(va)))
        return; /* so is every access to a watched page */
    TlbEntry *e = mmu_tlb(c, va, flags);
    uint64_t page = PAGE_BASE(va);
    e->read = t->readable ? page : TLB_INVALID;
    /* Write-protected pages (decoded code, a service watching) trap writes. */
    e->write = t->writable && p2m_writable(p2m, gfn) ? page : TLB_INVALID;
    e->addend = (uintptr_t)host_page - page;
    e->gfn = (uint32_t)gfn;
    e->gen = p2m->gen[gfn];
}

/* RAM page with no machine frame to give it: hold the access back. */
_Noreturn static void stall_nomem(Cpu *c, uint64_t restart_pc)
{
    c->mmu->stats.nomem_stalls++;
    cpu_stall(c, restart_pc, CPU_EXIT_NOMEM);
}

static uint8_t *ram_or_stall(Cpu *c, uint64_t pa, unsigned size, uint64_t restart_pc)
{
    uint8_t *host = bus_ram_ptr(c->bus, pa, size);
    if (__builtin_expect(!host, 0) && bus_is_ram(c->bus, pa))
        stall_nomem(c, restart_pc);
    return host;
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
    if (__builtin_expect(c->watch_on, 0))
        debug_watch(c, va, size, false, flags & ACC_UNPRIV);
    if (crosses_page(va, size)) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= mmu_load_slow(c, va + i, 1, flags & ~ACC_ALIGN) << (8 * i);
        return v;
    }
    c->mmu->stats.tlb_misses++;
    Translation t;
    mmu_translate_or_fault(c, va, ACCESS_READ, access_el(c, flags), &t);
    uint8_t *host = ram_or_stall(c, t.pa, size, insn_pc(c, c->cur));
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
    if (__builtin_expect(c->watch_on, 0))
        debug_watch(c, va, size, true, flags & ACC_UNPRIV);
    if (crosses_page(va, size)) {
        for (unsigned i = 0; i < size; i++)
            mmu_store_slow(c, va + i, val >> (8 * i), 1, flags & ~ACC_ALIGN);
        return;
    }
    c->mmu->stats.tlb_misses++;
    Translation t;
    mmu_translate_or_fault(c, va, ACCESS_WRITE, access_el(c, flags), &t);
    uint8_t *host = ram_or_stall(c, t.pa, size, insn_pc(c, c->cur));
    if (host) {
        uint64_t gfn = p2m_index(&c->bus->p2m, t.pa);
        if (!p2m_writable(&c->bus->p2m, gfn)) {
            c->mmu->stats.write_traps++;
            if (!p2m_write_fault(&c->bus->p2m, gfn))
                stall_nomem(c, insn_pc(c, c->cur));
            /* A watcher may have given the page another frame (copy on write). */
            host = ram_or_stall(c, t.pa, size, insn_pc(c, c->cur));
        }
        fill_tlb(c, va, &t, host - (t.pa & PAGE_OFFSET_MASK), flags);
        memcpy(host, &val, size);
        return;
    }
    const MmioWindow *w = bus_find_mmio(c->bus, t.pa);
    if (!w)
        raise_data_abort(c, va, FSC_EXTERNAL, true);
    w->ops->write(w->opaque, t.pa - w->base, val, size);
}

const CodeTlbEntry *mmu_code_page(Cpu *c, uint64_t va)
{
    CodeTlbEntry *ce = &c->code_tlb[tlb_index(va)];
    uint64_t page = PAGE_BASE(va);
    if (ce->va == page && ce->el == c->el)
        return ce;
    Translation t;
    mmu_translate_or_fault(c, va, ACCESS_EXEC, c->el, &t);
    if (!ram_or_stall(c, PAGE_BASE(t.pa), PAGE_SIZE, va))
        raise_insn_abort(c, va, FSC_EXTERNAL);
    p2m_mark_accessed(&c->bus->p2m, p2m_index(&c->bus->p2m, t.pa));
    DecodedPage *p = code_cache_page(c, t.pa);
    if (!p)
        stall_nomem(c, va);
    ce->va = page;
    ce->el = c->el;
    ce->page = p;
    ce->gpa = PAGE_BASE(t.pa);
    return ce;
}

/* AT S1E1R/W, S1E0R/W: the PAR_EL1 value. */
uint64_t mmu_at(Cpu *c, uint32_t key, uint64_t va)
{
    unsigned op2 = key & 7;
    unsigned el = op2 >= 2 ? 0 : 1;
    bool write = op2 & 1;
    Translation t;
    uint32_t fsc = mmu_translate_nofault(c, va, write ? ACCESS_WRITE : ACCESS_READ, el, &t);
    if (fsc == TRANSLATE_NOMEM)
        stall_nomem(c, insn_pc(c, c->cur));
    if (fsc)
        return 1 | ((uint64_t)(fsc & ~TRANSLATE_FAULT) << 1);
    unsigned attrindx = t.attrs & 7, sh = (t.attrs >> 3) & 3;
    uint64_t attr = (c->sr.mair >> (8 * attrindx)) & 0xff;
    return (t.pa & 0x000000fffffff000ull) | (attr << 56) | ((uint64_t)sh << 7);
}
