/* Scalar and AdvSIMD floating point. Every expected value (result bits, FPSR
 * flags, NZCV) was produced by running the same instruction on the same
 * inputs under qemu-aarch64 -cpu cortex-a53. */
#include <stdlib.h>

#include "unit/tvm.h"

#include "cpu/fpu.h"

#define RN 0u
#define RP (1u << 22)
#define RM (2u << 22)
#define RZ (3u << 22)
#define FZ (1u << 24)
#define DN (1u << 25)
#define AHP (1u << 26)

#define IOC FPSR_IOC
#define DZC FPSR_DZC
#define OFC FPSR_OFC
#define UFC FPSR_UFC
#define IXC FPSR_IXC
#define IDC FPSR_IDC


/* Load v1..v3 (low 64 bits; high set to a marker that scalar ops must clear
 * in Vd), run `insn` with `fpcr`, FPSR starting at 0. */
static void run_fp(TestVm *t, uint32_t insn, uint32_t fpcr, uint64_t v1, uint64_t v2, uint64_t v3)
{
    Cpu *c = &t->cpu;
    c->v[0].d[0] = 0x1111111111111111ull;
    c->v[0].d[1] = 0x2222222222222222ull;
    c->v[1].d[0] = v1;
    c->v[2].d[0] = v2;
    c->v[3].d[0] = v3;
    c->v[1].d[1] = c->v[2].d[1] = c->v[3].d[1] = 0;
    c->fpcr = fpcr;
    c->fpsr = 0;
    assert_true(tvm_run1(t, insn));
}

static void vset(TestVm *t, int r, uint64_t hi, uint64_t lo)
{
    t->cpu.v[r].d[0] = lo;
    t->cpu.v[r].d[1] = hi;
}

#define EXPECT_V0(lo) do { assert_int_equal(t->cpu.v[0].d[0], (lo)); assert_int_equal(t->cpu.v[0].d[1], 0); } while (0)
#define EXPECT_FPSR(f) assert_int_equal(t->cpu.fpsr, (f))

/* ---- rounding ---- */

static void rounding_modes_add_and_div(void **state)
{
    TestVm *t = *state;
    /* fadd d0, d1, d2: 1.0 + 2^-60 */
    run_fp(t, 0x1e622820, RP, 0x3ff0000000000000, 0x3c30000000000000, 0);
    EXPECT_V0(0x3ff0000000000001);
    EXPECT_FPSR(IXC);
    run_fp(t, 0x1e622820, RN, 0x3ff0000000000000, 0x3c30000000000000, 0);
    EXPECT_V0(0x3ff0000000000000);
    EXPECT_FPSR(IXC);
    /* 1.0 - 2^-60 toward minus infinity and toward zero */
    run_fp(t, 0x1e622820, RM, 0x3ff0000000000000, 0xbc30000000000000, 0);
    EXPECT_V0(0x3fefffffffffffff);
    run_fp(t, 0x1e622820, RZ, 0x3ff0000000000000, 0xbc30000000000000, 0);
    EXPECT_V0(0x3fefffffffffffff);
    /* fdiv s0, s1, s2: 1/3 */
    run_fp(t, 0x1e221820, RN, 0x3f800000, 0x40400000, 0);
    EXPECT_V0(0x3eaaaaab);
    EXPECT_FPSR(IXC);
    run_fp(t, 0x1e221820, RZ, 0x3f800000, 0x40400000, 0);
    EXPECT_V0(0x3eaaaaaa);
    /* division by zero */
    run_fp(t, 0x1e221820, RN, 0x3f800000, 0, 0);
    EXPECT_V0(0x7f800000);
    EXPECT_FPSR(DZC);
}

