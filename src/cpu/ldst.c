/* Loads and stores of general-purpose and FP/SIMD registers: single
 * registers (unsigned offset, unscaled, pre/post-index, register offset,
 * literal, unprivileged), pairs, exclusives and load-acquire/store-release.
 * The AdvSIMD structure forms (LD1-4/ST1-4, LDnR) live in simd_ldst.c.
 *
 * Every (operation, addressing mode) pair has its own handler, generated from
 * one always-inline body with constant arguments, so the access size, sign
 * extension and flags are compile-time constants and the soft-TLB hit path of
 * mem_load/mem_store folds into the handler.
 *
 * Fields, single register: rd = Rt slot (XZR for a GPR source, the sink for a
 * GPR destination, the V register number for FP/SIMD), rn = base slot (SP for
 * 31), rm = index register (XZR for 31), f0 = index shift, imm = offset
 * (already scaled and sign-extended).
 * Pairs: rd = Rt, rm = Rt2, rn = base, imm = scaled offset.
 * Exclusives: rd = Rt, rm = Rt2, ra = status register Ws, rn = base.
 *
 * Behaviour in CONSTRAINED UNPREDICTABLE cases follows QEMU (cortex-a53):
 *  - a load with writeback and Rt == Rn ends with the written-back address;
 *    a store with writeback and Rt == Rn stores the register's old value;
 *  - LDP (GPR) with Rt == Rt2 ends with the first element, LDP (SIMD&FP)
 *    and LDXP/LDAXP with the second;
 *  - STXR with Ws == Rt or Ws == Rn uses the old values, then writes status;
 *  - no SP alignment check (QEMU does not implement SCTLR.SA);
 *  - a store-exclusive whose monitor check fails makes no memory access. */
#include <string.h>

#include "cpu/exception.h"
#include "cpu/insn.h"
#include "mmu/mmu.h"

#define HOT static inline __attribute__((always_inline))
#define COLD static __attribute__((noinline))

/* ------------------------------------------------ single register ---- */

/* Operations: stores, zero-extending loads, sign-extending loads into X and
 * into W, then the FP/SIMD forms (everything from OP_STFB on). */
#define SINGLE_OPS(X)                                                             \
    X(STB) X(STH) X(STW) X(STX)                                                   \
    X(LDB) X(LDH) X(LDW) X(LDX)                                                   \
    X(LDSBX) X(LDSHX) X(LDSWX) X(LDSBW) X(LDSHW)                                  \
    X(STFB) X(STFH) X(STFS) X(STFD) X(STFQ)                                       \
    X(LDFB) X(LDFH) X(LDFS) X(LDFD) X(LDFQ)

#define ENUM_OP(o) OP_##o,
enum { SINGLE_OPS(ENUM_OP) OP_COUNT };

/* Addressing modes. M_OFF covers the unsigned-offset and unscaled forms. */
enum { M_OFF, M_PRE, M_POST, M_UXTW, M_LSL, M_SXTW, M_UNPRIV, M_LIT, M_COUNT };

HOT uint64_t single_addr(Cpu *c, const Insn *d, int mode)
{
    switch (mode) {
    case M_POST: return c->x[d->rn];
    case M_UXTW: return c->x[d->rn] + ((uint64_t)(uint32_t)c->x[d->rm] << d->f0);
    case M_LSL: return c->x[d->rn] + (c->x[d->rm] << d->f0);
    case M_SXTW: return c->x[d->rn] + ((uint64_t)(int64_t)(int32_t)c->x[d->rm] << d->f0);
    case M_LIT: return insn_pc(c, d) + d->imm;
    default: return c->x[d->rn] + d->imm; /* M_OFF, M_PRE, M_UNPRIV */
    }
}

HOT void writeback(Cpu *c, const Insn *d, uint64_t va, int mode)
{
    if (mode == M_PRE)
        c->x[d->rn] = va;
    else if (mode == M_POST)
        c->x[d->rn] = va + d->imm;
}

HOT void set_vlow(Cpu *c, unsigned n, uint64_t v)
{
    vreg_set(&c->v[n], v, 0);
}

