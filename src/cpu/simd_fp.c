/* AdvSIMD floating point, vector and scalar forms: three same (arithmetic,
 * compares, FMLA/FMLS, pairwise), two-register misc (FABS, FNEG, FSQRT,
 * FRINT*, conversions, compares with zero, estimates, FCVTN/FCVTL/FCVTXN),
 * across lanes (FMAXV...), scalar pairwise, fixed-point conversions by
 * immediate and the by-element multiplies.
 *
 * rd/rn/rm are SIMD register numbers. Handlers are specialised by element
 * size (_s single, _d double); f0 = number of lanes (1 for the scalar forms),
 * lanes past f0 are written as zero (Q=0 clears the upper half, scalar
 * writes clear everything above the element). Every lane is computed from
 * the sources before Vd is written, so Vd may alias a source.
 * FP16 encodings (FEAT_FP16, FEAT_FHM) are claimed and left UNDEFINED. */
#include <string.h>

#include "cpu/fpu.h"
#include "cpu/insn.h"

#define SGN32 0x80000000u
#define SGN64 0x8000000000000000ull

/* ---- element-wise binary: a = Vn lane, b = Vm lane, x = Vd lane ---- */
#define VBIN(name, E32, E64)                                                               \
    static const Insn *exec_##name##_s(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        const VReg *vn = &c->v[d->rn], *vm = &c->v[d->rm], *vd = &c->v[d->rd];             \
        VReg r = {.q = 0};                                                                 \
        for (unsigned i = 0; i < d->f0; i++) {                                             \
            uint32_t a = vn->s[i], b = vm->s[i], x = vd->s[i];                             \
            (void)x;                                                                       \
            r.s[i] = (E32);                                                                \
        }                                                                                  \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }                                                                                      \
    static const Insn *exec_##name##_d(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        const VReg *vn = &c->v[d->rn], *vm = &c->v[d->rm], *vd = &c->v[d->rd];             \
        VReg r = {.q = 0};                                                                 \
        for (unsigned i = 0; i < d->f0; i++) {                                             \
            uint64_t a = vn->d[i], b = vm->d[i], x = vd->d[i];                             \
            (void)x;                                                                       \
            r.d[i] = (E64);                                                                \
        }                                                                                  \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }

/* by element: b = Vm[f1] for every lane */
#define VIDX(name, E32, E64)                                                               \
    static const Insn *exec_##name##_s(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        const VReg *vn = &c->v[d->rn], *vd = &c->v[d->rd];                                 \
        uint32_t b = c->v[d->rm].s[d->f1];                                                 \
        VReg r = {.q = 0};                                                                 \
        for (unsigned i = 0; i < d->f0; i++) {                                             \
            uint32_t a = vn->s[i], x = vd->s[i];                                           \
            (void)x;                                                                       \
            r.s[i] = (E32);                                                                \
        }                                                                                  \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }                                                                                      \
    static const Insn *exec_##name##_d(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        const VReg *vn = &c->v[d->rn], *vd = &c->v[d->rd];                                 \
        uint64_t b = c->v[d->rm].d[d->f1];                                                 \
        VReg r = {.q = 0};                                                                 \
        for (unsigned i = 0; i < d->f0; i++) {                                             \
            uint64_t a = vn->d[i], x = vd->d[i];                                           \
            (void)x;                                                                       \
            r.d[i] = (E64);                                                                \
        }                                                                                  \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }

