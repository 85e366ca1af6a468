/* Integer data processing (immediate and register) and branches.
 * Encodings come from aarch64-linux-gnu-as; expected values were checked
 * against qemu-aarch64 -cpu cortex-a53. */
#include <stdlib.h>

#include "unit/tvm.h"

#include "cpu/insn.h"
#include "unit/cond_truth.h"

#define N_ NZCV_N
#define Z_ NZCV_Z
#define C_ NZCV_C
#define V_ NZCV_V


/* Runs one instruction with x1, x2 (and x3) set; returns x0. */
static uint64_t op3(TestVm *t, uint32_t insn, uint64_t x1, uint64_t x2, uint64_t x3)
{
    t->cpu.x[0] = 0xdeadbeefdeadbeefull;
    t->cpu.x[1] = x1;
    t->cpu.x[2] = x2;
    t->cpu.x[3] = x3;
    assert_true(tvm_run1(t, insn));
    return t->cpu.x[0];
}

static uint64_t op2(TestVm *t, uint32_t insn, uint64_t x1, uint64_t x2)
{
    return op3(t, insn, x1, x2, 0);
}

static void expect_undefined(TestVm *t, uint32_t insn)
{
    assert_false(tvm_run1(t, insn));
    assert_int_equal(t->cpu.last_exc.esr, ESR(EC_UNKNOWN, 0));
    assert_int_equal(t->cpu.last_exc.elr, TVM_CODE);
}

/* ---------------------------------------------------------------- flags ---- */

static void adds_flags(void **state)
{
    TestVm *t = *state;
    const uint32_t adds64 = 0xab020020, adds32 = 0x2b020020; /* adds x0/w0, x1, x2 */
    assert_int_equal(op2(t, adds64, ~0ull, 1), 0);
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
    assert_int_equal(op2(t, adds64, 0x7fffffffffffffffull, 1), 0x8000000000000000ull);
    assert_int_equal(t->cpu.nzcv, N_ | V_);
    assert_int_equal(op2(t, adds64, 0x8000000000000000ull, 0x8000000000000000ull), 0);
    assert_int_equal(t->cpu.nzcv, Z_ | C_ | V_);
    assert_int_equal(op2(t, adds64, 2, 3), 5);
    assert_int_equal(t->cpu.nzcv, 0);
    /* 32-bit: flags from bit 31, upper half of the inputs ignored, result zero-extended. */
    assert_int_equal(op2(t, adds32, 0x12345678ffffffffull, 1), 0);
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
    assert_int_equal(op2(t, adds32, 0x7fffffff, 0xffffffff00000001ull), 0x80000000u);
    assert_int_equal(t->cpu.nzcv, N_ | V_);
}

static void subs_and_cmp_flags(void **state)
{
    TestVm *t = *state;
    const uint32_t subs64 = 0xeb020020, subs32 = 0x6b020020, cmp64 = 0xeb02003f;
    assert_int_equal(op2(t, subs64, 5, 5), 0);
    assert_int_equal(t->cpu.nzcv, Z_ | C_); /* no borrow */
    assert_int_equal(op2(t, subs64, 0, 1), ~0ull);
    assert_int_equal(t->cpu.nzcv, N_);
    assert_int_equal(op2(t, subs64, 0x8000000000000000ull, 1), 0x7fffffffffffffffull);
    assert_int_equal(t->cpu.nzcv, C_ | V_);
    assert_int_equal(op2(t, subs32, 0xffffffff80000000ull, 1), 0x7fffffff);
    assert_int_equal(t->cpu.nzcv, C_ | V_);
    assert_int_equal(op2(t, subs32, 1, 2), 0xffffffffu);
    assert_int_equal(t->cpu.nzcv, N_);
    /* CMP writes no register. */
    assert_int_equal(op2(t, cmp64, 3, 7), 0xdeadbeefdeadbeefull);
    assert_int_equal(t->cpu.nzcv, N_);
    /* cmp w1, #4 ; cmn x1, #1 */
    op2(t, 0x7100103f, 0xffffffff00000004ull, 0);
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
    op2(t, 0xb100043f, ~0ull, 0);
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
}