/* The access itself, then the writeback. */
HOT const Insn *single_access(Cpu *c, const Insn *d, int op, int mode, uint64_t va)
{
    const unsigned fl = mode == M_UNPRIV ? ACC_UNPRIV : 0;
    uint64_t *x = c->x;
    switch (op) {
    case OP_STB: mem_store(c, va, x[d->rd], 1, fl); break;
    case OP_STH: mem_store(c, va, x[d->rd], 2, fl); break;
    case OP_STW: mem_store(c, va, x[d->rd], 4, fl); break;
    case OP_STX: mem_store(c, va, x[d->rd], 8, fl); break;
    case OP_LDB: x[d->rd] = mem_load(c, va, 1, fl); break;
    case OP_LDH: x[d->rd] = mem_load(c, va, 2, fl); break;
    case OP_LDW: x[d->rd] = mem_load(c, va, 4, fl); break;
    case OP_LDX: x[d->rd] = mem_load(c, va, 8, fl); break;
    case OP_LDSBX: x[d->rd] = (uint64_t)(int64_t)(int8_t)mem_load(c, va, 1, fl); break;
    case OP_LDSHX: x[d->rd] = (uint64_t)(int64_t)(int16_t)mem_load(c, va, 2, fl); break;
    case OP_LDSWX: x[d->rd] = (uint64_t)(int64_t)(int32_t)mem_load(c, va, 4, fl); break;
    case OP_LDSBW: x[d->rd] = (uint32_t)(int32_t)(int8_t)mem_load(c, va, 1, fl); break;
    case OP_LDSHW: x[d->rd] = (uint32_t)(int32_t)(int16_t)mem_load(c, va, 2, fl); break;
    case OP_STFB: mem_store(c, va, c->v[d->rd].b[0], 1, fl); break;
    case OP_STFH: mem_store(c, va, c->v[d->rd].h[0], 2, fl); break;
    case OP_STFS: mem_store(c, va, c->v[d->rd].s[0], 4, fl); break;
    case OP_STFD: mem_store(c, va, c->v[d->rd].d[0], 8, fl); break;
    case OP_STFQ: mem_store128(c, va, c->v[d->rd].d, fl); break;
    case OP_LDFB: set_vlow(c, d->rd, mem_load(c, va, 1, fl)); break;
    case OP_LDFH: set_vlow(c, d->rd, mem_load(c, va, 2, fl)); break;
    case OP_LDFS: set_vlow(c, d->rd, mem_load(c, va, 4, fl)); break;
    case OP_LDFD: set_vlow(c, d->rd, mem_load(c, va, 8, fl)); break;
    case OP_LDFQ: {
        uint64_t t[2];
        mem_load128(c, va, t, fl);
        vreg_set(&c->v[d->rd], t[0], t[1]);
        break;
    }
    }
    writeback(c, d, va, mode);
    return insn_next(c, d + 1);
}

HOT unsigned op_bytes(int op)
{
    switch (op) {
    case OP_STB: case OP_LDB: case OP_LDSBX: case OP_LDSBW: case OP_STFB: case OP_LDFB: return 1;
    case OP_STH: case OP_LDH: case OP_LDSHX: case OP_LDSHW: case OP_STFH: case OP_LDFH: return 2;
    case OP_STW: case OP_LDW: case OP_LDSWX: case OP_STFS: case OP_LDFS: return 4;
    case OP_STFQ: case OP_LDFQ: return 16;
    default: return 8;
    }
}

HOT bool op_is_store(int op)
{
    return op <= OP_STX || (op >= OP_STFB && op <= OP_STFQ);
}

/* TLB miss, MMIO, page crossing or fault: the same access through the slow
 * path, out of line so that the handlers' hit path needs no stack frame. */
COLD const Insn *single_slow(Cpu *c, const Insn *d, int op, int mode, uint64_t va)
{
    return single_access(c, d, op, mode, va);
}

