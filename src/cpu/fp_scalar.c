/* Scalar floating point: data processing with 1, 2 and 3 sources, compares,
 * conditional compare and select, FMOV (register, immediate, general),
 * conversions between precisions, to and from integers and fixed point.
 *
 * rd/rn/rm/ra are SIMD&FP register numbers, except the general register of
 * FMOV (general) and the integer conversions (mapped with reg_zr/reg_zr_dst).
 * Half-precision arithmetic (ftype=11) is FEAT_FP16 and is not implemented:
 * only FCVT to and from half precision exists on ARMv8.0. */
#include "cpu/fpu.h"
#include "cpu/insn.h"

static inline uint32_t get_s(const Cpu *c, unsigned r) { return c->v[r].s[0]; }
static inline uint64_t get_d(const Cpu *c, unsigned r) { return c->v[r].d[0]; }
/* A scalar write clears the rest of the 128-bit register. */
static inline void set_scalar(Cpu *c, unsigned r, uint64_t v)
{
    vreg_set(&c->v[r], v, 0);
}

#define SGN32 0x80000000u
#define SGN64 0x8000000000000000ull

/* ---- 2 source ---- */
#define DP2(name, expr32, expr64)                                                          \
    static const Insn *exec_##name##_s(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        uint32_t a = get_s(c, d->rn), b = get_s(c, d->rm);                                 \
        set_scalar(c, d->rd, (expr32));                                                    \
        return insn_next(c, d + 1);                                                        \
    }                                                                                      \
    static const Insn *exec_##name##_d(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        uint64_t a = get_d(c, d->rn), b = get_d(c, d->rm);                                 \
        set_scalar(c, d->rd, (expr64));                                                    \
        return insn_next(c, d + 1);                                                        \
    }
DP2(fmul, fpu_mul32(c, a, b), fpu_mul64(c, a, b))
DP2(fdiv, fpu_div32(c, a, b), fpu_div64(c, a, b))
DP2(fadd, fpu_add32(c, a, b), fpu_add64(c, a, b))
DP2(fsub, fpu_sub32(c, a, b), fpu_sub64(c, a, b))
DP2(fmax, fpu_minmax32(c, a, b, FMM_MAX), fpu_minmax64(c, a, b, FMM_MAX))
DP2(fmin, fpu_minmax32(c, a, b, FMM_MIN), fpu_minmax64(c, a, b, FMM_MIN))
DP2(fmaxnm, fpu_minmax32(c, a, b, FMM_MAXNM), fpu_minmax64(c, a, b, FMM_MAXNM))
DP2(fminnm, fpu_minmax32(c, a, b, FMM_MINNM), fpu_minmax64(c, a, b, FMM_MINNM))
DP2(fnmul, fpu_mul32(c, a, b) ^ SGN32, fpu_mul64(c, a, b) ^ SGN64)

static const InsnFn dp2_fn[9][2] = {
    {exec_fmul_s, exec_fmul_d},     {exec_fdiv_s, exec_fdiv_d},
    {exec_fadd_s, exec_fadd_d},     {exec_fsub_s, exec_fsub_d},
    {exec_fmax_s, exec_fmax_d},     {exec_fmin_s, exec_fmin_d},
    {exec_fmaxnm_s, exec_fmaxnm_d}, {exec_fminnm_s, exec_fminnm_d},
    {exec_fnmul_s, exec_fnmul_d},
};

/* ---- 3 source: FMADD a+n*m, FMSUB a-n*m, FNMADD -a-n*m, FNMSUB -a+n*m ---- */
#define DP3(name, na, nn)                                                                  \
    static const Insn *exec_##name##_s(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        set_scalar(c, d->rd,                                                               \
                   fpu_fma32(c, get_s(c, d->ra) ^ (na ? SGN32 : 0),                        \
                             get_s(c, d->rn) ^ (nn ? SGN32 : 0), get_s(c, d->rm)));        \
        return insn_next(c, d + 1);                                                        \
    }                                                                                      \
    static const Insn *exec_##name##_d(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        set_scalar(c, d->rd,                                                               \
                   fpu_fma64(c, get_d(c, d->ra) ^ (na ? SGN64 : 0),                        \
                             get_d(c, d->rn) ^ (nn ? SGN64 : 0), get_d(c, d->rm)));        \
        return insn_next(c, d + 1);                                                        \
    }
