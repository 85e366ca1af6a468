/* vCPU life cycle, PSTATE, and the interpreter's run loop. */
#include "cpu/cpu.h"

#include <stdlib.h>
#include <string.h>

#include "cpu/code_cache.h"
#include "cpu/exception.h"
#include "cpu/fphost.h"
#include "cpu/insn.h"
#include "mem/bus.h"
#include "mmu/mmu.h"

/* Instructions between checks for interrupts and stop requests. */
#define SLICE 4096

void cpu_init(Cpu *c, Bus *bus, const CpuPlatform *plat)
{
    memset(c, 0, sizeof *c);
    c->bus = bus;
    if (plat)
        c->plat = *plat;
    c->code = code_cache_new(c, c->plat.code_share);
    if (!c->code)
        abort();
    mmu_init(c);
    cpu_reset(c, bus->ram_base);
}

void cpu_free(Cpu *c)
{
    code_cache_free(c->code);
    c->code = NULL;
    mmu_destroy(c);
}

static void update_fp_enabled(Cpu *c)
{
    unsigned fpen = (c->sr.cpacr >> 20) & 3;
    c->fp_enabled = fpen == 3 || (fpen == 1 && c->el == 1);
}

void cpu_reset(Cpu *c, uint64_t pc)
{
    memset(c->x, 0, sizeof c->x);
    memset(c->v, 0, sizeof c->v);
    memset(&c->sr, 0, sizeof c->sr);
    c->fpcr = c->fpsr = 0;
    /* SCTLR_EL1 reset value: RES1 bits, MMU and caches off. */
    c->sr.sctlr = 0x30d00800;
    c->sr.oslsr = 0xa; /* OS lock implemented and locked until the OS clears it */
    c->el = 1;
    c->spsel = 1;
    c->nzcv = 0;
    c->daif = 0xf;
    c->excl_valid = false;
    c->halted = false;
    c->ss = 0;
    c->eret_done = false;
    update_fp_enabled(c);
    pmu_reset(c);
    mmu_flush_all(c);
    mmu_update_context(c);
    debug_update(c); /* the host debugger's requests stay */
    c->pc = pc;
}

void cpu_save(const Cpu *c, CpuArchState *s)
{
    memcpy(s->x, c->x, sizeof s->x);
    memcpy(s->v, c->v, sizeof s->v);
    s->nzcv = c->nzcv, s->el = c->el, s->daif = c->daif, s->spsel = c->spsel, s->il = c->il;
    s->ss = c->ss, s->ss_isv = c->ss_isv, s->ss_ex = c->ss_ex;
    s->fpcr = c->fpcr, s->fpsr = c->fpsr;
    s->excl_valid = c->excl_valid, s->excl_addr = c->excl_addr, s->excl_size = c->excl_size;
    s->halted = c->halted;
    s->sr = c->sr;
    s->pmu = c->pmu; /* with the counts not yet folded in (c is left as it is) */
    pmu_fold(&s->pmu, cpu_retired(c), c->el);
    s->pc = c->pc;
}

void cpu_restore(Cpu *c, const CpuArchState *s)
{
    memcpy(c->x, s->x, sizeof s->x);
    memcpy(c->v, s->v, sizeof s->v);
    c->nzcv = s->nzcv, c->el = s->el, c->daif = s->daif, c->spsel = s->spsel, c->il = s->il;
    c->ss = s->ss, c->ss_isv = s->ss_isv, c->ss_ex = s->ss_ex;
    c->fpcr = s->fpcr, c->fpsr = s->fpsr;
    c->excl_valid = s->excl_valid, c->excl_addr = s->excl_addr, c->excl_size = s->excl_size;
    c->halted = s->halted;
    c->sr = s->sr;
    c->pmu = s->pmu;
    c->pmu.synced = cpu_retired(c); /* the saved counts were up to date */
    c->pc = s->pc;
    c->exc_repeats = 0;
    update_fp_enabled(c);
    mmu_flush_all(c);
    mmu_update_context(c); /* also selects the soft TLB for c->el */
    c->code_va = TLB_INVALID;
    c->eret_done = false;
    debug_update(c); /* the debug registers may differ */
}

