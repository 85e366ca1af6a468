/* AdvSIMD copy, modified immediate, permute, EXT, TBL/TBX and the structure
 * loads/stores. Every expected value was obtained by running the same
 * instruction on the same initial state under qemu-aarch64 -cpu cortex-a53.
 *
 * Initial state for each case: byte i of Vn is (16 * n + i) & 0xff, Xn is
 * 0x1000 + n, and the 256 bytes at MEM are 0x80, 0x81, ... (MEM is 128 bytes
 * below a page boundary, so wide accesses near MEM + 0x80 cross pages). */
#include "unit/tvm.h"

#include "mmu/mmu.h"

#define MEM 0x40800F80ull

static void reset_state(TestVm *t)
{
    for (unsigned n = 0; n < 32; n++)
        for (unsigned i = 0; i < 16; i++)
            t->cpu.v[n].b[i] = (uint8_t)(16 * n + i);
    for (unsigned n = 0; n < 31; n++)
        t->cpu.x[n] = 0x1000 + n;
    uint8_t *m = tvm_ptr(t, MEM);
    for (unsigned i = 0; i < 256; i++)
        m[i] = (uint8_t)(0x80 + i);
}

static TestVm *vm_new(void)
{
    TestVm *t = test_malloc(sizeof *t);
    tvm_init(t);
    reset_state(t);
    return t;
}

static void vm_del(TestVm *t)
{
    tvm_free(t);
    test_free(t);
}

/* Run one instruction from the initial state; it must complete. */
static void run(TestVm *t, uint32_t insn)
{
    assert_true(tvm_run1(t, insn));
}

/* Run one instruction from the initial state; it must be UNDEFINED. */
static void undefined(TestVm *t, uint32_t insn)
{
    reset_state(t);
    assert_false(tvm_run1(t, insn));
    assert_int_equal(t->cpu.last_exc.esr, ESR(EC_UNKNOWN, 0));
    cpu_set_pstate(&t->cpu, 0x3c5);
}

static uint64_t mem64(TestVm *t, uint64_t off)
{
    uint64_t v;
    memcpy(&v, tvm_ptr(t, MEM + off), 8);
    return v;
}

#define V(n, lo, hi)                                                               \
    do {                                                                           \
        assert_int_equal(t->cpu.v[n].d[0], (uint64_t)(lo));                        \
        assert_int_equal(t->cpu.v[n].d[1], (uint64_t)(hi));                        \
    } while (0)

/* ---- copy ---- */

static void dup_element_general_and_scalar(void **state)
{
    TestVm *t = vm_new();
    run(t, 0x4e160441); /* dup v1.8h, v2.h[5] */
    V(1, 0x2b2a2b2a2b2a2b2a, 0x2b2a2b2a2b2a2b2a);
    t->cpu.x[4] = 0xdeadbeefcafef00d;
    run(t, 0x0e040c83); /* dup v3.2s, w4: upper half cleared */
    V(3, 0xcafef00dcafef00d, 0);
    t->cpu.x[6] = 0x0123456789abcdef;
    run(t, 0x4e080cc5); /* dup v5.2d, x6 */
    V(5, 0x0123456789abcdef, 0x0123456789abcdef);
    run(t, 0x5e1f0507); /* mov b7, v8.b[15] */
    V(7, 0x8f, 0);
    run(t, 0x5e1805cd); /* mov d13, v14.d[1] */
    V(13, 0xefeeedecebeae9e8, 0);
    reset_state(t);
    run(t, 0x0e0f0420); /* dup v0.8b, v1.b[7] */
    V(0, 0x1717171717171717, 0);
    vm_del(t);
}

