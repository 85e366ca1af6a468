/* PMUv3 (pmu.h). Register encodings: op0 = 3, CRn = 9 (PMCR ... PMOVSSET,
 * PMINTEN*) and CRn = 14, CRm = 8..15 (PMEVCNTRn, PMEVTYPERn, PMCCFILTR). */
#include "cpu/pmu.h"

#include <stddef.h>

#include "cpu/cpu.h"
#include "cpu/sysreg.h"

enum {
    PMCR_E = 1u << 0, PMCR_P = 1u << 1, PMCR_C = 1u << 2, PMCR_D = 1u << 3, PMCR_LC = 1u << 6,
    PMCR_WRITABLE = 0x79u, /* E D X DP LC */
    /* IMP 'A', IDCODE 0x03 (Cortex-A53), N counters */
    PMCR_RO = 0x41u << 24 | 0x03u << 16 | PMU_COUNTERS << 11,
    CYCLE_BIT = 1u << 31,
    VALID = CYCLE_BIT | ((1u << PMU_COUNTERS) - 1),
    TYPER_P = 1u << 31, TYPER_U = 1u << 30,
    EVTYPER_MASK = 0xfc0003ffu, CCFILTR_MASK = 0xfc000000u,
    EV_SW_INCR = 0x00, EV_INST_RETIRED = 0x08, EV_CPU_CYCLES = 0x11,
    PMCEID0 = 1u << EV_SW_INCR | 1u << EV_INST_RETIRED | 1u << EV_CPU_CYCLES,
    /* PMUSERENR_EL0 */
    UEN_EN = 1, UEN_SW = 2, UEN_CR = 4, UEN_ER = 8,
};

enum {
    SR_PMCR = SYSREG(3, 3, 9, 12, 0), SR_PMCNTENSET = SYSREG(3, 3, 9, 12, 1),
    SR_PMCNTENCLR = SYSREG(3, 3, 9, 12, 2), SR_PMOVSCLR = SYSREG(3, 3, 9, 12, 3),
    SR_PMSWINC = SYSREG(3, 3, 9, 12, 4), SR_PMSELR = SYSREG(3, 3, 9, 12, 5),
    SR_PMCEID0 = SYSREG(3, 3, 9, 12, 6), SR_PMCEID1 = SYSREG(3, 3, 9, 12, 7),
    SR_PMCCNTR = SYSREG(3, 3, 9, 13, 0), SR_PMXEVTYPER = SYSREG(3, 3, 9, 13, 1),
    SR_PMXEVCNTR = SYSREG(3, 3, 9, 13, 2), SR_PMOVSSET = SYSREG(3, 3, 9, 14, 3),
    SR_PMINTENSET = SYSREG(3, 0, 9, 14, 1), SR_PMINTENCLR = SYSREG(3, 0, 9, 14, 2),
    SR_PMEVCNTR0 = SYSREG(3, 3, 14, 8, 0), SR_PMEVTYPER0 = SYSREG(3, 3, 14, 12, 0),
    SR_PMCCFILTR = SYSREG(3, 3, 14, 15, 7),
};

uint64_t cpu_retired(const Cpu *c)
{
    return c->icount + c->slice_n - c->slice_left;
}

void pmu_reset(Cpu *c)
{
    c->pmu = (PmuState){.synced = cpu_retired(c)};
}

static bool counts_at(uint32_t typer, unsigned el)
{
    return !(typer & (el ? TYPER_P : TYPER_U));
}

static bool counts_events(const PmuState *p, unsigned i, unsigned el)
{
    unsigned ev = p->evtyper[i] & 0x3ff;
    return (p->cnten >> i & 1) && (ev == EV_INST_RETIRED || ev == EV_CPU_CYCLES) &&
           counts_at(p->evtyper[i], el);
}

static bool counts_cycles(const PmuState *p, unsigned el)
{
    return (p->cnten & CYCLE_BIT) && counts_at(p->ccfiltr, el);
}

static void add_event(PmuState *p, unsigned i, uint64_t n)
{
    uint64_t v = p->evcntr[i] + n;
    if (v >> 32)
        p->ovs |= 1u << i;
    p->evcntr[i] = (uint32_t)v;
}

