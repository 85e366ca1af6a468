/* Data processing, register: logical (shifted register), add/subtract
 * (shifted and extended register), add/subtract with carry, conditional
 * compare, conditional select, data processing with 1, 2 and 3 sources.
 *
 * Handlers are generated per operation, operand shift/extend kind and width,
 * so the run-time path is the operation itself. Register 31 is mapped at
 * decode time (XZR or SP as the encoding says). */
#include <stddef.h>

#include "cpu/alu.h"
#include "cpu/insn.h"

#define H static const Insn *

/* Shifted second operand: T is the operation width, n the amount (< width). */
#define SH64_LSL(x, n) ((x) << (n))
#define SH64_LSR(x, n) ((x) >> (n))
#define SH64_ASR(x, n) ((uint64_t)((int64_t)(x) >> (n)))
#define SH64_ROR(x, n) ror64((x), (n))
#define SH32_LSL(x, n) ((uint32_t)((x) << (n)))
#define SH32_LSR(x, n) ((uint32_t)((x) >> (n)))
#define SH32_ASR(x, n) ((uint32_t)((int32_t)(x) >> (n)))
#define SH32_ROR(x, n) ror32((x), (n))

/* ------------------------------------------ logical (shifted register) ---- */

/* f0 = shift amount. */
#define LOGIC(name, T, SH, EXPR, FLAGS)                                                \
    H exec_##name(Cpu *c, const Insn *d)                                               \
    {                                                                                  \
        T a = (T)c->x[d->rn];                                                          \
        T b = SH((T)c->x[d->rm], d->f0);                                               \
        T r = (T)(EXPR);                                                               \
        FLAGS;                                                                         \
        c->x[d->rd] = r;                                                               \
        return insn_next(c, d + 1);                                                    \
    }

