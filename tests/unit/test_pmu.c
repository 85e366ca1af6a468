/* PMUv3 at EL1: the event counter (INST_RETIRED) and the cycle counter count
 * exactly the instructions retired while enabled, the EL filter excludes,
 * an overflow sets PMOVS and the interrupt level, and a checkpoint keeps the
 * counts. */
#include "unit/tvm.h"

#include "cpu/pmu.h"
#include "cpu/sysreg.h"

#define MSR(key, rt) (0xd5000000u | (key) << 5 | (rt))
#define MRS(key, rt) (0xd5200000u | (key) << 5 | (rt))
#define PMCR SYSREG(3, 3, 9, 12, 0)
#define PMCNTENSET SYSREG(3, 3, 9, 12, 1)
#define PMOVSCLR SYSREG(3, 3, 9, 12, 3)
#define PMCCNTR SYSREG(3, 3, 9, 13, 0)
#define PMINTENSET SYSREG(3, 0, 9, 14, 1)
#define PMEVCNTR0 SYSREG(3, 3, 14, 8, 0)
#define PMEVTYPER0 SYSREG(3, 3, 14, 12, 0)

/* Enable (x1 -> PMCR, x2 -> PMCNTENSET, x3 -> PMEVTYPER0), run 100 rounds of
 * a two-instruction loop, read PMEVCNTR0 into x5, PMCCNTR into x6, PMOVS
 * into x7. */
static void run_counted_loop(TestVm *t, uint64_t typer)
{
    const uint32_t code[] = {
        MSR(PMCR, 1), MSR(PMCNTENSET, 2), MSR(PMEVTYPER0, 3),
        0xd2800c84u,                      /* movz x4, #100 */
        0xf1000484u,                      /* subs x4, x4, #1 */
        0x54ffffe1u,                      /* b.ne .-4 */
        MRS(PMEVCNTR0, 5), MRS(PMCCNTR, 6), MRS(PMOVSCLR, 7),
    };
    t->cpu.x[1] = 1, t->cpu.x[2] = 0x80000001u, t->cpu.x[3] = typer;
    assert_true(tvm_run(t, code, sizeof code / 4));
}

static void counts_instructions_exactly(void **state)
{
    TestVm *t = *state;
    run_counted_loop(t, 0x08);
    /* the event counter: the PMEVTYPER0 write, movz, 200 loop instructions */
    assert_int_equal(t->cpu.x[5], 202);
    /* the cycle counter (a cycle per instruction): from the PMCNTENSET write to the PMEVCNTR0 read */
    assert_int_equal(t->cpu.x[6], 204);
    assert_int_equal(t->cpu.x[7], 0);
}

static void el1_filter_excludes(void **state)
{
    TestVm *t = *state;
    run_counted_loop(t, 0x08 | 1u << 31); /* P: not at EL1 */
    assert_int_equal(t->cpu.x[5], 0);
    run_counted_loop(t, 0x08 | 1u << 30); /* U: not at EL0; EL1 counts */
    assert_int_equal(t->cpu.x[5], 202);
}

static void overflow_sets_flag_and_interrupt(void **state)
{
    TestVm *t = *state;
    const uint32_t setup[] = {MSR(PMEVCNTR0, 1), MSR(PMINTENSET, 2)};
    t->cpu.x[1] = 0xffffffffu - 9, t->cpu.x[2] = 1;
    assert_true(tvm_run(t, setup, 2));
    assert_false(pmu_irq_level(&t->cpu)); /* not enabled yet */
    run_counted_loop(t, 0x08);
    /* 0xfffffff6 + 202 wraps past 2^32 */
    assert_int_equal(t->cpu.x[5], (uint32_t)(0xfffffff6u + 202));
    assert_int_equal(t->cpu.x[7] & 1, 1);
    assert_true(pmu_irq_level(&t->cpu));
    t->cpu.pmu.ovs = 0;
    assert_false(pmu_irq_level(&t->cpu));
}

static void checkpoint_keeps_counts(void **state)
{
    TestVm *t = *state;
    run_counted_loop(t, 0x08);
    CpuArchState s;
    cpu_save(&t->cpu, &s);
    uint32_t saved = t->cpu.pmu.evcntr[0];
    const uint32_t more[] = {0xd503201fu, 0xd503201fu, 0xd503201fu};
    assert_true(tvm_run(t, more, 3));
    pmu_sync(&t->cpu);
    assert_true(t->cpu.pmu.evcntr[0] > saved);
    cpu_restore(&t->cpu, &s);
    assert_int_equal(t->cpu.pmu.evcntr[0], s.pmu.evcntr[0]);
    pmu_sync(&t->cpu); /* nothing ran since the restore */
    assert_int_equal(t->cpu.pmu.evcntr[0], s.pmu.evcntr[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(counts_instructions_exactly, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(el1_filter_excludes, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(overflow_sets_flag_and_interrupt, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(checkpoint_keeps_counts, tvm_setup, tvm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