/* ---- PSTATE ---- */

uint64_t cpu_get_pstate(const Cpu *c)
{
    return ((uint64_t)c->nzcv << 28) | ((uint64_t)c->ss << 21) | ((uint64_t)c->il << 20) | ((uint64_t)c->daif << 6) |
           ((uint64_t)c->el << 2) | (c->el ? c->spsel : 0);
}

static uint64_t *banked_sp(Cpu *c, unsigned el, unsigned spsel)
{
    return (el == 0 || spsel == 0) ? &c->sr.sp_el0 : &c->sr.sp_el1;
}

uint64_t cpu_sp_for_el(const Cpu *c, unsigned el)
{
    bool current = (el == 0) == (c->el == 0 || c->spsel == 0);
    if (current)
        return c->x[REG_SP];
    return el == 0 ? c->sr.sp_el0 : c->sr.sp_el1;
}

void cpu_set_pstate(Cpu *c, uint64_t spsr)
{
    if (pmu_on(&c->pmu))
        pmu_sync(c); /* what ran so far counts at the EL it ran at */
    *banked_sp(c, c->el, c->spsel) = c->x[REG_SP];
    c->el = (spsr >> 2) & 1;
    c->spsel = c->el ? (spsr & 1) : 0;
    c->x[REG_SP] = *banked_sp(c, c->el, c->spsel);
    c->nzcv = (spsr >> 28) & 0xf;
    c->daif = (spsr >> 6) & 0xf;
    c->il = (spsr >> 20) & 1;
    c->ss = (spsr >> 21) & 1;
    c->tlb_cur = c->tlb->e[c->el ? TLB_EL1 : TLB_EL0];
    update_fp_enabled(c);
}

/* ---- condition codes: bit n of cond_table[cond] says whether cond holds
 * when NZCV == n ---- */
const uint16_t cond_table[16] = {
    /* EQ NE CS CC MI PL VS VC HI LS GE LT GT LE AL NV */
    0xf0f0, 0x0f0f, 0xcccc, 0x3333, 0xff00, 0x00ff, 0xaaaa, 0x5555,
    0x0c0c, 0xf3f3, 0xaa55, 0x55aa, 0x0a05, 0xf5fa, 0xffff, 0xffff,
};

/* ---- shared handlers ---- */

const Insn *exec_undefined(Cpu *c, const Insn *d)
{
    raise_undefined(c, d);
}

const Insn *exec_nop(Cpu *c, const Insn *d)
{
    return insn_next(c, d + 1);
}

_Noreturn void fp_access_trap(Cpu *c, const Insn *d)
{
    /* ISS: CV=1, COND=0xe (always), as QEMU reports for AArch64 code. */
    raise_sync(c, ESR(EC_FP_ACCESS, 0x1e00000), c->sr.far, insn_pc(c, d));
}

/* ---- control flow ---- */

/* AArch64.BranchAddr: with top-byte-ignore on for the target's half (and no
 * pointer authentication, so TBI covers instruction addresses too), the tag
 * is replaced by copies of bit 55. */
static uint64_t branch_addr(const Cpu *c, uint64_t target)
{
    bool upper = (target >> 55) & 1;
    if (!(c->sr.tcr & (upper ? (1ull << 38) : (1ull << 37))))
        return target;
    return upper ? target | 0xff00000000000000ull : target & 0x00ffffffffffffffull;
}

const Insn *cpu_branch(Cpu *c, uint64_t target)
{
    if (__builtin_expect(PAGE_BASE(target) == c->code_va && !(target & 3), 1))
        return &c->code_page->insn[(target & PAGE_OFFSET_MASK) >> 2];
    target = branch_addr(c, target);
    if (target & 3)
        raise_sync(c, ESR(EC_PC_ALIGN, 0), target, target);
    const CodeTlbEntry *e = mmu_code_page(c, target);
    c->code_va = PAGE_BASE(target);
    c->code_page = e->page;
    c->code_gpa = e->gpa;
    return &e->page->insn[(target & PAGE_OFFSET_MASK) >> 2];
}

