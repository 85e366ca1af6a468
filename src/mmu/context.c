/* Address spaces (MMU contexts): selecting the current one on an ASID
 * switch, flushing, TLBI, and honouring the p2m's memory events. */
#include <stdlib.h>
#include <string.h>

#include "cpu/code_cache.h"
#include "cpu/exception.h"
#include "cpu/insn.h"
#include "mem/bus.h"
#include "mmu/mmu.h"
#include "mmu/shadow.h"
#include "mmu/walk.h"

#define SCTLR_M 1u

static void flush_ctx_tlbs(MmuContext *x)
{
    for (unsigned t = 0; t < 2; t++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            x->tlb.e[t][i].read = TLB_INVALID;
            x->tlb.e[t][i].write = TLB_INVALID;
        }
    for (unsigned i = 0; i < CODE_TLB_SIZE; i++)
        x->code_tlb[i].va = TLB_INVALID;
}

static void ctx_init(MmuContext *x, uint32_t asid)
{
    x->asid = asid;
    x->last_use = 0;
    shadow_init(&x->table);
    flush_ctx_tlbs(x);
}

/* Every context, the MMU-off one included. */
#define FOR_EACH_CTX(m, x) \
    for (MmuContext *x = (m)->ctx; x <= &(m)->ctx[MMU_CONTEXTS]; x = x == &(m)->ctx[MMU_CONTEXTS - 1] ? &(m)->flat : x + 1)

/* ---- memory events (p2m.h): a changed page must not be reached through
 * any soft TLB. The current address space is checked at once; the others
 * when they next become current (their epoch is then behind). ---- */

static void revalidate(Cpu *c, MmuContext *x)
{
    const P2m *p2m = &c->bus->p2m;
    for (unsigned t = 0; t < 2; t++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            TlbEntry *e = &x->tlb.e[t][i];
            if (e->read == TLB_INVALID && e->write == TLB_INVALID)
                continue;
            if (e->gfn >= p2m->npages || e->gen != p2m->gen[e->gfn])
                e->read = e->write = TLB_INVALID;
            else if (!p2m_writable(p2m, e->gfn))
                e->write = TLB_INVALID;
        }
    x->epoch = c->mmu->epoch;
    c->mmu->stats.tlb_revalidations++;
}

static void cache_event(Cpu *c)
{
    c->mmu->epoch++;
    revalidate(c, c->mmu->cur);
}

static void page_changing(void *opaque, uint64_t gfn)
{
    Cpu *c = opaque;
    c->mmu->stats.page_changes++;
    code_cache_invalidate(c, c->bus->p2m.base + gfn * PAGE_SIZE);
    cache_event(c);
}

static void pages_changing(void *opaque, const uint32_t *gfns, size_t n)
{
    Cpu *c = opaque;
    c->mmu->stats.page_changes += n;
    for (size_t i = 0; i < n; i++)
        code_cache_invalidate(c, c->bus->p2m.base + (uint64_t)gfns[i] * PAGE_SIZE);
    cache_event(c);
}

static void write_protected(void *opaque, uint64_t gfn)
{
    Cpu *c = opaque;
    c->mmu->stats.write_protects++;
    cache_event(c);
}

static void mark_ctx_pages(MmuContext *x, P2m *m)
{
    for (unsigned t = 0; t < 2; t++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            const TlbEntry *e = &x->tlb.e[t][i];
            if ((e->read != TLB_INVALID || e->write != TLB_INVALID) && e->gfn < m->npages &&
                e->gen == m->gen[e->gfn])
                p2m_mark_accessed(m, e->gfn);
        }
}

static void harvest_access(void *opaque, P2m *m)
{
    Cpu *c = opaque;
    FOR_EACH_CTX(c->mmu, x)
        mark_ctx_pages(x, m);
}

/* ---- the pages each address space reaches, for the compressed-swap
 * service's choice of victims ---- */

typedef struct Visit {
    P2m *m;
    bool (*fn)(void *, uint64_t);
    void *arg;
} Visit;

static bool visit_gpa(const Visit *v, uint64_t gpa)
{
    return !p2m_contains(v->m, gpa) || v->fn(v->arg, p2m_index(v->m, gpa));
}

static bool visit_table(const Visit *v, const ShadowTable *t)
{
    for (uint32_t i = 0; i < t->cap; i++)
        if (t->slot[i].va < SHADOW_TOMB && !visit_gpa(v, t->slot[i].gpa))
            return false;
    return true;
}