/* pairwise over the concatenation Vn:Vm (vector forms) */
#define VPAIR(name, E32, E64)                                                              \
    static const Insn *exec_##name##_s(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        uint32_t cat[8];                                                                   \
        unsigned n = d->f0;                                                                \
        for (unsigned i = 0; i < n; i++) {                                                 \
            cat[i] = c->v[d->rn].s[i];                                                     \
            cat[n + i] = c->v[d->rm].s[i];                                                 \
        }                                                                                  \
        VReg r = {.q = 0};                                                                 \
        for (unsigned i = 0; i < n; i++) {                                                 \
            uint32_t a = cat[2 * i], b = cat[2 * i + 1];                                   \
            r.s[i] = (E32);                                                                \
        }                                                                                  \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }                                                                                      \
    static const Insn *exec_##name##_d(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        uint64_t a0 = c->v[d->rn].d[0], b0 = c->v[d->rn].d[1];                             \
        uint64_t a1 = c->v[d->rm].d[0], b1 = c->v[d->rm].d[1];                             \
        VReg r;                                                                            \
        uint64_t a = a0, b = b0;                                                           \
        r.d[0] = (E64);                                                                    \
        a = a1, b = b1;                                                                    \
        r.d[1] = (E64);                                                                    \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }                                                                                      \
    static const Insn *exec_##name##_scalar_s(Cpu *c, const Insn *d)                       \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        uint32_t a = c->v[d->rn].s[0], b = c->v[d->rn].s[1];                               \
        VReg r = {.q = 0};                                                                 \
        r.s[0] = (E32);                                                                    \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }                                                                                      \
    static const Insn *exec_##name##_scalar_d(Cpu *c, const Insn *d)                       \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        uint64_t a = c->v[d->rn].d[0], b = c->v[d->rn].d[1];                               \
        VReg r = {.q = 0};                                                                 \
        r.d[0] = (E64);                                                                    \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }

/* element-wise unary: a = Vn lane */
#define VUN(name, E32, E64)                                                                \
    static const Insn *exec_##name##_s(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        const VReg *vn = &c->v[d->rn];                                                     \
        VReg r = {.q = 0};                                                                 \
        for (unsigned i = 0; i < d->f0; i++) {                                             \
            uint32_t a = vn->s[i];                                                         \
            r.s[i] = (E32);                                                                \
        }                                                                                  \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }                                                                                      \
    static const Insn *exec_##name##_d(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        const VReg *vn = &c->v[d->rn];                                                     \
        VReg r = {.q = 0};                                                                 \
        for (unsigned i = 0; i < d->f0; i++) {                                             \
            uint64_t a = vn->d[i];                                                         \
            r.d[i] = (E64);                                                                \
        }                                                                                  \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }

/* Whole-vector fast path (as fpu.h: round to nearest; FZ without denormal
 * lanes): all lanes at once on the host, one check of the host flags; unused
 * lanes hold 1.0, exact for every operation. Falls back
 * to the per-lane exact code when anything needs the slow path. */
typedef float v4f __attribute__((vector_size(16)));
typedef double v2d __attribute__((vector_size(16)));

static inline bool vfast_ok32(Cpu *c, uint32_t m, const VReg *r, unsigned n)
{
    if (m & (MX_IE | MX_ZE | MX_OE | MX_UE))
        return false;
    for (unsigned i = 0; i < n; i++) {
        uint32_t mag = r->s[i] & 0x7fffffffu;
        if (mag > 0x7f800000u || mag - 1 < 0x00800000u)
            return false;
    }
    c->fpsr |= (m >> 1) & FPSR_IXC;
    return true;
}

static inline bool vfast_ok64(Cpu *c, uint32_t m, const VReg *r, unsigned n)
{
    if (m & (MX_IE | MX_ZE | MX_OE | MX_UE))
        return false;
    for (unsigned i = 0; i < n; i++) {
        uint64_t mag = r->d[i] & 0x7fffffffffffffffull;
        if (mag > 0x7ff0000000000000ull || mag - 1 < 0x0010000000000000ull)
            return false;
    }
    c->fpsr |= (m >> 1) & FPSR_IXC;
    return true;
}

/* Host arithmetic allowed: round to nearest, and under FZ no denormal lane. */
static inline bool vfast_allowed32(const Cpu *c, const VReg *x, const VReg *y, unsigned n)
{
    uint32_t f = c->fpcr & FPCR_SLOW;
    if (__builtin_expect(!f, 1))
        return true;
    if (f != FPCR_FZ)
        return false;
    for (unsigned i = 0; i < n; i++)
        if (fpu_denormal32(x->s[i]) || fpu_denormal32(y->s[i]))
            return false;
    return true;
}

static inline bool vfast_allowed64(const Cpu *c, const VReg *x, const VReg *y, unsigned n)
{
    uint32_t f = c->fpcr & FPCR_SLOW;
    if (__builtin_expect(!f, 1))
        return true;
    if (f != FPCR_FZ)
        return false;
    for (unsigned i = 0; i < n; i++)
        if (fpu_denormal64(x->d[i]) || fpu_denormal64(y->d[i]))
            return false;
    return true;
}