static void ins_umov_smov(void **state)
{
    TestVm *t = vm_new();
    t->cpu.x[2] = 0xffffffff11223344;
    run(t, 0x4e141c41); /* mov v1.s[2], w2: other lanes kept */
    V(1, 0x1716151413121110, 0x1f1e1d1c11223344);
    run(t, 0x6e1f1c83); /* mov v3.b[15], v4.b[3] */
    V(3, 0x3736353433323130, 0x433e3d3c3b3a3938);
    run(t, 0x0e1e3cc5); /* umov w5, v6.h[7] */
    assert_int_equal(t->cpu.x[5], 0x6f6e);
    run(t, 0x4e183d07); /* mov x7, v8.d[1] */
    assert_int_equal(t->cpu.x[7], 0x8f8e8d8c8b8a8988);
    run(t, 0x4e032d49); /* smov x9, v10.b[1] */
    assert_int_equal(t->cpu.x[9], 0xffffffffffffffa1);
    run(t, 0x0e022d8b); /* smov w11, v12.h[0]: upper 32 bits zero */
    assert_int_equal(t->cpu.x[11], 0xffffc1c0);
    run(t, 0x4e1c2e0f); /* smov x15, v16.s[3] */
    assert_int_equal(t->cpu.x[15], 0x0f0e0d0c);
    vm_del(t);
}

/* ---- modified immediate ---- */

static void movi_mvni_fmov_variants(void **state)
{
    TestVm *t = vm_new();
    run(t, 0x4f056560); /* movi v0.4s, #0xab, lsl #24 */
    V(0, 0xab000000ab000000, 0xab000000ab000000);
    run(t, 0x4f00a641); /* movi v1.8h, #0x12, lsl #8 */
    V(1, 0x1200120012001200, 0x1200120012001200);
    run(t, 0x0f01d682); /* movi v2.2s, #0x34, msl #16 */
    V(2, 0x0034ffff0034ffff, 0);
    run(t, 0x4f06e5a3); /* movi v3.16b, #0xcd */
    V(3, 0xcdcdcdcdcdcdcdcd, 0xcdcdcdcdcdcdcdcd);
    run(t, 0x2f05e4a4); /* movi d4, #0xff00ff0000ff00ff */
    V(4, 0xff00ff0000ff00ff, 0);
    run(t, 0x6f04e465); /* movi v5.2d, #0xff0000000000ffff */
    V(5, 0xff0000000000ffff, 0xff0000000000ffff);
    run(t, 0x2f02a746); /* mvni v6.4h, #0x5a, lsl #8 */
    V(6, 0xa5ffa5ffa5ffa5ff, 0);
    run(t, 0x6f00c647); /* mvni v7.4s, #0x12, msl #8 */
    V(7, 0xffffed00ffffed00, 0xffffed00ffffed00);
    run(t, 0x4f07f708); /* fmov v8.4s, #-1.5 */
    V(8, 0xbfc00000bfc00000, 0xbfc00000bfc00000);
    run(t, 0x6f02f609); /* fmov v9.2d, #0.25 */
    V(9, 0x3fd0000000000000, 0x3fd0000000000000);
    run(t, 0x0f01f7ea); /* fmov v10.2s, #31.0 */
    V(10, 0x41f8000041f80000, 0);
    vm_del(t);
}

static void orr_bic_immediate(void **state)
{
    TestVm *t = vm_new();
    run(t, 0x4f02542b); /* orr v11.4s, #0x41, lsl #16 */
    V(11, 0xb7f7b5b4b3f3b1b0, 0xbfffbdbcbbfbb9b8);
    run(t, 0x6f0797ec); /* bic v12.8h, #0xff */
    V(12, 0xc700c500c300c100, 0xcf00cd00cb00c900);
    run(t, 0x0f00142d); /* orr v13.2s, #0x1: 64-bit result clears the top */
    V(13, 0xd7d6d5d5d3d2d1d1, 0);
    run(t, 0x2f00346e); /* bic v14.2s, #0x3, lsl #8 */
    V(14, 0xe7e6e4e4e3e2e0e0, 0);
    vm_del(t);
}

/* ---- permute, extract ---- */