#define LOGIC_SET(w, T, sh)                                                            \
    LOGIC(and_##sh##w, T, SH##w##_##sh, a & b, (void)0)                                \
    LOGIC(bic_##sh##w, T, SH##w##_##sh, a & ~b, (void)0)                               \
    LOGIC(orr_##sh##w, T, SH##w##_##sh, a | b, (void)0)                                \
    LOGIC(orn_##sh##w, T, SH##w##_##sh, a | ~b, (void)0)                               \
    LOGIC(eor_##sh##w, T, SH##w##_##sh, a ^ b, (void)0)                                \
    LOGIC(eon_##sh##w, T, SH##w##_##sh, a ^ ~b, (void)0)                               \
    LOGIC(ands_##sh##w, T, SH##w##_##sh, a & b, c->nzcv = nz##w(r))                    \
    LOGIC(bics_##sh##w, T, SH##w##_##sh, a & ~b, c->nzcv = nz##w(r))

LOGIC_SET(64, uint64_t, LSL)
LOGIC_SET(64, uint64_t, LSR)
LOGIC_SET(64, uint64_t, ASR)
LOGIC_SET(64, uint64_t, ROR)
LOGIC_SET(32, uint32_t, LSL)
LOGIC_SET(32, uint32_t, LSR)
LOGIC_SET(32, uint32_t, ASR)
LOGIC_SET(32, uint32_t, ROR)

#define LOGIC_ROW(w, sh)                                                               \
    {exec_and_##sh##w, exec_bic_##sh##w, exec_orr_##sh##w, exec_orn_##sh##w,           \
     exec_eor_##sh##w, exec_eon_##sh##w, exec_ands_##sh##w, exec_bics_##sh##w}

/* [sf][shift][opc:N] */
static const InsnFn logic_fns[2][4][8] = {
    {LOGIC_ROW(32, LSL), LOGIC_ROW(32, LSR), LOGIC_ROW(32, ASR), LOGIC_ROW(32, ROR)},
    {LOGIC_ROW(64, LSL), LOGIC_ROW(64, LSR), LOGIC_ROW(64, ASR), LOGIC_ROW(64, ROR)},
};

/* MOV (register): ORR Rd, ZR, Rm (also EXTR with lsb 0). */
const Insn *exec_mov64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = c->x[d->rm];
    return insn_next(c, d + 1);
}

const Insn *exec_mov32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint32_t)c->x[d->rm];
    return insn_next(c, d + 1);
}

static void decode_logic_reg(uint32_t raw, Insn *d)
{
    bool sf = bit(raw, 31);
    unsigned opc = bits(raw, 30, 29), shift = bits(raw, 23, 22), n = bit(raw, 21);
    unsigned imm6 = bits(raw, 15, 10), rn = bits(raw, 9, 5);
    if (!sf && imm6 >= 32)
        return;
    d->rd = reg_zr_dst(bits(raw, 4, 0));
    d->rn = reg_zr(rn);
    d->rm = reg_zr(bits(raw, 20, 16));
    d->f0 = (uint8_t)imm6;
    if (opc == 1 && !n && imm6 == 0 && rn == 31)
        d->fn = sf ? exec_mov64 : exec_mov32;
    else
        d->fn = logic_fns[sf][shift][opc * 2 + n];
}

/* ------------------------------------- add/subtract (shifted register) ---- */

#define ARITH(name, T, OPERAND, BODY)                                                  \
    H exec_##name(Cpu *c, const Insn *d)                                               \
    {                                                                                  \
        T a = (T)c->x[d->rn];                                                          \
        T b = (T)(OPERAND);                                                            \
        BODY;                                                                          \
        return insn_next(c, d + 1);                                                    \
    }

#define ARITH_SET(sfx, w, T, OPERAND)                                                  \
    ARITH(add_##sfx, T, OPERAND, c->x[d->rd] = (T)(a + b))                             \
    ARITH(adds_##sfx, T, OPERAND, c->x[d->rd] = adds##w(c, a, b))                      \
    ARITH(sub_##sfx, T, OPERAND, c->x[d->rd] = (T)(a - b))                             \
    ARITH(subs_##sfx, T, OPERAND, c->x[d->rd] = subs##w(c, a, b))                      \
    ARITH(cmp_##sfx, T, OPERAND, subs##w(c, a, b))                                     \
    ARITH(cmn_##sfx, T, OPERAND, adds##w(c, a, b))

/* Shifted register: f0 = amount. */
ARITH_SET(LSL64, 64, uint64_t, SH64_LSL(c->x[d->rm], d->f0))
ARITH_SET(LSR64, 64, uint64_t, SH64_LSR(c->x[d->rm], d->f0))
ARITH_SET(ASR64, 64, uint64_t, SH64_ASR(c->x[d->rm], d->f0))
ARITH_SET(LSL32, 32, uint32_t, SH32_LSL((uint32_t)c->x[d->rm], d->f0))
ARITH_SET(LSR32, 32, uint32_t, SH32_LSR((uint32_t)c->x[d->rm], d->f0))
ARITH_SET(ASR32, 32, uint32_t, SH32_ASR((uint32_t)c->x[d->rm], d->f0))

/* Extended register. UXTB/H/W: ((Xm << f0) >> f1) with f0 = 64 - source bits
 * and f1 = f0 - shift; SXTB/H/W: the same with an arithmetic right shift;
 * UXTX/SXTX (and every 32-bit form of W/X sources): Xm << f2. The 32-bit
 * operations compute the operand on 64 bits and use its low half. */
ARITH_SET(UXT64, 64, uint64_t, (c->x[d->rm] << d->f0) >> d->f1)
ARITH_SET(SXT64, 64, uint64_t, (int64_t)(c->x[d->rm] << d->f0) >> d->f1)
ARITH_SET(XLSL64, 64, uint64_t, c->x[d->rm] << d->f2)
ARITH_SET(UXT32, 32, uint32_t, (c->x[d->rm] << d->f0) >> d->f1)
ARITH_SET(SXT32, 32, uint32_t, (int64_t)(c->x[d->rm] << d->f0) >> d->f1)
ARITH_SET(XLSL32, 32, uint32_t, c->x[d->rm] << d->f2)

/* CMP (shifted register) fused with the B.cond after it (fuse_insn). */
#define CMP_BCOND(sfx, w, T, OPERAND)                                                  \
    H exec_cmp_##sfx##_bcond(Cpu *c, const Insn *d)                                    \
    {                                                                                  \
        uint32_t f;                                                                    \
        sub##w##_f((T)c->x[d->rn], (T)(OPERAND), &f);                                  \
        return fused_bcond(c, d, f);                                                   \
    }
CMP_BCOND(LSL64, 64, uint64_t, SH64_LSL(c->x[d->rm], d->f0))
CMP_BCOND(LSL32, 32, uint32_t, SH32_LSL((uint32_t)c->x[d->rm], d->f0))

/* SUBS/ADDS (shifted register) and TST/ANDS (shifted register). */
#define FLAGS_BCOND(name, w, T, EXPR)                                                  \
    H exec_##name##_bcond(Cpu *c, const Insn *d)                                       \
    {                                                                                  \
        uint32_t f;                                                                    \
        T a = (T)c->x[d->rn], b = (T)SH##w##_LSL((T)c->x[d->rm], d->f0);                \
        c->x[d->rd] = EXPR;                                                            \
        return fused_bcond(c, d, f);                                                   \
    }
FLAGS_BCOND(subs_LSL64, 64, uint64_t, sub64_f(a, b, &f))
FLAGS_BCOND(subs_LSL32, 32, uint32_t, sub32_f(a, b, &f))
FLAGS_BCOND(adds_LSL64, 64, uint64_t, add64_f(a, b, &f))
FLAGS_BCOND(adds_LSL32, 32, uint32_t, add32_f(a, b, &f))
FLAGS_BCOND(ands_LSL64, 64, uint64_t, (f = nz64(a & b), a & b))
FLAGS_BCOND(ands_LSL32, 32, uint32_t, (f = nz32(a & b), a & b))

InsnFn fused_dp_reg(InsnFn fn)
{
    static const struct { InsnFn plain, fused; } pairs[] = {
        {exec_cmp_LSL64, exec_cmp_LSL64_bcond},   {exec_cmp_LSL32, exec_cmp_LSL32_bcond},
        {exec_subs_LSL64, exec_subs_LSL64_bcond}, {exec_subs_LSL32, exec_subs_LSL32_bcond},
        {exec_adds_LSL64, exec_adds_LSL64_bcond}, {exec_adds_LSL32, exec_adds_LSL32_bcond},
        {exec_ands_LSL64, exec_ands_LSL64_bcond}, {exec_ands_LSL32, exec_ands_LSL32_bcond},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i].plain == fn)
            return pairs[i].fused;
    return NULL;
}

#define ARITH_ROW(sfx)                                                                 \
    {exec_add_##sfx, exec_adds_##sfx, exec_sub_##sfx, exec_subs_##sfx, exec_cmn_##sfx, \
     exec_cmp_##sfx}

/* Operation index: op:S (0 ADD, 1 ADDS, 2 SUB, 3 SUBS), 4 CMN, 5 CMP. */
static const InsnFn addsub_shift_fns[2][3][6] = {
    {ARITH_ROW(LSL32), ARITH_ROW(LSR32), ARITH_ROW(ASR32)},
    {ARITH_ROW(LSL64), ARITH_ROW(LSR64), ARITH_ROW(ASR64)},
};

/* [sf][kind: 0 unsigned, 1 signed, 2 plain shift] */
static const InsnFn addsub_ext_fns[2][3][6] = {
    {ARITH_ROW(UXT32), ARITH_ROW(SXT32), ARITH_ROW(XLSL32)},
    {ARITH_ROW(UXT64), ARITH_ROW(SXT64), ARITH_ROW(XLSL64)},
};

static unsigned arith_op(uint32_t raw, unsigned rd)
{
    unsigned op = bits(raw, 30, 29); /* op:S */
    if (rd == 31 && op == 1)
        return 4;
    if (rd == 31 && op == 3)
        return 5;
    return op;
}

static void decode_addsub_shift(uint32_t raw, Insn *d)
{
    bool sf = bit(raw, 31);
    unsigned shift = bits(raw, 23, 22), imm6 = bits(raw, 15, 10), rd = bits(raw, 4, 0);
    if (shift == 3 || (!sf && imm6 >= 32))
        return;
    d->rd = reg_zr_dst(rd);
    d->rn = reg_zr(bits(raw, 9, 5));
    d->rm = reg_zr(bits(raw, 20, 16));
    d->f0 = (uint8_t)imm6;
    d->fn = addsub_shift_fns[sf][shift][arith_op(raw, rd)];
}

static void decode_addsub_ext(uint32_t raw, Insn *d)
{
    bool sf = bit(raw, 31), setflags = bit(raw, 29);
    unsigned opt = bits(raw, 23, 22), option = bits(raw, 15, 13), sh = bits(raw, 12, 10);
    unsigned rd = bits(raw, 4, 0);
    if (opt != 0 || sh > 4)
        return;
    d->rd = setflags ? reg_zr_dst(rd) : reg_sp(rd);
    d->rn = reg_sp(bits(raw, 9, 5));
    d->rm = reg_zr(bits(raw, 20, 16));
    unsigned size = option & 3, kind;
    if (size == 3 || (!sf && size == 2)) {
        kind = 2;
    } else {
        kind = option >> 2;
        d->f0 = (uint8_t)(64 - (8u << size));
        d->f1 = (uint8_t)(d->f0 - sh);
    }
    d->f2 = (uint8_t)sh;
    d->fn = addsub_ext_fns[sf][kind][setflags ? arith_op(raw, rd) : bits(raw, 30, 29)];
}

/* ---------------------------------------- add/subtract with carry ---- */

H exec_adc64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = c->x[d->rn] + c->x[d->rm] + carry_in(c);
    return insn_next(c, d + 1);
}

H exec_adc32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint32_t)(c->x[d->rn] + c->x[d->rm] + carry_in(c));
    return insn_next(c, d + 1);
}

H exec_sbc64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = c->x[d->rn] + ~c->x[d->rm] + carry_in(c);
    return insn_next(c, d + 1);
}

H exec_sbc32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint32_t)(c->x[d->rn] + ~c->x[d->rm] + carry_in(c));
    return insn_next(c, d + 1);
}

H exec_adcs64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = adcs64(c, c->x[d->rn], c->x[d->rm], carry_in(c));
    return insn_next(c, d + 1);
}

H exec_adcs32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = adcs32(c, (uint32_t)c->x[d->rn], (uint32_t)c->x[d->rm], carry_in(c));
    return insn_next(c, d + 1);
}

H exec_sbcs64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = adcs64(c, c->x[d->rn], ~c->x[d->rm], carry_in(c));
    return insn_next(c, d + 1);
}

H exec_sbcs32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = adcs32(c, (uint32_t)c->x[d->rn], ~(uint32_t)c->x[d->rm], carry_in(c));
    return insn_next(c, d + 1);
}

static void decode_adc(uint32_t raw, Insn *d)
{
    static const InsnFn fns[2][4] = {
        {exec_adc32, exec_adcs32, exec_sbc32, exec_sbcs32},
        {exec_adc64, exec_adcs64, exec_sbc64, exec_sbcs64},
    };
    /* op3 = 000000; x00001 (RMIF) and xx0010 (SETF8/16) are ARMv8.4. */
    if (bits(raw, 15, 10) != 0)
        return;
    d->rd = reg_zr_dst(bits(raw, 4, 0));
    d->rn = reg_zr(bits(raw, 9, 5));
    d->rm = reg_zr(bits(raw, 20, 16));
    d->fn = fns[bit(raw, 31)][bits(raw, 30, 29)];
}

/* ---------------------------------------------- conditional compare ---- */

/* imm = the condition's mask (cond_table[cond]), f1 = NZCV if it fails,
 * f2 = the immediate operand. Branch-free: the flags are computed and then
 * selected, as the outcome of the condition is data-dependent. */
#define CCMP(name, T, FLAGFN, OPERAND)                                                 \
    H exec_##name(Cpu *c, const Insn *d)                                               \
    {                                                                                  \
        uint32_t f, sel = 0u - cond_mask_holds(c, d->imm);                             \
        FLAGFN((T)c->x[d->rn], (T)(OPERAND), &f);                                      \
        c->nzcv = (f & sel) | (d->f1 & ~sel);                                          \
        return insn_next(c, d + 1);                                                    \
    }

CCMP(ccmp_r64, uint64_t, sub64_f, c->x[d->rm])
CCMP(ccmp_r32, uint32_t, sub32_f, c->x[d->rm])
CCMP(ccmn_r64, uint64_t, add64_f, c->x[d->rm])
CCMP(ccmn_r32, uint32_t, add32_f, c->x[d->rm])
CCMP(ccmp_i64, uint64_t, sub64_f, d->f2)
CCMP(ccmp_i32, uint32_t, sub32_f, d->f2)
CCMP(ccmn_i64, uint64_t, add64_f, d->f2)
CCMP(ccmn_i32, uint32_t, add32_f, d->f2)

static void decode_ccmp(uint32_t raw, Insn *d)
{
    /* [imm][op][sf] */
    static const InsnFn fns[2][2][2] = {
        {{exec_ccmn_r32, exec_ccmn_r64}, {exec_ccmp_r32, exec_ccmp_r64}},
        {{exec_ccmn_i32, exec_ccmn_i64}, {exec_ccmp_i32, exec_ccmp_i64}},
    };
    if (!bit(raw, 29) || bit(raw, 10) || bit(raw, 4))
        return;
    bool imm = bit(raw, 11);
    d->rn = reg_zr(bits(raw, 9, 5));
    d->rm = reg_zr(bits(raw, 20, 16));
    d->imm = cond_table[bits(raw, 15, 12)];
    d->f1 = (uint8_t)bits(raw, 3, 0);
    d->f2 = (uint8_t)bits(raw, 20, 16);
    d->fn = fns[imm][bit(raw, 30)][bit(raw, 31)];
}

/* ----------------------------------------------- conditional select ---- */

/* imm = the condition's mask (cond_table[cond]). Both operands are read
 * first so the selection compiles to a conditional move, not a branch. */
#define CSEL(name, T, ELSE)                                                            \
    H exec_##name(Cpu *c, const Insn *d)                                               \
    {                                                                                  \
        T n = (T)c->x[d->rn], m = (T)c->x[d->rm], e = (T)(ELSE);                       \
        c->x[d->rd] = cond_mask_holds(c, d->imm) ? n : e;                              \
        return insn_next(c, d + 1);                                                    \
    }

CSEL(csel64, uint64_t, m)
CSEL(csel32, uint32_t, m)
CSEL(csinc64, uint64_t, m + 1)
CSEL(csinc32, uint32_t, m + 1)
CSEL(csinv64, uint64_t, ~m)
CSEL(csinv32, uint32_t, ~m)
CSEL(csneg64, uint64_t, -m)
CSEL(csneg32, uint32_t, -m)

/* CSET: CSINC Rd, ZR, ZR, cond (imm = mask of the encoded, inverted condition). */
H exec_cset(Cpu *c, const Insn *d)
{
    c->x[d->rd] = cond_mask_holds(c, d->imm) ^ 1;
    return insn_next(c, d + 1);
}

/* CSETM: CSINV Rd, ZR, ZR, cond (the 32-bit form zero-extends). */
H exec_csetm64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint64_t)cond_mask_holds(c, d->imm) - 1;
    return insn_next(c, d + 1);
}