static void add_cycles(PmuState *p, uint64_t n)
{
    if (p->pmcr & PMCR_D) { /* one count every 64 cycles */
        n += p->ccdiv;
        p->ccdiv = n & 63;
        n >>= 6;
    }
    uint64_t old = p->ccntr;
    p->ccntr += n;
    bool ovf = (p->pmcr & PMCR_LC) ? p->ccntr < old : ((old & 0xffffffffull) + n) >> 32 != 0;
    if (ovf)
        p->ovs |= CYCLE_BIT;
}

void pmu_fold(PmuState *p, uint64_t now, unsigned el)
{
    uint64_t n = now - p->synced;
    p->synced = now;
    if (!n || !pmu_on(p))
        return;
    if (counts_cycles(p, el))
        add_cycles(p, n);
    for (unsigned i = 0; i < PMU_COUNTERS; i++)
        if (counts_events(p, i, el))
            add_event(p, i, n);
}

void pmu_sync(Cpu *c)
{
    pmu_fold(&c->pmu, cpu_retired(c), c->el);
}

uint64_t pmu_until_overflow(Cpu *c)
{
    const PmuState *p = &c->pmu;
    uint64_t pending = cpu_retired(c) - p->synced, best = UINT64_MAX;
    if (counts_cycles(p, c->el)) {
        uint64_t left = (p->pmcr & PMCR_LC) ? -p->ccntr : (1ull << 32) - (p->ccntr & 0xffffffffull);
        if (p->pmcr & PMCR_D)
            left = left > (UINT64_MAX >> 6) ? UINT64_MAX : left * 64 - p->ccdiv;
        best = left;
    }
    for (unsigned i = 0; i < PMU_COUNTERS; i++)
        if (counts_events(p, i, c->el)) {
            uint64_t left = (1ull << 32) - p->evcntr[i];
            if (left < best)
                best = left;
        }
    if (best == UINT64_MAX)
        return best;
    return best > pending ? best - pending : 1;
}

bool pmu_irq_level(Cpu *c)
{
    pmu_sync(c);
    return pmu_on(&c->pmu) && (c->pmu.ovs & c->pmu.inten);
}

/* ---- registers ---- */

/* Which of the PMEV registers `key` is: 0..30 counter or type n, 31 PMCCFILTR. */
static int pmev_index(uint32_t key, bool *type)
{
    if ((key & ~((3u << 3) | 7)) == SR_PMEVCNTR0) {
        *type = false;
        return (int)(((key >> 3) & 3) << 3 | (key & 7));
    }
    if ((key & ~((3u << 3) | 7)) == SR_PMEVTYPER0) {
        *type = true;
        return (int)(((key >> 3) & 3) << 3 | (key & 7));
    }
    return -1;
}

bool pmu_owns(uint32_t key)
{
    bool type;
    return ((key >> 7) == (SYSREG(3, 3, 9, 0, 0) >> 7) && ((key >> 3) & 15) >= 12) ||
           key == SR_PMINTENSET || key == SR_PMINTENCLR || pmev_index(key, &type) >= 0;
}

/* May EL0 make this access? (PMUSERENR_EL0: EN, SW, CR, ER.) */
static int el0_check(const PmuState *p, uint32_t key, bool read)
{
    bool type;
    uint32_t u = p->userenr;
    if (key == SR_PMINTENSET || key == SR_PMINTENCLR || (key == SR_PMUSERENR && !read))
        return PMU_UNDEFINED;
    if (key == SR_PMUSERENR || (u & UEN_EN))
        return PMU_DONE;
    int n = pmev_index(key, &type);
    if (key == SR_PMSWINC)
        return (u & UEN_SW) ? PMU_DONE : PMU_TRAP;
    if (key == SR_PMCCNTR)
        return (u & UEN_CR) && read ? PMU_DONE : PMU_TRAP;
    if (key == SR_PMSELR)
        return (u & UEN_ER) ? PMU_DONE : PMU_TRAP;
    if (key == SR_PMXEVCNTR || (n >= 0 && n < 31 && !type))
        return (u & UEN_ER) && read ? PMU_DONE : PMU_TRAP;
    return PMU_TRAP;
}

static uint32_t *typer_of(PmuState *p, unsigned n)
{
    return n == 31 ? &p->ccfiltr : n < PMU_COUNTERS ? &p->evtyper[n] : NULL;
}

/* Common to reads and writes: EL0's rules, then the counters brought up to
 * date (a write changes counting from here on). */