static void visit_tlbs(const Visit *v, const MmuContext *x)
{
    for (unsigned t = 0; t < 2; t++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            const TlbEntry *e = &x->tlb.e[t][i];
            if ((e->read != TLB_INVALID || e->write != TLB_INVALID) && e->gfn < v->m->npages &&
                !v->fn(v->arg, e->gfn))
                return;
        }
    for (unsigned i = 0; i < CODE_TLB_SIZE; i++)
        if (x->code_tlb[i].va != TLB_INVALID && !visit_gpa(v, x->code_tlb[i].gpa))
            return;
}

static void visit_pages(void *opaque, P2m *m, MemSpace which, bool (*fn)(void *, uint64_t), void *arg)
{
    Cpu *c = opaque;
    Mmu *mmu = c->mmu;
    Visit v = {m, fn, arg};
    switch (which) {
    case MEM_SPACE_PINNED:
        visit_tlbs(&v, mmu->cur);
        if (c->code_va != TLB_INVALID)
            visit_gpa(&v, c->code_gpa);
        break;
    case MEM_SPACE_CURRENT:
        visit_table(&v, &mmu->cur->table);
        break;
    case MEM_SPACE_OTHERS:
        FOR_EACH_CTX(mmu, x)
            if (x != mmu->cur && !visit_table(&v, &x->table))
                return;
        break;
    case MEM_SPACE_GLOBAL:
        visit_table(&v, &mmu->global);
        break;
    }
}

void mmu_init(Cpu *c)
{
    Mmu *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    for (unsigned i = 0; i < MMU_CONTEXTS; i++)
        ctx_init(&m->ctx[i], MMU_ASID_FREE);
    ctx_init(&m->flat, MMU_ASID_FLAT);
    shadow_init(&m->global);
    c->mmu = m;
    m->cur = &m->flat;
    c->tlb = &m->flat.tlb;
    c->code_tlb = m->flat.code_tlb;
    c->tlb_cur = c->tlb->e[c->el ? TLB_EL1 : TLB_EL0];
    c->bus->p2m.cache = (MemCacheOps){.opaque = c, .page_changing = page_changing,
                                      .write_protected = write_protected, .harvest_access = harvest_access,
                                      .pages_changing = pages_changing, .visit_pages = visit_pages};
}

void mmu_destroy(Cpu *c)
{
    Mmu *m = c->mmu;
    if (!m)
        return;
    for (unsigned i = 0; i < MMU_CONTEXTS; i++)
        shadow_destroy(&m->ctx[i].table);
    shadow_destroy(&m->flat.table);
    shadow_destroy(&m->global);
    free(m);
    c->mmu = NULL;
}

void mmu_flush_all(Cpu *c)
{
    Mmu *m = c->mmu;
    FOR_EACH_CTX(m, x) {
        flush_ctx_tlbs(x);
        m->stats.entries_removed += shadow_clear(&x->table);
    }
    m->stats.entries_removed += shadow_clear(&m->global);
    c->stats.tlb_flushes++;
}

void mmu_flush_data_tlbs(Cpu *c)
{
    FOR_EACH_CTX(c->mmu, x)
        for (unsigned t = 0; t < 2; t++)
            for (unsigned i = 0; i < TLB_SIZE; i++)
                x->tlb.e[t][i].read = x->tlb.e[t][i].write = TLB_INVALID;
}

static MmuContext *ctx_for_asid(Mmu *m, uint32_t asid)
{
    MmuContext *victim = NULL;
    for (unsigned i = 0; i < MMU_CONTEXTS; i++) {
        MmuContext *x = &m->ctx[i];
        if (x->asid == asid)
            return x;
        if (!victim || x->asid == MMU_ASID_FREE || (victim->asid != MMU_ASID_FREE && x->last_use < victim->last_use))
            victim = x;
    }
    /* Recycle the least recently used address space. */
    if (victim->asid != MMU_ASID_FREE) {
        m->stats.ctx_evictions++;
        shadow_clear(&victim->table);
        flush_ctx_tlbs(victim);
    }
    victim->asid = asid;
    return victim;
}