H exec_csetm32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint32_t)(cond_mask_holds(c, d->imm) - 1);
    return insn_next(c, d + 1);
}

static void decode_csel(uint32_t raw, Insn *d)
{
    /* [op:op2][sf] */
    static const InsnFn fns[4][2] = {
        {exec_csel32, exec_csel64},
        {exec_csinc32, exec_csinc64},
        {exec_csinv32, exec_csinv64},
        {exec_csneg32, exec_csneg64},
    };
    unsigned op2 = bits(raw, 11, 10), rn = bits(raw, 9, 5), rm = bits(raw, 20, 16);
    if (bit(raw, 29) || op2 >= 2)
        return;
    bool sf = bit(raw, 31);
    unsigned op = bit(raw, 30) * 2 + op2;
    d->rd = reg_zr_dst(bits(raw, 4, 0));
    d->rn = reg_zr(rn);
    d->rm = reg_zr(rm);
    d->imm = cond_table[bits(raw, 15, 12)];
    if (rn == 31 && rm == 31 && op == 1)
        d->fn = exec_cset;
    else if (rn == 31 && rm == 31 && op == 2)
        d->fn = sf ? exec_csetm64 : exec_csetm32;
    else
        d->fn = fns[op][sf];
}

/* ------------------------------------------ data processing, 1 source ---- */

