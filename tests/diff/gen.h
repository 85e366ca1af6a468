/* Test-case generator of the differential campaign: per-class encoding
 * templates, random initial states biased to interesting values, and the
 * fixed image (prologue, test page with branch ladders, epilogue) both sides
 * run. Everything is a pure function of (seed, class, case index), so the
 * process feeding QEMU and the process running Tandem regenerate the same
 * cases independently. */
#ifndef TANDEM_DIFF_GEN_H
#define TANDEM_DIFF_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/layout.h"

/* ---- templates ----
 * A pattern is 32 characters, bit 31 first: '0'/'1' fixed, anything else
 * random, and 5-character runs of a register letter name a register field:
 *   d t u s   GPR written (destination, transfer, second transfer, status):
 *             never a register whose value a later instruction relies on
 *   n m a     GPR read
 *   D N M A T U   SIMD&FP registers (no constraint)
 * A fixup then applies the constraints of its form (pointers into the data
 * window, branch targets inside the ladders, no SP writes...) and, for most
 * groups, picks an allocated encoding (tables of operations and element
 * shapes, valid immediates), keeping reserved ones at NEAR_MISS percent.
 * Templates named "(any)" have weight 1 instead of 8 and probe whole
 * encoding spaces, mostly reserved. */
typedef struct Gen Gen;
typedef void (*FixFn)(Gen *g, uint32_t *w);

enum {
    F_D_NOSP = 1u << 0, /* the d field means SP when 31: never 31 */
    F_MACRO2 = 1u << 1, /* the fixup writes two instructions (slot-1 and slot) */
};

/* One allocated operation of an encoding group, for the table-driven
 * fixups (fx_vop and friends): the bits it fixes (U, opcode...) and the
 * element shapes it allows, bit (size << 1 | Q) for the integer groups
 * (size = bits 23:22, or the element size from immh for shifts) and bit
 * (sz << 1 | Q) for the FP groups (sz = bit 22). Scalar encodings have
 * bit 30 set, so they allow odd bits only. */
typedef struct Op {
    uint32_t mask, val;
    uint8_t shapes;
} Op;

typedef struct Tmpl {
    const char *name;
    const char *pat;
    unsigned flags;
    FixFn fix;
    const Op *ops; /* table of the fixup, if table-driven */
    unsigned nops;
    unsigned weight; /* relative frequency: 8, or 1 for probes of reserved encodings */
} Tmpl;

typedef struct Case {
    uint32_t insn[DIFF_MAX_INSNS];
    const Tmpl *tmpl[DIFF_MAX_INSNS];
    int n;
    bool ladder; /* branch class: ladders around the tests */
    DiffState in;
    uint64_t data_seed;
} Case;

struct Gen {
    uint64_t s;
    Case *c;
    uint32_t fixed; /* X registers whose initial value a later instruction needs */
    int slot;
    uint64_t pc;
    const Tmpl *t; /* the template being filled in */
};

static inline uint64_t rnd(Gen *g) { return diff_mix(&g->s); }
static inline uint32_t rndn(Gen *g, uint32_t n) { return (uint32_t)(rnd(g) % n); }
static inline bool chance(Gen *g, unsigned pct) { return rndn(g, 100) < pct; }

static inline uint32_t fld(uint32_t w, unsigned hi, unsigned lo)
{
    return (w >> lo) & ((2u << (hi - lo)) - 1);
}
static inline uint32_t setf(uint32_t w, unsigned hi, unsigned lo, uint32_t v)
{
    uint32_t m = ((2u << (hi - lo)) - 1) << lo;
    return (w & ~m) | ((v << lo) & m);
}

/* ---- interesting values ---- */
static const uint64_t fp64_special[] = {
    0, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0x7ff8000000000123ull, 0xfff8000000000000ull,
    0x7ff0000000000001ull, 0x7ff4000000000000ull, 0xfff0000000000abcull, 1,
    0x000fffffffffffffull, 0x800fffffffffffffull, 0x0010000000000000ull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x3ff0000000000000ull,
    0xbff0000000000000ull, 0x3fe0000000000000ull, 0x3ff8000000000000ull,
    0x4004000000000000ull, 0xc004000000000000ull, 0x41e0000000000000ull,
    0x41dfffffffc00000ull, 0xc1e0000000000000ull, 0xc1e0000000200000ull,
    0x41f0000000000000ull, 0x41efffffffe00000ull, 0x43e0000000000000ull,
    0xc3e0000000000000ull, 0x43f0000000000000ull, 0x4330000000000000ull,
    0x3fdfffffffffffffull, 0x3fe0000000000001ull, 0x4000000000000000ull,
    0x0000000000000002ull, 0x3ca0000000000000ull, 0x47efffffe0000000ull,
    0x3810000000000000ull, 0x380fffffffffffffull, 0x40effc0000000000ull,
};
static const uint32_t fp32_special[] = {
    0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fc00123, 0xffc00000,
    0x7f800001, 0x7fa00000, 0xff80abcd, 1, 0x007fffff, 0x807fffff, 0x00800000,
    0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000,
    0x40200000, 0xc0200000, 0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001,
    0x4f800000, 0x4f7fffff, 0x5f000000, 0xdf000000, 0x5f800000, 0x4b000000,
    0x3effffff, 0x3f000001, 0x40000000, 2, 0x33800000, 0x477fe000, 0x38800000,
    0x387fffff, 0x477ff000,
};
static const uint16_t fp16_special[] = {
    0, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x7e01, 0xfe00, 0x7c01, 0x7d00, 1, 0x03ff,
    0x0400, 0x7bff, 0xfbff, 0x3c00, 0xbc00, 0x3800, 0x3e00, 0x4100, 0x5bff, 0x7800,
};

static uint64_t rand_x(Gen *g)
{
    switch (rndn(g, 18)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return ~0ull;
    case 3: return 0x8000000000000000ull;
    case 4: return 0x7fffffffffffffffull;
    case 5: return 0x80000000ull;
    case 6: return 0x7fffffffull;
    case 7: return 0xffffffffull;
    case 8: return rndn(g, 65);
    case 9: return (uint64_t)-(int64_t)rndn(g, 65);
    case 10: return (uint32_t)rnd(g);
    case 11: return (uint64_t)(int64_t)(int32_t)rnd(g);
    case 12: return DIFF_DATA + rndn(g, DIFF_DATA_SIZE);
    case 13: return 1ull << rndn(g, 64);
    case 14: return (1ull << rndn(g, 64)) - 1;
    case 15: return rnd(g) >> rndn(g, 64);
    default: return rnd(g);
    }
}

static uint64_t rand_lane(Gen *g, unsigned esize)
{
    bool fp = chance(g, 60);
    switch (esize) {
    case 1: {
        static const uint8_t b[] = {0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x81};
        return chance(g, 40) ? b[rndn(g, 7)] : (uint8_t)rnd(g);
    }
    case 2:
        if (fp)
            return fp16_special[rndn(g, sizeof fp16_special / 2)];
        return chance(g, 30) ? (uint16_t)(0x7fff + rndn(g, 3)) : (uint16_t)rnd(g);
    case 4:
        if (fp)
            return fp32_special[rndn(g, sizeof fp32_special / 4)];
        return chance(g, 30) ? (uint32_t)(0x7fffffff + rndn(g, 3)) : (uint32_t)rnd(g);
    default:
        if (fp)
            return fp64_special[rndn(g, sizeof fp64_special / 8)];
        return chance(g, 50) ? rand_x(g) : rnd(g);
    }
}

static void rand_v(Gen *g, uint64_t v[2])
{
    unsigned es = 1u << rndn(g, 5); /* 1, 2, 4, 8 or 16 (= random bytes) */
    if (es == 16) {
        v[0] = rnd(g);
        v[1] = rnd(g);
        return;
    }
    uint8_t b[16];
    for (unsigned i = 0; i < 16; i += es) {
        uint64_t l = rand_lane(g, es);
        memcpy(b + i, &l, es);
    }
    memcpy(v, b, 16);
}

static void rand_state(Gen *g, DiffState *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < 31; i++)
        s->x[i] = rand_x(g);
    s->sp = DIFF_SP;
    s->nzcv = (uint64_t)rndn(g, 16) << 28;
    uint64_t fpcr = 0;
    if (chance(g, 50))
        fpcr |= (uint64_t)rndn(g, 4) << 22; /* RMode */
    if (chance(g, 25))
        fpcr |= 1u << 24; /* FZ */
    if (chance(g, 25))
        fpcr |= 1u << 25; /* DN */
    if (chance(g, 25))
        fpcr |= 1u << 26; /* AHP */
    s->fpcr = fpcr;
    s->fpsr = chance(g, 50) ? 0 : (rnd(g) & 0x0800009full);
    for (int i = 0; i < 32; i++)
        rand_v(g, s->v[i]);
}

/* ---- register choice ---- */
static bool reg_free(Gen *g, unsigned r) { return r == 31 || !((g->fixed >> r) & 1); }

/* A register not relied on by a later instruction, != avoid1/avoid2 (and != 31). */
static unsigned free_reg(Gen *g, int avoid1, int avoid2)
{
    for (;;) {
        unsigned r = rndn(g, 31);
        if (reg_free(g, r) && (int)r != avoid1 && (int)r != avoid2)
            return r;
    }
}

/* Claim a register as a pointer/value register: keep `cur` if possible. */
static unsigned claim_reg(Gen *g, unsigned cur, int avoid1, int avoid2)
{
    if (cur == 31 || !reg_free(g, cur) || (int)cur == avoid1 || (int)cur == avoid2)
        cur = free_reg(g, avoid1, avoid2);
    g->fixed |= 1u << cur;
    return cur;
}

static void set_x(Gen *g, unsigned r, uint64_t v)
{
    if (r < 31)
        g->c->in.x[r] = v;
}

/* A target address for an access of `size` bytes: in the window, aligned to
 * `align` most of the time; sometimes entirely below it (unmapped: faults). */
static uint64_t pick_addr(Gen *g, unsigned size, unsigned align, bool may_fault)
{
    if (may_fault && chance(g, 3))
        return DIFF_DATA - 0x800 + (rndn(g, 0x700) & ~(uint64_t)(align - 1));
    uint64_t off = rndn(g, DIFF_DATA_SIZE - size + 1);
    if (align > 1 && chance(g, 85))
        off &= ~(uint64_t)(align - 1);
    return DIFF_DATA + off;
}

/* ---- load/store fixups ---- */
static inline bool bit_v(uint32_t w) { return (w >> 26) & 1; } /* SIMD&FP register */
static inline bool bit_s(uint32_t w) { return (w >> 12) & 1; } /* register offset: scaled */

/* Access size log2 of the single-register load/store forms; -1 if reserved. */
static int ls_scale(uint32_t w)
{
    unsigned size = fld(w, 31, 30), opc = fld(w, 23, 22);
    if (!bit_v(w))
        return (int)size;
    unsigned s = size | ((opc >> 1) << 2);
    return s > 4 ? -1 : (int)s;
}

/* Reserved encodings are kept at this rate (percent) where a fixup repairs
 * them: near misses of allocated encodings, to check that both sides reject
 * the same ones. The templates marked "(any)" probe the rest. */
#define NEAR_MISS 3

/* Size and opc of the single-register forms: an allocated pair most of the
 * time. GPR: size 2-3 with opc 3 is unallocated, size 3 with opc 2 is PRFM
 * where `prfm` (unsigned and unscaled offset, register offset), unallocated
 * otherwise. SIMD&FP: opc 1x (128-bit) only with size 0. */
static void fix_ls_opc(Gen *g, uint32_t *w, bool prfm)
{
    unsigned size = fld(*w, 31, 30), opc = fld(*w, 23, 22);
    if (chance(g, NEAR_MISS))
        return;
    if (bit_v(*w)) {
        if (opc >= 2 && size) {
            if (chance(g, 50))
                size = 0;
            else
                opc &= 1;
        }
    } else if (size == 2 && opc == 3) {
        opc = rndn(g, 3);
    } else if (size == 3 && (opc == 3 || (opc == 2 && !prfm))) {
        opc = rndn(g, prfm ? 3 : 2);
    }
    *w = setf(setf(*w, 31, 30, size), 23, 22, opc);
}

static void fix_rt_wb(Gen *g, uint32_t *w, unsigned n)
{
    /* Writeback with Rt == Rn is CONSTRAINED UNPREDICTABLE: not generated. */
    if (!bit_v(*w) && fld(*w, 4, 0) == n)
        *w = setf(*w, 4, 0, free_reg(g, (int)n, -1));
}

