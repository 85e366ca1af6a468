/* Loads and stores: every addressing mode, sign extension, pairs, FP/SIMD
 * registers, exclusives, acquire/release, and data-abort syndromes. */
#include "unit/tvm.h"

#include "mmu/mmu.h"

#define DATA TVM_DATA

static uint8_t *data(TestVm *t) { return tvm_ptr(t, DATA); }

static void put64(TestVm *t, unsigned off, uint64_t v) { memcpy(data(t) + off, &v, 8); }
static uint64_t get64(TestVm *t, unsigned off)
{
    uint64_t v;
    memcpy(&v, data(t) + off, 8);
    return v;
}
static uint32_t get32(TestVm *t, unsigned off)
{
    uint32_t v;
    memcpy(&v, data(t) + off, 4);
    return v;
}

/* A data abort taken at EL1 from the instruction at TVM_CODE + 4 * index. */
static void assert_abort(TestVm *t, unsigned index, uint32_t esr, uint64_t far)
{
    assert_int_equal(t->cpu.last_exc.esr, esr);
    assert_int_equal(t->cpu.last_exc.far, far);
    assert_int_equal(t->cpu.last_exc.elr, TVM_CODE + 4 * index);
}

/* ---------------------------------------------------------------- GPR ---- */

static void unsigned_offset_loads_extend(void **state)
{
    TestVm t;
    tvm_init(&t);
    put64(&t, 0, 0x8877665544332211ull);
    put64(&t, 8, 0xf0debc9a78563412ull);
    put64(&t, 16, 0x00000000c0b0a080ull);
    t.cpu.x[0] = DATA;
    for (int i = 1; i <= 9; i++)
        t.cpu.x[i] = ~0ull;
    uint32_t seq[] = {
        0x39400401, /* ldrb w1, [x0, #1] */
        0x79400402, /* ldrh w2, [x0, #2] */
        0xb9400403, /* ldr w3, [x0, #4] */
        0xf9400404, /* ldr x4, [x0, #8] */
        0x39804005, /* ldrsb x5, [x0, #16] */
        0x79802006, /* ldrsh x6, [x0, #16] */
        0xb9801007, /* ldrsw x7, [x0, #16] */
        0x39c04008, /* ldrsb w8, [x0, #16] */
        0x79c02009, /* ldrsh w9, [x0, #16] */
    };
    assert_true(tvm_run(&t, seq, 9));
    assert_int_equal(t.cpu.x[1], 0x22);
    assert_int_equal(t.cpu.x[2], 0x4433);
    assert_int_equal(t.cpu.x[3], 0x88776655);
    assert_int_equal(t.cpu.x[4], 0xf0debc9a78563412ull);
    assert_int_equal(t.cpu.x[5], 0xffffffffffffff80ull);
    assert_int_equal(t.cpu.x[6], 0xffffffffffffa080ull);
    assert_int_equal(t.cpu.x[7], 0xffffffffc0b0a080ull);
    assert_int_equal(t.cpu.x[8], 0xffffff80ull); /* W result: upper half zero */
    assert_int_equal(t.cpu.x[9], 0xffffa080ull);
    tvm_free(&t);
}

static void stores_sizes_and_xzr(void **state)
{
    TestVm t;
    tvm_init(&t);
    memset(data(&t), 0xee, 64);
    t.cpu.x[0] = DATA;
    t.cpu.x[1] = 0x0123456789abcdefull;
    uint32_t seq[] = {
        0x39008001, /* strb w1, [x0, #32] */
        0x79004401, /* strh w1, [x0, #34] */
        0xb9002401, /* str w1, [x0, #36] */
        0xf9001401, /* str x1, [x0, #40] */
        0xf900181f, /* str xzr, [x0, #48] */
        0xf940141f, /* ldr xzr, [x0, #40] */
    };
    assert_true(tvm_run(&t, seq, 6));
    assert_int_equal(get64(&t, 32), 0x89abcdefcdefeeefull);
    assert_int_equal(get64(&t, 40), 0x0123456789abcdefull);
    assert_int_equal(get64(&t, 48), 0);
    assert_int_equal(get64(&t, 56), 0xeeeeeeeeeeeeeeeeull);
    assert_int_equal(t.cpu.x[31], 0); /* XZR still reads zero */
    tvm_free(&t);
}

static void unscaled_negative_offsets(void **state)
{
    TestVm t;
    tvm_init(&t);
    put64(&t, 0, 0x1122334455667788ull);
    t.cpu.x[0] = DATA + 8;
    t.cpu.x[2] = 0x8000a5a5;
    uint32_t seq[] = {
        0xf85f8001, /* ldur x1, [x0, #-8] */
        0xb81fd002, /* stur w2, [x0, #-3] (unaligned) */
        0x789fd003, /* ldursh x3, [x0, #-3] */
    };
    assert_true(tvm_run(&t, seq, 3));
    assert_int_equal(t.cpu.x[1], 0x1122334455667788ull);
    assert_int_equal(get64(&t, 0), 0x00a5a54455667788ull);
    assert_int_equal(data(&t)[8], 0x80);
    assert_int_equal(t.cpu.x[3], 0xffffffffffffa5a5ull);
    tvm_free(&t);
}