static void underflow_is_detected_before_rounding(void **state)
{
    TestVm *t = *state;
    /* fmul s0, s1, s2: (1+2^-23) * (2^-126 - 2^-149) rounds up to the
     * smallest normal but was tiny: Arm raises Underflow (x86 would not). */
    run_fp(t, 0x1e220820, RN, 0x3f800001, 0x007fffff, 0);
    EXPECT_V0(0x00800000);
    EXPECT_FPSR(UFC | IXC);
    /* (1-2^-24) * (2^-126 + 2^-149) is above 2^-126 before rounding */
    run_fp(t, 0x1e220820, RN, 0x3f7fffff, 0x00800001, 0);
    EXPECT_V0(0x00800000);
    EXPECT_FPSR(IXC);
}

/* ---- NaNs ---- */

static void nan_propagation_and_default_nan(void **state)
{
    TestVm *t = *state;
    /* fadd s0, s1, s2: QNaN + SNaN -> the signalling one, quieted */
    run_fp(t, 0x1e222820, RN, 0x7fc00001, 0x7f800002, 0);
    EXPECT_V0(0x7fc00002);
    EXPECT_FPSR(IOC);
    /* two quiet NaNs: the first */
    run_fp(t, 0x1e222820, RN, 0x7fc00001, 0xffc00002, 0);
    EXPECT_V0(0x7fc00001);
    EXPECT_FPSR(0);
    /* inf - inf: the default NaN is positive */
    run_fp(t, 0x1e223820, RN, 0x7f800000, 0x7f800000, 0);
    EXPECT_V0(0x7fc00000);
    EXPECT_FPSR(IOC);
    /* DN: a quiet NaN operand gives the default NaN */
    run_fp(t, 0x1e222820, DN, 0x7fc00001, 0x3f800000, 0);
    EXPECT_V0(0x7fc00000);
    EXPECT_FPSR(0);
    /* fnmul s0, s1, s2: inf * 0 -> negated default NaN */
    run_fp(t, 0x1e228820, RN, 0x7f800000, 0, 0);
    EXPECT_V0(0xffc00000);
    EXPECT_FPSR(IOC);
}

static void fused_multiply_add_nan_order(void **state)
{
    TestVm *t = *state;
    /* fmadd d0, d1, d2, d3 (d3 is the addend). SNaN multiplicand beats a
     * quiet NaN addend. */
    run_fp(t, 0x1f420c20, RN, 0x7ff0000000000002, 0x3ff0000000000000, 0x7ff8000000000003);
    EXPECT_V0(0x7ff8000000000002);
    EXPECT_FPSR(IOC);
    /* quiet NaN addend with inf * 0: default NaN and Invalid */
    run_fp(t, 0x1f420c20, RN, 0x7ff0000000000000, 0, 0x7ff8000000000003);
    EXPECT_V0(0x7ff8000000000000);
    EXPECT_FPSR(IOC);
    /* all quiet: the addend comes first */
    run_fp(t, 0x1f420c20, RN, 0x7ff8000000000001, 0x7ff8000000000002, 0x7ff8000000000003);
    EXPECT_V0(0x7ff8000000000003);
    EXPECT_FPSR(0);
    /* fmsub negates the multiplicand, NaN included */
    run_fp(t, 0x1f428c20, RN, 0x7ff8000000000001, 0x3ff0000000000000, 0x3ff0000000000000);
    EXPECT_V0(0xfff8000000000001);
}

/* ---- flush to zero ---- */

static void flush_to_zero_inputs_and_outputs(void **state)
{
    TestVm *t = *state;
    /* fadd s0, s1, s2: a denormal input is zero under FZ, IDC */
    run_fp(t, 0x1e222820, FZ, 0x00000001, 0x3f800000, 0);
    EXPECT_V0(0x3f800000);
    EXPECT_FPSR(IDC);
    /* fmul s0, s1, s2: 2^-64 * 2^-63 is tiny: zero, UFC without IXC */
    run_fp(t, 0x1e220820, FZ, 0x1f800000, 0x20000000, 0);
    EXPECT_V0(0);
    EXPECT_FPSR(UFC);
    /* the same with FZ=0: the exact denormal, no flags */
    run_fp(t, 0x1e220820, RN, 0x1f800000, 0x20000000, 0);
    EXPECT_V0(0x00400000);
    EXPECT_FPSR(0);
    /* tiny-but-rounds-to-normal is flushed too */
    run_fp(t, 0x1e220820, FZ, 0x3f800001, 0x007fffff, 0);
    EXPECT_V0(0);
    EXPECT_FPSR(IDC);
    /* fcvt s0, d1 of 2^-127 under FZ */
    run_fp(t, 0x1e624020, FZ, 0x3800000000000000, 0, 0);
    EXPECT_V0(0);
    EXPECT_FPSR(UFC);
}

