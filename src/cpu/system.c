/* Exception generation, hints, barriers, PSTATE writes, system registers
 * (MRS/MSR) and cache/TLB maintenance (SYS). */
#include <string.h>

#include "cpu/exception.h"
#include "cpu/insn.h"
#include "cpu/sysreg.h"
#include "mmu/mmu.h"

#define SCTLR_UMA (1u << 9)
#define SCTLR_DZE (1u << 14)
#define SCTLR_UCT (1u << 15)
#define SCTLR_NTWI (1u << 16)
#define SCTLR_UCI (1u << 26)

/* SCTLR_EL1 bits software may change; the rest are RES0/RES1 on ARMv8.0. */
#define SCTLR_WRITABLE 0x040dd21full /* M A C SA SA0 UMA I DZE UCT nTWI nTWE WXN UCI */
#define SCTLR_RES1 0x30d00800ull

/* d->f0: Rt slot for MRS/MSR; d->imm: the sysreg key (or HINT/immediate). */

/* A trapped (not undefined) system access from EL0: EC 0x18 with the encoding. */
_Noreturn static void trap_sysreg(Cpu *c, const Insn *d)
{
    uint32_t raw = d->raw, key = sysreg_key(raw);
    uint32_t iss = ((key >> 14) & 3) << 20 | (key & 7) << 17 | ((key >> 11) & 7) << 14 |
                   ((key >> 7) & 15) << 10 | bits(raw, 4, 0) << 5 | ((key >> 3) & 15) << 1 |
                   bit(raw, 21);
    raise_sync(c, ESR(EC_SYSREG, iss), c->sr.far, insn_pc(c, d));
}

/* ---- exception generation ---- */

static const Insn *exec_svc(Cpu *c, const Insn *d)
{
    if (c->sr.mdscr & 1) /* SSAdvance: a stepped SVC is complete; the step exception follows its return */
        c->ss = 0;
    raise_sync(c, ESR(EC_SVC64, d->imm), c->sr.far, insn_pc(c, d) + 4);
}

static const Insn *exec_hvc(Cpu *c, const Insn *d)
{
    if (c->el == 0 || !c->plat.hvc)
        raise_undefined(c, d);
    uint64_t pc = insn_pc(c, d);
    if (!c->plat.hvc(c->plat.opaque, c, (uint16_t)d->imm))
        raise_undefined(c, d);
    return insn_next(c, cpu_branch_sync(c, pc + 4));
}

static const Insn *exec_brk(Cpu *c, const Insn *d)
{
    raise_sync(c, ESR(EC_BRK64, d->imm), c->sr.far, insn_pc(c, d));
}

static bool decode_exception_gen(uint32_t raw, Insn *d)
{
    if (bits(raw, 31, 24) != 0xd4)
        return false;
    unsigned opc = bits(raw, 23, 21), ll = bits(raw, 1, 0);
    d->imm = bits(raw, 20, 5);
    if (bits(raw, 4, 2) != 0)
        return true; /* undefined */
    if (opc == 0 && ll == 1)
        d->fn = exec_svc;
    else if (opc == 0 && ll == 2)
        d->fn = exec_hvc;
    else if (opc == 1 && ll == 0)
        d->fn = exec_brk;
    /* SMC (no EL3), HLT (no halting debug) and DCPSn are undefined here. */
    return true;
}

/* ---- hints and barriers ---- */

static const Insn *exec_wfi(Cpu *c, const Insn *d)
{
    if (c->el == 0 && !(c->sr.sctlr & SCTLR_NTWI))
        raise_sync(c, ESR(EC_WFX, 0), c->sr.far, insn_pc(c, d));
    c->halted = true;
    return insn_next(c, cpu_branch_sync(c, insn_pc(c, d) + 4));
}

static const Insn *exec_clrex(Cpu *c, const Insn *d)
{
    c->excl_valid = false;
    return insn_next(c, d + 1);
}

static const Insn *exec_isb(Cpu *c, const Insn *d)
{
    /* Context synchronization: pick up translation changes for the next fetch. */
    return insn_next(c, cpu_branch_sync(c, insn_pc(c, d) + 4));
}

static void decode_hint(uint32_t raw, Insn *d)
{
    unsigned hint = bits(raw, 11, 5); /* CRm:op2 */
    /* Everything in the hint space is a NOP unless the feature exists: PAC,
     * BTI, ESB, CSDB... are not advertised. WFE and SEV: one core, no events
     * to wait for. */
    d->fn = hint == 3 ? exec_wfi : exec_nop;
}

