/* AdvSIMD copy (DUP, INS, UMOV, SMOV, scalar DUP), modified immediate (MOVI,
 * MVNI, ORR, BIC, FMOV), permute (ZIP1/2, UZP1/2, TRN1/2), extract (EXT) and
 * table lookup (TBL, TBX).
 *
 * Vector register numbers are kept as plain 0..31 in rd/rn/rm; general
 * registers are mapped with reg_zr/reg_zr_dst. Everything the handlers need
 * (lane index, element size, Q) is fixed at decode time. */
#include <string.h>

#include "cpu/insn.h"

#define HOT __attribute__((always_inline)) inline

/* All-ones when Q=1, zero when Q=0: ANDed into the upper 64 bits of a result. */
static HOT uint64_t hi_mask(const Insn *d) { return -(uint64_t)d->f3; }

/* Multiplier that replicates an element of 1 << lsz bytes over 64 bits. */
static uint64_t repl_mult(unsigned lsz)
{
    static const uint64_t m[4] = {0x0101010101010101ull, 0x0001000100010001ull,
                                  0x0000000100000001ull, 1};
    return m[lsz];
}

/* ---------------------------------------------------------------- copy ---- */

/* DUP (element), vector and scalar: the element is bits f1.. of 64-bit half f0
 * of Vn, masked with ~0 >> f2, replicated by multiplying with imm; f3 = Q. */
static const Insn *exec_dup_elem(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    uint64_t v = ((c->v[d->rn].d[d->f0] >> d->f1) & (~0ull >> d->f2)) * d->imm;
    VReg *r = &c->v[d->rd];
    r->d[0] = v;
    r->d[1] = v & hi_mask(d);
    return insn_next(c, d + 1);
}

/* DUP (general): same with the element taken from Xn/Wn. */
static const Insn *exec_dup_gen(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    uint64_t v = (c->x[d->rn] & (~0ull >> d->f2)) * d->imm;
    VReg *r = &c->v[d->rd];
    r->d[0] = v;
    r->d[1] = v & hi_mask(d);
    return insn_next(c, d + 1);
}

/* INS (general): Vd.T[f0] = Rn.  INS (element): Vd.T[f0] = Vn.T[f1].
 * UMOV: Rd = Vn.T[f0]. */
#define COPY_HANDLERS(sfx, lane, ty)                                               \
    static const Insn *exec_ins_gen_##sfx(Cpu *c, const Insn *d)                   \
    {                                                                              \
        fp_check(c, d);                                                            \
        c->v[d->rd].lane[d->f0] = (ty)c->x[d->rn];                                 \
        return insn_next(c, d + 1);                                                \
    }                                                                              \
    static const Insn *exec_ins_elem_##sfx(Cpu *c, const Insn *d)                  \
    {                                                                              \
        fp_check(c, d);                                                            \
        c->v[d->rd].lane[d->f0] = c->v[d->rn].lane[d->f1];                         \
        return insn_next(c, d + 1);                                                \
    }                                                                              \
    static const Insn *exec_umov_##sfx(Cpu *c, const Insn *d)                      \
    {                                                                              \
        fp_check(c, d);                                                            \
        c->x[d->rd] = c->v[d->rn].lane[d->f0];                                     \
        return insn_next(c, d + 1);                                                \
    }

#define SMOV_HANDLER(w, sfx, slane, ty)                                            \
    static const Insn *exec_smov_##w##_##sfx(Cpu *c, const Insn *d)                \
    {                                                                              \
        fp_check(c, d);                                                            \
        c->x[d->rd] = (ty)c->v[d->rn].slane[d->f0];                                \
        return insn_next(c, d + 1);                                                \
    }

COPY_HANDLERS(b, b, uint8_t)
COPY_HANDLERS(h, h, uint16_t)
COPY_HANDLERS(s, s, uint32_t)
COPY_HANDLERS(d, d, uint64_t)
/* W forms: the sign-extended value truncated to 32 bits, zero-extended. */
SMOV_HANDLER(w, b, sb, uint32_t)
SMOV_HANDLER(w, h, sh, uint32_t)
SMOV_HANDLER(x, b, sb, uint64_t)
SMOV_HANDLER(x, h, sh, uint64_t)
SMOV_HANDLER(x, s, ss, uint64_t)

