/* The SP805 watchdog's registers against a fake guest clock: the counter,
 * the lock, the interrupt and the expiry, as the SP805 TRM describes them
 * and as Linux's sp805_wdt drives them. One tick of the watchdog clock is
 * SP805_NS_PER_TICK nanoseconds of guest time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "machine/board.h"
#include "machine/sp805.h"

enum { LOAD = 0x000, VALUE = 0x004, CONTROL = 0x008, INTCLR = 0x00c, RIS = 0x010, MIS = 0x014, LOCK = 0xc00,
       ITCR = 0xf00, ITOP = 0xf04 };

typedef struct Fake {
    uint64_t ns;         /* guest time */
    bool level;          /* WDOGINT */
    unsigned raised;     /* low-to-high edges seen */
} Fake;

static uint64_t fake_now(void *opaque)
{
    return ((Fake *)opaque)->ns;
}

static void fake_irq(void *opaque, bool level)
{
    Fake *f = opaque;
    f->raised += level && !f->level;
    f->level = level;
}

static void wire(Sp805 *w, Fake *f)
{
    memset(f, 0, sizeof *f);
    w->now_ns = fake_now;
    w->irq = fake_irq;
    w->opaque = f;
    sp805_init(w);
}

static void at_tick(Fake *f, uint64_t tick)
{
    f->ns = tick * SP805_NS_PER_TICK;
}

static uint32_t rd(Sp805 *w, uint64_t off)
{
    return (uint32_t)sp805_ops.read(w, off, 4);
}

static void wr(Sp805 *w, uint64_t off, uint32_t val)
{
    sp805_ops.write(w, off, val, 4);
}

static void reset_values_and_stopped_counter(void **state)
{
    Sp805 w;
    Fake f;
    wire(&w, &f);
    assert_int_equal(rd(&w, LOAD), 0xffffffffu);
    assert_int_equal(rd(&w, VALUE), 0xffffffffu);
    assert_int_equal(rd(&w, CONTROL), 0);
    assert_int_equal(rd(&w, RIS), 0);
    assert_int_equal(rd(&w, MIS), 0);
    assert_int_equal(rd(&w, LOCK), 0);
    /* INTEN clear: the counter does not count, nothing is due. */
    at_tick(&f, 5000000);
    assert_int_equal(rd(&w, VALUE), 0xffffffffu);
    assert_false(sp805_tick(&w));
    assert_int_equal(sp805_ns_to_event(&w, f.ns), UINT64_MAX);
    assert_false(f.level);
}

static void load_and_value_count_down(void **state)
{
    Sp805 w;
    Fake f;
    wire(&w, &f);
    at_tick(&f, 100);
    wr(&w, LOAD, 1000);
    assert_int_equal(rd(&w, LOAD), 1000);
    assert_int_equal(rd(&w, VALUE), 1000); /* loaded, stopped */
    at_tick(&f, 200);
    assert_int_equal(rd(&w, VALUE), 1000);
    wr(&w, CONTROL, SP805_INTEN); /* starts from LOAD at tick 200 */
    assert_int_equal(rd(&w, CONTROL), SP805_INTEN);
    assert_int_equal(sp805_ns_to_event(&w, f.ns), 1001ull * SP805_NS_PER_TICK);
    at_tick(&f, 500);
    assert_int_equal(rd(&w, VALUE), 700);
    assert_int_equal(sp805_ns_to_event(&w, f.ns + 1), 701ull * SP805_NS_PER_TICK - 1);
    at_tick(&f, 1200);
    assert_int_equal(rd(&w, VALUE), 0); /* LOAD+1 ticks make a period */
    assert_int_equal(rd(&w, RIS), 0);
    /* Writing LOAD restarts the count at once. */
    wr(&w, LOAD, 50);
    at_tick(&f, 1210);
    assert_int_equal(rd(&w, VALUE), 40);
    assert_int_equal(rd(&w, RIS), 0);
    /* Disabling INTEN freezes the counter; enabling it again reloads it. */
    wr(&w, CONTROL, 0);
    at_tick(&f, 5000);
    assert_int_equal(rd(&w, VALUE), 40);
    assert_int_equal(rd(&w, RIS), 0);
    assert_int_equal(sp805_ns_to_event(&w, f.ns), UINT64_MAX);
    wr(&w, CONTROL, SP805_INTEN);
    assert_int_equal(rd(&w, VALUE), 50);
    at_tick(&f, 5020);
    assert_int_equal(rd(&w, VALUE), 30);
    /* The clock is guest time in nanoseconds, counted in whole ticks. */
    f.ns += SP805_NS_PER_TICK - 1;
    assert_int_equal(rd(&w, VALUE), 30);
    f.ns += 1;
    assert_int_equal(rd(&w, VALUE), 29);
}

