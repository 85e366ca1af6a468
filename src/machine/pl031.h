/* Arm PrimeCell PL031 real-time clock: seconds since the epoch. */
#ifndef TANDEM_PL031_H
#define TANDEM_PL031_H

#include <stdbool.h>
#include <stdint.h>

#include "mem/bus.h"

typedef struct Pl031 {
    int64_t offset; /* guest time = host time + offset */
    uint32_t match, imsc, ris, cr;
    void (*irq)(void *opaque, bool level);
    void *irq_opaque;
} Pl031;

extern const MmioOps pl031_ops;

void pl031_init(Pl031 *r);
/* Raise the match interrupt if its time has come (called by the board). */
void pl031_tick(Pl031 *r);

#endif