static void decode_barrier(uint32_t raw, Insn *d)
{
    switch (bits(raw, 7, 5)) {
    case 2: d->fn = exec_clrex; break;
    case 4: d->fn = exec_nop; break; /* DSB (incl. SSBB/PSSBB) */
    case 5: d->fn = exec_nop; break; /* DMB */
    case 6: d->fn = exec_isb; break;
    default: break;                  /* SB is ARMv8.5: undefined */
    }
}

/* ---- MSR (immediate): PSTATE fields ---- */

static const Insn *exec_msr_daifset(Cpu *c, const Insn *d)
{
    if (c->el == 0 && !(c->sr.sctlr & SCTLR_UMA))
        trap_sysreg(c, d);
    c->daif |= (uint32_t)d->imm;
    return insn_next(c, d + 1);
}

static const Insn *exec_msr_daifclr(Cpu *c, const Insn *d)
{
    if (c->el == 0 && !(c->sr.sctlr & SCTLR_UMA))
        trap_sysreg(c, d);
    c->daif &= ~(uint32_t)d->imm;
    return insn_next(c, cpu_branch_sync(c, insn_pc(c, d) + 4)); /* an IRQ may now be taken */
}

static const Insn *exec_msr_spsel(Cpu *c, const Insn *d)
{
    if (c->el == 0)
        raise_undefined(c, d);
    cpu_set_pstate(c, (cpu_get_pstate(c) & ~1ull) | (d->imm & 1));
    return insn_next(c, d + 1);
}

static void decode_msr_imm(uint32_t raw, Insn *d)
{
    unsigned op1 = bits(raw, 18, 16), op2 = bits(raw, 7, 5);
    d->imm = bits(raw, 11, 8);
    if (op1 == 0 && op2 == 5)
        d->fn = exec_msr_spsel;
    else if (op1 == 3 && op2 == 6)
        d->fn = exec_msr_daifset;
    else if (op1 == 3 && op2 == 7)
        d->fn = exec_msr_daifclr;
}

/* ---- MRS / MSR (register) ---- */

static uint64_t counter(Cpu *c)
{
    return c->plat.counter ? c->plat.counter(c->plat.opaque) : c->icount;
}

static uint64_t timer_ctl(Cpu *c, uint64_t ctl, uint64_t cval)
{
    uint64_t istatus = (ctl & 1) && counter(c) >= cval ? 4 : 0;
    return (ctl & 3) | istatus;
}

static uint64_t ccsidr(const Cpu *c)
{
    /* Cortex-A53-like geometry: L1D 32K 4-way, L1I 32K 2-way, L2 512K 16-way,
     * 64-byte lines. Only the kernel's cache-info report reads this. */
    switch (c->sr.csselr & 0xf) {
    case 0: return 0x700fe01a;
    case 1: return 0x201fe00a;
    case 2: return 0x703fe07a;
    default: return 0;
    }
}

/* EL0 may use these (subject to the enables checked below). */
static bool el0_allowed(Cpu *c, const Insn *d, uint32_t key, bool read)
{
    switch (key) {
    case SR_NZCV: case SR_FPCR: case SR_FPSR: case SR_TPIDR_EL0: case SR_DCZID:
        return true;
    case SR_TPIDRRO_EL0:
        if (!read)
            raise_undefined(c, d);
        return true;
    case SR_DAIF:
        if (!(c->sr.sctlr & SCTLR_UMA))
            trap_sysreg(c, d);
        return true;
    case SR_CTR:
        if (!(c->sr.sctlr & SCTLR_UCT))
            trap_sysreg(c, d);
        return true;
    case SR_CNTFRQ:
        if (!(c->sr.cntkctl & 3))
            trap_sysreg(c, d);
        return true;
    case SR_CNTPCT:
        if (!(c->sr.cntkctl & 1))
            trap_sysreg(c, d);
        return true;
    case SR_CNTVCT:
        if (!(c->sr.cntkctl & 2))
            trap_sysreg(c, d);
        return true;
    case SR_CNTV_CTL: case SR_CNTV_CVAL: case SR_CNTV_TVAL:
        if (!(c->sr.cntkctl & (1u << 8)))
            trap_sysreg(c, d);
        return true;
    case SR_CNTP_CTL: case SR_CNTP_CVAL: case SR_CNTP_TVAL:
        if (!(c->sr.cntkctl & (1u << 9)))
            trap_sysreg(c, d);
        return true;
    default:
        return false;
    }
}