static void adc_sbc_carry_chain(void **state)
{
    TestVm *t = *state;
    const uint32_t adcs64 = 0xba020020, sbcs64 = 0xfa020020, adcs32 = 0x3a020020,
                   sbcs32 = 0x7a020020, adc64 = 0x9a020020, sbc32 = 0x5a020020;
    t->cpu.nzcv = C_;
    assert_int_equal(op2(t, adcs64, ~0ull, 0), 0);
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
    assert_int_equal(op2(t, adcs64, 0x7fffffffffffffffull, 0), 0x8000000000000000ull);
    assert_int_equal(t->cpu.nzcv, N_ | V_);
    t->cpu.nzcv = 0;
    assert_int_equal(op2(t, adcs64, ~0ull, 1), 0);
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
    /* SBCS with C clear subtracts one more: 5 - 5 - 1 = -1, borrow. */
    t->cpu.nzcv = 0;
    assert_int_equal(op2(t, sbcs64, 5, 5), ~0ull);
    assert_int_equal(t->cpu.nzcv, N_);
    t->cpu.nzcv = C_;
    assert_int_equal(op2(t, sbcs64, 5, 5), 0);
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
    t->cpu.nzcv = C_;
    assert_int_equal(op2(t, adcs32, 0xffffffff, 0xffffffff), 0xffffffffu);
    assert_int_equal(t->cpu.nzcv, N_ | C_);
    t->cpu.nzcv = 0;
    assert_int_equal(op2(t, sbcs32, 0x80000000u, 0), 0x7fffffff);
    assert_int_equal(t->cpu.nzcv, C_ | V_);
    /* Without S the flags are read, not written. */
    t->cpu.nzcv = C_ | N_;
    assert_int_equal(op2(t, adc64, 1, 2), 4);
    assert_int_equal(t->cpu.nzcv, C_ | N_);
    assert_int_equal(op2(t, sbc32, 10, 3), 7);
    t->cpu.nzcv = 0;
    assert_int_equal(op2(t, sbc32, 0, 0), 0xffffffffu);
}

/* ------------------------------------------------------ add/sub immediate ---- */

static void addsub_immediate(void **state)
{
    TestVm *t = *state;
    assert_int_equal(op2(t, 0x913ffc20, 1, 0), 0x1000);           /* add x0, x1, #0xfff */
    assert_int_equal(op2(t, 0x91400420, 1, 0), 0x1001);           /* add x0, x1, #1, lsl 12 */
    assert_int_equal(op2(t, 0x11000420, 0xffffffffull, 0), 0);    /* add w0, w1, #1 */
    assert_int_equal(op2(t, 0xd1000420, 0, 0), ~0ull);            /* sub x0, x1, #1 */
    /* SP forms: sub sp, sp, #16 ; add x0, sp, #8 */
    t->cpu.x[REG_SP] = 0x40801000;
    uint32_t seq[] = {0xd10043ff, 0x910023e0};
    assert_true(tvm_run(t, seq, 2));
    assert_int_equal(t->cpu.x[REG_SP], 0x40800ff0);
    assert_int_equal(t->cpu.x[0], 0x40800ff8);
    assert_int_equal(t->cpu.x[31], 0); /* XZR never written */
}

static void adr_adrp(void **state)
{
    TestVm *t = *state;
    assert_int_equal(op2(t, 0x10008000, 0, 0), TVM_CODE + 0x1000); /* adr x0, .+0x1000 */
    /* adr x1, .-4 as the second instruction */
    uint32_t seq[] = {0xd503201f, 0x10ffffe1};
    assert_true(tvm_run(t, seq, 2));
    assert_int_equal(t->cpu.x[1], TVM_CODE);
    /* adrp x0, .+0x12345000 (immlo = 1, immhi = 0x48d1), from TVM_CODE + 0x10 */
    uint32_t adrp = 0x90000000u | (1u << 29) | (0x48d1u << 5);
    uint32_t seq2[] = {0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, adrp};
    assert_true(tvm_run(t, seq2, 5));
    assert_int_equal(t->cpu.x[0], TVM_CODE + 0x12345000);
    /* negative ADRP: immhi all ones, immlo 3 = -1 page */
    uint32_t adrpm = 0x90000000u | (3u << 29) | (0x7ffffu << 5) | 5;
    assert_true(tvm_run1(t, adrpm));
    assert_int_equal(t->cpu.x[5], TVM_CODE - 0x1000);
}

/* ----------------------------------------------------- logical immediate ---- */

