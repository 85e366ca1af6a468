/* The host floating point under the Arm FP emulation (fpu.h, fpu.c): the one
 * place that chooses between
 *  - x86-64 SSE (the default there): inline asm on MXCSR, kept in registers;
 *  - portable C11 <fenv.h> (every other host, or TANDEM_PORTABLE, make
 *    PORTABLE=1): the same operations in C, the flags from fetestexcept.
 * Either way the flags of a host operation are reported in the MXCSR layout
 * (MX_*), so the code that interprets them is shared. fenv's FE_* flags have
 * the same meaning; IEEE leaves the tininess detection to the host (x86:
 * after rounding, Arm: before), which the callers already allow for.
 *
 * FPU_HIDE*(v): v is opaque to the compiler at this point, so a host
 *   operation between FPU_HIDE of its operands and FPU_FLAGS of its result
 *   is neither folded nor moved across the flag reads.
 * FPU_FLAGS(m, r): m = the host flags once r is computed.
 * fpu_host_state(): the state fpu_pre checks, FPU_HOST_CLEAN when RN, masked
 *   and no flag; fpu_host_reset() makes it so.
 * FPU_HOST_ROUND3(mode, x, y, z): host rounding = FPR_N/P/M/Z, flags
 *   cleared, before x, y, z are used; fpu_host_reset() undoes it. */
#ifndef TANDEM_FPHOST_H
#define TANDEM_FPHOST_H

#include <stdint.h>

#if defined(__x86_64__) && !defined(TANDEM_PORTABLE)
#define FPU_HOST_SSE 1
#else
#define FPU_HOST_SSE 0
#endif

#define MX_IE 0x01u
#define MX_DE 0x02u
#define MX_ZE 0x04u
#define MX_OE 0x08u
#define MX_UE 0x10u
#define MX_PE 0x20u
#define MX_FLAGS 0x3fu

#if FPU_HOST_SSE

static inline void fpu_mx_write(uint32_t m) { __asm__ volatile("ldmxcsr %0" : : "m"(m)); }

#define FPU_HOST_CLEAN 0x1f80u
static inline uint32_t fpu_host_state(void)
{
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m & ~MX_DE;
}
static inline void fpu_host_reset(void) { fpu_mx_write(0x1f80); }

#define FPU_HIDE(v) __asm__ volatile("" : "+x"(v))
#define FPU_HIDE2(a, b) __asm__ volatile("" : "+x"(a), "+x"(b))
#define FPU_FLAGS(m, r) __asm__ volatile("stmxcsr %0" : "=m"(m) : "x"(r))
#define FPU_SQRT32(r, x) __asm__("sqrtss %1, %0" : "=x"(r) : "x"(x))
#define FPU_SQRT64(r, x) __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x))
#define FPU_CVT_D_TO_S(r, x) __asm__ volatile("cvtsd2ss %1, %0" : "=x"(r) : "x"(x))
/* i = x truncated, for |x| < 2^63 */
#define FPU_TRUNC_D(i, x) __asm__ volatile("cvttsd2si %1, %0" : "=r"(i) : "x"(x))
#define FPU_TRUNC_S(i, x) __asm__ volatile("cvttss2si %1, %0" : "=r"(i) : "x"(x))

/* MXCSR.RC for FPR_N, P, M, Z */
#define FPU_HOST_ROUND3(mode, x, y, z)                                                     \
    do {                                                                                   \
        static const uint32_t rc_[4] = {0u << 13, 2u << 13, 1u << 13, 3u << 13};          \
        uint32_t m_ = 0x1f80 | rc_[(mode) & 3];                                            \
        __asm__ volatile("ldmxcsr %3" : "+x"(x), "+x"(y), "+x"(z) : "m"(m_));             \
    } while (0)

#else /* portable */

#include <fenv.h>
#include <math.h>

/* The FE_* flags in the MXCSR layout (a constant mapping the compiler folds;
 * on x86 and arm64 it is the identity or a shift). */
static inline uint32_t fpu_host_flags(void)
{
    int e = fetestexcept(FE_ALL_EXCEPT);
    return (e & FE_INVALID ? MX_IE : 0) | (e & FE_DIVBYZERO ? MX_ZE : 0) |
           (e & FE_OVERFLOW ? MX_OE : 0) | (e & FE_UNDERFLOW ? MX_UE : 0) |
           (e & FE_INEXACT ? MX_PE : 0);
}

/* Only the flags are checked: nothing but FPU_HOST_ROUND3 changes the host
 * rounding mode, and fpu_host_reset restores it. Exceptions never trap
 * (the C default). */
#define FPU_HOST_CLEAN 0u
static inline uint32_t fpu_host_state(void) { return fpu_host_flags(); }
static inline void fpu_host_reset(void)
{
    feclearexcept(FE_ALL_EXCEPT);
    fesetround(FE_TONEAREST);
}

/* In memory, and a compiler barrier: fenv calls are not moved across it. */
#define FPU_HIDE(v) __asm__ volatile("" : "+m"(v) : : "memory")
#define FPU_HIDE2(a, b) __asm__ volatile("" : "+m"(a), "+m"(b) : : "memory")
#define FPU_FLAGS(m, r)                                                                    \
    do {                                                                                   \
        FPU_HIDE(r);                                                                       \
        (m) = fpu_host_flags();                                                            \
    } while (0)
#define FPU_SQRT32(r, x) ((r) = sqrtf(x))
#define FPU_SQRT64(r, x) ((r) = sqrt(x))
#define FPU_CVT_D_TO_S(r, x) ((r) = (float)(x))
#define FPU_TRUNC_D(i, x) ((i) = (int64_t)(x))
#define FPU_TRUNC_S(i, x) ((i) = (int64_t)(x))

#define FPU_HOST_ROUND3(mode, x, y, z)                                                     \
    do {                                                                                   \
        static const int rnd_[4] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};  \
        fesetround(rnd_[(mode) & 3]);                                                      \
        feclearexcept(FE_ALL_EXCEPT);                                                      \
        FPU_HIDE(x);                                                                       \
        FPU_HIDE2(y, z);                                                                   \
    } while (0)

#endif
#endif