static void lock_ignores_writes_until_unlocked(void **state)
{
    Sp805 w;
    Fake f;
    wire(&w, &f);
    wr(&w, LOAD, 300);
    wr(&w, LOCK, 0); /* any value but the key locks */
    assert_int_equal(rd(&w, LOCK), 1);
    wr(&w, LOAD, 7);
    wr(&w, CONTROL, SP805_INTEN | SP805_RESEN);
    assert_int_equal(rd(&w, LOAD), 300);
    assert_int_equal(rd(&w, CONTROL), 0);
    wr(&w, LOCK, SP805_UNLOCK_KEY);
    assert_int_equal(rd(&w, LOCK), 0);
    wr(&w, CONTROL, SP805_INTEN);
    at_tick(&f, 301);
    assert_int_equal(rd(&w, RIS), 1);
    wr(&w, LOCK, SP805_UNLOCK_KEY + 1);
    assert_int_equal(rd(&w, LOCK), 1);
    wr(&w, INTCLR, 1); /* ignored while locked: the interrupt stays */
    assert_int_equal(rd(&w, RIS), 1);
    assert_true(f.level);
    assert_int_equal(w.s.pets, 0);
    wr(&w, LOCK, 1); /* Linux's LOCK value: still locked */
    assert_int_equal(rd(&w, LOCK), 1);
    wr(&w, LOCK, SP805_UNLOCK_KEY);
    wr(&w, INTCLR, 0); /* any value clears */
    assert_int_equal(rd(&w, RIS), 0);
    assert_false(f.level);
    assert_int_equal(w.s.pets, 1);
    /* Read-only registers ignore writes when unlocked too. */
    wr(&w, VALUE, 5);
    wr(&w, RIS, 1);
    wr(&w, MIS, 1);
    assert_int_equal(rd(&w, VALUE), 300);
    assert_int_equal(rd(&w, RIS), 0);
    assert_int_equal(rd(&w, MIS), 0);
}

static void interrupt_then_expiry_with_resen(void **state)
{
    Sp805 w;
    Fake f;
    wire(&w, &f);
    wr(&w, LOAD, 99); /* a period of 100 ticks */
    wr(&w, CONTROL, SP805_INTEN | SP805_RESEN);
    at_tick(&f, 99);
    assert_false(sp805_tick(&w));
    assert_int_equal(rd(&w, RIS), 0);
    at_tick(&f, 100);
    assert_false(sp805_tick(&w));
    assert_int_equal(rd(&w, RIS), 1);
    assert_int_equal(rd(&w, MIS), 1);
    assert_true(f.level);
    assert_int_equal(f.raised, 1);
    assert_int_equal(rd(&w, VALUE), 99); /* reloaded */
    assert_int_equal(sp805_ns_to_event(&w, f.ns), 100ull * SP805_NS_PER_TICK);
    at_tick(&f, 199);
    assert_false(sp805_tick(&w));
    assert_int_equal(rd(&w, VALUE), 0);
    at_tick(&f, 200);
    assert_true(sp805_tick(&w));
    assert_int_equal(w.s.expiries, 1);
    assert_int_equal(w.s.interrupts, 1);
    /* The counter stops at 0; the expiry is latched. */
    at_tick(&f, 1000);
    assert_int_equal(rd(&w, VALUE), 0);
    assert_true(sp805_tick(&w));
    assert_int_equal(sp805_ns_to_event(&w, f.ns), UINT64_MAX);
    wr(&w, INTCLR, 1);
    wr(&w, LOAD, 500);
    assert_int_equal(rd(&w, VALUE), 0);
    assert_true(sp805_tick(&w));
    assert_int_equal(w.s.expiries, 1);

    /* Seen late, two wraps at once: the interrupt, then the expiry. */
    wire(&w, &f);
    wr(&w, LOAD, 99);
    wr(&w, CONTROL, SP805_INTEN | SP805_RESEN);
    at_tick(&f, 250);
    assert_true(sp805_advance(&w, f.ns));
    assert_int_equal(w.s.interrupts, 1);
    assert_int_equal(f.raised, 1);
}