DP3(fmadd, 0, 0)
DP3(fmsub, 0, 1)
DP3(fnmadd, 1, 1)
DP3(fnmsub, 1, 0)

static const InsnFn dp3_fn[4][2] = {
    {exec_fmadd_s, exec_fmadd_d},
    {exec_fmsub_s, exec_fmsub_d},
    {exec_fnmadd_s, exec_fnmadd_d},
    {exec_fnmsub_s, exec_fnmsub_d},
};

/* ---- 1 source ---- */
static const Insn *exec_fmov_s(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, get_s(c, d->rn));
    return insn_next(c, d + 1);
}
static const Insn *exec_fmov_d(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, get_d(c, d->rn));
    return insn_next(c, d + 1);
}
static const Insn *exec_fabs_s(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, get_s(c, d->rn) & ~SGN32);
    return insn_next(c, d + 1);
}
static const Insn *exec_fabs_d(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, get_d(c, d->rn) & ~SGN64);
    return insn_next(c, d + 1);
}
static const Insn *exec_fneg_s(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, get_s(c, d->rn) ^ SGN32);
    return insn_next(c, d + 1);
}
static const Insn *exec_fneg_d(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, get_d(c, d->rn) ^ SGN64);
    return insn_next(c, d + 1);
}
static const Insn *exec_fsqrt_s(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, fpu_sqrt32(c, get_s(c, d->rn)));
    return insn_next(c, d + 1);
}
static const Insn *exec_fsqrt_d(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, fpu_sqrt64(c, get_d(c, d->rn)));
    return insn_next(c, d + 1);
}

/* FCVT Dd, Sn: exact; a normal single is rebiased directly. */
static const Insn *exec_fcvt_sd(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    uint32_t a = get_s(c, d->rn), e = (a >> 23) & 0xff;
    uint64_t r;
    if (__builtin_expect(e - 1 < 0xfeu, 1))
        r = (uint64_t)(a >> 31) << 63 | (uint64_t)(e + 1023 - 127) << 52 |
            (uint64_t)(a & 0x7fffff) << 29;
    else
        r = fpu_cvt_s_to_d(c, a);
    set_scalar(c, d->rd, r);
    return insn_next(c, d + 1);
}

/* FCVT Sd, Dn: the host conversion under the fpu.h fast-path rules. */
static const Insn *exec_fcvt_ds(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    uint64_t a = get_d(c, d->rn);
    if (__builtin_expect(fpu_fast64(c, a, 0, 0), 1)) {
        double x = f64_of(a);
        float r;
        uint32_t m;
        fpu_pre(c);
        FPU_CVT_D_TO_S(r, x);
        FPU_FLAGS(m, r);
        if (fpu_accept32(c, m, bits_f32(r))) {
            set_scalar(c, d->rd, bits_f32(r));
            return insn_next(c, d + 1);
        }
    }
    set_scalar(c, d->rd, fpu_cvt_d_to_s(c, a));
    return insn_next(c, d + 1);
}

/* FCVT to and from half precision: f0 = source type, f1 = destination type
 * (0 S, 1 D, 3 H). */
static const Insn *exec_fcvt_h(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    const VReg *n = &c->v[d->rn];
    uint64_t r;
    switch (d->f0 * 4 + d->f1) {
    case 0 * 4 + 3: r = fpu_cvt_s_to_h(c, n->s[0]); break;
    case 1 * 4 + 3: r = fpu_cvt_d_to_h(c, n->d[0]); break;
    case 3 * 4 + 0: r = fpu_cvt_h_to_s(c, n->h[0]); break;
    default: r = fpu_cvt_h_to_d(c, n->h[0]); break;
    }
    set_scalar(c, d->rd, r);
    return insn_next(c, d + 1);
}

