#include "ft/detect.h"

#include <stdio.h>
#include <string.h>

/* What Linux prints when it can no longer be trusted: panic() and the arm64
 * die() and fault paths. */
static const char *const signs[] = {
    "Kernel panic - not syncing",
    "Internal error: Oops",
    "Unable to handle kernel",
    "kernel BUG at",
    "Oops - BUG",
};

bool detect_console(Detector *d, uint8_t byte)
{
    if (byte != '\n' && byte != '\r') {
        if (d->len < sizeof d->line - 1)
            d->line[d->len++] = (char)byte;
        return false;
    }
    d->line[d->len] = 0;
    d->len = 0;
    if (d->failure[0])
        return false;
    for (size_t i = 0; i < sizeof signs / sizeof signs[0]; i++) {
        const char *at = strstr(d->line, signs[i]);
        if (at) {
            snprintf(d->failure, sizeof d->failure, "kernel %s: %s", i == 0 ? "panic" : "oops", at);
            return true;
        }
    }
    return false;
}

bool detect_hang(Detector *d, uint64_t irqs, uint64_t busy_ns, uint32_t hang_ms)
{
    if (irqs != d->last_irqs) {
        d->last_irqs = irqs;
        d->progress_busy_ns = busy_ns;
        return false;
    }
    return hang_ms && busy_ns - d->progress_busy_ns > (uint64_t)hang_ms * 1000000u;
}

void detect_reset(Detector *d, uint64_t irqs, uint64_t busy_ns)
{
    d->len = 0;
    d->failure[0] = 0;
    d->last_irqs = irqs;
    d->progress_busy_ns = busy_ns;
}
