/* AdvSIMD structure loads and stores: LD1-LD4/ST1-ST4 multiple structures,
 * LD1-LD4/ST1-ST4 single structure (one lane), LD1R-LD4R; each with no
 * offset, post-index by the transfer size, or post-index by Xm.
 *
 * Fields: rd = Rt (0..31; the list wraps modulo 32), rn = base slot (SP for
 * 31), rm = Xm for the register post-index form, imm = transfer size in bytes
 * (the immediate post-index), f0 = log2 element size, f1 = structure elements
 * (selem; for LD1/ST1 multiple: the register count), f2 = lane index, f3 = Q.
 *
 * Contiguous transfers that stay within one page go through the soft TLB in one
 * step; anything else is done element by element with mem_load/mem_store, in
 * ascending address order, so that alignment checks (SCTLR.A) and faults apply
 * per element as the architecture defines. The base register is written back
 * only after every access has succeeded; on a fault part-way, registers already
 * loaded may have changed (their values are UNKNOWN architecturally). */
#include <string.h>

#include "cpu/insn.h"
#include "mmu/mmu.h"

#define HOT __attribute__((always_inline)) inline

enum { WB_NONE, WB_IMM, WB_REG };

static HOT void writeback(Cpu *c, const Insn *d, uint64_t va, int wb)
{
    if (wb == WB_IMM)
        c->x[d->rn] = va + d->imm;
    else if (wb == WB_REG)
        c->x[d->rn] = va + c->x[d->rm];
}

/* Host pointer for [va, va + len) when the soft TLB maps all of it, else NULL. */
static HOT const uint8_t *host_rd(Cpu *c, uint64_t va, unsigned len)
{
    const TlbEntry *e = mmu_tlb(c, va, 0);
    if (__builtin_expect(mmu_fast_ok(e->read, va, len, 0), 1))
        return (const uint8_t *)(uintptr_t)(va + e->addend);
    return NULL;
}

static HOT uint8_t *host_wr(Cpu *c, uint64_t va, unsigned len)
{
    const TlbEntry *e = mmu_tlb(c, va, 0);
    if (__builtin_expect(mmu_fast_ok(e->write, va, len, 0), 1))
        return (uint8_t *)(uintptr_t)(va + e->addend);
    return NULL;
}

/* Element-by-element transfers of `len` bytes with elements of 1 << lsz. */
static __attribute__((noinline)) void load_elems(Cpu *c, uint64_t va, uint8_t *buf, unsigned len,
                                                 unsigned lsz)
{
    unsigned es = 1u << lsz;
    for (unsigned i = 0; i < len; i += es) {
        uint64_t v = mem_load(c, va + i, es, 0);
        memcpy(buf + i, &v, es);
    }
}

static __attribute__((noinline)) void store_elems(Cpu *c, uint64_t va, const uint8_t *buf,
                                                  unsigned len, unsigned lsz)
{
    unsigned es = 1u << lsz;
    for (unsigned i = 0; i < len; i += es) {
        uint64_t v = 0;
        memcpy(&v, buf + i, es);
        mem_store(c, va + i, v, es, 0);
    }
}

static HOT void load_bytes(Cpu *c, uint64_t va, uint8_t *buf, unsigned len, unsigned lsz)
{
    const uint8_t *p = host_rd(c, va, len);
    if (__builtin_expect(p != NULL, 1))
        memcpy(buf, p, len);
    else
        load_elems(c, va, buf, len, lsz);
}

static HOT void store_bytes(Cpu *c, uint64_t va, const uint8_t *buf, unsigned len, unsigned lsz)
{
    uint8_t *p = host_wr(c, va, len);
    if (__builtin_expect(p != NULL, 1))
        memcpy(p, buf, len);
    else
        store_elems(c, va, buf, len, lsz);
}

/* ------------------------------------------- LD1/ST1 multiple structures ---- */

