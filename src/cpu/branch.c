/* Branches: B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ (immediate) and BR, BLR, RET,
 * ERET (register). Pointer-authenticated forms (BRAA, RETAA, ERETAA...) and
 * DRPS are UNDEFINED on this ARMv8.0 CPU.
 *
 * PC-relative targets stay inside the current decoded page most of the time
 * (loops): branch_rel() then returns the target entry directly, without
 * computing the PC; otherwise it goes through cpu_branch(). B.cond has one
 * handler per condition so the test is a constant mask shifted by NZCV. */
#include <stddef.h>

#include "cpu/exception.h"
#include "cpu/insn.h"

#define H static const Insn *

/* d->imm: the target's distance from this instruction in bytes of the
 * decoded page (offset / 4 * sizeof(Insn)), so the same-page case is one add
 * and one unsigned compare. */
_Static_assert(sizeof(Insn) == 32, "branch_rel scales offsets by 8");

static uint64_t rel_imm(int64_t offset)
{
    return (uint64_t)offset * 8;
}

__attribute__((always_inline)) static inline const Insn *branch_rel(Cpu *c, const Insn *d)
{
    const char *base = (const char *)c->code_page->insn;
    const char *t = (const char *)d + d->imm;
    if (__builtin_expect((uintptr_t)(t - base) < INSNS_PER_PAGE * sizeof(Insn), 1))
        return (const Insn *)t;
    int64_t offset = (int64_t)d->imm >> 3;
    return cpu_branch(c, insn_pc(c, d) + (uint64_t)offset);
}

/* ---- unconditional (immediate) ---- */

H exec_b(Cpu *c, const Insn *d)
{
    return insn_next(c, branch_rel(c, d));
}

H exec_bl(Cpu *c, const Insn *d)
{
    c->x[30] = insn_pc(c, d) + 4;
    return insn_next(c, branch_rel(c, d));
}

/* ---- conditional (immediate) ---- */

/* Bit n of the mask: condition holds when NZCV == n (see cond_table). */
#define BCOND(name, mask)                                                              \
    H exec_b_##name(Cpu *c, const Insn *d)                                             \
    {                                                                                  \
        if ((mask >> c->nzcv) & 1)                                                     \
            return insn_next(c, branch_rel(c, d));                                     \
        return insn_next(c, d + 1);                                                    \
    }

BCOND(eq, 0xf0f0u)
BCOND(ne, 0x0f0fu)
BCOND(cs, 0xccccu)
BCOND(cc, 0x3333u)
BCOND(mi, 0xff00u)
BCOND(pl, 0x00ffu)
BCOND(vs, 0xaaaau)
BCOND(vc, 0x5555u)
BCOND(hi, 0x0c0cu)
BCOND(ls, 0xf3f3u)
BCOND(ge, 0xaa55u)
BCOND(lt, 0x55aau)
BCOND(gt, 0x0a05u)
BCOND(le, 0xf5fau)

static const InsnFn bcond_fns[16] = {
    exec_b_eq, exec_b_ne, exec_b_cs, exec_b_cc, exec_b_mi, exec_b_pl, exec_b_vs, exec_b_vc,
    exec_b_hi, exec_b_ls, exec_b_ge, exec_b_lt, exec_b_gt, exec_b_le, exec_b,    exec_b,
};

/* ---- compare and branch ---- */

H exec_cbz64(Cpu *c, const Insn *d)
{
    return insn_next(c, c->x[d->rn] == 0 ? branch_rel(c, d) : d + 1);
}

H exec_cbnz64(Cpu *c, const Insn *d)
{
    return insn_next(c, c->x[d->rn] != 0 ? branch_rel(c, d) : d + 1);
}

H exec_cbz32(Cpu *c, const Insn *d)
{
    return insn_next(c, (uint32_t)c->x[d->rn] == 0 ? branch_rel(c, d) : d + 1);
}

H exec_cbnz32(Cpu *c, const Insn *d)
{
    return insn_next(c, (uint32_t)c->x[d->rn] != 0 ? branch_rel(c, d) : d + 1);
}

/* ---- test and branch: f0 = bit number ---- */

H exec_tbz(Cpu *c, const Insn *d)
{
    return insn_next(c, !((c->x[d->rn] >> d->f0) & 1) ? branch_rel(c, d) : d + 1);
}

H exec_tbnz(Cpu *c, const Insn *d)
{
    return insn_next(c, ((c->x[d->rn] >> d->f0) & 1) ? branch_rel(c, d) : d + 1);
}

/* ---- register ---- */

H exec_br(Cpu *c, const Insn *d)
{
    return insn_next(c, cpu_branch(c, c->x[d->rn]));
}

H exec_blr(Cpu *c, const Insn *d)
{
    uint64_t target = c->x[d->rn];
    c->x[30] = insn_pc(c, d) + 4;
    return insn_next(c, cpu_branch(c, target));
}

static void decode_branch_reg(uint32_t raw, Insn *d)
{
    unsigned opc = bits(raw, 24, 21), op2 = bits(raw, 20, 16), op3 = bits(raw, 15, 10);
    unsigned rn = bits(raw, 9, 5), op4 = bits(raw, 4, 0);
    /* Only the plain forms: op3 != 0 / op4 != 0 are the PAC variants. */
    if (op2 != 31 || op3 != 0 || op4 != 0)
        return;
    d->rn = reg_zr(rn);
    switch (opc) {
    case 0: d->fn = exec_br; break;  /* BR */
    case 1: d->fn = exec_blr; break; /* BLR */
    case 2: d->fn = exec_br; break;  /* RET */
    case 4:                          /* ERET */
        if (rn == 31)
            d->fn = exec_eret;
        break;
    default: break; /* DRPS (5) and the PAC register forms (8, 9) */
    }
}

bool decode_branch(uint32_t raw, Insn *d)
{
    if (bits(raw, 30, 26) == 0x05) { /* B, BL */
        d->imm = rel_imm(sext(bits(raw, 25, 0), 26) * 4);
        d->fn = bit(raw, 31) ? exec_bl : exec_b;
        return true;
    }
    if (bits(raw, 30, 25) == 0x1a) { /* CBZ, CBNZ */
        bool sf = bit(raw, 31), nz = bit(raw, 24);
        d->imm = rel_imm(sext(bits(raw, 23, 5), 19) * 4);
        d->rn = reg_zr(bits(raw, 4, 0));
        if (sf)
            d->fn = nz ? exec_cbnz64 : exec_cbz64;
        else
            d->fn = nz ? exec_cbnz32 : exec_cbz32;
        return true;
    }
    if (bits(raw, 30, 25) == 0x1b) { /* TBZ, TBNZ */
        d->imm = rel_imm(sext(bits(raw, 18, 5), 14) * 4);
        d->rn = reg_zr(bits(raw, 4, 0));
        d->f0 = (uint8_t)(bit(raw, 31) << 5 | bits(raw, 23, 19));
        d->fn = bit(raw, 24) ? exec_tbnz : exec_tbz;
        return true;
    }
    if (bits(raw, 31, 25) == 0x2a) { /* B.cond; o1 = 1 or o0 = 1 (BC.cond) unallocated */
        if (bit(raw, 24) || bit(raw, 4))
            return true;
        d->imm = rel_imm(sext(bits(raw, 23, 5), 19) * 4);
        d->fn = bcond_fns[bits(raw, 3, 0)];
        return true;
    }
    if (bits(raw, 31, 25) == 0x2b) /* unallocated */
        return true;
    if (bits(raw, 31, 25) == 0x6b) {
        decode_branch_reg(raw, d);
        return true;
    }
    return false;
}