static void no_expiry_without_resen(void **state)
{
    Sp805 w;
    Fake f;
    wire(&w, &f);
    wr(&w, LOAD, 99);
    wr(&w, CONTROL, SP805_INTEN);
    at_tick(&f, 100);
    assert_int_equal(rd(&w, RIS), 1);
    /* The interrupt stays raised; the counter keeps wrapping; nothing is due. */
    assert_int_equal(sp805_ns_to_event(&w, f.ns), UINT64_MAX);
    at_tick(&f, 100 + 100 * 1000 + 30);
    assert_false(sp805_tick(&w));
    assert_int_equal(rd(&w, VALUE), 69);
    assert_int_equal(rd(&w, RIS), 1);
    assert_int_equal(w.s.interrupts, 1);
    /* Setting RESEN now: the next wrap expires it. */
    wr(&w, CONTROL, SP805_INTEN | SP805_RESEN);
    assert_int_equal(sp805_ns_to_event(&w, f.ns), 70ull * SP805_NS_PER_TICK);
    at_tick(&f, 100 + 100 * 1000 + 99);
    assert_false(sp805_tick(&w));
    at_tick(&f, 100 + 100 * 1000 + 100);
    assert_true(sp805_tick(&w));
    /* A very long time at a period of one tick takes no time to catch up on. */
    wire(&w, &f);
    wr(&w, LOAD, 0);
    wr(&w, CONTROL, SP805_INTEN);
    f.ns = 1ull << 60;
    assert_false(sp805_tick(&w));
    assert_int_equal(rd(&w, RIS), 1);
    assert_int_equal(rd(&w, VALUE), 0);
}

static void intclr_reloads_and_pets_keep_it_alive(void **state)
{
    Sp805 w;
    Fake f;
    wire(&w, &f);
    /* Linux's start: unlock, load, clear, enable both, lock. */
    wr(&w, LOCK, SP805_UNLOCK_KEY);
    wr(&w, LOAD, 999);
    wr(&w, INTCLR, 1);
    wr(&w, CONTROL, SP805_INTEN | SP805_RESEN);
    wr(&w, LOCK, 1);
    at_tick(&f, 600);
    assert_int_equal(rd(&w, VALUE), 399);
    /* Its ping: unlock, load, clear, lock; every 1500 ticks, within two periods. */
    for (unsigned i = 1; i <= 20; i++) {
        at_tick(&f, 1500ull * i);
        assert_false(sp805_tick(&w));
        wr(&w, LOCK, SP805_UNLOCK_KEY);
        wr(&w, LOAD, 999);
        wr(&w, INTCLR, 1);
        wr(&w, LOCK, 1);
        assert_int_equal(rd(&w, VALUE), 999);
        assert_int_equal(rd(&w, RIS), 0);
    }
    assert_int_equal(w.s.interrupts, 20); /* each ping came after the first wrap */
    assert_int_equal(w.s.pets, 21);
    assert_int_equal(w.s.expiries, 0);
    /* No more pings: the interrupt after 1000 ticks, the expiry after 2000. */
    uint64_t last = 1500ull * 20;
    at_tick(&f, last + 1999);
    assert_false(sp805_tick(&w));
    assert_int_equal(rd(&w, RIS), 1);
    at_tick(&f, last + 2000);
    assert_true(sp805_tick(&w));
}

