/* Exact Arm floating point: the slow paths of fpu.h and the operations that
 * are done in integer arithmetic (conversions, rounding to integral,
 * estimates, min/max and compares with NaNs or flushed operands).
 *
 * Host arithmetic is still used here for +,-,*,/,sqrt and fused multiply-add,
 * with MXCSR set to the FPCR rounding mode; what the host does differently
 * from Arm is fixed around it: NaN operands are resolved before (Arm order,
 * first signalling then first quiet NaN, addend first for fused ops), an
 * invalid result becomes the Arm default NaN, FZ flushes inputs (IDC) and
 * tiny outputs (UFC, no IXC), and underflow is detected before rounding
 * (a result that rounded to the smallest normal is recomputed toward zero
 * to see whether it was tiny). */
#include <math.h>

#include "cpu/fpu.h"

typedef struct Fmt {
    int w, mbits, bias;
    uint64_t sign, expm, fracm, qbit, dnan;
} Fmt;

static const Fmt F16 = {16, 10, 15, 0x8000, 0x7c00, 0x3ff, 0x200, 0x7e00};
static const Fmt F32 = {32, 23, 127, 0x80000000u, 0x7f800000u, 0x7fffffu, 0x400000u, 0x7fc00000u};
static const Fmt F64 = {64, 52, 1023, 1ull << 63, 0x7ff0000000000000ull, 0xfffffffffffffull,
                        1ull << 51, 0x7ff8000000000000ull};

static inline bool is_nan(const Fmt *f, uint64_t x)
{
    return (x & f->expm) == f->expm && (x & f->fracm);
}
static inline bool is_snan(const Fmt *f, uint64_t x) { return is_nan(f, x) && !(x & f->qbit); }
static inline bool is_qnan(const Fmt *f, uint64_t x) { return is_nan(f, x) && (x & f->qbit); }
static inline bool is_inf(const Fmt *f, uint64_t x) { return (x & ~f->sign) == f->expm; }
static inline bool is_zero(const Fmt *f, uint64_t x) { return (x & ~f->sign) == 0; }

/* FPUnpack's flush of denormal inputs under FZ (not for half precision). */
static inline uint64_t flush_in(Cpu *c, const Fmt *f, uint64_t x)
{
    if ((c->fpcr & FPCR_FZ) && f->w != 16 && !(x & f->expm) && (x & f->fracm)) {
        c->fpsr |= FPSR_IDC;
        return x & f->sign;
    }
    return x;
}

/* FPProcessNaN */
static uint64_t nan_out(Cpu *c, const Fmt *f, uint64_t x)
{
    if (!(x & f->qbit))
        c->fpsr |= FPSR_IOC;
    return (c->fpcr & FPCR_DN) ? f->dnan : (x | f->qbit);
}

static bool nans2(Cpu *c, const Fmt *f, uint64_t a, uint64_t b, uint64_t *r)
{
    if (is_snan(f, a)) { *r = nan_out(c, f, a); return true; }
    if (is_snan(f, b)) { *r = nan_out(c, f, b); return true; }
    if (is_nan(f, a)) { *r = nan_out(c, f, a); return true; }
    if (is_nan(f, b)) { *r = nan_out(c, f, b); return true; }
    return false;
}

static bool nans3(Cpu *c, const Fmt *f, uint64_t a, uint64_t b, uint64_t d, uint64_t *r)
{
    if (is_snan(f, a)) { *r = nan_out(c, f, a); return true; }
    if (is_snan(f, b)) { *r = nan_out(c, f, b); return true; }
    if (is_snan(f, d)) { *r = nan_out(c, f, d); return true; }
    return nans2(c, f, a, b, r) || (is_nan(f, d) && (*r = nan_out(c, f, d), true));
}

/* ---- host arithmetic under a chosen rounding mode ---- */

float fpu_host_fmaf(float n, float m, float a) { return fmaf(n, m, a); }
double fpu_host_fma(double n, double m, double a) { return fma(n, m, a); }