static const InsnFn ins_gen_fn[4] = {exec_ins_gen_b, exec_ins_gen_h, exec_ins_gen_s,
                                     exec_ins_gen_d};
static const InsnFn ins_elem_fn[4] = {exec_ins_elem_b, exec_ins_elem_h, exec_ins_elem_s,
                                      exec_ins_elem_d};
static const InsnFn umov_fn[4] = {exec_umov_b, exec_umov_h, exec_umov_s, exec_umov_d};
static const InsnFn smov_x_fn[3] = {exec_smov_x_b, exec_smov_x_h, exec_smov_x_s};
static const InsnFn smov_w_fn[2] = {exec_smov_w_b, exec_smov_w_h};

/* Element size (log2 bytes) from imm5: the lowest set bit; 4 if reserved. */
static unsigned imm5_size(unsigned imm5)
{
    return imm5 & 0xf ? (unsigned)__builtin_ctz(imm5) : 4;
}

static void set_dup_elem(Insn *d, unsigned size, unsigned index, bool q)
{
    unsigned bitpos = (index << size) * 8; /* 0..120 */
    d->fn = exec_dup_elem;
    d->f0 = (uint8_t)(bitpos >> 6);
    d->f1 = (uint8_t)(bitpos & 63);
    d->f2 = (uint8_t)(64 - (8u << size));
    d->f3 = q;
    d->imm = repl_mult(size);
}

/* AdvSIMD copy: 0 Q op 01110000 imm5 0 imm4 1 Rn Rd */
static void decode_copy(uint32_t raw, Insn *d)
{
    bool q = bit(raw, 30), op = bit(raw, 29);
    unsigned imm5 = bits(raw, 20, 16), imm4 = bits(raw, 14, 11);
    unsigned rn = bits(raw, 9, 5), rd = bits(raw, 4, 0);
    unsigned size = imm5_size(imm5);
    if (size > 3)
        return;
    unsigned index = imm5 >> (size + 1);

    if (op) { /* INS (element) */
        if (!q)
            return;
        d->fn = ins_elem_fn[size];
        d->rd = (uint8_t)rd;
        d->rn = (uint8_t)rn;
        d->f0 = (uint8_t)index;
        d->f1 = (uint8_t)(imm4 >> size);
        return;
    }
    switch (imm4) {
    case 0: /* DUP (element) */
        if (size == 3 && !q)
            return;
        set_dup_elem(d, size, index, q);
        d->rd = (uint8_t)rd;
        d->rn = (uint8_t)rn;
        return;
    case 1: /* DUP (general) */
        if (size == 3 && !q)
            return;
        d->fn = exec_dup_gen;
        d->rd = (uint8_t)rd;
        d->rn = reg_zr(rn);
        d->f2 = (uint8_t)(64 - (8u << size));
        d->f3 = q;
        d->imm = repl_mult(size);
        return;
    case 3: /* INS (general) */
        if (!q)
            return;
        d->fn = ins_gen_fn[size];
        d->rd = (uint8_t)rd;
        d->rn = reg_zr(rn);
        d->f0 = (uint8_t)index;
        return;
    case 5: /* SMOV */
        if (q ? size > 2 : size > 1)
            return;
        d->fn = q ? smov_x_fn[size] : smov_w_fn[size];
        break;
    case 7: /* UMOV */
        if (q ? size != 3 : size == 3)
            return;
        d->fn = umov_fn[size];
        break;
    default:
        return;
    }
    d->rd = reg_zr_dst(rd);
    d->rn = (uint8_t)rn;
    d->f0 = (uint8_t)index;
}

/* AdvSIMD scalar copy: 01 op 11110000 imm5 0 imm4 1 Rn Rd; only DUP (element). */
static void decode_scalar_copy(uint32_t raw, Insn *d)
{
    unsigned imm5 = bits(raw, 20, 16), size = imm5_size(imm5);
    if (bit(raw, 29) || bits(raw, 14, 11) != 0 || size > 3)
        return;
    set_dup_elem(d, size, imm5 >> (size + 1), false);
    d->imm = 1;
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);
}