#define VFAST(name, op, E32, E64)                                                          \
    static const Insn *exec_##name##_s(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        const VReg *vn = &c->v[d->rn], *vm = &c->v[d->rm];                                 \
        unsigned n = d->f0;                                                                \
        VReg r = {.q = 0};                                                                 \
        if (__builtin_expect(vfast_allowed32(c, vn, vm, n), 1)) {                          \
            VReg tx = *vn, ty = *vm;                                                       \
            if (n != 4) {                                                                  \
                tx.d[1] = ty.d[1] = 0x3f8000003f800000ull;                                 \
                if (n == 1)                                                                \
                    tx.s[1] = ty.s[1] = 0x3f800000u;                                       \
            }                                                                              \
            v4f x, y, z;                                                                   \
            memcpy(&x, &tx, 16);                                                           \
            memcpy(&y, &ty, 16);                                                           \
            fpu_pre(c);                                                                    \
            FPU_HIDE2(x, y);                                                               \
            z = x op y;                                                                    \
            uint32_t m;                                                                    \
            FPU_FLAGS(m, z);                                                               \
            memcpy(&r, &z, 16);                                                            \
            if (vfast_ok32(c, m, &r, 4)) {                                                 \
                if (n != 4) {                                                              \
                    r.d[1] = 0;                                                            \
                    if (n == 1)                                                            \
                        r.s[1] = 0;                                                        \
                }                                                                          \
                c->v[d->rd] = r;                                                           \
                return insn_next(c, d + 1);                                                \
            }                                                                              \
            r.q = 0;                                                                       \
        }                                                                                  \
        for (unsigned i = 0; i < n; i++) {                                                 \
            uint32_t a = vn->s[i], b = vm->s[i];                                           \
            r.s[i] = (E32);                                                                \
        }                                                                                  \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }                                                                                      \
    static const Insn *exec_##name##_d(Cpu *c, const Insn *d)                              \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        const VReg *vn = &c->v[d->rn], *vm = &c->v[d->rm];                                 \
        unsigned n = d->f0;                                                                \
        VReg r = {.q = 0};                                                                 \
        if (__builtin_expect(vfast_allowed64(c, vn, vm, n), 1)) {                          \
            VReg tx = *vn, ty = *vm;                                                       \
            if (n == 1)                                                                    \
                tx.d[1] = ty.d[1] = 0x3ff0000000000000ull;                                 \
            v2d x, y, z;                                                                   \
            memcpy(&x, &tx, 16);                                                           \
            memcpy(&y, &ty, 16);                                                           \
            fpu_pre(c);                                                                    \
            FPU_HIDE2(x, y);                                                               \
            z = x op y;                                                                    \
            uint32_t m;                                                                    \
            FPU_FLAGS(m, z);                                                               \
            memcpy(&r, &z, 16);                                                            \
            if (vfast_ok64(c, m, &r, 2)) {                                                 \
                if (n == 1)                                                                \
                    r.d[1] = 0;                                                            \
                c->v[d->rd] = r;                                                           \
                return insn_next(c, d + 1);                                                \
            }                                                                              \
            r.q = 0;                                                                       \
        }                                                                                  \
        for (unsigned i = 0; i < n; i++) {                                                 \
            uint64_t a = vn->d[i], b = vm->d[i];                                           \
            r.d[i] = (E64);                                                                \
        }                                                                                  \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }

#define M32(b) ((b) ? 0xffffffffu : 0u)
#define M64(b) ((b) ? ~0ull : 0ull)
#define ABS32(v) ((v) & ~SGN32)
#define ABS64(v) ((v) & ~SGN64)

