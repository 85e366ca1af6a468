/* Floating-point arithmetic with Arm semantics (FPCR rounding, FZ, DN, NaN
 * propagation, FPSR cumulative flags), shared by fp_scalar.c and simd_fp.c.
 *
 * Values are passed as raw bit patterns (uint32_t single, uint64_t double,
 * uint16_t half) so NaN payloads and signs are never touched by the host.
 *
 * Fast path: with FPCR.RMode = RN (DN only affects NaN results; under FZ
 * only when no operand is denormal and the result is not tiny) the
 * host operation (fphost.h: SSE or <fenv.h>; round to nearest, exceptions
 * masked) gives the Arm result for every non-NaN outcome; its flags give the
 * FPSR flags, except that x86 detects tininess after rounding where Arm
 * detects it before, which matters only when the rounded result is the
 * smallest normal. So the fast path accepts the host result when the
 * flags show at most "inexact", the result is not a
 * NaN and not +-min normal; everything else is recomputed exactly by the
 * slow path (fpu.c), which also handles FZ, DN and directed rounding.
 * Invariant: between guest FP operations the host (MXCSR) has no exception
 * flags other than DE (denormal operand, ignored), except that PE may stay
 * set while the guest's FPSR.IXC is set. cpu_run resets MXCSR on entry, as
 * other host code may have broken that; the flag-checking fast path also
 * checks it (fpu_pre), the quiet path (below) relies on it. */
#ifndef TANDEM_FPU_H
#define TANDEM_FPU_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/fphost.h"

/* FPCR / FPSR bits */
#define FPCR_AHP (1u << 26)
#define FPCR_DN (1u << 25)
#define FPCR_FZ (1u << 24)
#define FPCR_RMODE_SHIFT 22
/* FPCR bits that force the slow path (DN only matters for NaN results,
 * which leave the fast path anyway). */
#define FPCR_SLOW (FPCR_FZ | (3u << FPCR_RMODE_SHIFT))

/* Denormal (nonzero, exponent 0). */
static inline bool fpu_denormal32(uint32_t a) { return (uint32_t)(a << 1) - 1 < 0x00ffffffu; }
static inline bool fpu_denormal64(uint64_t a) { return (a << 1) - 1 < 0x001fffffffffffffull; }

/* May the host compute this? Round to nearest, and under FZ no denormal
 * operand (the results' FZ checks are in fpu_accept*). Unused operands are
 * passed as 0. */
static inline bool fpu_fast32(const Cpu *c, uint32_t a, uint32_t b, uint32_t d)
{
    uint32_t f = c->fpcr & FPCR_SLOW;
    if (__builtin_expect(!f, 1))
        return true;
    return f == FPCR_FZ && !fpu_denormal32(a) && !fpu_denormal32(b) && !fpu_denormal32(d);
}
static inline bool fpu_fast64(const Cpu *c, uint64_t a, uint64_t b, uint64_t d)
{
    uint32_t f = c->fpcr & FPCR_SLOW;
    if (__builtin_expect(!f, 1))
        return true;
    return f == FPCR_FZ && !fpu_denormal64(a) && !fpu_denormal64(b) && !fpu_denormal64(d);
}
#define FPSR_IOC 0x01u
#define FPSR_DZC 0x02u
#define FPSR_OFC 0x04u
#define FPSR_UFC 0x08u
#define FPSR_IXC 0x10u
#define FPSR_IDC 0x80u

/* Rounding modes: the FPCR.RMode values, then ties-away and round-to-odd. */
enum { FPR_N = 0, FPR_P = 1, FPR_M = 2, FPR_Z = 3, FPR_A = 4, FPR_ODD = 5 };

static inline unsigned fpu_rmode(const Cpu *c) { return (c->fpcr >> FPCR_RMODE_SHIFT) & 3; }

