/* Arm PrimeCell PL031 real-time clock: seconds since the epoch, and a match
 * interrupt raised when the counter reaches the match register. */
#ifndef TANDEM_PL031_H
#define TANDEM_PL031_H

#include <stdbool.h>
#include <stdint.h>

#include "mem/bus.h"

typedef struct Pl031 {
    int64_t offset; /* guest time = host time + offset */
    uint32_t match, imsc, ris, cr;
    uint32_t seen; /* the counter when the match was last checked */
    /* Host seconds since the epoch; NULL: time(NULL). */
    int64_t (*host_s)(void *opaque);
    void (*irq)(void *opaque, bool level);
    void *irq_opaque;
} Pl031;

extern const MmioOps pl031_ops;

void pl031_init(Pl031 *r);
/* Raise the match interrupt if the counter has reached the match register
 * since the last check (called by the board after each run of the vCPU). */
void pl031_tick(Pl031 *r);

#endif
