/* PMUv3, as Linux's armv8_pmuv3 driver and perf use it: PMCR_EL0, the
 * cycle counter and PMU_COUNTERS event counters with their enables,
 * overflow flags and interrupt enables, PMSELR/PMXEV*, PMSWINC, PMCEID,
 * PMUSERENR's EL0 access controls and the EL filters (P, U).
 *
 * Events: SW_INCR (0x00), INST_RETIRED (0x08) and CPU_CYCLES (0x11), and the
 * cycle counter. Instructions are counted exactly (the vCPU's icount,
 * split by exception level at every change of EL); a cycle is one
 * instruction. Counting is lazy: the counters are brought up to date
 * (pmu_sync) when read, written, at an EL change and at slice boundaries,
 * and cpu_run ends a slice where the next overflow falls, so the overflow
 * interrupt (PMU_PPI) is raised on time. With the PMU disabled (PMCR.E = 0)
 * nothing runs on the hot path. The state is plain data (checkpoints). */
#ifndef TANDEM_PMU_H
#define TANDEM_PMU_H

#include <stdbool.h>
#include <stdint.h>

#define PMU_COUNTERS 6 /* as a Cortex-A53 */
#define PMU_PPI 23     /* INTID of the overflow interrupt: PPI 7, as QEMU's virt */

typedef struct PmuState {
    uint32_t pmcr;     /* the writable bits: E P C D X DP LC */
    uint32_t cnten;    /* bit 31: cycle counter; bits 0..N-1: event counters */
    uint32_t inten;
    uint32_t ovs;
    uint32_t selr;
    uint32_t userenr;
    uint32_t ccfiltr;
    uint32_t evtyper[PMU_COUNTERS];
    uint32_t evcntr[PMU_COUNTERS];
    uint64_t ccntr;
    uint32_t ccdiv;    /* cycles not yet counted under PMCR.D (one in 64) */
    uint64_t synced;   /* instructions retired when the counters were last brought up to date */
} PmuState;

struct Cpu;

/* Instructions retired so far, exact also in the middle of a slice. */
uint64_t cpu_retired(const struct Cpu *c);

/* Count what has retired since the last sync at the current EL. */
void pmu_sync(struct Cpu *c);
/* The same on a copy: `now` instructions retired, all since the last sync at `el`. */
void pmu_fold(PmuState *p, uint64_t now, unsigned el);
/* Counting at all (PMCR.E): only then do the hooks below do anything. */
static inline bool pmu_on(const PmuState *p) { return p->pmcr & 1; }
/* Instructions until the next counter overflow (UINT64_MAX if none). */
uint64_t pmu_until_overflow(struct Cpu *c);
/* The overflow interrupt's level (after a sync). */
bool pmu_irq_level(struct Cpu *c);

/* Is this system register key (sysreg.h) a PMU register? Decided when an
 * MRS/MSR is decoded, so other system registers never ask the PMU. */
bool pmu_owns(uint32_t key);
/* MRS/MSR of a register pmu_owns, with PMUSERENR's rules at EL0. */
enum { PMU_DONE, PMU_UNDEFINED, PMU_TRAP };
int pmu_read(struct Cpu *c, uint32_t key, uint64_t *v);
int pmu_write(struct Cpu *c, uint32_t key, uint64_t v);

void pmu_reset(struct Cpu *c);

#endif