#define UNARY(name, EXPR)                                                              \
    H exec_##name(Cpu *c, const Insn *d)                                               \
    {                                                                                  \
        uint64_t x = c->x[d->rn];                                                      \
        c->x[d->rd] = (EXPR);                                                          \
        return insn_next(c, d + 1);                                                    \
    }

#define REV16_MASK 0x00ff00ff00ff00ffull

UNARY(rbit64, rbit64(x))
UNARY(rbit32, rbit64((uint32_t)x) >> 32)
UNARY(rev16_64, ((x >> 8) & REV16_MASK) | ((x & REV16_MASK) << 8))
UNARY(rev16_32, ((x >> 8) & 0x00ff00ffull) | ((x & 0x00ff00ffull) << 8))
UNARY(rev32_64, ror64(__builtin_bswap64(x), 32))
UNARY(rev64, __builtin_bswap64(x))
UNARY(rev32, __builtin_bswap32((uint32_t)x))
UNARY(clz64, clz64(x))
UNARY(clz32, clz32((uint32_t)x))
UNARY(cls64, cls64(x))
UNARY(cls32, cls32((uint32_t)x))

static void decode_dp1(uint32_t raw, Insn *d)
{
    /* [opcode][sf]; opcode2 != 0 is PAC (not implemented). */
    static const InsnFn fns[6][2] = {
        {exec_rbit32, exec_rbit64},  {exec_rev16_32, exec_rev16_64},
        {exec_rev32, exec_rev32_64},  {NULL, exec_rev64},
        {exec_clz32, exec_clz64},     {exec_cls32, exec_cls64},
    };
    unsigned opcode = bits(raw, 15, 10);
    if (bit(raw, 29) || bits(raw, 20, 16) != 0 || opcode >= 6)
        return;
    InsnFn fn = fns[opcode][bit(raw, 31)];
    if (!fn)
        return;
    d->rd = reg_zr_dst(bits(raw, 4, 0));
    d->rn = reg_zr(bits(raw, 9, 5));
    d->fn = fn;
}

