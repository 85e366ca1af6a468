/* The PL031 at its registers and through the GIC: the identification
 * registers, the load register, a match reached while masked (RIS set, MIS
 * clear, no interrupt) that interrupts at once when unmasked, RTCICR, a
 * match in the past or future, and a match reached while the guest waits. */
#include "rt.h"

#define RTC 0x09010000ul
#define GICD 0x08000000ul
#define GICC 0x08010000ul
#define RTC_INTID 34 /* SPI 2 */
enum { DR = 0x00, MR = 0x04, LR = 0x08, CR = 0x0c, IMSC = 0x10, RIS = 0x14, MIS = 0x18, ICR = 0x1c };

static volatile uint32_t *reg(uint64_t base, unsigned off) { return (volatile uint32_t *)(base + off); }
static uint32_t rd(unsigned off) { return *reg(RTC, off); }
static void wr(unsigned off, uint32_t v) { *reg(RTC, off) = v; }

static volatile unsigned irqs, last_intid;

static int on_irq(unsigned vec, RtFrame *f)
{
    (void)f;
    if (vec != 5)
        return 0;
    uint32_t iar = *reg(GICC, 0x0c);
    last_intid = iar & 0x3ff;
    irqs++;
    if (last_intid == RTC_INTID)
        wr(ICR, 1);
    *reg(GICC, 0x10) = iar; /* EOI */
    return 1;
}

static void gic_setup(void)
{
    *reg(GICD, 0x000) = 1;                                   /* distributor on */
    *reg(GICD, 0x100 + 4 * (RTC_INTID / 32)) = 1u << (RTC_INTID % 32); /* enable */
    *((volatile uint8_t *)(GICD + 0x400 + RTC_INTID)) = 0x80; /* priority */
    *((volatile uint8_t *)(GICD + 0x800 + RTC_INTID)) = 1;    /* to CPU 0 */
    *reg(GICC, 0x004) = 0xff;                                /* priority mask */
    *reg(GICC, 0x000) = 1;                                   /* CPU interface on */
}

/* Write MR = the counter, again if the second turned meanwhile. */
static uint32_t match_now(void)
{
    uint32_t t;
    do {
        t = rd(DR);
        wr(MR, t);
    } while (rd(DR) != t);
    return t;
}

int main(void)
{
    rt_printf("id");
    for (unsigned off = 0xfe0; off < 0x1000; off += 4)
        rt_printf(" %02x", rd(off));
    rt_printf("\ncr %u imsc %u\n", rd(CR), rd(IMSC));

    wr(LR, 1000000000u);
    uint32_t t = rd(DR);
    rt_printf("loaded: counter in [1e9, 1e9+2]: %d\n", t - 1000000000u <= 2);

    rt_exc_hook = on_irq;
    gic_setup();
    __asm__ volatile("msr daifclr, #2" ::: "memory");

    wr(IMSC, 0);
    wr(ICR, 1);
    match_now();
    rt_printf("masked match: ris %u mis %u irqs %u\n", rd(RIS), rd(MIS), irqs);
    wr(IMSC, 1);
    __asm__ volatile("isb" ::: "memory");
    rt_printf("unmasked: irqs %u intid %u ris %u mis %u\n", irqs, last_intid, rd(RIS), rd(MIS));

    wr(IMSC, 0);
    match_now();
    wr(ICR, 0);
    rt_printf("icr 0 keeps ris: %u\n", rd(RIS));
    wr(ICR, 1);
    rt_printf("icr 1 clears: ris %u mis %u\n", rd(RIS), rd(MIS));

    t = rd(DR);
    wr(MR, t - 100);
    rt_printf("match in the past: ris %u\n", rd(RIS));
    wr(MR, t + 1000);
    rt_printf("match in the future: ris %u\n", rd(RIS));

    /* A match one or two seconds ahead, reached while the guest spins. */
    unsigned before = irqs;
    wr(IMSC, 1);
    t = rd(DR);
    wr(MR, t + 2);
    while ((int32_t)(rd(DR) - (t + 3)) < 0 && irqs == before)
        ;
    for (volatile unsigned i = 0; i < 100000; i++) /* the interrupt may trail the counter */
        if (irqs != before)
            break;
    rt_printf("match reached: irqs +%u intid %u ris %u\n", irqs - before, last_intid, rd(RIS));
    __asm__ volatile("msr daifset, #2" ::: "memory");
    return 0;
}
