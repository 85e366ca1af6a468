/* Lane kernels of the AdvSIMD integer instructions (simd_int.c).
 *
 * A kernel computes one result lane: k_<name>_<BITS>(a, b, x, q) with a and b
 * the source lanes (b is the shift amount for shifts by immediate), x the old
 * destination lane (accumulating forms) and *q set to 1 when the result
 * saturated. Kernels are written once, generically, with KALL(name, body):
 * inside the body U/S are the unsigned/signed lane types, UP the lane type
 * after integer promotion (for overflow-free unsigned arithmetic), W/UW a type
 * at least twice as wide, BITS the lane width.
 *
 * Widening instructions run the kernel of the wide size on sign- or
 * zero-extended narrow lanes; narrowing ones run the kernel of the wide size,
 * which returns the value already saturated to the narrow range (NSAT_*). */
#ifndef TANDEM_SIMD_INT_OPS_H
#define TANDEM_SIMD_INT_OPS_H

#include <stdint.h>

#pragma GCC diagnostic ignored "-Wunused-local-typedefs"

#define SI_INLINE static inline __attribute__((always_inline, unused))

#define KDEF(name, BITS_, U_, S_, W_, UW_, UP_, ...)                                      \
    SI_INLINE U_ k_##name##_##BITS_(U_ a, U_ b, U_ x, unsigned *q)                       \
    {                                                                                    \
        typedef U_ U;                                                                    \
        typedef S_ S;                                                                    \
        typedef W_ W;                                                                    \
        typedef UW_ UW;                                                                  \
        typedef UP_ UP;                                                                  \
        enum { BITS = BITS_ };                                                           \
        (void)a, (void)b, (void)x, (void)q;                                              \
        __VA_ARGS__                                                                      \
    }

#define KALL(name, ...)                                                                  \
    KDEF(name, 8, uint8_t, int8_t, int32_t, uint32_t, unsigned, __VA_ARGS__)             \
    KDEF(name, 16, uint16_t, int16_t, int32_t, uint32_t, unsigned, __VA_ARGS__)          \
    KDEF(name, 32, uint32_t, int32_t, int64_t, uint64_t, uint32_t, __VA_ARGS__)          \
    KDEF(name, 64, uint64_t, int64_t, __int128, unsigned __int128, uint64_t, __VA_ARGS__)

/* Ranges, as W values. */
#define ONES ((U) ~(U)0)
#define SMAXV ((W)(((UW)1 << (BITS - 1)) - 1))
#define SMINV (-SMAXV - 1)
#define UMAXV ((W)(((UW)1 << BITS) - 1))
#define NSMAXV ((W)(((UW)1 << (BITS / 2 - 1)) - 1))
#define NSMINV (-NSMAXV - 1)
#define NUMAXV ((W)(((UW)1 << (BITS / 2)) - 1))

/* Saturate the W value v to the lane's signed/unsigned range (or the narrow
 * half's range), setting *q when clipped. */
#define SAT_RANGE(v, lo, hi)                                                             \
    ((v) > (hi) ? (*q = 1, (U)(hi)) : (v) < (lo) ? (*q = 1, (U)(lo)) : (U)(v))
#define SAT_S(v) SAT_RANGE(v, SMINV, SMAXV)
#define SAT_U(v) SAT_RANGE(v, 0, UMAXV)
#define NSAT_S(v) SAT_RANGE(v, NSMINV, NSMAXV)
#define NSAT_U(v) SAT_RANGE(v, 0, NUMAXV)

SI_INLINE unsigned si_clz(uint64_t v, unsigned bits)
{
    return v ? (unsigned)__builtin_clzll(v) - (64 - bits) : bits;
}

SI_INLINE unsigned si_rbit8(unsigned v)
{
    v = ((v & 0xf0) >> 4) | ((v & 0x0f) << 4);
    v = ((v & 0xcc) >> 2) | ((v & 0x33) << 2);
    return ((v & 0xaa) >> 1) | ((v & 0x55) << 1);
}

