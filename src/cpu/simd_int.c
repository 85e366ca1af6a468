/* AdvSIMD integer arithmetic: three same, three different, two-register
 * misc, shift by immediate, across lanes, pairwise and by element, in their
 * vector and scalar forms. Floating-point encodings of these groups are left
 * to decode_simd_fp (we return false for them).
 *
 * Every handler is specialised at decode time for one operation and one
 * element size; the lane computation is a kernel from simd_int_ops.h.
 * Vector register numbers are plain 0..31 in rd/rn/rm. Fields:
 *   f0  Q: 1 for a 128-bit result; a 64-bit result zeroes bits 127:64
 *   f1  number of lanes that count for FPSR.QC (vector forms)
 *   f2  shift amount (by immediate) or element index (by element)
 *   f3  part: 1 for the "2" forms (upper half of a narrow source/destination)
 * Vector element-wise handlers compute all 128 bits with a fixed trip count
 * (which the compiler vectorises) and mask the upper half for Q=0. */
#include <stddef.h>

#include "cpu/insn.h"
#include "cpu/simd_int_ops.h"

#define FPSR_QC (1u << 27)
#define UNUSED __attribute__((unused))

/* Lane members of VReg by width (unsigned / signed). */
#define LU8 b
#define LU16 h
#define LU32 s
#define LU64 d
#define LS8 sb
#define LS16 sh
#define LS32 ss
#define LS64 sd

SI_INLINE const Insn *vdone(Cpu *c, const Insn *d, VReg *r, unsigned qc)
{
    r->u &= (VU64x2){~0ull, -(uint64_t)d->f0}; /* Q = 0 clears the upper half */
    c->v[d->rd] = *r;
    if (qc)
        c->fpsr |= FPSR_QC;
    return insn_next(c, d + 1);
}

SI_INLINE const Insn *sdone(Cpu *c, const Insn *d, VReg *r, unsigned qc)
{
    c->v[d->rd] = *r;
    if (qc)
        c->fpsr |= FPSR_QC;
    return insn_next(c, d + 1);
}

/* ------------------------------------------------------ generators ---- */

/* Element-wise, b from Vm (three same), from f2 (shift imm, one operand) or
 * from Vm[f2] (by element). */
#define GEN_VB(tag, name, B, BVAL)                                                       \
    static UNUSED const Insn *exec_##tag##_##name##_##B(Cpu *c, const Insn *d)           \
    {                                                                                    \
        fp_check(c, d);                                                                  \
        const VReg *pa = &c->v[d->rn], *pb = &c->v[d->rm], *px = &c->v[d->rd];           \
        (void)pb;                                                                        \
        VReg r;                                                                          \
        unsigned qc = 0, n = d->f1;                                                      \
        for (unsigned i = 0; i < 128 / B; i++) {                                         \
            unsigned s = 0;                                                              \
            r.LU##B[i] = k_##name##_##B(pa->LU##B[i], BVAL, px->LU##B[i], &s);           \
            qc |= s & (i < n);                                                           \
        }                                                                                \
        return vdone(c, d, &r, qc);                                                      \
    }
#define GEN_V(name, B) GEN_VB(v, name, B, pb->LU##B[i])
#define GEN_VI(name, B) GEN_VB(vi, name, B, d->f2)
#define GEN_VE(name, B) GEN_VB(ve, name, B, pb->LU##B[d->f2])

/* Scalar: lane 0 only, the rest of the register zeroed. */
#define GEN_SB(tag, name, B, BVAL)                                                       \
    static UNUSED const Insn *exec_##tag##_##name##_##B(Cpu *c, const Insn *d)           \
    {                                                                                    \
        fp_check(c, d);                                                                  \
        const VReg *pa = &c->v[d->rn], *pb = &c->v[d->rm], *px = &c->v[d->rd];           \
        (void)pb;                                                                        \
        VReg r = {0};                                                                    \
        unsigned s = 0;                                                                  \
        r.LU##B[0] = k_##name##_##B(pa->LU##B[0], BVAL, px->LU##B[0], &s);               \
        return sdone(c, d, &r, s);                                                       \
    }
#define GEN_S(name, B) GEN_SB(s, name, B, pb->LU##B[0])
#define GEN_SI(name, B) GEN_SB(si, name, B, d->f2)
#define GEN_SE(name, B) GEN_SB(se, name, B, pb->LU##B[d->f2])

/* Widening: narrow NB lanes of half f3 of Vn (and Vm), extended by SG (LU or
 * LS), through the WB-bit kernel; a full 128-bit result.
 *   L: a, b narrow   W: a wide, b narrow   LE: b = Vm[f2]   LI: b = f2 */
#define GEN_WIDE(tag, name, op, SG, NB, WB, AVAL, BVAL)                                 \
    static UNUSED const Insn *exec_##tag##_##name##_##NB(Cpu *c, const Insn *d)          \
    {                                                                                    \
        fp_check(c, d);                                                                  \
        const VReg *pa = &c->v[d->rn], *pb = &c->v[d->rm], *px = &c->v[d->rd];           \
        (void)pb;                                                                        \
        VReg r;                                                                          \
        unsigned qc = 0, off = d->f3 * (64 / NB);                                        \
        (void)off;                                                                       \
        for (unsigned i = 0; i < 64 / NB; i++) {                                         \
            unsigned s = 0;                                                              \
            r.LU##WB[i] = k_##op##_##WB(AVAL, BVAL, px->LU##WB[i], &s);                  \
            qc |= s;                                                                     \
        }                                                                                \
        return sdone(c, d, &r, qc);                                                      \
    }