static void logical_immediate(void **state)
{
    TestVm *t = *state;
    assert_int_equal(op2(t, 0x9200f020, ~0ull, 0), 0x5555555555555555ull); /* and #0x5555.. */
    assert_int_equal(op2(t, 0x320023e0, 0, 0), 0x1ff);                     /* orr w0, wzr, #0x1ff */
    assert_int_equal(op2(t, 0xb2009fe0, 0, 0), 0x00ff00ff00ff00ffull);     /* mov x0, #0xff00ff.. */
    assert_int_equal(op2(t, 0xd2703c20, 0x12345678ull, 0), 0xedcb5678ull);  /* eor #0xffff0000 */
    assert_int_equal(op2(t, 0x5204cc20, 0xffffffff0f0f0f0full, 0), 0xffffffffu); /* eor w */
    assert_int_equal(op2(t, 0x72010020, 0x80000001u, 0), 0x80000000u);     /* ands w0, #0x80000000 */
    assert_int_equal(t->cpu.nzcv, N_);
    t->cpu.nzcv = C_ | V_;
    op2(t, 0xf240003f, 2, 0); /* tst x1, #1: C and V cleared */
    assert_int_equal(t->cpu.nzcv, Z_);
    t->cpu.x[REG_SP] = 0;
    op2(t, 0x927cec3f, 0x4080123f, 0); /* and sp, x1, #~0xf */
    assert_int_equal(t->cpu.x[REG_SP], 0x40801230);
}

static void move_wide(void **state)
{
    TestVm *t = *state;
    uint32_t seq[] = {0xd2e24680 /* movz x0, #0x1234, lsl 48 */,
                      0xf2aacf00 /* movk x0, #0x5678, lsl 16 */};
    assert_true(tvm_run(t, seq, 2));
    assert_int_equal(t->cpu.x[0], 0x1234000056780000ull);
    assert_int_equal(op2(t, 0x12800000, 0, 0), 0xffffffffu);          /* movn w0, #0 */
    assert_int_equal(op2(t, 0x92a00020, 0, 0), 0xfffffffffffeffffull); /* movn x0, #1, lsl 16 */
    assert_int_equal(op2(t, 0x52b95fc0, 0, 0), 0xcafe0000u);          /* movz w0, #0xcafe, lsl 16 */
    t->cpu.x[0] = 0xffffffffffffffffull;
    assert_true(tvm_run1(t, 0x7297dde0)); /* movk w0, #0xbeef: upper half cleared */
    assert_int_equal(t->cpu.x[0], 0xffffbeefu);
}

/* -------------------------------------------------------------- bitfield ---- */

static void bitfield_aliases(void **state)
{
    TestVm *t = *state;
    const uint64_t v = 0xfedcba9876543210ull;
    assert_int_equal(op2(t, 0xd3442c20, v, 0), 0x21);                  /* ubfx x0, x1, #4, #8 */
    assert_int_equal(op2(t, 0x93442c20, 0xf80, 0), (uint64_t)-8);      /* sbfx: field 0xf8 */
    assert_int_equal(op2(t, 0x93442c20, 0x780, 0), 0x78);
    assert_int_equal(op3(t, 0x93401c20, 0x80, 0, 0), 0xffffffffffffff80ull); /* sxtb x0, w1 */
    assert_int_equal(op2(t, 0x13003c20, 0x12348000, 0), 0xffff8000u);  /* sxth w0, w1 */
    assert_int_equal(op2(t, 0x93407c20, 0x180000000ull, 0), 0xffffffff80000000ull); /* sxtw */
    assert_int_equal(op2(t, 0x53001c20, v, 0), 0x10);                  /* uxtb w0, w1 */
    assert_int_equal(op2(t, 0x53003c20, v, 0), 0x3210);                /* uxth w0, w1 */
    assert_int_equal(op2(t, 0xd37df020, v, 0), v << 3);                /* lsl x0, x1, #3 */
    assert_int_equal(op2(t, 0x531f7c20, 0x80000000u, 0), 1);           /* lsr w0, w1, #31 */
    assert_int_equal(op2(t, 0x937ffc20, v, 0), ~0ull);                 /* asr x0, x1, #63 */
    assert_int_equal(op2(t, 0x13047c20, 0x80000000u, 0), 0xf8000000u); /* asr w0, w1, #4 */
    assert_int_equal(op2(t, 0x93440820, 5, 0), 0xd000000000000000ull); /* sbfiz x0, x1, #60, #3 */
    assert_int_equal(op2(t, 0x53040c20, 0xff, 0), 0xf0000000u);        /* lsl w0, w1, #28 */
    /* bfi x0, x1, #8, #16 and bfxil w0, w1, #4, #8 keep the other bits of Rd */
    t->cpu.x[0] = 0x1111111111111111ull;
    t->cpu.x[1] = 0xabcdef;
    assert_true(tvm_run1(t, 0xb3783c20));
    assert_int_equal(t->cpu.x[0], 0x1111111111cdef11ull);
    t->cpu.x[0] = 0x2222222222222222ull;
    t->cpu.x[1] = 0x0ab0;
    assert_true(tvm_run1(t, 0x33042c20));
    assert_int_equal(t->cpu.x[0], 0x222222abu);
}