static void pre_and_post_index_writeback(void **state)
{
    TestVm t;
    tvm_init(&t);
    put64(&t, 16, 0xaaaa);
    put64(&t, 64, 0xbbbb);
    t.cpu.x[0] = DATA;
    t.cpu.x[3] = DATA + 64;
    t.cpu.x[REG_SP] = DATA + 256;
    t.cpu.x[4] = 0xcafef00d;
    t.cpu.x[5] = 0x5a;
    uint32_t seq[] = {
        0xf8410c01, /* ldr x1, [x0, #16]! */
        0xf85f8462, /* ldr x2, [x3], #-8 */
        0xb81f0fe4, /* str w4, [sp, #-16]! */
        0x380037e5, /* strb w5, [sp], #3 */
    };
    assert_true(tvm_run(&t, seq, 4));
    assert_int_equal(t.cpu.x[1], 0xaaaa);
    assert_int_equal(t.cpu.x[0], DATA + 16);
    assert_int_equal(t.cpu.x[2], 0xbbbb);
    assert_int_equal(t.cpu.x[3], DATA + 56);
    assert_int_equal(get32(&t, 240), 0xcafef05a); /* strb overwrote byte 0 */
    assert_int_equal(data(&t)[240], 0x5a);
    assert_int_equal(t.cpu.x[REG_SP], DATA + 243);
    tvm_free(&t);
}

static void writeback_with_rt_equal_rn(void **state)
{
    TestVm t;
    tvm_init(&t);
    put64(&t, 0, 0x1111);
    put64(&t, 8, 0x2222);
    put64(&t, 24, 0x3333);
    t.cpu.x[0] = DATA;
    t.cpu.x[1] = DATA + 8;
    t.cpu.x[2] = DATA + 16;
    uint32_t seq[] = {
        0xf8408400, /* ldr x0, [x0], #8: the written-back address wins */
        0xf8008c21, /* str x1, [x1, #8]!: stores the old base */
        0xf8408c42, /* ldr x2, [x2, #8]! */
    };
    assert_true(tvm_run(&t, seq, 3));
    assert_int_equal(t.cpu.x[0], DATA + 8);
    assert_int_equal(t.cpu.x[1], DATA + 16);
    assert_int_equal(get64(&t, 16), DATA + 8);
    assert_int_equal(t.cpu.x[2], DATA + 24);
    tvm_free(&t);
}

static void register_offset_extends(void **state)
{
    TestVm t;
    tvm_init(&t);
    for (unsigned i = 0; i < 64; i++)
        data(&t)[0x100 + i] = (uint8_t)(0x80 + i);
    t.cpu.x[0] = DATA + 0x120;
    t.cpu.x[2] = 2;                      /* lsl #3: +16 */
    t.cpu.x[4] = 0xffffffff00000003ull;  /* uxtw #2: +12 */
    t.cpu.x[6] = 0x00000000fffffff0ull;  /* sxtw: -16 */
    t.cpu.x[8] = (uint64_t)-4;           /* sxtx #1: -8 */
    t.cpu.x[9] = 0x0102030405060708ull;
    t.cpu.x[10] = 0x20;
    t.cpu.x[12] = 5;
    uint32_t seq[] = {
        0xf8627801, /* ldr x1, [x0, x2, lsl #3] */
        0xb8645803, /* ldr w3, [x0, w4, uxtw #2] */
        0x38a6c805, /* ldrsb x5, [x0, w6, sxtw] */
        0x7868f807, /* ldrh w7, [x0, x8, sxtx #1] */
        0xf82a6809, /* str x9, [x0, x10] */
        0x386c780b, /* ldrb w11, [x0, x12, lsl #0] */
    };
    assert_true(tvm_run(&t, seq, 6));
    assert_int_equal(t.cpu.x[1], 0xb7b6b5b4b3b2b1b0ull);
    assert_int_equal(t.cpu.x[3], 0xafaeadacull);
    assert_int_equal(t.cpu.x[5], 0xffffffffffffff90ull);
    assert_int_equal(t.cpu.x[7], 0x9998);
    assert_int_equal(get64(&t, 0x140), 0x0102030405060708ull);
    assert_int_equal(t.cpu.x[11], 0xa5);
    tvm_free(&t);
}