static void zip_uzp_trn(void **state)
{
    TestVm *t = vm_new();
    run(t, 0x4e023820); /* zip1 v0.16b, v1.16b, v2.16b */
    V(0, 0x2313221221112010, 0x2717261625152414);
    run(t, 0x4e857883); /* zip2 v3.4s, v4.4s, v5.4s */
    V(3, 0x5b5a59584b4a4948, 0x5f5e5d5c4f4e4d4c);
    reset_state(t);
    run(t, 0x4e4618a4); /* uzp1 v4.8h, v5.8h, v6.8h */
    V(4, 0x5d5c595855545150, 0x6d6c696865646160);
    run(t, 0x4ec758c5); /* uzp2 v5.2d, v6.2d, v7.2d */
    V(5, 0x6f6e6d6c6b6a6968, 0x7f7e7d7c7b7a7978);
    reset_state(t);
    run(t, 0x0e0828e6); /* trn1 v6.8b, v7.8b, v8.8b */
    V(6, 0x8676847482728070, 0);
    run(t, 0x0e496907); /* trn2 v7.4h, v8.4h, v9.4h */
    V(7, 0x9796878693928382, 0);
    reset_state(t);
    run(t, 0x0e897908); /* zip2 v8.2s, v8.2s, v9.2s (Vd is a source) */
    V(8, 0x9796959487868584, 0);
    vm_del(t);
}

static void ext_positions(void **state)
{
    TestVm *t = vm_new();
    run(t, 0x6e021820); /* ext v0.16b, v1.16b, v2.16b, #3 */
    V(0, 0x1a19181716151413, 0x2221201f1e1d1c1b);
    run(t, 0x2e053883); /* ext v3.8b, v4.8b, v5.8b, #7 */
    V(3, 0x5655545352515047, 0);
    run(t, 0x6e0800e6); /* ext v6.16b, v7.16b, v8.16b, #0 */
    V(6, 0x7776757473727170, 0x7f7e7d7c7b7a7978);
    run(t, 0x2e0b0149); /* ext v9.8b, v10.8b, v11.8b, #0 */
    V(9, 0xa7a6a5a4a3a2a1a0, 0);
    vm_del(t);
}

/* ---- table lookup ---- */

static void tbl_tbx(void **state)
{
    TestVm *t = vm_new();
    t->cpu.v[2].d[0] = 0x0f10ff0001020304, t->cpu.v[2].d[1] = 0x0506070809800a0b;
    run(t, 0x4e020020); /* tbl v0.16b, {v1.16b}, v2.16b: out of range -> 0 */
    V(0, 0x1f00001011121314, 0x1516171819001a1b);

    reset_state(t);
    t->cpu.v[6].d[0] = 0x1f20ff0010111213, t->cpu.v[6].d[1] = 0x0506070809800a0b;
    run(t, 0x4e063083); /* tbx v3.16b, {v4.16b, v5.16b}, v6.16b: out of range kept */
    V(3, 0x5f36354050515253, 0x45464748493a4a4b);

    reset_state(t);
    t->cpu.v[8].d[0] = 0x3f40ff0020211011, t->cpu.v[8].d[1] = 0x0102030405060708;
    run(t, 0x0e0863c7); /* tbl v7.8b, {v30.16b, v31.16b, v0.16b, v1.16b}, v8.8b (wraps) */
    V(7, 0x1f0000e00001f0f1, 0);

    reset_state(t);
    t->cpu.v[13].d[0] = 0x2f30ff0020211011, t->cpu.v[13].d[1] = 0x0102030405060708;
    run(t, 0x0e0d5149); /* tbx v9.8b, {v10.16b-v12.16b}, v13.8b: top half cleared */
    V(9, 0xcf9695a0c0c1b0b1, 0);

    reset_state(t);
    t->cpu.v[14].d[0] = 0x0001020304050607, t->cpu.v[14].d[1] = 0x08090a0b0c0d0e10;
    run(t, 0x4e0e11ce); /* tbx v14.16b, {v14.16b}, v14.16b */
    V(14, 0x0706050403020100, 0x100e0d0c0b0a0910);
    vm_del(t);
}

/* ---- structure loads and stores ---- */

