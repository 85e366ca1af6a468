#include "machine/pl031.h"

#include <time.h>

enum { RTCDR = 0x00, RTCMR = 0x04, RTCLR = 0x08, RTCCR = 0x0c, RTCIMSC = 0x10, RTCRIS = 0x14,
       RTCMIS = 0x18, RTCICR = 0x1c };

static const uint8_t pl031_id[8] = {0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static uint32_t now(const Pl031 *r)
{
    return (uint32_t)(time(NULL) + r->offset);
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
}

void pl031_tick(Pl031 *r)
{
    if (r->imsc && !r->ris && now(r) == r->match) {
        r->ris = 1;
        update_irq(r);
    }
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
    case RTCMR: r->match = (uint32_t)val; break;
    case RTCLR: r->offset = (int64_t)(uint32_t)val - (int64_t)time(NULL); break;
    case RTCCR: r->cr = 1; break; /* the clock cannot be stopped */
    case RTCIMSC: r->imsc = val & 1; break;
    case RTCICR: r->ris &= ~(uint32_t)val; break;
    default: break;
    }
    update_irq(r);
}

const MmioOps pl031_ops = {pl031_read, pl031_write};