/* Registers Vt..Vt+n-1 (modulo 32) from/to n * (Q ? 16 : 8) bytes at p. */
static HOT void regs_from_bytes(Cpu *c, unsigned t, const uint8_t *p, unsigned n, bool q)
{
    if (q && t + n <= 32) {
        memcpy(&c->v[t], p, 16 * n);
        return;
    }
    for (unsigned k = 0; k < n; k++) {
        VReg *r = &c->v[(t + k) & 31];
        if (q) {
            memcpy(r, p + 16 * k, 16);
        } else {
            memcpy(&r->d[0], p + 8 * k, 8);
            r->d[1] = 0;
        }
    }
}

static HOT void regs_to_bytes(const Cpu *c, unsigned t, uint8_t *p, unsigned n, bool q)
{
    if (q && t + n <= 32) {
        memcpy(p, &c->v[t], 16 * n);
        return;
    }
    for (unsigned k = 0; k < n; k++)
        memcpy(p + (q ? 16 : 8) * k, &c->v[(t + k) & 31], q ? 16 : 8);
}

static __attribute__((noinline)) void ld1_multi_slow(Cpu *c, const Insn *d, uint64_t va)
{
    unsigned n = d->f1, q = d->f3, len = n * (q ? 16 : 8);
    uint8_t buf[64];
    load_elems(c, va, buf, len, d->f0);
    regs_from_bytes(c, d->rd, buf, n, q);
}

static __attribute__((noinline)) void st1_multi_slow(Cpu *c, const Insn *d, uint64_t va)
{
    unsigned n = d->f1, q = d->f3, len = n * (q ? 16 : 8);
    uint8_t buf[64];
    regs_to_bytes(c, d->rd, buf, n, q);
    store_elems(c, va, buf, len, d->f0);
}

static HOT const Insn *ld1_multi(Cpu *c, const Insn *d, unsigned n, bool q, int wb)
{
    fp_check(c, d);
    uint64_t va = c->x[d->rn];
    unsigned len = n * (q ? 16 : 8);
    const TlbEntry *e = mmu_tlb(c, va, 0);
    if (__builtin_expect(mmu_fast_ok(e->read, va, len, 0), 1))
        regs_from_bytes(c, d->rd, (const uint8_t *)(uintptr_t)(va + e->addend), n, q);
    else
        ld1_multi_slow(c, d, va);
    writeback(c, d, va, wb);
    return insn_next(c, d + 1);
}

static HOT const Insn *st1_multi(Cpu *c, const Insn *d, unsigned n, bool q, int wb)
{
    fp_check(c, d);
    uint64_t va = c->x[d->rn];
    unsigned len = n * (q ? 16 : 8);
    const TlbEntry *e = mmu_tlb(c, va, 0);
    if (__builtin_expect(mmu_fast_ok(e->write, va, len, 0), 1))
        regs_to_bytes(c, d->rd, (uint8_t *)(uintptr_t)(va + e->addend), n, q);
    else
        st1_multi_slow(c, d, va);
    writeback(c, d, va, wb);
    return insn_next(c, d + 1);
}

#define LDST1M(n, q, wb)                                                           \
    static const Insn *exec_ld1m_##n##q##wb(Cpu *c, const Insn *d)                 \
    {                                                                              \
        return ld1_multi(c, d, n, q, wb);                                          \
    }                                                                              \
    static const Insn *exec_st1m_##n##q##wb(Cpu *c, const Insn *d)                 \
    {                                                                              \
        return st1_multi(c, d, n, q, wb);                                          \
    }
#define LDST1M_Q(n) LDST1M(n, 0, 0) LDST1M(n, 0, 1) LDST1M(n, 0, 2) \
                    LDST1M(n, 1, 0) LDST1M(n, 1, 1) LDST1M(n, 1, 2)
LDST1M_Q(1) LDST1M_Q(2) LDST1M_Q(3) LDST1M_Q(4)

#define ROW1M(p, n) {{p##_##n##00, p##_##n##01, p##_##n##02}, {p##_##n##10, p##_##n##11, p##_##n##12}}
/* [load][n-1][Q][wb] */
static const InsnFn ldst1m_fn[2][4][2][3] = {
    {ROW1M(exec_st1m, 1), ROW1M(exec_st1m, 2), ROW1M(exec_st1m, 3), ROW1M(exec_st1m, 4)},
    {ROW1M(exec_ld1m, 1), ROW1M(exec_ld1m, 2), ROW1M(exec_ld1m, 3), ROW1M(exec_ld1m, 4)},
};