/* URECPE / URSQRTE: 9-bit estimates of an unsigned fixed-point value in [0.5, 1)
 * (resp. [0.25, 1)), as the architecture's RecipEstimate/RecipSqrtEstimate. */
SI_INLINE uint32_t si_urecpe(uint32_t v)
{
    if (!(v >> 31))
        return 0xffffffffu;
    uint32_t a = (v >> 23) * 2 + 1;
    uint32_t b = (1u << 19) / a;
    return ((b + 1) / 2) << 23;
}

SI_INLINE uint32_t si_ursqrte(uint32_t v)
{
    if (!(v >> 30))
        return 0xffffffffu;
    uint64_t a = v >> 23;
    a = a < 256 ? a * 2 + 1 : (((a >> 1) << 1) + 1) * 2;
    /* k = b + 1: the smallest k > 512 with a * k * k >= 2^28. */
    uint64_t k = (uint64_t)__builtin_sqrt((double)(1u << 28) / (double)a);
    if (k < 513)
        k = 513;
    while (k > 513 && a * (k - 1) * (k - 1) >= (1u << 28))
        k--;
    while (a * k * k < (1u << 28))
        k++;
    return (uint32_t)(k / 2) << 23;
}

/* ---- arithmetic ---- */
KALL(add, return (U)(a + b);)
KALL(sub, return (U)(a - b);)
KALL(mul, return (U)((UP)a * b);)
KALL(mla, return (U)(x + (UP)a * b);)
KALL(mls, return (U)(x - (UP)a * b);)
KALL(pmul, UP r = 0; for (int i = 0; i < BITS; i++) if ((b >> i) & 1) r ^= (UP)a << i;
     return (U)r;)
KALL(adalp, return (U)(x + (UP)a + b);) /* pairwise add long and accumulate */

KALL(sqadd, W v = (W)(S)a + (S)b; return SAT_S(v);)
KALL(uqadd, W v = (W)a + b; return SAT_U(v);)
KALL(sqsub, W v = (W)(S)a - (S)b; return SAT_S(v);)
KALL(uqsub, W v = (W)a - (W)b; return SAT_U(v);)
KALL(suqadd, W v = (W)(S)x + (W)a; return SAT_S(v);)
KALL(usqadd, W v = (W)x + (W)(S)a; return SAT_U(v);)

/* The signed halving adds as the halves' sum plus the carry of the low bits:
 * GCC 12 for arm64 vectorises the plain ((W)(S)a + (S)b) >> 1 on bytes into
 * the unsigned UHADD/URHADD. */
KALL(shadd, return (U)(((S)a >> 1) + ((S)b >> 1) + (a & b & 1));)
KALL(uhadd, return (U)(((W)a + b) >> 1);)
KALL(srhadd, return (U)(((S)a >> 1) + ((S)b >> 1) + ((a | b) & 1));)
KALL(urhadd, return (U)(((W)a + b + 1) >> 1);)
KALL(shsub, return (U)(((W)(S)a - (S)b) >> 1);)
KALL(uhsub, return (U)(((W)a - (W)b) >> 1);)

KALL(smax, return (S)a > (S)b ? a : b;)
KALL(umax, return a > b ? a : b;)
KALL(smin, return (S)a < (S)b ? a : b;)
KALL(umin, return a < b ? a : b;)
KALL(sabd, W v = (W)(S)a - (S)b; return (U)(v < 0 ? -v : v);)
KALL(uabd, return a > b ? (U)(a - b) : (U)(b - a);)
KALL(saba, W v = (W)(S)a - (S)b; return (U)(x + (U)(v < 0 ? -v : v));)
KALL(uaba, return (U)(x + (U)(a > b ? a - b : b - a));)

