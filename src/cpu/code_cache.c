#include "cpu/code_cache.h"

#include <stdlib.h>
#include <string.h>

#include "cpu/exception.h"
#include "mem/bus.h"
#include "mmu/mmu.h"

/* Not an instruction: it runs the next page's first instruction in its own
 * slot, so icount does not see page crossings. While the fetch may fault,
 * one more slot is left, so the abort counts no instruction. */
const Insn *exec_next_page(Cpu *c, const Insn *d)
{
    (void)d;
    c->slice_left++;
    const Insn *n = cpu_branch(c, c->code_va + PAGE_SIZE);
    c->slice_left--;
    c->cur = n;
    return n->fn(c, n);
}

/* A guest or device write is about to change a page holding decoded code. */
static bool code_written(void *opaque, uint64_t gfn)
{
    Cpu *c = opaque;
    code_cache_invalidate(c, c->code->ram_base + gfn * PAGE_SIZE);
    return true;
}

CodeCache *code_cache_new(Cpu *c, CodeShare *share)
{
    CodeCache *cc = calloc(1, sizeof *cc);
    if (!cc)
        return NULL;
    cc->cpu = c;
    cc->ram_base = c->bus->ram_base;
    cc->npages = c->bus->ram_size >> PAGE_SHIFT;
    cc->pages = calloc(cc->npages, sizeof *cc->pages);
    CodeShare *own = share ? NULL : code_share_new(0);
    cc->share = share ? share : own;
    bool held = cc->pages && cc->share && code_share_hold(cc->share, cc);
    code_share_release(own); /* the cache's hold keeps it */
    if (!held) {
        free(cc->pages);
        free(cc);
        return NULL;
    }
    cc->watch_bit = p2m_watch(&c->bus->p2m, "code", code_written, c);
    return cc;
}

void code_cache_free(CodeCache *cc)
{
    if (!cc)
        return;
    for (uint64_t i = 0; i < cc->npages; i++)
        if (cc->pages[i])
            code_share_drop_user(cc->share, cc->pages[i], cc, (uint32_t)i);
    code_share_collect(cc->share); /* the vCPU is gone: nothing runs in them */
    code_share_unhold(cc->share, cc);
    free(cc->pages);
    free(cc);
}

void code_cache_forget(CodeCache *cc, uint32_t gfn)
{
    cc->pages[gfn] = NULL;
    cc->live_pages--;
}

const uint8_t *code_cache_bytes(const CodeCache *cc, uint32_t gfn)
{
    const P2m *m = &cc->cpu->bus->p2m;
    return p2m_has_frame(m, gfn) ? frame_ptr(m->pool, m->frame[gfn]) : NULL;
}

DecodedPage *code_cache_page(Cpu *c, uint64_t gpa)
{
    CodeCache *cc = c->code;
    uint64_t i = (gpa - cc->ram_base) >> PAGE_SHIFT;
    if (i >= cc->npages)
        return NULL;
    if (cc->pages[i]) {
        cc->pages[i]->referenced = true;
        return cc->pages[i];
    }
    const uint8_t *bytes = bus_ram_ptr(c->bus, PAGE_BASE(gpa), PAGE_SIZE);
    if (!bytes)
        return NULL;
    uint64_t hash = code_share_hash(bytes);
    DecodedPage *p = code_share_find(cc->share, hash, bytes);
    if (p)
        cc->share->stats.matched++;
    else
        p = code_share_create(cc->share, hash);
    p->referenced = true;
    code_share_add_user(cc->share, p, cc, (uint32_t)i);
    cc->pages[i] = p;
    cc->live_pages++;
    /* From now on guest writes to this page must take the slow path. */
    P2m *p2m = &c->bus->p2m;
    p2m_write_protect(p2m, i, cc->watch_bit);
    return p;
}

bool code_cache_invalidate(Cpu *c, uint64_t gpa)
{
    CodeCache *cc = c->code;
    uint64_t i = (gpa - cc->ram_base) >> PAGE_SHIFT;
    if (i >= cc->npages || !cc->pages[i])
        return false;
    DecodedPage *p = cc->pages[i];
    cc->pages[i] = NULL;
    cc->live_pages--;
    mmu_code_tlb_forget(c, p);
    /* Only handler pointers are reset: an instruction of this page may be
     * executing right now and still reads its own decoded fields. The stubs
     * send this vCPU on to a page of its own (exec_decode_stub). */
    if (c->code_page == p)
        code_share_reset_page(p);
    code_share_drop_user(cc->share, p, cc, (uint32_t)i);
    c->stats.code_invalidations++;
    return true;
}

/* The page this vCPU runs in was detached under it (a write, or a state
 * change): continue at the same entry of the page attached now. */
static const Insn *reattach(Cpu *c, unsigned idx)
{
    DecodedPage *p = code_cache_page(c, c->code_gpa);
    if (!p)
        cpu_stall(c, c->code_va + idx * 4u, CPU_EXIT_NOMEM);
    c->code_page = p;
    return &p->insn[idx];
}

const Insn *exec_decode_stub(Cpu *c, const Insn *d)
{
    DecodedPage *p = c->code_page;
    unsigned idx = (unsigned)(d - p->insn);
    CodeCache *cc = c->code;
    if (cc->pages[(c->code_gpa - cc->ram_base) >> PAGE_SHIFT] != p) {
        d = reattach(c, idx);
        if (d->fn != exec_decode_stub)
            return d->fn(c, d);
    }
    bool last = idx + 1 == INSNS_PER_PAGE;
    const uint8_t *host = bus_ram_ptr(c->bus, c->code_gpa + idx * 4u, last ? 4 : 8);
    if (!host)
        cpu_stall(c, insn_pc(c, d), CPU_EXIT_NOMEM);
    Insn *w = (Insn *)d;
    uint32_t raw[2];
    memcpy(raw, host, last ? 4 : 8);
    decode_insn(raw[0], w);
    if (!last)
        fuse_insn(w, raw[1]); /* same page: a write to it re-decodes both */
    c->stats.decoded++;
    return w->fn(c, w);
}
