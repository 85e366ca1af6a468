#include "machine/gic.h"

#include <string.h>

static bool test(const uint32_t *b, unsigned i) { return (b[i / 32] >> (i % 32)) & 1; }
static void set(uint32_t *b, unsigned i) { b[i / 32] |= 1u << (i % 32); }
static void clr(uint32_t *b, unsigned i) { b[i / 32] &= ~(1u << (i % 32)); }

static bool is_pending(const Gic *g, unsigned i)
{
    /* Level-sensitive inputs are pending while the line is high. */
    return test(g->pending, i) || (!test(g->edge, i) && test(g->level, i));
}

static unsigned running_priority(const Gic *g)
{
    return g->running_depth ? g->running_stack[g->running_depth - 1] : 0x100;
}

/* Highest-priority pending, enabled, inactive interrupt, or GIC_SPURIOUS. */
static unsigned best_pending(const Gic *g, unsigned *prio)
{
    unsigned best = GIC_SPURIOUS, bp = 0x100;
    for (unsigned w = 0; w < GIC_WORDS; w++) {
        uint32_t cand = g->enabled[w] & ~g->active[w] & (g->pending[w] | (g->level[w] & ~g->edge[w]));
        while (cand) {
            unsigned i = w * 32 + (unsigned)__builtin_ctz(cand);
            cand &= cand - 1;
            if (g->priority[i] < bp) {
                bp = g->priority[i];
                best = i;
            }
        }
    }
    *prio = bp;
    return best;
}

static void update(Gic *g)
{
    unsigned prio;
    bool out = false;
    if (g->dist_enabled && g->cpu_enabled && best_pending(g, &prio) != GIC_SPURIOUS)
        out = prio < (g->pmr & 0xff) && prio < running_priority(g);
    if (out != g->irq_out) {
        g->irq_out = out;
        if (g->changed)
            g->changed(g->opaque);
    }
}

void gic_init(Gic *g)
{
    void (*changed)(void *) = g->changed;
    void *opaque = g->opaque;
    memset(g, 0, sizeof *g);
    g->changed = changed;
    g->opaque = opaque;
    g->edge[0] = 0xffff; /* SGIs are edge-triggered */
    for (unsigned i = 0; i < 32; i++)
        g->targets[i] = 1;
}

void gic_set_level(Gic *g, unsigned intid, bool level)
{
    if (intid >= GIC_NR_IRQS || intid < 16)
        return;
    if (level && !test(g->level, intid) && test(g->edge, intid))
        set(g->pending, intid); /* rising edge */
    if (level)
        set(g->level, intid);
    else
        clr(g->level, intid);
    update(g);
}

/* ---- distributor ---- */

enum {
    GICD_CTLR = 0x000, GICD_TYPER = 0x004, GICD_IIDR = 0x008, GICD_IGROUPR = 0x080,
    GICD_ISENABLER = 0x100, GICD_ICENABLER = 0x180, GICD_ISPENDR = 0x200, GICD_ICPENDR = 0x280,
    GICD_ISACTIVER = 0x300, GICD_ICACTIVER = 0x380, GICD_IPRIORITYR = 0x400, GICD_ITARGETSR = 0x800,
    GICD_ICFGR = 0xc00, GICD_SGIR = 0xf00, GICD_CPENDSGIR = 0xf10, GICD_SPENDSGIR = 0xf20,
};

