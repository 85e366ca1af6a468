/* Translation through the shadow page tables: a hit in the current address
 * space's table (or the global one) costs a hash lookup; a miss walks the
 * guest's tables once and records the result. */
#include "mmu/translate.h"

#include <string.h>

#include "cpu/exception.h"
#include "mem/bus.h"
#include "mmu/shadow.h"
#include "mmu/walk.h"

#define SCTLR_M (1u << 0)
#define PA_BITS 40

static bool read_desc(void *opaque, uint64_t pa, uint64_t *desc)
{
    Bus *b = opaque;
    if (pa & 7)
        return false;
    const uint8_t *p = bus_ram_ptr(b, pa, 8);
    if (!p)
        return false;
    memcpy(desc, p, 8);
    return true;
}

static const uint8_t perm_bit[3][2] = {
    [ACCESS_READ] = {PERM_R0, PERM_R1},
    [ACCESS_WRITE] = {PERM_W0, PERM_W1},
    [ACCESS_EXEC] = {PERM_X0, PERM_X1},
};

/* A usable shadow entry for va in the current address space, or NULL. */
static ShadowEntry *lookup(Cpu *c, uint64_t page)
{
    Mmu *m = c->mmu;
    ShadowEntry *e = shadow_find(&m->cur->table, page);
    ShadowTable *t = &m->cur->table;
    if (!e) {
        e = shadow_find(&m->global, page);
        t = &m->global;
    }
    if (e && p2m_contains(&c->bus->p2m, e->gpa) && e->gen != p2m_gen(&c->bus->p2m, e->gpa)) {
        /* The page changed state since this entry was made. */
        shadow_remove(t, page);
        m->stats.stale++;
        return NULL;
    }
    return e;
}

/* Walk the guest's tables for va and record the result; 0 or a fault code. */
static uint32_t walk_and_fill(Cpu *c, uint64_t va, uint64_t page, bool data, ShadowEntry **out)
{
    Mmu *m = c->mmu;
    WalkResult r;
    c->bus->p2m.out_of_memory = false;
    walk_stage1(&c->sr, va, data, read_desc, c->bus, &r);
    m->stats.walks++;
    if (r.fault && c->bus->p2m.out_of_memory)
        return TRANSLATE_NOMEM;
    if (r.fault)
        return TRANSLATE_FAULT | r.fsc;
    /* Make the page resident first so the entry carries its current generation. */
    if (!bus_ram_ptr(c->bus, r.pa, 1) && bus_is_ram(c->bus, r.pa))
        return TRANSLATE_NOMEM;
    uint32_t gen = p2m_contains(&c->bus->p2m, r.pa) ? p2m_gen(&c->bus->p2m, r.pa) : 0;
    ShadowEntry e = {.va = page, .gpa = r.pa, .gen = gen, .perms = r.perms, .level = r.level, .attrs = r.attrs};
    ShadowTable *t = r.global ? &m->global : &m->cur->table;
    if (r.level < 3)
        shadow_note_block(t, page, r.level);
    *out = shadow_insert(t, &e);
    m->stats.fills++;
    return 0;
}

static void fill_out(const ShadowEntry *e, uint64_t va, unsigned el, Translation *out)
{
    out->pa = e->gpa | (va & 0xfff);
    out->readable = e->perms & perm_bit[ACCESS_READ][el];
    out->writable = e->perms & perm_bit[ACCESS_WRITE][el];
    out->executable = e->perms & perm_bit[ACCESS_EXEC][el];
    out->attrs = e->attrs;
}

uint32_t mmu_translate_nofault(Cpu *c, uint64_t va, AccessKind kind, unsigned el, Translation *out)
{
    if (!(c->sr.sctlr & SCTLR_M)) {
        /* Stage 1 off: flat, all permissions; addresses beyond the PA size fault. */
        if (va >> PA_BITS)
            return TRANSLATE_FAULT | (FSC_ADDR_SIZE + 0);
        *out = (Translation){.pa = va, .readable = true, .writable = true, .executable = true};
        return 0;
    }
    bool data = kind != ACCESS_EXEC;
    /* Shadow entries are keyed by the untagged page (TBI applies to data only). */
    uint64_t key = va;
    if (data && (c->sr.tcr & ((va >> 55) & 1 ? (1ull << 38) : (1ull << 37))))
        key = (va >> 55) & 1 ? (va | 0xff00000000000000ull) : (va & 0x00ffffffffffffffull);
    uint64_t page = PAGE_BASE(key);
    ShadowEntry *e = lookup(c, page);
    bool fresh = false;
    if (e) {
        c->mmu->stats.shadow_hits++;
    } else {
        uint32_t fsc = walk_and_fill(c, va, page, data, &e);
        if (fsc)
            return fsc;
        fresh = true;
    }
    if (!(e->perms & perm_bit[kind][el]) && !fresh) {
        /* Do not fault on a cached entry: the guest may have granted the
         * permission since (as hardware, we re-read before faulting). */
        uint32_t fsc = walk_and_fill(c, va, page, data, &e);
        if (fsc)
            return fsc;
    }
    if (!(e->perms & perm_bit[kind][el]))
        return TRANSLATE_FAULT | (FSC_PERMISSION + e->level);
    fill_out(e, va, el, out);
    return 0;
}

void mmu_translate_or_fault(Cpu *c, uint64_t va, AccessKind kind, unsigned el, Translation *out)
{
    uint32_t fsc = mmu_translate_nofault(c, va, kind, el, out);
    if (__builtin_expect(fsc == 0, 1))
        return;
    if (fsc == TRANSLATE_NOMEM) {
        /* The guest's tables (or the page) need a frame the pool cannot give:
         * hold the access back until memory is found; nothing is faulted. */
        c->mmu->stats.nomem_stalls++;
        cpu_stall(c, kind == ACCESS_EXEC ? va : insn_pc(c, c->cur), CPU_EXIT_NOMEM);
    }
    c->mmu->stats.guest_faults++;
    fsc &= ~TRANSLATE_FAULT;
    if (kind == ACCESS_EXEC)
        raise_insn_abort(c, va, fsc);
    raise_data_abort(c, va, fsc, kind == ACCESS_WRITE);
}