/* ---------------------------------------------------- modified immediate ---- */

/* imm: the 64-bit pattern (inverted for BIC); f3 = Q. */
static const Insn *exec_movi(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    VReg *r = &c->v[d->rd];
    r->d[0] = d->imm;
    r->d[1] = d->imm & hi_mask(d);
    return insn_next(c, d + 1);
}

static const Insn *exec_orr_imm(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    VReg *r = &c->v[d->rd];
    r->d[0] |= d->imm;
    r->d[1] = (r->d[1] | d->imm) & hi_mask(d);
    return insn_next(c, d + 1);
}

static const Insn *exec_bic_imm(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    VReg *r = &c->v[d->rd];
    r->d[0] &= d->imm;
    r->d[1] &= d->imm & hi_mask(d);
    return insn_next(c, d + 1);
}

static uint64_t repl32(uint64_t v) { return v | v << 32; }
static uint64_t repl16(uint64_t v) { return repl32(v | v << 16); }

/* AdvSIMDExpandImm for every cmode/op. */
static uint64_t expand_imm(unsigned op, unsigned cmode, uint64_t imm8)
{
    switch (cmode >> 1) {
    case 0: return repl32(imm8);
    case 1: return repl32(imm8 << 8);
    case 2: return repl32(imm8 << 16);
    case 3: return repl32(imm8 << 24);
    case 4: return repl16(imm8);
    case 5: return repl16(imm8 << 8);
    case 6: return repl32(cmode & 1 ? imm8 << 16 | 0xffff : imm8 << 8 | 0xff);
    default:
        break;
    }
    if (!(cmode & 1)) {
        if (!op)
            return imm8 * 0x0101010101010101ull;
        uint64_t v = 0;
        for (unsigned i = 0; i < 8; i++)
            if (imm8 & (1u << i))
                v |= 0xffull << (8 * i);
        return v;
    }
    /* FMOV: sign, NOT(b6), b6 replicated, b5..b0 into a single or double. */
    uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, low = imm8 & 0x3f;
    if (!op)
        return repl32(sign << 31 | (b6 ^ 1) << 30 | (b6 ? 0x1full : 0) << 25 | low << 19);
    return sign << 63 | (b6 ^ 1) << 62 | (b6 ? 0xffull : 0) << 54 | low << 48;
}

/* AdvSIMD modified immediate: 0 Q op 0111100000 abc cmode o2 1 defgh Rd */
static void decode_mod_imm(uint32_t raw, Insn *d)
{
    bool q = bit(raw, 30);
    unsigned op = bit(raw, 29), cmode = bits(raw, 15, 12);
    if (bit(raw, 11))
        return; /* o2=1: FMOV (half-precision) needs FEAT_FP16; the rest is unallocated */
    if (op && cmode == 0xf && !q)
        return;
    uint64_t imm = expand_imm(op, cmode, bits(raw, 18, 16) << 5 | bits(raw, 9, 5));
    bool logic = cmode < 12 && (cmode & 1); /* ORR / BIC */
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->f3 = q;
    if (logic) {
        d->fn = op ? exec_bic_imm : exec_orr_imm;
        d->imm = op ? ~imm : imm;
    } else {
        d->fn = exec_movi;
        /* MVNI: op=1 with cmode 0xx0, 10x0, 110x */
        d->imm = op && cmode < 14 ? ~imm : imm;
    }
}

/* ------------------------------------------------------------- permute ---- */

/* One handler per operation, element size and Q. N = elements in the vector.
 * The sources are read in full before Vd is written. */