/* ------------------------------------------ data processing, 2 source ---- */

#define BINARY(name, T, EXPR)                                                          \
    H exec_##name(Cpu *c, const Insn *d)                                               \
    {                                                                                  \
        T n = (T)c->x[d->rn], m = (T)c->x[d->rm];                                      \
        c->x[d->rd] = (T)(EXPR);                                                       \
        return insn_next(c, d + 1);                                                    \
    }

BINARY(udiv64, uint64_t, m ? n / m : 0)
BINARY(udiv32, uint32_t, m ? n / m : 0)
BINARY(sdiv64, uint64_t,
       m == 0 ? 0 : (m == ~0ull ? -n : (uint64_t)((int64_t)n / (int64_t)m)))
BINARY(sdiv32, uint32_t,
       m == 0 ? 0 : (m == ~0u ? -n : (uint32_t)((int32_t)n / (int32_t)m)))
BINARY(lslv64, uint64_t, n << (m & 63))
BINARY(lslv32, uint32_t, n << (m & 31))
BINARY(lsrv64, uint64_t, n >> (m & 63))
BINARY(lsrv32, uint32_t, n >> (m & 31))
BINARY(asrv64, uint64_t, (int64_t)n >> (m & 63))
BINARY(asrv32, uint32_t, (int32_t)n >> (m & 31))
BINARY(rorv64, uint64_t, ror64(n, (unsigned)m))
BINARY(rorv32, uint32_t, ror32(n, m))