/* FRINT*: f0 = rounding (FPR_*, or 0xff for FPCR), f1 = FRINTX. */
static inline int rint_mode(const Cpu *c, const Insn *d)
{
    return d->f0 == 0xff ? (int)fpu_rmode(c) : d->f0;
}
static const Insn *exec_frint_s(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, fpu_rint32(c, get_s(c, d->rn), rint_mode(c, d), d->f1));
    return insn_next(c, d + 1);
}
static const Insn *exec_frint_d(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, fpu_rint64(c, get_d(c, d->rn), rint_mode(c, d), d->f1));
    return insn_next(c, d + 1);
}

/* ---- compares ---- */
/* f0 = signalling (FCMPE) */
static const Insn *exec_fcmp_s(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    c->nzcv = fpu_fcmp32(c, get_s(c, d->rn), get_s(c, d->rm), d->f0);
    return insn_next(c, d + 1);
}
static const Insn *exec_fcmp_d(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    c->nzcv = fpu_fcmp64(c, get_d(c, d->rn), get_d(c, d->rm), d->f0);
    return insn_next(c, d + 1);
}
static const Insn *exec_fcmp0_s(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    c->nzcv = fpu_fcmp32(c, get_s(c, d->rn), 0, d->f0);
    return insn_next(c, d + 1);
}
static const Insn *exec_fcmp0_d(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    c->nzcv = fpu_fcmp64(c, get_d(c, d->rn), 0, d->f0);
    return insn_next(c, d + 1);
}
/* FCCMP/FCCMPE: f0 = signalling, f1 = cond, f2 = nzcv if the cond fails */
static const Insn *exec_fccmp_s(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    c->nzcv = cond_holds(c, d->f1) ? fpu_fcmp32(c, get_s(c, d->rn), get_s(c, d->rm), d->f0) : d->f2;
    return insn_next(c, d + 1);
}
static const Insn *exec_fccmp_d(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    c->nzcv = cond_holds(c, d->f1) ? fpu_fcmp64(c, get_d(c, d->rn), get_d(c, d->rm), d->f0) : d->f2;
    return insn_next(c, d + 1);
}
/* FCSEL: f1 = cond; d->imm = element mask */
static const Insn *exec_fcsel(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    unsigned src = cond_holds(c, d->f1) ? d->rn : d->rm;
    set_scalar(c, d->rd, c->v[src].d[0] & d->imm);
    return insn_next(c, d + 1);
}

/* FMOV (scalar, immediate): the expanded value in imm */
static const Insn *exec_fmov_imm(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, d->imm);
    return insn_next(c, d + 1);
}

/* ---- FMOV (general) ---- */
static const Insn *exec_fmov_ws(Cpu *c, const Insn *d) /* Sd <- Wn */
{
    fp_check(c, d);
    set_scalar(c, d->rd, (uint32_t)c->x[d->rn]);
    return insn_next(c, d + 1);
}
static const Insn *exec_fmov_xd(Cpu *c, const Insn *d) /* Dd <- Xn */
{
    fp_check(c, d);
    set_scalar(c, d->rd, c->x[d->rn]);
    return insn_next(c, d + 1);
}
static const Insn *exec_fmov_sw(Cpu *c, const Insn *d) /* Wd <- Sn */
{
    fp_check(c, d);
    c->x[d->rd] = c->v[d->rn].s[0];
    return insn_next(c, d + 1);
}
static const Insn *exec_fmov_dx(Cpu *c, const Insn *d) /* Xd <- Dn */
{
    fp_check(c, d);
    c->x[d->rd] = c->v[d->rn].d[0];
    return insn_next(c, d + 1);
}
static const Insn *exec_fmov_top_to_x(Cpu *c, const Insn *d) /* Xd <- Vn.D[1] */
{
    fp_check(c, d);
    c->x[d->rd] = c->v[d->rn].d[1];
    return insn_next(c, d + 1);
}
static const Insn *exec_fmov_x_to_top(Cpu *c, const Insn *d) /* Vd.D[1] <- Xn */
{
    fp_check(c, d);
    c->v[d->rd].d[1] = c->x[d->rn];
    return insn_next(c, d + 1);
}