static void literal_loads(void **state)
{
    TestVm t;
    tvm_init(&t);
    /* The pool lives in the code area, right after the final BRK. */
    /* Words 0-5: the loads; 6: BRK; 8-15: the literal pool. */
    uint32_t seq[] = {
        0x58000101, /* ldr x1, pool+0 (word 8) */
        0x98000102, /* ldrsw x2, word 9 */
        0x18000103, /* ldr w3, word 10 */
        0x9c000124, /* ldr q4, word 12 */
        0x5c0000c5, /* ldr d5, word 10 */
        0xd8000020, /* prfm pldl1keep, .+4 */
    };
    static const uint32_t pool[8] = {0x89abcdef, 0x80000001, 0xdeadbeef, 0x11223344,
                                     0x55555555, 0x66666666, 0x77777777, 0x88888888};
    memcpy(bus_ram_ptr(&t.bus, TVM_CODE + 32, sizeof pool), pool, sizeof pool);
    memset(&t.cpu.v[4], 0xff, 16);
    memset(&t.cpu.v[5], 0xff, 16);
    assert_true(tvm_run(&t, seq, 6));
    assert_int_equal(t.cpu.x[1], 0x8000000189abcdefull);
    assert_int_equal(t.cpu.x[2], 0xffffffff80000001ull);
    assert_int_equal(t.cpu.x[3], 0xdeadbeef);
    assert_int_equal(t.cpu.v[4].d[0], 0x6666666655555555ull);
    assert_int_equal(t.cpu.v[4].d[1], 0x8888888877777777ull);
    assert_int_equal(t.cpu.v[5].d[0], 0x11223344deadbeefull);
    assert_int_equal(t.cpu.v[5].d[1], 0);
    tvm_free(&t);
}

static void literal_load_backwards(void **state)
{
    TestVm t;
    tvm_init(&t);
    /* ldr x1, .-4 reads the word before it: the first instruction (a NOP) and
     * the ldr itself. */
    uint32_t seq[] = {0xd503201f, 0x58ffffe1};
    assert_true(tvm_run(&t, seq, 2));
    assert_int_equal(t.cpu.x[1], 0x58ffffe1d503201full);
    tvm_free(&t);
}

static void unprivileged_at_el1(void **state)
{
    TestVm t;
    tvm_init(&t);
    put64(&t, 0, 0x00000000fedcba98ull);
    put64(&t, 8, 0x4242);
    t.cpu.x[0] = DATA;
    t.cpu.x[2] = 0x77;
    uint32_t seq[] = {
        0xf8408801, /* ldtr x1, [x0, #8] */
        0x38001802, /* sttrb w2, [x0, #1] */
        0xb8800803, /* ldtrsw x3, [x0] */
    };
    assert_true(tvm_run(&t, seq, 3));
    assert_int_equal(t.cpu.x[1], 0x4242);
    assert_int_equal(t.cpu.x[3], 0xfffffffffedc7798ull);
    tvm_free(&t);
}

static void prefetch_is_nop(void **state)
{
    TestVm t;
    tvm_init(&t);
    t.cpu.x[0] = 0x1000; /* not RAM: a real access would abort */
    t.cpu.x[1] = 3;
    uint32_t seq[] = {
        0xf9800400, /* prfm pldl1keep, [x0, #8] */
        0xf89ff000, /* prfum pldl1keep, [x0, #-1] */
        0xf8a17800, /* prfm pldl1keep, [x0, x1, lsl #3] */
        0xf8a1c800, /* prfm pldl1keep, [x0, w1, sxtw] */
        0xd8000000, /* prfm pldl1keep, . (literal) */
    };
    assert_true(tvm_run(&t, seq, 5));
    assert_int_equal(t.cpu.x[0], 0x1000);
    tvm_free(&t);
}

static void unallocated_forms_are_undefined(void **state)
{
    static const uint32_t undef[] = {
        0xf8210062, /* ldadd x1, x2, [x3] (LSE) */
        0xc8a17c62, /* cas x1, x2, [x3] (LSE) */
        0xf8bfc001, /* ldapr x1, [x0] (RCpc) */
        0xb8218002, /* swp w1, w2, [x0] (LSE) */
        0x48207c82, /* casp x0, x1, x2, x3, [x4] (LSE) */
        0xc89f7c01, /* stllr x1, [x0] (LOR) */
        0xc8df7c01, /* ldlar x1, [x0] (LOR) */
        0xf8a10800, /* register offset, option 000: unallocated */
        0xf89ff400, /* prfm post-index: unallocated */
        0xf89ffc00, /* prfm pre-index: unallocated */
        0xf89ff800, /* prfm unprivileged: unallocated */
        0xb8c00401, /* ldrsw with opc 11 (size 10): unallocated */
        0x3cc00801, /* ldtr q1 (SIMD&FP unprivileged): unallocated */
        0xbdc00001, /* ldr with V=1 opc 11 size 10: unallocated */
        0x7dc00001, /* ldr with V=1 opc 11 size 01: unallocated */
        0xfd800001, /* str with V=1 opc 10 size 11: unallocated */
        0xec400001, /* ldp with opc 11 (SIMD&FP): unallocated */
        0x69000001, /* stgp (MTE) */
        0x68400001, /* ldpsw non-temporal: unallocated */
        0xdc000001, /* ldr literal V=1 opc 11: unallocated */
        0x99000001, /* stlur (v8.4): unallocated */
        0xf8200c00, /* ldraa (PAC) */
    };
    for (unsigned i = 0; i < sizeof undef / sizeof undef[0]; i++) {
        TestVm t;
        tvm_init(&t);
        t.cpu.x[0] = t.cpu.x[3] = t.cpu.x[4] = DATA;
        if (tvm_run1(&t, undef[i]))
            fail_msg("0x%08x executed", undef[i]);
        assert_int_equal(t.cpu.last_exc.esr, ESR(EC_UNKNOWN, 0));
        assert_int_equal(t.cpu.last_exc.elr, TVM_CODE);
        tvm_free(&t);
    }
}