/* ---- host flags (fphost.h) ---- */
/* Before a fast-path operation. The host state must be clean (SSE: MXCSR
 * 0x1f80, RN, all masked, no flags; DE ignored) or, when the guest's FPSR.IXC
 * is already set, clean|PE (inexactness need not be detected then): writing
 * MXCSR right after FP work stalls the pipeline, so the steady state must
 * not. Anything else (flags of a previous operation or of other host code)
 * is cleared here. */
static inline void fpu_pre(Cpu *c)
{
    uint32_t m = fpu_host_state();
    if (m != FPU_HOST_CLEAN && (m != (FPU_HOST_CLEAN | MX_PE) || !(c->fpsr & FPSR_IXC)))
        fpu_host_reset();
}

/* Bit casts */
static inline float f32_of(uint32_t x) { float f; memcpy(&f, &x, 4); return f; }
static inline double f64_of(uint64_t x) { double f; memcpy(&f, &x, 8); return f; }
static inline uint32_t bits_f32(float f) { uint32_t x; memcpy(&x, &f, 4); return x; }
static inline uint64_t bits_f64(double f) { uint64_t x; memcpy(&x, &f, 8); return x; }

/* Accept a host result (bits x of width 32/64) computed after fpu_pre: true
 * if it is the Arm result; ORs IXC into FPSR. m is the MXCSR read after the
 * computation. NaN results, denormal results and +-min normal (underflow
 * and FZ decisions) and any flag but PE (and DE) go to the slow path. */
static inline bool fpu_accept32(Cpu *c, uint32_t m, uint32_t x)
{
    uint32_t mag = x & 0x7fffffffu;
    if (__builtin_expect(mag > 0x7f800000u || mag - 1 < 0x00800000u ||
                             (m & (MX_IE | MX_ZE | MX_OE | MX_UE)), 0))
        return false;
    c->fpsr |= (m >> 1) & FPSR_IXC; /* PE (0x20) -> IXC (0x10) */
    return true;
}

static inline bool fpu_accept64(Cpu *c, uint32_t m, uint64_t x)
{
    uint64_t mag = x & 0x7fffffffffffffffull;
    if (__builtin_expect(mag > 0x7ff0000000000000ull || mag - 1 < 0x0010000000000000ull ||
                             (m & (MX_IE | MX_ZE | MX_OE | MX_UE)), 0))
        return false;
    c->fpsr |= (m >> 1) & FPSR_IXC;
    return true;
}

/* The quiet fast path. Once the guest's FPSR.IXC is set (it is sticky, and
 * stays set in most programs after their first inexact operation),
 * inexactness need not be detected, and a result that is a normal number
 * other than +-min normal can have raised no other flag: NaN, infinity,
 * overflow and tininess all show in the value. Such a result is taken
 * without reading the host flags (stmxcsr costs more than the operation);
 * any other result is computed again by the flag-checking path. The host
 * flags it may leave (PE, DE) are those fpu_pre accepts while IXC is set. */
static inline bool fpu_quiet(const Cpu *c) { return c->fpsr & FPSR_IXC; }
static inline bool fpu_plain32(uint32_t x)
{
    return (x & 0x7fffffffu) - 0x00800001u < 0x7f800000u - 0x00800001u;
}
static inline bool fpu_plain64(uint64_t x)
{
    return (x & 0x7fffffffffffffffull) - 0x0010000000000001ull <
           0x7ff0000000000000ull - 0x0010000000000001ull;
}
#define FPU_QUIET32(c, expr)                                                               \
    do {                                                                                   \
        if (fpu_quiet(c)) {                                                                \
            uint32_t q_ = bits_f32(expr);                                                  \
            if (__builtin_expect(fpu_plain32(q_), 1))                                      \
                return q_;                                                                 \
        }                                                                                  \
    } while (0)
#define FPU_QUIET64(c, expr)                                                               \
    do {                                                                                   \
        if (fpu_quiet(c)) {                                                                \
            uint64_t q_ = bits_f64(expr);                                                  \
            if (__builtin_expect(fpu_plain64(q_), 1))                                      \
                return q_;                                                                 \
        }                                                                                  \
    } while (0)