static void fx_uimm(Gen *g, uint32_t *w)
{
    fix_ls_opc(g, w, true);
    int sc = ls_scale(*w);
    if (sc < 0)
        return;
    unsigned sz = 1u << sc, n = fld(*w, 9, 5), imm;
    if (n == 31 && chance(g, 30)) {
        imm = rndn(g, (DIFF_DATA_SIZE - 0x800 - sz) / sz + 1);
    } else {
        n = claim_reg(g, n, -1, -1);
        uint64_t a = pick_addr(g, sz, sz, true);
        imm = chance(g, 30) ? 0 : rndn(g, chance(g, 50) ? 16 : 4096);
        set_x(g, n, a - (uint64_t)imm * sz);
    }
    *w = setf(setf(*w, 9, 5, n), 21, 10, imm);
}

/* Unscaled, post-index, unprivileged and pre-index (imm9) forms. */
static void fx_imm9(Gen *g, uint32_t *w)
{
    if (bit_v(*w) && fld(*w, 11, 10) == 2 && !chance(g, NEAR_MISS)) /* no unprivileged SIMD&FP form */
        *w = setf(*w, 11, 10, chance(g, 50) ? 1 : 3);
    fix_ls_opc(g, w, fld(*w, 11, 10) == 0);
    int sc = ls_scale(*w);
    if (sc < 0)
        return;
    unsigned sz = 1u << sc, mode = fld(*w, 11, 10), n = fld(*w, 9, 5);
    bool wb = mode == 1 || mode == 3;
    int imm = (int)rndn(g, 512) - 256;
    if (n == 31 && !wb && chance(g, 30)) {
        /* SP base: SP + imm stays inside the window. */
    } else {
        n = claim_reg(g, n, -1, -1);
        uint64_t a = pick_addr(g, sz, sz, true);
        set_x(g, n, a - (mode == 1 ? 0 : (uint64_t)(int64_t)imm));
    }
    *w = setf(setf(*w, 9, 5, n), 20, 12, (uint32_t)imm);
    if (wb)
        fix_rt_wb(g, w, n);
}

static void fx_regoff(Gen *g, uint32_t *w)
{
    fix_ls_opc(g, w, true);
    int sc = ls_scale(*w);
    unsigned opt = fld(*w, 15, 13);
    if (sc < 0 || !(opt & 2))
        return;
    unsigned sz = 1u << sc, amount = bit_s(*w) ? (unsigned)sc : 0;
    unsigned n = fld(*w, 9, 5), m = fld(*w, 20, 16);
    bool sp = n == 31 && chance(g, 30);
    if (!sp)
        n = claim_reg(g, n, -1, -1);
    if (!(m == 31 && chance(g, 30)))
        m = claim_reg(g, m, (int)n, -1);
    int64_t k = (int64_t)rndn(g, 129) - 64;
    uint64_t xm, off;
    uint64_t junk = rnd(g) & 0xffffffff00000000ull;
    switch (opt) {
    case 2: /* UXTW */
        k = k < 0 ? -k : k;
        xm = junk | (uint32_t)k;
        break;
    case 6: /* SXTW */
        xm = junk | (uint32_t)(int32_t)k;
        break;
    default: /* LSL (UXTX), SXTX */
        xm = (uint64_t)k;
        break;
    }
    off = m == 31 ? 0 : (uint64_t)(k * (1ll << amount));
    if (m != 31)
        set_x(g, m, xm);
    if (!sp) {
        uint64_t a = pick_addr(g, sz, sz, true);
        set_x(g, n, a - off);
    } else if (m != 31) {
        /* SP + offset must stay in the window: |k << amount| <= 1024 < 0x800 - 16. */
    }
    *w = setf(setf(*w, 9, 5, n), 20, 16, m);
}

static void fx_pair(Gen *g, uint32_t *w)
{
    unsigned opc = fld(*w, 31, 30), mode = fld(*w, 24, 23), l = fld(*w, 22, 22);
    bool v = bit_v(*w);
    /* Unallocated: opc 3; GPR opc 1 (LDPSW) as a store (STGP, MTE) or
     * non-temporal. */
    if (!chance(g, NEAR_MISS) && (opc == 3 || (!v && opc == 1 && (!l || mode == 0)))) {
        opc = v ? rndn(g, 3) : 2 * rndn(g, 2);
        *w = setf(*w, 31, 30, opc);
    }
    if (opc == 3)
        return;
    unsigned sc = v ? 2 + opc : (opc == 2 ? 3 : 2), sz = 1u << sc;
    bool wb = mode == 1 || mode == 3;
    unsigned n = fld(*w, 9, 5), t = fld(*w, 4, 0), t2 = fld(*w, 14, 10);
    int imm = (int)rndn(g, 128) - 64;
    if (n == 31 && !wb && chance(g, 30)) {
        /* SP base: SP + imm * sz is within [-1024, 1008] of the window middle. */
    } else {
        n = claim_reg(g, n, -1, -1);
        uint64_t a = pick_addr(g, 2 * sz, sz, true);
        set_x(g, n, a - (mode == 1 ? 0 : (uint64_t)((int64_t)imm * sz)));
    }
    if (!v) {
        if (wb && t == n)
            t = free_reg(g, (int)n, (int)t2);
        if (wb && t2 == n)
            t2 = free_reg(g, (int)n, (int)t);
    }
    if (l && t == t2) /* LDP with Rt == Rt2: CONSTRAINED UNPREDICTABLE */
        t2 = v ? (t + 1 + rndn(g, 31)) % 32 : free_reg(g, (int)t, wb ? (int)n : -1);
    *w = setf(setf(setf(setf(*w, 9, 5, n), 4, 0, t), 14, 10, t2), 21, 15, (uint32_t)imm);
}

static void fx_literal(Gen *g, uint32_t *w)
{
    if (bit_v(*w) && fld(*w, 31, 30) == 3 && !chance(g, NEAR_MISS)) /* unallocated */
        *w = setf(*w, 31, 30, rndn(g, 3));
    unsigned opc = fld(*w, 31, 30);
    unsigned sz = bit_v(*w) ? (opc == 3 ? 4 : 4u << opc) : (opc == 1 ? 8 : 4);
    uint64_t a = chance(g, 3) ? DIFF_DATA - 0x400 : DIFF_DATA + 4 * rndn(g, (DIFF_DATA_SIZE - sz) / 4 + 1);
    *w = setf(*w, 23, 5, (uint32_t)((int64_t)(a - g->pc) / 4));
}

/* Whether the exclusive instruction after slot g->slot that uses the
 * monitor a load-exclusive there would set is a store-exclusive of another
 * size or form (single/pair): CONSTRAINED UNPREDICTABLE. */
static bool next_stx_differs(const Gen *g, unsigned size, unsigned pair)
{
    for (int j = g->slot + 1; j < g->c->n; j++) {
        uint32_t x = g->c->insn[j];
        if ((x & 0x3f800000u) != 0x08000000u) /* not LDXR/STXR/LDXP/STXP (o2 = 0) */
            continue;
        if (fld(x, 22, 22)) /* a later load-exclusive sets the monitor again */
            return false;
        return fld(x, 31, 30) != size || fld(x, 21, 21) != pair;
    }
    return false;
}

/* Exclusive, acquire/release (ARMv8.0 forms only: the LSE CAS space is the
 * "undefined" class's). */
static void fx_excl(Gen *g, uint32_t *w)
{
    unsigned size = fld(*w, 31, 30), o2 = fld(*w, 23, 23), l = fld(*w, 22, 22);
    unsigned o1 = fld(*w, 21, 21);
    if (o2 && o1)
        o1 = 0, *w = setf(*w, 21, 21, 0);
    if (!o2 && o1 && size < 2)
        size = 2 + rndn(g, 2), *w = setf(*w, 31, 30, size);
    /* A load-exclusive whose store-exclusive has another size or form
     * becomes LDAR (QEMU 7.2 then stores and still reports failure). */
    if (!o2 && l && next_stx_differs(g, size, o1))
        o2 = 1, o1 = 0, *w = setf(setf(setf(*w, 23, 23, 1), 21, 21, 0), 15, 15, 1);
    bool pair = !o2 && o1, st_excl = !o2 && !l;
    unsigned esz = 1u << size, foot = pair ? 2 * esz : esz;
    unsigned n = fld(*w, 9, 5), t = fld(*w, 4, 0), t2 = pair ? fld(*w, 14, 10) : 31;
    unsigned s = st_excl ? fld(*w, 20, 16) : 31;
    if (!(n == 31 && chance(g, 20))) {
        n = claim_reg(g, n, -1, -1);
        set_x(g, n, pick_addr(g, foot, foot, true));
    }
    if (st_excl) {
        if (!reg_free(g, s) || s == 31 || s == t || s == n || (pair && s == t2))
            s = free_reg(g, (int)t, pair ? (int)t2 : (int)n);
        if (s == n)
            s = free_reg(g, (int)t, (int)n);
        if (pair && s == t2)
            t2 = (t2 + 1) % 31;
    }
    if (pair && l && t == t2)
        t2 = free_reg(g, (int)t, (int)n);
    *w = setf(setf(setf(setf(*w, 9, 5, n), 4, 0, t), 14, 10, t2), 20, 16, s);
}

/* LDXR/LDAXR (or the pair forms) followed by STXR/STLXR on the same address
 * (sometimes another one): the monitor's round trip. */
static void fx_excl_pair(Gen *g, uint32_t *w2)
{
    uint32_t *w1 = w2 - 1;
    bool pair = chance(g, 25);
    unsigned size = pair ? 2 + rndn(g, 2) : rndn(g, 4);
    unsigned esz = 1u << size, foot = pair ? 2 * esz : esz;
    unsigned n = claim_reg(g, rndn(g, 31), -1, -1);
    uint64_t a = pick_addr(g, foot, foot, false);
    set_x(g, n, a);
    unsigned n2 = n;
    if (chance(g, 10)) { /* store-exclusive to another address: must fail */
        n2 = claim_reg(g, rndn(g, 31), (int)n, -1);
        set_x(g, n2, pick_addr(g, foot, foot, false));
    }
    unsigned t = free_reg(g, (int)n, (int)n2), t2 = free_reg(g, (int)n, (int)n2);
    while (pair && t2 == t)
        t2 = free_reg(g, (int)n, (int)n2);
    uint32_t ld = (size << 30) | 0x08400000u | (chance(g, 50) ? 1u << 15 : 0) |
                  ((pair ? 1u : 0) << 21) | (31u << 16) | ((pair ? t2 : 31) << 10) | (n << 5) | t;
    unsigned s = free_reg(g, (int)n2, (int)n);
    unsigned st = rndn(g, 31), st2 = rndn(g, 31);
    while (st == s)
        st = rndn(g, 31);
    while (st2 == s)
        st2 = rndn(g, 31);
    uint32_t sx = (size << 30) | 0x08000000u | (chance(g, 50) ? 1u << 15 : 0) |
                  ((pair ? 1u : 0) << 21) | (s << 16) | ((pair ? st2 : 31) << 10) | (n2 << 5) | st;
    *w1 = ld;
    *w2 = sx;
}


/* ---- branch fixups ---- */
static uint64_t test_slot_pc(int i) { return DIFF_TEST_START + 4ull * (unsigned)i; }

/* A target that cannot loop: the back ladder, a later test instruction, or
 * the forward ladder. */
static uint64_t pick_target(Gen *g)
{
    int n = g->c->n;
    if (chance(g, 25))
        return DIFF_TEST + 4ull * rndn(g, DIFF_BACK_SLOTS + 1);
    unsigned first = (unsigned)g->slot + 1, last = (unsigned)n + DIFF_FWD_SLOTS;
    return test_slot_pc((int)(first + rndn(g, last - first + 1)));
}

static void fx_bcond(Gen *g, uint32_t *w)
{
    *w = setf(*w, 23, 5, (uint32_t)((int64_t)(pick_target(g) - g->pc) / 4));
}
static void fx_tbz(Gen *g, uint32_t *w)
{
    *w = setf(*w, 18, 5, (uint32_t)((int64_t)(pick_target(g) - g->pc) / 4));
}
static void fx_b(Gen *g, uint32_t *w)
{
    if (g->fixed >> 30 & 1) /* a later instruction relies on X30: no BL */
        *w &= ~(1u << 31);
    *w = setf(*w, 25, 0, (uint32_t)((int64_t)(pick_target(g) - g->pc) / 4));
}
static void fx_breg(Gen *g, uint32_t *w)
{
    unsigned n = fld(*w, 9, 5);
    if (fld(*w, 22, 21) == 1 && (g->fixed >> 30 & 1)) /* BLR would clobber X30: BR */
        *w = setf(*w, 21, 21, 0);
    if (n == 31 && chance(g, 80))
        n = 30;
    if (n == 31) /* XZR: a jump to 0, faults on both sides */
        return;
    n = claim_reg(g, n, -1, -1);
    uint64_t t = pick_target(g);
    if (chance(g, 4))
        t += 2; /* misaligned: PC alignment fault */
    else if (chance(g, 3))
        t = DIFF_BASE - 0x1000 + 0x100; /* unmapped: instruction abort */
    set_x(g, n, t);
    *w = setf(*w, 9, 5, n);
}