/* ---- min/max and compares ---- */

static void min_max_zeros_and_nans(void **state)
{
    TestVm *t = *state;
    run_fp(t, 0x1e224820, RN, 0x80000000, 0x00000000, 0); /* fmax -0, +0 */
    EXPECT_V0(0x00000000);
    run_fp(t, 0x1e225820, RN, 0x00000000, 0x80000000, 0); /* fmin +0, -0 */
    EXPECT_V0(0x80000000);
    run_fp(t, 0x1e226820, RN, 0x7fc00000, 0x3f800000, 0); /* fmaxnm QNaN, 1 */
    EXPECT_V0(0x3f800000);
    EXPECT_FPSR(0);
    run_fp(t, 0x1e227820, RN, 0x3f800000, 0xff800001, 0); /* fminnm 1, SNaN */
    EXPECT_V0(0xffc00001);
    EXPECT_FPSR(IOC);
}

static void compares_set_nzcv(void **state)
{
    TestVm *t = *state;
    run_fp(t, 0x1e222020, RN, 0x7fc00000, 0x3f800000, 0); /* fcmp QNaN, 1 */
    assert_int_equal(t->cpu.nzcv, NZCV_C | NZCV_V);
    EXPECT_FPSR(0);
    run_fp(t, 0x1e222030, RN, 0x7fc00000, 0x3f800000, 0); /* fcmpe QNaN, 1 */
    assert_int_equal(t->cpu.nzcv, NZCV_C | NZCV_V);
    EXPECT_FPSR(IOC);
    run_fp(t, 0x1e222020, RN, 0xbf800000, 0x3f800000, 0); /* -1 < 1 */
    assert_int_equal(t->cpu.nzcv, NZCV_N);
    run_fp(t, 0x1e222020, RN, 0x80000000, 0x00000000, 0); /* -0 == +0 */
    assert_int_equal(t->cpu.nzcv, NZCV_Z | NZCV_C);
}

/* ---- conversions ---- */

static void float_to_int_saturates(void **state)
{
    TestVm *t = *state;
    Cpu *c = &t->cpu;
    run_fp(t, 0x1e380020, RN, 0x4f32d05e, 0, 0); /* fcvtzs w0, s1: 3e9 */
    assert_int_equal(c->x[0], 0x7fffffff);
    EXPECT_FPSR(IOC);
    run_fp(t, 0x1e380020, RN, 0x7fc00000, 0, 0); /* NaN -> 0 */
    assert_int_equal(c->x[0], 0);
    EXPECT_FPSR(IOC);
    run_fp(t, 0x9e790020, RN, 0xbff8000000000000, 0, 0); /* fcvtzu x0, d1: -1.5 */
    assert_int_equal(c->x[0], 0);
    EXPECT_FPSR(IOC);
    run_fp(t, 0x9e790020, RN, 0xbfe0000000000000, 0, 0); /* -0.5 truncates to 0 */
    assert_int_equal(c->x[0], 0);
    EXPECT_FPSR(IXC);
    run_fp(t, 0x9e600020, RN, 0x4004000000000000, 0, 0); /* fcvtns 2.5 -> 2 */
    assert_int_equal(c->x[0], 2);
    EXPECT_FPSR(IXC);
    run_fp(t, 0x9e640020, RN, 0x4004000000000000, 0, 0); /* fcvtas 2.5 -> 3 */
    assert_int_equal(c->x[0], 3);
    run_fp(t, 0x1e700020, RN, 0xc004000000000000, 0, 0); /* fcvtms w0: -2.5 -> -3 */
    assert_int_equal(c->x[0], 0xfffffffd);
    run_fp(t, 0x9e58d820, RN, 0x3ff8000000000000, 0, 0); /* fcvtzs x0, d1, #10 */
    assert_int_equal(c->x[0], 0x600);
    EXPECT_FPSR(0);
}