/* ---------------------------------------------------------- pairs ---- */

static void gpr_pairs(void **state)
{
    TestVm t;
    tvm_init(&t);
    for (unsigned i = 0; i < 16; i++)
        put64(&t, 8 * i, 0x1111111111111111ull * i);
    put64(&t, 0x48, 0x80000000fffffffeull);
    t.cpu.x[0] = DATA + 0x50;
    uint32_t seq[] = {
        0xa9410801, /* ldp x1, x2, [x0, #16]  -> 0x60, 0x68 */
        0xa9bf0801, /* stp x1, x2, [x0, #-16]! -> x0 = 0x40 */
        0x28c11003, /* ldp w3, w4, [x0], #8    -> x0 = 0x48 */
        0x697f1805, /* ldpsw x5, x6, [x0, #-8] -> 0x40, 0x44 */
        0x28081003, /* stnp w3, w4, [x0, #64]  -> 0x88 */
        0xa87f2007, /* ldnp x7, x8, [x0, #-16] -> 0x38, 0x40 */
        0xa9402409, /* ldp x9, x9, [x0]: first element wins */
    };
    assert_true(tvm_run(&t, seq, 7));
    assert_int_equal(t.cpu.x[1], 0xcccccccccccccccc);
    assert_int_equal(t.cpu.x[2], 0xdddddddddddddddd);
    assert_int_equal(get64(&t, 0x40), 0xcccccccccccccccc);
    assert_int_equal(get64(&t, 0x48), 0xdddddddddddddddd);
    assert_int_equal(t.cpu.x[3], 0xcccccccc);
    assert_int_equal(t.cpu.x[4], 0xcccccccc);
    assert_int_equal(t.cpu.x[0], DATA + 0x48);
    assert_int_equal(t.cpu.x[5], 0xffffffffccccccccull);
    assert_int_equal(t.cpu.x[6], 0xffffffffccccccccull);
    assert_int_equal(get64(&t, 0x88), 0xcccccccccccccccc);
    assert_int_equal(t.cpu.x[7], 0x7777777777777777);
    assert_int_equal(t.cpu.x[8], 0xcccccccccccccccc);
    assert_int_equal(t.cpu.x[9], 0xdddddddddddddddd);
    tvm_free(&t);
}

static void pair_crossing_pages_and_sp(void **state)
{
    TestVm t;
    tvm_init(&t);
    /* Ends 8 bytes into the next page: the slow path, element by element. */
    t.cpu.x[REG_SP] = DATA + 0x1000 - 8;
    t.cpu.x[1] = 0xabcdef;
    t.cpu.x[2] = 0x123456;
    uint32_t seq[] = {
        0xa9000be1, /* stp x1, x2, [sp] */
        0xa94013e3, /* ldp x3, x4, [sp] */
    };
    assert_true(tvm_run(&t, seq, 2));
    assert_int_equal(get64(&t, 0xff8), 0xabcdef);
    assert_int_equal(get64(&t, 0x1000), 0x123456);
    assert_int_equal(t.cpu.x[3], 0xabcdef);
    assert_int_equal(t.cpu.x[4], 0x123456);
    tvm_free(&t);
}