/* ---- system fixups ---- */
static void fx_dc(Gen *g, uint32_t *w)
{
    unsigned t = claim_reg(g, fld(*w, 4, 0), -1, -1);
    set_x(g, t, pick_addr(g, 1, 1, false));
    *w = setf(*w, 4, 0, t);
}

static void fx_hint(Gen *g, uint32_t *w)
{
    if (fld(*w, 11, 5) == 3) /* WFI would wait for an interrupt */
        *w = setf(*w, 11, 5, 0);
}

/* MRS/MSR of a random system register, minus what differs by design between
 * a Linux process and a bare EL0 (see README: exclusions). */
static void fx_sysreg(Gen *g, uint32_t *w)
{
    unsigned op0 = 2 + fld(*w, 19, 19), op1 = fld(*w, 18, 16), crn = fld(*w, 15, 12);
    unsigned crm = fld(*w, 11, 8), op2 = fld(*w, 7, 5);
    if (op0 == 2) /* debug registers: EL0 access depends on the kernel's MDSCR_EL1 */
        *w = setf(*w, 19, 19, 1), op0 = 3;
    if (op1 == 0 && crn == 0) /* ID registers: Linux emulates EL0 reads */
        *w = setf(*w, 15, 12, crn = 1 + rndn(g, 13));
    if (crn == 14) /* generic timer: counters, frequency */
        *w = setf(*w, 15, 12, crn = 9);
    if (op1 == 3 && crn == 13 && crm == 0 && (op2 == 2 || op2 == 3)) /* TPIDR(RO)_EL0 */
        *w = setf(*w, 7, 5, 0);
}

static void fx_excgen(Gen *g, uint32_t *w)
{
    /* SVC would be a real system call on the QEMU side. */
    if (fld(*w, 23, 21) == 0 && fld(*w, 1, 0) == 1)
        *w = setf(*w, 23, 21, 1);
}

/* ---- integer fixups ---- */

/* Logical (immediate): a valid bitmask immediate: element size e (2..64,
 * N = 1 only for 64, so never with sf = 0), s + 1 < e ones, rotation r. */
static void fx_logimm(Gen *g, uint32_t *w)
{
    if (chance(g, NEAR_MISS))
        return;
    unsigned e = 2u << rndn(g, fld(*w, 31, 31) ? 6 : 5);
    unsigned s = rndn(g, e - 1), r = rndn(g, e);
    unsigned imms = e == 64 ? s : ((0x3fu & ~(2 * e - 1)) | s);
    *w = setf(setf(setf(*w, 22, 22, e == 64), 21, 16, r), 15, 10, imms);
}

/* MOVN/MOVZ/MOVK: opc 01 is unallocated, hw 1x needs sf. */
static void fx_movw(Gen *g, uint32_t *w)
{
    static const uint8_t opcs[] = {0, 2, 3};
    if (chance(g, NEAR_MISS))
        return;
    if (fld(*w, 30, 29) == 1)
        *w = setf(*w, 30, 29, opcs[rndn(g, 3)]);
    if (!fld(*w, 31, 31))
        *w = setf(*w, 22, 22, 0);
}

/* Bitfield/EXTR: N == sf, 32-bit immediates below 32, no bitfield opc 11. */
static void fx_bitfield(Gen *g, uint32_t *w)
{
    if (chance(g, NEAR_MISS))
        return;
    unsigned sf = fld(*w, 31, 31);
    if (fld(*w, 28, 23) == 0x26 && fld(*w, 30, 29) == 3) /* SBFM/BFM/UBFM */
        *w = setf(*w, 30, 29, rndn(g, 3));
    *w = setf(*w, 22, 22, sf);
    if (!sf)
        *w = setf(setf(*w, 21, 21, 0), 15, 15, 0);
}

/* Shifted-register forms: no ADD/SUB shift 11, 32-bit shift amounts below 32. */
static void fx_shifted(Gen *g, uint32_t *w)
{
    if (chance(g, NEAR_MISS))
        return;
    if (fld(*w, 28, 24) == 0x0b && fld(*w, 23, 22) == 3)
        *w = setf(*w, 23, 22, rndn(g, 3));
    if (!fld(*w, 31, 31))
        *w = setf(*w, 15, 15, 0);
}

/* Register offset: an allocated extend option (x1x). */
static void fx_regoff_biased(Gen *g, uint32_t *w)
{
    if (!chance(g, NEAR_MISS))
        *w = setf(*w, 14, 14, 1);
    fx_regoff(g, w);
}

/* Acquire/release: LDAR/STLR (o0 = 1); the LOR forms LDLAR/STLLR (o0 = 0,
 * ARMv8.1) are the "undefined" class's. */
static void fx_ordered(Gen *g, uint32_t *w)
{
    if (!chance(g, NEAR_MISS))
        *w = setf(*w, 15, 15, 1);
    fx_excl(g, w);
}

/* Extended-register forms: left shift 0-4. */
static void fx_extreg(Gen *g, uint32_t *w)
{
    if (fld(*w, 12, 10) > 4 && !chance(g, NEAR_MISS))
        *w = setf(*w, 12, 10, rndn(g, 5));
}

/* Data processing, 2 sources: UDIV SDIV LSLV LSRV ASRV RORV. */
static void fx_dp2(Gen *g, uint32_t *w)
{
    static const uint8_t opcs[] = {2, 3, 8, 9, 10, 11};
    if (!chance(g, NEAR_MISS))
        *w = setf(*w, 15, 10, opcs[rndn(g, 6)]);
}

/* CRC32{B,H,W,X} and CRC32C{B,H,W,X}: the X forms need sf = 1, the others sf = 0. */
static void fx_crc(Gen *g, uint32_t *w)
{
    if (!chance(g, NEAR_MISS))
        *w = setf(*w, 31, 31, fld(*w, 11, 10) == 3);
}

/* Data processing, 1 source: RBIT REV16 REV32/REV CLZ CLS, REV (64-bit). */
static void fx_dp1(Gen *g, uint32_t *w)
{
    static const uint8_t opcs[] = {0, 1, 2, 4, 5, 3};
    if (!chance(g, NEAR_MISS))
        *w = setf(*w, 15, 10, opcs[rndn(g, fld(*w, 31, 31) ? 6 : 5)]);
}

/* Data processing, 3 sources: MADD/MSUB (any sf); SMADDL/SMSUBL, SMULH,
 * UMADDL/UMSUBL, UMULH (64-bit); SMULH/UMULH have o0 = 0 and Ra = 11111. */
static void fx_dp3(Gen *g, uint32_t *w)
{
    static const uint8_t op31s[] = {0, 1, 2, 5, 6};
    if (chance(g, NEAR_MISS))
        return;
    unsigned op31 = fld(*w, 31, 31) ? op31s[rndn(g, 5)] : 0;
    *w = setf(*w, 23, 21, op31);
    if (op31 == 2 || op31 == 6)
        *w = setf(setf(*w, 15, 15, 0), 14, 10, 31);
}

/* ---- system fixups ---- */
static void fx_ctr(Gen *g, uint32_t *w)
{
    if (!chance(g, NEAR_MISS)) /* CTR_EL0 or DCZID_EL0 */
        *w = setf(*w, 7, 5, chance(g, 50) ? 1 : 7);
}

static void fx_barrier(Gen *g, uint32_t *w)
{
    if (!chance(g, NEAR_MISS)) /* DSB, DMB, ISB (SB is ARMv8.5: the "undefined" class's) */
        *w = setf(*w, 7, 5, 4 + rndn(g, 3));
}

/* IC IVAU, DC CVAC, DC CVAU, DC CIVAC (CRm 5, 10, 11, 14) on a window address. */
static void fx_cmaint(Gen *g, uint32_t *w)
{
    static const uint8_t crms[] = {5, 10, 11, 14};
    if (!chance(g, NEAR_MISS))
        *w = setf(*w, 11, 8, crms[rndn(g, 4)]);
    fx_dc(g, w);
}

/* SYS/SYSL probe. DC ZVA gets a window address like the DC ZVA template:
 * QEMU 7.2 (qemu-aarch64-static, Debian 12) reports a DC ZVA data abort at
 * the PC of the first instruction of the translation block, not of the DC
 * ZVA (its registers show the instructions in between executed), so a
 * faulting DC ZVA after another test instruction mismatches by QEMU's fault. */
static void fx_sys_probe(Gen *g, uint32_t *w)
{
    if ((*w & ~0x1fu) == 0xd50b7420u) /* DC ZVA, Xt */
        fx_dc(g, w);
}

/* ---- scalar FP fixups ---- */

/* Scalar FP: single or double (ftype 0x); half and the reserved type,
 * undefined without FEAT_FP16, as near misses. */
static void fx_ftype(Gen *g, uint32_t *w)
{
    if (!chance(g, NEAR_MISS))
        *w = setf(*w, 23, 23, 0);
}

/* FCVT between precisions: ftype -> opc among S, D, H, never the same. */
static void fx_fcvt_prec(Gen *g, uint32_t *w)
{
    static const uint8_t pairs[][2] = {{0, 1}, {0, 3}, {1, 0}, {1, 3}, {3, 0}, {3, 1}};
    if (chance(g, NEAR_MISS))
        return;
    const uint8_t *p = pairs[rndn(g, 6)];
    *w = setf(setf(*w, 23, 22, p[0]), 16, 15, p[1]);
}

/* FRINT*: no rounding mode 101. */
static void fx_frint(Gen *g, uint32_t *w)
{
    fx_ftype(g, w);
    if (fld(*w, 17, 15) == 5 && !chance(g, NEAR_MISS))
        *w = setf(*w, 17, 15, rndn(g, 5));
}

/* FMUL FDIV FADD FSUB FMAX FMIN FMAXNM FMINNM FNMUL: opcode 0-8. */
static void fx_fp2src(Gen *g, uint32_t *w)
{
    fx_ftype(g, w);
    if (fld(*w, 15, 12) > 8 && !chance(g, NEAR_MISS))
        *w = setf(*w, 15, 12, rndn(g, 9));
}

/* FMOV between general and FP registers: W<->S, X<->D, X<->V.D[1]. */
static void fx_fmov_gen(Gen *g, uint32_t *w)
{
    static const uint8_t forms[][3] = {{0, 0, 0}, {1, 1, 0}, {1, 2, 1}}; /* sf, ftype, rmode */
    if (chance(g, NEAR_MISS))
        return;
    const uint8_t *f = forms[rndn(g, 3)];
    *w = setf(setf(setf(setf(*w, 31, 31, f[0]), 23, 22, f[1]), 20, 19, f[2]), 18, 16, 6 + rndn(g, 2));
}

/* Fixed-point conversions: scale < 32 only for 64-bit registers. */
static void fx_fixed(Gen *g, uint32_t *w)
{
    fx_ftype(g, w);
    if (!fld(*w, 31, 31) && !chance(g, NEAR_MISS))
        *w = setf(*w, 15, 15, 1);
}

/* ---- table-driven SIMD fixups ---- */
#define MSK(hi, lo) (((2u << ((hi) - (lo))) - 1) << (lo))
/* an opcode field */
#define OP(hi, lo, opc, sh) {MSK(hi, lo), (uint32_t)(opc) << (lo), sh}
/* U (bit 29) and an opcode field; both values of U */
#define OPU(u, hi, lo, opc, sh) {(1u << 29) | MSK(hi, lo), ((uint32_t)(u) << 29) | ((uint32_t)(opc) << (lo)), sh}
#define OPU2(hi, lo, opc, sh) OPU(0, hi, lo, opc, sh), OPU(1, hi, lo, opc, sh)
/* U, bit 23 (FP: o1/a, or size<1>) and an opcode field */
#define OPUA(u, a, hi, lo, opc, sh)                                                                    \
    {(1u << 29) | (1u << 23) | MSK(hi, lo), ((uint32_t)(u) << 29) | ((uint32_t)(a) << 23) | ((uint32_t)(opc) << (lo)), sh}