/* ------------------------------------- LD2-4/ST2-4 multiple structures ---- */

/* Memory holds structures of selem elements; element e of structure i goes to
 * lane i of register t + e. */
#define DEINTERLEAVE(L, ty)                                                        \
    for (unsigned i = 0; i < nel; i++)                                             \
        for (unsigned e = 0; e < selem; e++)                                       \
            memcpy(&r[e].L[i], buf + (i * selem + e) * sizeof(ty), sizeof(ty));
#define INTERLEAVE(L, ty)                                                          \
    for (unsigned i = 0; i < nel; i++)                                             \
        for (unsigned e = 0; e < selem; e++)                                       \
            memcpy(buf + (i * selem + e) * sizeof(ty), &r[e].L[i], sizeof(ty));

static void ldn_multi(Cpu *c, const Insn *d, uint64_t va)
{
    unsigned selem = d->f1, rb = d->f3 ? 16 : 8, len = selem * rb, nel = rb >> d->f0;
    uint8_t buf[64];
    load_bytes(c, va, buf, len, d->f0);
    VReg r[4];
    memset(r, 0, sizeof r);
    switch (d->f0) {
    case 0: DEINTERLEAVE(b, uint8_t) break;
    case 1: DEINTERLEAVE(h, uint16_t) break;
    case 2: DEINTERLEAVE(s, uint32_t) break;
    default: DEINTERLEAVE(d, uint64_t) break;
    }
    for (unsigned e = 0; e < selem; e++)
        c->v[(d->rd + e) & 31] = r[e];
}

static void stn_multi(Cpu *c, const Insn *d, uint64_t va)
{
    unsigned selem = d->f1, rb = d->f3 ? 16 : 8, len = selem * rb, nel = rb >> d->f0;
    uint8_t buf[64];
    VReg r[4];
    for (unsigned e = 0; e < selem; e++)
        r[e] = c->v[(d->rd + e) & 31];
    switch (d->f0) {
    case 0: INTERLEAVE(b, uint8_t) break;
    case 1: INTERLEAVE(h, uint16_t) break;
    case 2: INTERLEAVE(s, uint32_t) break;
    default: INTERLEAVE(d, uint64_t) break;
    }
    store_bytes(c, va, buf, len, d->f0);
}

/* ------------------------------------------------ single structure ---- */

/* LD1/ST1 (single structure): one lane f2 of Vt. LD1R: the element replicated
 * (multiplying by `mult`) over Vt, whose upper half is zeroed when Q=0. */
#define LANE_FN(sfx, L, es, mult, wb)                                                    \
    static const Insn *exec_ld1l_##sfx##wb(Cpu *c, const Insn *d)                  \
    {                                                                              \
        fp_check(c, d);                                                            \
        uint64_t va = c->x[d->rn];                                                 \
        c->v[d->rd].L[d->f2] = mem_load(c, va, es, 0);                             \
        writeback(c, d, va, wb);                                                   \
        return insn_next(c, d + 1);                                                \
    }                                                                              \
    static const Insn *exec_st1l_##sfx##wb(Cpu *c, const Insn *d)                  \
    {                                                                              \
        fp_check(c, d);                                                            \
        uint64_t va = c->x[d->rn];                                                 \
        mem_store(c, va, c->v[d->rd].L[d->f2], es, 0);                             \
        writeback(c, d, va, wb);                                                   \
        return insn_next(c, d + 1);                                                \
    }                                                                              \
    static const Insn *exec_ld1r_##sfx##wb(Cpu *c, const Insn *d)                  \
    {                                                                              \
        fp_check(c, d);                                                            \
        uint64_t va = c->x[d->rn];                                                 \
        uint64_t v = mem_load(c, va, es, 0) * (mult);                             \
        VReg *r = &c->v[d->rd];                                                    \
        vreg_set(r, v, v & -(uint64_t)d->f3);                                      \
        writeback(c, d, va, wb);                                                   \
        return insn_next(c, d + 1);                                                \
    }
