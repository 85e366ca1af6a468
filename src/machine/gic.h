/* GICv2 interrupt controller (distributor + CPU interface) for one CPU,
 * without security extensions, as QEMU's virt board provides it. */
#ifndef TANDEM_GIC_H
#define TANDEM_GIC_H

#include <stdbool.h>
#include <stdint.h>

#include "mem/bus.h"

#define GIC_NR_IRQS 128 /* 16 SGIs, 16 PPIs, 96 SPIs */
#define GIC_SPURIOUS 1023
#define GIC_WORDS (GIC_NR_IRQS / 32)

typedef struct Gic {
    bool dist_enabled, cpu_enabled;
    uint32_t enabled[GIC_WORDS];
    uint32_t pending[GIC_WORDS]; /* latched pending state */
    uint32_t active[GIC_WORDS];
    uint32_t level[GIC_WORDS];   /* input line levels */
    uint32_t edge[GIC_WORDS];    /* 1: edge-triggered */
    uint8_t priority[GIC_NR_IRQS];
    uint8_t targets[GIC_NR_IRQS];
    uint8_t sgi_source[16];
    uint32_t pmr, bpr, abpr;
    /* Active priorities, one bit per preemption level (lower value = higher priority). */
    uint8_t running_stack[GIC_NR_IRQS];
    uint16_t running_irq[GIC_NR_IRQS];
    unsigned running_depth;
    bool irq_out;                 /* the IRQ line into the CPU */
    void (*changed)(void *opaque); /* irq_out may have changed */
    void *opaque;
} Gic;

extern const MmioOps gic_dist_ops, gic_cpu_ops;

void gic_init(Gic *g);
/* Drive an interrupt input: INTID 16..31 PPIs, 32.. SPIs. */
void gic_set_level(Gic *g, unsigned intid, bool level);

#endif