static void decode_dp2(uint32_t raw, Insn *d)
{
    static const InsnFn fns[12][2] = {
        [2] = {exec_udiv32, exec_udiv64},   [3] = {exec_sdiv32, exec_sdiv64},
        [8] = {exec_lslv32, exec_lslv64},   [9] = {exec_lsrv32, exec_lsrv64},
        [10] = {exec_asrv32, exec_asrv64},  [11] = {exec_rorv32, exec_rorv64},
    };
    /* S=1 (SUBPS) and opcodes 0 (SUBP), 4 (IRG), 5 (GMI) and 12 (PACGA)
     * belong to features Tandem does not implement; 16..23 are CRC32*. */
    unsigned opcode = bits(raw, 15, 10);
    if (opcode >= 16 && opcode < 24) {
        decode_crc32(raw, d);
        return;
    }
    if (bit(raw, 29) || opcode >= 12 || !fns[opcode][0])
        return;
    d->rd = reg_zr_dst(bits(raw, 4, 0));
    d->rn = reg_zr(bits(raw, 9, 5));
    d->rm = reg_zr(bits(raw, 20, 16));
    d->fn = fns[opcode][bit(raw, 31)];
}

/* ------------------------------------------ data processing, 3 source ---- */

#define TERNARY(name, EXPR)                                                            \
    H exec_##name(Cpu *c, const Insn *d)                                               \
    {                                                                                  \
        uint64_t n = c->x[d->rn], m = c->x[d->rm], a = c->x[d->ra];                    \
        (void)a;                                                                       \
        c->x[d->rd] = (EXPR);                                                          \
        return insn_next(c, d + 1);                                                    \
    }