/* Integer shapes, bit (size << 1 | Q). */
#define SH_B 0x03    /* 8B 16B */
#define SH_BH 0x0f   /* 8B 16B 4H 8H */
#define SH_BHS 0x3f  /* ... 2S 4S */
#define SH_BHSD 0xbf /* ... 2D (1D is reserved) */
#define SH_ANY 0xff
#define SH_HS 0x3c
#define SH_ACROSS 0x2f /* 8B 16B 4H 8H 4S */
#define SH_FIX 0xb0    /* 2S 4S 2D (FP fixed-point, by immh) */
/* Scalar (bit 30 set): B H S D */
#define SC_BHSD 0xaa
#define SC_BHS 0x2a
#define SC_HS 0x28
#define SC_D 0x80
#define SC_SD 0xa0
/* FP shapes, bit (sz << 1 | Q): 2S 4S 2D; scalar S D. */
#define FS_V 0x0b
#define FS_4S 0x02
#define FS_SC 0x0a
#define FS_SC_D 0x08

static const Op *pick_op(Gen *g) { return &g->t->ops[rndn(g, g->t->nops)]; }

/* A shape allowed by `shapes` (n = 8 or 4 shapes); as a near miss, any
 * element size with the chosen Q. */
static unsigned pick_shape(Gen *g, unsigned shapes, unsigned n)
{
    unsigned k;
    do
        k = rndn(g, n);
    while (!((shapes >> k) & 1));
    if (chance(g, NEAR_MISS))
        k = (rndn(g, n / 2) << 1) | (k & 1);
    return k;
}

/* Integer groups: the operation, then size (23:22) and Q. */
static void fx_vop(Gen *g, uint32_t *w)
{
    const Op *o = pick_op(g);
    unsigned k = pick_shape(g, o->shapes, 8);
    *w = setf(setf((*w & ~o->mask) | o->val, 23, 22, k >> 1), 30, 30, k & 1);
}

/* FP groups: the operation (with bit 23), then sz (22) and Q. */
static void fx_fop(Gen *g, uint32_t *w)
{
    const Op *o = pick_op(g);
    unsigned k = pick_shape(g, o->shapes, 4);
    *w = setf(setf((*w & ~o->mask) | o->val, 22, 22, k >> 1), 30, 30, k & 1);
}

/* FP by element: a D element is indexed by H alone (L = 0). */
static void fx_fop_elem(Gen *g, uint32_t *w)
{
    fx_fop(g, w);
    if (fld(*w, 22, 22) && !chance(g, NEAR_MISS))
        *w = setf(*w, 21, 21, 0);
}

/* Shifts by immediate: the element size is immh's highest set bit. */
static void fx_shop(Gen *g, uint32_t *w)
{
    const Op *o = pick_op(g);
    unsigned k = pick_shape(g, o->shapes, 8), es = k >> 1;
    unsigned immh = (1u << es) | (rndn(g, 16) & ((1u << es) - 1));
    *w = setf(setf((*w & ~o->mask) | o->val, 22, 19, immh), 30, 30, k & 1);
}

static const Op ops_3same_int[] = { /* opcode 15:11 */
    OPU2(15, 11, 0x00, SH_BHS),  /* SHADD UHADD */
    OPU2(15, 11, 0x01, SH_BHSD), /* SQADD UQADD */
    OPU2(15, 11, 0x02, SH_BHS),  /* SRHADD URHADD */
    OPU2(15, 11, 0x03, SH_ANY),  /* AND BIC ORR ORN, EOR BSL BIT BIF (size = operation) */
    OPU2(15, 11, 0x04, SH_BHS),  /* SHSUB UHSUB */
    OPU2(15, 11, 0x05, SH_BHSD), /* SQSUB UQSUB */
    OPU2(15, 11, 0x06, SH_BHSD), /* CMGT CMHI */
    OPU2(15, 11, 0x07, SH_BHSD), /* CMGE CMHS */
    OPU2(15, 11, 0x08, SH_BHSD), /* SSHL USHL */
    OPU2(15, 11, 0x09, SH_BHSD), /* SQSHL UQSHL */
    OPU2(15, 11, 0x0a, SH_BHSD), /* SRSHL URSHL */
    OPU2(15, 11, 0x0b, SH_BHSD), /* SQRSHL UQRSHL */
    OPU2(15, 11, 0x0c, SH_BHS),  /* SMAX UMAX */
    OPU2(15, 11, 0x0d, SH_BHS),  /* SMIN UMIN */
    OPU2(15, 11, 0x0e, SH_BHS),  /* SABD UABD */
    OPU2(15, 11, 0x0f, SH_BHS),  /* SABA UABA */
};
static const Op ops_3same_int2[] = {
    OPU2(15, 11, 0x10, SH_BHSD), /* ADD SUB */
    OPU2(15, 11, 0x11, SH_BHSD), /* CMTST CMEQ */
    OPU2(15, 11, 0x12, SH_BHS),  /* MLA MLS */
    OPU(0, 15, 11, 0x13, SH_BHS), OPU(1, 15, 11, 0x13, SH_B), /* MUL, PMUL */
    OPU2(15, 11, 0x14, SH_BHS),  /* SMAXP UMAXP */
    OPU2(15, 11, 0x15, SH_BHS),  /* SMINP UMINP */
    OPU2(15, 11, 0x16, SH_HS),   /* SQDMULH SQRDMULH */
    OPU(0, 15, 11, 0x17, SH_BHSD), /* ADDP */
};
static const Op ops_3diff[] = { /* opcode 15:12 */
    OPU2(15, 12, 0x0, SH_BHS), OPU2(15, 12, 0x1, SH_BHS), /* [SU]ADDL [SU]ADDW */
    OPU2(15, 12, 0x2, SH_BHS), OPU2(15, 12, 0x3, SH_BHS), /* [SU]SUBL [SU]SUBW */
    OPU2(15, 12, 0x4, SH_BHS), OPU2(15, 12, 0x5, SH_BHS), /* (R)ADDHN [SU]ABAL */
    OPU2(15, 12, 0x6, SH_BHS), OPU2(15, 12, 0x7, SH_BHS), /* (R)SUBHN [SU]ABDL */
    OPU2(15, 12, 0x8, SH_BHS), OPU(0, 15, 12, 0x9, SH_HS), /* [SU]MLAL SQDMLAL */
    OPU2(15, 12, 0xa, SH_BHS), OPU(0, 15, 12, 0xb, SH_HS), /* [SU]MLSL SQDMLSL */
    OPU2(15, 12, 0xc, SH_BHS), OPU(0, 15, 12, 0xd, SH_HS), /* [SU]MULL SQDMULL */
    OPU(0, 15, 12, 0xe, SH_B), /* PMULL (8B; the 1D form is Crypto) */
};
static const Op ops_2misc_int[] = { /* opcode 16:12 */
    OPU(0, 16, 12, 0x00, SH_BHS), OPU(0, 16, 12, 0x01, SH_B), /* REV64 REV16 */
    OPU(0, 16, 12, 0x02, SH_BHS), OPU(0, 16, 12, 0x03, SH_BHSD), /* SADDLP SUQADD */
    OPU(0, 16, 12, 0x04, SH_BHS), OPU(0, 16, 12, 0x05, SH_B), /* CLS CNT */
    OPU(0, 16, 12, 0x06, SH_BHS), OPU(0, 16, 12, 0x07, SH_BHSD), /* SADALP SQABS */
    OPU(0, 16, 12, 0x08, SH_BHSD), OPU(0, 16, 12, 0x09, SH_BHSD), /* CMGT CMEQ #0 */
    OPU(0, 16, 12, 0x0a, SH_BHSD), OPU(0, 16, 12, 0x0b, SH_BHSD), /* CMLT #0, ABS */
    OPU(0, 16, 12, 0x12, SH_BHS), OPU(0, 16, 12, 0x14, SH_BHS), /* XTN SQXTN */
    OPU(1, 16, 12, 0x00, SH_BH), OPU(1, 16, 12, 0x02, SH_BHS), /* REV32 UADDLP */
    OPU(1, 16, 12, 0x03, SH_BHSD), OPU(1, 16, 12, 0x04, SH_BHS), /* USQADD CLZ */
    OPU(1, 16, 12, 0x05, SH_BH), OPU(1, 16, 12, 0x06, SH_BHS), /* NOT/RBIT UADALP */
    OPU(1, 16, 12, 0x07, SH_BHSD), OPU(1, 16, 12, 0x08, SH_BHSD), /* SQNEG CMGE #0 */
    OPU(1, 16, 12, 0x09, SH_BHSD), OPU(1, 16, 12, 0x0b, SH_BHSD), /* CMLE #0, NEG */
    OPU(1, 16, 12, 0x12, SH_BHS), OPU(1, 16, 12, 0x13, SH_BHS), /* SQXTUN SHLL */
    OPU(1, 16, 12, 0x14, SH_BHS), /* UQXTN */
};
static const Op ops_across[] = {
    OPU2(16, 12, 0x03, SH_ACROSS), /* SADDLV UADDLV */
    OPU2(16, 12, 0x0a, SH_ACROSS), /* SMAXV UMAXV */
    OPU2(16, 12, 0x1a, SH_ACROSS), /* SMINV UMINV */
    OPU(0, 16, 12, 0x1b, SH_ACROSS), /* ADDV */
};
static const Op ops_shift[] = { /* opcode 15:11; shapes by immh */
    OPU2(15, 11, 0x00, SH_BHSD), OPU2(15, 11, 0x02, SH_BHSD), /* [SU]SHR [SU]SRA */
    OPU2(15, 11, 0x04, SH_BHSD), OPU2(15, 11, 0x06, SH_BHSD), /* [SU]RSHR [SU]RSRA */
    OPU(1, 15, 11, 0x08, SH_BHSD), OPU2(15, 11, 0x0a, SH_BHSD), /* SRI, SHL SLI */
    OPU(1, 15, 11, 0x0c, SH_BHSD), OPU2(15, 11, 0x0e, SH_BHSD), /* SQSHLU, [SU]QSHL */
    OPU2(15, 11, 0x10, SH_BHS), OPU2(15, 11, 0x11, SH_BHS), /* SHRN SQSHRUN, RSHRN SQRSHRUN */
    OPU2(15, 11, 0x12, SH_BHS), OPU2(15, 11, 0x13, SH_BHS), /* [SU]QSHRN [SU]QRSHRN */
    OPU2(15, 11, 0x14, SH_BHS), /* [SU]SHLL */
};
static const Op ops_elem_int[] = { /* opcode 15:12, H and S elements */
    OPU(0, 15, 12, 0x2, SH_HS), OPU(0, 15, 12, 0x3, SH_HS), /* SMLAL SQDMLAL */
    OPU(0, 15, 12, 0x6, SH_HS), OPU(0, 15, 12, 0x7, SH_HS), /* SMLSL SQDMLSL */
    OPU(0, 15, 12, 0x8, SH_HS), OPU(0, 15, 12, 0xa, SH_HS), /* MUL SMULL */
    OPU(0, 15, 12, 0xb, SH_HS), OPU(0, 15, 12, 0xc, SH_HS), /* SQDMULL SQDMULH */
    OPU(0, 15, 12, 0xd, SH_HS), OPU(1, 15, 12, 0x0, SH_HS), /* SQRDMULH, MLA */
    OPU(1, 15, 12, 0x2, SH_HS), OPU(1, 15, 12, 0x4, SH_HS), /* UMLAL MLS */
    OPU(1, 15, 12, 0x6, SH_HS), OPU(1, 15, 12, 0xa, SH_HS), /* UMLSL UMULL */
};
static const Op ops_sc3same[] = {
    OPU2(15, 11, 0x01, SC_BHSD), OPU2(15, 11, 0x05, SC_BHSD), /* [SU]QADD [SU]QSUB */
    OPU2(15, 11, 0x06, SC_D), OPU2(15, 11, 0x07, SC_D),       /* CMGT CMHI, CMGE CMHS */
    OPU2(15, 11, 0x08, SC_D), OPU2(15, 11, 0x09, SC_BHSD),    /* [SU]SHL [SU]QSHL */
    OPU2(15, 11, 0x0a, SC_D), OPU2(15, 11, 0x0b, SC_BHSD),    /* [SU]RSHL [SU]QRSHL */
    OPU2(15, 11, 0x10, SC_D), OPU2(15, 11, 0x11, SC_D),       /* ADD SUB, CMTST CMEQ */
    OPU2(15, 11, 0x16, SC_HS),                                /* SQDMULH SQRDMULH */
};
static const Op ops_sc3diff[] = {
    OPU(0, 15, 12, 0x9, SC_HS), OPU(0, 15, 12, 0xb, SC_HS), OPU(0, 15, 12, 0xd, SC_HS), /* SQDMLAL SQDMLSL SQDMULL */
};
static const Op ops_sc2misc[] = {
    OPU2(16, 12, 0x03, SC_BHSD), OPU2(16, 12, 0x07, SC_BHSD), /* SUQADD USQADD, SQABS SQNEG */
    OPU2(16, 12, 0x08, SC_D), OPU2(16, 12, 0x09, SC_D),       /* CMGT CMGE, CMEQ CMLE #0 */
    OPU(0, 16, 12, 0x0a, SC_D), OPU2(16, 12, 0x0b, SC_D),     /* CMLT #0, ABS NEG */
    OPU2(16, 12, 0x14, SC_BHS), OPU(1, 16, 12, 0x12, SC_BHS), /* SQXTN UQXTN, SQXTUN */
};
static const Op ops_scshift[] = {
    OPU2(15, 11, 0x00, SC_D), OPU2(15, 11, 0x02, SC_D), OPU2(15, 11, 0x04, SC_D), OPU2(15, 11, 0x06, SC_D),
    OPU(1, 15, 11, 0x08, SC_D), OPU2(15, 11, 0x0a, SC_D),        /* SRI, SHL SLI */
    OPU(1, 15, 11, 0x0c, SC_BHSD), OPU2(15, 11, 0x0e, SC_BHSD),  /* SQSHLU, [SU]QSHL */
    OPU(1, 15, 11, 0x10, SC_BHS), OPU(1, 15, 11, 0x11, SC_BHS),  /* SQSHRUN SQRSHRUN */
    OPU2(15, 11, 0x12, SC_BHS), OPU2(15, 11, 0x13, SC_BHS),      /* [SU]QSHRN [SU]QRSHRN */
};
static const Op ops_scelem[] = {
    OPU(0, 15, 12, 0x3, SC_HS), OPU(0, 15, 12, 0x7, SC_HS), OPU(0, 15, 12, 0xb, SC_HS), /* SQDML[AS]L SQDMULL */
    OPU(0, 15, 12, 0xc, SC_HS), OPU(0, 15, 12, 0xd, SC_HS), /* SQDMULH SQRDMULH */
};