const Insn *cpu_branch_sync(Cpu *c, uint64_t target)
{
    cpu_end_slice(c);
    /* Translation or EL may have changed: look the target up afresh. */
    c->code_va = TLB_INVALID;
    return cpu_branch(c, target);
}

void cpu_request_stop(Cpu *c)
{
    c->stop_requested = true;
    cpu_end_slice(c);
}

void cpu_kick(Cpu *c)
{
    cpu_end_slice(c);
}

/* The hot loop: no PC, no decode. Handlers run one another (insn_next)
 * until the slice is over, so this loop turns only once per slice, or per
 * instruction where threading is off. An entry that comes back with
 * instructions still left was returned without insn_next: it is counted
 * here. The count lives in the Cpu so that an exception leaving mid-slice
 * still accounts for the instructions before it. Kept out of cpu_run so
 * that setjmp there does not pin `c` to the stack. */
__attribute__((noinline)) static void run_slice(Cpu *c)
{
    const Insn *d = cpu_branch(c, c->pc);
    do {
        c->cur = d;
        d = d->fn(c, d);
    } while (c->slice_left && --c->slice_left);
    c->pc = insn_pc(c, d);
}

static bool irq_line(Cpu *c)
{
    return c->plat.irq_pending && c->plat.irq_pending(c->plat.opaque);
}

/* With debugging on, one instruction per slice, each boundary checked. */
static uint64_t slice_size(Cpu *c, uint64_t left)
{
    uint64_t n = left < SLICE ? left : SLICE;
    if (pmu_on(&c->pmu)) { /* end the slice where a counter overflows */
        uint64_t u = pmu_until_overflow(c);
        n = u < n ? u : n;
    }
    return c->debug_on ? 1 : n;
}

CpuExit cpu_run(Cpu *c, uint64_t budget)
{
    /* volatile: read again after an exception longjmps back here. */
    volatile uint64_t end = c->icount + budget;
    code_share_collect(c->code->share); /* no vCPU is executing now */
    fpu_host_reset(); /* host code since the last run may have left flags or a rounding mode */
    c->code_va = TLB_INVALID;
    c->slice_n = c->slice_left = 0;
    int jumped = setjmp(c->run_jmp);
    if (jumped) {
        /* An exception was taken (c->pc is the vector; the instruction that
         * raised it counts, unless it was taken before it at the boundary) or
         * the instruction was abandoned (c->pc restarts it). */
        c->icount += c->slice_n - c->slice_left + (jumped == CPU_JMP_EXCEPTION);
        c->slice_n = c->slice_left = 0;
        c->code_va = TLB_INVALID;
        c->eret_done = false;
        if (jumped != CPU_JMP_STALL)
            c->hdbg.executed = true; /* a host step stops at the vector */
    }
    while (!c->stop_requested) {
        bool irq = irq_line(c);
        if (c->halted && !irq)
            return CPU_EXIT_WFI;
        c->halted = false; /* WFI wakes on a pending interrupt even if masked */
        if (irq && !(c->daif & DAIF_I) && !c->hdbg.step) /* the host's step holds interrupts, as QEMU's */
            take_irq(c);
        if (c->icount >= end)
            return CPU_EXIT_BUDGET;
        if (__builtin_expect(c->debug_on, 0) && debug_boundary(c))
            return CPU_EXIT_DEBUG;
        c->slice_n = c->slice_left = slice_size(c, end - c->icount);
        run_slice(c);
        c->icount += c->slice_n;
        c->slice_n = 0;
        if (__builtin_expect(c->debug_on, 0))
            debug_after_insn(c);
    }
    c->stop_requested = false;
    CpuExit why = c->exit_reason;
    c->exit_reason = CPU_EXIT_STOP;
    return why == CPU_EXIT_EXCEPTION || why == CPU_EXIT_NOMEM || why == CPU_EXIT_DEBUG ? why : CPU_EXIT_STOP;
}