/* ---- integer and fixed-point conversions ---- */
/* FP -> int: f0 = rounding (FPR_*), f1 = unsigned, f2 = int bits, f3 = fbits */
static const Insn *exec_fcvt_int_s(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    c->x[d->rd] = fpu_to_int32(c, get_s(c, d->rn), d->f3, d->f0, d->f1, d->f2);
    return insn_next(c, d + 1);
}
static const Insn *exec_fcvt_int_d(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    c->x[d->rd] = fpu_to_int64(c, get_d(c, d->rn), d->f3, d->f0, d->f1, d->f2);
    return insn_next(c, d + 1);
}
/* FCVTZS Wd/Xd, Dn (the C cast): the host truncation is exact when the
 * value is in range; f2 = int bits. */
static const Insn *exec_fcvtzs_xd(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    uint64_t a = get_d(c, d->rn);
    unsigned e = (a >> 52) & 0x7ff;
    if (__builtin_expect(e - 1 < 1022u + d->f2 - 1, 1)) { /* normal, |x| < 2^(bits-1) */
        double x = f64_of(a);
        int64_t i;
        FPU_TRUNC_D(i, x);
        if ((double)i != x) /* the host PE flag may stay: guest IXC is set (fpu.h) */
            c->fpsr |= FPSR_IXC;
        c->x[d->rd] = d->f2 == 64 ? (uint64_t)i : (uint32_t)i;
        return insn_next(c, d + 1);
    }
    c->x[d->rd] = fpu_to_int64(c, a, 0, FPR_Z, false, d->f2);
    return insn_next(c, d + 1);
}
/* FCVTZS Wd/Xd, Sn: as exec_fcvtzs_xd for a single-precision source. */
static const Insn *exec_fcvtzs_xs(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    uint32_t a = get_s(c, d->rn);
    unsigned e = (a >> 23) & 0xff;
    if (__builtin_expect(e - 1 < 126u + d->f2 - 1, 1)) { /* normal, |x| < 2^(bits-1) */
        float x = f32_of(a);
        int64_t i;
        FPU_TRUNC_S(i, x);
        if ((float)i != x)
            c->fpsr |= FPSR_IXC;
        c->x[d->rd] = d->f2 == 64 ? (uint64_t)i : (uint32_t)i;
        return insn_next(c, d + 1);
    }
    c->x[d->rd] = fpu_to_int32(c, a, 0, FPR_Z, false, d->f2);
    return insn_next(c, d + 1);
}

/* int -> FP: f1 = signed, f2 = int bits, f3 = fbits */
static const Insn *exec_cvtf_s(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, fpu_from_int32(c, c->x[d->rn], d->f3, d->f1, d->f2));
    return insn_next(c, d + 1);
}
static const Insn *exec_cvtf_d(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    set_scalar(c, d->rd, fpu_from_int64(c, c->x[d->rn], d->f3, d->f1, d->f2));
    return insn_next(c, d + 1);
}

/* ---- decoders ---- */