static const Op ops_3same_fp[] = { /* U, a, opcode 15:11 */
    OPUA(0, 0, 15, 11, 0x18, FS_V), OPUA(0, 0, 15, 11, 0x19, FS_V), /* FMAXNM FMLA */
    OPUA(0, 0, 15, 11, 0x1a, FS_V), OPUA(0, 0, 15, 11, 0x1b, FS_V), /* FADD FMULX */
    OPUA(0, 0, 15, 11, 0x1c, FS_V), OPUA(0, 0, 15, 11, 0x1e, FS_V), /* FCMEQ FMAX */
    OPUA(0, 0, 15, 11, 0x1f, FS_V), OPUA(0, 1, 15, 11, 0x18, FS_V), /* FRECPS FMINNM */
    OPUA(0, 1, 15, 11, 0x19, FS_V), OPUA(0, 1, 15, 11, 0x1a, FS_V), /* FMLS FSUB */
    OPUA(0, 1, 15, 11, 0x1e, FS_V), OPUA(0, 1, 15, 11, 0x1f, FS_V), /* FMIN FRSQRTS */
    OPUA(1, 0, 15, 11, 0x18, FS_V), OPUA(1, 0, 15, 11, 0x1a, FS_V), /* FMAXNMP FADDP */
    OPUA(1, 0, 15, 11, 0x1b, FS_V), OPUA(1, 0, 15, 11, 0x1c, FS_V), /* FMUL FCMGE */
    OPUA(1, 0, 15, 11, 0x1d, FS_V), OPUA(1, 0, 15, 11, 0x1e, FS_V), /* FACGE FMAXP */
    OPUA(1, 0, 15, 11, 0x1f, FS_V), OPUA(1, 1, 15, 11, 0x18, FS_V), /* FDIV FMINNMP */
    OPUA(1, 1, 15, 11, 0x1a, FS_V), OPUA(1, 1, 15, 11, 0x1c, FS_V), /* FABD FCMGT */
    OPUA(1, 1, 15, 11, 0x1d, FS_V), OPUA(1, 1, 15, 11, 0x1e, FS_V), /* FACGT FMINP */
};
static const Op ops_2misc_fp[] = { /* U, size<1>, opcode 16:12: rounding, conversions, estimates */
    OPUA(0, 0, 16, 12, 0x16, 0x0f), OPUA(0, 0, 16, 12, 0x17, 0x0f), /* FCVTN FCVTL (4H/8H <-> 4S too) */
    OPUA(0, 0, 16, 12, 0x18, FS_V), OPUA(0, 0, 16, 12, 0x19, FS_V), /* FRINTN FRINTM */
    OPUA(0, 0, 16, 12, 0x1a, FS_V), OPUA(0, 0, 16, 12, 0x1b, FS_V), /* FCVTNS FCVTMS */
    OPUA(0, 0, 16, 12, 0x1c, FS_V), OPUA(0, 0, 16, 12, 0x1d, FS_V), /* FCVTAS SCVTF */
    OPUA(0, 1, 16, 12, 0x18, FS_V), OPUA(0, 1, 16, 12, 0x19, FS_V), /* FRINTP FRINTZ */
    OPUA(0, 1, 16, 12, 0x1a, FS_V), OPUA(0, 1, 16, 12, 0x1b, FS_V), /* FCVTPS FCVTZS */
    OPUA(0, 1, 16, 12, 0x1c, 0x03), OPUA(0, 1, 16, 12, 0x1d, FS_V), /* URECPE (S only) FRECPE */
    OPUA(1, 0, 16, 12, 0x16, 0x0c), OPUA(1, 0, 16, 12, 0x18, FS_V), /* FCVTXN (from 2D) FRINTA */
    OPUA(1, 0, 16, 12, 0x19, FS_V), OPUA(1, 0, 16, 12, 0x1a, FS_V), /* FRINTX FCVTNU */
    OPUA(1, 0, 16, 12, 0x1b, FS_V), OPUA(1, 0, 16, 12, 0x1c, FS_V), /* FCVTMU FCVTAU */
    OPUA(1, 0, 16, 12, 0x1d, FS_V), OPUA(1, 1, 16, 12, 0x19, FS_V), /* UCVTF FRINTI */
    OPUA(1, 1, 16, 12, 0x1a, FS_V), OPUA(1, 1, 16, 12, 0x1b, FS_V), /* FCVTPU FCVTZU */
    OPUA(1, 1, 16, 12, 0x1c, 0x03), OPUA(1, 1, 16, 12, 0x1d, FS_V), /* URSQRTE (S only) FRSQRTE */
};
static const Op ops_2misc_fp_cmp[] = { /* compare with zero, FABS FNEG FSQRT */
    OPUA(0, 1, 16, 12, 0x0c, FS_V), OPUA(0, 1, 16, 12, 0x0d, FS_V), /* FCMGT FCMEQ #0 */
    OPUA(0, 1, 16, 12, 0x0e, FS_V), OPUA(0, 1, 16, 12, 0x0f, FS_V), /* FCMLT #0, FABS */
    OPUA(1, 1, 16, 12, 0x0c, FS_V), OPUA(1, 1, 16, 12, 0x0d, FS_V), /* FCMGE FCMLE #0 */
    OPUA(1, 1, 16, 12, 0x0f, FS_V), OPUA(1, 1, 16, 12, 0x1f, FS_V), /* FNEG FSQRT */
};
static const Op ops_across_fp[] = { /* 4S only; the U = 0 forms are FP16 */
    OPUA(1, 0, 16, 12, 0x0c, FS_4S), OPUA(1, 0, 16, 12, 0x0f, FS_4S), /* FMAXNMV FMAXV */
    OPUA(1, 1, 16, 12, 0x0c, FS_4S), OPUA(1, 1, 16, 12, 0x0f, FS_4S), /* FMINNMV FMINV */
};
static const Op ops_elem_fp[] = { /* size 1x (sz = bit 22), opcode 15:12 */
    OPUA(0, 1, 15, 12, 0x1, FS_V), OPUA(0, 1, 15, 12, 0x5, FS_V), /* FMLA FMLS */
    OPUA(0, 1, 15, 12, 0x9, FS_V), OPUA(1, 1, 15, 12, 0x9, FS_V), /* FMUL FMULX */
};
static const Op ops_sc3same_fp[] = {
    OPUA(0, 0, 15, 11, 0x1b, FS_SC), OPUA(0, 0, 15, 11, 0x1c, FS_SC), /* FMULX FCMEQ */
    OPUA(0, 0, 15, 11, 0x1f, FS_SC), OPUA(0, 1, 15, 11, 0x1f, FS_SC), /* FRECPS FRSQRTS */
    OPUA(1, 0, 15, 11, 0x1c, FS_SC), OPUA(1, 0, 15, 11, 0x1d, FS_SC), /* FCMGE FACGE */
    OPUA(1, 1, 15, 11, 0x1a, FS_SC), OPUA(1, 1, 15, 11, 0x1c, FS_SC), /* FABD FCMGT */
    OPUA(1, 1, 15, 11, 0x1d, FS_SC),                                  /* FACGT */
};
static const Op ops_sc2misc_fp[] = {
    OPUA(0, 0, 16, 12, 0x1a, FS_SC), OPUA(0, 0, 16, 12, 0x1b, FS_SC), /* FCVTNS FCVTMS */
    OPUA(0, 0, 16, 12, 0x1c, FS_SC), OPUA(0, 0, 16, 12, 0x1d, FS_SC), /* FCVTAS SCVTF */
    OPUA(0, 1, 16, 12, 0x0c, FS_SC), OPUA(0, 1, 16, 12, 0x0d, FS_SC), /* FCMGT FCMEQ #0 */
    OPUA(0, 1, 16, 12, 0x0e, FS_SC), OPUA(0, 1, 16, 12, 0x1a, FS_SC), /* FCMLT #0, FCVTPS */
    OPUA(0, 1, 16, 12, 0x1b, FS_SC), OPUA(0, 1, 16, 12, 0x1d, FS_SC), /* FCVTZS FRECPE */
    OPUA(0, 1, 16, 12, 0x1f, FS_SC), OPUA(1, 0, 16, 12, 0x16, FS_SC_D), /* FRECPX, FCVTXN */
    OPUA(1, 0, 16, 12, 0x1a, FS_SC), OPUA(1, 0, 16, 12, 0x1b, FS_SC), /* FCVTNU FCVTMU */
    OPUA(1, 0, 16, 12, 0x1c, FS_SC), OPUA(1, 0, 16, 12, 0x1d, FS_SC), /* FCVTAU UCVTF */
    OPUA(1, 1, 16, 12, 0x0c, FS_SC), OPUA(1, 1, 16, 12, 0x0d, FS_SC), /* FCMGE FCMLE #0 */
    OPUA(1, 1, 16, 12, 0x1a, FS_SC), OPUA(1, 1, 16, 12, 0x1b, FS_SC), /* FCVTPU FCVTZU */
    OPUA(1, 1, 16, 12, 0x1d, FS_SC),                                  /* FRSQRTE */
};
static const Op ops_scpair_fp[] = { /* the U = 0 FP forms are FP16 */
    OPUA(1, 0, 16, 12, 0x0c, FS_SC), OPUA(1, 0, 16, 12, 0x0d, FS_SC), /* FMAXNMP FADDP */
    OPUA(1, 0, 16, 12, 0x0f, FS_SC), OPUA(1, 1, 16, 12, 0x0c, FS_SC), /* FMAXP FMINNMP */
    OPUA(1, 1, 16, 12, 0x0f, FS_SC),                                  /* FMINP */
};
static const Op ops_scelem_fp[] = {
    OPUA(0, 1, 15, 12, 0x1, FS_SC), OPUA(0, 1, 15, 12, 0x5, FS_SC), /* FMLA FMLS */
    OPUA(0, 1, 15, 12, 0x9, FS_SC), OPUA(1, 1, 15, 12, 0x9, FS_SC), /* FMUL FMULX */
};
static const Op ops_fixed_vec[] = {
    OPU2(15, 11, 0x1c, SH_FIX), OPU2(15, 11, 0x1f, SH_FIX), /* [SU]CVTF, FCVTZ[SU] (fixed) */
};
static const Op ops_fixed_sc[] = {
    OPU2(15, 11, 0x1c, SC_SD), OPU2(15, 11, 0x1f, SC_SD),
};
static const Op ops_zip[] = { /* opcode 14:12 */
    OP(14, 12, 1, SH_BHSD), OP(14, 12, 2, SH_BHSD), OP(14, 12, 3, SH_BHSD), /* UZP1 TRN1 ZIP1 */
    OP(14, 12, 5, SH_BHSD), OP(14, 12, 6, SH_BHSD), OP(14, 12, 7, SH_BHSD), /* UZP2 TRN2 ZIP2 */
};

/* ---- SIMD permute and structure fixups ---- */

/* DUP (element, general), INS (general, element), SMOV, UMOV with an
 * element size and Q they allow. */