VFAST(fadd, +, fpu_add32(c, a, b), fpu_add64(c, a, b))
VFAST(fsub, -, fpu_sub32(c, a, b), fpu_sub64(c, a, b))
VFAST(fmul, *, fpu_mul32(c, a, b), fpu_mul64(c, a, b))
VFAST(fdiv, /, fpu_div32(c, a, b), fpu_div64(c, a, b))
VBIN(fmulx, fpu_mulx32(c, a, b), fpu_mulx64(c, a, b))
VBIN(fmax, fpu_minmax32(c, a, b, FMM_MAX), fpu_minmax64(c, a, b, FMM_MAX))
VBIN(fmin, fpu_minmax32(c, a, b, FMM_MIN), fpu_minmax64(c, a, b, FMM_MIN))
VBIN(fmaxnm, fpu_minmax32(c, a, b, FMM_MAXNM), fpu_minmax64(c, a, b, FMM_MAXNM))
VBIN(fminnm, fpu_minmax32(c, a, b, FMM_MINNM), fpu_minmax64(c, a, b, FMM_MINNM))
VBIN(fabd, ABS32(fpu_sub32(c, a, b)), ABS64(fpu_sub64(c, a, b)))
VBIN(frecps, fpu_recps32(c, a, b), fpu_recps64(c, a, b))
VBIN(frsqrts, fpu_rsqrts32(c, a, b), fpu_rsqrts64(c, a, b))
VBIN(fmla, fpu_fma32(c, x, a, b), fpu_fma64(c, x, a, b))
VBIN(fmls, fpu_fma32(c, x, a ^ SGN32, b), fpu_fma64(c, x, a ^ SGN64, b))
VBIN(fcmeq, M32(fpu_cmpv32(c, a, b, FCM_EQ)), M64(fpu_cmpv64(c, a, b, FCM_EQ)))
VBIN(fcmge, M32(fpu_cmpv32(c, a, b, FCM_GE)), M64(fpu_cmpv64(c, a, b, FCM_GE)))
VBIN(fcmgt, M32(fpu_cmpv32(c, a, b, FCM_GT)), M64(fpu_cmpv64(c, a, b, FCM_GT)))
VBIN(facge, M32(fpu_cmpv32(c, ABS32(a), ABS32(b), FCM_GE)),
     M64(fpu_cmpv64(c, ABS64(a), ABS64(b), FCM_GE)))
VBIN(facgt, M32(fpu_cmpv32(c, ABS32(a), ABS32(b), FCM_GT)),
     M64(fpu_cmpv64(c, ABS64(a), ABS64(b), FCM_GT)))

VIDX(fmul_idx, fpu_mul32(c, a, b), fpu_mul64(c, a, b))
VIDX(fmulx_idx, fpu_mulx32(c, a, b), fpu_mulx64(c, a, b))
VIDX(fmla_idx, fpu_fma32(c, x, a, b), fpu_fma64(c, x, a, b))
VIDX(fmls_idx, fpu_fma32(c, x, a ^ SGN32, b), fpu_fma64(c, x, a ^ SGN64, b))

VPAIR(faddp, fpu_add32(c, a, b), fpu_add64(c, a, b))
VPAIR(fmaxp, fpu_minmax32(c, a, b, FMM_MAX), fpu_minmax64(c, a, b, FMM_MAX))
VPAIR(fminp, fpu_minmax32(c, a, b, FMM_MIN), fpu_minmax64(c, a, b, FMM_MIN))
VPAIR(fmaxnmp, fpu_minmax32(c, a, b, FMM_MAXNM), fpu_minmax64(c, a, b, FMM_MAXNM))
VPAIR(fminnmp, fpu_minmax32(c, a, b, FMM_MINNM), fpu_minmax64(c, a, b, FMM_MINNM))

VUN(fabs, ABS32(a), ABS64(a))
VUN(fneg, a ^ SGN32, a ^ SGN64)
VUN(fsqrt, fpu_sqrt32(c, a), fpu_sqrt64(c, a))
/* f1 = rounding (0xff: FPCR), f2 = FRINTX */
VUN(frint, fpu_rint32(c, a, d->f1 == 0xff ? (int)fpu_rmode(c) : d->f1, d->f2),
    fpu_rint64(c, a, d->f1 == 0xff ? (int)fpu_rmode(c) : d->f1, d->f2))
/* f1 = rounding, f2 = fbits, f3 = unsigned */
VUN(fcvt_int, (uint32_t)fpu_to_int32(c, a, d->f2, d->f1, d->f3, 32),
    fpu_to_int64(c, a, d->f2, d->f1, d->f3, 64))