/* Returns false if the register does not exist (undefined instruction). */
static bool sysreg_read(Cpu *c, uint32_t key, uint64_t *v)
{
    SysRegs *s = &c->sr;
    switch (key) {
    case SR_MIDR: *v = TANDEM_MIDR; return true;
    case SR_MPIDR: *v = 0x80000000u; return true; /* uniprocessor bit clear, Aff0 = 0 */
    case SR_REVIDR: *v = 0; return true;
    case SR_ID_AA64PFR0: *v = TANDEM_ID_AA64PFR0; return true;
    case SR_ID_AA64DFR0: *v = TANDEM_ID_AA64DFR0; return true;
    case SR_ID_AA64ISAR0: *v = TANDEM_ID_AA64ISAR0; return true;
    case SR_ID_AA64MMFR0: *v = TANDEM_ID_AA64MMFR0; return true;
    case SR_SCTLR: *v = s->sctlr; return true;
    case SR_ACTLR: *v = s->actlr; return true;
    case SR_CPACR: *v = s->cpacr; return true;
    case SR_TTBR0: *v = s->ttbr0; return true;
    case SR_TTBR1: *v = s->ttbr1; return true;
    case SR_TCR: *v = s->tcr; return true;
    case SR_SPSR_EL1: *v = s->spsr; return true;
    case SR_ELR_EL1: *v = s->elr; return true;
    case SR_SP_EL0: *v = cpu_sp_for_el(c, 0); return true;
    case SR_SPSEL: *v = c->spsel; return true;
    case SR_CURRENTEL: *v = (uint64_t)c->el << 2; return true;
    case SR_AFSR0: *v = s->afsr0; return true;
    case SR_AFSR1: *v = s->afsr1; return true;
    case SR_ESR: *v = s->esr; return true;
    case SR_FAR: *v = s->far; return true;
    case SR_PAR: *v = s->par; return true;
    case SR_MAIR: *v = s->mair; return true;
    case SR_AMAIR: *v = s->amair; return true;
    case SR_VBAR: *v = s->vbar; return true;
    case SR_ISR: {
        bool irq = c->plat.irq_pending && c->plat.irq_pending(c->plat.opaque);
        *v = irq ? 0x80 : 0;
        return true;
    }
    case SR_CONTEXTIDR: *v = s->contextidr; return true;
    case SR_TPIDR_EL1: *v = s->tpidr_el1; return true;
    case SR_CNTKCTL: *v = s->cntkctl; return true;
    case SR_CCSIDR: *v = ccsidr(c); return true;
    case SR_CLIDR: *v = 0x0a200023; return true; /* L1 I+D, L2 unified; LoUIS/LoC */
    case SR_AIDR: *v = 0; return true;
    case SR_CSSELR: *v = s->csselr; return true;
    case SR_CTR: *v = TANDEM_CTR; return true;
    case SR_DCZID: *v = TANDEM_DCZID; return true;
    case SR_NZCV: *v = (uint64_t)c->nzcv << 28; return true;
    case SR_DAIF: *v = (uint64_t)c->daif << 6; return true;
    case SR_FPCR: *v = c->fpcr; return true;
    case SR_FPSR: *v = c->fpsr; return true;
    case SR_TPIDR_EL0: *v = s->tpidr_el0; return true;
    case SR_TPIDRRO_EL0: *v = s->tpidrro_el0; return true;
    case SR_CNTFRQ: *v = TANDEM_CNTFRQ; return true;
    case SR_CNTPCT: case SR_CNTVCT: *v = counter(c); return true;
    case SR_CNTV_CTL: *v = timer_ctl(c, s->cntv_ctl, s->cntv_cval); return true;
    case SR_CNTV_CVAL: *v = s->cntv_cval; return true;
    case SR_CNTV_TVAL: *v = (uint32_t)(s->cntv_cval - counter(c)); return true;
    case SR_CNTP_CTL: *v = timer_ctl(c, s->cntp_ctl, s->cntp_cval); return true;
    case SR_CNTP_CVAL: *v = s->cntp_cval; return true;
    case SR_CNTP_TVAL: *v = (uint32_t)(s->cntp_cval - counter(c)); return true;
    case SR_MDSCR: *v = s->mdscr; return true;
    case SR_OSLSR: *v = s->oslsr; return true;
    case SR_MDCCINT: *v = s->mdccint; return true;
    case SR_MDCCSR_EL0: *v = 0; return true;
    case SR_OSDLR: *v = 0; return true;
    default: break;
    }
    /* The rest of the ID space (AArch32 ID registers, ID_AA64*1/2, reserved
     * encodings op0=3 op1=0 CRn=0 CRm=1..7) reads as zero: nothing else implemented. */
    if ((key & ~0x3fu) == SYSREG(3, 0, 0, 0, 0) && ((key >> 3) & 15) != 0) {
        *v = 0;
        return true;
    }
    if (debug_sysreg_read(c, key, v))
        return true;
    /* The rest of the debug block (the debug comms channel, OSECCR): RAZ. */
    if ((key >> 14) == 2 && ((key >> 11) & 7) == 0 && ((key >> 7) & 15) == 0 && !debug_sysreg_missing(key)) {
        *v = 0;
        return true;
    }
    return false;
}

