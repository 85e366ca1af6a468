/* The PL031 against a fake host clock: the match is latched in RTCRIS when
 * the counter reaches RTCMR whatever the mask, even when one check of the
 * board steps over it; RTCMIS and the line follow RIS & IMSC; only RTCICR
 * clears it; a match behind the counter waits for the counter to wrap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "machine/pl031.h"

enum { DR = 0x00, MR = 0x04, LR = 0x08, IMSC = 0x10, RIS = 0x14, MIS = 0x18, ICR = 0x1c };

typedef struct Fake {
    int64_t host_s;
    bool level;
} Fake;

static int64_t fake_host(void *opaque) { return ((Fake *)opaque)->host_s; }
static void fake_irq(void *opaque, bool level) { ((Fake *)opaque)->level = level; }

static void wire(Pl031 *r, Fake *f, int64_t host_s)
{
    memset(f, 0, sizeof *f);
    f->host_s = host_s;
    r->host_s = fake_host;
    r->irq = fake_irq;
    r->irq_opaque = f;
    pl031_init(r);
}

static uint32_t rd(Pl031 *r, uint64_t off) { return (uint32_t)pl031_ops.read(r, off, 4); }
static void wr(Pl031 *r, uint64_t off, uint32_t v) { pl031_ops.write(r, off, v, 4); }

static void masked_match_interrupts_when_unmasked(void **state)
{
    (void)state;
    Pl031 r;
    Fake f;
    wire(&r, &f, 5000);
    wr(&r, LR, 100);
    assert_int_equal(rd(&r, DR), 100);
    wr(&r, MR, 103);
    f.host_s += 3;
    pl031_tick(&r);
    assert_int_equal(rd(&r, RIS), 1);
    assert_int_equal(rd(&r, MIS), 0);
    assert_false(f.level);
    wr(&r, IMSC, 1);
    assert_int_equal(rd(&r, MIS), 1);
    assert_true(f.level);
    wr(&r, ICR, 0);
    assert_true(f.level);
    wr(&r, ICR, 1);
    assert_int_equal(rd(&r, RIS), 0);
    assert_false(f.level);
    /* RIS stays latched after the counter moves on */
    wr(&r, MR, 104);
    f.host_s += 1;
    pl031_tick(&r);
    f.host_s += 1;
    pl031_tick(&r);
    assert_int_equal(rd(&r, RIS), 1);
    assert_true(f.level);
}

static void a_check_that_steps_over_the_match_sees_it(void **state)
{
    (void)state;
    Pl031 r;
    Fake f;
    wire(&r, &f, 0);
    wr(&r, LR, 1000);
    wr(&r, MR, 1010);
    f.host_s += 9;
    pl031_tick(&r);
    assert_int_equal(rd(&r, RIS), 0);
    f.host_s += 30; /* one long run of the vCPU: 1009 -> 1039 */
    pl031_tick(&r);
    assert_int_equal(rd(&r, RIS), 1);
}

static void matches_now_behind_and_across_the_wrap(void **state)
{
    (void)state;
    Pl031 r;
    Fake f;
    wire(&r, &f, 0);
    wr(&r, LR, 500);
    wr(&r, MR, 500); /* equal to the counter: reached now */
    assert_int_equal(rd(&r, RIS), 1);
    wr(&r, ICR, 1);
    wr(&r, MR, 400); /* behind: not until the counter wraps */
    f.host_s += 100;
    pl031_tick(&r);
    assert_int_equal(rd(&r, RIS), 0);
    wr(&r, LR, 0xfffffffeu);
    wr(&r, MR, 1);
    f.host_s += 2; /* 0xfffffffe -> 0 */
    pl031_tick(&r);
    assert_int_equal(rd(&r, RIS), 0);
    f.host_s += 1;
    pl031_tick(&r);
    assert_int_equal(rd(&r, RIS), 1);
}

static void identification_registers(void **state)
{
    (void)state;
    Pl031 r;
    Fake f;
    wire(&r, &f, 0);
    static const uint8_t id[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(rd(&r, 0xfe0 + 4 * i), id[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(masked_match_interrupts_when_unmasked),
        cmocka_unit_test(a_check_that_steps_over_the_match_sees_it),
        cmocka_unit_test(matches_now_behind_and_across_the_wrap),
        cmocka_unit_test(identification_registers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