/* f2 = fbits, f3 = unsigned */
VUN(cvtf, fpu_from_int32(c, a, d->f2, !d->f3, 32), fpu_from_int64(c, a, d->f2, !d->f3, 64))
VUN(frecpe, fpu_recpe32(c, a), fpu_recpe64(c, a))
VUN(frsqrte, fpu_rsqrte32(c, a), fpu_rsqrte64(c, a))
VUN(frecpx, fpu_recpx32(c, a), fpu_recpx64(c, a))
VUN(fcmeq0, M32(fpu_cmpv32(c, a, 0, FCM_EQ)), M64(fpu_cmpv64(c, a, 0, FCM_EQ)))
VUN(fcmge0, M32(fpu_cmpv32(c, a, 0, FCM_GE)), M64(fpu_cmpv64(c, a, 0, FCM_GE)))
VUN(fcmgt0, M32(fpu_cmpv32(c, a, 0, FCM_GT)), M64(fpu_cmpv64(c, a, 0, FCM_GT)))
VUN(fcmle0, M32(fpu_cmpv32(c, 0, a, FCM_GE)), M64(fpu_cmpv64(c, 0, a, FCM_GE)))
VUN(fcmlt0, M32(fpu_cmpv32(c, 0, a, FCM_GT)), M64(fpu_cmpv64(c, 0, a, FCM_GT)))

/* ---- across lanes (4S only): (v0 op v1) op (v2 op v3); f1 = FMM kind ---- */
static const Insn *exec_fminmaxv(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    const VReg *vn = &c->v[d->rn];
    uint32_t lo = fpu_minmax32(c, vn->s[0], vn->s[1], d->f1);
    uint32_t hi = fpu_minmax32(c, vn->s[2], vn->s[3], d->f1);
    VReg r = {.q = 0};
    r.s[0] = fpu_minmax32(c, lo, hi, d->f1);
    c->v[d->rd] = r;
    return insn_next(c, d + 1);
}

/* ---- narrowing and lengthening; f3 = Q (the "2" forms use the upper half) ---- */
static const Insn *exec_fcvtn_s(Cpu *c, const Insn *d) /* 4S -> 4H */
{
    fp_check(c, d);
    const VReg *vn = &c->v[d->rn];
    uint16_t h[4];
    for (int i = 0; i < 4; i++)
        h[i] = fpu_cvt_s_to_h(c, vn->s[i]);
    VReg *r = &c->v[d->rd];
    uint64_t v = h[0] | (uint64_t)h[1] << 16 | (uint64_t)h[2] << 32 | (uint64_t)h[3] << 48;
    if (d->f3) {
        r->d[1] = v;
    } else {
        r->d[0] = v;
        r->d[1] = 0;
    }
    return insn_next(c, d + 1);
}
static const Insn *exec_fcvtn_d(Cpu *c, const Insn *d) /* 2D -> 2S; f1 = round to odd */
{
    fp_check(c, d);
    const VReg *vn = &c->v[d->rn];
    uint32_t lo, hi;
    if (d->f1) {
        lo = fpu_cvtxn_d_to_s(c, vn->d[0]);
        hi = fpu_cvtxn_d_to_s(c, vn->d[1]);
    } else {
        lo = fpu_cvt_d_to_s(c, vn->d[0]);
        hi = fpu_cvt_d_to_s(c, vn->d[1]);
    }
    VReg *r = &c->v[d->rd];
    uint64_t v = lo | (uint64_t)hi << 32;
    if (d->f3) {
        r->d[1] = v;
    } else {
        r->d[0] = v;
        r->d[1] = 0;
    }
    return insn_next(c, d + 1);
}
static const Insn *exec_fcvtxn_scalar(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    uint32_t v = fpu_cvtxn_d_to_s(c, c->v[d->rn].d[0]);
    vreg_set(&c->v[d->rd], v, 0);
    return insn_next(c, d + 1);
}
static const Insn *exec_fcvtl_s(Cpu *c, const Insn *d) /* 4H -> 4S */
{
    fp_check(c, d);
    uint64_t src = c->v[d->rn].d[d->f3];
    VReg r;
    for (int i = 0; i < 4; i++)
        r.s[i] = fpu_cvt_h_to_s(c, (uint16_t)(src >> (16 * i)));
    c->v[d->rd] = r;
    return insn_next(c, d + 1);
}
static const Insn *exec_fcvtl_d(Cpu *c, const Insn *d) /* 2S -> 2D */
{
    fp_check(c, d);
    uint64_t src = c->v[d->rn].d[d->f3];
    VReg r;
    r.d[0] = fpu_cvt_s_to_d(c, (uint32_t)src);
    r.d[1] = fpu_cvt_s_to_d(c, (uint32_t)(src >> 32));
    c->v[d->rd] = r;
    return insn_next(c, d + 1);
}