static void extract_and_rotate(void **state)
{
    TestVm *t = *state;
    assert_int_equal(op2(t, 0x93c22020, 0x11, 0x2233445566778899ull),
                     0x1122334455667788ull);                          /* extr x0, x1, x2, #8 */
    assert_int_equal(op2(t, 0x13811020, 0x12345678, 0), 0x81234567u); /* ror w0, w1, #4 */
    assert_int_equal(op2(t, 0x13827020, 0xabcdef01, 0x90000000), 0xbcdef019u); /* extr w #28 */
}

/* ------------------------------------------------------ logical register ---- */

static void logical_shifted_register(void **state)
{
    TestVm *t = *state;
    assert_int_equal(op2(t, 0x8a021020, ~0ull, 0xff), 0xff0);                 /* and lsl #4 */
    assert_int_equal(op2(t, 0x0a620420, 0xffffffff, 0xf0), 0xffffff87u);      /* bic lsr #1 */
    assert_int_equal(op2(t, 0xaaa2fc20, 0, 0x8000000000000000ull), 0);        /* orn asr #63 */
    assert_int_equal(op2(t, 0xaaa2fc20, 0, 1), ~0ull);
    assert_int_equal(op2(t, 0x4ae22020, 0, 0x000000ff), 0x00ffffffu);         /* eon ror #8 */
    assert_int_equal(op2(t, 0xeac20420, ~0ull, 1), 0x8000000000000000ull);    /* ands ror #1 */
    assert_int_equal(t->cpu.nzcv, N_);
    assert_int_equal(op2(t, 0x6a220020, 0xf0, 0xf0), 0);                      /* bics w0 */
    assert_int_equal(t->cpu.nzcv, Z_);
    assert_int_equal(op2(t, 0xaa0103e0, 0x123456789ull, 0), 0x123456789ull);  /* mov x0, x1 */
    assert_int_equal(op2(t, 0x2a0103e0, 0x123456789ull, 0), 0x23456789u);     /* mov w0, w1 */
    assert_int_equal(op2(t, 0xaa2103e0, 0, 0), ~0ull);                        /* mvn x0, x1 */
}

/* ---------------------------------------------- add/sub shifted/extended ---- */

static void addsub_shifted_register(void **state)
{
    TestVm *t = *state;
    assert_int_equal(op2(t, 0x8b023020, 1, 1), 0x1001);                       /* add lsl #12 */
    assert_int_equal(op2(t, 0x4b827c20, 5, 0x80000000u), 6);                  /* sub asr #31 */
    assert_int_equal(op2(t, 0xab420420, ~0ull, 2), 0);                        /* adds lsr #1 */
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
    assert_int_equal(op2(t, 0xcb0103e0, 1, 0), ~0ull);                        /* neg x0, x1 */
    op2(t, 0x6b02043f, 8, 4);                                                 /* cmp w1, w2, lsl 1 */
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
}

static void addsub_extended_register(void **state)
{
    TestVm *t = *state;
    t->cpu.x[REG_SP] = 0x40800000;
    assert_int_equal(op2(t, 0x8b214be0, 0xffffffff00000004ull, 0), 0x40800010); /* add x0, sp, w1, uxtw #2 */
    op2(t, 0x8b2163ff, 0x100, 0);                                                /* add sp, sp, x1 */
    assert_int_equal(t->cpu.x[REG_SP], 0x40800100);
    assert_int_equal(op2(t, 0xcb228020, 10, 0x1ff), 11);                         /* sub x0, x1, w2, sxtb */
    assert_int_equal(op2(t, 0x2b22a420, 0x10000, 0x8000), 0);                    /* adds w0, w1, w2, sxth #1 */
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
    op2(t, 0xeb22c03f, ~0ull, 0xffffffff);                                       /* cmp x1, w2, sxtw */
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
    assert_int_equal(op2(t, 0x8b221020, 1, 0x1ff), 0xff1);                       /* add x0, x1, w2, uxtb #4 */
    t->cpu.x[REG_SP] = 0x100;
    assert_int_equal(op2(t, 0xeb21efe0, 0x20, 0), 0);                            /* subs x0, sp, x1, sxtx #3 */
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
    assert_int_equal(op2(t, 0x0b226420, 1, 0x80000001u), 3);                     /* add w0, w1, w2, uxtx #1 */
}

/* ------------------------------------------------- conditional operations ---- */