static void int_to_float_rounds(void **state)
{
    TestVm *t = *state;
    t->cpu.x[1] = ~0ull;
    run_fp(t, 0x9e230020, RN, 0, 0, 0); /* ucvtf s0, x1 */
    EXPECT_V0(0x5f800000);
    EXPECT_FPSR(IXC);
    t->cpu.x[1] = ~0ull;
    run_fp(t, 0x9e230020, RZ, 0, 0, 0);
    EXPECT_V0(0x5f7fffff);
}

static void half_precision_conversions(void **state)
{
    TestVm *t = *state;
    run_fp(t, 0x1e23c020, RN, 0x477ff000, 0, 0); /* fcvt h0, s1: 65520 overflows */
    EXPECT_V0(0x7c00);
    EXPECT_FPSR(OFC | IXC);
    run_fp(t, 0x1e23c020, AHP, 0x477ff000, 0, 0); /* AHP: 65536 is representable */
    EXPECT_V0(0x7c00);
    EXPECT_FPSR(IXC);
    run_fp(t, 0x1e23c020, AHP, 0x7fc00000, 0, 0); /* AHP: NaN -> 0, Invalid */
    EXPECT_V0(0);
    EXPECT_FPSR(IOC);
    run_fp(t, 0x1ee24020, RN, 0x7c01, 0, 0); /* fcvt s0, h1: SNaN */
    EXPECT_V0(0x7fc02000);
    EXPECT_FPSR(IOC);
    run_fp(t, 0x1ee24020, AHP, 0x7c00, 0, 0); /* AHP: exponent 31 is a number */
    EXPECT_V0(0x47800000);
    EXPECT_FPSR(0);
    run_fp(t, 0x1e63c020, FZ, 0x3e70000000000000, 0, 0); /* fcvt h0, d1: half denormal kept */
    EXPECT_V0(0x0001);
    EXPECT_FPSR(0);
    run_fp(t, 0x7e616820, RN, 0x3ff0000010000001, 0, 0); /* fcvtxn s0, d1: round to odd */
    EXPECT_V0(0x3f800001);
    EXPECT_FPSR(IXC);
}

static void fp16_arithmetic_is_undefined(void **state)
{
    TestVm *t = *state;
    assert_false(tvm_run1(t, 0x1ee22820)); /* fadd h0, h1, h2 */
    assert_int_equal(t->cpu.last_exc.esr >> 26, EC_UNKNOWN);
    assert_false(tvm_run1(t, 0x1ee70020)); /* fmov h0, w1 */
    assert_false(tvm_run1(t, 0x4e401400)); /* fadd v0.8h, v0.8h, v0.8h */
}

/* ---- rounding to integral, sqrt ---- */

static void round_to_integral(void **state)
{
    TestVm *t = *state;
    run_fp(t, 0x1e264020, RN, 0xbf000000, 0, 0); /* frinta -0.5 -> -1 */
    EXPECT_V0(0xbf800000);
    EXPECT_FPSR(0);
    run_fp(t, 0x1e274020, RN, 0x3fc00000, 0, 0); /* frintx 1.5 -> 2, IXC */
    EXPECT_V0(0x40000000);
    EXPECT_FPSR(IXC);
    run_fp(t, 0x1e27c020, RP, 0x3fc00000, 0, 0); /* frinti 1.5 in RP */
    EXPECT_V0(0x40000000);
    run_fp(t, 0x1e27c020, RM, 0x3fc00000, 0, 0); /* frinti 1.5 in RM */
    EXPECT_V0(0x3f800000);
    run_fp(t, 0x1e21c020, RN, 0xbf800000, 0, 0); /* fsqrt -1 */
    EXPECT_V0(0x7fc00000);
    EXPECT_FPSR(IOC);
}