static void fx_dupins(Gen *g, uint32_t *w)
{
    if (chance(g, NEAR_MISS))
        return;
    unsigned form = rndn(g, 6), es = rndn(g, 4), q = rndn(g, 2), op = 0, imm4 = 0;
    unsigned d = rndn(g, 32), n = rndn(g, 32);
    switch (form) {
    case 0: imm4 = 0; q |= es == 3; break;               /* DUP (element) */
    case 1: imm4 = 1; q |= es == 3; break;               /* DUP (general) */
    case 2: imm4 = 3; q = 1; break;                      /* INS (general) */
    case 3: imm4 = 5; es = rndn(g, q ? 3 : 2); d = free_reg(g, -1, -1); break; /* SMOV */
    case 4: imm4 = 7; es = q ? 3 : rndn(g, 3); d = free_reg(g, -1, -1); break; /* UMOV */
    default: op = 1; q = 1; imm4 = rndn(g, 16); break;   /* INS (element) */
    }
    unsigned imm5 = ((rndn(g, 32) << (es + 1)) | (1u << es)) & 0x1f;
    *w = setf(setf(setf(setf(setf(setf(*w, 30, 30, q), 29, 29, op), 20, 16, imm5), 14, 11, imm4), 9, 5, n), 4, 0, d);
}

static void fx_dup_scalar(Gen *g, uint32_t *w)
{
    if (!(fld(*w, 19, 16)) && !chance(g, NEAR_MISS)) /* imm5 x0000 is reserved */
        *w |= 1u << (16 + rndn(g, 4));
}

static void fx_ext(Gen *g, uint32_t *w)
{
    if (!fld(*w, 30, 30) && !chance(g, NEAR_MISS)) /* 8-byte EXT: index below 8 */
        *w = setf(*w, 14, 14, 0);
}

static void fx_movi(Gen *g, uint32_t *w)
{
    /* op = 1, cmode = 1111 is FMOV (vector, immediate) .2D: Q = 1 only. */
    if (fld(*w, 29, 29) && fld(*w, 15, 12) == 15 && !chance(g, NEAR_MISS))
        *w = setf(*w, 30, 30, 1);
}

/* SIMD&FP structure loads/stores: at most 64 bytes from the base. */
static void fx_simd_struct(Gen *g, uint32_t *w)
{
    unsigned n = claim_reg(g, fld(*w, 9, 5), -1, -1);
    set_x(g, n, pick_addr(g, 64, 16, true));
    *w = setf(*w, 9, 5, n);
}

/* Multiple structures: LD4/ST4, LD1/ST1 x4, LD3, LD1 x3, LD1, LD2, LD1 x2;
 * LD2-LD4 have no .1D. */
static void fx_simd_multi(Gen *g, uint32_t *w)
{
    static const uint8_t opcs[] = {0, 2, 4, 6, 7, 8, 10};
    if (!chance(g, NEAR_MISS)) {
        unsigned o = opcs[rndn(g, 7)];
        *w = setf(*w, 15, 12, o);
        if ((o == 0 || o == 4 || o == 8) && fld(*w, 11, 10) == 3)
            *w = setf(*w, 30, 30, 1);
    }
    fx_simd_struct(g, w);
}

/* Single structure: B any index; H with size<0> = 0; S (size 00) or D
 * (size 01, S = 0); LDnR loads only, S = 0. */
static void fx_simd_single(Gen *g, uint32_t *w)
{
    if (!chance(g, NEAR_MISS)) {
        unsigned size = fld(*w, 11, 10), s = fld(*w, 12, 12);
        switch (fld(*w, 15, 14)) {
        case 1: size &= 2; break;
        case 2:
            if (chance(g, 50))
                size = 0;
            else
                size = 1, s = 0;
            break;
        case 3: *w = setf(*w, 22, 22, 1), s = 0; break;
        default: break;
        }
        *w = setf(setf(*w, 11, 10, size), 12, 12, s);
    }
    fx_simd_struct(g, w);
}

/* ---- classes ---- */
#define T(name, pat) {name, pat, 0, NULL, NULL, 0, 8}
#define TF(name, pat, flags, fix) {name, pat, flags, fix, NULL, 0, 8}
#define TO(name, pat, fix, ops) {name, pat, 0, fix, ops, sizeof ops / sizeof ops[0], 8}
/* A probe of a whole encoding space, mostly reserved encodings: rare. */
#define TR(name, pat, flags, fix) {name, pat, flags, fix, NULL, 0, 1}

static const Tmpl t_int[] = {
    TF("ADD/SUB (imm)", "xx0100010xiiiiiiiiiiiinnnnnddddd", F_D_NOSP, NULL),
    T("ADDS/SUBS (imm)", "xx1100010xiiiiiiiiiiiinnnnnddddd"),
    T("ADR/ADRP", "xxx10000xxxxxxxxxxxxxxxxxxxddddd"),
    TF("AND/ORR/EOR (imm)", "xxx100100xxxxxxxxxxxxxnnnnnddddd", F_D_NOSP, fx_logimm),
    TF("ANDS (imm)", "x11100100xxxxxxxxxxxxxnnnnnddddd", 0, fx_logimm),
    TF("MOVN/MOVZ/MOVK", "xxx100101xxiiiiiiiiiiiiiiiiddddd", 0, fx_movw),
    TF("SBFM/BFM/UBFM", "xxx100110xxxxxxxxxxxxxnnnnnddddd", 0, fx_bitfield),
    TF("EXTR", "x00100111x0mmmmmxxxxxxnnnnnddddd", 0, fx_bitfield),
    TF("logical (shifted reg)", "xxx01010xxxmmmmmxxxxxxnnnnnddddd", 0, fx_shifted),
    TF("ADD/SUB (shifted reg)", "xxx01011xx0mmmmmxxxxxxnnnnnddddd", 0, fx_shifted),
    TF("ADD/SUB (extended reg)", "xx001011001mmmmmxxxxxxnnnnnddddd", F_D_NOSP, fx_extreg),
    TF("ADDS/SUBS (extended reg)", "xx101011001mmmmmxxxxxxnnnnnddddd", 0, fx_extreg),
    T("ADC/SBC(S)", "xxx11010000mmmmm000000nnnnnddddd"),
    T("CCMN/CCMP (reg)", "xx111010010mmmmmxxxx00nnnnn0xxxx"),
    T("CCMN/CCMP (imm)", "xx111010010xxxxxxxxx10nnnnn0xxxx"),
    T("CSEL/CSINC/CSINV/CSNEG", "xx011010100mmmmmxxxx0xnnnnnddddd"),
    TF("UDIV/SDIV/LSLV/LSRV/ASRV/RORV", "x0011010110mmmmm00xxxxnnnnnddddd", 0, fx_dp2),
    TF("CRC32/CRC32C", "x0011010110mmmmm010xxxnnnnnddddd", 0, fx_crc),
    TF("RBIT/REV/CLZ/CLS", "x101101011000000000xxxnnnnnddddd", 0, fx_dp1),
    TF("MADD/MSUB/SMULL/UMULL/SMULH/UMULH", "x0011011xxxmmmmmxaaaaannnnnddddd", 0, fx_dp3),
    TR("data processing, register (any)", "xxx11010xxxmmmmmxxxxxxnnnnnddddd", 0, NULL),
};

static const Tmpl t_branch[] = {
    TF("B.cond", "01010100xxxxxxxxxxxxxxxxxxx0xxxx", 0, fx_bcond),
    TF("CBZ/CBNZ", "x011010xxxxxxxxxxxxxxxxxxxxnnnnn", 0, fx_bcond),
    TF("TBZ/TBNZ", "x011011xxxxxxxxxxxxxxxxxxxxnnnnn", 0, fx_tbz),
    TF("B", "000101xxxxxxxxxxxxxxxxxxxxxxxxxx", 0, fx_b),
    TF("BL", "100101xxxxxxxxxxxxxxxxxxxxxxxxxx", 0, fx_b),
    TF("BR", "1101011000011111000000nnnnn00000", 0, fx_breg),
    TF("BLR", "1101011000111111000000nnnnn00000", 0, fx_breg),
    TF("RET", "1101011001011111000000nnnnn00000", 0, fx_breg),
};

static const Tmpl t_ldst[] = {
    TF("LDR/STR/LDRS*/PRFM (uimm)", "xx111001xxiiiiiiiiiiiinnnnnttttt", 0, fx_uimm),
    TF("LDUR/STUR/PRFUM", "xx111000xx0iiiiiiiii00nnnnnttttt", 0, fx_imm9),
    TF("LDR/STR (post-index)", "xx111000xx0iiiiiiiii01nnnnnttttt", 0, fx_imm9),
    TF("LDR/STR (pre-index)", "xx111000xx0iiiiiiiii11nnnnnttttt", 0, fx_imm9),
    TF("LDTR/STTR", "xx111000xx0iiiiiiiii10nnnnnttttt", 0, fx_imm9),
    TF("LDR/STR (register)", "xx111000xx1mmmmmxxxx10nnnnnttttt", 0, fx_regoff_biased),
    TF("LDP/STP/LDPSW/LDNP/STNP", "xx101000xxiiiiiiiuuuuunnnnnttttt", 0, fx_pair),
    TF("LDR/LDRSW/PRFM (literal)", "xx011000iiiiiiiiiiiiiiiiiiittttt", 0, fx_literal),
    TF("LDXR/STXR/LDAR/STLR/LDXP/STXP", "xx0010000xxsssssxuuuuunnnnnttttt", 0, fx_excl),
    TF("LDAR/STLR", "xx0010001x0sssssxuuuuunnnnnttttt", 0, fx_ordered),
    TF("LDXR+STXR pair", "00000000000000000000000000000000", F_MACRO2, fx_excl_pair),
    TF("LDR/STR (SIMD&FP, uimm)", "xx111101xxiiiiiiiiiiiinnnnnTTTTT", 0, fx_uimm),
    TF("LDUR/STUR (SIMD&FP)", "xx111100xx0iiiiiiiii00nnnnnTTTTT", 0, fx_imm9),
    TF("LDR/STR (SIMD&FP, post/pre/unpriv)", "xx111100xx0iiiiiiiiixxnnnnnTTTTT", 0, fx_imm9),
    TF("LDR/STR (SIMD&FP, register)", "xx111100xx1mmmmmxxxx10nnnnnTTTTT", 0, fx_regoff_biased),
    TF("LDP/STP/LDNP/STNP (SIMD&FP)", "xx101100xxiiiiiiiUUUUUnnnnnTTTTT", 0, fx_pair),
    TF("LDR (SIMD&FP, literal)", "xx011100iiiiiiiiiiiiiiiiiiiTTTTT", 0, fx_literal),
};

static const Tmpl t_system[] = {
    T("MSR NZCV", "110101010001101101000010000nnnnn"),
    T("MRS NZCV", "110101010011101101000010000ddddd"),
    T("MSR FPCR", "110101010001101101000100000nnnnn"),
    T("MRS FPCR", "110101010011101101000100000ddddd"),
    T("MSR FPSR", "110101010001101101000100001nnnnn"),
    T("MRS FPSR", "110101010011101101000100001ddddd"),
    TR("MRS/MSR PMU (PMCR..PMOVSSET, EL0: PMUSERENR or a trap)", "1101010100x11011100111xxxxxddddd", 0, NULL),
    TR("MRS/MSR PMEVCNTR/PMEVTYPER/PMCCFILTR (EL0: a trap)", "1101010100x1101111101xxxxxxddddd", 0, NULL),
    TF("MRS CTR/DCZID_EL0", "11010101001110110000000000xddddd", 0, fx_ctr),
    T("CLREX", "11010101000000110011xxxx01011111"),
    TF("DSB/DMB/ISB", "11010101000000110011xxxx1xx11111", 0, fx_barrier),
    TF("hints", "11010101000000110010xxxxxxx11111", 0, fx_hint),
    TF("DC ZVA", "110101010000101101110100001ttttt", 0, fx_dc),
    TF("DC CVAC/CVAU/CIVAC, IC IVAU", "1101010100001011011101x1001ttttt", 0, fx_cmaint),
    T("BRK", "11010100001xxxxxxxxxxxxxxxx00000"),
    /* Probes: at EL0 most of these are UNDEFINED (privileged registers,
     * PSTATE fields, SYS operations; HVC, SMC, HLT, DCPS). */
    TR("MRS/MSR (other registers)", "1101010100x1xxxxxxxxxxxxxxxddddd", 0, fx_sysreg),
    TR("MSR (immediate)", "1101010100000xxx0100xxxxxxx11111", 0, NULL),
    TR("SYS/SYSL (other)", "1101010100x01xxx0xxxxxxxxxx11111", 0, fx_sys_probe),
    TR("exception generation (no SVC)", "11010100xxxxxxxxxxxxxxxxxxxxxxxx", 0, fx_excgen),
};