static uint64_t host_op(const Fmt *f, int op, uint64_t a, uint64_t b, uint64_t d, int mode,
                        uint32_t *flags)
{
    if (f->w == 32) {
        float x = f32_of((uint32_t)a), y = f32_of((uint32_t)b), z = f32_of((uint32_t)d), r;
        FPU_HOST_ROUND3(mode, x, y, z);
        switch (op) {
        case FOP_ADD: r = x + y; break;
        case FOP_SUB: r = x - y; break;
        case FOP_MUL: case FOP_MULX: r = x * y; break;
        case FOP_DIV: r = x / y; break;
        case FOP_SQRT: FPU_SQRT32(r, x); break;
        default: r = fmaf(y, z, x); break;
        }
        FPU_FLAGS(*flags, r);
        fpu_host_reset();
        return bits_f32(r);
    }
    double x = f64_of(a), y = f64_of(b), z = f64_of(d), r;
    FPU_HOST_ROUND3(mode, x, y, z);
    switch (op) {
    case FOP_ADD: r = x + y; break;
    case FOP_SUB: r = x - y; break;
    case FOP_MUL: case FOP_MULX: r = x * y; break;
    case FOP_DIV: r = x / y; break;
    case FOP_SQRT: FPU_SQRT64(r, x); break;
    default: r = fma(y, z, x); break;
    }
    FPU_FLAGS(*flags, r);
    fpu_host_reset();
    return bits_f64(r);
}

/* Compute op exactly as Arm's FPRound would, on already flushed, non-NaN
 * operands (op is ADD..DIV, SQRT or FMA). */
static uint64_t arith(Cpu *c, const Fmt *f, int op, uint64_t a, uint64_t b, uint64_t d)
{
    int mode = fpu_rmode(c);
    uint32_t fl;
    uint64_t r = host_op(f, op, a, b, d, mode, &fl);
    if (is_nan(f, r)) { /* invalid operation */
        c->fpsr |= FPSR_IOC;
        return f->dnan;
    }
    uint32_t out = 0;
    if (fl & MX_ZE)
        out |= FPSR_DZC;
    if (fl & MX_OE)
        out |= FPSR_OFC;
    bool inexact = fl & MX_PE;
    uint64_t mag = r & ~f->sign, minn = 1ull << f->mbits;
    bool tiny = false;
    if (mag < minn)
        tiny = mag != 0 || inexact;
    else if (mag == minn && inexact && mode != FPR_Z) {
        uint32_t fl2;
        uint64_t rz = host_op(f, op, a, b, d, FPR_Z, &fl2);
        tiny = (rz & ~f->sign) < minn;
    }
    if (tiny) {
        if (c->fpcr & FPCR_FZ) {
            c->fpsr |= out | FPSR_UFC;
            return r & f->sign;
        }
        if (inexact)
            out |= FPSR_UFC;
    }
    if (inexact)
        out |= FPSR_IXC;
    c->fpsr |= out;
    return r;
}

static uint64_t slow(Cpu *c, const Fmt *f, int op, uint64_t a, uint64_t b, uint64_t d)
{
    uint64_t r;
    a = flush_in(c, f, a);
    if (op == FOP_SQRT) {
        if (is_nan(f, a))
            return nan_out(c, f, a);
        return arith(c, f, op, a, 0, 0);
    }
    b = flush_in(c, f, b);
    switch (op) {
    case FOP_FMA:
        d = flush_in(c, f, d);
        if (is_qnan(f, a) && ((is_inf(f, b) && is_zero(f, d)) || (is_zero(f, b) && is_inf(f, d)))) {
            c->fpsr |= FPSR_IOC;
            return f->dnan;
        }
        if (nans3(c, f, a, b, d, &r))
            return r;
        return arith(c, f, op, a, b, d);
    case FOP_RECPS:
    case FOP_RSQRTS: {
        a ^= f->sign; /* FPNeg(op1) before anything else */
        if (nans2(c, f, a, b, &r))
            return r;
        uint64_t one = (uint64_t)f->bias << f->mbits; /* 1.0 */
        if ((is_inf(f, a) && is_zero(f, b)) || (is_zero(f, a) && is_inf(f, b)))
            return op == FOP_RECPS ? one + (1ull << f->mbits) : one | (1ull << (f->mbits - 1));
        if (is_inf(f, a) || is_inf(f, b))
            return ((a ^ b) & f->sign) | f->expm;
        if (op == FOP_RECPS)
            return arith(c, f, FOP_FMA, one + (1ull << f->mbits), a, b);
        /* (3 + a*b) / 2 with one rounding: halve an operand exactly if one
         * is large enough, else the product is tiny and 3 + a*b is safe. */
        uint64_t onehalf = one | (1ull << (f->mbits - 1));
        uint64_t ea = (a & f->expm) >> f->mbits, eb = (b & f->expm) >> f->mbits;
        if (eb >= 2)
            return arith(c, f, FOP_FMA, onehalf, a, b - (1ull << f->mbits));
        if (ea >= 2)
            return arith(c, f, FOP_FMA, onehalf, a - (1ull << f->mbits), b);
        uint64_t three = one + (1ull << f->mbits) + (1ull << (f->mbits - 1));
        uint64_t t = arith(c, f, FOP_FMA, three, a, b);
        return t - (1ull << f->mbits); /* normal, about 3: exact halving */
    }
    default:
        if (nans2(c, f, a, b, &r))
            return r;
        if (op == FOP_MULX &&
            ((is_inf(f, a) && is_zero(f, b)) || (is_zero(f, a) && is_inf(f, b))))
            return ((a ^ b) & f->sign) | ((uint64_t)(f->bias + 1) << f->mbits); /* +-2.0 */
        return arith(c, f, op, a, b, 0);
    }
}