/* ---- estimates ---- */

static void reciprocal_estimates(void **state)
{
    TestVm *t = *state;
    run_fp(t, 0x5ea1d820, RN, 0x3f800000, 0, 0); /* frecpe s0, s1: 1.0 */
    EXPECT_V0(0x3f7f8000);
    run_fp(t, 0x5ea1d820, RN, 0x40400000, 0, 0); /* 3.0 */
    EXPECT_V0(0x3eaa8000);
    run_fp(t, 0x5ee1d820, RN, 0x4008000000000000, 0, 0); /* frecpe d0, d1: 3.0 */
    EXPECT_V0(0x3fd5500000000000);
    run_fp(t, 0x5ea1d820, RN, 0x00100000, 0, 0); /* tiny: overflow to inf */
    EXPECT_V0(0x7f800000);
    EXPECT_FPSR(OFC | IXC);
    run_fp(t, 0x5ea1d820, RN, 0, 0, 0); /* zero: inf, DZC */
    EXPECT_V0(0x7f800000);
    EXPECT_FPSR(DZC);
    run_fp(t, 0x7ea1d820, RN, 0x40000000, 0, 0); /* frsqrte s0, s1: 2.0 */
    EXPECT_V0(0x3f348000);
    run_fp(t, 0x7ea1d820, RN, 0x40400000, 0, 0); /* 3.0 */
    EXPECT_V0(0x3f138000);
    run_fp(t, 0x7ee1d820, RN, 0x4010000000000000, 0, 0); /* frsqrte d0, d1: 4.0 */
    EXPECT_V0(0x3fdff00000000000);
    run_fp(t, 0x7ea1d820, RN, 0x00000001, 0, 0); /* smallest denormal */
    EXPECT_V0(0x64b48000);
    run_fp(t, 0x7ea1d820, RN, 0xbf800000, 0, 0); /* negative: default NaN */
    EXPECT_V0(0x7fc00000);
    EXPECT_FPSR(IOC);
    /* Newton-Raphson steps */
    run_fp(t, 0x5e22fc20, RN, 0x40400000, 0x3eaaaaab, 0); /* frecps: 2 - 3 * (1/3) */
    EXPECT_V0(0x3f800000);
    EXPECT_FPSR(IXC);
    run_fp(t, 0x5ee2fc20, RN, 0x7ff0000000000000, 0, 0); /* frsqrts: inf * 0 -> 1.5 */
    EXPECT_V0(0x3ff8000000000000);
    EXPECT_FPSR(0);
    run_fp(t, 0x5ea2fc20, RN, 0x7f000000, 0x7f000000, 0); /* (3 - 2^254) / 2 overflows */
    EXPECT_V0(0xff800000);
    EXPECT_FPSR(OFC | IXC);
}

/* ---- AdvSIMD ---- */

static void vector_add_lanes_and_q0(void **state)
{
    TestVm *t = *state;
    Cpu *c = &t->cpu;
    c->fpcr = c->fpsr = 0;
    vset(t, 1, 0x7f80000040000000, 0x3f80000000000001);
    vset(t, 2, 0xff8000003f800000, 0x3f80000000000001);
    assert_true(tvm_run1(t, 0x4e22d420)); /* fadd v0.4s */
    assert_int_equal(c->v[0].d[0], 0x4000000000000002);
    assert_int_equal(c->v[0].d[1], 0x7fc0000040400000);
    assert_int_equal(c->fpsr, IOC);
    c->fpsr = 0;
    assert_true(tvm_run1(t, 0x0e22d420)); /* fadd v0.2s: upper half cleared */
    assert_int_equal(c->v[0].d[0], 0x4000000000000002);
    assert_int_equal(c->v[0].d[1], 0);
    assert_int_equal(c->fpsr, 0);
}