static const Tmpl t_fp_arith[] = {
    TF("FMOV/FABS/FNEG/FSQRT (scalar)", "00011110xx10000xx10000NNNNNDDDDD", 0, fx_ftype),
    TF("FCVT (scalar precision)", "00011110xx10001xx10000NNNNNDDDDD", 0, fx_fcvt_prec),
    TF("FRINT* (scalar)", "00011110xx1001xxx10000NNNNNDDDDD", 0, fx_frint),
    TF("FMUL/FDIV/FADD/FSUB/FMAX/FMIN/FNMUL", "00011110xx1MMMMMxxxx10NNNNNDDDDD", 0, fx_fp2src),
    TF("FMADD/FMSUB/FNMADD/FNMSUB", "00011111xxxMMMMMxAAAAANNNNNDDDDD", 0, fx_ftype),
    TR("FP 1-source (any)", "x0x11110xx1xxxxxx10000NNNNNDDDDD", 0, NULL),
};

static const Tmpl t_fp_cmp[] = {
    TF("FCMP/FCMPE", "00011110xx1MMMMM001000NNNNNxx000", 0, fx_ftype),
    TF("FCCMP/FCCMPE", "00011110xx1MMMMMxxxx01NNNNNxxxxx", 0, fx_ftype),
    TF("FCSEL", "00011110xx1MMMMMxxxx11NNNNNDDDDD", 0, fx_ftype),
    TR("FP compare (any)", "x0x11110xx1xxxxxxx1000xxxxxxxxxx", 0, NULL),
};

static const Tmpl t_fp_cvt[] = {
    TF("FCVT[NPMZ][SU] (to int)", "x0011110xx1xx00x000000NNNNNddddd", 0, fx_ftype),
    TF("SCVTF/UCVTF (from int)", "x0011110xx10001x000000nnnnnDDDDD", 0, fx_ftype),
    TF("FCVTA[SU] (to int)", "x0011110xx10010x000000NNNNNddddd", 0, fx_ftype),
    TF("FMOV (general)", "x0011110xx10x11x000000xxxxxxxxxx", 0, fx_fmov_gen),
    TF("SCVTF/UCVTF (fixed)", "x0011110xx00001xxxxxxxnnnnnDDDDD", 0, fx_fixed),
    TF("FCVTZ[SU] (fixed)", "x0011110xx01100xxxxxxxNNNNNddddd", 0, fx_fixed),
    TF("FMOV (scalar, imm)", "00011110xx1xxxxxxxx10000000DDDDD", 0, fx_ftype),
    TR("FP<->int (any)", "x0x11110xx1xxxxx000000xxxxxxxxxx", 0, NULL),
    TR("FP<->fixed (any)", "x0x11110xx0xxxxxxxxxxxxxxxxxxxxx", 0, NULL),
};

static const Tmpl t_simd_int[] = {
    TO("3same int", "0xx01110xx1MMMMMxxxxx1NNNNNDDDDD", fx_vop, ops_3same_int),
    TO("3same int (mul/pairwise)", "0xx01110xx1MMMMMxxxxx1NNNNNDDDDD", fx_vop, ops_3same_int2),
    TO("3diff", "0xx01110xx1MMMMMxxxx00NNNNNDDDDD", fx_vop, ops_3diff),
    TO("2misc int", "0xx01110xx10000xxxxx10NNNNNDDDDD", fx_vop, ops_2misc_int),
    TO("across lanes", "0xx01110xx11000xxxxx10NNNNNDDDDD", fx_vop, ops_across),
    TO("shift by imm", "0xx011110xxxxxxxxxxxx1NNNNNDDDDD", fx_shop, ops_shift),
    TO("by element", "0xx01111xxxxxxxxxxxxx0NNNNNDDDDD", fx_vop, ops_elem_int),
    TO("scalar 3same", "01x11110xx1MMMMMxxxxx1NNNNNDDDDD", fx_vop, ops_sc3same),
    TO("scalar 3diff", "01x11110xx1MMMMMxxxx00NNNNNDDDDD", fx_vop, ops_sc3diff),
    TO("scalar 2misc", "01x11110xx10000xxxxx10NNNNNDDDDD", fx_vop, ops_sc2misc),
    TO("scalar shift by imm", "01x111110xxxxxxxxxxxx1NNNNNDDDDD", fx_shop, ops_scshift),
    TO("scalar by element", "01x11111xxxxxxxxxxxxx0NNNNNDDDDD", fx_vop, ops_scelem),
    T("scalar ADDP", "0101111011110001101110NNNNNDDDDD"),
    T("AESE/AESD/AESMC/AESIMC", "010011100010100001xx10NNNNNDDDDD"),
    T("SHA1C/P/M/SU0, SHA256H/H2/SU1", "01011110000MMMMM0xxx00NNNNNDDDDD"),
    T("SHA1H/SU1, SHA256SU0", "010111100010100000xx10NNNNNDDDDD"),
    T("PMULL/PMULL2 .1Q", "0x001110111MMMMM111000NNNNNDDDDD"),
    TR("vector 3-register/2-register (any)", "0xx01110xx1xxxxxxxxxxxNNNNNDDDDD", 0, NULL),
    TR("vector shift/by element (any)", "0xx01111xxxxxxxxxxxxxxNNNNNDDDDD", 0, NULL),
    TR("scalar (any)", "01x1111xxx1xxxxxxxxxxxNNNNNDDDDD", 0, NULL),
};

static const Tmpl t_simd_fp[] = {
    TO("3same FP", "0xx01110xx1MMMMMxxxxx1NNNNNDDDDD", fx_fop, ops_3same_fp),
    TO("2misc FP (round, convert, estimate)", "0xx01110xx10000xxxxx10NNNNNDDDDD", fx_fop, ops_2misc_fp),
    TO("2misc FP (cmp zero, abs, neg, sqrt)", "0xx01110xx10000xxxxx10NNNNNDDDDD", fx_fop, ops_2misc_fp_cmp),
    TO("across lanes FP", "0xx01110xx11000xxxxx10NNNNNDDDDD", fx_fop, ops_across_fp),
    TO("by element FP", "0xx01111xxxxxxxxxxxxx0NNNNNDDDDD", fx_fop_elem, ops_elem_fp),
    TO("scalar 3same FP", "01x11110xx1MMMMMxxxxx1NNNNNDDDDD", fx_fop, ops_sc3same_fp),
    TO("scalar 2misc FP", "01x11110xx10000xxxxx10NNNNNDDDDD", fx_fop, ops_sc2misc_fp),
    TO("scalar pairwise FP", "01x11110xx11000xxxxx10NNNNNDDDDD", fx_fop, ops_scpair_fp),
    TO("scalar by element FP", "01x11111xxxxxxxxxxxxx0NNNNNDDDDD", fx_fop_elem, ops_scelem_fp),
    TO("FCVTZS/SCVTF (vector, fixed)", "0xx011110xxxxxxxxxxxx1NNNNNDDDDD", fx_shop, ops_fixed_vec),
    TO("FCVTZS/SCVTF (scalar, fixed)", "01x111110xxxxxxxxxxxx1NNNNNDDDDD", fx_shop, ops_fixed_sc),
    TR("3same FP (any)", "0xx01110xx1MMMMM11xxx1NNNNNDDDDD", 0, NULL),
    TR("2misc FP (any)", "0xx01110xx1x00001xxx10NNNNNDDDDD", 0, NULL),
    TR("scalar FP (any)", "01x11110xx1xxxxx1xxxx1NNNNNDDDDD", 0, NULL),
};

static const Tmpl t_simd_perm[] = {
    TF("DUP/INS/UMOV/SMOV", "0xx01110000xxxxx0xxxx1xxxxxxxxxx", 0, fx_dupins),
    TF("scalar DUP (element)", "01011110000xxxxx000001NNNNNDDDDD", 0, fx_dup_scalar),
    TO("ZIP/UZP/TRN", "0x001110xx0MMMMM0xxx10NNNNNDDDDD", fx_vop, ops_zip),
    TF("EXT", "0x101110000MMMMM0xxxx0NNNNNDDDDD", 0, fx_ext),
    T("TBL/TBX", "0x001110000MMMMM0xxx00NNNNNDDDDD"),
    TF("MOVI/MVNI/ORR/BIC/FMOV (vector, imm)", "0xx0111100000xxxxxxx01xxxxxDDDDD", 0, fx_movi),
    TR("DUP/INS/UMOV/SMOV (any)", "0xx01110000xxxxx0xxxx1xxxxxxxxxx", 0, NULL),
    TR("modified imm (any)", "0xx0111100000xxxxxxxx1xxxxxDDDDD", 0, NULL),
};

static const Tmpl t_simd_ldst[] = {
    TF("LD/ST multiple structures", "0x0011000x000000xxxxxxnnnnnTTTTT", 0, fx_simd_multi),
    TF("LD/ST multiple structures (post)", "0x0011001x0mmmmmxxxxxxnnnnnTTTTT", 0, fx_simd_multi),
    TF("LD/ST single structure, LDnR", "0x0011010xx00000xxxxxxnnnnnTTTTT", 0, fx_simd_single),
    TF("LD/ST single structure, LDnR (post)", "0x0011011xxmmmmmxxxxxxnnnnnTTTTT", 0, fx_simd_single),
    TR("LD/ST structures (any)", "0x001100xxxmmmmmxxxxxxnnnnnTTTTT", 0, fx_simd_struct),
};

/* Must be UNDEFINED on an ARMv8.0 Cortex-A53 (QEMU -cpu cortex-a53). One
 * instruction per case: a second one would never run. */
static const Tmpl t_undefined[] = {
    T("LSE atomics (LDADD..SWP, LDAPR)", "xx111000xx1sssssxxxx00nnnnnttttt"),
    T("LSE CAS", "xx0010001x1sssssx11111nnnnnttttt"),
    T("LSE CASP", "0x0010000x1sssssx11111nnnnnttttt"),
    T("LDLAR/STLLR (LOR)", "xx0010001x0sssss0uuuuunnnnnttttt"),
    T("PAC data processing", "x10110101100000100xxxxnnnnnddddd"),
    T("PACGA", "10011010110mmmmm001100nnnnnddddd"),
    T("BRAA/BLRAA/RETAA/ERETAA", "1101011x0xx1111100001xnnnnnmmmmm"),
    T("LDRAA/LDRAB", "11111000x01xxxxxxxxxx1nnnnnttttt"),
    T("SHA512/SHA3", "11001110011MMMMM10xx00NNNNNDDDDD"),
    T("EOR3/BCAX", "110011100xxMMMMM0AAAAANNNNNDDDDD"),
    T("SVE", "xxx0010xxxxxxxxxxxxxxxxxxxxxxxxx"),
    T("FP16 scalar 2-source", "00011110111MMMMMxxxx10NNNNNDDDDD"),
    T("FP16 scalar 1-source", "000111101110000xx10000NNNNNDDDDD"),
    T("FP16 3same (vector)", "0xx01110x10MMMMM00xxx1NNNNNDDDDD"),
    T("FP16 2misc (vector)", "0xx01110x1111000xxxx10NNNNNDDDDD"),
    T("FP16 by element", "0x00111100xxxxxxx001x0NNNNNDDDDD"),
    T("FP16 across lanes", "0x001110x011000011xx10NNNNNDDDDD"),
    T("FMOV half <-> general", "x00111101110011x000000xxxxxxxxxx"),
    T("FMLAL/FMLSL (FHM)", "0x001110x01MMMMM111011NNNNNDDDDD"),
    T("SDOT/UDOT (vector)", "0x001110100MMMMM100101NNNNNDDDDD"),
    T("SDOT/UDOT (by element)", "0xx01111xxxxxxxx1110x0NNNNNDDDDD"),
    T("SQRDMLAH/SQRDMLSH (vector)", "0x101110xx0MMMMM1000x1NNNNNDDDDD"),
    T("SQRDMLAH/SQRDMLSH (scalar)", "01111110xx0MMMMM1000x1NNNNNDDDDD"),
    T("SQRDMLAH/SQRDMLSH (by element)", "0x101111xxxxxxxx11x1x0NNNNNDDDDD"),
    T("FJCVTZS", "0001111001111110000000NNNNNddddd"),
    T("FCMLA/FCADD", "0x101110xx0MMMMM11xxx1NNNNNDDDDD"),
    T("FCMLA (by element)", "0x101111xxxxxxxx0xx1x0NNNNNDDDDD"),
    T("FRINT32/FRINT64", "000111100x101000x10000NNNNNDDDDD"),
    T("RMIF/SETF8/SETF16", "x0111010000xxxxxxxxxx1nnnnn0xxxx"),
    T("CFINV/XAFLAG/AXFLAG", "1101010100000000010000000xx11111"),
    T("LDAPR/LDAPUR (RCpc)", "xx011001xx0xxxxxxxxx00nnnnnttttt"),
    T("MTE tags (STG/IRG/ADDG)", "11011001xx1xxxxxxxxxxxnnnnnttttt"),
    T("BF16/I8MM", "0x101110x10MMMMM1xxxx1NNNNNDDDDD"),
    T("SB", "11010101000000110011xxxx11111111"),
    T("DC CVAP/CVADP", "11010101000010110111110x001ttttt"),
    T("UDF", "0000000000000000xxxxxxxxxxxxxxxx"),
    T("BC.cond", "01010100xxxxxxxxxxxxxxxxxxx1xxxx"),
};