/* ---- compares: all-ones or zero ---- */
KALL(cmgt, return (U) - (U)((S)a > (S)b);)
KALL(cmge, return (U) - (U)((S)a >= (S)b);)
KALL(cmhi, return (U) - (U)(a > b);)
KALL(cmhs, return (U) - (U)(a >= b);)
KALL(cmeq, return (U) - (U)(a == b);)
KALL(cmtst, return (U) - (U)((a & b) != 0);)
KALL(cmgt0, return (U) - (U)((S)a > 0);)
KALL(cmge0, return (U) - (U)((S)a >= 0);)
KALL(cmeq0, return (U) - (U)(a == 0);)
KALL(cmle0, return (U) - (U)((S)a <= 0);)
KALL(cmlt0, return (U) - (U)((S)a < 0);)

/* ---- one operand ---- */
KALL(cls, U t = (U)(a ^ (U)((S)a >> (BITS - 1))); return (U)(si_clz(t, BITS) - 1);)
KALL(clz, return (U)si_clz(a, BITS);)
/* CNT exists for bytes only: bit arithmetic the compiler vectorises, where a
 * popcount call per lane (no POPCNT in the x86-64 baseline) would be a call. */
KDEF(cnt, 8, uint8_t, int8_t, int32_t, uint32_t, unsigned, U t = (U)(a - ((a >> 1) & 0x55));
     t = (U)((t & 0x33) + ((t >> 2) & 0x33)); return (U)((t + (t >> 4)) & 0x0f);)
KALL(mvn, return (U)~a;)
KALL(rbit, return (U)si_rbit8(a);)
KALL(abs, return (S)a < 0 ? (U) - (UP)a : a;)
KALL(neg, return (U) - (UP)a;)
KALL(sqabs, W v = (S)a; if (v < 0) v = -v; return SAT_S(v);)
KALL(sqneg, W v = -(W)(S)a; return SAT_S(v);)
KALL(urecpe, return (U)si_urecpe((uint32_t)a);)
KALL(ursqrte, return (U)si_ursqrte((uint32_t)a);)

/* ---- doubling multiplies (signed) ---- */
KALL(sqdmulh, __int128 p = (__int128)(S)a * (S)b * 2; W v = (W)(p >> BITS); return SAT_S(v);)
KALL(sqrdmulh, __int128 p = (__int128)(S)a * (S)b * 2 + ((__int128)1 << (BITS - 1));
     W v = (W)(p >> BITS); return SAT_S(v);)
/* Wide size, on sign-extended narrow lanes: the doubled product saturates
 * only for MIN * MIN; the accumulation saturates again. */
KALL(sqdmull, W p = (W)(S)a * (S)b * 2; return SAT_S(p);)
KALL(sqdmlal, W p = (W)(S)a * (S)b * 2; U ps = SAT_S(p); W v = (W)(S)x + (S)ps;
     return SAT_S(v);)
KALL(sqdmlsl, W p = (W)(S)a * (S)b * 2; U ps = SAT_S(p); W v = (W)(S)x - (S)ps;
     return SAT_S(v);)

/* ---- shifts by register: b's low byte is a signed count; negative shifts
 * right (rounding for the R forms); Q forms saturate left shifts. ---- */
#define SHL_REG(SIGNED, ROUND, SAT)                                                      \
    int s = (int8_t)b;                                                                   \
    W v = (SIGNED) ? (W)(S)a : (W)a;                                                     \
    if (s >= 0) {                                                                        \
        if (!(SAT))                                                                      \
            return s >= BITS ? 0 : (U)((UP)a << s);                                      \
        if (v == 0)                                                                      \
            return 0;                                                                    \
        if (s >= BITS) {                                                                 \
            *q = 1;                                                                      \
            return (SIGNED) ? (U)(v < 0 ? SMINV : SMAXV) : (U)UMAXV;                     \
        }                                                                                \
        W r = (W)((UW)v << s);                                                           \
        return (SIGNED) ? SAT_S(r) : SAT_U(r);                                           \
    }                                                                                    \
    int n = -s;                                                                          \
    if (ROUND)                                                                           \
        return n > BITS ? 0 : (U)((v + ((W)1 << (n - 1))) >> n);                         \
    return (U)(v >> (n > BITS ? BITS : n));