static void conditional_select(void **state)
{
    TestVm *t = *state;
    t->cpu.nzcv = Z_;
    assert_int_equal(op2(t, 0x9a820020, 1, 2), 1);            /* csel eq: taken */
    assert_int_equal(op2(t, 0x1a821420, 1, 0xffffffff), 0);   /* csinc w ne: 0xffffffff+1 */
    t->cpu.nzcv = 0;
    assert_int_equal(op2(t, 0x9a820020, 1, 2), 2);            /* csel eq: not taken */
    assert_int_equal(op2(t, 0x1a821420, 1, 2), 1);            /* csinc ne: taken */
    t->cpu.nzcv = N_;                                          /* N != V: lt */
    assert_int_equal(op2(t, 0xda82b020, 7, 0), 7);            /* csinv lt: taken */
    assert_int_equal(op2(t, 0xda82a420, 7, 5), (uint64_t)-5); /* csneg ge: not taken */
    t->cpu.nzcv = C_;
    assert_int_equal(op2(t, 0x1a9f97e0, 0, 0), 1);            /* cset w0, hi */
    assert_int_equal(op2(t, 0xda9f23e0, 0, 0), 0);            /* csetm x0, cc */
    t->cpu.nzcv = C_ | Z_;
    assert_int_equal(op2(t, 0x1a9f97e0, 0, 0), 0);
    t->cpu.nzcv = 0;
    assert_int_equal(op2(t, 0xda9f23e0, 0, 0), ~0ull);
}

static void conditional_compare(void **state)
{
    TestVm *t = *state;
    t->cpu.nzcv = Z_;
    op2(t, 0xfa420024, 1, 2); /* ccmp x1, x2, #4, eq: holds -> flags of 1 - 2 */
    assert_int_equal(t->cpu.nzcv, N_);
    t->cpu.nzcv = 0;
    op2(t, 0xfa420024, 1, 2); /* fails -> #4 */
    assert_int_equal(t->cpu.nzcv, Z_);
    t->cpu.nzcv = 0;
    op2(t, 0x3a431822, 0xfffffffd, 0); /* ccmn w1, #3, #2, ne: holds -> -3 + 3 */
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
    t->cpu.nzcv = Z_;
    op2(t, 0x3a431822, 0xfffffffd, 0); /* fails -> #2 */
    assert_int_equal(t->cpu.nzcv, C_);
    t->cpu.nzcv = 0;
    op2(t, 0xfa5fe82f, 31, 0); /* ccmp x1, #31, #15, al */
    assert_int_equal(t->cpu.nzcv, Z_ | C_);
}

/* ---------------------------------------------------------- 1 and 2 source ---- */

static void one_source(void **state)
{
    TestVm *t = *state;
    const uint64_t v = 0x0123456789abcdefull;
    assert_int_equal(op2(t, 0xdac00020, 1, 0), 0x8000000000000000ull);  /* rbit x */
    assert_int_equal(op2(t, 0x5ac00020, 0x00000003, 0), 0xc0000000u);   /* rbit w */
    assert_int_equal(op2(t, 0xdac00420, v, 0), 0x23016745ab89efcdull);  /* rev16 x */
    assert_int_equal(op2(t, 0xdac00820, v, 0), 0x67452301efcdab89ull);  /* rev32 x */
    assert_int_equal(op2(t, 0xdac00c20, v, 0), 0xefcdab8967452301ull);  /* rev x */
    assert_int_equal(op2(t, 0x5ac00820, v, 0), 0xefcdab89u);            /* rev w */
    assert_int_equal(op2(t, 0x5ac00420, v, 0), 0xab89efcdu);            /* rev16 w */
    assert_int_equal(op2(t, 0xdac01020, 0, 0), 64);                     /* clz x */
    assert_int_equal(op2(t, 0xdac01020, 1, 0), 63);
    assert_int_equal(op2(t, 0x5ac01020, 0x100000000ull, 0), 32);        /* clz w */
    assert_int_equal(op2(t, 0xdac01420, 0, 0), 63);                     /* cls x */
    assert_int_equal(op2(t, 0xdac01420, ~0ull, 0), 63);
    assert_int_equal(op2(t, 0xdac01420, 0xc000000000000000ull, 0), 1);
    assert_int_equal(op2(t, 0xdac01420, 0x4000000000000000ull, 0), 0);
    assert_int_equal(op2(t, 0xdac01420, 1, 0), 62);
    assert_int_equal(op2(t, 0x5ac01420, 0xfff00000u, 0), 11);           /* cls w */
}

