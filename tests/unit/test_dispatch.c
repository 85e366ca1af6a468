/* The run loop's dispatch: threaded handlers, compare + B.cond fused at
 * decode time and the page-crossing sentinel keep icount, the PC and the
 * flags exactly where one-instruction-at-a-time execution puts them. */
#include "unit/tvm.h"

#include "cpu/code_cache.h"

#define MOVZ_X0_0 0xd2800000u    /* movz x0, #0 */
#define ADD_X0_1 0x91000400u     /* add x0, x0, #1 */
#define CMP_X0_5 0xf100141fu     /* cmp x0, #5 */
#define CMP_W0_W1 0x6b01001fu    /* cmp w0, w1 */
#define TST_X0_1 0xf240001fu     /* tst x0, #1 */
#define BNE_BACK2 0x54ffffc1u    /* b.ne .-8 */
#define BEQ_FWD2 0x54000040u     /* b.eq .+8 */
#define NOP 0xd503201fu
#define BRK_0 0xd4200000u

/* Runs from `pc` for at most `budget` instructions. */
static CpuExit run_from(TestVm *t, uint64_t pc, uint64_t budget)
{
    t->cpu.pc = pc;
    return cpu_run(&t->cpu, budget);
}

static void load_code(TestVm *t, uint64_t pa, const uint32_t *code, size_t n)
{
    memcpy(tvm_ptr(t, pa), code, n * 4);
    t->cpu.code_va = ~0ull;
    code_cache_invalidate(&t->cpu, pa & ~0xfffull);
    code_cache_invalidate(&t->cpu, (pa + n * 4 - 1) & ~0xfffull);
}

/* A counted loop: x0 = 0; do x0++ while (x0 != 5). Stopping after any
 * number k of instructions, also between the compare and its branch,
 * leaves the state that k single steps leave. */
static void fused_compare_branch_stops_anywhere(void **state)
{
    TestVm *t = *state;
    const uint32_t code[] = {MOVZ_X0_0, ADD_X0_1, CMP_X0_5, BNE_BACK2, BRK_0};
    /* The PCs (as indices) and x0 after k instructions. */
    unsigned pcs[17], x0s[17], k = 0, x0 = 0;
    pcs[k] = 0, x0s[k++] = 0;
    pcs[k] = 1, x0s[k++] = 0;
    for (unsigned i = 0; i < 5; i++) {
        x0++;
        pcs[k] = 2, x0s[k++] = x0;
        pcs[k] = 3, x0s[k++] = x0;
        pcs[k] = x0 == 5 ? 4 : 1, x0s[k++] = x0;
    }
    assert_int_equal(k, 17);
    for (unsigned budget = 1; budget < 17; budget++) {
        load_code(t, TVM_CODE, code, 5);
        t->cpu.x[0] = 77;
        uint64_t before = t->cpu.icount;
        assert_int_equal(run_from(t, TVM_CODE, budget), CPU_EXIT_BUDGET);
        assert_int_equal(t->cpu.icount - before, budget);
        assert_int_equal(t->cpu.pc, TVM_CODE + 4 * pcs[budget]);
        assert_int_equal(t->cpu.x[0], x0s[budget]);
        if (pcs[budget] == 3) /* just after the compare: its flags */
            assert_int_equal(t->cpu.nzcv, x0s[budget] == 5 ? (NZCV_Z | NZCV_C) : x0s[budget] < 5 ? NZCV_N : NZCV_C);
    }
    /* Single steps all the way, then the BRK. */
    load_code(t, TVM_CODE, code, 5);
    t->cpu.pc = TVM_CODE;
    uint64_t before = t->cpu.icount;
    for (unsigned i = 1; i < 17; i++) {
        assert_int_equal(cpu_run(&t->cpu, 1), CPU_EXIT_BUDGET);
        assert_int_equal(t->cpu.pc, TVM_CODE + 4 * pcs[i]);
    }
    assert_int_equal(cpu_run(&t->cpu, 10), CPU_EXIT_EXCEPTION);
    assert_int_equal(t->cpu.icount - before, 17); /* the BRK counts */
    assert_int_equal(t->cpu.last_exc.elr, TVM_CODE + 16);
}

/* The fused forms (register compare, TST) take and skip their branch as the
 * two instructions do, with the flags of the compare left in PSTATE. */
static void fused_register_compare_and_test(void **state)
{
    TestVm *t = *state;
    /* cmp w0, w1; b.eq +8; movz x0, #0 (skipped when equal); brk */
    const uint32_t cmp[] = {CMP_W0_W1, BEQ_FWD2, MOVZ_X0_0, BRK_0};
    load_code(t, TVM_CODE, cmp, 4);
    t->cpu.x[0] = 0x100000007ull, t->cpu.x[1] = 7; /* equal in 32 bits */
    assert_int_equal(run_from(t, TVM_CODE, 100), CPU_EXIT_EXCEPTION);
    assert_int_equal(t->cpu.last_exc.elr, TVM_CODE + 12);
    assert_int_equal(t->cpu.x[0], 0x100000007ull);
    assert_int_equal(t->cpu.nzcv, NZCV_Z | NZCV_C);
    load_code(t, TVM_CODE, cmp, 4);
    t->cpu.x[0] = 6;
    uint64_t before = t->cpu.icount;
    assert_int_equal(run_from(t, TVM_CODE, 100), CPU_EXIT_EXCEPTION);
    assert_int_equal(t->cpu.icount - before, 4);
    assert_int_equal(t->cpu.x[0], 0);
    assert_int_equal(t->cpu.nzcv, NZCV_N);
    /* tst x0, #1; b.eq +8; movz x0, #0; brk */
    const uint32_t tst[] = {TST_X0_1, BEQ_FWD2, MOVZ_X0_0, BRK_0};
    load_code(t, TVM_CODE, tst, 4);
    t->cpu.x[0] = 8;
    before = t->cpu.icount;
    assert_int_equal(run_from(t, TVM_CODE, 100), CPU_EXIT_EXCEPTION);
    assert_int_equal(t->cpu.icount - before, 3);
    assert_int_equal(t->cpu.x[0], 8);
    assert_int_equal(t->cpu.nzcv, NZCV_Z);
}