/* ---- decoders ---- */
#define PAIR(name) {exec_##name##_s, exec_##name##_d}
typedef InsnFn FnPair[2];

/* Lane count for element size sz (0 S, 1 D), Q; 0 if reserved. */
static unsigned lanes_for(unsigned sz, unsigned q)
{
    if (sz)
        return q ? 2 : 0;
    return q ? 4 : 2;
}

/* Three same, opcode 11xxx. Index: U:a:opcode<2:0>. */
static void decode_3same(uint32_t raw, Insn *d, bool scalar)
{
    static const FnPair vec[32] = {
        /* U0 a0 */ PAIR(fmaxnm), PAIR(fmla), PAIR(fadd), PAIR(fmulx), PAIR(fcmeq), {0, 0}, PAIR(fmax), PAIR(frecps),
        /* U0 a1 */ PAIR(fminnm), PAIR(fmls), PAIR(fsub), {0, 0}, {0, 0}, {0, 0}, PAIR(fmin), PAIR(frsqrts),
        /* U1 a0 */ PAIR(fmaxnmp), {0, 0}, PAIR(faddp), PAIR(fmul), PAIR(fcmge), PAIR(facge), PAIR(fmaxp), PAIR(fdiv),
        /* U1 a1 */ PAIR(fminnmp), {0, 0}, PAIR(fabd), {0, 0}, PAIR(fcmgt), PAIR(facgt), PAIR(fminp), {0, 0},
    };
    unsigned q = bit(raw, 30), sz = bit(raw, 22);
    unsigned idx = bit(raw, 29) << 4 | bit(raw, 23) << 3 | bits(raw, 13, 11);
    InsnFn fn = vec[idx][sz];
    if (!fn)
        return;
    if (scalar) {
        /* only FMULX, FCMEQ, FRECPS, FRSQRTS, FCMGE, FACGE, FABD, FCMGT, FACGT */
        static const uint32_t ok = 1u << 3 | 1u << 4 | 1u << 7 | 1u << 15 | 1u << 20 | 1u << 21 |
                                   1u << 26 | 1u << 28 | 1u << 29;
        if (!((ok >> idx) & 1))
            return;
        d->f0 = 1;
    } else {
        d->f0 = (uint8_t)lanes_for(sz, q);
        if (!d->f0)
            return;
    }
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);
    d->rm = (uint8_t)bits(raw, 20, 16);
    d->fn = fn;
}