static void mis_is_ris_and_inten(void **state)
{
    Sp805 w;
    Fake f;
    wire(&w, &f);
    wr(&w, LOAD, 9);
    wr(&w, CONTROL, SP805_INTEN);
    at_tick(&f, 10);
    assert_int_equal(rd(&w, RIS), 1);
    assert_int_equal(rd(&w, MIS), 1);
    assert_true(f.level);
    wr(&w, CONTROL, 0); /* masks the output; the raw status stays */
    assert_int_equal(rd(&w, RIS), 1);
    assert_int_equal(rd(&w, MIS), 0);
    assert_false(f.level);
    wr(&w, CONTROL, SP805_RESEN); /* RESEN alone neither counts nor unmasks */
    at_tick(&f, 1000);
    assert_int_equal(rd(&w, MIS), 0);
    assert_false(sp805_tick(&w));
    wr(&w, CONTROL, SP805_INTEN);
    assert_int_equal(rd(&w, MIS), 1);
    assert_true(f.level);
    assert_int_equal(f.raised, 2);
    wr(&w, INTCLR, 1);
    assert_int_equal(rd(&w, RIS), 0);
    assert_int_equal(rd(&w, MIS), 0);
    assert_false(f.level);
    assert_int_equal(rd(&w, CONTROL), SP805_INTEN); /* only the two enable bits are kept */
    wr(&w, CONTROL, 0xfffffffcu | SP805_INTEN);
    assert_int_equal(rd(&w, CONTROL), SP805_INTEN);
}

static void id_registers(void **state)
{
    Sp805 w;
    Fake f;
    wire(&w, &f);
    static const uint32_t want[8] = {0x05, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    uint32_t periph = 0, cell = 0;
    for (unsigned i = 0; i < 8; i++) {
        uint32_t v = rd(&w, 0xfe0 + 4 * i);
        assert_int_equal(v, want[i]);
        if (i < 4)
            periph |= v << (8 * i);
        else
            cell |= v << (8 * (i - 4));
    }
    /* What the AMBA bus reads and what sp805_wdt's id table matches. */
    assert_int_equal(periph & 0x00ffffffu, 0x00141805u);
    assert_int_equal(cell, 0xb105f00du);
    /* The integration test registers are not modelled: they read as zero. */
    wr(&w, ITCR, 1);
    wr(&w, ITOP, 3);
    assert_int_equal(rd(&w, ITCR), 0);
    assert_int_equal(rd(&w, ITOP), 0);
    assert_false(f.level);
    assert_false(sp805_tick(&w));
}

static void state_copies_as_plain_data(void **state)
{
    Sp805 a, b;
    Fake fa, fb;
    wire(&a, &fa);
    wire(&b, &fb);
    wr(&a, LOAD, 499);
    wr(&a, CONTROL, SP805_INTEN | SP805_RESEN);
    at_tick(&fa, 700);
    assert_int_equal(rd(&a, RIS), 1);
    memcpy(&b, &a, SP805_STATE_BYTES); /* the state part only: b keeps its own wiring */
    assert_ptr_equal(b.opaque, &fb);
    at_tick(&fb, 700);
    assert_int_equal(rd(&b, VALUE), rd(&a, VALUE));
    assert_int_equal(rd(&b, RIS), 1);
    at_tick(&fb, 1000);
    assert_true(sp805_tick(&b));
    assert_false(sp805_tick(&a)); /* a's clock stayed at 700 */
}

/* A tiny Image whose code is one branch to itself. */
static const char *write_image(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/tandem-test-sp805-%d.img", (int)getpid());
    uint32_t w[32] = {0x14000010, 0xd503201f}; /* b +64 (the code), nop */
    uint64_t hdr[3] = {0, 128, 0xa};            /* text_offset, image_size, flags: LE, 4K */
    memcpy(&w[2], hdr, sizeof hdr);
    w[14] = 0x644d5241; /* "ARM\x64" */
    w[16] = 0x14000000; /* b . */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(w, 1, sizeof w, f), sizeof w);
    fclose(f);
    return path;
}