static inline float fpu_host_sqrtf(float x)
{
    float r;
    FPU_SQRT32(r, x);
    return r;
}
static inline double fpu_host_sqrt(double x)
{
    double r;
    FPU_SQRT64(r, x);
    return r;
}

/* Operations of the exact slow path. */
enum {
    FOP_ADD,
    FOP_SUB,
    FOP_MUL,
    FOP_DIV,
    FOP_MULX,   /* FMULX: 0 * inf = +-2 */
    FOP_SQRT,   /* unary: a */
    FOP_FMA,    /* a + b * c (addend first, as Arm orders NaNs) */
    FOP_RECPS,  /* 2 - a * b */
    FOP_RSQRTS, /* (3 - a * b) / 2 */
};

uint32_t fpu_slow32(Cpu *c, int op, uint32_t a, uint32_t b, uint32_t d);
uint64_t fpu_slow64(Cpu *c, int op, uint64_t a, uint64_t b, uint64_t d);

/* ---- the fast arithmetic ---- */
#define FPU_FAST_BIN(name, OP, op)                                                         \
    static inline uint32_t fpu_##name##32(Cpu *c, uint32_t a, uint32_t b)                 \
    {                                                                                      \
        if (__builtin_expect(fpu_fast32(c, a, b, 0), 1)) {                                 \
            float x = f32_of(a), y = f32_of(b), r;                                         \
            FPU_QUIET32(c, x op y);                                                        \
            fpu_pre(c);                                                                    \
            FPU_HIDE2(x, y);                                                               \
            r = x op y;                                                                    \
            uint32_t m;                                                                    \
            FPU_FLAGS(m, r);                                                               \
            if (fpu_accept32(c, m, bits_f32(r)))                                           \
                return bits_f32(r);                                                        \
        }                                                                                  \
        return fpu_slow32(c, OP, a, b, 0);                                                 \
    }                                                                                      \
    static inline uint64_t fpu_##name##64(Cpu *c, uint64_t a, uint64_t b)                 \
    {                                                                                      \
        if (__builtin_expect(fpu_fast64(c, a, b, 0), 1)) {                                 \
            double x = f64_of(a), y = f64_of(b), r;                                        \
            FPU_QUIET64(c, x op y);                                                        \
            fpu_pre(c);                                                                    \
            FPU_HIDE2(x, y);                                                               \
            r = x op y;                                                                    \
            uint32_t m;                                                                    \
            FPU_FLAGS(m, r);                                                               \
            if (fpu_accept64(c, m, bits_f64(r)))                                           \
                return bits_f64(r);                                                        \
        }                                                                                  \
        return fpu_slow64(c, OP, a, b, 0);                                                 \
    }
FPU_FAST_BIN(add, FOP_ADD, +)
FPU_FAST_BIN(sub, FOP_SUB, -)
FPU_FAST_BIN(mul, FOP_MUL, *)
FPU_FAST_BIN(div, FOP_DIV, /)
#undef FPU_FAST_BIN

/* FMULX: like FMUL; the host gives NaN for 0*inf, which the slow path fixes. */
static inline uint32_t fpu_mulx32(Cpu *c, uint32_t a, uint32_t b)
{
    if (__builtin_expect(fpu_fast32(c, a, b, 0), 1)) {
        float x = f32_of(a), y = f32_of(b), r;
        FPU_QUIET32(c, x * y);
        fpu_pre(c);
        FPU_HIDE2(x, y);
        r = x * y;
        uint32_t m;
        FPU_FLAGS(m, r);
        if (fpu_accept32(c, m, bits_f32(r)))
            return bits_f32(r);
    }
    return fpu_slow32(c, FOP_MULX, a, b, 0);
}
static inline uint64_t fpu_mulx64(Cpu *c, uint64_t a, uint64_t b)
{
    if (__builtin_expect(fpu_fast64(c, a, b, 0), 1)) {
        double x = f64_of(a), y = f64_of(b), r;
        FPU_QUIET64(c, x * y);
        fpu_pre(c);
        FPU_HIDE2(x, y);
        r = x * y;
        uint32_t m;
        FPU_FLAGS(m, r);
        if (fpu_accept64(c, m, bits_f64(r)))
            return bits_f64(r);
    }
    return fpu_slow64(c, FOP_MULX, a, b, 0);
}

