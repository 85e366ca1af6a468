/* The SP805's registers, as the PrimeCell Watchdog Module (SP805) TRM
 * describes them. The counter is not ticked: it is computed from guest
 * time when it is looked at (a register access, or the board's check
 * at each slice boundary).
 *
 * One period of the counter is LOAD+1 ticks: it counts LOAD down to 0,
 * and the next tick wraps it, which raises the interrupt (or expires the
 * watchdog) and reloads LOAD. Linux's driver programs load = rate/2 *
 * timeout - 1 for exactly this. */
#include "machine/sp805.h"

enum { WDOGLOAD = 0x000, WDOGVALUE = 0x004, WDOGCONTROL = 0x008, WDOGINTCLR = 0x00c, WDOGRIS = 0x010,
       WDOGMIS = 0x014, WDOGLOCK = 0xc00 };

/* PeriphID0-3 (part 0x805, designer 0x41 (Arm), revision 1) and PCellID0-3:
 * the AMBA bus matches 0x00141805. */
static const uint8_t sp805_id[8] = {0x05, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static bool running(const Sp805State *s)
{
    return (s->control & SP805_INTEN) && !s->expired;
}

static void update_irq(Sp805 *w)
{
    if (w->irq)
        w->irq(w->opaque, (w->s.ris & w->s.control & SP805_INTEN) != 0);
}

void sp805_init(Sp805 *w)
{
    w->s = (Sp805State){.load = 0xffffffffu, .count = 0xffffffffu};
    update_irq(w);
}

/* Restart the count from `value` at tick `now` (an expired watchdog's
 * counter stays stopped at 0 until the device is reset). */
static void restart(Sp805State *s, uint32_t value, uint64_t now)
{
    if (s->expired)
        return;
    s->count = value;
    s->since = now;
}

static bool advance_ticks(Sp805 *w, uint64_t now)
{
    Sp805State *s = &w->s;
    while (running(s) && now >= s->since && now - s->since > s->count) {
        /* The counter wrapped at tick since + count + 1. */
        s->since += (uint64_t)s->count + 1;
        s->count = s->load;
        if (!s->ris) {
            s->ris = 1;
            s->interrupts++;
            update_irq(w);
        } else if (s->control & SP805_RESEN) {
            s->expired = 1;
            s->expiries++;
            s->count = 0; /* the counter stops with the reset asserted */
        } else {
            /* The interrupt is still raised and the reset masked: each
             * further wrap only reloads the counter. */
            uint64_t period = (uint64_t)s->load + 1;
            s->since += (now - s->since) / period * period;
        }
    }
    return s->expired;
}

bool sp805_advance(Sp805 *w, uint64_t now_ns)
{
    return advance_ticks(w, now_ns / SP805_NS_PER_TICK);
}

bool sp805_tick(Sp805 *w)
{
    return w->s.expired || (running(&w->s) && sp805_advance(w, w->now_ns(w->opaque)));
}

uint64_t sp805_ns_to_event(const Sp805 *w, uint64_t now_ns)
{
    const Sp805State *s = &w->s;
    if (!running(s) || (s->ris && !(s->control & SP805_RESEN)))
        return UINT64_MAX;
    uint64_t at = (s->since + (uint64_t)s->count + 1) * SP805_NS_PER_TICK;
    return at > now_ns ? at - now_ns : 0;
}

/* The counter at tick `now` (the state brought up to `now` first). */
static uint32_t value(const Sp805State *s, uint64_t now)
{
    if (!running(s) || now < s->since)
        return s->count;
    return s->count - (uint32_t)(now - s->since);
}

static uint64_t sp805_read(void *opaque, uint64_t off, unsigned size)
{
    Sp805 *w = opaque;
    Sp805State *s = &w->s;
    if (off >= 0xfe0 && off < 0x1000)
        return sp805_id[(off - 0xfe0) >> 2];
    uint64_t now = w->now_ns(w->opaque) / SP805_NS_PER_TICK;
    advance_ticks(w, now);
    switch (off) {
    case WDOGLOAD: return s->load;
    case WDOGVALUE: return value(s, now);
    case WDOGCONTROL: return s->control;
    case WDOGRIS: return s->ris;
    case WDOGMIS: return s->ris & s->control & SP805_INTEN;
    case WDOGLOCK: return s->locked;
    default: return 0; /* WdogIntClr is write-only; the integration test registers read as zero */
    }
}

static void sp805_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Sp805 *w = opaque;
    Sp805State *s = &w->s;
    uint64_t now = w->now_ns(w->opaque) / SP805_NS_PER_TICK;
    advance_ticks(w, now);
    if (off == WDOGLOCK) {
        s->locked = (uint32_t)val != SP805_UNLOCK_KEY;
        return;
    }
    if (s->locked)
        return;
    switch (off) {
    case WDOGLOAD:
        /* The count restarts at once from the new value. */
        s->load = (uint32_t)val;
        restart(s, s->load, now);
        break;
    case WDOGCONTROL: {
        uint32_t old = s->control, new_ = (uint32_t)val & (SP805_INTEN | SP805_RESEN);
        if (!(old & SP805_INTEN) && (new_ & SP805_INTEN))
            restart(s, s->load, now); /* enabling the counter reloads it */
        else if ((old & SP805_INTEN) && !(new_ & SP805_INTEN))
            restart(s, value(s, now), now); /* disabling it freezes it */
        s->control = new_;
        update_irq(w);
        break;
    }
    case WDOGINTCLR:
        /* Any value: the interrupt is cleared and the counter reloaded. */
        s->ris = 0;
        restart(s, s->load, now);
        s->pets++;
        update_irq(w);
        break;
    default:
        break; /* read-only registers; the integration test registers are not modelled */
    }
}

const MmioOps sp805_ops = {sp805_read, sp805_write};