static void ld1_st1_multiple(void **state)
{
    TestVm *t = vm_new();
    t->cpu.x[1] = MEM;
    run(t, 0x4cdf2020); /* ld1 {v0.16b-v3.16b}, [x1], #64 */
    assert_int_equal(t->cpu.x[1], MEM + 64);
    V(0, 0x8786858483828180, 0x8f8e8d8c8b8a8988);
    V(1, 0x9796959493929190, 0x9f9e9d9c9b9a9998);
    V(2, 0xa7a6a5a4a3a2a1a0, 0xafaeadacabaaa9a8);
    V(3, 0xb7b6b5b4b3b2b1b0, 0xbfbebdbcbbbab9b8);

    reset_state(t);
    t->cpu.x[1] = MEM + 0x10;
    run(t, 0x4c406c3e); /* ld1 {v30.2d, v31.2d, v0.2d}, [x1]: list wraps to v0 */
    assert_int_equal(t->cpu.x[1], MEM + 0x10);
    V(30, 0x9796959493929190, 0x9f9e9d9c9b9a9998);
    V(31, 0xa7a6a5a4a3a2a1a0, 0xafaeadacabaaa9a8);
    V(0, 0xb7b6b5b4b3b2b1b0, 0xbfbebdbcbbbab9b8);

    reset_state(t);
    t->cpu.x[1] = MEM + 3, t->cpu.x[2] = (uint64_t)-3;
    run(t, 0x0cc27424); /* ld1 {v4.4h}, [x1], x2 */
    assert_int_equal(t->cpu.x[1], MEM);
    V(4, 0x8a89888786858483, 0);

    reset_state(t);
    t->cpu.x[2] = MEM + 8, t->cpu.x[3] = 0x20;
    run(t, 0x0c83a044); /* st1 {v4.8b, v5.8b}, [x2], x3 */
    assert_int_equal(t->cpu.x[2], MEM + 0x28);
    assert_int_equal(mem64(t, 0), 0x8786858483828180);
    assert_int_equal(mem64(t, 8), 0x4746454443424140);
    assert_int_equal(mem64(t, 0x10), 0x5756555453525150);
    assert_int_equal(mem64(t, 0x18), 0x9f9e9d9c9b9a9998);

    reset_state(t);
    t->cpu.x[2] = MEM;
    run(t, 0x4c00a85f); /* st1 {v31.4s, v0.4s}, [x2] */
    assert_int_equal(mem64(t, 0), 0xf7f6f5f4f3f2f1f0);
    assert_int_equal(mem64(t, 8), 0xfffefdfcfbfaf9f8);
    assert_int_equal(mem64(t, 0x10), 0x0706050403020100);
    assert_int_equal(mem64(t, 0x18), 0x0f0e0d0c0b0a0908);
    vm_del(t);
}

static void ld1_st1_across_a_page(void **state)
{
    TestVm *t = vm_new();
    t->cpu.x[1] = MEM + 0x78;
    run(t, 0x4c40ac20); /* ld1 {v0.2d, v1.2d}, [x1] */
    V(0, 0xfffefdfcfbfaf9f8, 0x0706050403020100);
    V(1, 0x0f0e0d0c0b0a0908, 0x1716151413121110);

    reset_state(t);
    t->cpu.x[1] = MEM + 0x79;
    run(t, 0x4c007020); /* st1 {v0.16b}, [x1] */
    assert_int_equal(mem64(t, 0x78), 0x06050403020100f8);
    assert_int_equal(mem64(t, 0x80), 0x0e0d0c0b0a090807);
    assert_int_equal(mem64(t, 0x88), 0x0f0e0d0c0b0a090f);
    vm_del(t);
}

static void ld1_st1_sp_base(void **state)
{
    TestVm *t = vm_new();
    t->cpu.x[REG_SP] = MEM;
    run(t, 0x0cdf7fe6); /* ld1 {v6.1d}, [sp], #8 */
    V(6, 0x8786858483828180, 0);
    assert_int_equal(t->cpu.x[REG_SP], MEM + 8);
    run(t, 0x4c0073ff); /* st1 {v31.16b}, [sp] */
    assert_int_equal(mem64(t, 8), 0xf7f6f5f4f3f2f1f0);
    assert_int_equal(mem64(t, 16), 0xfffefdfcfbfaf9f8);
    vm_del(t);
}

