/* PL031 as its TRM describes it: RTCRIS is set when the counter reaches
 * RTCMR whatever the mask, RTCMIS = RTCRIS & RTCIMSC drives the line, and
 * only RTCICR clears RTCRIS. The counter is checked after each run of the
 * vCPU, so the match is seen as the counter passing it, not as an equality
 * that a long run could step over. */
#include "machine/pl031.h"

#include <time.h>

enum { RTCDR = 0x00, RTCMR = 0x04, RTCLR = 0x08, RTCCR = 0x0c, RTCIMSC = 0x10, RTCRIS = 0x14,
       RTCMIS = 0x18, RTCICR = 0x1c };

/* PeriphID0-3 (part 0x031, designer 0x41, revision 1), PCellID0-3. */
static const uint8_t pl031_id[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static int64_t host_now(const Pl031 *r)
{
    return r->host_s ? r->host_s(r->irq_opaque) : (int64_t)time(NULL);
}

static uint32_t now(const Pl031 *r)
{
    return (uint32_t)(host_now(r) + r->offset);
}

static void update_irq(Pl031 *r)
{
    if (r->irq)
        r->irq(r->irq_opaque, (r->ris & r->imsc) != 0);
}

void pl031_init(Pl031 *r)
{
    r->offset = 0;
    r->match = r->imsc = r->ris = 0;
    r->cr = 1;
    r->seen = now(r);
}

/* Did the counter reach the match in (seen, t]? Counts wrap at 2^32. */
static bool passed_match(const Pl031 *r, uint32_t t)
{
    return (uint32_t)(r->match - r->seen - 1) < (uint32_t)(t - r->seen);
}

void pl031_tick(Pl031 *r)
{
    uint32_t t = now(r);
    if (t == r->seen)
        return;
    if (passed_match(r, t)) {
        r->ris = 1;
        update_irq(r);
    }
    r->seen = t;
}

/* After MR or LR changes: a match equal to the counter is reached now. */
static void restart_match(Pl031 *r)
{
    r->seen = now(r);
    if (r->seen == r->match)
        r->ris = 1;
}

static uint64_t pl031_read(void *opaque, uint64_t off, unsigned size)
{
    Pl031 *r = opaque;
    if (off >= 0xfe0 && off < 0x1000)
        return pl031_id[(off - 0xfe0) >> 2];
    switch (off) {
    case RTCDR: return now(r);
    case RTCMR: return r->match;
    case RTCLR: return now(r);
    case RTCCR: return r->cr;
    case RTCIMSC: return r->imsc;
    case RTCRIS: return r->ris;
    case RTCMIS: return r->ris & r->imsc;
    default: return 0;
    }
}

static void pl031_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Pl031 *r = opaque;
    switch (off) {
    case RTCMR:
        r->match = (uint32_t)val;
        restart_match(r);
        break;
    case RTCLR:
        r->offset = (int64_t)(uint32_t)val - host_now(r);
        restart_match(r);
        break;
    case RTCCR: r->cr = 1; break; /* the clock cannot be stopped */
    case RTCIMSC: r->imsc = val & 1; break;
    case RTCICR: r->ris &= ~(uint32_t)val & 1; break;
    default: break;
    }
    update_irq(r);
}

const MmioOps pl031_ops = {pl031_read, pl031_write};
