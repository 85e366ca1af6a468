/* Arm PrimeCell SP805 watchdog: a 32-bit down-counter clocked at
 * SP805_CLOCK_HZ. When it wraps with the interrupt enabled it raises the
 * interrupt and reloads; when it wraps again before the interrupt was
 * cleared and the reset output is enabled, the watchdog expires. */
#ifndef TANDEM_SP805_H
#define TANDEM_SP805_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/bus.h"

/* The watchdog clock (WDOGCLK), as the device tree describes it. */
#define SP805_CLOCK_HZ 1000000u
#define SP805_NS_PER_TICK (1000000000u / SP805_CLOCK_HZ)

#define SP805_INTEN 1u  /* WdogControl: enable the counter and the interrupt */
#define SP805_RESEN 2u  /* WdogControl: enable the reset output */
#define SP805_UNLOCK_KEY 0x1ACCE551u

/* Everything the device is: plain data, no host pointers, so that a
 * snapshot can copy it as it is. Times are watchdog clock ticks of guest
 * time (guest nanoseconds / SP805_NS_PER_TICK). */
typedef struct Sp805State {
    uint32_t load;    /* WdogLoad */
    uint32_t control; /* WdogControl: SP805_INTEN | SP805_RESEN */
    uint32_t ris;     /* WdogRIS: the raw interrupt, bit 0 */
    uint32_t locked;  /* WdogLock as read: 1 while writes to the other registers are ignored */
    uint32_t expired; /* the reset output was asserted; latched until the device is reset */
    uint32_t count;   /* the counter at tick `since` (while stopped: its frozen value) */
    uint64_t since;
    /* Statistics. */
    uint64_t interrupts; /* times the counter wrapped and raised the interrupt */
    uint64_t pets;       /* WdogIntClr writes that took effect (each reloads the counter) */
    uint64_t expiries;
} Sp805State;

typedef struct Sp805 {
    Sp805State s;
    /* Host wiring, not state: set by the board before sp805_init and left
     * alone by a snapshot, which copies `s` only. */
    uint64_t (*now_ns)(void *opaque);      /* guest time in nanoseconds */
    void (*irq)(void *opaque, bool level); /* WDOGINT */
    void *opaque;
} Sp805;

#define SP805_STATE_BYTES sizeof(Sp805State)

extern const MmioOps sp805_ops;

/* Reset values: load and counter 0xFFFFFFFF, stopped, unlocked. */
void sp805_init(Sp805 *w);
/* Bring the device up to guest time `now_ns` (interrupt, expiry); returns
 * true once the watchdog has expired. */
bool sp805_advance(Sp805 *w, uint64_t now_ns);
/* The same at the current guest time. */
bool sp805_tick(Sp805 *w);
/* Guest nanoseconds from `now_ns` until the counter next wraps with an
 * effect (the interrupt or the expiry); UINT64_MAX when nothing will happen. */
uint64_t sp805_ns_to_event(const Sp805 *w, uint64_t now_ns);

#endif