static void ld2_ld3_ld4_st2_st3_st4(void **state)
{
    TestVm *t = vm_new();
    t->cpu.x[1] = MEM;
    run(t, 0x4c408420); /* ld2 {v0.8h, v1.8h}, [x1] */
    V(0, 0x8d8c898885848180, 0x9d9c999895949190);
    V(1, 0x8f8e8b8a87868382, 0x9f9e9b9a97969392);

    reset_state(t);
    t->cpu.x[1] = MEM + 4;
    run(t, 0x4cdf4822); /* ld3 {v2.4s-v4.4s}, [x1], #48 */
    assert_int_equal(t->cpu.x[1], MEM + 4 + 48);
    V(2, 0x9392919087868584, 0xabaaa9a89f9e9d9c);
    V(3, 0x979695948b8a8988, 0xafaeadaca3a2a1a0);
    V(4, 0x9b9a99988f8e8d8c, 0xb3b2b1b0a7a6a5a4);

    reset_state(t);
    t->cpu.x[1] = MEM, t->cpu.x[2] = 1;
    run(t, 0x0cc20025); /* ld4 {v5.8b-v8.8b}, [x1], x2 */
    assert_int_equal(t->cpu.x[1], MEM + 1);
    V(5, 0x9c9894908c888480, 0);
    V(6, 0x9d9995918d898581, 0);
    V(7, 0x9e9a96928e8a8682, 0);
    V(8, 0x9f9b97938f8b8783, 0);

    reset_state(t);
    t->cpu.x[1] = MEM;
    run(t, 0x4c008c3e); /* st2 {v30.2d, v31.2d}, [x1] */
    assert_int_equal(mem64(t, 0), 0xe7e6e5e4e3e2e1e0);
    assert_int_equal(mem64(t, 8), 0xf7f6f5f4f3f2f1f0);
    assert_int_equal(mem64(t, 0x10), 0xefeeedecebeae9e8);
    assert_int_equal(mem64(t, 0x18), 0xfffefdfcfbfaf9f8);

    reset_state(t);
    t->cpu.x[1] = MEM;
    run(t, 0x4c9f4822); /* st3 {v2.4s-v4.4s}, [x1], #48 */
    assert_int_equal(t->cpu.x[1], MEM + 48);
    assert_int_equal(mem64(t, 0), 0x3332313023222120);
    assert_int_equal(mem64(t, 0x18), 0x3b3a39382b2a2928);
    assert_int_equal(mem64(t, 0x28), 0x4f4e4d4c3f3e3d3c);
    assert_int_equal(mem64(t, 0x30), 0xb7b6b5b4b3b2b1b0);

    reset_state(t);
    t->cpu.x[1] = MEM;
    run(t, 0x0c000025); /* st4 {v5.8b-v8.8b}, [x1] */
    assert_int_equal(mem64(t, 0), 0x8171615180706050);
    assert_int_equal(mem64(t, 0x18), 0x8777675786766656);
    assert_int_equal(mem64(t, 0x20), 0xa7a6a5a4a3a2a1a0);
    vm_del(t);
}

static void single_lane_loads_stores(void **state)
{
    TestVm *t = vm_new();
    t->cpu.x[1] = MEM + 5;
    run(t, 0x4d409020); /* ld1 {v0.s}[3], [x1]: other lanes kept */
    V(0, 0x0706050403020100, 0x888786850b0a0908);
    assert_int_equal(t->cpu.x[1], MEM + 5);

    reset_state(t);
    t->cpu.x[1] = MEM;
    run(t, 0x4d9f8422); /* st1 {v2.d}[1], [x1], #8 */
    assert_int_equal(t->cpu.x[1], MEM + 8);
    assert_int_equal(mem64(t, 0), 0x2f2e2d2c2b2a2928);
    assert_int_equal(mem64(t, 8), 0x8f8e8d8c8b8a8988);

    reset_state(t);
    t->cpu.x[1] = MEM, t->cpu.x[4] = 0x100;
    run(t, 0x4dc40423); /* ld1 {v3.b}[9], [x1], x4 */
    assert_int_equal(t->cpu.x[1], MEM + 0x100);
    V(3, 0x3736353433323130, 0x3f3e3d3c3b3a8038);

    reset_state(t);
    t->cpu.x[1] = MEM, t->cpu.x[2] = 6;
    run(t, 0x4dc26824); /* ld3 {v4.h, v5.h, v6.h}[5], [x1], x2 */
    assert_int_equal(t->cpu.x[1], MEM + 6);
    V(4, 0x4746454443424140, 0x4f4e4d4c81804948);
    V(5, 0x5756555453525150, 0x5f5e5d5c83825958);
    V(6, 0x6766656463626160, 0x6f6e6d6c85846968);

    reset_state(t);
    t->cpu.x[3] = MEM;
    run(t, 0x4dbf3c67); /* st4 {v7.b-v10.b}[15], [x3], #4 */
    assert_int_equal(t->cpu.x[3], MEM + 4);
    assert_int_equal(mem64(t, 0), 0x87868584af9f8f7f);

    reset_state(t);
    t->cpu.x[1] = MEM;
    run(t, 0x4d60843f); /* ld2 {v31.d, v0.d}[1], [x1] (wraps) */
    V(31, 0xf7f6f5f4f3f2f1f0, 0x8786858483828180);
    V(0, 0x0706050403020100, 0x8f8e8d8c8b8a8988);
    vm_del(t);
}