/* Returns 0 if undefined, 1 if written, 2 if written and translation/context changed. */
static int sysreg_write(Cpu *c, uint32_t key, uint64_t v)
{
    SysRegs *s = &c->sr;
    switch (key) {
    case SR_SCTLR:
        /* MMU on/off changes every translation; alignment checking (A) is
         * done only on the slow path, so cached fast-path entries must go. */
        if ((s->sctlr ^ v) & 3)
            mmu_flush_all(c);
        s->sctlr = (v & SCTLR_WRITABLE) | SCTLR_RES1;
        mmu_update_context(c);
        return 2;
    case SR_ACTLR: s->actlr = v; return 1;
    case SR_CPACR:
        s->cpacr = v & (3u << 20);
        cpu_set_pstate(c, cpu_get_pstate(c)); /* recompute fp_enabled */
        return 1;
    /* A TTBR write may switch address space (ASID): entries built for
     * either are kept, as the TLB would keep them. */
    case SR_TTBR0: s->ttbr0 = v; mmu_update_context(c); return 2;
    case SR_TTBR1: s->ttbr1 = v; mmu_update_context(c); return 2;
    case SR_TCR:
        s->tcr = v;
        mmu_flush_all(c);
        mmu_update_context(c);
        return 2;
    case SR_SPSR_EL1: s->spsr = v & 0xf03003cfull; return 1;
    case SR_ELR_EL1: s->elr = v; return 1;
    case SR_SP_EL0:
        if (c->spsel == 0)
            c->x[REG_SP] = v;
        else
            s->sp_el0 = v;
        return 1;
    case SR_SPSEL: cpu_set_pstate(c, (cpu_get_pstate(c) & ~1ull) | (v & 1)); return 1;
    case SR_AFSR0: s->afsr0 = v; return 1;
    case SR_AFSR1: s->afsr1 = v; return 1;
    case SR_ESR: s->esr = (uint32_t)v; return 1;
    case SR_FAR: s->far = v; return 1;
    case SR_PAR: s->par = v; return 1;
    case SR_MAIR: s->mair = v; return 1; /* shadow entries keep AttrIndx, not attributes */
    case SR_AMAIR: s->amair = v; return 1;
    case SR_VBAR: s->vbar = v & ~0x7ffull; return 1;
    case SR_CONTEXTIDR: s->contextidr = (uint32_t)v; return 1;
    case SR_TPIDR_EL1: s->tpidr_el1 = v; return 1;
    case SR_CNTKCTL: s->cntkctl = v & 0x3ff; return 1;
    case SR_CSSELR: s->csselr = v & 0xf; return 1;
    case SR_NZCV: c->nzcv = (v >> 28) & 0xf; return 1;
    case SR_DAIF: c->daif = (v >> 6) & 0xf; return 2;
    case SR_FPCR: c->fpcr = (uint32_t)v & 0x07f70000u; return 1; /* no trap enables, no FZ16 */
    case SR_FPSR: c->fpsr = (uint32_t)v & 0xf800009fu; return 1;
    case SR_TPIDR_EL0: s->tpidr_el0 = v; return 1;
    case SR_TPIDRRO_EL0: s->tpidrro_el0 = v; return 1;
    case SR_CNTV_CTL: s->cntv_ctl = v & 3; return 2;
    case SR_CNTV_CVAL: s->cntv_cval = v; return 2;
    case SR_CNTV_TVAL: s->cntv_cval = counter(c) + (uint64_t)(int64_t)(int32_t)v; return 2;
    case SR_CNTP_CTL: s->cntp_ctl = v & 3; return 2;
    case SR_CNTP_CVAL: s->cntp_cval = v; return 2;
    case SR_CNTP_TVAL: s->cntp_cval = counter(c) + (uint64_t)(int64_t)(int32_t)v; return 2;
    /* MDSCR: SS KDE MDE, and the rest kept as written (TDCC, the comms bits). */
    case SR_MDSCR: s->mdscr = v & 0xffffffffull; debug_update(c); return 2;
    case SR_OSLAR: s->oslsr = (s->oslsr & ~2ull) | ((v & 1) << 1); debug_update(c); return 2;
    case SR_OSDLR: return 1;
    case SR_MDCCINT: s->mdccint = v; return 1;
    default: break;
    }
    if (debug_sysreg_write(c, key, v))
        return 2; /* breakpoints and watchpoints apply from the next instruction */
    if ((key >> 14) == 2 && ((key >> 11) & 7) == 0 && ((key >> 7) & 15) == 0 && !debug_sysreg_missing(key))
        return 1; /* the rest of the debug block: WI */
    return 0;
}