/* sf 0 S 11110 ftype 1 rmode opcode 000000 Rn Rd */
static void decode_conv_int(uint32_t raw, Insn *d)
{
    unsigned sf = bit(raw, 31), ftype = bits(raw, 23, 22), rmode = bits(raw, 20, 19),
             op = bits(raw, 18, 16), rn = bits(raw, 9, 5), rd = bits(raw, 4, 0);
    if (bit(raw, 29))
        return;
    if (op >= 6) { /* FMOV (general) */
        bool to_fp = op & 1;
        d->rd = to_fp ? (uint8_t)rd : reg_zr_dst(rd);
        d->rn = to_fp ? reg_zr(rn) : (uint8_t)rn;
        if (rmode == 0 && sf == 0 && ftype == 0)
            d->fn = to_fp ? exec_fmov_ws : exec_fmov_sw;
        else if (rmode == 0 && sf == 1 && ftype == 1)
            d->fn = to_fp ? exec_fmov_xd : exec_fmov_dx;
        else if (rmode == 1 && sf == 1 && ftype == 2)
            d->fn = to_fp ? exec_fmov_x_to_top : exec_fmov_top_to_x;
        return; /* ftype=11 (half) needs FEAT_FP16 */
    }
    if (ftype > 1)
        return;
    d->f2 = sf ? 64 : 32;
    if (op == 2 || op == 3) { /* SCVTF / UCVTF */
        if (rmode != 0)
            return;
        d->rd = (uint8_t)rd;
        d->rn = reg_zr(rn);
        d->f1 = op == 2;
        d->fn = ftype ? exec_cvtf_d : exec_cvtf_s;
        return;
    }
    if (op >= 4 && rmode != 0) /* FCVTAS/AU only with rmode 00 */
        return;
    static const uint8_t modes[4] = {FPR_N, FPR_P, FPR_M, FPR_Z};
    d->rd = reg_zr_dst(rd);
    d->rn = (uint8_t)rn;
    d->f0 = op >= 4 ? FPR_A : modes[rmode];
    d->f1 = op & 1;
    d->fn = ftype ? exec_fcvt_int_d : exec_fcvt_int_s;
    if (d->f0 == FPR_Z && !d->f1)
        d->fn = ftype ? exec_fcvtzs_xd : exec_fcvtzs_xs;
}

/* sf 0 S 11110 ftype 0 rmode opcode scale Rn Rd */
static void decode_conv_fixed(uint32_t raw, Insn *d)
{
    unsigned sf = bit(raw, 31), ftype = bits(raw, 23, 22), rmode = bits(raw, 20, 19),
             op = bits(raw, 18, 16), scale = bits(raw, 15, 10), rn = bits(raw, 9, 5),
             rd = bits(raw, 4, 0);
    if (bit(raw, 29) || ftype > 1 || (!sf && scale < 32))
        return;
    d->f2 = sf ? 64 : 32;
    d->f3 = (uint8_t)(64 - scale);
    if (rmode == 0 && (op == 2 || op == 3)) {
        d->rd = (uint8_t)rd;
        d->rn = reg_zr(rn);
        d->f1 = op == 2;
        d->fn = ftype ? exec_cvtf_d : exec_cvtf_s;
    } else if (rmode == 3 && (op == 0 || op == 1)) {
        d->rd = reg_zr_dst(rd);
        d->rn = (uint8_t)rn;
        d->f0 = FPR_Z;
        d->f1 = op;
        d->fn = ftype ? exec_fcvt_int_d : exec_fcvt_int_s;
    }
}

/* M 0 S 11110 ftype 1 opcode 10000 Rn Rd */
static void decode_dp1(uint32_t raw, Insn *d)
{
    unsigned ftype = bits(raw, 23, 22), op = bits(raw, 20, 15);
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);
    if (ftype == 2)
        return;
    if (op >= 4 && op <= 7) { /* FCVT */
        unsigned opc = op & 3;
        if (opc == 2 || opc == ftype)
            return;
        d->f0 = (uint8_t)ftype;
        d->f1 = (uint8_t)opc;
        d->fn = ftype == 0 && opc == 1 ? exec_fcvt_sd : ftype == 1 && opc == 0 ? exec_fcvt_ds : exec_fcvt_h;
        return;
    }
    if (ftype == 3) /* FEAT_FP16 */
        return;
    bool dbl = ftype == 1;
    switch (op) {
    case 0: d->fn = dbl ? exec_fmov_d : exec_fmov_s; return;
    case 1: d->fn = dbl ? exec_fabs_d : exec_fabs_s; return;
    case 2: d->fn = dbl ? exec_fneg_d : exec_fneg_s; return;
    case 3: d->fn = dbl ? exec_fsqrt_d : exec_fsqrt_s; return;
    case 8: case 9: case 10: case 11: case 12: case 14: case 15: {
        static const uint8_t modes[8] = {FPR_N, FPR_P, FPR_M, FPR_Z, FPR_A, 0, 0xff, 0xff};
        d->f0 = modes[op - 8];
        d->f1 = op == 14;
        d->fn = dbl ? exec_frint_d : exec_frint_s;
        return;
    }
    default: return; /* FRINT32/64 (v8.5) and unallocated */
    }
}