static void fp_pairs(void **state)
{
    TestVm t;
    tvm_init(&t);
    for (unsigned i = 0; i < 64; i++)
        data(&t)[i] = (uint8_t)i;
    for (unsigned r = 0; r < 10; r++)
        memset(&t.cpu.v[r], 0xff, 16);
    t.cpu.x[0] = DATA;
    uint32_t seq[] = {
        0xad400801, /* ldp q1, q2, [x0] */
        0xad820402, /* stp q2, q1, [x0, #64]! */
        0x6d7c1003, /* ldp d3, d4, [x0, #-64] */
        0x2c811805, /* stp s5, s6, [x0], #8 */
        0x2d7f2007, /* ldp s7, s8, [x0, #-8] */
        0x6d7ba409, /* ldp d9, d9, [x0, #-72]: second element wins (QEMU) */
    };
    t.cpu.v[5].s[0] = 0x01020304;
    t.cpu.v[6].s[0] = 0x05060708;
    assert_true(tvm_run(&t, seq, 6));
    assert_int_equal(t.cpu.v[1].d[0], 0x0706050403020100ull);
    assert_int_equal(t.cpu.v[2].d[1], 0x1f1e1d1c1b1a1918ull);
    /* q2 then q1 at 64; bytes 64-71 were then overwritten by stp s5, s6. */
    assert_memory_equal(data(&t) + 72, data(&t) + 24, 8);
    assert_memory_equal(data(&t) + 80, data(&t) + 0, 16);
    assert_int_equal(t.cpu.v[3].d[0], 0x0706050403020100ull);
    assert_int_equal(t.cpu.v[3].d[1], 0);
    assert_int_equal(t.cpu.v[4].d[0], 0x0f0e0d0c0b0a0908ull);
    assert_int_equal(t.cpu.v[4].d[1], 0);
    assert_int_equal(get64(&t, 64), 0x0506070801020304ull);
    assert_int_equal(t.cpu.x[0], DATA + 72);
    assert_int_equal(t.cpu.v[7].d[0], 0x01020304);
    assert_int_equal(t.cpu.v[7].d[1], 0);
    assert_int_equal(t.cpu.v[8].d[0], 0x05060708);
    assert_int_equal(t.cpu.v[9].d[0], 0x0f0e0d0c0b0a0908ull);
    tvm_free(&t);
}

/* ------------------------------------------------------- FP/SIMD ---- */

static void fp_loads_zero_upper_bits(void **state)
{
    TestVm t;
    tvm_init(&t);
    for (unsigned i = 0; i < 48; i++)
        data(&t)[i] = (uint8_t)(0xa0 + i);
    for (unsigned r = 0; r < 8; r++)
        memset(&t.cpu.v[r], 0x5a, 16);
    t.cpu.x[0] = DATA + 16;
    t.cpu.x[1] = 40;
    t.cpu.x[2] = 0xffffffffffffffffull; /* lsl #4: -16 */
    uint32_t seq[] = {
        0x3d400001, /* ldr b1, [x0] */
        0x7d400002, /* ldr h2, [x0] */
        0xbd400003, /* ldr s3, [x0] */
        0xfd400004, /* ldr d4, [x0] */
        0x3dc00005, /* ldr q5, [x0] */
        0x3d800805, /* str q5, [x0, #32] */
        0x7c1fe002, /* stur h2, [x0, #-2] */
        0x3c216801, /* str b1, [x0, x1] */
        0x3ce27806, /* ldr q6, [x0, x2, lsl #4] */
        0xfc408c07, /* ldr d7, [x0, #8]! */
    };
    assert_true(tvm_run(&t, seq, 10));
    assert_int_equal(t.cpu.v[1].d[0], 0xb0);
    assert_int_equal(t.cpu.v[1].d[1], 0);
    assert_int_equal(t.cpu.v[2].d[0], 0xb1b0);
    assert_int_equal(t.cpu.v[2].d[1], 0);
    assert_int_equal(t.cpu.v[3].d[0], 0xb3b2b1b0);
    assert_int_equal(t.cpu.v[3].d[1], 0);
    assert_int_equal(t.cpu.v[4].d[0], 0xb7b6b5b4b3b2b1b0ull);
    assert_int_equal(t.cpu.v[4].d[1], 0);
    assert_int_equal(t.cpu.v[5].d[1], 0xbfbebdbcbbbab9b8ull);
    assert_memory_equal(data(&t) + 48, data(&t) + 16, 8); /* str q5 */
    assert_memory_equal(data(&t) + 57, data(&t) + 25, 7);
    assert_int_equal(data(&t)[14], 0xb0);
    assert_int_equal(data(&t)[15], 0xb1);
    assert_int_equal(data(&t)[56], 0xb0);
    assert_int_equal(t.cpu.v[6].d[0], 0xa7a6a5a4a3a2a1a0ull);
    assert_int_equal(t.cpu.v[7].d[0], 0xbfbebdbcbbbab9b8ull);
    assert_int_equal(t.cpu.v[7].d[1], 0);
    assert_int_equal(t.cpu.x[0], DATA + 24);
    tvm_free(&t);
}

static void fp_load_traps_when_fp_disabled(void **state)
{
    TestVm t;
    tvm_init(&t);
    t.cpu.sr.cpacr = 0;
    cpu_set_pstate(&t.cpu, cpu_get_pstate(&t.cpu));
    t.cpu.x[0] = 0x1000; /* would abort: the FP trap comes first */
    assert_false(tvm_run1(&t, 0xfd400004)); /* ldr d4, [x0] */
    assert_int_equal(t.cpu.last_exc.esr, ESR(EC_FP_ACCESS, 0x1e00000));
    assert_false(tvm_run1(&t, 0xad400801)); /* ldp q1, q2, [x0] */
    assert_int_equal(t.cpu.last_exc.esr, ESR(EC_FP_ACCESS, 0x1e00000));
    tvm_free(&t);
}