/* Two-register misc (FP part). Returns false for the integer encodings. */
static bool decode_2misc(uint32_t raw, Insn *d, bool scalar)
{
    unsigned u = bit(raw, 29), a = bit(raw, 23), sz = bit(raw, 22), q = bit(raw, 30);
    unsigned op = bits(raw, 16, 12);
    static const FnPair fabs_ = PAIR(fabs), fneg_ = PAIR(fneg), fsqrt_ = PAIR(fsqrt),
                        frint_ = PAIR(frint), fcvti_ = PAIR(fcvt_int), cvtf_ = PAIR(cvtf),
                        frecpe_ = PAIR(frecpe), frsqrte_ = PAIR(frsqrte), frecpx_ = PAIR(frecpx),
                        cmgt0 = PAIR(fcmgt0), cmge0 = PAIR(fcmge0), cmeq0 = PAIR(fcmeq0),
                        cmle0 = PAIR(fcmle0), cmlt0 = PAIR(fcmlt0);
    const InsnFn *fn = NULL;
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);

    if (op >= 0x0c && op <= 0x0f) {
        if (!a)
            return false;
        switch (op) {
        case 0x0c: fn = u ? cmge0 : cmgt0; break;
        case 0x0d: fn = u ? cmle0 : cmeq0; break;
        case 0x0e: fn = u ? NULL : cmlt0; break;
        default: fn = scalar ? NULL : (u ? fneg_ : fabs_); break;
        }
    } else if (op == 0x16 || op == 0x17) {
        if (a)
            return true;
        if (op == 0x16 && u) { /* FCVTXN */
            if (!sz)
                return true;
            d->f1 = 1;
            d->f3 = (uint8_t)q;
            d->fn = scalar ? exec_fcvtxn_scalar : exec_fcvtn_d;
            return true;
        }
        if (scalar || u)
            return true;
        d->f3 = (uint8_t)q;
        if (op == 0x16)
            d->fn = sz ? exec_fcvtn_d : exec_fcvtn_s;
        else
            d->fn = sz ? exec_fcvtl_d : exec_fcvtl_s;
        return true;
    } else if (op >= 0x18) {
        switch (op) {
        case 0x18: case 0x19: { /* FRINT */
            if (scalar || (u && a && op == 0x18))
                return true;
            /* index u:op<0>:a -> N(000) P(001) M(010) Z(011) A(100) - X(110) I(111) */
            unsigned k = u << 2 | (op & 1) << 1 | a;
            static const uint8_t mk[8] = {FPR_N, FPR_P, FPR_M, FPR_Z, FPR_A, 0, 0xff, 0xff};
            d->f1 = mk[k];
            d->f2 = k == 6;
            fn = frint_;
            break;
        }
        case 0x1a: case 0x1b: case 0x1c: { /* FCVT{N,P,M,Z,A}{S,U} */
            if (op == 0x1c && a) {
                if (scalar)
                    return true;
                return false; /* URECPE, URSQRTE */
            }
            static const uint8_t mk[6] = {FPR_N, FPR_P, FPR_M, FPR_Z, FPR_A, FPR_A};
            d->f1 = mk[(op - 0x1a) * 2 + a];
            d->f2 = 0;
            d->f3 = (uint8_t)u;
            fn = fcvti_;
            break;
        }
        case 0x1d:
            if (a) {
                fn = u ? frsqrte_ : frecpe_;
            } else {
                d->f2 = 0;
                d->f3 = (uint8_t)u;
                fn = cvtf_;
            }
            break;
        case 0x1f:
            if (!a)
                return true;
            if (scalar)
                fn = u ? NULL : frecpx_;
            else
                fn = u ? fsqrt_ : NULL;
            break;
        default: /* FRINT32/64 (v8.5) */
            return true;
        }
    } else {
        return false;
    }
    if (!fn || !fn[sz])
        return true;
    if (scalar) {
        d->f0 = 1;
    } else {
        d->f0 = (uint8_t)lanes_for(sz, q);
        if (!d->f0)
            return true;
    }
    d->fn = fn[sz];
    return true;
}

/* Scalar pairwise (U=1): FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP */
static bool decode_scalar_pair(uint32_t raw, Insn *d)
{
    unsigned u = bit(raw, 29), a = bit(raw, 23), sz = bit(raw, 22), op = bits(raw, 16, 12);
    if (op != 0x0c && op != 0x0d && op != 0x0f)
        return false;
    if (!u)
        return true; /* FP16 forms */
    static const FnPair maxnm = {exec_fmaxnmp_scalar_s, exec_fmaxnmp_scalar_d},
                        minnm = {exec_fminnmp_scalar_s, exec_fminnmp_scalar_d},
                        add = {exec_faddp_scalar_s, exec_faddp_scalar_d},
                        max = {exec_fmaxp_scalar_s, exec_fmaxp_scalar_d},
                        min = {exec_fminp_scalar_s, exec_fminp_scalar_d};
    const InsnFn *fn;
    if (op == 0x0c)
        fn = a ? minnm : maxnm;
    else if (op == 0x0d)
        fn = a ? NULL : add;
    else
        fn = a ? min : max;
    if (!fn)
        return true;
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);
    d->f0 = 1;
    d->fn = fn[sz];
    return true;
}

/* Across lanes: FMAXNMV, FMINNMV, FMAXV, FMINV (4S) */
static bool decode_across(uint32_t raw, Insn *d)
{
    unsigned u = bit(raw, 29), a = bit(raw, 23), sz = bit(raw, 22), op = bits(raw, 16, 12);
    if (op != 0x0c && op != 0x0f)
        return false;
    if (!u || sz || !bit(raw, 30))
        return true;
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);
    d->f1 = op == 0x0c ? (a ? FMM_MINNM : FMM_MAXNM) : (a ? FMM_MIN : FMM_MAX);
    d->fn = exec_fminmaxv;
    return true;
}

