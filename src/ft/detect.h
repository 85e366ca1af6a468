/* Failure detectors that watch a VM from outside (DESIGN.md, "Fault
 * tolerance"): a kernel panic or oops on the console, no guest progress (a
 * hang), and — reported by the board — an exception loop or the watchdog. */
#ifndef TANDEM_DETECT_H
#define TANDEM_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#define FT_DEFAULT_HANG_MS 5000

typedef struct Detector {
    char line[256];     /* the console line being written */
    unsigned len;
    char failure[160];  /* what the console showed, or "" */
    uint64_t last_irqs;      /* interrupts taken when progress was last seen */
    uint64_t progress_busy_ns; /* the VM's busy time then */
} Detector;

/* A console byte from the guest; true when it completed a line that shows
 * the kernel failing (the reason is in d->failure). */
bool detect_console(Detector *d, uint8_t byte);
/* After a slice: the guest took `irqs` interrupts so far and has run
 * `busy_ns`; true when it ran hang_ms without taking one (stuck with
 * interrupts masked, or never returning to the scheduler tick). */
bool detect_hang(Detector *d, uint64_t irqs, uint64_t busy_ns, uint32_t hang_ms);
/* The VM was rolled back or rebooted: start over. */
void detect_reset(Detector *d, uint64_t irqs, uint64_t busy_ns);

#endif