/* ---------------------------------------------------- exclusives ---- */

static void exclusive_pair_succeeds_then_fails(void **state)
{
    TestVm t;
    tvm_init(&t);
    put64(&t, 0, 0x1234);
    t.cpu.x[0] = DATA;
    t.cpu.x[3] = 0x5678;
    t.cpu.x[5] = 0x9abc;
    uint32_t seq[] = {
        0xc85f7c01, /* ldxr x1, [x0] */
        0xc8027c03, /* stxr w2, x3, [x0]: succeeds */
        0xc8047c05, /* stxr w4, x5, [x0]: monitor cleared, fails */
    };
    t.cpu.x[2] = t.cpu.x[4] = 0xdead;
    assert_true(tvm_run(&t, seq, 3));
    assert_int_equal(t.cpu.x[1], 0x1234);
    assert_int_equal(t.cpu.x[2], 0);
    assert_int_equal(t.cpu.x[4], 1);
    assert_int_equal(get64(&t, 0), 0x5678);
    assert_false(t.cpu.excl_valid);
    tvm_free(&t);
}

static void exclusive_fails_on_clrex_size_and_address(void **state)
{
    TestVm t;
    tvm_init(&t);
    put64(&t, 0, 0x4433221100ull);
    t.cpu.x[0] = DATA;
    t.cpu.x[3] = 0xffff;
    t.cpu.x[6] = 0xeeee;
    t.cpu.x[9] = 0xdddddddd;
    uint32_t seq[] = {
        0x085f7c01, /* ldxrb w1, [x0] */
        0x48027c03, /* stxrh w2, w3, [x0]: size differs, fails */
        0x485ffc04, /* ldaxrh w4, [x0] */
        0xd5033f5f, /* clrex */
        0x4805fc06, /* stlxrh w5, w6, [x0]: fails */
        0x885f7c07, /* ldxr w7, [x0] */
        0x8808fc09, /* stlxr w8, w9, [x0]: succeeds */
    };
    assert_true(tvm_run(&t, seq, 7));
    assert_int_equal(t.cpu.x[1], 0x00);
    assert_int_equal(t.cpu.x[2], 1);
    assert_int_equal(t.cpu.x[4], 0x1100);
    assert_int_equal(t.cpu.x[5], 1);
    assert_int_equal(t.cpu.x[7], 0x33221100);
    assert_int_equal(t.cpu.x[8], 0);
    assert_int_equal(get64(&t, 0), 0x44ddddddddull);

    /* Another address. */
    t.cpu.x[1] = DATA + 8;
    uint32_t seq2[] = {
        0xc85f7c02, /* ldxr x2, [x0] */
        0xc8037c24, /* stxr w3, x4, [x1] */
    };
    assert_true(tvm_run(&t, seq2, 2));
    assert_int_equal(t.cpu.x[3], 1);
    assert_int_equal(get64(&t, 8), 0);
    tvm_free(&t);
}

static void exclusive_pairs(void **state)
{
    TestVm t;
    tvm_init(&t);
    put64(&t, 0, 0x1111111111111111ull);
    put64(&t, 8, 0x2222222222222222ull);
    put64(&t, 16, 0x4444444433333333ull);
    t.cpu.x[0] = DATA;
    t.cpu.x[4] = 0xaaaa;
    t.cpu.x[5] = 0xbbbb;
    t.cpu.x[9] = 0x12345678ccccccccull;
    t.cpu.x[10] = 0xdddddddd;
    uint32_t seq[] = {
        0xc87f0801, /* ldxp x1, x2, [x0] */
        0xc8231404, /* stxp w3, x4, x5, [x0] */
        0x91004000, /* add x0, x0, #16 */
        0x887f9c06, /* ldaxp w6, w7, [x0] */
        0x8828a809, /* stlxp w8, w9, w10, [x0] */
    };
    assert_true(tvm_run(&t, seq, 5));
    assert_int_equal(t.cpu.x[1], 0x1111111111111111ull);
    assert_int_equal(t.cpu.x[2], 0x2222222222222222ull);
    assert_int_equal(t.cpu.x[3], 0);
    assert_int_equal(get64(&t, 0), 0xaaaa);
    assert_int_equal(get64(&t, 8), 0xbbbb);
    assert_int_equal(t.cpu.x[6], 0x33333333);
    assert_int_equal(t.cpu.x[7], 0x44444444);
    assert_int_equal(t.cpu.x[8], 0);
    assert_int_equal(get64(&t, 16), 0xddddddddccccccccull);
    tvm_free(&t);
}