#define LANE_WB(sfx, L, es, mult) \
    LANE_FN(sfx, L, es, mult, 0) LANE_FN(sfx, L, es, mult, 1) LANE_FN(sfx, L, es, mult, 2)
LANE_WB(b, b, 1, 0x0101010101010101ull)
LANE_WB(h, h, 2, 0x0001000100010001ull)
LANE_WB(s, s, 4, 0x0000000100000001ull)
LANE_WB(d, d, 8, 1)

#define ROWL(p) {{p##_b0, p##_b1, p##_b2}, {p##_h0, p##_h1, p##_h2}, \
                 {p##_s0, p##_s1, p##_s2}, {p##_d0, p##_d1, p##_d2}}
/* [size][wb] */
static const InsnFn ld1l_fn[4][3] = ROWL(exec_ld1l);
static const InsnFn st1l_fn[4][3] = ROWL(exec_st1l);
static const InsnFn ld1r_fn[4][3] = ROWL(exec_ld1r);

static const uint64_t repl_mult[4] = {0x0101010101010101ull, 0x0001000100010001ull,
                                      0x0000000100000001ull, 1};

/* LD2-LD4/ST2-ST4 (single structure): lane f2 of Vt..Vt+selem-1 from/to
 * consecutive elements. LD2R-LD4R: each element replicated over its register. */
static HOT void set_lane(VReg *r, unsigned lsz, unsigned index, uint64_t v)
{
    switch (lsz) {
    case 0: r->b[index] = (uint8_t)v; break;
    case 1: r->h[index] = (uint16_t)v; break;
    case 2: r->s[index] = (uint32_t)v; break;
    default: r->d[index] = v; break;
    }
}

static HOT uint64_t get_lane(const VReg *r, unsigned lsz, unsigned index)
{
    switch (lsz) {
    case 0: return r->b[index];
    case 1: return r->h[index];
    case 2: return r->s[index];
    default: return r->d[index];
    }
}

static void ldn_single(Cpu *c, const Insn *d, uint64_t va)
{
    unsigned lsz = d->f0, es = 1u << lsz, selem = d->f1;
    uint64_t v[4];
    for (unsigned e = 0; e < selem; e++)
        v[e] = mem_load(c, va + e * es, es, 0);
    for (unsigned e = 0; e < selem; e++)
        set_lane(&c->v[(d->rd + e) & 31], lsz, d->f2, v[e]);
}

static void stn_single(Cpu *c, const Insn *d, uint64_t va)
{
    unsigned lsz = d->f0, es = 1u << lsz, selem = d->f1;
    for (unsigned e = 0; e < selem; e++)
        mem_store(c, va + e * es, get_lane(&c->v[(d->rd + e) & 31], lsz, d->f2), es, 0);
}

static void ldn_repl(Cpu *c, const Insn *d, uint64_t va)
{
    unsigned lsz = d->f0, es = 1u << lsz, selem = d->f1;
    uint64_t v[4], mult = repl_mult[lsz], hi = -(uint64_t)d->f3;
    for (unsigned e = 0; e < selem; e++)
        v[e] = mem_load(c, va + e * es, es, 0) * mult;
    for (unsigned e = 0; e < selem; e++) {
        VReg *r = &c->v[(d->rd + e) & 31];
        r->d[0] = v[e];
        r->d[1] = v[e] & hi;
    }
}

#define GENERIC_FN(name, core, wb)                                                 \
    static const Insn *exec_##name##wb(Cpu *c, const Insn *d)                      \
    {                                                                              \
        fp_check(c, d);                                                            \
        uint64_t va = c->x[d->rn];                                                 \
        core(c, d, va);                                                            \
        writeback(c, d, va, wb);                                                   \
        return insn_next(c, d + 1);                                                \
    }
#define GENERIC(name, core) \
    GENERIC_FN(name, core, 0) GENERIC_FN(name, core, 1) GENERIC_FN(name, core, 2) \
    static const InsnFn name##_fn[3] = {exec_##name##0, exec_##name##1, exec_##name##2};
GENERIC(ldnm, ldn_multi)
GENERIC(stnm, stn_multi)
GENERIC(ldns, ldn_single)
GENERIC(stns, stn_single)
GENERIC(ldnr, ldn_repl)

/* -------------------------------------------------------------- decoder ---- */

/* Multiple structures: 0 Q 0011001 L 0 Rm opcode size Rn Rt (bit 23: post-index). */
static void decode_multi(uint32_t raw, Insn *d, int wb)
{
    bool load = bit(raw, 22), q = bit(raw, 30);
    unsigned lsz = bits(raw, 11, 10), n, selem;
    if (bit(raw, 21))
        return;
    switch (bits(raw, 15, 12)) {
    case 0x0: n = 1; selem = 4; break;
    case 0x2: n = 4; selem = 1; break;
    case 0x4: n = 1; selem = 3; break;
    case 0x6: n = 3; selem = 1; break;
    case 0x7: n = 1; selem = 1; break;
    case 0x8: n = 1; selem = 2; break;
    case 0xa: n = 2; selem = 1; break;
    default: return;
    }
    if (lsz == 3 && !q && selem != 1)
        return;
    d->f0 = (uint8_t)lsz;
    d->f1 = (uint8_t)(selem == 1 ? n : selem); /* LD1/ST1: registers; else selem */
    d->f3 = q;
    d->imm = (uint64_t)(q ? 16 : 8) * n * selem;
    if (selem == 1)
        d->fn = ldst1m_fn[load][n - 1][q][wb];
    else
        d->fn = load ? ldnm_fn[wb] : stnm_fn[wb];
}

/* Single structure: 0 Q 0011011 L R Rm opcode S size Rn Rt (bit 23: post-index). */
static void decode_single(uint32_t raw, Insn *d, int wb)
{
    bool load = bit(raw, 22), q = bit(raw, 30), s = bit(raw, 12);
    unsigned opc = bits(raw, 15, 13), size = bits(raw, 11, 10);
    unsigned selem = ((opc & 1) << 1 | bit(raw, 21)) + 1;
    unsigned index = (unsigned)q << 3 | (unsigned)s << 2 | size, lsz;
    switch (opc >> 1) {
    case 3: /* LDnR */
        if (!load || s)
            return;
        d->f0 = (uint8_t)size;
        d->f1 = (uint8_t)selem;
        d->f3 = q;
        d->imm = (uint64_t)selem << size;
        d->fn = selem == 1 ? ld1r_fn[size][wb] : ldnr_fn[wb];
        return;
    case 0:
        lsz = 0;
        break;
    case 1:
        if (size & 1)
            return;
        lsz = 1;
        index >>= 1;
        break;
    default:
        if (size & 2)
            return;
        if (!(size & 1)) {
            lsz = 2;
            index >>= 2;
        } else {
            if (s)
                return;
            lsz = 3;
            index >>= 3;
        }
        break;
    }
    d->f0 = (uint8_t)lsz;
    d->f1 = (uint8_t)selem;
    d->f2 = (uint8_t)index;
    d->imm = (uint64_t)selem << lsz;
    if (selem == 1)
        d->fn = load ? ld1l_fn[lsz][wb] : st1l_fn[lsz][wb];
    else
        d->fn = load ? ldns_fn[wb] : stns_fn[wb];
}

bool decode_simd_ldst(uint32_t raw, Insn *d)
{
    /* Bits 29:26 = 0011 in the loads-and-stores group: AdvSIMD structures, or
     * unallocated (bit 31 set). Everything here that is not a valid structure
     * access is UNDEFINED. */
    if (bits(raw, 29, 26) != 0x3)
        return false;
    if (bit(raw, 31))
        return true;
    bool post = bit(raw, 23);
    unsigned rm = bits(raw, 20, 16);
    if (!post && rm != 0)
        return true;
    int wb = !post ? WB_NONE : rm == 31 ? WB_IMM : WB_REG;
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = reg_sp(bits(raw, 9, 5));
    d->rm = (uint8_t)rm;
    if (bit(raw, 24))
        decode_single(raw, d, wb);
    else
        decode_multi(raw, d, wb);
    return true;
}