static bool wdt_line(const Board *b)
{
    unsigned intid = 32 + VIRT_WDT_SPI;
    return (b->gic.level[intid / 32] >> (intid % 32)) & 1;
}

/* On the board: the MMIO window, guest time, the interrupt line into the
 * GIC, the step's status, the idle wake-up, and the snapshot. */
static void board_wires_and_snapshots_the_watchdog(void **state)
{
    static Board b;
    BoardConfig bc = {.kernel = write_image(), .mem = 32u << 20, .no_rng_seed = true};
    assert_true(board_create(&b, &bc, "test"));
    unlink(bc.kernel);
    const MmioWindow *win = bus_find_mmio(&b.bus, VIRT_WDT_BASE + 0xfe0);
    assert_non_null(win);
    assert_int_equal(win->base, VIRT_WDT_BASE);
    assert_int_equal(win->size, 0x1000);
    assert_int_equal(win->ops->read(win->opaque, 0xfe0, 4), 0x05);
    assert_int_equal(win->ops->read(win->opaque, 0xfe8, 4), 0x14);
    assert_int_equal(board_step(&b, 1000), BOARD_RAN);
    assert_int_equal(board_ns_to_timer(&b, UINT64_MAX), UINT64_MAX); /* nothing armed */

    /* One second: the board's next wake-up is the watchdog's. */
    win->ops->write(win->opaque, LOAD, SP805_CLOCK_HZ - 1, 4);
    win->ops->write(win->opaque, CONTROL, SP805_INTEN | SP805_RESEN, 4);
    uint64_t ns = board_ns_to_timer(&b, UINT64_MAX);
    assert_true(ns > 900000000ull && ns <= 1000000000ull);
    assert_int_equal(board_ns_to_timer(&b, 5000), 5000);

    /* Ten ticks: the interrupt line rises, then the step reports the expiry. */
    win->ops->write(win->opaque, LOAD, 9, 4);
    BoardSnapshot snap;
    board_save(&b, &snap);
    usleep(1000);
    assert_int_equal(board_step(&b, 1000), BOARD_WATCHDOG);
    assert_true(b.wdt.s.expired);
    assert_true(wdt_line(&b));
    assert_true(board_has_work(&b));
    assert_int_equal(board_step(&b, 1000), BOARD_WATCHDOG); /* latched */

    /* The snapshot has the state only; the board keeps its wiring. */
    board_restore(&b, &snap);
    assert_false(b.wdt.s.expired);
    assert_int_equal(b.wdt.s.load, 9);
    assert_int_equal(b.wdt.s.control, SP805_INTEN | SP805_RESEN);
    assert_ptr_equal(b.wdt.opaque, &b);
    assert_non_null(b.wdt.now_ns);
    assert_non_null(b.wdt.irq);
    assert_false(wdt_line(&b)); /* the GIC's input as it was at the snapshot */
    board_destroy(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reset_values_and_stopped_counter),
        cmocka_unit_test(load_and_value_count_down),
        cmocka_unit_test(lock_ignores_writes_until_unlocked),
        cmocka_unit_test(interrupt_then_expiry_with_resen),
        cmocka_unit_test(no_expiry_without_resen),
        cmocka_unit_test(intclr_reloads_and_pets_keep_it_alive),
        cmocka_unit_test(mis_is_ris_and_inten),
        cmocka_unit_test(id_registers),
        cmocka_unit_test(state_copies_as_plain_data),
        cmocka_unit_test(board_wires_and_snapshots_the_watchdog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