#define PERM_BODY_zip1(L) for (unsigned i = 0; i < N / 2; i++) { r.L[2 * i] = a.L[i]; r.L[2 * i + 1] = b.L[i]; }
#define PERM_BODY_zip2(L) for (unsigned i = 0; i < N / 2; i++) { r.L[2 * i] = a.L[N / 2 + i]; r.L[2 * i + 1] = b.L[N / 2 + i]; }
#define PERM_BODY_uzp1(L) for (unsigned i = 0; i < N / 2; i++) { r.L[i] = a.L[2 * i]; r.L[N / 2 + i] = b.L[2 * i]; }
#define PERM_BODY_uzp2(L) for (unsigned i = 0; i < N / 2; i++) { r.L[i] = a.L[2 * i + 1]; r.L[N / 2 + i] = b.L[2 * i + 1]; }
#define PERM_BODY_trn1(L) for (unsigned i = 0; i < N / 2; i++) { r.L[2 * i] = a.L[2 * i]; r.L[2 * i + 1] = b.L[2 * i]; }
#define PERM_BODY_trn2(L) for (unsigned i = 0; i < N / 2; i++) { r.L[2 * i] = a.L[2 * i + 1]; r.L[2 * i + 1] = b.L[2 * i + 1]; }

#define PERM_FN(op, L, N_, q)                                                      \
    static const Insn *exec_##op##_##L##q(Cpu *c, const Insn *d)                   \
    {                                                                              \
        enum { N = N_ };                                                           \
        fp_check(c, d);                                                            \
        VReg a = c->v[d->rn], b = c->v[d->rm], r;                                  \
        r.d[1] = 0;                                                                \
        _Pragma("GCC unroll 16")                                                   \
        PERM_BODY_##op(L)                                                          \
        c->v[d->rd] = r;                                                           \
        return insn_next(c, d + 1);                                                \
    }
#define PERM_OP(op)                                                                \
    PERM_FN(op, b, 8, 0) PERM_FN(op, b, 16, 1) PERM_FN(op, h, 4, 0)                \
    PERM_FN(op, h, 8, 1) PERM_FN(op, s, 2, 0) PERM_FN(op, s, 4, 1) PERM_FN(op, d, 2, 1)
PERM_OP(zip1) PERM_OP(zip2) PERM_OP(uzp1) PERM_OP(uzp2) PERM_OP(trn1) PERM_OP(trn2)

#define PERM_ROW(op) {{exec_##op##_b0, exec_##op##_b1}, {exec_##op##_h0, exec_##op##_h1}, \
                      {exec_##op##_s0, exec_##op##_s1}, {NULL, exec_##op##_d1}}
/* [opcode bits 14:12][size][Q]; opcodes 000 and 100 are unallocated. */
static const InsnFn perm_fn[8][4][2] = {
    [1] = PERM_ROW(uzp1), [2] = PERM_ROW(trn1), [3] = PERM_ROW(zip1),
    [5] = PERM_ROW(uzp2), [6] = PERM_ROW(trn2), [7] = PERM_ROW(zip2),
};

/* AdvSIMD permute: 0 Q 001110 size 0 Rm 0 opcode 10 Rn Rd */
static void decode_permute(uint32_t raw, Insn *d)
{
    InsnFn fn = perm_fn[bits(raw, 14, 12)][bits(raw, 23, 22)][bit(raw, 30)];
    if (!fn)
        return;
    d->fn = fn;
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);
    d->rm = (uint8_t)bits(raw, 20, 16);
}

/* ------------------------------------------------------------- extract ---- */

/* EXT with a non-zero byte position: f0 = 8 * imm4, f1 = width - f0. */
static const Insn *exec_ext_q(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    unsigned __int128 v = c->v[d->rn].q >> d->f0 | c->v[d->rm].q << d->f1;
    c->v[d->rd].q = v;
    return insn_next(c, d + 1);
}

static const Insn *exec_ext_d(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    uint64_t v = c->v[d->rn].d[0] >> d->f0 | c->v[d->rm].d[0] << d->f1;
    vreg_set(&c->v[d->rd], v, 0);
    return insn_next(c, d + 1);
}

/* EXT #0: Vd = Vn (the lower half only when Q=0). */
static const Insn *exec_ext0(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    VReg *r = &c->v[d->rd];
    uint64_t hi = c->v[d->rn].d[1] & hi_mask(d);
    r->d[0] = c->v[d->rn].d[0];
    r->d[1] = hi;
    return insn_next(c, d + 1);
}