bool decode_fp_scalar(uint32_t raw, Insn *d)
{
    if ((raw & 0x5f000000) == 0x1f000000) { /* 3 source */
        unsigned ftype = bits(raw, 23, 22);
        if (bit(raw, 31) || bit(raw, 29) || ftype >= 2)
            return true;
        d->rd = (uint8_t)bits(raw, 4, 0);
        d->rn = (uint8_t)bits(raw, 9, 5);
        d->ra = (uint8_t)bits(raw, 14, 10);
        d->rm = (uint8_t)bits(raw, 20, 16);
        d->fn = dp3_fn[bit(raw, 21) * 2 + bit(raw, 15)][ftype];
        return true;
    }
    if ((raw & 0x5f000000) != 0x1e000000)
        return false;
    if (!bit(raw, 21)) {
        decode_conv_fixed(raw, d);
        return true;
    }
    if (bits(raw, 15, 10) == 0) {
        decode_conv_int(raw, d);
        return true;
    }
    if (bit(raw, 31) || bit(raw, 29))
        return true;
    unsigned ftype = bits(raw, 23, 22);
    unsigned rd = bits(raw, 4, 0), rn = bits(raw, 9, 5), rm = bits(raw, 20, 16);
    if (bits(raw, 11, 10) == 0) {
        if (bits(raw, 14, 10) == 0x10) {
            decode_dp1(raw, d);
        } else if (bits(raw, 13, 10) == 0x8) { /* compare */
            if (ftype >= 2 || bits(raw, 15, 14) || bits(raw, 2, 0))
                return true;
            d->rn = (uint8_t)rn;
            d->rm = (uint8_t)rm;
            d->f0 = bit(raw, 4);
            if (bit(raw, 3))
                d->fn = ftype ? exec_fcmp0_d : exec_fcmp0_s;
            else
                d->fn = ftype ? exec_fcmp_d : exec_fcmp_s;
        } else if (bits(raw, 12, 10) == 0x4) { /* FMOV immediate */
            if (ftype >= 2 || bits(raw, 9, 5))
                return true;
            d->rd = (uint8_t)rd;
            d->imm = fpu_expand_imm(bits(raw, 20, 13), ftype ? 64 : 32);
            d->fn = exec_fmov_imm;
        }
        return true;
    }
    if (ftype >= 2)
        return true;
    bool dbl = ftype == 1;
    d->rd = (uint8_t)rd;
    d->rn = (uint8_t)rn;
    d->rm = (uint8_t)rm;
    switch (bits(raw, 11, 10)) {
    case 1: /* FCCMP, FCCMPE */
        d->f0 = bit(raw, 4);
        d->f1 = (uint8_t)bits(raw, 15, 12);
        d->f2 = (uint8_t)bits(raw, 3, 0);
        d->fn = dbl ? exec_fccmp_d : exec_fccmp_s;
        return true;
    case 2: { /* 2 source */
        unsigned op = bits(raw, 15, 12);
        if (op <= 8)
            d->fn = dp2_fn[op][dbl];
        return true;
    }
    default: /* FCSEL */
        d->f1 = (uint8_t)bits(raw, 15, 12);
        d->imm = dbl ? ~0ull : 0xffffffffull;
        d->fn = exec_fcsel;
        return true;
    }
}