/* PMU registers (pmu.c), chosen at decode time (pmu_owns). */
static void pmu_outcome(Cpu *c, const Insn *d, int r)
{
    if (r == PMU_TRAP)
        trap_sysreg(c, d);
    if (r == PMU_UNDEFINED)
        raise_undefined(c, d);
}

static const Insn *exec_mrs_pmu(Cpu *c, const Insn *d)
{
    uint64_t v;
    pmu_outcome(c, d, pmu_read(c, (uint32_t)d->imm, &v));
    c->x[d->rd] = v;
    return insn_next(c, d + 1);
}

/* The slice ends: the next overflow may have moved. */
static const Insn *exec_msr_pmu(Cpu *c, const Insn *d)
{
    pmu_outcome(c, d, pmu_write(c, (uint32_t)d->imm, c->x[d->rd]));
    return insn_next(c, cpu_branch_sync(c, insn_pc(c, d) + 4));
}

static const Insn *exec_mrs(Cpu *c, const Insn *d)
{
    uint32_t key = (uint32_t)d->imm;
    if (c->el == 0 && !el0_allowed(c, d, key, true))
        raise_undefined(c, d);
    if (key == SR_SP_EL0 && c->spsel == 0)
        raise_undefined(c, d);
    uint64_t v;
    if (!sysreg_read(c, key, &v))
        raise_undefined(c, d);
    c->x[d->rd] = v;
    return insn_next(c, d + 1);
}

static const Insn *exec_msr(Cpu *c, const Insn *d)
{
    uint32_t key = (uint32_t)d->imm;
    if (c->el == 0 && !el0_allowed(c, d, key, false))
        raise_undefined(c, d);
    if (key == SR_SP_EL0 && c->spsel == 0)
        raise_undefined(c, d);
    int r = sysreg_write(c, key, c->x[d->rd]);
    if (r == 0)
        raise_undefined(c, d);
    if (r == 2)
        return insn_next(c, cpu_branch_sync(c, insn_pc(c, d) + 4));
    return insn_next(c, d + 1);
}

/* Fast paths for the registers user code reads most. */
static const Insn *exec_mrs_tpidr_el0(Cpu *c, const Insn *d)
{
    c->x[d->rd] = c->sr.tpidr_el0;
    return insn_next(c, d + 1);
}

static const Insn *exec_mrs_nzcv(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint64_t)c->nzcv << 28;
    return insn_next(c, d + 1);
}

static const Insn *exec_msr_nzcv(Cpu *c, const Insn *d)
{
    c->nzcv = (c->x[d->rd] >> 28) & 0xf;
    return insn_next(c, d + 1);
}

/* ---- SYS: cache and TLB maintenance, address translation ---- */

static const Insn *exec_dc_zva(Cpu *c, const Insn *d)
{
    if (c->el == 0 && !(c->sr.sctlr & SCTLR_DZE))
        trap_sysreg(c, d);
    uint64_t va = c->x[d->rd] & ~63ull;
    for (unsigned i = 0; i < 64; i += 8)
        mem_store(c, va + i, 0, 8, 0);
    return insn_next(c, d + 1);
}