HOT const Insn *single(Cpu *c, const Insn *d, int op, int mode)
{
    const unsigned fl = mode == M_UNPRIV ? ACC_UNPRIV : 0;
    if (op >= OP_STFB)
        fp_check(c, d);
    uint64_t va = single_addr(c, d, mode);
    const TlbEntry *e = mmu_tlb(c, va, fl);
    uint64_t tag = op_is_store(op) ? e->write : e->read;
    if (__builtin_expect(!mmu_fast_ok(tag, va, op_bytes(op), fl), 0))
        return single_slow(c, d, op, mode, va);
    return single_access(c, d, op, mode, va);
}

#define SINGLE_FN(o, m)                                                           \
    static const Insn *exec_##o##_##m(Cpu *c, const Insn *d)                      \
    {                                                                             \
        return single(c, d, OP_##o, m);                                           \
    }
#define SINGLE_MODES(o)                                                           \
    SINGLE_FN(o, M_OFF) SINGLE_FN(o, M_PRE) SINGLE_FN(o, M_POST)                  \
    SINGLE_FN(o, M_UXTW) SINGLE_FN(o, M_LSL) SINGLE_FN(o, M_SXTW)                 \
    SINGLE_FN(o, M_UNPRIV) SINGLE_FN(o, M_LIT)
SINGLE_OPS(SINGLE_MODES)

#define SINGLE_ROW(o)                                                             \
    {exec_##o##_M_OFF, exec_##o##_M_PRE, exec_##o##_M_POST, exec_##o##_M_UXTW,    \
     exec_##o##_M_LSL, exec_##o##_M_SXTW, exec_##o##_M_UNPRIV, exec_##o##_M_LIT},
static const InsnFn single_fn[OP_COUNT][M_COUNT] = {SINGLE_OPS(SINGLE_ROW)};

/* ----------------------------------------------------------- pairs ---- */

#define PAIR_OPS(X)                                                               \
    X(STPW) X(STPX) X(LDPW) X(LDPX) X(LDPSW)                                      \
    X(STPS) X(STPD) X(STPQ) X(LDPS) X(LDPD) X(LDPQ)
#define ENUM_PAIR(o) PO_##o,
enum { PAIR_OPS(ENUM_PAIR) PO_COUNT };

HOT unsigned pair_es(int op) /* element size in bytes */
{
    switch (op) {
    case PO_STPW: case PO_LDPW: case PO_LDPSW: case PO_STPS: case PO_LDPS: return 4;
    case PO_STPQ: case PO_LDPQ: return 16;
    default: return 8;
    }
}

HOT bool pair_is_store(int op)
{
    return op == PO_STPW || op == PO_STPX || op == PO_STPS || op == PO_STPD || op == PO_STPQ;
}

HOT uint64_t pair_sext(int op, uint64_t v)
{
    return op == PO_LDPSW ? (uint64_t)(int64_t)(int32_t)v : v;
}

HOT void vload(Cpu *c, unsigned t, uint64_t va, unsigned es)
{
    if (es == 16) {
        uint64_t q[2];
        mem_load128(c, va, q, 0);
        vreg_set(&c->v[t], q[0], q[1]);
    } else {
        set_vlow(c, t, mem_load(c, va, es, 0));
    }
}

HOT void vstore(Cpu *c, unsigned t, uint64_t va, unsigned es)
{
    if (es == 16)
        mem_store128(c, va, c->v[t].d, 0);
    else
        mem_store(c, va, c->v[t].d[0], es, 0);
}

/* Element by element, in address order, through mem_load/mem_store (TLB
 * misses, MMIO, page crossings, faults). GPR loads write no register until
 * both elements are read, Rt last (Rt wins when Rt == Rt2); SIMD&FP loads
 * write Vt before reading the second element (Vt2 wins), as QEMU does. */
COLD const Insn *pair_slow(Cpu *c, const Insn *d, int op, int mode, uint64_t va)
{
    unsigned es = pair_es(op);
    if (op >= PO_STPS) {
        if (pair_is_store(op)) {
            vstore(c, d->rd, va, es);
            vstore(c, d->rm, va + es, es);
        } else {
            vload(c, d->rd, va, es);
            vload(c, d->rm, va + es, es);
        }
    } else if (pair_is_store(op)) {
        mem_store(c, va, c->x[d->rd], es, 0);
        mem_store(c, va + es, c->x[d->rm], es, 0);
    } else {
        uint64_t a = mem_load(c, va, es, 0);
        uint64_t b = mem_load(c, va + es, es, 0);
        c->x[d->rm] = pair_sext(op, b);
        c->x[d->rd] = pair_sext(op, a);
    }
    writeback(c, d, va, mode);
    return insn_next(c, d + 1);
}

HOT const Insn *pair(Cpu *c, const Insn *d, int op, int mode)
{
    const unsigned es = pair_es(op);
    if (op >= PO_STPS)
        fp_check(c, d);
    uint64_t va = mode == M_POST ? c->x[d->rn] : c->x[d->rn] + d->imm;
    const TlbEntry *e = mmu_tlb(c, va, 0);
    uint64_t tag = pair_is_store(op) ? e->write : e->read;
    if (__builtin_expect(!mmu_fast_ok(tag, va, 2 * es, 0), 0))
        return pair_slow(c, d, op, mode, va);
    uint8_t *p = (uint8_t *)(uintptr_t)(va + e->addend);
    if (op >= PO_STPS) {
        if (pair_is_store(op)) {
            memcpy(p, &c->v[d->rd], es);
            memcpy(p + es, &c->v[d->rm], es);
        } else {
            VReg a = {0}, b = {0};
            memcpy(&a, p, es);
            memcpy(&b, p + es, es);
            c->v[d->rd] = a;
            c->v[d->rm] = b;
        }
    } else if (pair_is_store(op)) {
        uint64_t a = c->x[d->rd], b = c->x[d->rm];
        memcpy(p, &a, es);
        memcpy(p + es, &b, es);
    } else if (es == 4) {
        uint32_t w[2];
        memcpy(w, p, 8);
        c->x[d->rm] = pair_sext(op, w[1]);
        c->x[d->rd] = pair_sext(op, w[0]);
    } else {
        uint64_t q[2];
        memcpy(q, p, 16);
        c->x[d->rm] = q[1];
        c->x[d->rd] = q[0];
    }
    writeback(c, d, va, mode);
    return insn_next(c, d + 1);
}

#define PAIR_FN(o, m)                                                             \
    static const Insn *exec_##o##_##m(Cpu *c, const Insn *d)                      \
    {                                                                             \
        return pair(c, d, PO_##o, m);                                             \
    }
#define PAIR_MODES(o) PAIR_FN(o, M_OFF) PAIR_FN(o, M_PRE) PAIR_FN(o, M_POST)
PAIR_OPS(PAIR_MODES)

#define PAIR_ROW(o) {exec_##o##_M_OFF, exec_##o##_M_PRE, exec_##o##_M_POST},
static const InsnFn pair_fn[PO_COUNT][3] = {PAIR_OPS(PAIR_ROW)};

/* ------------------------------------- exclusives, acquire/release ---- */

HOT void monitor_set(Cpu *c, uint64_t va, unsigned size)
{
    c->excl_valid = true;
    c->excl_addr = va;
    c->excl_size = size;
}

/* True if a store-exclusive of `size` bytes at va may proceed; the monitor
 * is cleared either way. */
HOT bool monitor_pass(Cpu *c, uint64_t va, unsigned size)
{
    bool ok = c->excl_valid && c->excl_addr == va && c->excl_size == size;
    c->excl_valid = false;
    return ok;
}

HOT const Insn *ldxr(Cpu *c, const Insn *d, unsigned size)
{
    uint64_t va = c->x[d->rn];
    c->x[d->rd] = mem_load(c, va, size, ACC_ALIGN);
    monitor_set(c, va, size);
    return insn_next(c, d + 1);
}

HOT const Insn *stxr(Cpu *c, const Insn *d, unsigned size)
{
    uint64_t va = c->x[d->rn];
    uint64_t status = 1;
    if (monitor_pass(c, va, size)) {
        mem_store(c, va, c->x[d->rd], size, ACC_ALIGN);
        status = 0;
    }
    c->x[d->ra] = status;
    return insn_next(c, d + 1);
}

HOT const Insn *ldar(Cpu *c, const Insn *d, unsigned size)
{
    c->x[d->rd] = mem_load(c, c->x[d->rn], size, ACC_ALIGN);
    return insn_next(c, d + 1);
}

HOT const Insn *stlr(Cpu *c, const Insn *d, unsigned size)
{
    mem_store(c, c->x[d->rn], c->x[d->rd], size, ACC_ALIGN);
    return insn_next(c, d + 1);
}

#define EXCL_FN(sz)                                                               \
    static const Insn *exec_ldxr##sz(Cpu *c, const Insn *d) { return ldxr(c, d, sz); } \
    static const Insn *exec_stxr##sz(Cpu *c, const Insn *d) { return stxr(c, d, sz); } \
    static const Insn *exec_ldar##sz(Cpu *c, const Insn *d) { return ldar(c, d, sz); } \
    static const Insn *exec_stlr##sz(Cpu *c, const Insn *d) { return stlr(c, d, sz); }
EXCL_FN(1) EXCL_FN(2) EXCL_FN(4) EXCL_FN(8)

static const InsnFn ldxr_fn[4] = {exec_ldxr1, exec_ldxr2, exec_ldxr4, exec_ldxr8};
static const InsnFn stxr_fn[4] = {exec_stxr1, exec_stxr2, exec_stxr4, exec_stxr8};
static const InsnFn ldar_fn[4] = {exec_ldar1, exec_ldar2, exec_ldar4, exec_ldar8};
static const InsnFn stlr_fn[4] = {exec_stlr1, exec_stlr2, exec_stlr4, exec_stlr8};

/* LDXP/LDAXP Wt, Wt2: one 8-byte aligned access. */
static const Insn *exec_ldxp4(Cpu *c, const Insn *d)
{
    uint64_t va = c->x[d->rn];
    uint64_t v = mem_load(c, va, 8, ACC_ALIGN);
    c->x[d->rd] = (uint32_t)v;
    c->x[d->rm] = v >> 32;
    monitor_set(c, va, 8);
    return insn_next(c, d + 1);
}

/* LDXP/LDAXP Xt, Xt2: 16-byte aligned. */
static const Insn *exec_ldxp8(Cpu *c, const Insn *d)
{
    uint64_t va = c->x[d->rn];
    uint64_t v[2];
    if (va & 15)
        raise_data_abort(c, va, FSC_ALIGNMENT, false);
    mem_load128(c, va, v, ACC_ALIGN);
    c->x[d->rd] = v[0];
    c->x[d->rm] = v[1];
    monitor_set(c, va, 16);
    return insn_next(c, d + 1);
}

static const Insn *exec_stxp4(Cpu *c, const Insn *d)
{
    uint64_t va = c->x[d->rn];
    uint64_t status = 1;
    if (monitor_pass(c, va, 8)) {
        mem_store(c, va, (uint32_t)c->x[d->rd] | c->x[d->rm] << 32, 8, ACC_ALIGN);
        status = 0;
    }
    c->x[d->ra] = status;
    return insn_next(c, d + 1);
}

static const Insn *exec_stxp8(Cpu *c, const Insn *d)
{
    uint64_t va = c->x[d->rn];
    uint64_t status = 1;
    if (monitor_pass(c, va, 16)) {
        /* The monitor was set by an aligned LDXP at this address. */
        uint64_t v[2] = {c->x[d->rd], c->x[d->rm]};
        mem_store128(c, va, v, ACC_ALIGN);
        status = 0;
    }
    c->x[d->ra] = status;
    return insn_next(c, d + 1);
}

/* ---------------------------------------------------------- decoder ---- */

/* Load/store exclusive and ordered: size 001000 o2 L o1 Rs o0 Rt2 Rn Rt. */
static void decode_excl(uint32_t raw, Insn *d)
{
    unsigned size = bits(raw, 31, 30), rt = bits(raw, 4, 0);
    unsigned key = bits(raw, 23, 21) << 1 | bit(raw, 15); /* o2 L o1 o0 */
    d->rn = reg_sp(bits(raw, 9, 5));
    switch (key) {
    case 0x0: case 0x1: /* STXR, STLXR */
        d->rd = reg_zr(rt);
        d->ra = reg_zr_dst(bits(raw, 20, 16));
        d->fn = stxr_fn[size];
        break;
    case 0x4: case 0x5: /* LDXR, LDAXR */
        d->rd = reg_zr_dst(rt);
        d->fn = ldxr_fn[size];
        break;
    case 0x9: /* STLR */
        d->rd = reg_zr(rt);
        d->fn = stlr_fn[size];
        break;
    case 0xd: /* LDAR */
        d->rd = reg_zr_dst(rt);
        d->fn = ldar_fn[size];
        break;
    case 0x2: case 0x3: /* STXP, STLXP (CASP: LSE, not implemented) */
        if (size & 2) {
            d->rd = reg_zr(rt);
            d->rm = reg_zr(bits(raw, 14, 10));
            d->ra = reg_zr_dst(bits(raw, 20, 16));
            d->fn = size == 3 ? exec_stxp8 : exec_stxp4;
        }
        break;
    case 0x6: case 0x7: /* LDXP, LDAXP (CASPA: LSE) */
        if (size & 2) {
            d->rd = reg_zr_dst(rt);
            d->rm = reg_zr_dst(bits(raw, 14, 10));
            d->fn = size == 3 ? exec_ldxp8 : exec_ldxp4;
        }
        break;
    default: /* STLLR, LDLAR (LOR), CAS (LSE): undefined */
        break;
    }
}

/* Load register (literal): opc 011 V 00 imm19 Rt. */
static void decode_literal(uint32_t raw, Insn *d)
{
    unsigned opc = bits(raw, 31, 30), rt = bits(raw, 4, 0);
    d->imm = (uint64_t)sext((uint64_t)bits(raw, 23, 5) << 2, 21);
    if (bit(raw, 26)) {
        static const int fp_op[3] = {OP_LDFS, OP_LDFD, OP_LDFQ};
        if (opc == 3)
            return;
        d->rd = (uint8_t)rt;
        d->fn = single_fn[fp_op[opc]][M_LIT];
        return;
    }
    if (opc == 3) { /* PRFM (literal) */
        d->fn = exec_nop;
        return;
    }
    static const int gp_op[3] = {OP_LDW, OP_LDX, OP_LDSWX};
    d->rd = reg_zr_dst(rt);
    d->fn = single_fn[gp_op[opc]][M_LIT];
}

/* Load/store pair: opc 101 V 0 index L imm7 Rt2 Rn Rt. */
static void decode_pair(uint32_t raw, Insn *d)
{
    unsigned opc = bits(raw, 31, 30), index = bits(raw, 24, 23);
    bool v = bit(raw, 26), load = bit(raw, 22);
    unsigned rt = bits(raw, 4, 0), rt2 = bits(raw, 14, 10), lsz;
    int op;
    if (opc == 3)
        return;
    if (v) {
        static const int ld[3] = {PO_LDPS, PO_LDPD, PO_LDPQ};
        static const int st[3] = {PO_STPS, PO_STPD, PO_STPQ};
        lsz = 2 + opc;
        op = load ? ld[opc] : st[opc];
        d->rd = (uint8_t)rt;
        d->rm = (uint8_t)rt2;
    } else {
        if (opc == 1 && (!load || index == 0))
            return; /* STGP (MTE), LDPSW has no non-temporal form */
        lsz = opc == 0 ? 2 : opc == 1 ? 2 : 3;
        if (opc == 1)
            op = PO_LDPSW;
        else if (load)
            op = opc == 2 ? PO_LDPX : PO_LDPW;
        else
            op = opc == 2 ? PO_STPX : PO_STPW;
        d->rd = load ? reg_zr_dst(rt) : reg_zr(rt);
        d->rm = load ? reg_zr_dst(rt2) : reg_zr(rt2);
    }
    d->rn = reg_sp(bits(raw, 9, 5));
    d->imm = (uint64_t)sext((uint64_t)bits(raw, 21, 15) << lsz, 7 + lsz);
    int mode = index == 1 ? M_POST : index == 3 ? M_PRE : M_OFF;
    d->fn = pair_fn[op][mode];
}

/* Operation of a single-register load/store from size, V and opc; -1 if
 * unallocated, -2 for PRFM. *lsz receives log2 of the access size. */
static int single_op(unsigned size, bool v, unsigned opc, unsigned *lsz)
{
    if (v) {
        static const int ld[5] = {OP_LDFB, OP_LDFH, OP_LDFS, OP_LDFD, OP_LDFQ};
        static const int st[5] = {OP_STFB, OP_STFH, OP_STFS, OP_STFD, OP_STFQ};
        unsigned l = size | (opc & 2) << 1;
        if (l > 4)
            return -1;
        *lsz = l;
        return (opc & 1) ? ld[l] : st[l];
    }
    *lsz = size;
    switch (opc) {
    case 0: return OP_STB + (int)size;
    case 1: return OP_LDB + (int)size;
    case 2:
        if (size == 3)
            return -2;
        return OP_LDSBX + (int)size;
    default:
        if (size > 1)
            return -1;
        return OP_LDSBW + (int)size;
    }
}

/* Load/store register: size 111 V 0x opc ... */
static void decode_reg(uint32_t raw, Insn *d)
{
    unsigned size = bits(raw, 31, 30), opc = bits(raw, 23, 22), rt = bits(raw, 4, 0);
    bool v = bit(raw, 26), uimm = bit(raw, 24);
    unsigned lsz;
    int mode;
    int op = single_op(size, v, opc, &lsz);
    if (op == -1)
        return;

    if (uimm) {
        d->imm = (uint64_t)bits(raw, 21, 10) << lsz;
        mode = M_OFF;
    } else if (!bit(raw, 21)) {
        /* Unscaled, post-index, unprivileged, pre-index. */
        static const int modes[4] = {M_OFF, M_POST, M_UNPRIV, M_PRE};
        unsigned idx = bits(raw, 11, 10);
        mode = modes[idx];
        d->imm = (uint64_t)sext(bits(raw, 20, 12), 9);
        if (mode == M_UNPRIV && v)
            return;
        if (op == -2 && idx != 0)
            return; /* PRFUM only exists unscaled */
    } else {
        /* Register offset; bits 11:10 = 00 is LSE atomics, x1 is PAC. */
        unsigned option = bits(raw, 15, 13);
        if (bits(raw, 11, 10) != 2 || !(option & 2))
            return;
        mode = option == 2 ? M_UXTW : option == 6 ? M_SXTW : M_LSL;
        d->rm = reg_zr(bits(raw, 20, 16));
        d->f0 = (uint8_t)(bit(raw, 12) ? lsz : 0);
    }
    if (op == -2) {
        d->fn = exec_nop; /* PRFM, PRFUM */
        return;
    }
    d->rn = reg_sp(bits(raw, 9, 5));
    if (v)
        d->rd = (uint8_t)rt;
    else
        d->rd = op <= OP_STX ? reg_zr(rt) : reg_zr_dst(rt);
    d->fn = single_fn[op][mode];
}

bool decode_ldst(uint32_t raw, Insn *d)
{
    switch (bits(raw, 29, 24)) {
    case 0x08:
        decode_excl(raw, d);
        break;
    case 0x18: case 0x1c:
        decode_literal(raw, d);
        break;
    case 0x28: case 0x29: case 0x2c: case 0x2d:
        decode_pair(raw, d);
        break;
    case 0x38: case 0x39: case 0x3c: case 0x3d:
        decode_reg(raw, d);
        break;
    default:
        /* AdvSIMD structures are decoded in simd_ldst.c; the rest (LDAPR and
         * STLUR of v8.3/8.4, MTE tags...) is not implemented. */
        break;
    }
    return true;
}
