/* Integer ALU helpers shared by the data-processing decoders (dp_imm.c,
 * dp_reg.c): NZCV computation for additions and subtractions, bit counting and
 * reversal, and the A64 bitmask-immediate decoder. All are small inline
 * functions meant to compile to a handful of host instructions. */
#ifndef TANDEM_ALU_H
#define TANDEM_ALU_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"

#define ALU_INLINE __attribute__((always_inline)) static inline

/* ---- NZCV ---- */

ALU_INLINE uint32_t nz64(uint64_t r)
{
    return (uint32_t)(r >> 63) << 3 | (uint32_t)(r == 0) << 2;
}

ALU_INLINE uint32_t nz32(uint32_t r)
{
    return (r >> 31) << 3 | (uint32_t)(r == 0) << 2;
}

/* Flag computations: each returns the result and stores its NZCV in *f.
 * The signed-overflow builtins give the result, V, and (through the host's
 * flags) N and Z from a single host subtraction or addition. */
ALU_INLINE uint64_t add64_f(uint64_t a, uint64_t b, uint32_t *f)
{
    int64_t s;
    uint32_t vf = __builtin_add_overflow((int64_t)a, (int64_t)b, &s);
    uint64_t r = (uint64_t)s;
    uint32_t cf = r < a;
    *f = (uint32_t)(s < 0) << 3 | (uint32_t)(s == 0) << 2 | cf << 1 | vf;
    return r;
}

ALU_INLINE uint32_t add32_f(uint32_t a, uint32_t b, uint32_t *f)
{
    int32_t s;
    uint32_t vf = __builtin_add_overflow((int32_t)a, (int32_t)b, &s);
    uint32_t r = (uint32_t)s;
    uint32_t cf = r < a;
    *f = (uint32_t)(s < 0) << 3 | (uint32_t)(s == 0) << 2 | cf << 1 | vf;
    return r;
}

/* C is "no borrow": a >= b unsigned. */
ALU_INLINE uint64_t sub64_f(uint64_t a, uint64_t b, uint32_t *f)
{
    int64_t s;
    uint32_t vf = __builtin_sub_overflow((int64_t)a, (int64_t)b, &s);
    uint32_t cf = a >= b;
    *f = (uint32_t)(s < 0) << 3 | (uint32_t)(s == 0) << 2 | cf << 1 | vf;
    return (uint64_t)s;
}

ALU_INLINE uint32_t sub32_f(uint32_t a, uint32_t b, uint32_t *f)
{
    int32_t s;
    uint32_t vf = __builtin_sub_overflow((int32_t)a, (int32_t)b, &s);
    uint32_t cf = a >= b;
    *f = (uint32_t)(s < 0) << 3 | (uint32_t)(s == 0) << 2 | cf << 1 | vf;
    return (uint32_t)s;
}

/* a + b, setting NZCV. */
ALU_INLINE uint64_t adds64(Cpu *c, uint64_t a, uint64_t b)
{
    return add64_f(a, b, &c->nzcv);
}

ALU_INLINE uint32_t adds32(Cpu *c, uint32_t a, uint32_t b)
{
    return add32_f(a, b, &c->nzcv);
}

/* a - b, setting NZCV. */
ALU_INLINE uint64_t subs64(Cpu *c, uint64_t a, uint64_t b)
{
    return sub64_f(a, b, &c->nzcv);
}

ALU_INLINE uint32_t subs32(Cpu *c, uint32_t a, uint32_t b)
{
    return sub32_f(a, b, &c->nzcv);
}

/* a + b + cin, setting NZCV (ADCS; SBCS passes ~b). */
ALU_INLINE uint64_t adcs64(Cpu *c, uint64_t a, uint64_t b, uint32_t cin)
{
    uint64_t r = a + b + cin;
    uint32_t cf = cin ? r <= a : r < a;
    uint32_t vf = (uint32_t)((((a ^ r) & (b ^ r)) >> 63) & 1);
    c->nzcv = nz64(r) | cf << 1 | vf;
    return r;
}