static const Tmpl t_roundtrip[] = {
    T("(no instruction)", "11010101000000110010000000011111"),
};

typedef struct Class {
    const char *name;
    const Tmpl *t;
    unsigned nt;
    bool ladder;    /* branches: ladders around the tests */
    bool roundtrip; /* no instruction; Tandem runs the prologue/epilogue too */
    bool single;    /* one instruction per case */
    /* Coverage floors (campaign --coverage): the percentage of cases QEMU
     * does not end with SIGILL at a test instruction, and the distinct
     * mnemonics among the instructions QEMU executed, at COVERAGE_COUNT
     * cases. The "undefined" class (all_undef) must have no defined case;
     * its mnemonic floor counts every generated instruction. */
    unsigned min_defined, min_mn;
    bool all_undef;
} Class;

/* The case count the mnemonic floors are calibrated for (run.sh's default);
 * with fewer cases only the defined fraction is checked. */
#define COVERAGE_COUNT 4000

#define CLS(nm, arr, ...) {.name = nm, .t = arr, .nt = sizeof arr / sizeof arr[0], __VA_ARGS__}
/* Floors: a few points and mnemonics below what seeds 20240601 and 1-4
 * give at 4000 cases (README: coverage). */
static const Class classes[] = {
    CLS("roundtrip", t_roundtrip, .roundtrip = true, .min_defined = 100),
    CLS("int", t_int, .min_defined = 93, .min_mn = 64),
    CLS("branch", t_branch, .ladder = true, .min_defined = 99, .min_mn = 23),
    CLS("ldst", t_ldst, .min_defined = 95, .min_mn = 52),
    CLS("system", t_system, .min_defined = 89, .min_mn = 33),
    CLS("fp_arith", t_fp_arith, .min_defined = 88, .min_mn = 23),
    CLS("fp_cmp", t_fp_cmp, .min_defined = 86, .min_mn = 5),
    CLS("fp_cvt", t_fp_cvt, .min_defined = 86, .min_mn = 12),
    CLS("simd_int", t_simd_int, .min_defined = 90, .min_mn = 165),
    CLS("simd_fp", t_simd_fp, .min_defined = 91, .min_mn = 68),
    CLS("simd_perm", t_simd_perm, .min_defined = 91, .min_mn = 17),
    CLS("simd_ldst", t_simd_ldst, .min_defined = 88, .min_mn = 11),
    CLS("undefined", t_undefined, .single = true, .all_undef = true, .min_mn = 210),
};
#define NCLASSES (sizeof classes / sizeof classes[0])

static bool is_reg_letter(char ch) { return ch && strchr("dtusnmaDNMATU", ch); }
static bool is_gpr_dst(char ch) { return ch && strchr("dtus", ch); }

/* Checks every pattern once (length, register fields of 5). */
static void check_templates(void)
{
    for (unsigned c = 0; c < NCLASSES; c++)
        for (unsigned i = 0; i < classes[c].nt; i++) {
            const char *p = classes[c].t[i].pat;
            size_t len = strlen(p);
            bool ok = len == 32;
            for (size_t j = 0; ok && j < len;) {
                size_t k = j;
                while (k < len && p[k] == p[j])
                    k++;
                if (is_reg_letter(p[j]) && (k - j) % 5)
                    ok = false;
                j = k;
            }
            if (!ok) {
                fprintf(stderr, "bad pattern %s/%s: %s\n", classes[c].name, classes[c].t[i].name, p);
                exit(2);
            }
        }
}

static uint32_t from_pattern(Gen *g, const Tmpl *t)
{
    uint32_t w = (uint32_t)rnd(g);
    const char *p = t->pat;
    for (int i = 0; i < 32; i++) {
        int b = 31 - i;
        if (p[i] == '0')
            w &= ~(1u << b);
        else if (p[i] == '1')
            w |= 1u << b;
    }
    for (int i = 0; i < 32; i += 0) {
        char ch = p[i];
        if (!is_reg_letter(ch)) {
            i++;
            continue;
        }
        int lo = 31 - (i + 4);
        if (is_gpr_dst(ch)) {
            unsigned r;
            do
                r = rndn(g, 32);
            while (!reg_free(g, r) || (r == 31 && ch == 'd' && (t->flags & F_D_NOSP)));
            w = setf(w, (unsigned)lo + 4, (unsigned)lo, r);
        }
        i += 5;
    }
    return w;
}

static uint64_t case_seed(uint64_t seed, unsigned cls, uint64_t i)
{
    uint64_t s = seed * 0x100000001b3ull ^ ((uint64_t)cls << 56) ^ i;
    diff_mix(&s);
    return diff_mix(&s);
}

/* Generates case `i` of class `cls`. `only` restricts templates to names
 * containing it; `fixed_insn`, if nonzero, is the single instruction. */
static void gen_case(Case *c, uint64_t seed, unsigned cls, uint64_t i, int len, const char *only,
                     uint32_t fixed_insn, bool have_fixed)
{
    const Class *k = &classes[cls];
    Gen g = {.s = case_seed(seed, cls, i), .c = c};
    memset(c, 0, sizeof *c);
    rand_state(&g, &c->in);
    c->data_seed = rnd(&g);
    c->ladder = k->ladder;
    if (k->roundtrip) {
        c->n = 0;
        return;
    }
    if (have_fixed) {
        c->n = 1;
        c->insn[0] = fixed_insn;
        c->tmpl[0] = NULL;
        return;
    }
    if (k->single)
        c->n = 1;
    else if (len > 0)
        c->n = len;
    else {
        unsigned r = rndn(&g, 100);
        c->n = r < 50 ? 1 : r < 70 ? 2 : r < 85 ? 3 : 4;
    }
    /* Last instruction first: registers a later instruction relies on are
     * known when the earlier ones pick their destinations. */
    for (int s = c->n - 1; s >= 0; s--) {
        const Tmpl *t;
        unsigned total = 0;
        for (unsigned j = 0; j < k->nt; j++)
            total += k->t[j].weight;
        for (;;) {
            unsigned r = rndn(&g, total), j = 0;
            while (r >= k->t[j].weight)
                r -= k->t[j++].weight;
            t = &k->t[j];
            if (only && !strstr(t->name, only))
                continue;
            if ((t->flags & F_MACRO2) && s == 0)
                continue;
            break;
        }
        g.slot = s;
        g.pc = test_slot_pc(s);
        g.t = t;
        uint32_t w = from_pattern(&g, t);
        c->insn[s] = w;
        if (t->fix)
            t->fix(&g, &c->insn[s]);
        c->tmpl[s] = t;
        if (t->flags & F_MACRO2) {
            c->tmpl[s - 1] = t;
            s--;
        }
    }
}


/* ---- the image ---- */
#define IMG_WORDS ((DIFF_END - DIFF_CODE) / 4) /* code page + test page */
#define A64_NOP 0xd503201fu
#define A64_STRAY 0xd4200020u /* BRK #1: nothing should run it */

static uint32_t enc_b(uint64_t from, uint64_t to)
{
    return 0x14000000u | ((uint32_t)((int64_t)(to - from) / 4) & 0x3ffffff);
}
static uint32_t enc_ldst_sp(uint32_t base, unsigned rt, unsigned off, unsigned scale)
{
    return base | ((off >> scale) << 10) | (31u << 5) | rt;
}
#define LDR_X 0xf9400000u
#define STR_X 0xf9000000u
#define LDR_Q 0x3dc00000u
#define STR_Q 0x3d800000u

/* Address of the BRK that ends the epilogue (Tandem's full mode returns there). */
static uint64_t diff_mark_addr;

static void build_image(uint32_t *img, const Case *c)
{
    const unsigned in = DIFF_STATE_IN - DIFF_SP, out = DIFF_STATE_OUT - DIFF_SP;
    unsigned p = 0;
    for (unsigned i = 0; i < 1024; i++)
        img[i] = A64_NOP;
    /* Prologue: SP, then V, NZCV, FPCR, FPSR, X from the input state. */
    img[p++] = 0xd2800000u | ((uint32_t)(DIFF_SP & 0xffff) << 5);          /* movz x0 */
    img[p++] = 0xf2a00000u | ((uint32_t)((DIFF_SP >> 16) & 0xffff) << 5);  /* movk x0, lsl 16 */
    img[p++] = 0x9100001fu;                                               /* mov sp, x0 */
    img[p++] = 0xd5033f5fu;                                               /* clrex */
    for (unsigned i = 0; i < 32; i++)
        img[p++] = enc_ldst_sp(LDR_Q, i, in + DS_OFF_V + 16 * i, 4);
    img[p++] = enc_ldst_sp(LDR_X, 0, in + DS_OFF_NZCV, 3);
    img[p++] = 0xd51b4200u; /* msr nzcv, x0 */
    img[p++] = enc_ldst_sp(LDR_X, 0, in + DS_OFF_FPCR, 3);
    img[p++] = 0xd51b4400u; /* msr fpcr, x0 */
    img[p++] = enc_ldst_sp(LDR_X, 0, in + DS_OFF_FPSR, 3);
    img[p++] = 0xd51b4420u; /* msr fpsr, x0 */
    for (unsigned i = 0; i < 31; i++)
        img[p++] = enc_ldst_sp(LDR_X, i, in + DS_OFF_X + 8 * i, 3);
    img[p] = enc_b(DIFF_CODE + 4 * p, DIFF_TEST_START);
    p++;
    /* Epilogue: X, SP, NZCV, FPCR, FPSR, V to the output state; back to the runner. */
    p = (DIFF_EPI - DIFF_CODE) / 4;
    for (unsigned i = 0; i < 31; i++)
        img[p++] = enc_ldst_sp(STR_X, i, out + DS_OFF_X + 8 * i, 3);
    img[p++] = 0x910003e0u; /* mov x0, sp */
    img[p++] = enc_ldst_sp(STR_X, 0, out + DS_OFF_SP, 3);
    img[p++] = 0xd53b4200u; /* mrs x0, nzcv */
    img[p++] = enc_ldst_sp(STR_X, 0, out + DS_OFF_NZCV, 3);
    img[p++] = 0xd53b4400u; /* mrs x0, fpcr */
    img[p++] = enc_ldst_sp(STR_X, 0, out + DS_OFF_FPCR, 3);
    img[p++] = 0xd53b4420u; /* mrs x0, fpsr */
    img[p++] = enc_ldst_sp(STR_X, 0, out + DS_OFF_FPSR, 3);
    for (unsigned i = 0; i < 32; i++)
        img[p++] = enc_ldst_sp(STR_Q, i, out + DS_OFF_V + 16 * i, 4);
    img[p++] = 0xd2800000u | ((uint32_t)(DIFF_SAVE & 0xffff) << 5);
    img[p++] = 0xf2a00000u | ((uint32_t)((DIFF_SAVE >> 16) & 0xffff) << 5);
    img[p++] = 0xf9400001u; /* ldr x1, [x0] */
    img[p++] = 0x9100003fu; /* mov sp, x1 */
    img[p++] = 0xf940041eu; /* ldr x30, [x0, #8] */
    img[p++] = 0xd65f03c0u; /* ret */
    diff_mark_addr = DIFF_CODE + 4 * p;
    img[p++] = 0xd4200000u | (DIFF_MARK_IMM << 5);

    /* Test page. */
    uint32_t *t = img + 1024;
    for (unsigned i = 0; i < 1024; i++)
        t[i] = A64_STRAY;
    for (unsigned i = 0; i < DIFF_BACK_SLOTS; i++)
        t[i] = 0x91000631u; /* add x17, x17, #1 */
    t[DIFF_BACK_SLOTS] = enc_b(DIFF_TEST + 4 * DIFF_BACK_SLOTS, DIFF_EPI);
    unsigned q = (DIFF_TEST_START - DIFF_TEST) / 4;
    for (int i = 0; i < c->n; i++)
        t[q++] = c->insn[i];
    if (c->ladder)
        for (unsigned i = 0; i < DIFF_FWD_SLOTS; i++)
            t[q++] = 0x91000610u; /* add x16, x16, #1 */
    t[q] = enc_b(DIFF_TEST + 4 * q, DIFF_EPI);
}

#endif
