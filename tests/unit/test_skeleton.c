/* The run loop, exceptions and system instructions on the bare skeleton. */
#include "unit/tvm.h"

#include "cpu/insn.h"
#include "unit/cond_truth.h"

/* The decoder's condition table against the Arm ARM's definitions, written
 * out by hand in cond_truth.h (not derived from Tandem's own code). */
static void cond_table_matches_arm_arm(void **state)
{
    for (unsigned cond = 0; cond < 16; cond++)
        for (unsigned f = 0; f < 16; f++)
            if (((cond_table[cond] >> f) & 1) != cond_truth_holds(cond, f))
                fail_msg("%s (%s) with NZCV=%u%u%u%u: Tandem's table says it %s", cond_truth[cond].name,
                         cond_truth[cond].definition, f >> 3 & 1, f >> 2 & 1, f >> 1 & 1, f & 1,
                         (cond_table[cond] >> f) & 1 ? "holds" : "fails");
}

static void brk_stops_with_syndrome(void **state)
{
    TestVm t;
    tvm_init(&t);
    assert_true(tvm_run(&t, NULL, 0));
    assert_int_equal(t.cpu.last_exc.elr, TVM_CODE);
    assert_int_equal(t.cpu.sr.esr, ESR(EC_BRK64, 0));
    tvm_free(&t);
}

static void undefined_instruction_raises_ec0(void **state)
{
    TestVm t;
    tvm_init(&t);
    assert_false(tvm_run1(&t, 0x00000000)); /* UDF #0 */
    assert_int_equal(t.cpu.last_exc.esr, ESR(EC_UNKNOWN, 0));
    assert_int_equal(t.cpu.last_exc.elr, TVM_CODE);
    tvm_free(&t);
}

static void mrs_midr_reads_cortex_a53(void **state)
{
    TestVm t;
    tvm_init(&t);
    assert_true(tvm_run1(&t, 0xd5380005)); /* mrs x5, midr_el1 */
    /* Cortex-A53 r0p4 (Cortex-A53 TRM, MIDR_EL1): implementer 0x41 (Arm),
     * variant 0, architecture 0xf, part 0xd03, revision 4 -- what QEMU's
     * -cpu cortex-a53 reports too ("Booting Linux on physical CPU 0x0 [0x410fd034]"). */
    assert_int_equal(t.cpu.x[5], 0x410fd034);
    tvm_free(&t);
}

static void mrs_midr_at_el0_is_undefined(void **state)
{
    TestVm t;
    tvm_init(&t);
    cpu_set_pstate(&t.cpu, 0); /* EL0t */
    assert_false(tvm_run1(&t, 0xd5380005));
    assert_int_equal(t.cpu.last_exc.esr >> 26, EC_UNKNOWN);
    assert_int_equal(t.cpu.sr.spsr & 0xf, 0); /* taken from EL0 */
    tvm_free(&t);
}

static void svc_saves_next_pc_and_imm(void **state)
{
    TestVm t;
    tvm_init(&t);
    assert_false(tvm_run1(&t, 0xd4000001 | (0x42 << 5))); /* svc #0x42 */
    assert_int_equal(t.cpu.last_exc.esr, ESR(EC_SVC64, 0x42));
    assert_int_equal(t.cpu.last_exc.elr, TVM_CODE + 4);
    tvm_free(&t);
}

static void msr_nzcv_then_mrs(void **state)
{
    TestVm t;
    tvm_init(&t);
    t.cpu.x[1] = 0xa0000000;
    uint32_t seq[] = {0xd51b4201 /* msr nzcv, x1 */, 0xd53b4202 /* mrs x2, nzcv */};
    assert_true(tvm_run(&t, seq, 2));
    assert_int_equal(t.cpu.nzcv, NZCV_N | NZCV_C);
    assert_int_equal(t.cpu.x[2], 0xa0000000);
    tvm_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cond_table_matches_arm_arm),
        cmocka_unit_test(brk_stops_with_syndrome),
        cmocka_unit_test(undefined_instruction_raises_ec0),
        cmocka_unit_test(mrs_midr_reads_cortex_a53),
        cmocka_unit_test(mrs_midr_at_el0_is_undefined),
        cmocka_unit_test(svc_saves_next_pc_and_imm),
        cmocka_unit_test(msr_nzcv_then_mrs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