/* Shift by immediate: SCVTF/UCVTF/FCVTZS/FCVTZU (fixed point) */
static bool decode_shift_imm(uint32_t raw, Insn *d, bool scalar)
{
    unsigned op = bits(raw, 15, 11), immh = bits(raw, 22, 19), u = bit(raw, 29);
    if (op != 0x1c && op != 0x1f)
        return false;
    if (immh == 0)
        return false; /* modified immediate */
    if (immh < 4)
        return true; /* half precision (FEAT_FP16) or reserved */
    unsigned sz = immh >= 8;
    unsigned immhb = bits(raw, 22, 16);
    if (scalar) {
        d->f0 = 1;
    } else {
        d->f0 = (uint8_t)lanes_for(sz, bit(raw, 30));
        if (!d->f0)
            return true;
    }
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);
    d->f2 = (uint8_t)((sz ? 128 : 64) - immhb);
    d->f3 = (uint8_t)u;
    if (op == 0x1c) {
        d->fn = sz ? exec_cvtf_d : exec_cvtf_s;
    } else {
        d->f1 = FPR_Z;
        d->fn = sz ? exec_fcvt_int_d : exec_fcvt_int_s;
    }
    return true;
}

/* By element: FMLA, FMLS, FMUL, FMULX */
static bool decode_elem(uint32_t raw, Insn *d, bool scalar)
{
    unsigned u = bit(raw, 29), op = bits(raw, 15, 12), size = bits(raw, 23, 22);
    static const FnPair fmla = PAIR(fmla_idx), fmls = PAIR(fmls_idx), fmul = PAIR(fmul_idx),
                        fmulx = PAIR(fmulx_idx);
    const InsnFn *fn;
    if (!u && op == 1)
        fn = fmla;
    else if (!u && op == 5)
        fn = fmls;
    else if (op == 9)
        fn = u ? fmulx : fmul;
    else
        return false;
    if (size < 2)
        return true; /* half precision (FEAT_FP16) or reserved */
    unsigned sz = size & 1, h = bit(raw, 11), l = bit(raw, 21);
    if (sz && l)
        return true;
    if (scalar) {
        d->f0 = 1;
    } else {
        d->f0 = (uint8_t)lanes_for(sz, bit(raw, 30));
        if (!d->f0)
            return true;
    }
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);
    d->rm = (uint8_t)bits(raw, 20, 16);
    d->f1 = (uint8_t)(sz ? h : (h << 1 | l));
    d->fn = fn[sz];
    return true;
}

bool decode_simd_fp(uint32_t raw, Insn *d)
{
    bool scalar = bit(raw, 30) && bit(raw, 28);
    if ((raw & 0x9f20c400) == 0x0e20c400 || (raw & 0xdf20c400) == 0x5e20c400) {
        decode_3same(raw, d, scalar); /* three same, FP opcodes 11xxx */
        return true;
    }
    if ((raw & 0x9f3e0c00) == 0x0e200800 || (raw & 0xdf3e0c00) == 0x5e200800)
        return decode_2misc(raw, d, scalar);
    if ((raw & 0xdf3e0c00) == 0x5e300800)
        return decode_scalar_pair(raw, d);
    if ((raw & 0x9f3e0c00) == 0x0e300800)
        return decode_across(raw, d);
    if ((raw & 0x9f800400) == 0x0f000400 || (raw & 0xdf800400) == 0x5f000400)
        return decode_shift_imm(raw, d, scalar);
    if ((raw & 0x9f000400) == 0x0f000000 || (raw & 0xdf000400) == 0x5f000000)
        return decode_elem(raw, d, scalar);
    /* FP16 three same / two-register misc, vector and scalar: FEAT_FP16 */
    if ((raw & 0x9f60c400) == 0x0e400400 || (raw & 0xdf60c400) == 0x5e400400 ||
        (raw & 0x9f7e0c00) == 0x0e780800 || (raw & 0xdf7e0c00) == 0x5e780800)
        return true;
    return false;
}