/* PIDR4..7, PIDR0..3, CIDR0..3 at 0xfd0..0xffc: a GICv2 (ArchRev 2 in PIDR2). */
static const uint8_t gic_id[12] = {0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static uint32_t bit_range(const uint32_t *b, uint64_t off)
{
    unsigned w = (unsigned)(off / 4);
    return w < GIC_WORDS ? b[w] : 0;
}

static uint64_t dist_read(void *opaque, uint64_t off, unsigned size)
{
    Gic *g = opaque;
    if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + GIC_NR_IRQS) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size && off - GICD_IPRIORITYR + i < GIC_NR_IRQS; i++)
            v |= (uint64_t)g->priority[off - GICD_IPRIORITYR + i] << (8 * i);
        return v;
    }
    if (off >= GICD_ITARGETSR && off < GICD_ITARGETSR + GIC_NR_IRQS) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size && off - GICD_ITARGETSR + i < GIC_NR_IRQS; i++)
            v |= (uint64_t)g->targets[off - GICD_ITARGETSR + i] << (8 * i);
        return v;
    }
    if (off >= 0xfd0)
        return off < 0x1000 ? gic_id[(off - 0xfd0) / 4] : 0;
    switch (off & ~0x7full) {
    case GICD_ISENABLER: case GICD_ICENABLER: return bit_range(g->enabled, off & 0x7f);
    case GICD_ISPENDR: case GICD_ICPENDR: {
        uint32_t v = 0;
        for (unsigned i = 0; i < 32; i++) {
            unsigned n = (unsigned)((off & 0x7f) * 8) + i;
            if (n < GIC_NR_IRQS && is_pending(g, n))
                v |= 1u << i;
        }
        return v;
    }
    case GICD_ISACTIVER: case GICD_ICACTIVER: return bit_range(g->active, off & 0x7f);
    default: break;
    }
    if (off >= GICD_ICFGR && off < GICD_ICFGR + GIC_NR_IRQS / 4) {
        unsigned first = (unsigned)(off - GICD_ICFGR) * 4;
        uint32_t v = 0;
        for (unsigned i = 0; i < 16; i++)
            if (test(g->edge, first + i))
                v |= 2u << (2 * i);
        return v;
    }
    switch (off) {
    case GICD_CTLR: return g->dist_enabled;
    case GICD_TYPER: return GIC_NR_IRQS / 32 - 1; /* one CPU, no security extensions */
    case GICD_IIDR: return 0x0200143b;
    default: return 0; /* IGROUPR and reserved space: RAZ */
    }
}

static void write_bits(Gic *g, uint32_t *b, uint64_t off, uint32_t v, bool setting, unsigned first_writable)
{
    unsigned w = (unsigned)(off / 4);
    if (w >= GIC_WORDS)
        return;
    uint32_t mask = w == 0 ? (first_writable >= 32 ? 0 : ~0u << first_writable) : ~0u;
    if (setting)
        b[w] |= v & mask;
    else
        b[w] &= ~(v & mask);
}

static void dist_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Gic *g = opaque;
    uint32_t v = (uint32_t)val;
    if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + GIC_NR_IRQS) {
        for (unsigned i = 0; i < size && off - GICD_IPRIORITYR + i < GIC_NR_IRQS; i++)
            g->priority[off - GICD_IPRIORITYR + i] = (uint8_t)(val >> (8 * i));
    } else if (off >= GICD_ITARGETSR + 32 && off < GICD_ITARGETSR + GIC_NR_IRQS) {
        for (unsigned i = 0; i < size && off - GICD_ITARGETSR + i < GIC_NR_IRQS; i++)
            g->targets[off - GICD_ITARGETSR + i] = (uint8_t)(val >> (8 * i)) & 1;
    } else if (off >= GICD_ICFGR + 4 && off < GICD_ICFGR + GIC_NR_IRQS / 4) {
        unsigned first = (unsigned)(off - GICD_ICFGR) * 4;
        for (unsigned i = 0; i < 16; i++) {
            if ((v >> (2 * i + 1)) & 1)
                set(g->edge, first + i);
            else
                clr(g->edge, first + i);
        }
    } else {
        switch (off & ~0x7full) {
        case GICD_ISENABLER: write_bits(g, g->enabled, off & 0x7f, v, true, 0); break;
        case GICD_ICENABLER: write_bits(g, g->enabled, off & 0x7f, v, false, 0); break;
        case GICD_ISPENDR: write_bits(g, g->pending, off & 0x7f, v, true, 16); break;
        case GICD_ICPENDR: write_bits(g, g->pending, off & 0x7f, v, false, 16); break;
        case GICD_ISACTIVER: write_bits(g, g->active, off & 0x7f, v, true, 0); break;
        case GICD_ICACTIVER: write_bits(g, g->active, off & 0x7f, v, false, 0); break;
        default:
            if (off == GICD_CTLR) {
                g->dist_enabled = v & 1;
            } else if (off == GICD_SGIR) {
                unsigned filter = (v >> 24) & 3, id = v & 15;
                /* One CPU: "all but self" reaches nobody. */
                if (filter == 2 || (filter == 0 && ((v >> 16) & 1))) {
                    set(g->pending, id);
                    g->sgi_source[id] = 1;
                }
            }
            break;
        }
    }
    update(g);
}