ALU_INLINE uint32_t adcs32(Cpu *c, uint32_t a, uint32_t b, uint32_t cin)
{
    uint64_t w = (uint64_t)a + b + cin;
    uint32_t r = (uint32_t)w;
    uint32_t cf = (uint32_t)(w >> 32);
    uint32_t vf = (((a ^ r) & (b ^ r)) >> 31) & 1;
    c->nzcv = nz32(r) | cf << 1 | vf;
    return r;
}

/* Condition `mask` (cond_table[cond]) holds for the current NZCV. */
ALU_INLINE uint32_t cond_mask_holds(const Cpu *c, uint64_t mask)
{
    return (uint32_t)(mask >> c->nzcv) & 1;
}

/* PSTATE.C as 0/1. */
ALU_INLINE uint32_t carry_in(const Cpu *c)
{
    return (c->nzcv >> 1) & 1;
}

/* ---- rotations and bit manipulation ---- */

ALU_INLINE uint64_t ror64(uint64_t x, unsigned n)
{
    return (x >> (n & 63)) | (x << ((-n) & 63));
}

ALU_INLINE uint32_t ror32(uint32_t x, unsigned n)
{
    return (x >> (n & 31)) | (x << ((-n) & 31));
}

ALU_INLINE uint64_t rbit64(uint64_t x)
{
    x = __builtin_bswap64(x);
    x = ((x >> 4) & 0x0f0f0f0f0f0f0f0full) | ((x & 0x0f0f0f0f0f0f0f0full) << 4);
    x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
    x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
    return x;
}

/* Count leading zeros / leading sign bits (architectural: CLZ(0) = width). */
ALU_INLINE uint64_t clz64(uint64_t x)
{
    return x ? (uint64_t)__builtin_clzll(x) : 64;
}

ALU_INLINE uint32_t clz32(uint32_t x)
{
    return x ? (uint32_t)__builtin_clz(x) : 32;
}

ALU_INLINE uint64_t cls64(uint64_t x)
{
    uint64_t y = x ^ (uint64_t)((int64_t)x >> 63); /* top bit of y is 0 */
    return (uint64_t)__builtin_clzll((y << 1) | 1);
}

ALU_INLINE uint32_t cls32(uint32_t x)
{
    uint32_t y = x ^ (uint32_t)((int32_t)x >> 31);
    return (uint32_t)__builtin_clz((y << 1) | 1);
}

/* ---- bitmask immediates ---- */

/* DecodeBitMasks(N, imms, immr, immediate=TRUE) for the logical-immediate
 * instructions: returns false for the reserved encodings (no element size, or
 * an all-ones element). `width` is 32 or 64; the result is replicated to it. */
static inline bool decode_bitmask_imm(unsigned n, unsigned imms, unsigned immr, unsigned width,
                                      uint64_t *out)
{
    unsigned combined = (n << 6) | (~imms & 0x3f);
    if (combined == 0)
        return false;
    unsigned len = 31 - (unsigned)__builtin_clz(combined);
    if (len < 1)
        return false;
    unsigned esize = 1u << len, levels = esize - 1;
    unsigned s = imms & levels, r = immr & levels;
    if (s == levels)
        return false;
    uint64_t emask = esize == 64 ? ~0ull : (1ull << esize) - 1;
    uint64_t welem = (1ull << (s + 1)) - 1; /* s + 1 < esize <= 64 */
    if (r)
        welem = ((welem >> r) | (welem << (esize - r))) & emask;
    uint64_t v = welem;
    for (unsigned e = esize; e < width; e *= 2)
        v |= v << e;
    if (width == 32)
        v &= 0xffffffffull;
    *out = v;
    return true;
}

/* MOV (register), shared by the register and immediate groups (dp_reg.c). */
struct Insn;
const struct Insn *exec_mov64(Cpu *c, const struct Insn *d);
const struct Insn *exec_mov32(Cpu *c, const struct Insn *d);

#endif