/* Flag-setting arithmetic with a destination, fused with the B.cond after
 * it (the counted loop `subs w2, w2, #1; b.ne`): a run stopped after any
 * number of instructions leaves the registers, flags and PC that single
 * steps leave. Each loop body: op x0; flag-setting op; b.ne back 2. */
static void fused_arithmetic_matches_single_steps(void **state)
{
    TestVm *t = *state;
    /* steps: to the BRK, 3 per iteration */
    static const struct { uint32_t body, setflags; uint64_t x2, x3; unsigned steps; } loops[] = {
        {ADD_X0_1, 0x71000442u /* subs w2, w2, #1 */, 0x100000004ull, 0, 12},
        {ADD_X0_1, 0xeb030042u /* subs x2, x2, x3 */, 10, 2, 15},
        {ADD_X0_1, 0x31000442u /* adds w2, w2, #1 */, 0xfffffffdull, 0, 9},
        {ADD_X0_1, 0xab030042u /* adds x2, x2, x3 */, (uint64_t)-9, 3, 9},
        {ADD_X0_1, 0xb100045fu /* cmn x2, #1 */, (uint64_t)-1, 0, 3},
        {0xd341fc42u /* lsr x2, x2, #1 */, 0xea03005fu /* tst x2, x3 */, 0x47, 1, 9},
    };
    for (size_t l = 0; l < sizeof loops / sizeof loops[0]; l++) {
        const uint32_t code[] = {loops[l].body, loops[l].setflags, BNE_BACK2, BRK_0};
        uint64_t x[4][20], pc[20], nzcv[20];
        unsigned n = loops[l].steps;
        load_code(t, TVM_CODE, code, 4);
        t->cpu.x[0] = 0, t->cpu.x[2] = loops[l].x2, t->cpu.x[3] = loops[l].x3;
        t->cpu.nzcv = 0;
        t->cpu.pc = TVM_CODE;
        unsigned k = 0;
        while (t->cpu.pc != TVM_CODE + 12 && k < 19) {
            assert_int_equal(cpu_run(&t->cpu, 1), CPU_EXIT_BUDGET);
            k++;
            x[0][k] = t->cpu.x[0], x[2][k] = t->cpu.x[2];
            pc[k] = t->cpu.pc, nzcv[k] = t->cpu.nzcv;
        }
        assert_int_equal(k, n); /* the loop ran out at the BRK after n steps */
        for (k = 1; k <= n; k++) {
            load_code(t, TVM_CODE, code, 4);
            t->cpu.x[0] = 0, t->cpu.x[2] = loops[l].x2, t->cpu.x[3] = loops[l].x3;
            t->cpu.nzcv = 0;
            uint64_t before = t->cpu.icount;
            assert_int_equal(run_from(t, TVM_CODE, k), CPU_EXIT_BUDGET);
            assert_int_equal(t->cpu.icount - before, k);
            assert_int_equal(t->cpu.pc, pc[k]);
            assert_int_equal(t->cpu.x[0], x[0][k]);
            assert_int_equal(t->cpu.x[2], x[2][k]);
            assert_int_equal(t->cpu.nzcv, nzcv[k]);
        }
    }
}

/* Falling through into the next page is no instruction of its own. */
static void page_crossing_counts_no_instruction(void **state)
{
    TestVm *t = *state;
    const uint32_t code[] = {NOP, NOP, NOP, BRK_0}; /* two on each page */
    uint64_t start = TVM_CODE + 0x1000 - 8;
    load_code(t, start, code, 4);
    uint64_t before = t->cpu.icount;
    assert_int_equal(run_from(t, start, 100), CPU_EXIT_EXCEPTION);
    assert_int_equal(t->cpu.icount - before, 4);
    assert_int_equal(t->cpu.last_exc.elr, start + 12);
    /* Stopping right after the crossing leaves the PC on the next page. */
    load_code(t, start, code, 4);
    before = t->cpu.icount;
    assert_int_equal(run_from(t, start, 3), CPU_EXIT_BUDGET);
    assert_int_equal(t->cpu.icount - before, 3);
    assert_int_equal(t->cpu.pc, start + 12);
}

/* More instructions than one slice, all in one run: the count is exact. */
static void long_loop_counts_every_instruction(void **state)
{
    TestVm *t = *state;
    /* x0 = 0; do x0++ while (x0 != 0x3000): 1 + 3 * 0x3000 instructions, then BRK. */
    const uint32_t code[] = {MOVZ_X0_0, ADD_X0_1, 0xf1400c1fu /* cmp x0, #3, lsl 12 */, BNE_BACK2, BRK_0};
    load_code(t, TVM_CODE, code, 5);
    uint64_t before = t->cpu.icount;
    assert_int_equal(run_from(t, TVM_CODE, 1000000), CPU_EXIT_EXCEPTION);
    assert_int_equal(t->cpu.x[0], 0x3000);
    assert_int_equal(t->cpu.icount - before, 1 + 3 * 0x3000 + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fused_compare_branch_stops_anywhere, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(fused_register_compare_and_test, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(fused_arithmetic_matches_single_steps, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(page_crossing_counts_no_instruction, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(long_loop_counts_every_instruction, tvm_setup, tvm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