/* Clean/invalidate by VA: no caches to maintain; EL0 needs SCTLR.UCI. */
static const Insn *exec_cache_va_el0ok(Cpu *c, const Insn *d)
{
    if (c->el == 0 && !(c->sr.sctlr & SCTLR_UCI))
        trap_sysreg(c, d);
    return insn_next(c, d + 1);
}

static const Insn *exec_el1_nop(Cpu *c, const Insn *d)
{
    if (c->el == 0)
        raise_undefined(c, d);
    return insn_next(c, d + 1);
}

static const Insn *exec_tlbi(Cpu *c, const Insn *d)
{
    if (c->el == 0)
        raise_undefined(c, d);
    mmu_tlbi(c, (uint32_t)d->imm, c->x[d->rd]);
    return insn_next(c, cpu_branch_sync(c, insn_pc(c, d) + 4));
}

static const Insn *exec_at(Cpu *c, const Insn *d)
{
    if (c->el == 0)
        raise_undefined(c, d);
    c->sr.par = mmu_at(c, (uint32_t)d->imm, c->x[d->rd]);
    return insn_next(c, d + 1);
}

static void decode_sys(uint32_t raw, Insn *d)
{
    uint32_t key = sysreg_key(raw);
    unsigned op1 = (key >> 11) & 7, crn = (key >> 7) & 15;
    d->imm = key;
    if (bit(raw, 21)) /* SYSL: nothing allocated */
        return;
    if (crn == 8 && op1 == 0) {
        d->fn = exec_tlbi;
        return;
    }
    if (crn != 7)
        return;
    switch (key) {
    case SYSREG(1, 3, 7, 4, 1): d->fn = exec_dc_zva; break;
    case SYSREG(1, 3, 7, 10, 1): /* DC CVAC */
    case SYSREG(1, 3, 7, 11, 1): /* DC CVAU */
    case SYSREG(1, 3, 7, 14, 1): /* DC CIVAC */
    case SYSREG(1, 3, 7, 5, 1):  /* IC IVAU */
        d->fn = exec_cache_va_el0ok;
        break;
    case SYSREG(1, 0, 7, 6, 1):  /* DC IVAC */
    case SYSREG(1, 0, 7, 6, 2):  /* DC ISW */
    case SYSREG(1, 0, 7, 10, 2): /* DC CSW */
    case SYSREG(1, 0, 7, 14, 2): /* DC CISW */
    case SYSREG(1, 0, 7, 1, 0):  /* IC IALLUIS */
    case SYSREG(1, 0, 7, 5, 0):  /* IC IALLU */
        d->fn = exec_el1_nop;
        break;
    case SYSREG(1, 0, 7, 8, 0): case SYSREG(1, 0, 7, 8, 1): /* AT S1E1R/W */
    case SYSREG(1, 0, 7, 8, 2): case SYSREG(1, 0, 7, 8, 3): /* AT S1E0R/W */
        d->fn = exec_at;
        break;
    default:
        break;
    }
}

bool decode_system(uint32_t raw, Insn *d)
{
    if (decode_exception_gen(raw, d))
        return true;
    if (bits(raw, 31, 22) != 0x354) /* 1101 0101 00 */
        return false;
    unsigned l = bit(raw, 21), op0 = bits(raw, 20, 19), op1 = bits(raw, 18, 16);
    unsigned crn = bits(raw, 15, 12), rt = bits(raw, 4, 0);
    d->rd = l ? reg_zr_dst(rt) : reg_zr(rt);
    if (op0 == 0 && !l) {
        if (crn == 2 && op1 == 3 && rt == 31)
            decode_hint(raw, d);
        else if (crn == 3 && op1 == 3 && rt == 31)
            decode_barrier(raw, d);
        else if (crn == 4 && rt == 31)
            decode_msr_imm(raw, d);
        return true;
    }
    if (op0 == 1) {
        decode_sys(raw, d);
        return true;
    }
    if (op0 >= 2) {
        uint32_t key = sysreg_key(raw);
        d->imm = key;
        if (key == SR_TPIDR_EL0 && l)
            d->fn = exec_mrs_tpidr_el0;
        else if (key == SR_NZCV)
            d->fn = l ? exec_mrs_nzcv : exec_msr_nzcv;
        else if (pmu_owns(key))
            d->fn = l ? exec_mrs_pmu : exec_msr_pmu;
        else
            d->fn = l ? exec_mrs : exec_msr;
        return true;
    }
    return true;
}