uint32_t fpu_slow32(Cpu *c, int op, uint32_t a, uint32_t b, uint32_t d)
{
    return (uint32_t)slow(c, &F32, op, a, b, d);
}
uint64_t fpu_slow64(Cpu *c, int op, uint64_t a, uint64_t b, uint64_t d)
{
    return slow(c, &F64, op, a, b, d);
}

/* ---- min/max ---- */

static uint64_t minmax(Cpu *c, const Fmt *f, uint64_t a, uint64_t b, int kind)
{
    uint64_t r;
    a = flush_in(c, f, a);
    b = flush_in(c, f, b);
    bool is_min = kind & 1;
    if (kind >= FMM_MAXNM) { /* a single quiet NaN loses */
        uint64_t inf = f->expm | (is_min ? 0 : f->sign);
        if (is_qnan(f, a) && !is_qnan(f, b))
            a = inf;
        else if (!is_qnan(f, a) && is_qnan(f, b))
            b = inf;
    }
    if (nans2(c, f, a, b, &r))
        return r;
    if (is_zero(f, a) && is_zero(f, b))
        return is_min ? (a | b) : (a & b);
    /* Order by sign-magnitude. */
    bool sa = a & f->sign, sb = b & f->sign;
    uint64_t ma = a & ~f->sign, mb = b & ~f->sign;
    bool gt = sa != sb ? sb : (sa ? ma < mb : ma > mb);
    return (gt ^ is_min) ? a : b;
}

uint32_t fpu_minmax32_slow(Cpu *c, uint32_t a, uint32_t b, int kind)
{
    return (uint32_t)minmax(c, &F32, a, b, kind);
}
uint64_t fpu_minmax64_slow(Cpu *c, uint64_t a, uint64_t b, int kind)
{
    return minmax(c, &F64, a, b, kind);
}

/* ---- compares ---- */

/* -1, 0, 1 for ordered non-NaN operands. */
static int order(const Fmt *f, uint64_t a, uint64_t b)
{
    if (is_zero(f, a) && is_zero(f, b))
        return 0;
    bool sa = a & f->sign, sb = b & f->sign;
    uint64_t ma = a & ~f->sign, mb = b & ~f->sign;
    if (sa != sb)
        return sa ? -1 : 1;
    if (ma == mb)
        return 0;
    return (ma > mb) != sa ? 1 : -1;
}

static unsigned cmp(Cpu *c, const Fmt *f, uint64_t a, uint64_t b, bool signal)
{
    a = flush_in(c, f, a);
    b = flush_in(c, f, b);
    if (is_nan(f, a) || is_nan(f, b)) {
        if (signal || is_snan(f, a) || is_snan(f, b))
            c->fpsr |= FPSR_IOC;
        return NZCV_C | NZCV_V;
    }
    int o = order(f, a, b);
    return o == 0 ? (NZCV_Z | NZCV_C) : o < 0 ? NZCV_N : NZCV_C;
}

unsigned fpu_cmp32(Cpu *c, uint32_t a, uint32_t b, bool signal) { return cmp(c, &F32, a, b, signal); }
unsigned fpu_cmp64(Cpu *c, uint64_t a, uint64_t b, bool signal) { return cmp(c, &F64, a, b, signal); }