KALL(sshl, SHL_REG(1, 0, 0))
KALL(ushl, SHL_REG(0, 0, 0))
KALL(srshl, SHL_REG(1, 1, 0))
KALL(urshl, SHL_REG(0, 1, 0))
KALL(sqshl, SHL_REG(1, 0, 1))
KALL(uqshl, SHL_REG(0, 0, 1))
KALL(sqrshl, SHL_REG(1, 1, 1))
KALL(uqrshl, SHL_REG(0, 1, 1))

/* ---- shifts by immediate: b is the count (1..BITS right, 0..BITS-1 left) ---- */
KALL(sshr, return (U)((W)(S)a >> b);)
KALL(ushr, return (U)((W)a >> b);)
KALL(ssra, return (U)(x + (U)((W)(S)a >> b));)
KALL(usra, return (U)(x + (U)((W)a >> b));)
KALL(srshr, return (U)(((W)(S)a + ((W)1 << (b - 1))) >> b);)
KALL(urshr, return (U)(((W)a + ((W)1 << (b - 1))) >> b);)
KALL(srsra, return (U)(x + (U)(((W)(S)a + ((W)1 << (b - 1))) >> b));)
KALL(ursra, return (U)(x + (U)(((W)a + ((W)1 << (b - 1))) >> b));)
KALL(sri, if (b >= BITS) return x; U m = (U)((UP)ONES >> b);
     return (U)((x & (U)~m) | ((UP)a >> b));)
KALL(sli, U m = (U)((UP)ONES << b); return (U)((x & (U)~m) | ((UP)a << b));)
KALL(shl, return (U)((UP)a << b);)
KALL(sqshli, W v = (W)((UW)(W)(S)a << b); return SAT_S(v);)
KALL(uqshli, W v = (W)((UW)a << b); return SAT_U(v);)
KALL(sqshlu, W v = (W)(S)a; if (v < 0) { *q = 1; return 0; } v = (W)((UW)v << b);
     return SAT_U(v);)

/* ---- narrowing (kernel at the wide size; the caller keeps the low half) ---- */
KALL(addhn, U s = (U)(a + b); return (U)(s >> (BITS / 2));)
KALL(raddhn, U s = (U)(a + b + ((UW)1 << (BITS / 2 - 1))); return (U)(s >> (BITS / 2));)
KALL(subhn, U s = (U)(a - b); return (U)(s >> (BITS / 2));)
KALL(rsubhn, U s = (U)(a - b + ((UW)1 << (BITS / 2 - 1))); return (U)(s >> (BITS / 2));)
KALL(xtn, return a;)
KALL(sqxtn, W v = (S)a; return NSAT_S(v);)
KALL(uqxtn, W v = a; return NSAT_U(v);)
KALL(sqxtun, W v = (S)a; return NSAT_U(v);)
KALL(shrn, return (U)(a >> b);)
KALL(rshrn, return (U)(((UW)a + ((UW)1 << (b - 1))) >> b);)
KALL(sqshrn, W v = (W)(S)a >> b; return NSAT_S(v);)
KALL(sqrshrn, W v = ((W)(S)a + ((W)1 << (b - 1))) >> b; return NSAT_S(v);)
KALL(uqshrn, W v = (W)a >> b; return NSAT_U(v);)
KALL(uqrshrn, W v = ((W)a + ((W)1 << (b - 1))) >> b; return NSAT_U(v);)
KALL(sqshrun, W v = (W)(S)a >> b; return NSAT_U(v);)
KALL(sqrshrun, W v = ((W)(S)a + ((W)1 << (b - 1))) >> b; return NSAT_U(v);)

#endif