static int begin_access(Cpu *c, uint32_t key, bool read)
{
    if (c->el == 0) {
        int r = el0_check(&c->pmu, key, read);
        if (r != PMU_DONE)
            return r;
    }
    pmu_sync(c);
    return PMU_DONE;
}

int pmu_read(Cpu *c, uint32_t key, uint64_t *v)
{
    int r = begin_access(c, key, true);
    if (r != PMU_DONE)
        return r;
    PmuState *p = &c->pmu;
    bool type;
    int n = pmev_index(key, &type);
    switch (key) {
    case SR_PMCR: *v = PMCR_RO | (p->pmcr & PMCR_WRITABLE); break;
    case SR_PMCNTENSET: case SR_PMCNTENCLR: *v = p->cnten; break;
    case SR_PMOVSCLR: case SR_PMOVSSET: *v = p->ovs; break;
    case SR_PMINTENSET: case SR_PMINTENCLR: *v = p->inten; break;
    case SR_PMSELR: *v = p->selr; break;
    case SR_PMCEID0: *v = PMCEID0; break;
    case SR_PMCEID1: *v = 0; break;
    case SR_PMCCNTR: *v = p->ccntr; break;
    case SR_PMUSERENR: *v = p->userenr; break;
    case SR_PMXEVTYPER: {
        uint32_t *t = typer_of(p, p->selr);
        *v = t ? *t : 0;
        break;
    }
    case SR_PMXEVCNTR: *v = p->selr < PMU_COUNTERS ? p->evcntr[p->selr] : 0; break;
    default:
        if (n == 31 && type)
            *v = p->ccfiltr;
        else if (n >= 0 && n < PMU_COUNTERS)
            *v = type ? p->evtyper[n] : p->evcntr[n];
        else
            return PMU_UNDEFINED; /* PMSWINC (write-only), counters not implemented */
    }
    return PMU_DONE;
}

static void software_increment(PmuState *p, uint32_t bits)
{
    if (!pmu_on(p))
        return;
    for (unsigned i = 0; i < PMU_COUNTERS; i++)
        if ((bits >> i & 1) && (p->cnten >> i & 1) && (p->evtyper[i] & 0x3ff) == EV_SW_INCR)
            add_event(p, i, 1);
}

int pmu_write(Cpu *c, uint32_t key, uint64_t v)
{
    int r = begin_access(c, key, false);
    if (r != PMU_DONE)
        return r;
    PmuState *p = &c->pmu;
    uint32_t w = (uint32_t)v;
    bool type;
    int n = pmev_index(key, &type);
    switch (key) {
    case SR_PMCR:
        if (w & PMCR_P)
            for (unsigned i = 0; i < PMU_COUNTERS; i++)
                p->evcntr[i] = 0;
        if (w & PMCR_C)
            p->ccntr = 0, p->ccdiv = 0;
        p->pmcr = w & PMCR_WRITABLE;
        break;
    case SR_PMCNTENSET: p->cnten |= w & VALID; break;
    case SR_PMCNTENCLR: p->cnten &= ~w; break;
    case SR_PMOVSCLR: p->ovs &= ~w; break;
    case SR_PMOVSSET: p->ovs |= w & VALID; break;
    case SR_PMINTENSET: p->inten |= w & VALID; break;
    case SR_PMINTENCLR: p->inten &= ~w; break;
    case SR_PMSWINC: software_increment(p, w); break;
    case SR_PMSELR: p->selr = w & 31; break;
    case SR_PMCCNTR: p->ccntr = v; break;
    case SR_PMUSERENR: p->userenr = w & 15; break;
    case SR_PMXEVTYPER: {
        uint32_t *t = typer_of(p, p->selr);
        if (t)
            *t = w & (p->selr == 31 ? CCFILTR_MASK : EVTYPER_MASK);
        break;
    }
    case SR_PMXEVCNTR:
        if (p->selr < PMU_COUNTERS)
            p->evcntr[p->selr] = w;
        break;
    case SR_PMCEID0: case SR_PMCEID1: return PMU_UNDEFINED; /* read-only */
    default:
        if (n == 31 && type)
            p->ccfiltr = w & CCFILTR_MASK;
        else if (n >= 0 && n < PMU_COUNTERS && type)
            p->evtyper[n] = w & EVTYPER_MASK;
        else if (n >= 0 && n < PMU_COUNTERS)
            p->evcntr[n] = w;
        else
            return PMU_UNDEFINED;
    }
    return PMU_DONE;
}