void mmu_update_context(Cpu *c)
{
    Mmu *m = c->mmu;
    uint32_t asid = (c->sr.sctlr & SCTLR_M) ? walk_current_asid(&c->sr) : MMU_ASID_FLAT;
    bool switched = m->cur->asid != asid;
    if (switched) {
        m->cur = asid == MMU_ASID_FLAT ? &m->flat : ctx_for_asid(m, asid);
        m->stats.asid_switches++;
    }
    m->cur->last_use = ++m->clock;
    if (m->cur->epoch != m->epoch)
        revalidate(c, m->cur);
    c->tlb = &m->cur->tlb;
    c->code_tlb = m->cur->code_tlb;
    c->tlb_cur = c->tlb->e[c->el ? TLB_EL1 : TLB_EL0];
    if (m->hooks.event) {
        uint64_t ttbr0 = c->sr.ttbr0 & 0x0000fffffffffffeull;
        if (switched)
            m->hooks.event(m->hooks.opaque, MMU_EV_ASID_SWITCH);
        if (ttbr0 != m->ttbr0_base) {
            m->ttbr0_base = ttbr0;
            m->hooks.event(m->hooks.opaque, MMU_EV_PROCESS_SWITCH);
        }
    }
}

void mmu_code_tlb_forget(Cpu *c, const struct DecodedPage *p)
{
    FOR_EACH_CTX(c->mmu, x)
        for (unsigned i = 0; i < CODE_TLB_SIZE; i++)
            if (x->code_tlb[i].page == p)
                x->code_tlb[i].va = TLB_INVALID;
}

void mmu_code_tlb_forget_evicted(Cpu *c)
{
    FOR_EACH_CTX(c->mmu, x)
        for (unsigned i = 0; i < CODE_TLB_SIZE; i++)
            if (x->code_tlb[i].va != TLB_INVALID && x->code_tlb[i].page->evicting)
                x->code_tlb[i].va = TLB_INVALID;
}

void mmu_code_tlb_harvest(Cpu *c)
{
    FOR_EACH_CTX(c->mmu, x)
        for (unsigned i = 0; i < CODE_TLB_SIZE; i++)
            if (x->code_tlb[i].va != TLB_INVALID)
                x->code_tlb[i].page->referenced = true;
}

/* Drop soft-TLB entries for virtual page `va` in every address space. */
static void flush_va_everywhere(void *opaque, uint64_t va)
{
    Mmu *m = opaque;
    unsigned i = tlb_index(va);
    FOR_EACH_CTX(m, x) {
        for (unsigned t = 0; t < 2; t++)
            x->tlb.e[t][i].read = x->tlb.e[t][i].write = TLB_INVALID; /* tagged aliases too */
        x->code_tlb[i].va = TLB_INVALID;
    }
}

void mmu_tlbi(Cpu *c, uint32_t key, uint64_t xt)
{
    Mmu *m = c->mmu;
    unsigned op2 = key & 7;
    uint32_t asid = (uint32_t)(xt >> 48);
    if (!(c->sr.tcr & (1ull << 36)))
        asid &= 0xff;
    uint64_t va = (uint64_t)((int64_t)((xt & 0xfffffffffffull) << 20) >> 8); /* VA[55:12], sign-extended */
    switch (op2) {
    case 0: /* VMALLE1(IS): everything */
        m->stats.tlbi_all++;
        mmu_flush_all(c);
        break;
    case 2: /* ASIDE1(IS): one address space's non-global entries */
        m->stats.tlbi_asid++;
        for (unsigned i = 0; i < MMU_CONTEXTS; i++)
            if (m->ctx[i].asid == asid) {
                m->stats.entries_removed += shadow_clear(&m->ctx[i].table);
                flush_ctx_tlbs(&m->ctx[i]);
            }
        break;
    case 1: case 5: /* VAE1, VALE1: VA in one ASID, and global entries for VA */
    case 3: case 7: /* VAAE1, VAALE1: VA in every ASID */
        if (op2 & 2)
            m->stats.tlbi_va_all_asid++;
        else
            m->stats.tlbi_va++;
        for (unsigned i = 0; i < MMU_CONTEXTS; i++)
            if ((op2 & 2) || m->ctx[i].asid == asid)
                m->stats.entries_removed += shadow_invalidate_va(&m->ctx[i].table, va, flush_va_everywhere, m);
        m->stats.entries_removed += shadow_invalidate_va(&m->global, va, flush_va_everywhere, m);
        flush_va_everywhere(m, va);
        break;
    default:
        break;
    }
    if (m->hooks.event)
        m->hooks.event(m->hooks.opaque, MMU_EV_TLBI);
}

void mmu_forget_gpa(Cpu *c, uint64_t gpa)
{
    P2m *p2m = &c->bus->p2m;
    if (p2m_contains(p2m, gpa))
        p2m_change(p2m, p2m_index(p2m, gpa));
}