static inline uint32_t fpu_sqrt32(Cpu *c, uint32_t a)
{
    if (__builtin_expect(fpu_fast32(c, a, 0, 0), 1)) {
        float r, x = f32_of(a);
        uint32_t m;
        FPU_QUIET32(c, fpu_host_sqrtf(x));
        fpu_pre(c);
        FPU_HIDE(x);
        FPU_SQRT32(r, x);
        FPU_FLAGS(m, r);
        if (fpu_accept32(c, m, bits_f32(r)))
            return bits_f32(r);
    }
    return fpu_slow32(c, FOP_SQRT, a, 0, 0);
}
static inline uint64_t fpu_sqrt64(Cpu *c, uint64_t a)
{
    if (__builtin_expect(fpu_fast64(c, a, 0, 0), 1)) {
        double r, x = f64_of(a);
        uint32_t m;
        FPU_QUIET64(c, fpu_host_sqrt(x));
        fpu_pre(c);
        FPU_HIDE(x);
        FPU_SQRT64(r, x);
        FPU_FLAGS(m, r);
        if (fpu_accept64(c, m, bits_f64(r)))
            return bits_f64(r);
    }
    return fpu_slow64(c, FOP_SQRT, a, 0, 0);
}

/* Fused a + n * m with a single rounding. */
float fpu_host_fmaf(float n, float m, float a);
double fpu_host_fma(double n, double m, double a);
static inline uint32_t fpu_fma32(Cpu *c, uint32_t a, uint32_t n, uint32_t m)
{
    if (__builtin_expect(fpu_fast32(c, a, n, m), 1)) {
        FPU_QUIET32(c, fpu_host_fmaf(f32_of(n), f32_of(m), f32_of(a)));
        fpu_pre(c);
        float r = fpu_host_fmaf(f32_of(n), f32_of(m), f32_of(a));
        uint32_t mx;
        FPU_FLAGS(mx, r);
        if (fpu_accept32(c, mx, bits_f32(r)))
            return bits_f32(r);
    }
    return fpu_slow32(c, FOP_FMA, a, n, m);
}
static inline uint64_t fpu_fma64(Cpu *c, uint64_t a, uint64_t n, uint64_t m)
{
    if (__builtin_expect(fpu_fast64(c, a, n, m), 1)) {
        FPU_QUIET64(c, fpu_host_fma(f64_of(n), f64_of(m), f64_of(a)));
        fpu_pre(c);
        double r = fpu_host_fma(f64_of(n), f64_of(m), f64_of(a));
        uint32_t mx;
        FPU_FLAGS(mx, r);
        if (fpu_accept64(c, mx, bits_f64(r)))
            return bits_f64(r);
    }
    return fpu_slow64(c, FOP_FMA, a, n, m);
}

/* FRECPS 2 - a*b and FRSQRTS (3 - a*b) / 2, fused. On the host path, inf*0
 * gives a NaN and overflow of 3 - a*b raises OE, both rejected; otherwise
 * halving the rounded 3 - a*b is exact (the result is not tiny). */
