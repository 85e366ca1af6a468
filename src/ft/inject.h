/* Fault injection, for tests and for users: make a VM fail on purpose.
 *   crash        the guest kernel's stack pointer is corrupted at EL1: it panics or loops
 *   hang         at EL1, interrupts masked and the current instruction made a branch to itself
 *   bitflip[:N]  N random bits flipped in random resident guest pages (a soft error)
 *   kernel-text  one random bit flipped in the kernel's text */
#ifndef TANDEM_INJECT_H
#define TANDEM_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/board.h"

typedef enum InjectKind { INJECT_CRASH, INJECT_HANG, INJECT_BITFLIP, INJECT_KERNEL_TEXT } InjectKind;

typedef struct Injection {
    InjectKind kind;
    unsigned count;  /* bits, for bitflip */
    uint64_t at_ns;  /* since the VM started (--inject KIND@TIME) */
    bool done;
} Injection;

/* "crash", "hang", "bitflip", "bitflip:N", "kernel-text" (optionally
 * "@TIME" with TIME like 4s or 2500ms when with_time). */
bool inject_parse(const char *text, bool with_time, Injection *out, char *err, size_t errlen);
const char *inject_name(InjectKind k);

/* Do it now if the vCPU is where it must be (EL1 for crash and hang);
 * false to try again after the next slice. `log` says what was done. */
bool inject_apply(Board *b, const Injection *inj, uint64_t *rng, char *log, size_t loglen);

#endif