static void vector_pairwise_across_and_by_element(void **state)
{
    TestVm *t = *state;
    Cpu *c = &t->cpu;
    c->fpcr = c->fpsr = 0;
    vset(t, 1, 0x4040000040000000, 0x3f8000003f800000);
    vset(t, 2, 0xc0800000c0000000, 0xbf80000000000000);
    assert_true(tvm_run1(t, 0x6e22d420)); /* faddp v0.4s */
    assert_int_equal(c->v[0].d[0], 0x40a0000040000000);
    assert_int_equal(c->v[0].d[1], 0xc0c00000bf800000);
    vset(t, 1, 0x7fc0000040000000, 0x3f800000c0000000);
    assert_true(tvm_run1(t, 0x6e30c820)); /* fmaxnmv s0, v1.4s */
    assert_int_equal(c->v[0].d[0], 0x40000000);
    assert_int_equal(c->v[0].d[1], 0);
    vset(t, 0, 0x3f8000003f800000, 0x3f8000003f800000);
    vset(t, 1, 0x4040000040000000, 0x3f80000040800000);
    vset(t, 2, 0x4000000000000000, 0);
    assert_true(tvm_run1(t, 0x4fa21820)); /* fmla v0.4s, v1.4s, v2.s[3] */
    assert_int_equal(c->v[0].d[0], 0x4040000041100000);
    assert_int_equal(c->v[0].d[1], 0x40e0000040a00000);
    vset(t, 1, 0, 0x7ff0000000000000);
    vset(t, 2, 0x8000000000000000, 0);
    assert_true(tvm_run1(t, 0x7fc29820)); /* fmulx d0, d1, v2.d[1]: inf * -0 = -2 */
    assert_int_equal(c->v[0].d[0], 0xc000000000000000);
    assert_int_equal(c->v[0].d[1], 0);
}

static void vector_conversions(void **state)
{
    TestVm *t = *state;
    Cpu *c = &t->cpu;
    c->fpcr = c->fpsr = 0;
    vset(t, 0, 0x1111222233334444, 0x5555666677778888);
    vset(t, 1, 0x3f80000040000000, 0x477ff00000000001);
    assert_true(tvm_run1(t, 0x4e216820)); /* fcvtn2 v0.8h, v1.4s: low half kept */
    assert_int_equal(c->v[0].d[0], 0x5555666677778888);
    assert_int_equal(c->v[0].d[1], 0x3c0040007c000000);
    assert_int_equal(c->fpsr, OFC | UFC | IXC);
    c->fpsr = 0;
    vset(t, 1, 0x3f80000040000000, 0x4040000040800000);
    assert_true(tvm_run1(t, 0x4ea1d820)); /* frecpe v0.4s */
    assert_int_equal(c->v[0].d[0], 0x3eaa80003e7f8000);
    assert_int_equal(c->v[0].d[1], 0x3f7f80003eff8000);
    vset(t, 1, 0x3f80000040000000, 0xbf80000041800000);
    assert_true(tvm_run1(t, 0x6f3cfc20)); /* fcvtzu v0.4s, v1.4s, #4 */
    assert_int_equal(c->v[0].d[0], 0x0000000000000100);
    assert_int_equal(c->v[0].d[1], 0x0000001000000020);
    assert_int_equal(c->fpsr, IOC);
}

/* The inexact flag must follow the guest's FPSR across instructions, also
 * when FPSR is cleared between two inexact operations. */
static void inexact_flag_after_fpsr_clear(void **state)
{
    TestVm *t = *state;
    Cpu *c = &t->cpu;
    c->fpcr = c->fpsr = 0;
    vset(t, 1, 0, 0x3fc00000);  /* 1.5 */
    vset(t, 2, 0, 0x33800000);  /* 2^-24 */
    const uint32_t seq[] = {
        0x1e222820, /* fadd s0, s1, s2: inexact */
        0xd51b443f, /* msr fpsr, xzr */
        0x1e212823, /* fadd s3, s1, s1: exact */
        0xd53b4420, /* mrs x0, fpsr */
        0x1e380024, /* fcvtzs w4, s1: inexact */
        0xd51b443f, /* msr fpsr, xzr */
        0x4e22d420, /* fadd v0.4s, v1.4s, v2.4s: lane 0 inexact */
        0xd53b4421, /* mrs x1, fpsr */
    };
    assert_true(tvm_run(t, seq, sizeof seq / 4));
    assert_int_equal(c->x[0], 0);
    assert_int_equal(c->x[4], 1);
    assert_int_equal(c->x[1], IXC);
    assert_int_equal(c->v[3].s[0], 0x40400000);
}