static void load_and_replicate(void **state)
{
    TestVm *t = vm_new();
    t->cpu.x[1] = MEM;
    run(t, 0x4ddfc420); /* ld1r {v0.8h}, [x1], #2 */
    assert_int_equal(t->cpu.x[1], MEM + 2);
    V(0, 0x8180818081808180, 0x8180818081808180);

    reset_state(t);
    t->cpu.x[1] = MEM + 1;
    run(t, 0x0d40c821); /* ld1r {v1.2s}, [x1] */
    V(1, 0x8483828184838281, 0);

    reset_state(t);
    t->cpu.x[1] = MEM;
    run(t, 0x4d60e822); /* ld4r {v2.4s-v5.4s}, [x1] */
    V(2, 0x8382818083828180, 0x8382818083828180);
    V(5, 0x8f8e8d8c8f8e8d8c, 0x8f8e8d8c8f8e8d8c);

    reset_state(t);
    t->cpu.x[1] = MEM;
    run(t, 0x0dffc03f); /* ld2r {v31.8b, v0.8b}, [x1], #2 */
    assert_int_equal(t->cpu.x[1], MEM + 2);
    V(31, 0x8080808080808080, 0);
    V(0, 0x8181818181818181, 0);

    reset_state(t);
    t->cpu.x[1] = MEM, t->cpu.x[2] = 5;
    run(t, 0x0dc2ec26); /* ld3r {v6.1d-v8.1d}, [x1], x2 */
    assert_int_equal(t->cpu.x[1], MEM + 5);
    V(6, 0x8786858483828180, 0);
    V(8, 0x9796959493929190, 0);
    vm_del(t);
}

/* ---- reserved encodings, traps, faults ---- */

static void reserved_encodings_are_undefined(void **state)
{
    static const uint32_t insns[] = {
        0x0c408c20, /* ld2 {v0.1d, v1.1d}: size 3 with Q=0 */
        0x4c417020, /* ld1 no-offset form with Rm != 0 */
        0x0d00c821, /* st1r */
        0x0d404420, /* ld1 {v0.h}[..] with size<0> = 1 */
        0x0d409420, /* ld1 {v0.d}[..] with S = 1 */
        0xcc407020, /* bit 31 set in the structure space */
        0x0e1804c5, /* dup v5.1d, v6.d[1] */
        0x0e080cc5, /* dup v5.1d, x6 */
        0x0e183d07, /* umov to W of a D element */
        0x0e1c2e0f, /* smov w, v.s[] */
        0x0e141c41, /* ins (general) with Q=0 */
        0x7e010420, /* scalar copy with op=1 */
        0x5e010c20, /* scalar copy with imm4 != 0 */
        0x0f00fc00, /* fmov v0.4h, #2.0: FEAT_FP16 */
        0x2f02f609, /* fmov (double) with Q=0 */
        0x2e054083, /* ext .8b with index 8 */
        0x4e020820, /* permute opcode 000 */
        0x4e420020, /* tbl with op2 != 0 */
    };
    TestVm *t = vm_new();
    for (size_t i = 0; i < sizeof insns / sizeof insns[0]; i++)
        undefined(t, insns[i]);
    vm_del(t);
}