static inline uint32_t fpu_recps32(Cpu *c, uint32_t a, uint32_t b)
{
    if (__builtin_expect(fpu_fast32(c, a, b, 0), 1)) {
        fpu_pre(c);
        float r = fpu_host_fmaf(-f32_of(a), f32_of(b), 2.0f);
        uint32_t mx;
        FPU_FLAGS(mx, r);
        if (fpu_accept32(c, mx, bits_f32(r)))
            return bits_f32(r);
    }
    return fpu_slow32(c, FOP_RECPS, a, b, 0);
}
static inline uint64_t fpu_recps64(Cpu *c, uint64_t a, uint64_t b)
{
    if (__builtin_expect(fpu_fast64(c, a, b, 0), 1)) {
        fpu_pre(c);
        double r = fpu_host_fma(-f64_of(a), f64_of(b), 2.0);
        uint32_t mx;
        FPU_FLAGS(mx, r);
        if (fpu_accept64(c, mx, bits_f64(r)))
            return bits_f64(r);
    }
    return fpu_slow64(c, FOP_RECPS, a, b, 0);
}
static inline uint32_t fpu_rsqrts32(Cpu *c, uint32_t a, uint32_t b)
{
    if (__builtin_expect(fpu_fast32(c, a, b, 0), 1)) {
        fpu_pre(c);
        float r = fpu_host_fmaf(-f32_of(a), f32_of(b), 3.0f);
        FPU_HIDE(r);
        r = r * 0.5f;
        uint32_t mx;
        FPU_FLAGS(mx, r);
        if (fpu_accept32(c, mx, bits_f32(r)))
            return bits_f32(r);
    }
    return fpu_slow32(c, FOP_RSQRTS, a, b, 0);
}
static inline uint64_t fpu_rsqrts64(Cpu *c, uint64_t a, uint64_t b)
{
    if (__builtin_expect(fpu_fast64(c, a, b, 0), 1)) {
        fpu_pre(c);
        double r = fpu_host_fma(-f64_of(a), f64_of(b), 3.0);
        FPU_HIDE(r);
        r = r * 0.5;
        uint32_t mx;
        FPU_FLAGS(mx, r);
        if (fpu_accept64(c, mx, bits_f64(r)))
            return bits_f64(r);
    }
    return fpu_slow64(c, FOP_RSQRTS, a, b, 0);
}

/* ---- min/max ---- */
enum { FMM_MAX = 0, FMM_MIN = 1, FMM_MAXNM = 2, FMM_MINNM = 3 };
uint32_t fpu_minmax32_slow(Cpu *c, uint32_t a, uint32_t b, int kind);
uint64_t fpu_minmax64_slow(Cpu *c, uint64_t a, uint64_t b, int kind);

/* Plain numbers (no NaN; denormals only when FZ=0) compare on the host. */
#define FPU_MINMAX(W, T, FT, EXPM, FRACM)                                                  \
    static inline T fpu_minmax##W(Cpu *c, T a, T b, int kind)                              \
    {                                                                                      \
        T ea = a & EXPM, eb = b & EXPM;                                                    \
        if (__builtin_expect(ea != EXPM && eb != EXPM &&                                   \
                                 ((ea && eb) || !(c->fpcr & FPCR_FZ)), 1)) {               \
            FT x = f##W##_of(a), y = f##W##_of(b);                                         \
            if (x == y)                                                                    \
                return (kind & 1) ? (a | b) : (a & b); /* +-0: max +0, min -0 */           \
            bool gt = x > y;                                                               \
            return (gt ^ (kind & 1)) ? a : b;                                              \
        }                                                                                  \
        return fpu_minmax##W##_slow(c, a, b, kind);                                        \
    }
FPU_MINMAX(32, uint32_t, float, 0x7f800000u, 0x7fffffu)
FPU_MINMAX(64, uint64_t, double, 0x7ff0000000000000ull, 0xfffffffffffffull)
#undef FPU_MINMAX