static void division_edge_cases(void **state)
{
    TestVm *t = *state;
    const uint32_t udiv64 = 0x9ac20820, sdiv64 = 0x9ac20c20, udiv32 = 0x1ac20820,
                   sdiv32 = 0x1ac20c20;
    assert_int_equal(op2(t, udiv64, 100, 0), 0);
    assert_int_equal(op2(t, sdiv64, (uint64_t)-100, 0), 0);
    assert_int_equal(op2(t, udiv32, 100, 0x100000000ull), 0); /* w2 == 0 */
    assert_int_equal(op2(t, sdiv32, 100, 0), 0);
    assert_int_equal(op2(t, sdiv64, 0x8000000000000000ull, ~0ull), 0x8000000000000000ull);
    assert_int_equal(op2(t, sdiv32, 0x80000000u, 0xffffffffu), 0x80000000u);
    assert_int_equal(op2(t, sdiv64, (uint64_t)-7, 2), (uint64_t)-3); /* rounds toward zero */
    assert_int_equal(op2(t, sdiv32, (uint32_t)-7, 2), 0xfffffffdu);
    assert_int_equal(op2(t, udiv64, ~0ull, 2), 0x7fffffffffffffffull);
    assert_int_equal(op2(t, udiv32, 0xffffffffffffffffull, 0x10), 0x0fffffffu);
}

static void variable_shifts(void **state)
{
    TestVm *t = *state;
    assert_int_equal(op2(t, 0x9ac22020, 1, 65), 2);                       /* lslv x: amount mod 64 */
    assert_int_equal(op2(t, 0x1ac22420, 0x80000000u, 33), 0x40000000u);   /* lsrv w: mod 32 */
    assert_int_equal(op2(t, 0x9ac22820, 0x8000000000000000ull, 63), ~0ull); /* asrv x */
    assert_int_equal(op2(t, 0x1ac22c20, 0x12345678, 8), 0x78123456u);     /* rorv w */
}

static void multiply(void **state)
{
    TestVm *t = *state;
    assert_int_equal(op3(t, 0x9b020c20, 3, 4, 5), 17);                         /* madd */
    assert_int_equal(op3(t, 0x1b028c20, 3, 4, 5), 0xfffffff9u);                /* msub w */
    assert_int_equal(op3(t, 0x9b027c20, ~0ull, 3, 0), (uint64_t)-3);           /* mul */
    assert_int_equal(op3(t, 0x9b220c20, 0xffffffff, 2, 10), 8);                /* smaddl: -1*2+10 */
    assert_int_equal(op3(t, 0x9ba28c20, 0xffffffff, 2, 0x200000000ull), 2);    /* umsubl */
    assert_int_equal(op3(t, 0x9b427c20, ~0ull, 2, 0), ~0ull);                  /* smulh -1*2 */
    assert_int_equal(op3(t, 0x9bc27c20, ~0ull, 2, 0), 1);                      /* umulh */
    assert_int_equal(op3(t, 0x9b227c20, 0x80000000u, 0x80000000u, 0), 0x4000000000000000ull); /* smull */
}

/* --------------------------------------------------------------- branches ---- */

/* [branch .+8] [movz x0, #1] [movz x2, #2]: x0 tells whether it was taken. */
static bool taken(TestVm *t, uint32_t branch)
{
    uint32_t seq[] = {branch, 0xd2800020, 0xd2800042};
    t->cpu.x[0] = 0;
    t->cpu.x[2] = 0;
    assert_true(tvm_run(t, seq, 3));
    assert_int_equal(t->cpu.x[2], 2);
    return t->cpu.x[0] == 0;
}

static void branch_immediate(void **state)
{
    TestVm *t = *state;
    assert_true(taken(t, 0x14000002)); /* b .+8 */
    t->cpu.x[30] = 0;
    assert_true(taken(t, 0x94000002)); /* bl .+8 */
    assert_int_equal(t->cpu.x[30], TVM_CODE + 4);
}

static void branch_conditional(void **state)
{
    TestVm *t = *state;
    t->cpu.nzcv = Z_;
    assert_true(taken(t, 0x54000040));  /* b.eq */
    t->cpu.nzcv = Z_;
    assert_false(taken(t, 0x54000041)); /* b.ne */
    t->cpu.nzcv = N_ | V_;
    assert_true(taken(t, 0x5400004c));  /* b.gt: Z=0, N=V */
    t->cpu.nzcv = N_;
    assert_false(taken(t, 0x5400004a)); /* b.ge */
    t->cpu.nzcv = C_;
    assert_true(taken(t, 0x54000048));  /* b.hi */
    t->cpu.nzcv = 0;
    assert_true(taken(t, 0x5400004e));  /* b.al */
    assert_true(taken(t, 0x5400004f));  /* b.nv behaves as always */
    /* A backward loop: mov x0, #5; L: subs x0, x0, #1; add x1, x1, #1; b.ne L */
    uint32_t loop[] = {0xd28000a0, 0xf1000400, 0x91000421, 0x54ffffc1};
    t->cpu.x[1] = 0;
    assert_true(tvm_run(t, loop, 4));
    assert_int_equal(t->cpu.x[1], 5);
}