static bool cmpv(Cpu *c, const Fmt *f, uint64_t a, uint64_t b, int kind)
{
    a = flush_in(c, f, a);
    b = flush_in(c, f, b);
    if (is_nan(f, a) || is_nan(f, b)) {
        if (kind != FCM_EQ || is_snan(f, a) || is_snan(f, b))
            c->fpsr |= FPSR_IOC;
        return false;
    }
    int o = order(f, a, b);
    return kind == FCM_EQ ? o == 0 : kind == FCM_GE ? o >= 0 : o > 0;
}

bool fpu_cmpv32(Cpu *c, uint32_t a, uint32_t b, int kind) { return cmpv(c, &F32, a, b, kind); }
bool fpu_cmpv64(Cpu *c, uint64_t a, uint64_t b, int kind) { return cmpv(c, &F64, a, b, kind); }

/* ---- rounding ---- */

/* Unpack a finite nonzero x into mant * 2^exp. */
static void unpack(const Fmt *f, uint64_t x, int *exp, uint64_t *mant)
{
    int e = (int)((x & f->expm) >> f->mbits);
    uint64_t fr = x & f->fracm;
    if (e == 0) {
        *mant = fr;
        *exp = 1 - f->bias - f->mbits;
    } else {
        *mant = fr | (1ull << f->mbits);
        *exp = e - f->bias - f->mbits;
    }
}

static bool round_up(int mode, bool sign, uint64_t kept, bool rbit, bool sticky)
{
    switch (mode) {
    case FPR_N: return rbit && (sticky || (kept & 1));
    case FPR_A: return rbit;
    case FPR_P: return (rbit || sticky) && !sign;
    case FPR_M: return (rbit || sticky) && sign;
    default: return false;
    }
}

/* FPRound of (-1)^sign * mant * 2^exp (mant != 0) to format f. ahp: the
 * destination is alternative half precision (no infinities or NaNs). */
static uint64_t round_pack(Cpu *c, const Fmt *f, bool sign, int exp, uint64_t mant, int mode,
                           bool ahp)
{
    int lz = __builtin_clzll(mant);
    mant <<= lz;
    exp -= lz;
    int e = exp + 63 + f->bias; /* biased exponent of the unrounded value */
    uint64_t s = sign ? f->sign : 0;
    bool tiny = e <= 0;
    if (tiny && (c->fpcr & FPCR_FZ) && f->w != 16) {
        c->fpsr |= FPSR_UFC;
        return s;
    }
    int sh = 63 - f->mbits;
    if (tiny) {
        sh += 1 - e;
        e = 1;
    }
    uint64_t kept;
    bool rbit, sticky;
    if (sh >= 64) {
        kept = 0;
        rbit = sh == 64 && (mant >> 63);
        sticky = sh == 64 ? (mant << 1) != 0 : true;
    } else {
        kept = mant >> sh;
        uint64_t rem = mant << (64 - sh);
        rbit = rem >> 63;
        sticky = (rem << 1) != 0;
    }
    bool inexact = rbit || sticky;
    if (mode == FPR_ODD)
        kept |= inexact;
    else
        kept += round_up(mode, sign, kept, rbit, sticky);
    uint64_t r = ((uint64_t)(e - 1) << f->mbits) + kept;
    if (ahp) {
        if (r > 0x7fff) {
            c->fpsr |= FPSR_IOC;
            return s | 0x7fff;
        }
    } else if (r >= f->expm) {
        c->fpsr |= FPSR_OFC | FPSR_IXC;
        bool to_inf = mode == FPR_N || mode == FPR_A || (mode == FPR_P && !sign) ||
                      (mode == FPR_M && sign);
        return s | (to_inf ? f->expm : f->expm - 1);
    }
    if (inexact) {
        c->fpsr |= FPSR_IXC;
        if (tiny)
            c->fpsr |= FPSR_UFC;
    }
    return s | r;
}

/* Round mant * 2^-sh (sh > 0) to an integer; *inexact set if bits lost. */
static uint64_t round_int(uint64_t mant, int sh, int mode, bool sign, bool *inexact)
{
    uint64_t kept;
    bool rbit, sticky;
    if (sh > 64) {
        kept = 0;
        rbit = false;
        sticky = mant != 0;
    } else if (sh == 64) {
        kept = 0;
        rbit = mant >> 63;
        sticky = (mant << 1) != 0;
    } else {
        kept = mant >> sh;
        uint64_t rem = mant << (64 - sh);
        rbit = rem >> 63;
        sticky = (rem << 1) != 0;
    }
    *inexact = rbit || sticky;
    return kept + round_up(mode, sign, kept, rbit, sticky);
}