/* AdvSIMD extract: 0 Q 101110 op2 0 Rm 0 imm4 0 Rn Rd */
static void decode_ext(uint32_t raw, Insn *d)
{
    bool q = bit(raw, 30);
    unsigned imm4 = bits(raw, 14, 11);
    if (bits(raw, 23, 22) != 0 || (!q && imm4 >= 8))
        return;
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);
    d->rm = (uint8_t)bits(raw, 20, 16);
    d->f3 = q;
    if (imm4 == 0) {
        d->fn = exec_ext0;
        return;
    }
    d->fn = q ? exec_ext_q : exec_ext_d;
    d->f0 = (uint8_t)(8 * imm4);
    d->f1 = (uint8_t)((q ? 128 : 64) - 8 * imm4);
}

/* -------------------------------------------------------- table lookup ---- */

/* TBL/TBX with `len` table registers Vn..Vn+len-1 (modulo 32). Out-of-range
 * indices give 0 (TBL) or leave the lane of Vd (TBX). */
static HOT const Insn *table_lookup(Cpu *c, const Insn *d, unsigned len, bool tbx, bool q)
{
    fp_check(c, d);
    uint8_t tab[64];
    for (unsigned k = 0; k < len; k++)
        memcpy(tab + 16 * k, &c->v[(d->rn + k) & 31], 16);
    VReg idx = c->v[d->rm], r;
    if (tbx)
        r = c->v[d->rd];
    else
        r.q = 0;
    /* Branch-free: the indices are data, so a branch per lane mispredicts. */
    for (unsigned i = 0; i < 16; i++) {
        unsigned x = idx.b[i];
        uint8_t t = tab[x & 63];
        r.b[i] = x < 16 * len ? t : r.b[i];
    }
    if (!q)
        r.d[1] = 0;
    c->v[d->rd] = r;
    return insn_next(c, d + 1);
}

#define TBL_FN(len, tbx, q)                                                        \
    static const Insn *exec_tb##len##_##tbx##q(Cpu *c, const Insn *d)              \
    {                                                                              \
        return table_lookup(c, d, len, tbx, q);                                    \
    }
#define TBL_LEN(len) TBL_FN(len, 0, 0) TBL_FN(len, 0, 1) TBL_FN(len, 1, 0) TBL_FN(len, 1, 1)
TBL_LEN(1) TBL_LEN(2) TBL_LEN(3) TBL_LEN(4)
#define TBL_ROW(len) {{exec_tb##len##_00, exec_tb##len##_01}, {exec_tb##len##_10, exec_tb##len##_11}}
/* [len-1][op][Q] */
static const InsnFn tbl_fn[4][2][2] = {TBL_ROW(1), TBL_ROW(2), TBL_ROW(3), TBL_ROW(4)};

/* AdvSIMD table lookup: 0 Q 001110 op2 0 Rm 0 len op 00 Rn Rd */
static void decode_tbl(uint32_t raw, Insn *d)
{
    if (bits(raw, 23, 22) != 0)
        return;
    d->fn = tbl_fn[bits(raw, 14, 13)][bit(raw, 12)][bit(raw, 30)];
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);
    d->rm = (uint8_t)bits(raw, 20, 16);
}

/* -------------------------------------------------------------- decoder ---- */

bool decode_simd_perm(uint32_t raw, Insn *d)
{
    if ((raw & 0x9fe08400) == 0x0e000400) { /* copy */
        decode_copy(raw, d);
        return true;
    }
    if ((raw & 0xdfe08400) == 0x5e000400) { /* scalar copy */
        decode_scalar_copy(raw, d);
        return true;
    }
    if ((raw & 0x9ff80400) == 0x0f000400) { /* modified immediate */
        decode_mod_imm(raw, d);
        return true;
    }
    if ((raw & 0xbf208c00) == 0x0e000000) { /* table lookup */
        decode_tbl(raw, d);
        return true;
    }
    if ((raw & 0xbf208c00) == 0x0e000800) { /* permute */
        decode_permute(raw, d);
        return true;
    }
    if ((raw & 0xbf208400) == 0x2e000000) { /* extract */
        decode_ext(raw, d);
        return true;
    }
    return false;
}