static void exclusive_status_register_overlap(void **state)
{
    TestVm t;
    tvm_init(&t);
    t.cpu.x[0] = DATA;
    t.cpu.x[1] = 0x55;
    uint32_t seq[] = {
        0xc85f7c03, /* ldxr x3, [x0] */
        0xc8017c01, /* stxr w1, x1, [x0]: stores the old x1, then status */
    };
    assert_true(tvm_run(&t, seq, 2));
    assert_int_equal(get64(&t, 0), 0x55);
    assert_int_equal(t.cpu.x[1], 0);

    /* ldxp x1, x1, [x0]: the second element wins (QEMU). */
    put64(&t, 16, 0xaaaa);
    put64(&t, 24, 0xbbbb);
    t.cpu.x[0] = DATA + 16;
    assert_true(tvm_run1(&t, 0xc87f0401));
    assert_int_equal(t.cpu.x[1], 0xbbbb);
    tvm_free(&t);
}

static void acquire_release(void **state)
{
    TestVm t;
    tvm_init(&t);
    put64(&t, 0, 0x8877665544332211ull);
    t.cpu.x[0] = DATA;
    t.cpu.x[2] = 0xaabbccdd;
    t.cpu.x[4] = 0xeeff;
    uint32_t seq[] = {
        0xc8dffc01, /* ldar x1, [x0] */
        0x889ffc02, /* stlr w2, [x0] */
        0x08dffc03, /* ldarb w3, [x0] */
        0x489ffc04, /* stlrh w4, [x0] */
    };
    assert_true(tvm_run(&t, seq, 4));
    assert_int_equal(t.cpu.x[1], 0x8877665544332211ull);
    assert_int_equal(t.cpu.x[3], 0xdd);
    assert_int_equal(get64(&t, 0), 0x88776655aabbeeffull);
    assert_false(t.cpu.excl_valid);
    tvm_free(&t);
}

static void unaligned_exclusive_faults(void **state)
{
    TestVm t;
    tvm_init(&t);
    t.cpu.x[0] = DATA + 4;
    t.cpu.x[1] = 0x77;
    uint32_t nop = 0xd503201f;
    uint32_t seq[] = {nop, 0xc85f7c01 /* ldxr x1, [x0] */};
    assert_false(tvm_run(&t, seq, 2));
    assert_abort(&t, 1, ESR(EC_DABT_SAME, FSC_ALIGNMENT), DATA + 4);
    assert_int_equal(t.cpu.x[1], 0x77);
    assert_false(t.cpu.excl_valid);

    /* ldxp x: 16-byte alignment for the pair. */
    t.cpu.x[0] = DATA + 8;
    assert_false(tvm_run1(&t, 0xc87f0801));
    assert_abort(&t, 0, ESR(EC_DABT_SAME, FSC_ALIGNMENT), DATA + 8);

    /* stlr: write (WnR). */
    t.cpu.x[0] = DATA + 2;
    assert_false(tvm_run1(&t, 0xc89ffc01));
    assert_abort(&t, 0, ESR(EC_DABT_SAME, FSC_ALIGNMENT | 1u << 6), DATA + 2);

    /* An ordinary load at the same address is fine (SCTLR.A = 0). */
    put64(&t, 8, 0x1122334455667788ull);
    t.cpu.x[0] = DATA + 9;
    assert_true(tvm_run1(&t, 0xf9400001)); /* ldr x1, [x0] */
    assert_int_equal(t.cpu.x[1], 0x0011223344556677ull);
    tvm_free(&t);
}

/* ------------------------------------------------- abort syndrome ---- */

#define ISV (1u << 24)
#define SAS(n) ((uint32_t)(n) << 22)
#define SSE (1u << 21)
#define SRT(n) ((uint32_t)(n) << 16)
#define SF (1u << 15)
#define AR (1u << 14)
#define WNR (1u << 6)

/* With the MMU on and RAM mapped for EL1 only, LDTR/STTR at EL1 are checked
 * as EL0 accesses and take a permission fault; LDR at EL1 is fine. */