/* Every condition under every NZCV value, for B.cond and CSINC (whose
 * handlers encode the conditions differently), against the Arm ARM's truth
 * table written out by hand in cond_truth.h. */
static void every_condition_for_every_nzcv(void **state)
{
    TestVm *t = *state;
    for (unsigned cond = 0; cond < 16; cond++) {
        for (unsigned f = 0; f < 16; f++) {
            bool holds = cond_truth_holds(cond, f);
            t->cpu.nzcv = f;
            assert_int_equal(taken(t, 0x54000040 | cond), holds);
            t->cpu.nzcv = f;
            /* csinc x0, x1, x2, cond */
            assert_int_equal(op2(t, 0x9a820420 | cond << 12, 10, 20), holds ? 10 : 21);
        }
    }
}

static void compare_and_test_branches(void **state)
{
    TestVm *t = *state;
    t->cpu.x[1] = 0x100000000ull;
    assert_false(taken(t, 0xb4000041)); /* cbz x1 */
    assert_true(taken(t, 0x34000041));  /* cbz w1: low half is zero */
    assert_false(taken(t, 0x35000041)); /* cbnz w1 */
    assert_true(taken(t, 0xb5000041));  /* cbnz x1 */
    t->cpu.x[1] = 0x8000000000000008ull;
    assert_false(taken(t, 0xb6f80041)); /* tbz x1, #63 */
    assert_true(taken(t, 0xb7f80041));  /* tbnz x1, #63 */
    assert_true(taken(t, 0x37180041));  /* tbnz w1, #3 */
    assert_true(taken(t, 0x36100041));  /* tbz w1, #2 */
}

static void branch_register(void **state)
{
    TestVm *t = *state;
    t->cpu.x[1] = TVM_CODE + 8;
    assert_true(taken(t, 0xd61f0020)); /* br x1 */
    t->cpu.x[30] = 0;
    assert_true(taken(t, 0xd63f0020)); /* blr x1 */
    assert_int_equal(t->cpu.x[30], TVM_CODE + 4);
    t->cpu.x[30] = TVM_CODE + 8;
    assert_true(taken(t, 0xd65f03c0)); /* ret */
    /* blr x30 branches to the old x30 */
    t->cpu.x[30] = TVM_CODE + 8;
    assert_true(taken(t, 0xd63f03c0));
    assert_int_equal(t->cpu.x[30], TVM_CODE + 4);
    /* A misaligned target raises a PC alignment fault. */
    t->cpu.x[1] = TVM_CODE + 6;
    assert_false(tvm_run1(t, 0xd61f0020));
    assert_int_equal(t->cpu.last_exc.esr >> 26, EC_PC_ALIGN);
    assert_int_equal(t->cpu.last_exc.far, TVM_CODE + 6);
}

static void branch_to_another_page_and_back(void **state)
{
    TestVm *t = *state;
    uint32_t *far_code = tvm_ptr(t, TVM_CODE + 0x1000);
    far_code[0] = 0xd28000e5; /* movz x5, #7 */
    far_code[1] = 0x17fffc00; /* b .-0x1000 (to TVM_CODE + 4: the end mark) */
    assert_true(tvm_run1(t, 0x14000400)); /* b .+0x1000 */
    assert_int_equal(t->cpu.x[5], 7);
}

static void eret_restores_pstate(void **state)
{
    TestVm *t = *state;
    t->cpu.sr.elr = TVM_CODE + 8;
    t->cpu.sr.spsr = 0x600003c5; /* Z C, DAIF masked, EL1h */
    t->cpu.nzcv = 0;
    assert_true(taken(t, 0xd69f03e0));
    assert_int_equal(t->cpu.sr.spsr >> 28, Z_ | C_); /* PSTATE at the end BRK */
}

/* ---------------------------------------------------------------- reserved ---- */