TERNARY(madd64, a + n * m)
TERNARY(madd32, (uint32_t)(a + n * m))
TERNARY(msub64, a - n * m)
TERNARY(msub32, (uint32_t)(a - n * m))
TERNARY(mul64, n * m)
TERNARY(mul32, (uint32_t)(n * m))
TERNARY(smaddl, a + (uint64_t)((int64_t)(int32_t)n * (int32_t)m))
TERNARY(smsubl, a - (uint64_t)((int64_t)(int32_t)n * (int32_t)m))
TERNARY(umaddl, a + (uint64_t)(uint32_t)n * (uint32_t)m)
TERNARY(umsubl, a - (uint64_t)(uint32_t)n * (uint32_t)m)
TERNARY(smulh, (uint64_t)(((__int128)(int64_t)n * (int64_t)m) >> 64))
TERNARY(umulh, (uint64_t)(((unsigned __int128)n * m) >> 64))

static void decode_dp3(uint32_t raw, Insn *d)
{
    bool sf = bit(raw, 31);
    unsigned op54 = bits(raw, 30, 29), op31 = bits(raw, 23, 21), o0 = bit(raw, 15);
    unsigned ra = bits(raw, 14, 10);
    if (op54 != 0)
        return;
    InsnFn fn = NULL;
    if (op31 == 0) {
        if (!o0 && ra == 31)
            fn = sf ? exec_mul64 : exec_mul32;
        else if (!o0)
            fn = sf ? exec_madd64 : exec_madd32;
        else
            fn = sf ? exec_msub64 : exec_msub32;
    } else if (sf) {
        switch (op31) {
        case 1: fn = o0 ? exec_smsubl : exec_smaddl; break;
        case 2: fn = o0 ? NULL : exec_smulh; break;
        case 5: fn = o0 ? exec_umsubl : exec_umaddl; break;
        case 6: fn = o0 ? NULL : exec_umulh; break;
        default: break;
        }
    }
    if (!fn)
        return;
    d->rd = reg_zr_dst(bits(raw, 4, 0));
    d->rn = reg_zr(bits(raw, 9, 5));
    d->rm = reg_zr(bits(raw, 20, 16));
    d->ra = reg_zr(ra);
    d->fn = fn;
}

/* ------------------------------------------------------------------------ */

bool decode_dp_reg(uint32_t raw, Insn *d)
{
    if (bits(raw, 27, 25) != 5)
        return false;
    if (!bit(raw, 28)) {
        if (!bit(raw, 24))
            decode_logic_reg(raw, d);
        else if (!bit(raw, 21))
            decode_addsub_shift(raw, d);
        else
            decode_addsub_ext(raw, d);
        return true;
    }
    if (bit(raw, 24)) {
        decode_dp3(raw, d);
        return true;
    }
    switch (bits(raw, 23, 21)) {
    case 0: decode_adc(raw, d); break;
    case 2: decode_ccmp(raw, d); break;
    case 4: decode_csel(raw, d); break;
    case 6:
        if (bit(raw, 30))
            decode_dp1(raw, d);
        else
            decode_dp2(raw, d);
        break;
    default: break; /* unallocated */
    }
    return true;
}