static void unprivileged_checks_el0_permissions(void **state)
{
    TestVm t;
    tvm_init(&t);
    const uint64_t l0 = TVM_RAM + 0x600000, l1 = l0 + 0x1000;
    uint64_t table = l1 | 3, block = TVM_RAM | 1 | 1u << 10; /* AP=00: EL1 only */
    memcpy(tvm_ptr(&t, l0), &table, 8);
    memcpy(tvm_ptr(&t, l1 + 8), &block, 8); /* L1 index 1: 0x40000000-0x7fffffff */
    t.cpu.sr.tcr = 16 | 16u << 16 | 2u << 30;
    t.cpu.sr.ttbr0 = l0;
    t.cpu.sr.sctlr |= 1;
    mmu_flush_all(&t.cpu);
    put64(&t, 8, 0x600d);
    t.cpu.x[0] = DATA;
    /* The privileged load goes through the stage-1 walk: the block maps RAM
     * flat and AP=00 allows EL1 reads. A fault here is an MMU bug. */
    if (!tvm_run1(&t, 0xf9400401)) /* ldr x1, [x0, #8] */
        fail_msg("ldr at EL1 through an EL1-only block faulted: ESR 0x%08x FAR 0x%llx ELR 0x%llx",
                 (unsigned)t.cpu.last_exc.esr, (unsigned long long)t.cpu.last_exc.far,
                 (unsigned long long)t.cpu.last_exc.elr);
    assert_int_equal(t.cpu.x[1], 0x600d);
    t.cpu.x[1] = 0;
    assert_false(tvm_run1(&t, 0xf8408801)); /* ldtr x1, [x0, #8] */
    assert_abort(&t, 0, ESR(EC_DABT_SAME, FSC_PERMISSION + 1), DATA + 8);
    assert_int_equal(t.cpu.x[1], 0);
    assert_false(tvm_run1(&t, 0x38001802)); /* sttrb w2, [x0, #1] */
    assert_abort(&t, 0, ESR(EC_DABT_SAME, WNR | (FSC_PERMISSION + 1)), DATA + 1);
    tvm_free(&t);
}

static void load_from_unmapped_pa_aborts(void **state)
{
    TestVm t;
    tvm_init(&t);
    t.cpu.x[0] = 0x10000000; /* no RAM, no device */
    t.cpu.x[1] = 0x1234;
    /* Synchronous external abort, no instruction syndrome for an abort taken
     * to EL1 (as QEMU reports: ESR 0x96000010). */
    uint32_t seq[] = {0xd503201f, 0xf9400401 /* ldr x1, [x0, #8] */};
    assert_false(tvm_run(&t, seq, 2));
    assert_abort(&t, 1, 0x96000010, 0x10000008);
    assert_int_equal(t.cpu.x[1], 0x1234);

    /* A store with writeback: WnR, base unchanged. */
    t.cpu.x[2] = 0x10000010;
    assert_false(tvm_run1(&t, 0xb81f0c41)); /* str w1, [x2, #-16]! */
    assert_abort(&t, 0, 0x96000050, 0x10000000);
    assert_int_equal(t.cpu.x[2], 0x10000010);

    /* From EL0: the lower-EL class. */
    cpu_set_pstate(&t.cpu, 0);
    assert_false(tvm_run1(&t, 0x39c0001f)); /* ldrsb wzr, [x0] */
    assert_int_equal(t.cpu.last_exc.esr, 0x92000010);
    assert_int_equal(t.cpu.last_exc.far, 0x10000000);
    tvm_free(&t);
}

static void pair_fault_on_second_element(void **state)
{
    TestVm t;
    tvm_init(&t);
    /* The last 8 bytes of RAM, then nothing. */
    uint64_t end = TVM_RAM + (16u << 20);
    t.cpu.x[0] = end - 8;
    t.cpu.x[1] = 0x1111;
    t.cpu.x[2] = 0x2222;
    assert_false(tvm_run1(&t, 0xa9400801)); /* ldp x1, x2, [x0] */
    assert_abort(&t, 0, ESR(EC_DABT_SAME, FSC_EXTERNAL), end);
    assert_int_equal(t.cpu.x[1], 0x1111); /* no register written */
    assert_int_equal(t.cpu.x[2], 0x2222);
    tvm_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unsigned_offset_loads_extend),
        cmocka_unit_test(stores_sizes_and_xzr),
        cmocka_unit_test(unscaled_negative_offsets),
        cmocka_unit_test(pre_and_post_index_writeback),
        cmocka_unit_test(writeback_with_rt_equal_rn),
        cmocka_unit_test(register_offset_extends),
        cmocka_unit_test(literal_loads),
        cmocka_unit_test(literal_load_backwards),
        cmocka_unit_test(unprivileged_at_el1),
        cmocka_unit_test(prefetch_is_nop),
        cmocka_unit_test(unallocated_forms_are_undefined),
        cmocka_unit_test(gpr_pairs),
        cmocka_unit_test(pair_crossing_pages_and_sp),
        cmocka_unit_test(fp_pairs),
        cmocka_unit_test(fp_loads_zero_upper_bits),
        cmocka_unit_test(fp_load_traps_when_fp_disabled),
        cmocka_unit_test(exclusive_pair_succeeds_then_fails),
        cmocka_unit_test(exclusive_fails_on_clrex_size_and_address),
        cmocka_unit_test(exclusive_pairs),
        cmocka_unit_test(exclusive_status_register_overlap),
        cmocka_unit_test(acquire_release),
        cmocka_unit_test(unaligned_exclusive_faults),
        cmocka_unit_test(unprivileged_checks_el0_permissions),
        cmocka_unit_test(load_from_unmapped_pa_aborts),
        cmocka_unit_test(pair_fault_on_second_element),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