static uint64_t round_integral(Cpu *c, const Fmt *f, uint64_t x, int mode, bool exact)
{
    x = flush_in(c, f, x);
    if (is_nan(f, x))
        return nan_out(c, f, x);
    if (is_inf(f, x) || is_zero(f, x))
        return x;
    int exp;
    uint64_t mant;
    unpack(f, x, &exp, &mant);
    if (exp >= 0)
        return x;
    bool sign = x & f->sign, inexact;
    uint64_t v = round_int(mant, -exp, mode, sign, &inexact);
    if (inexact && exact)
        c->fpsr |= FPSR_IXC;
    if (!v)
        return x & f->sign;
    return round_pack(c, f, sign, 0, v, FPR_Z, false);
}

uint32_t fpu_rint32(Cpu *c, uint32_t a, int mode, bool exact) { return (uint32_t)round_integral(c, &F32, a, mode, exact); }
uint64_t fpu_rint64(Cpu *c, uint64_t a, int mode, bool exact) { return round_integral(c, &F64, a, mode, exact); }

static uint64_t to_int(Cpu *c, const Fmt *f, uint64_t x, int fbits, int mode, bool uns, int ibits)
{
    uint64_t mask = ibits == 64 ? ~0ull : 0xffffffffull;
    uint64_t smax = mask >> 1, smin = (smax + 1) & mask;
    x = flush_in(c, f, x);
    if (is_nan(f, x)) {
        c->fpsr |= FPSR_IOC;
        return 0;
    }
    bool sign = x & f->sign;
    if (is_zero(f, x))
        return 0;
    if (is_inf(f, x)) {
        c->fpsr |= FPSR_IOC;
        return uns ? (sign ? 0 : mask) : (sign ? smin : smax);
    }
    int exp;
    uint64_t mant;
    unpack(f, x, &exp, &mant);
    exp += fbits;
    uint64_t v;
    bool inexact = false, over = false;
    if (exp >= 0) {
        if (exp >= 64 || (mant << exp) >> exp != mant) {
            over = true;
            v = 0;
        } else {
            v = mant << exp;
        }
    } else {
        v = round_int(mant, -exp, mode, sign, &inexact);
    }
    if (uns) {
        if (over || (sign && v) || v > mask) {
            c->fpsr |= FPSR_IOC;
            return sign ? 0 : mask;
        }
    } else if (over || v > (sign ? smax + 1 : smax)) {
        c->fpsr |= FPSR_IOC;
        return sign ? smin : smax;
    }
    if (inexact)
        c->fpsr |= FPSR_IXC;
    return (sign ? -v : v) & mask;
}

uint64_t fpu_to_int32(Cpu *c, uint32_t a, int fbits, int mode, bool is_unsigned, int ibits)
{
    return to_int(c, &F32, a, fbits, mode, is_unsigned, ibits);
}
uint64_t fpu_to_int64(Cpu *c, uint64_t a, int fbits, int mode, bool is_unsigned, int ibits)
{
    return to_int(c, &F64, a, fbits, mode, is_unsigned, ibits);
}

static uint64_t from_int(Cpu *c, const Fmt *f, uint64_t v, int fbits, bool is_signed, int ibits)
{
    if (ibits == 32)
        v = is_signed ? (uint64_t)(int64_t)(int32_t)v : (uint32_t)v;
    bool sign = is_signed && (int64_t)v < 0;
    uint64_t mag = sign ? -v : v;
    if (!mag)
        return 0;
    return round_pack(c, f, sign, -fbits, mag, fpu_rmode(c), false);
}

uint32_t fpu_from_int32(Cpu *c, uint64_t v, int fbits, bool is_signed, int ibits)
{
    return (uint32_t)from_int(c, &F32, v, fbits, is_signed, ibits);
}
uint64_t fpu_from_int64(Cpu *c, uint64_t v, int fbits, bool is_signed, int ibits)
{
    return from_int(c, &F64, v, fbits, is_signed, ibits);
}

