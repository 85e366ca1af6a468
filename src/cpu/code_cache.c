#include "cpu/code_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/exception.h"
#include "mem/bus.h"
#include "mmu/mmu.h"

static const Insn *exec_next_page(Cpu *c, const Insn *d)
{
    return cpu_branch(c, c->code_va + PAGE_SIZE);
}

/* A guest or device write is about to change a page holding decoded code. */
static bool code_written(void *opaque, uint64_t gfn)
{
    Cpu *c = opaque;
    code_cache_invalidate(c, c->code->ram_base + gfn * PAGE_SIZE);
    return true;
}

CodeCache *code_cache_new(Cpu *c)
{
    CodeCache *cc = calloc(1, sizeof *cc);
    if (!cc)
        return NULL;
    cc->ram_base = c->bus->ram_base;
    cc->npages = c->bus->ram_size >> PAGE_SHIFT;
    cc->watch_bit = p2m_watch(&c->bus->p2m, "code", code_written, c);
    cc->pages = calloc(cc->npages, sizeof *cc->pages);
    if (!cc->pages) {
        free(cc);
        return NULL;
    }
    return cc;
}

void code_cache_free(CodeCache *cc)
{
    if (!cc)
        return;
    for (uint64_t i = 0; i < cc->npages; i++)
        free(cc->pages[i]);
    free(cc->pages);
    free(cc);
}

static void reset_entries(DecodedPage *p)
{
    for (unsigned i = 0; i < INSNS_PER_PAGE; i++)
        p->insn[i].fn = exec_decode_stub;
}

DecodedPage *code_cache_page(Cpu *c, uint64_t gpa)
{
    CodeCache *cc = c->code;
    uint64_t i = (gpa - cc->ram_base) >> PAGE_SHIFT;
    if (i >= cc->npages)
        return NULL;
    DecodedPage *p = cc->pages[i];
    if (!p) {
        p = calloc(1, sizeof *p);
        if (!p) {
            fprintf(stderr, "tandem: out of host memory for decoded code\n");
            abort();
        }
        p->gpa = PAGE_BASE(gpa);
        reset_entries(p);
        p->insn[INSNS_PER_PAGE].fn = exec_next_page;
        cc->pages[i] = p;
    }
    return p;
}

bool code_cache_invalidate(Cpu *c, uint64_t gpa)
{
    CodeCache *cc = c->code;
    uint64_t i = (gpa - cc->ram_base) >> PAGE_SHIFT;
    if (i >= cc->npages || !cc->pages[i] || !cc->pages[i]->live)
        return false;
    /* Only handler pointers are reset: an instruction of this page may be
     * executing right now and still reads its own decoded fields. */
    reset_entries(cc->pages[i]);
    cc->pages[i]->live = false;
    cc->live_pages--;
    c->stats.code_invalidations++;
    return true;
}

const Insn *exec_decode_stub(Cpu *c, const Insn *d)
{
    DecodedPage *p = c->code_page;
    unsigned idx = (unsigned)(d - p->insn);
    const uint8_t *host = bus_ram_ptr(c->bus, p->gpa + idx * 4u, 4);
    if (!host)
        cpu_stall(c, insn_pc(c, d), CPU_EXIT_NOMEM);
    if (!p->live) {
        /* From now on guest writes to this page must take the slow path. */
        p->live = true;
        c->code->live_pages++;
        P2m *p2m = &c->bus->p2m;
        p2m_write_protect(p2m, p2m_index(p2m, p->gpa), c->code->watch_bit);
    }
    Insn *w = (Insn *)d;
    uint32_t raw;
    memcpy(&raw, host, 4);
    decode_insn(raw, w);
    c->stats.decoded++;
    return w->fn(c, w);
}