#define GEN_VL(name, op, SG, NB, WB)                                                     \
    GEN_WIDE(vl, name, op, SG, NB, WB, pa->L##SG##NB[off + i], pb->L##SG##NB[off + i])
#define GEN_VW(name, op, SG, NB, WB)                                                     \
    GEN_WIDE(vw, name, op, SG, NB, WB, pa->LU##WB[i], pb->L##SG##NB[off + i])
#define GEN_VLE(name, op, SG, NB, WB)                                                    \
    GEN_WIDE(vle, name, op, SG, NB, WB, pa->L##SG##NB[off + i], pb->L##SG##NB[d->f2])
#define GEN_VLI(name, op, SG, NB, WB)                                                    \
    GEN_WIDE(vli, name, op, SG, NB, WB, pa->L##SG##NB[off + i], d->f2)

/* Scalar widening (SQDMULL...): lane 0, or Vm[f2] for by element. */
#define GEN_SWIDE(tag, name, NB, WB, BVAL)                                               \
    static UNUSED const Insn *exec_##tag##_##name##_##NB(Cpu *c, const Insn *d)          \
    {                                                                                    \
        fp_check(c, d);                                                                  \
        const VReg *pa = &c->v[d->rn], *pb = &c->v[d->rm], *px = &c->v[d->rd];           \
        VReg r = {0};                                                                    \
        unsigned s = 0;                                                                  \
        r.LU##WB[0] = k_##name##_##WB(pa->LS##NB[0], BVAL, px->LU##WB[0], &s);           \
        return sdone(c, d, &r, s);                                                       \
    }
#define GEN_SL(name, NB, WB) GEN_SWIDE(sl, name, NB, WB, pb->LS##NB[0])
#define GEN_SLE(name, NB, WB) GEN_SWIDE(sle, name, NB, WB, pb->LS##NB[d->f2])

/* Narrowing: WB-bit lanes of Vn (and Vm, or the count f2) through the WB-bit
 * kernel, truncated to NB bits into half f3 of Vd (the other half: kept for
 * the "2" forms, zeroed otherwise). */
#define GEN_NARROW(tag, name, WB, NB, BVAL)                                              \
    static UNUSED const Insn *exec_##tag##_##name##_##WB(Cpu *c, const Insn *d)          \
    {                                                                                    \
        fp_check(c, d);                                                                  \
        const VReg *pa = &c->v[d->rn], *pb = &c->v[d->rm];                               \
        (void)pb;                                                                        \
        VReg t;                                                                          \
        unsigned qc = 0;                                                                 \
        for (unsigned i = 0; i < 128 / WB; i++) {                                        \
            unsigned s = 0;                                                              \
            t.LU##NB[i] = (uint##NB##_t)k_##name##_##WB(pa->LU##WB[i], BVAL, 0, &s);     \
            qc |= s;                                                                     \
        }                                                                                \
        VReg *r = &c->v[d->rd];                                                          \
        if (d->f3) {                                                                     \
            r->d[1] = t.d[0];                                                            \
        } else {                                                                         \
            r->d[0] = t.d[0];                                                            \
            r->d[1] = 0;                                                                 \
        }                                                                                \
        if (qc)                                                                          \
            c->fpsr |= FPSR_QC;                                                          \
        return insn_next(c, d + 1);                                                      \
    }
#define GEN_VN(name, WB, NB) GEN_NARROW(vn, name, WB, NB, pb->LU##WB[i])
#define GEN_VNI(name, WB, NB) GEN_NARROW(vni, name, WB, NB, d->f2)

/* Scalar narrowing (SQXTN, SQSHRN... scalar). */
#define GEN_SNI(name, WB, NB)                                                            \
    static UNUSED const Insn *exec_sni_##name##_##WB(Cpu *c, const Insn *d)              \
    {                                                                                    \
        fp_check(c, d);                                                                  \
        VReg r = {0};                                                                    \
        unsigned s = 0;                                                                  \
        r.LU##NB[0] = (uint##NB##_t)k_##name##_##WB(c->v[d->rn].LU##WB[0], d->f2, 0, &s); \
        return sdone(c, d, &r, s);                                                       \
    }

/* Pairwise (ADDP, SMAXP...): the lanes of Vn then Vm, combined in pairs.
 * One handler per size and Q (NL: lanes of a source). */
#define GEN_VP1(name, B, NL, sfx)                                                        \
    static UNUSED const Insn *exec_vp_##name##_##B##sfx(Cpu *c, const Insn *d)           \
    {                                                                                    \
        fp_check(c, d);                                                                  \
        const VReg *pa = &c->v[d->rn], *pb = &c->v[d->rm];                               \
        VReg r = {0};                                                                    \
        unsigned s = 0;                                                                  \
        for (unsigned i = 0; i < NL / 2; i++) {                                          \
            r.LU##B[i] = k_##name##_##B(pa->LU##B[2 * i], pa->LU##B[2 * i + 1], 0, &s);  \
            r.LU##B[NL / 2 + i] =                                                        \
                k_##name##_##B(pb->LU##B[2 * i], pb->LU##B[2 * i + 1], 0, &s);           \
        }                                                                                \
        c->v[d->rd] = r;                                                                 \
        return insn_next(c, d + 1);                                                      \
    }
#define GEN_VP(name, B) GEN_VP1(name, B, 128 / B, q) GEN_VP1(name, B, 64 / B, h)

/* Pairwise long (SADDLP, UADALP): adjacent narrow lanes of Vn, extended. */
#define GEN_PL(name, op, SG, NB, WB)                                                     \
    static UNUSED const Insn *exec_pl_##name##_##NB(Cpu *c, const Insn *d)               \
    {                                                                                    \
        fp_check(c, d);                                                                  \
        const VReg *pa = &c->v[d->rn], *px = &c->v[d->rd];                               \
        VReg r;                                                                          \
        unsigned s = 0;                                                                  \
        for (unsigned i = 0; i < 128 / WB; i++)                                          \
            r.LU##WB[i] = k_##op##_##WB(pa->L##SG##NB[2 * i], pa->L##SG##NB[2 * i + 1], \
                                          px->LU##WB[i], &s);                            \
        return vdone(c, d, &r, 0);                                                       \
    }

/* Across lanes: f1 lanes of Vn reduced into lane 0 of a zeroed Vd.
 * ADDV and the max/min keep the element size; S/UADDLV widen (RB bits). */
#define GEN_ACROSS(name, op, B, RB, T, SG)                                                   \
    static UNUSED const Insn *exec_av_##name##_##B(Cpu *c, const Insn *d)                \
    {                                                                                    \
        fp_check(c, d);                                                                  \
        const VReg *pa = &c->v[d->rn];                                                   \
        unsigned s = 0;                                                                  \
        T acc = (T)pa->L##SG##B[0];                                                      \
        for (unsigned i = 1; i < d->f1; i++)                                             \
            acc = (T)k_##op##_##RB((uint##RB##_t)acc, (uint##RB##_t)pa->L##SG##B[i], 0, \
                                     &s);                                                \
        VReg r = {0};                                                                    \
        r.LU##RB[0] = (uint##RB##_t)acc;                                                 \
        c->v[d->rd] = r;                                                                 \
        return insn_next(c, d + 1);                                                      \
    }

/* Size sets and the matching tables (index: element size, NULL: reserved). */
#define G_BHS(G, name) G(name, 8) G(name, 16) G(name, 32)
#define G_BHSD(G, name) G_BHS(G, name) G(name, 64)
#define G_HS(G, name) G(name, 16) G(name, 32)
#define T_B(p, name)                                                                     \
    {                                                                                    \
        p##_##name##_8, NULL, NULL, NULL                                                 \
    }
#define T_D(p, name)                                                                     \
    {                                                                                    \
        NULL, NULL, NULL, p##_##name##_64                                                \
    }
#define T_HS(p, name)                                                                    \
    {                                                                                    \
        NULL, p##_##name##_16, p##_##name##_32, NULL                                     \
    }
#define T_BHS(p, name)                                                                   \
    {                                                                                    \
        p##_##name##_8, p##_##name##_16, p##_##name##_32, NULL                           \
    }
#define T_BHSD(p, name)                                                                  \
    {                                                                                    \
        p##_##name##_8, p##_##name##_16, p##_##name##_32, p##_##name##_64                \
    }

/* Widening generators over the three narrow sizes, named name (kernel op). */
#define G_WIDE3(G, tagname, op, SG)                                                      \
    G(tagname, op, SG, 8, 16) G(tagname, op, SG, 16, 32) G(tagname, op, SG, 32, 64)

/* ----------------------------------------------------- three same ---- */

G_BHS(GEN_V, shadd) G_BHS(GEN_V, uhadd) G_BHS(GEN_V, srhadd) G_BHS(GEN_V, urhadd)
G_BHS(GEN_V, shsub) G_BHS(GEN_V, uhsub)
G_BHSD(GEN_V, sqadd) G_BHSD(GEN_V, uqadd) G_BHSD(GEN_V, sqsub) G_BHSD(GEN_V, uqsub)
G_BHSD(GEN_V, cmgt) G_BHSD(GEN_V, cmhi) G_BHSD(GEN_V, cmge) G_BHSD(GEN_V, cmhs)
G_BHSD(GEN_V, cmeq) G_BHSD(GEN_V, cmtst)
G_BHSD(GEN_V, sshl) G_BHSD(GEN_V, ushl) G_BHSD(GEN_V, srshl) G_BHSD(GEN_V, urshl)
G_BHSD(GEN_V, sqshl) G_BHSD(GEN_V, uqshl) G_BHSD(GEN_V, sqrshl) G_BHSD(GEN_V, uqrshl)
G_BHS(GEN_V, smax) G_BHS(GEN_V, umax) G_BHS(GEN_V, smin) G_BHS(GEN_V, umin)
G_BHS(GEN_V, sabd) G_BHS(GEN_V, uabd) G_BHS(GEN_V, saba) G_BHS(GEN_V, uaba)
G_BHSD(GEN_V, add) G_BHSD(GEN_V, sub)
G_BHS(GEN_V, mla) G_BHS(GEN_V, mls) G_BHS(GEN_V, mul) GEN_V(pmul, 8)
G_HS(GEN_V, sqdmulh) G_HS(GEN_V, sqrdmulh)

G_BHSD(GEN_S, sqadd) G_BHSD(GEN_S, uqadd) G_BHSD(GEN_S, sqsub) G_BHSD(GEN_S, uqsub)
G_BHSD(GEN_S, sqshl) G_BHSD(GEN_S, uqshl) G_BHSD(GEN_S, sqrshl) G_BHSD(GEN_S, uqrshl)
GEN_S(cmgt, 64) GEN_S(cmhi, 64) GEN_S(cmge, 64) GEN_S(cmhs, 64) GEN_S(cmeq, 64)
GEN_S(cmtst, 64) GEN_S(sshl, 64) GEN_S(ushl, 64) GEN_S(srshl, 64) GEN_S(urshl, 64)
GEN_S(add, 64) GEN_S(sub, 64)
G_HS(GEN_S, sqdmulh) G_HS(GEN_S, sqrdmulh)


G_BHS(GEN_VP, smax) G_BHS(GEN_VP, umax) G_BHS(GEN_VP, smin) G_BHS(GEN_VP, umin)
G_BHS(GEN_VP, add) GEN_VP1(add, 64, 2, q)

/* ADDP (scalar): Dd = Vn.d[0] + Vn.d[1]. */
static const Insn *exec_addp_scalar(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    VReg *r = &c->v[d->rd];
    vreg_set(r, c->v[d->rn].d[0] + c->v[d->rn].d[1], 0);
    return insn_next(c, d + 1);
}

/* Bitwise: on two 64-bit words. */
#define GEN_LOGIC(name, expr)                                                            \
    static const Insn *exec_##name(Cpu *c, const Insn *d)                                \
    {                                                                                    \
        fp_check(c, d);                                                                  \
        const VReg *pa = &c->v[d->rn], *pb = &c->v[d->rm];                               \
        VReg *px = &c->v[d->rd];                                                         \
        uint64_t r0, r1;                                                                 \
        {                                                                                \
            uint64_t a = pa->d[0], b = pb->d[0], x = px->d[0];                           \
            (void)x;                                                                     \
            r0 = (expr);                                                                 \
        }                                                                                \
        {                                                                                \
            uint64_t a = pa->d[1], b = pb->d[1], x = px->d[1];                           \
            (void)x;                                                                     \
            r1 = (expr);                                                                 \
        }                                                                                \
        px->d[0] = r0;                                                                   \
        px->d[1] = r1 & -(uint64_t)d->f0;                                                \
        return insn_next(c, d + 1);                                                      \
    }
GEN_LOGIC(and, a & b)
GEN_LOGIC(bic, a & ~b)
GEN_LOGIC(orr, a | b)
GEN_LOGIC(orn, a | ~b)
GEN_LOGIC(eor, a ^ b)
GEN_LOGIC(bsl, (x & a) | (~x & b))
GEN_LOGIC(bit, (x & ~b) | (a & b))
GEN_LOGIC(bif, (x & b) | (a & ~b))

static const InsnFn logic_fn[2][4] = {{exec_and, exec_bic, exec_orr, exec_orn},
                                      {exec_eor, exec_bsl, exec_bit, exec_bif}};

typedef struct SameOp {
    InsnFn v[4]; /* vector, by size */
    InsnFn s[4]; /* scalar, by size */
} SameOp;

#define SV(kind, name) .v = T_##kind(exec_v, name)
#define SS(kind, name) .s = T_##kind(exec_s, name)

static const SameOp same_ops[2][24] = {
    [0] = {
        [0x00] = {SV(BHS, shadd)},
        [0x01] = {SV(BHSD, sqadd), SS(BHSD, sqadd)},
        [0x02] = {SV(BHS, srhadd)},
        [0x04] = {SV(BHS, shsub)},
        [0x05] = {SV(BHSD, sqsub), SS(BHSD, sqsub)},
        [0x06] = {SV(BHSD, cmgt), SS(D, cmgt)},
        [0x07] = {SV(BHSD, cmge), SS(D, cmge)},
        [0x08] = {SV(BHSD, sshl), SS(D, sshl)},
        [0x09] = {SV(BHSD, sqshl), SS(BHSD, sqshl)},
        [0x0a] = {SV(BHSD, srshl), SS(D, srshl)},
        [0x0b] = {SV(BHSD, sqrshl), SS(BHSD, sqrshl)},
        [0x0c] = {SV(BHS, smax)},
        [0x0d] = {SV(BHS, smin)},
        [0x0e] = {SV(BHS, sabd)},
        [0x0f] = {SV(BHS, saba)},
        [0x10] = {SV(BHSD, add), SS(D, add)},
        [0x11] = {SV(BHSD, cmtst), SS(D, cmtst)},
        [0x12] = {SV(BHS, mla)},
        [0x13] = {SV(BHS, mul)},
        [0x16] = {SV(HS, sqdmulh), SS(HS, sqdmulh)},
    },
    [1] = {
        [0x00] = {SV(BHS, uhadd)},
        [0x01] = {SV(BHSD, uqadd), SS(BHSD, uqadd)},
        [0x02] = {SV(BHS, urhadd)},
        [0x04] = {SV(BHS, uhsub)},
        [0x05] = {SV(BHSD, uqsub), SS(BHSD, uqsub)},
        [0x06] = {SV(BHSD, cmhi), SS(D, cmhi)},
        [0x07] = {SV(BHSD, cmhs), SS(D, cmhs)},
        [0x08] = {SV(BHSD, ushl), SS(D, ushl)},
        [0x09] = {SV(BHSD, uqshl), SS(BHSD, uqshl)},
        [0x0a] = {SV(BHSD, urshl), SS(D, urshl)},
        [0x0b] = {SV(BHSD, uqrshl), SS(BHSD, uqrshl)},
        [0x0c] = {SV(BHS, umax)},
        [0x0d] = {SV(BHS, umin)},
        [0x0e] = {SV(BHS, uabd)},
        [0x0f] = {SV(BHS, uaba)},
        [0x10] = {SV(BHSD, sub), SS(D, sub)},
        [0x11] = {SV(BHSD, cmeq), SS(D, cmeq)},
        [0x12] = {SV(BHS, mls)},
        [0x13] = {SV(B, pmul)},
        [0x16] = {SV(HS, sqrdmulh), SS(HS, sqrdmulh)},
    },
};

#define T_P(name, n)                                                                     \
    {                                                                                    \
        exec_vp_##name##_8##n, exec_vp_##name##_16##n, exec_vp_##name##_32##n, NULL      \
    }
/* Pairwise: [U][opcode - 0x14][Q][size]. */
static const InsnFn pair_ops[2][4][2][4] = {
    [0] = {
        [0] = {T_P(smax, h), T_P(smax, q)},
        [1] = {T_P(smin, h), T_P(smin, q)},
        [3] = {T_P(add, h), {exec_vp_add_8q, exec_vp_add_16q, exec_vp_add_32q, exec_vp_add_64q}},
    },
    [1] = {
        [0] = {T_P(umax, h), T_P(umax, q)},
        [1] = {T_P(umin, h), T_P(umin, q)},
    },
};

/* Vector register fields common to every form. */
static void set_regs(uint32_t raw, Insn *d)
{
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);
    d->rm = (uint8_t)bits(raw, 20, 16);
}

static void set_vec(Insn *d, InsnFn fn, unsigned q, unsigned size)
{
    d->fn = fn;
    d->f0 = (uint8_t)q;
    d->f1 = (uint8_t)((q ? 16 : 8) >> size);
}

/* 0 Q U 01110 size 1 Rm opcode 1 Rn Rd, scalar: 01 U 11110 size 1 Rm opcode 1 Rn Rd */
static bool decode_same(uint32_t raw, Insn *d, bool scalar)
{
    unsigned q = bit(raw, 30), u = bit(raw, 29), size = bits(raw, 23, 22);
    unsigned opc = bits(raw, 15, 11);
    if (opc >= 0x18)
        return false; /* floating point */
    set_regs(raw, d);
    if (scalar) {
        InsnFn fn = same_ops[u][opc].s[size];
        if (fn)
            d->fn = fn;
        return true;
    }
    if (opc == 0x03) {
        d->fn = logic_fn[u][size];
        d->f0 = (uint8_t)q;
        return true;
    }
    if (size == 3 && !q)
        return true;
    if (opc >= 0x14) {
        InsnFn fn = opc == 0x16 ? same_ops[u][opc].v[size] : pair_ops[u][opc - 0x14][q][size];
        if (fn)
            set_vec(d, fn, q, size);
        return true;
    }
    if (same_ops[u][opc].v[size])
        set_vec(d, same_ops[u][opc].v[size], q, size);
    return true;
}

/* ------------------------------------------------ three different ---- */

G_WIDE3(GEN_VL, saddl, add, S) G_WIDE3(GEN_VL, uaddl, add, U)
G_WIDE3(GEN_VW, saddw, add, S) G_WIDE3(GEN_VW, uaddw, add, U)
G_WIDE3(GEN_VL, ssubl, sub, S) G_WIDE3(GEN_VL, usubl, sub, U)
G_WIDE3(GEN_VW, ssubw, sub, S) G_WIDE3(GEN_VW, usubw, sub, U)
G_WIDE3(GEN_VL, sabal, saba, S) G_WIDE3(GEN_VL, uabal, uaba, U)
G_WIDE3(GEN_VL, sabdl, sabd, S) G_WIDE3(GEN_VL, uabdl, uabd, U)
G_WIDE3(GEN_VL, smlal, mla, S) G_WIDE3(GEN_VL, umlal, mla, U)
G_WIDE3(GEN_VL, smlsl, mls, S) G_WIDE3(GEN_VL, umlsl, mls, U)
G_WIDE3(GEN_VL, smull, mul, S) G_WIDE3(GEN_VL, umull, mul, U)
G_WIDE3(GEN_VL, sqdmlal, sqdmlal, S) G_WIDE3(GEN_VL, sqdmlsl, sqdmlsl, S)
G_WIDE3(GEN_VL, sqdmull, sqdmull, S)
GEN_VL(pmull, pmul, U, 8, 16)

#define N3(G, name) G(name, 16, 8) G(name, 32, 16) G(name, 64, 32)
N3(GEN_VN, addhn) N3(GEN_VN, raddhn) N3(GEN_VN, subhn) N3(GEN_VN, rsubhn)

GEN_SL(sqdmlal, 16, 32) GEN_SL(sqdmlal, 32, 64) GEN_SL(sqdmlsl, 16, 32)
GEN_SL(sqdmlsl, 32, 64) GEN_SL(sqdmull, 16, 32) GEN_SL(sqdmull, 32, 64)

/* Tables indexed by the narrow element size. */
#define W3(tag, name)                                                                    \
    {                                                                                    \
        exec_##tag##_##name##_8, exec_##tag##_##name##_16, exec_##tag##_##name##_32      \
    }
#define W2(tag, name)                                                                    \
    {                                                                                    \
        NULL, exec_##tag##_##name##_16, exec_##tag##_##name##_32                         \
    }
#define N3T(tag, name)                                                                   \
    {                                                                                    \
        exec_##tag##_##name##_16, exec_##tag##_##name##_32, exec_##tag##_##name##_64     \
    }

static const InsnFn diff_ops[2][16][3] = {
    [0] = {
        [0x0] = W3(vl, saddl), [0x1] = W3(vw, saddw), [0x2] = W3(vl, ssubl),
        [0x3] = W3(vw, ssubw), [0x4] = N3T(vn, addhn), [0x5] = W3(vl, sabal),
        [0x6] = N3T(vn, subhn), [0x7] = W3(vl, sabdl), [0x8] = W3(vl, smlal),
        [0x9] = W2(vl, sqdmlal), [0xa] = W3(vl, smlsl), [0xb] = W2(vl, sqdmlsl),
        [0xc] = W3(vl, smull), [0xd] = W2(vl, sqdmull), [0xe] = {exec_vl_pmull_8},
    },
    [1] = {
        [0x0] = W3(vl, uaddl), [0x1] = W3(vw, uaddw), [0x2] = W3(vl, usubl),
        [0x3] = W3(vw, usubw), [0x4] = N3T(vn, raddhn), [0x5] = W3(vl, uabal),
        [0x6] = N3T(vn, rsubhn), [0x7] = W3(vl, uabdl), [0x8] = W3(vl, umlal),
        [0xa] = W3(vl, umlsl), [0xc] = W3(vl, umull),
    },
};

/* 0 Q U 01110 size 1 Rm opcode 00 Rn Rd; scalar: 01 U 11110 size 1 Rm opcode 00 */
static bool decode_diff(uint32_t raw, Insn *d, bool scalar)
{
    unsigned q = bit(raw, 30), u = bit(raw, 29), size = bits(raw, 23, 22);
    unsigned opc = bits(raw, 15, 12);
    set_regs(raw, d);
    d->f3 = (uint8_t)q;
    if (size == 3) /* PMULL.1Q is decoded in crypto.c */
        return true;
    if (scalar) {
        if (u || size == 0)
            return true;
        if (opc == 0x9)
            d->fn = size == 1 ? exec_sl_sqdmlal_16 : exec_sl_sqdmlal_32;
        else if (opc == 0xb)
            d->fn = size == 1 ? exec_sl_sqdmlsl_16 : exec_sl_sqdmlsl_32;
        else if (opc == 0xd)
            d->fn = size == 1 ? exec_sl_sqdmull_16 : exec_sl_sqdmull_32;
        return true;
    }
    if (diff_ops[u][opc][size])
        d->fn = diff_ops[u][opc][size];
    return true;
}

/* ---------------------------------------------------- by element ---- */

G_HS(GEN_VE, mla) G_HS(GEN_VE, mls) G_HS(GEN_VE, mul)
G_HS(GEN_VE, sqdmulh) G_HS(GEN_VE, sqrdmulh)
G_HS(GEN_SE, sqdmulh) G_HS(GEN_SE, sqrdmulh)
#define W2G(G, name, op, SG) G(name, op, SG, 16, 32) G(name, op, SG, 32, 64)
W2G(GEN_VLE, smlal, mla, S) W2G(GEN_VLE, umlal, mla, U)
W2G(GEN_VLE, smlsl, mls, S) W2G(GEN_VLE, umlsl, mls, U)
W2G(GEN_VLE, smull, mul, S) W2G(GEN_VLE, umull, mul, U)
W2G(GEN_VLE, sqdmlal, sqdmlal, S) W2G(GEN_VLE, sqdmlsl, sqdmlsl, S)
W2G(GEN_VLE, sqdmull, sqdmull, S)
GEN_SLE(sqdmlal, 16, 32) GEN_SLE(sqdmlal, 32, 64) GEN_SLE(sqdmlsl, 16, 32)
GEN_SLE(sqdmlsl, 32, 64) GEN_SLE(sqdmull, 16, 32) GEN_SLE(sqdmull, 32, 64)

#define E2(tag, name)                                                                    \
    {                                                                                    \
        exec_##tag##_##name##_16, exec_##tag##_##name##_32                               \
    }
/* [U][opcode][size - 1]; the wide forms take f3 = Q. */
static const InsnFn elem_ops[2][16][2] = {
    [0] = {
        [0x2] = E2(vle, smlal), [0x3] = E2(vle, sqdmlal), [0x6] = E2(vle, smlsl),
        [0x7] = E2(vle, sqdmlsl), [0x8] = E2(ve, mul), [0xa] = E2(vle, smull),
        [0xb] = E2(vle, sqdmull), [0xc] = E2(ve, sqdmulh), [0xd] = E2(ve, sqrdmulh),
    },
    [1] = {
        [0x0] = E2(ve, mla), [0x2] = E2(vle, umlal), [0x4] = E2(ve, mls),
        [0x6] = E2(vle, umlsl), [0xa] = E2(vle, umull),
    },
};
static const InsnFn elem_scalar_ops[16][2] = {
    [0x3] = E2(sle, sqdmlal), [0x7] = E2(sle, sqdmlsl), [0xb] = E2(sle, sqdmull),
    [0xc] = E2(se, sqdmulh),  [0xd] = E2(se, sqrdmulh),
};

/* 0 Q U 01111 size L M Rm opcode H 0 Rn Rd; scalar: 01 U 11111 ... */
static bool decode_elem(uint32_t raw, Insn *d, bool scalar)
{
    unsigned q = bit(raw, 30), u = bit(raw, 29), size = bits(raw, 23, 22);
    unsigned opc = bits(raw, 15, 12);
    InsnFn const *fns = scalar ? (u ? NULL : elem_scalar_ops[opc]) : elem_ops[u][opc];
    if (!fns || !fns[0])
        return false; /* floating point, or not an advertised feature */
    set_regs(raw, d);
    unsigned h = bit(raw, 11), l = bit(raw, 21), m = bit(raw, 20);
    if (size == 1) {
        d->rm = (uint8_t)bits(raw, 19, 16);
        d->f2 = (uint8_t)(h << 2 | l << 1 | m);
    } else if (size == 2) {
        d->f2 = (uint8_t)(h << 1 | l);
    } else {
        return true; /* reserved */
    }
    if (scalar) {
        d->fn = fns[size - 1];
        return true;
    }
    set_vec(d, fns[size - 1], q, size);
    d->f3 = (uint8_t)q;
    return true;
}

/* ----------------------------------------------- two-register misc ---- */

/* REV16/32/64: byte i of the result is byte i ^ f2 of Vn. */
static const Insn *exec_rev(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    const VReg *pa = &c->v[d->rn];
    VReg r;
    unsigned m = d->f2;
    for (unsigned i = 0; i < 16; i++)
        r.b[i] = pa->b[i ^ m];
    return vdone(c, d, &r, 0);
}

G_BHSD(GEN_VI, suqadd) G_BHSD(GEN_VI, usqadd) G_BHS(GEN_VI, cls) G_BHS(GEN_VI, clz)
GEN_VI(cnt, 8) GEN_VI(mvn, 8) GEN_VI(rbit, 8)
G_BHSD(GEN_VI, sqabs) G_BHSD(GEN_VI, sqneg) G_BHSD(GEN_VI, abs) G_BHSD(GEN_VI, neg)
G_BHSD(GEN_VI, cmgt0) G_BHSD(GEN_VI, cmge0) G_BHSD(GEN_VI, cmeq0) G_BHSD(GEN_VI, cmle0)
G_BHSD(GEN_VI, cmlt0)
G_WIDE3(GEN_PL, saddlp, add, S) G_WIDE3(GEN_PL, uaddlp, add, U)
G_WIDE3(GEN_PL, sadalp, adalp, S) G_WIDE3(GEN_PL, uadalp, adalp, U)
N3(GEN_VNI, xtn) N3(GEN_VNI, sqxtn) N3(GEN_VNI, uqxtn) N3(GEN_VNI, sqxtun)
G_WIDE3(GEN_VLI, shll, shl, U)
GEN_VI(urecpe, 32) GEN_VI(ursqrte, 32)

G_BHSD(GEN_SI, suqadd) G_BHSD(GEN_SI, usqadd) G_BHSD(GEN_SI, sqabs) G_BHSD(GEN_SI, sqneg)
GEN_SI(abs, 64) GEN_SI(neg, 64) GEN_SI(cmgt0, 64) GEN_SI(cmge0, 64) GEN_SI(cmeq0, 64)
GEN_SI(cmle0, 64) GEN_SI(cmlt0, 64)
N3(GEN_SNI, sqxtn) N3(GEN_SNI, uqxtn) N3(GEN_SNI, sqxtun)

typedef struct MiscOp {
    InsnFn v[4], s[4];
    uint8_t kind; /* MISC_SAME, MISC_WIDE (v by narrow size), MISC_NARROW (v, s by narrow size) */
} MiscOp;
enum { MISC_SAME, MISC_WIDE, MISC_NARROW };

#define MV(kind, name) .v = T_##kind(exec_vi, name)
#define MS(kind, name) .s = T_##kind(exec_si, name)
#define MWIDE(name) .v = W3(pl, name), .kind = MISC_WIDE

static const MiscOp misc_ops[2][0x15] = {
    [0] = {
        [0x02] = {MWIDE(saddlp)},
        [0x03] = {MV(BHSD, suqadd), MS(BHSD, suqadd)},
        [0x04] = {MV(BHS, cls)},
        [0x05] = {MV(B, cnt)},
        [0x06] = {MWIDE(sadalp)},
        [0x07] = {MV(BHSD, sqabs), MS(BHSD, sqabs)},
        [0x08] = {MV(BHSD, cmgt0), MS(D, cmgt0)},
        [0x09] = {MV(BHSD, cmeq0), MS(D, cmeq0)},
        [0x0a] = {MV(BHSD, cmlt0), MS(D, cmlt0)},
        [0x0b] = {MV(BHSD, abs), MS(D, abs)},
        [0x12] = {.v = N3T(vni, xtn), .kind = MISC_NARROW},
        [0x14] = {.v = N3T(vni, sqxtn), .s = N3T(sni, sqxtn), .kind = MISC_NARROW},
    },
    [1] = {
        [0x02] = {MWIDE(uaddlp)},
        [0x03] = {MV(BHSD, usqadd), MS(BHSD, usqadd)},
        [0x04] = {MV(BHS, clz)},
        [0x05] = {.v = {exec_vi_mvn_8, exec_vi_rbit_8}},
        [0x06] = {MWIDE(uadalp)},
        [0x07] = {MV(BHSD, sqneg), MS(BHSD, sqneg)},
        [0x08] = {MV(BHSD, cmge0), MS(D, cmge0)},
        [0x09] = {MV(BHSD, cmle0), MS(D, cmle0)},
        [0x0b] = {MV(BHSD, neg), MS(D, neg)},
        [0x12] = {.v = N3T(vni, sqxtun), .s = N3T(sni, sqxtun), .kind = MISC_NARROW},
        [0x13] = {.v = W3(vli, shll), .kind = MISC_WIDE},
        [0x14] = {.v = N3T(vni, uqxtn), .s = N3T(sni, uqxtn), .kind = MISC_NARROW},
    },
};

/* 0 Q U 01110 size 10000 opcode 10 Rn Rd; scalar: 01 U 11110 size 10000 opcode 10 */
static bool decode_misc(uint32_t raw, Insn *d, bool scalar)
{
    unsigned q = bit(raw, 30), u = bit(raw, 29), size = bits(raw, 23, 22);
    unsigned opc = bits(raw, 16, 12);
    if (opc == 0x1c && size >= 2 && !scalar) { /* URECPE, URSQRTE (32-bit lanes only) */
        set_regs(raw, d);
        if (size == 2)
            set_vec(d, u ? exec_vi_ursqrte_32 : exec_vi_urecpe_32, q, size);
        return true;
    }
    if ((opc >= 0x0c && opc <= 0x0f) || opc >= 0x16)
        return false; /* floating point */
    set_regs(raw, d);
    if (opc >= 0x15)
        return true;
    if (!scalar && opc <= 0x01) { /* REV64 / REV16 (U=0), REV32 (U=1) */
        if (opc && u)
            return true;
        unsigned container = opc ? 2 : u ? 4 : 8; /* bytes */
        if ((1u << size) >= container)
            return true;
        d->fn = exec_rev;
        d->f0 = (uint8_t)q;
        d->f2 = (uint8_t)(container - (1u << size));
        return true;
    }
    const MiscOp *o = &misc_ops[u][opc];
    switch (o->kind) {
    case MISC_WIDE:
        if (scalar || size == 3 || !o->v[size])
            return true;
        d->fn = o->v[size];
        d->f0 = (uint8_t)q;
        d->f2 = (uint8_t)(8u << size); /* SHLL: shift by the element size */
        d->f3 = (uint8_t)q;
        return true;
    case MISC_NARROW:
        if (size == 3)
            return true;
        if (scalar) {
            if (o->s[size])
                d->fn = o->s[size];
            return true;
        }
        d->fn = o->v[size];
        d->f3 = (uint8_t)q;
        return true;
    default:
        if (scalar) {
            if (o->s[size])
                d->fn = o->s[size];
            return true;
        }
        if ((size == 3 && !q) || !o->v[size])
            return true;
        set_vec(d, o->v[size], q, size);
        return true;
    }
}

/* ---------------------------------------------------- across lanes ---- */

GEN_ACROSS(addv, add, 8, 8, uint8_t, U) GEN_ACROSS(addv, add, 16, 16, uint16_t, U)
GEN_ACROSS(addv, add, 32, 32, uint32_t, U)
GEN_ACROSS(saddlv, add, 8, 16, uint16_t, S) GEN_ACROSS(saddlv, add, 16, 32, uint32_t, S)
GEN_ACROSS(saddlv, add, 32, 64, uint64_t, S)
GEN_ACROSS(uaddlv, add, 8, 16, uint16_t, U) GEN_ACROSS(uaddlv, add, 16, 32, uint32_t, U)
GEN_ACROSS(uaddlv, add, 32, 64, uint64_t, U)
#define ACROSS3(name, op)                                                                \
    GEN_ACROSS(name, op, 8, 8, uint8_t, U)                                               \
    GEN_ACROSS(name, op, 16, 16, uint16_t, U) GEN_ACROSS(name, op, 32, 32, uint32_t, U)
ACROSS3(smaxv, smax) ACROSS3(umaxv, umax) ACROSS3(sminv, smin) ACROSS3(uminv, umin)

/* [U][opcode] -> by size */
static const InsnFn *across_fns(unsigned u, unsigned opc)
{
    static const InsnFn t[2][4][3] = {
        {W3(av, saddlv), W3(av, smaxv), W3(av, sminv), W3(av, addv)},
        {W3(av, uaddlv), W3(av, umaxv), W3(av, uminv), {NULL}},
    };
    switch (opc) {
    case 0x03: return t[u][0];
    case 0x0a: return t[u][1];
    case 0x1a: return t[u][2];
    case 0x1b: return t[u][3][0] ? t[u][3] : NULL;
    default: return NULL;
    }
}

/* 0 Q U 01110 size 11000 opcode 10 Rn Rd; scalar pairwise: 01 U 11110 size 11000 opcode 10 */
static bool decode_across(uint32_t raw, Insn *d, bool scalar)
{
    unsigned q = bit(raw, 30), u = bit(raw, 29), size = bits(raw, 23, 22);
    unsigned opc = bits(raw, 16, 12);
    if (opc >= 0x0c && opc <= 0x0f)
        return false; /* floating point */
    set_regs(raw, d);
    if (scalar) {
        if (!u && opc == 0x1b && size == 3)
            d->fn = exec_addp_scalar;
        return true;
    }
    const InsnFn *fns = across_fns(u, opc);
    if (!fns || size == 3 || (size == 2 && !q))
        return true;
    d->fn = fns[size];
    d->f1 = (uint8_t)((q ? 16 : 8) >> size);
    return true;
}

/* --------------------------------------------- shift by immediate ---- */

G_BHSD(GEN_VI, sshr) G_BHSD(GEN_VI, ushr) G_BHSD(GEN_VI, ssra) G_BHSD(GEN_VI, usra)
G_BHSD(GEN_VI, srshr) G_BHSD(GEN_VI, urshr) G_BHSD(GEN_VI, srsra) G_BHSD(GEN_VI, ursra)
G_BHSD(GEN_VI, sri) G_BHSD(GEN_VI, shl) G_BHSD(GEN_VI, sli)
G_BHSD(GEN_VI, sqshli) G_BHSD(GEN_VI, uqshli) G_BHSD(GEN_VI, sqshlu)
N3(GEN_VNI, shrn) N3(GEN_VNI, rshrn) N3(GEN_VNI, sqshrn) N3(GEN_VNI, sqrshrn)
N3(GEN_VNI, uqshrn) N3(GEN_VNI, uqrshrn) N3(GEN_VNI, sqshrun) N3(GEN_VNI, sqrshrun)
G_WIDE3(GEN_VLI, sshll, shl, S) G_WIDE3(GEN_VLI, ushll, shl, U)

GEN_SI(sshr, 64) GEN_SI(ushr, 64) GEN_SI(ssra, 64) GEN_SI(usra, 64) GEN_SI(srshr, 64)
GEN_SI(urshr, 64) GEN_SI(srsra, 64) GEN_SI(ursra, 64) GEN_SI(sri, 64) GEN_SI(shl, 64)
GEN_SI(sli, 64)
G_BHSD(GEN_SI, sqshli) G_BHSD(GEN_SI, uqshli) G_BHSD(GEN_SI, sqshlu)
N3(GEN_SNI, sqshrn) N3(GEN_SNI, sqrshrn) N3(GEN_SNI, uqshrn) N3(GEN_SNI, uqrshrn)
N3(GEN_SNI, sqshrun) N3(GEN_SNI, sqrshrun)

enum { SH_RIGHT, SH_LEFT, SH_NARROW, SH_LONG };
typedef struct ShiftOp {
    InsnFn v[4], s[4]; /* by element size (narrowing/long: by the narrow size) */
    uint8_t kind;
} ShiftOp;

#define HV(name) .v = T_BHSD(exec_vi, name)
#define HS(name) .s = T_D(exec_si, name)
#define HSQ(name) .s = T_BHSD(exec_si, name)
#define HN(vname, sname)                                                                 \
    .v = N3T(vni, vname), .s = N3T(sni, sname), .kind = SH_NARROW
#define HNV(vname) .v = N3T(vni, vname), .kind = SH_NARROW

static const ShiftOp shift_ops[2][0x15] = {
    [0] = {
        [0x00] = {HV(sshr), HS(sshr)},
        [0x02] = {HV(ssra), HS(ssra)},
        [0x04] = {HV(srshr), HS(srshr)},
        [0x06] = {HV(srsra), HS(srsra)},
        [0x0a] = {HV(shl), HS(shl), .kind = SH_LEFT},
        [0x0e] = {HV(sqshli), HSQ(sqshli), .kind = SH_LEFT},
        [0x10] = {HNV(shrn)},
        [0x11] = {HNV(rshrn)},
        [0x12] = {HN(sqshrn, sqshrn)},
        [0x13] = {HN(sqrshrn, sqrshrn)},
        [0x14] = {.v = W3(vli, sshll), .kind = SH_LONG},
    },
    [1] = {
        [0x00] = {HV(ushr), HS(ushr)},
        [0x02] = {HV(usra), HS(usra)},
        [0x04] = {HV(urshr), HS(urshr)},
        [0x06] = {HV(ursra), HS(ursra)},
        [0x08] = {HV(sri), HS(sri)},
        [0x0a] = {HV(sli), HS(sli), .kind = SH_LEFT},
        [0x0c] = {HV(sqshlu), HSQ(sqshlu), .kind = SH_LEFT},
        [0x0e] = {HV(uqshli), HSQ(uqshli), .kind = SH_LEFT},
        [0x10] = {HN(sqshrun, sqshrun)},
        [0x11] = {HN(sqrshrun, sqrshrun)},
        [0x12] = {HN(uqshrn, uqshrn)},
        [0x13] = {HN(uqrshrn, uqrshrn)},
        [0x14] = {.v = W3(vli, ushll), .kind = SH_LONG},
    },
};

/* 0 Q U 011110 immh immb opcode 1 Rn Rd (immh != 0); scalar: 01 U 111110 ... */
static bool decode_shift(uint32_t raw, Insn *d, bool scalar)
{
    unsigned q = bit(raw, 30), u = bit(raw, 29), immh = bits(raw, 22, 19);
    unsigned immhb = bits(raw, 22, 16), opc = bits(raw, 15, 11);
    if (opc == 0x1c || opc == 0x1f)
        return false; /* SCVTF/UCVTF/FCVTZS/FCVTZU (fixed-point): floating point */
    set_regs(raw, d);
    if (opc >= 0x15)
        return true;
    unsigned size = 31 - (unsigned)__builtin_clz(immh); /* log2 element bytes */
    unsigned esize = 8u << size;
    const ShiftOp *o = &shift_ops[u][opc];
    InsnFn fn = scalar ? o->s[size] : o->v[size];
    if (o->kind == SH_NARROW || o->kind == SH_LONG) {
        if (size == 3)
            return true;
    } else if (!scalar && size == 3 && !q) {
        return true;
    }
    if (!fn)
        return true;
    d->fn = fn;
    d->f0 = (uint8_t)q;
    d->f1 = (uint8_t)(scalar ? 1 : (q ? 16 : 8) >> size);
    d->f3 = (uint8_t)q;
    switch (o->kind) {
    case SH_RIGHT:
    case SH_NARROW:
        d->f2 = (uint8_t)(2 * esize - immhb);
        break;
    default:
        d->f2 = (uint8_t)(immhb - esize);
        break;
    }
    return true;
}

/* ------------------------------------------------------- decoder ---- */

bool decode_simd_int(uint32_t raw, Insn *d)
{
    bool scalar;
    if ((raw & 0x9e000000) == 0x0e000000 && !bit(raw, 31))
        scalar = false; /* 0 Q U 0111x */
    else if ((raw & 0xde000000) == 0x5e000000)
        scalar = true; /* 01 U 1111x */
    else
        return false;
    if (!bit(raw, 24)) { /* x1110: three same/different, misc, across */
        if (!bit(raw, 21))
            return false;
        if (bit(raw, 10))
            return decode_same(raw, d, scalar);
        if (!bit(raw, 11))
            return decode_diff(raw, d, scalar);
        switch (bits(raw, 20, 17)) {
        case 0x0: return decode_misc(raw, d, scalar);
        case 0x8: return decode_across(raw, d, scalar);
        default: return false;
        }
    }
    if (!bit(raw, 10))
        return decode_elem(raw, d, scalar);
    if (bit(raw, 23) || bits(raw, 22, 19) == 0)
        return false; /* unallocated / modified immediate */
    return decode_shift(raw, d, scalar);
}