/* FPConvert between formats. */
static uint64_t cvt(Cpu *c, const Fmt *fs, const Fmt *fd, uint64_t x, int mode)
{
    bool ahp = c->fpcr & FPCR_AHP;
    bool ahp_in = fs->w == 16 && ahp, ahp_out = fd->w == 16 && ahp;
    x = flush_in(c, fs, x);
    bool sign = x & fs->sign;
    uint64_t s = sign ? fd->sign : 0;
    if (!ahp_in && is_nan(fs, x)) {
        if (ahp_out) {
            c->fpsr |= FPSR_IOC;
            return s;
        }
        if (!(x & fs->qbit))
            c->fpsr |= FPSR_IOC;
        if (c->fpcr & FPCR_DN)
            return fd->dnan;
        uint64_t fr = x & fs->fracm;
        fr = fd->mbits > fs->mbits ? fr << (fd->mbits - fs->mbits) : fr >> (fs->mbits - fd->mbits);
        return s | fd->expm | fd->qbit | fr;
    }
    if (!ahp_in && is_inf(fs, x)) {
        if (ahp_out) {
            c->fpsr |= FPSR_IOC;
            return s | 0x7fff;
        }
        return s | fd->expm;
    }
    if (is_zero(fs, x))
        return s;
    int exp;
    uint64_t mant;
    unpack(fs, x, &exp, &mant);
    return round_pack(c, fd, sign, exp, mant, mode, ahp_out);
}

uint64_t fpu_cvt_s_to_d(Cpu *c, uint32_t a) { return cvt(c, &F32, &F64, a, fpu_rmode(c)); }
uint32_t fpu_cvt_d_to_s(Cpu *c, uint64_t a) { return (uint32_t)cvt(c, &F64, &F32, a, fpu_rmode(c)); }
uint32_t fpu_cvtxn_d_to_s(Cpu *c, uint64_t a) { return (uint32_t)cvt(c, &F64, &F32, a, FPR_ODD); }
uint32_t fpu_cvt_h_to_s(Cpu *c, uint16_t a) { return (uint32_t)cvt(c, &F16, &F32, a, fpu_rmode(c)); }
uint64_t fpu_cvt_h_to_d(Cpu *c, uint16_t a) { return cvt(c, &F16, &F64, a, fpu_rmode(c)); }
uint16_t fpu_cvt_s_to_h(Cpu *c, uint32_t a) { return (uint16_t)cvt(c, &F32, &F16, a, fpu_rmode(c)); }
uint16_t fpu_cvt_d_to_h(Cpu *c, uint64_t a) { return (uint16_t)cvt(c, &F64, &F16, a, fpu_rmode(c)); }

/* ---- estimates (the Arm ARM's RecipEstimate / RecipSqrtEstimate) ---- */

static unsigned recip_estimate(unsigned a) /* a: 256..511 */
{
    a = a * 2 + 1;
    unsigned b = (1u << 19) / a;
    return (b + 1) / 2;
}

static unsigned rsqrt_estimate(unsigned a) /* a: 128..511 */
{
    if (a < 256)
        a = a * 2 + 1;
    else
        a = (((a >> 1) << 1) + 1) * 2;
    /* b: the smallest value >= 512 with a * (b + 1)^2 >= 2^28 */
    uint64_t lo = 512, hi = 1024; /* a * 1025^2 >= 2^28 for every a >= 257 */
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if ((uint64_t)a * (mid + 1) * (mid + 1) < (1ull << 28))
            lo = mid + 1;
        else
            hi = mid;
    }
    return (unsigned)((lo + 1) / 2);
}