static void reserved_encodings_are_undefined(void **state)
{
    TestVm *t = *state;
    expect_undefined(t, 0x12400020); /* logical imm, sf=0 N=1 */
    expect_undefined(t, 0x9240fc20); /* logical imm, all-ones element */
    expect_undefined(t, 0x1200fc20); /* logical imm, 32-bit imms=111111 */
    expect_undefined(t, 0x32800000); /* move wide opc=01 */
    expect_undefined(t, 0x52c00000); /* movz w0 with hw=2 */
    expect_undefined(t, 0x93000c20); /* sbfm sf=1 N=0 */
    expect_undefined(t, 0x13400c20); /* sbfm sf=0 N=1 */
    expect_undefined(t, 0x13204c20); /* sbfm sf=0 immr=32 */
    expect_undefined(t, 0x73000c20); /* bitfield opc=11 */
    expect_undefined(t, 0x13828020); /* extr w, imms=32 */
    expect_undefined(t, 0x93822020); /* extr sf=1 N=0 */
    expect_undefined(t, 0x91800000); /* add (immediate, with tags): MTE */
    expect_undefined(t, 0x8bc20020); /* add shifted, shift=11 */
    expect_undefined(t, 0x0b028020); /* add w, lsl #32 */
    expect_undefined(t, 0x0a028020); /* and w, lsl #32 */
    expect_undefined(t, 0x8b221420); /* add extended, shift 5 */
    expect_undefined(t, 0x8b621020); /* add extended, opt=01 */
    expect_undefined(t, 0x1ac24c20); /* crc32x with sf = 0 */
    expect_undefined(t, 0x9ac25020); /* crc32cb with sf = 1 */
    expect_undefined(t, 0x9ac03020); /* pacga */
    expect_undefined(t, 0x3ac20820); /* udiv with S=1 */
    expect_undefined(t, 0x5ac00c20); /* rev (64-bit opcode) with sf=0 */
    expect_undefined(t, 0xdac10020); /* pacia (1-source opcode2=1) */
    expect_undefined(t, 0xdac01820); /* 1-source opcode 6 */
    expect_undefined(t, 0x1b427c20); /* smulh with sf=0 */
    expect_undefined(t, 0x9b42fc20); /* smulh with o0=1 */
    expect_undefined(t, 0x9b620c20); /* 3-source op31=011 */
    expect_undefined(t, 0xba000420); /* rmif (ARMv8.4) */
    expect_undefined(t, 0x3a00080d); /* setf8 (ARMv8.4) */
    expect_undefined(t, 0x3a820020); /* csel with S=1 */
    expect_undefined(t, 0x1a820820); /* csel op2=10 */
    expect_undefined(t, 0xfa420424); /* ccmp o2=1 */
    expect_undefined(t, 0xfa420034); /* ccmp o3=1 */
    expect_undefined(t, 0xda420024); /* ccmp with S=0 */
    expect_undefined(t, 0x54000050); /* bc.eq (FEAT_HBC) */
    expect_undefined(t, 0x55000040); /* b.cond with o1=1 */
    expect_undefined(t, 0xd71f0822); /* braa */
    expect_undefined(t, 0xd65f0bff); /* retaa */
    expect_undefined(t, 0xd69f0bff); /* eretaa */
    expect_undefined(t, 0xd6bf03e0); /* drps */
    expect_undefined(t, 0xd61f0021); /* br with op4 != 0 */
    expect_undefined(t, 0xd69f0020); /* eret with Rn != 31 */
}

static void eret_at_el0_is_undefined(void **state)
{
    TestVm *t = *state;
    cpu_set_pstate(&t->cpu, 0); /* EL0t */
    assert_false(tvm_run1(t, 0xd69f03e0));
    assert_int_equal(t->cpu.last_exc.esr, ESR(EC_UNKNOWN, 0));
}

#define T(f) cmocka_unit_test_setup_teardown(f, tvm_setup, tvm_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(adds_flags),
        T(subs_and_cmp_flags),
        T(adc_sbc_carry_chain),
        T(addsub_immediate),
        T(adr_adrp),
        T(logical_immediate),
        T(move_wide),
        T(bitfield_aliases),
        T(extract_and_rotate),
        T(logical_shifted_register),
        T(addsub_shifted_register),
        T(addsub_extended_register),
        T(conditional_select),
        T(conditional_compare),
        T(one_source),
        T(division_edge_cases),
        T(variable_shifts),
        T(multiply),
        T(branch_immediate),
        T(branch_conditional),
        T(every_condition_for_every_nzcv),
        T(compare_and_test_branches),
        T(branch_register),
        T(branch_to_another_page_and_back),
        T(eret_restores_pstate),
        T(reserved_encodings_are_undefined),
        T(eret_at_el0_is_undefined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