/* ---- comparisons ---- */
/* FCMP/FCMPE: the NZCV result (signal: FCMPE, any NaN raises Invalid). */
unsigned fpu_cmp32(Cpu *c, uint32_t a, uint32_t b, bool signal);
unsigned fpu_cmp64(Cpu *c, uint64_t a, uint64_t b, bool signal);
/* Ordered operands (no NaN; under FZ no denormal) compare on the host. */
static inline unsigned fpu_fcmp32(Cpu *c, uint32_t a, uint32_t b, bool signal)
{
    if (__builtin_expect((uint32_t)(a << 1) <= 0xff000000u && (uint32_t)(b << 1) <= 0xff000000u &&
                             (!(c->fpcr & FPCR_FZ) || (!fpu_denormal32(a) && !fpu_denormal32(b))),
                         1)) {
        float x = f32_of(a), y = f32_of(b);
        return x < y ? NZCV_N : x == y ? (NZCV_Z | NZCV_C) : NZCV_C;
    }
    return fpu_cmp32(c, a, b, signal);
}
static inline unsigned fpu_fcmp64(Cpu *c, uint64_t a, uint64_t b, bool signal)
{
    if (__builtin_expect((a << 1) <= 0xffe0000000000000ull && (b << 1) <= 0xffe0000000000000ull &&
                             (!(c->fpcr & FPCR_FZ) || (!fpu_denormal64(a) && !fpu_denormal64(b))),
                         1)) {
        double x = f64_of(a), y = f64_of(b);
        return x < y ? NZCV_N : x == y ? (NZCV_Z | NZCV_C) : NZCV_C;
    }
    return fpu_cmp64(c, a, b, signal);
}
/* AdvSIMD compares: kind EQ (quiet), GE, GT (signalling); abs: FACGE/FACGT. */
enum { FCM_EQ, FCM_GE, FCM_GT };
bool fpu_cmpv32(Cpu *c, uint32_t a, uint32_t b, int kind);
bool fpu_cmpv64(Cpu *c, uint64_t a, uint64_t b, int kind);

/* ---- rounding to integral and conversions ---- */
/* FRINT*: mode is an FPR_* value; exact: FRINTX (raise Inexact). */
uint32_t fpu_rint32(Cpu *c, uint32_t a, int mode, bool exact);
uint64_t fpu_rint64(Cpu *c, uint64_t a, int mode, bool exact);
/* FP -> integer (saturating) with fbits fraction bits: result in `ibits`
 * (32/64) bits, zero-extended. */
uint64_t fpu_to_int32(Cpu *c, uint32_t a, int fbits, int mode, bool is_unsigned, int ibits);
uint64_t fpu_to_int64(Cpu *c, uint64_t a, int fbits, int mode, bool is_unsigned, int ibits);
/* Integer (ibits wide, signed or not) / 2^fbits -> FP, FPCR rounding. */
uint32_t fpu_from_int32(Cpu *c, uint64_t v, int fbits, bool is_signed, int ibits);
uint64_t fpu_from_int64(Cpu *c, uint64_t v, int fbits, bool is_signed, int ibits);
/* Precision conversions (FCVT, FCVTL, FCVTN, FCVTXN). */
uint64_t fpu_cvt_s_to_d(Cpu *c, uint32_t a);
uint32_t fpu_cvt_d_to_s(Cpu *c, uint64_t a);
uint32_t fpu_cvtxn_d_to_s(Cpu *c, uint64_t a); /* round to odd */
uint32_t fpu_cvt_h_to_s(Cpu *c, uint16_t a);
uint64_t fpu_cvt_h_to_d(Cpu *c, uint16_t a);
uint16_t fpu_cvt_s_to_h(Cpu *c, uint32_t a);
uint16_t fpu_cvt_d_to_h(Cpu *c, uint64_t a);

/* ---- estimates ---- */
uint32_t fpu_recpe32(Cpu *c, uint32_t a);
uint64_t fpu_recpe64(Cpu *c, uint64_t a);
uint32_t fpu_rsqrte32(Cpu *c, uint32_t a);
uint64_t fpu_rsqrte64(Cpu *c, uint64_t a);
uint32_t fpu_recpx32(Cpu *c, uint32_t a);
uint64_t fpu_recpx64(Cpu *c, uint64_t a);

/* VFPExpandImm for FMOV (immediate). */
static inline uint64_t fpu_expand_imm(unsigned imm8, int w)
{
    uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, low = imm8 & 0x3f;
    if (w == 32)
        return sign << 31 | (b6 ^ 1) << 30 | (b6 ? 0x1fu : 0) << 25 | low << 19;
    return sign << 63 | (b6 ^ 1) << 62 | (b6 ? 0xffull : 0) << 54 | low << 48;
}

#endif