static uint64_t recpe(Cpu *c, const Fmt *f, uint64_t x)
{
    x = flush_in(c, f, x);
    uint64_t s = x & f->sign;
    bool sign = s;
    if (is_nan(f, x))
        return nan_out(c, f, x);
    if (is_inf(f, x))
        return s;
    if (is_zero(f, x)) {
        c->fpsr |= FPSR_DZC;
        return s | f->expm;
    }
    uint64_t e = (x & f->expm) >> f->mbits;
    uint64_t frac = f->w == 32 ? (x & f->fracm) << 29 : (x & f->fracm); /* 52 bits */
    /* |x| < 2^-(bias+1) (denormal with both top fraction bits clear):
     * the estimate overflows. */
    if (e == 0 && !(frac >> 50)) {
        int mode = fpu_rmode(c);
        bool to_inf = mode == FPR_N || (mode == FPR_P && !sign) || (mode == FPR_M && sign);
        c->fpsr |= FPSR_OFC | FPSR_IXC;
        return s | (to_inf ? f->expm : f->expm - 1);
    }
    if ((c->fpcr & FPCR_FZ) && e >= (uint64_t)(2 * f->bias - 1)) {
        /* |x| >= 2^(bias-1): result would be denormal, flushed */
        c->fpsr |= FPSR_UFC;
        return s;
    }
    int64_t ex = (int64_t)e;
    if (ex == 0) {
        if (!((frac >> 51) & 1)) {
            ex = -1;
            frac = (frac << 2) & ((1ull << 52) - 1);
        } else {
            frac = (frac << 1) & ((1ull << 52) - 1);
        }
    }
    unsigned scaled = (unsigned)(0x100 | ((frac >> 44) & 0xff));
    int64_t rexp = (int64_t)(2 * f->bias - 1) - ex; /* 253 - exp / 2045 - exp */
    unsigned est = recip_estimate(scaled);
    uint64_t rfrac = (uint64_t)(est & 0xff) << 44;
    if (rexp == 0) {
        rfrac = (1ull << 51) | (rfrac >> 1);
    } else if (rexp == -1) {
        rfrac = (1ull << 50) | (rfrac >> 2);
        rexp = 0;
    }
    if (f->w == 32)
        return s | ((uint64_t)rexp << 23) | (rfrac >> 29);
    return s | ((uint64_t)rexp << 52) | rfrac;
}

static uint64_t rsqrte(Cpu *c, const Fmt *f, uint64_t x)
{
    x = flush_in(c, f, x);
    uint64_t s = x & f->sign;
    if (is_nan(f, x))
        return nan_out(c, f, x);
    if (is_zero(f, x)) {
        c->fpsr |= FPSR_DZC;
        return s | f->expm;
    }
    if (s) {
        c->fpsr |= FPSR_IOC;
        return f->dnan;
    }
    if (is_inf(f, x))
        return 0;
    int64_t ex = (int64_t)((x & f->expm) >> f->mbits);
    uint64_t frac = f->w == 32 ? (x & f->fracm) << 29 : (x & f->fracm);
    const uint64_t m52 = (1ull << 52) - 1;
    if (ex == 0) {
        while (!((frac >> 51) & 1)) {
            frac = (frac << 1) & m52;
            ex--;
        }
        frac = (frac << 1) & m52;
    }
    unsigned scaled;
    if (!(ex & 1))
        scaled = (unsigned)(0x100 | ((frac >> 44) & 0xff));
    else
        scaled = (unsigned)(0x80 | ((frac >> 45) & 0x7f));
    int64_t num = f->w == 32 ? 380 : 3068;
    int64_t rexp = (num - ex) >> 1; /* DIV 2, rounding toward -inf */
    unsigned est = rsqrt_estimate(scaled);
    if (f->w == 32)
        return ((uint64_t)rexp << 23) | ((uint64_t)(est & 0xff) << 15);
    return ((uint64_t)rexp << 52) | ((uint64_t)(est & 0xff) << 44);
}

static uint64_t recpx(Cpu *c, const Fmt *f, uint64_t x)
{
    x = flush_in(c, f, x);
    if (is_nan(f, x))
        return nan_out(c, f, x);
    uint64_t e = x & f->expm;
    if (!e)
        return (x & f->sign) | (f->expm - (1ull << f->mbits));
    return (x & f->sign) | (~e & f->expm);
}

uint32_t fpu_recpe32(Cpu *c, uint32_t a) { return (uint32_t)recpe(c, &F32, a); }
uint64_t fpu_recpe64(Cpu *c, uint64_t a) { return recpe(c, &F64, a); }
uint32_t fpu_rsqrte32(Cpu *c, uint32_t a) { return (uint32_t)rsqrte(c, &F32, a); }
uint64_t fpu_rsqrte64(Cpu *c, uint64_t a) { return rsqrte(c, &F64, a); }
uint32_t fpu_recpx32(Cpu *c, uint32_t a) { return (uint32_t)recpx(c, &F32, a); }
uint64_t fpu_recpx64(Cpu *c, uint64_t a) { return recpx(c, &F64, a); }