static void fp_disabled_traps(void **state)
{
    TestVm *t = vm_new();
    t->cpu.sr.cpacr = 0;
    cpu_set_pstate(&t->cpu, cpu_get_pstate(&t->cpu));
    t->cpu.x[1] = MEM;
    assert_false(tvm_run1(t, 0x4cdf7020)); /* ld1 {v0.16b}, [x1], #16 */
    assert_int_equal(t->cpu.last_exc.esr >> 26, EC_FP_ACCESS);
    assert_int_equal(t->cpu.x[1], MEM);
    assert_false(tvm_run1(t, 0x4e160441)); /* dup v1.8h, v2.h[5] */
    assert_int_equal(t->cpu.last_exc.esr >> 26, EC_FP_ACCESS);
    assert_false(tvm_run1(t, 0x0e1e3cc5)); /* umov w5, v6.h[7] */
    assert_int_equal(t->cpu.last_exc.esr >> 26, EC_FP_ACCESS);
    assert_int_equal(t->cpu.x[5], 0x1005);
    vm_del(t);
}

static void fault_leaves_base_register(void **state)
{
    TestVm *t = vm_new();
    t->cpu.x[1] = 0x50000000; /* no RAM or device */
    assert_false(tvm_run1(t, 0x4cdf7020)); /* ld1 {v0.16b}, [x1], #16 */
    assert_int_equal(t->cpu.last_exc.esr >> 26, EC_DABT_SAME);
    assert_int_equal(t->cpu.last_exc.far, 0x50000000);
    assert_int_equal(t->cpu.x[1], 0x50000000);

    /* A store that runs off the end of RAM faults at the first missing byte. */
    cpu_set_pstate(&t->cpu, 0x3c5);
    t->cpu.x[1] = TVM_RAM + (16u << 20) - 16;
    assert_false(tvm_run1(t, 0x4c9fa020)); /* st1 {v0.16b, v1.16b}, [x1], #32 */
    assert_int_equal(t->cpu.last_exc.esr >> 26, EC_DABT_SAME);
    assert_int_equal(t->cpu.last_exc.far, TVM_RAM + (16u << 20));
    assert_true(t->cpu.last_exc.esr & (1u << 6)); /* WnR */
    assert_int_equal(t->cpu.x[1], TVM_RAM + (16u << 20) - 16);
    vm_del(t);
}

static void alignment_checks_use_the_element_size(void **state)
{
    TestVm *t = vm_new();
    t->cpu.sr.sctlr |= 2; /* SCTLR_EL1.A */
    mmu_flush_all(&t->cpu);
    t->cpu.x[1] = MEM + 1;
    run(t, 0x4c407020); /* ld1 {v0.16b}, [x1]: byte elements, no fault */
    V(0, 0x8887868584838281, 0x908f8e8d8c8b8a89);
    t->cpu.x[1] = MEM + 2;
    assert_false(tvm_run1(t, 0x4c407820)); /* ld1 {v0.4s}, [x1] */
    assert_int_equal(t->cpu.last_exc.esr & 0x3f, FSC_ALIGNMENT);
    assert_int_equal(t->cpu.last_exc.far, MEM + 2);
    vm_del(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dup_element_general_and_scalar),
        cmocka_unit_test(ins_umov_smov),
        cmocka_unit_test(movi_mvni_fmov_variants),
        cmocka_unit_test(orr_bic_immediate),
        cmocka_unit_test(zip_uzp_trn),
        cmocka_unit_test(ext_positions),
        cmocka_unit_test(tbl_tbx),
        cmocka_unit_test(ld1_st1_multiple),
        cmocka_unit_test(ld1_st1_across_a_page),
        cmocka_unit_test(ld1_st1_sp_base),
        cmocka_unit_test(ld2_ld3_ld4_st2_st3_st4),
        cmocka_unit_test(single_lane_loads_stores),
        cmocka_unit_test(load_and_replicate),
        cmocka_unit_test(reserved_encodings_are_undefined),
        cmocka_unit_test(fp_disabled_traps),
        cmocka_unit_test(fault_leaves_base_register),
        cmocka_unit_test(alignment_checks_use_the_element_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