const MmioOps gic_dist_ops = {dist_read, dist_write};

/* ---- CPU interface ---- */

enum {
    GICC_CTLR = 0x00, GICC_PMR = 0x04, GICC_BPR = 0x08, GICC_IAR = 0x0c, GICC_EOIR = 0x10,
    GICC_RPR = 0x14, GICC_HPPIR = 0x18, GICC_ABPR = 0x1c, GICC_AIAR = 0x20, GICC_AEOIR = 0x24,
    GICC_AHPPIR = 0x28, GICC_APR0 = 0xd0, GICC_IIDR = 0xfc, GICC_DIR = 0x1000,
};

static uint32_t acknowledge(Gic *g)
{
    unsigned prio;
    unsigned id = best_pending(g, &prio);
    if (id == GIC_SPURIOUS || prio >= (g->pmr & 0xff) || prio >= running_priority(g))
        return GIC_SPURIOUS;
    set(g->active, id);
    clr(g->pending, id); /* a level input stays pending while high */
    g->running_stack[g->running_depth] = (uint8_t)prio;
    g->running_irq[g->running_depth] = (uint16_t)id;
    g->running_depth++;
    update(g);
    return id; /* for SGIs the source CPU field is 0: the only CPU */
}

static void end_of_interrupt(Gic *g, unsigned id)
{
    /* Drop the running priority of `id` and deactivate it (EOImode 0). */
    for (unsigned i = g->running_depth; i-- > 0;) {
        if (g->running_irq[i] == id) {
            memmove(&g->running_stack[i], &g->running_stack[i + 1], g->running_depth - i - 1);
            memmove(&g->running_irq[i], &g->running_irq[i + 1], (g->running_depth - i - 1) * sizeof g->running_irq[0]);
            g->running_depth--;
            break;
        }
    }
    if (id < GIC_NR_IRQS)
        clr(g->active, id);
    update(g);
}

static uint64_t cpu_read(void *opaque, uint64_t off, unsigned size)
{
    Gic *g = opaque;
    unsigned prio;
    switch (off) {
    case GICC_CTLR: return g->cpu_enabled;
    case GICC_PMR: return g->pmr;
    case GICC_BPR: return g->bpr;
    case GICC_IAR: return acknowledge(g);
    case GICC_RPR: return running_priority(g) & 0xff;
    case GICC_HPPIR: return best_pending(g, &prio);
    case GICC_ABPR: return g->abpr;
    case GICC_AIAR: case GICC_AHPPIR: return GIC_SPURIOUS;
    case GICC_IIDR: return 0x0202143b;
    default: return 0;
    }
}

static void cpu_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Gic *g = opaque;
    switch (off) {
    case GICC_CTLR: g->cpu_enabled = val & 1; break;
    case GICC_PMR: g->pmr = val & 0xff; break;
    case GICC_BPR: g->bpr = val & 7; break;
    case GICC_ABPR: g->abpr = val & 7; break;
    case GICC_EOIR: case GICC_DIR: end_of_interrupt(g, val & 0x3ff); return;
    default: break;
    }
    update(g);
}

const MmioOps gic_cpu_ops = {cpu_read, cpu_write};