/* With FPSR.IXC already set the fast path reads no host flags (fpu.h, the
 * quiet path): every other flag must still come from the value. Expected:
 * the flags of the same operation from FPSR 0 (above, and from QEMU),
 * with IXC kept. */
static void run_fp_ixc(TestVm *t, uint32_t insn, uint64_t v1, uint64_t v2, uint64_t v3)
{
    run_fp(t, insn, RN, v1, v2, v3);
    uint32_t from_zero = t->cpu.fpsr;
    uint64_t r = t->cpu.v[0].d[0];
    t->cpu.fpsr = IXC;
    t->cpu.v[1].d[0] = v1, t->cpu.v[2].d[0] = v2, t->cpu.v[3].d[0] = v3;
    assert_true(tvm_run1(t, insn));
    assert_int_equal(t->cpu.v[0].d[0], r);
    assert_int_equal(t->cpu.fpsr, from_zero | IXC);
}

static void flags_exact_when_inexact_already_set(void **state)
{
    TestVm *t = *state;
    /* fmul s: tiny before rounding, rounds to the smallest normal */
    run_fp_ixc(t, 0x1e220820, 0x3f800001, 0x007fffff, 0);
    EXPECT_FPSR(UFC | IXC);
    /* fmul d: 2^-600 * 2^-600 underflows to zero; 0 * 1.5 is exact */
    run_fp_ixc(t, 0x1e620820, 0x1a70000000000000, 0x1a70000000000000, 0);
    EXPECT_FPSR(UFC | IXC);
    EXPECT_V0(0);
    run_fp_ixc(t, 0x1e620820, 0, 0x3ff8000000000000, 0);
    EXPECT_FPSR(IXC);
    /* fmul s: 2^100 * 2^100 overflows; fdiv s: 1 / 0 */
    run_fp_ixc(t, 0x1e220820, 0x71800000, 0x71800000, 0);
    EXPECT_FPSR(OFC | IXC);
    run_fp_ixc(t, 0x1e221820, 0x3f800000, 0, 0);
    EXPECT_FPSR(DZC | IXC);
    /* fsub s: inf - inf; fsqrt s: sqrt(-1) */
    run_fp_ixc(t, 0x1e223820, 0x7f800000, 0x7f800000, 0);
    EXPECT_FPSR(IOC | IXC);
    run_fp_ixc(t, 0x1e21c020, 0xbf800000, 0, 0);
    EXPECT_FPSR(IOC | IXC);
    /* fmadd d: 2^-600 * 2^-600 + 0 underflows; 1.5 * 2 + 1 = 4 is plain */
    run_fp_ixc(t, 0x1f420c20, 0x1a70000000000000, 0x1a70000000000000, 0);
    EXPECT_FPSR(UFC | IXC);
    run_fp_ixc(t, 0x1f420c20, 0x3ff8000000000000, 0x4000000000000000, 0x3ff0000000000000);
    EXPECT_V0(0x4010000000000000);
    EXPECT_FPSR(IXC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(rounding_modes_add_and_div, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(underflow_is_detected_before_rounding, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(nan_propagation_and_default_nan, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(fused_multiply_add_nan_order, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(flush_to_zero_inputs_and_outputs, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(min_max_zeros_and_nans, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(compares_set_nzcv, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(float_to_int_saturates, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(int_to_float_rounds, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(half_precision_conversions, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(fp16_arithmetic_is_undefined, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(round_to_integral, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(reciprocal_estimates, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(vector_add_lanes_and_q0, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(vector_pairwise_across_and_by_element, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(vector_conversions, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(inexact_flag_after_fpsr_clear, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(flags_exact_when_inexact_already_set, tvm_setup, tvm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
