/* Data processing, immediate: PC-relative addressing (ADR, ADRP), add/subtract
 * (immediate), logical (immediate), move wide, bitfield and extract.
 *
 * Everything that depends only on the encoding is computed at decode time:
 * the add/sub operand (SUB without flags becomes ADD of the negated value),
 * the logical bitmask, the MOVZ/MOVN result, and the shift pair that extracts
 * and places a bitfield. Handlers are specialised by width and operation. */
#include <stddef.h>

#include "cpu/alu.h"
#include "cpu/insn.h"

#define H static const Insn *

/* ---------------------------------------------------- PC-relative ---- */

/* d->imm: signed byte offset (ADR) or page offset (ADRP, already << 12). */
H exec_adr(Cpu *c, const Insn *d)
{
    c->x[d->rd] = insn_pc(c, d) + d->imm;
    return insn_next(c, d + 1);
}

H exec_adrp(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (insn_pc(c, d) & ~0xfffull) + d->imm;
    return insn_next(c, d + 1);
}

static void decode_pcrel(uint32_t raw, Insn *d)
{
    uint64_t imm = (bits(raw, 23, 5) << 2) | bits(raw, 30, 29);
    d->rd = reg_zr_dst(bits(raw, 4, 0));
    if (bit(raw, 31)) {
        d->imm = (uint64_t)(sext(imm, 21) * 4096);
        d->fn = exec_adrp;
    } else {
        d->imm = (uint64_t)sext(imm, 21);
        d->fn = exec_adr;
    }
}

/* ------------------------------------------- add/subtract immediate ---- */

/* d->imm: the (possibly shifted) immediate; for ADD/SUB without flags the
 * value to add (negated for SUB). */
H exec_addi64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = c->x[d->rn] + d->imm;
    return insn_next(c, d + 1);
}

H exec_addi32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint32_t)(c->x[d->rn] + d->imm);
    return insn_next(c, d + 1);
}

/* MOV (to/from SP): ADD #0. */
H exec_movsp(Cpu *c, const Insn *d)
{
    c->x[d->rd] = c->x[d->rn];
    return insn_next(c, d + 1);
}

H exec_addsi64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = adds64(c, c->x[d->rn], d->imm);
    return insn_next(c, d + 1);
}

H exec_addsi32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = adds32(c, (uint32_t)c->x[d->rn], (uint32_t)d->imm);
    return insn_next(c, d + 1);
}

H exec_subsi64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = subs64(c, c->x[d->rn], d->imm);
    return insn_next(c, d + 1);
}

H exec_subsi32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = subs32(c, (uint32_t)c->x[d->rn], (uint32_t)d->imm);
    return insn_next(c, d + 1);
}

/* CMP/CMN (immediate): flags only. */
H exec_cmpi64(Cpu *c, const Insn *d)
{
    subs64(c, c->x[d->rn], d->imm);
    return insn_next(c, d + 1);
}

H exec_cmpi32(Cpu *c, const Insn *d)
{
    subs32(c, (uint32_t)c->x[d->rn], (uint32_t)d->imm);
    return insn_next(c, d + 1);
}

H exec_cmni64(Cpu *c, const Insn *d)
{
    adds64(c, c->x[d->rn], d->imm);
    return insn_next(c, d + 1);
}

H exec_cmni32(Cpu *c, const Insn *d)
{
    adds32(c, (uint32_t)c->x[d->rn], (uint32_t)d->imm);
    return insn_next(c, d + 1);
}

static void decode_addsub_imm(uint32_t raw, Insn *d)
{
    if (bit(raw, 23)) /* add/subtract (immediate, with tags): MTE, not implemented */
        return;
    bool sf = bit(raw, 31), sub = bit(raw, 30), setflags = bit(raw, 29);
    unsigned rd = bits(raw, 4, 0);
    uint64_t imm = (uint64_t)bits(raw, 21, 10) << (bit(raw, 22) ? 12 : 0);
    d->rn = reg_sp(bits(raw, 9, 5));
    if (!setflags) {
        d->rd = reg_sp(rd);
        d->imm = sub ? -imm : imm;
        if (sf)
            d->fn = imm == 0 ? exec_movsp : exec_addi64;
        else
            d->fn = exec_addi32;
        return;
    }
    d->rd = reg_zr_dst(rd);
    d->imm = imm;
    if (rd == 31) {
        if (sub)
            d->fn = sf ? exec_cmpi64 : exec_cmpi32;
        else
            d->fn = sf ? exec_cmni64 : exec_cmni32;
    } else if (sub) {
        d->fn = sf ? exec_subsi64 : exec_subsi32;
    } else {
        d->fn = sf ? exec_addsi64 : exec_addsi32;
    }
}

/* ------------------------------------------------ logical immediate ---- */

/* d->imm: the bitmask, already replicated to the operation width (so the
 * 32-bit AND needs no truncation). */
H exec_andi(Cpu *c, const Insn *d)
{
    c->x[d->rd] = c->x[d->rn] & d->imm;
    return insn_next(c, d + 1);
}

H exec_orri64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = c->x[d->rn] | d->imm;
    return insn_next(c, d + 1);
}

H exec_orri32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint32_t)(c->x[d->rn] | d->imm);
    return insn_next(c, d + 1);
}

H exec_eori64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = c->x[d->rn] ^ d->imm;
    return insn_next(c, d + 1);
}

H exec_eori32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint32_t)(c->x[d->rn] ^ d->imm);
    return insn_next(c, d + 1);
}

H exec_andsi64(Cpu *c, const Insn *d)
{
    uint64_t r = c->x[d->rn] & d->imm;
    c->nzcv = nz64(r);
    c->x[d->rd] = r;
    return insn_next(c, d + 1);
}

H exec_andsi32(Cpu *c, const Insn *d)
{
    uint32_t r = (uint32_t)(c->x[d->rn] & d->imm);
    c->nzcv = nz32(r);
    c->x[d->rd] = r;
    return insn_next(c, d + 1);
}

/* Rd = constant: MOV (bitmask immediate), MOVZ, MOVN. */
H exec_movi(Cpu *c, const Insn *d)
{
    c->x[d->rd] = d->imm;
    return insn_next(c, d + 1);
}

static void decode_logic_imm(uint32_t raw, Insn *d)
{
    bool sf = bit(raw, 31);
    unsigned opc = bits(raw, 30, 29), n = bit(raw, 22), rn = bits(raw, 9, 5);
    uint64_t mask;
    if (!sf && n)
        return;
    if (!decode_bitmask_imm(n, bits(raw, 15, 10), bits(raw, 21, 16), sf ? 64 : 32, &mask))
        return;
    d->imm = mask;
    d->rn = reg_zr(rn);
    d->rd = opc == 3 ? reg_zr_dst(bits(raw, 4, 0)) : reg_sp(bits(raw, 4, 0));
    switch (opc) {
    case 0: d->fn = exec_andi; break;
    case 1: d->fn = rn == 31 ? exec_movi : sf ? exec_orri64 : exec_orri32; break;
    case 2: d->fn = sf ? exec_eori64 : exec_eori32; break;
    default: d->fn = sf ? exec_andsi64 : exec_andsi32; break;
    }
}

/* --------------------------------------- fused with B.cond (fuse_insn) ---- */

/* CMP (immediate). */
H exec_cmpi64_bcond(Cpu *c, const Insn *d)
{
    uint32_t f;
    sub64_f(c->x[d->rn], d->imm, &f);
    return fused_bcond(c, d, f);
}

H exec_cmpi32_bcond(Cpu *c, const Insn *d)
{
    uint32_t f;
    sub32_f((uint32_t)c->x[d->rn], (uint32_t)d->imm, &f);
    return fused_bcond(c, d, f);
}

/* ANDS/TST (immediate) fused with the B.cond after it. */
H exec_andsi64_bcond(Cpu *c, const Insn *d)
{
    uint64_t r = c->x[d->rn] & d->imm;
    c->x[d->rd] = r;
    return fused_bcond(c, d, nz64(r));
}

H exec_andsi32_bcond(Cpu *c, const Insn *d)
{
    uint32_t r = (uint32_t)(c->x[d->rn] & d->imm);
    c->x[d->rd] = r;
    return fused_bcond(c, d, nz32(r));
}

/* ADDS/SUBS/CMN (immediate), as in a counted loop's `subs w1, w1, #1; b.ne`. */
#define ARITHI_BCOND(name, w, T, OP, STORE)                                            \
    H exec_##name##_bcond(Cpu *c, const Insn *d)                                       \
    {                                                                                  \
        uint32_t f;                                                                    \
        T r = OP##w##_f((T)c->x[d->rn], (T)d->imm, &f);                                \
        STORE;                                                                         \
        return fused_bcond(c, d, f);                                                   \
    }
ARITHI_BCOND(subsi64, 64, uint64_t, sub, c->x[d->rd] = r)
ARITHI_BCOND(subsi32, 32, uint32_t, sub, c->x[d->rd] = r)
ARITHI_BCOND(addsi64, 64, uint64_t, add, c->x[d->rd] = r)
ARITHI_BCOND(addsi32, 32, uint32_t, add, c->x[d->rd] = r)
ARITHI_BCOND(cmni64, 64, uint64_t, add, (void)r)
ARITHI_BCOND(cmni32, 32, uint32_t, add, (void)r)

InsnFn fused_dp_imm(InsnFn fn)
{
    static const struct { InsnFn plain, fused; } pairs[] = {
        {exec_cmpi64, exec_cmpi64_bcond},   {exec_cmpi32, exec_cmpi32_bcond},
        {exec_andsi64, exec_andsi64_bcond}, {exec_andsi32, exec_andsi32_bcond},
        {exec_subsi64, exec_subsi64_bcond}, {exec_subsi32, exec_subsi32_bcond},
        {exec_addsi64, exec_addsi64_bcond}, {exec_addsi32, exec_addsi32_bcond},
        {exec_cmni64, exec_cmni64_bcond},   {exec_cmni32, exec_cmni32_bcond},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i].plain == fn)
            return pairs[i].fused;
    return NULL;
}

/* ------------------------------------------------------- move wide ---- */

/* MOVK: d->imm = imm16 << shift, d->f0 = shift. */
H exec_movk64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (c->x[d->rd] & ~(0xffffull << d->f0)) | d->imm;
    return insn_next(c, d + 1);
}

H exec_movk32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint32_t)((c->x[d->rd] & ~(0xffffull << d->f0)) | d->imm);
    return insn_next(c, d + 1);
}

static void decode_movewide(uint32_t raw, Insn *d)
{
    bool sf = bit(raw, 31);
    unsigned opc = bits(raw, 30, 29), hw = bits(raw, 22, 21);
    if (opc == 1 || (!sf && hw >= 2))
        return;
    unsigned shift = hw * 16;
    uint64_t imm = (uint64_t)bits(raw, 20, 5) << shift;
    d->rd = reg_zr_dst(bits(raw, 4, 0));
    d->f0 = (uint8_t)shift;
    switch (opc) {
    case 0: /* MOVN */
        d->imm = sf ? ~imm : (uint32_t)~imm;
        d->fn = exec_movi;
        break;
    case 2: /* MOVZ */
        d->imm = imm;
        d->fn = exec_movi;
        break;
    default: /* MOVK */
        d->imm = imm;
        d->fn = sf ? exec_movk64 : exec_movk32;
        break;
    }
}

/* -------------------------------------------------------- bitfield ---- */

/* The field is isolated and placed with a shift pair on the 64-bit value:
 * (Xn << f0) >> f1, with f0 = 63 - imms putting the field's top bit at bit 63.
 * This covers both the extract (imms >= immr) and insert (imms < immr) forms,
 * for 32- and 64-bit operations alike. */
H exec_ubfm(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (c->x[d->rn] << d->f0) >> d->f1;
    return insn_next(c, d + 1);
}

H exec_sbfm64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint64_t)((int64_t)(c->x[d->rn] << d->f0) >> d->f1);
    return insn_next(c, d + 1);
}

H exec_sbfm32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint32_t)((int64_t)(c->x[d->rn] << d->f0) >> d->f1);
    return insn_next(c, d + 1);
}

/* BFM: d->imm is the mask of the destination bits that receive the field. */
H exec_bfm64(Cpu *c, const Insn *d)
{
    uint64_t field = (c->x[d->rn] << d->f0) >> d->f1;
    c->x[d->rd] = (c->x[d->rd] & ~d->imm) | field;
    return insn_next(c, d + 1);
}

H exec_bfm32(Cpu *c, const Insn *d)
{
    uint64_t field = (c->x[d->rn] << d->f0) >> d->f1;
    c->x[d->rd] = (uint32_t)((c->x[d->rd] & ~d->imm) | field);
    return insn_next(c, d + 1);
}

/* The most frequent aliases, as single shifts: LSL, LSR, ASR (immediate). */
H exec_lsli64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = c->x[d->rn] << d->f2;
    return insn_next(c, d + 1);
}

H exec_lsli32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint32_t)(c->x[d->rn] << d->f2);
    return insn_next(c, d + 1);
}

H exec_lsri64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = c->x[d->rn] >> d->f2;
    return insn_next(c, d + 1);
}

H exec_lsri32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint32_t)c->x[d->rn] >> d->f2;
    return insn_next(c, d + 1);
}

H exec_asri64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint64_t)((int64_t)c->x[d->rn] >> d->f2);
    return insn_next(c, d + 1);
}

H exec_asri32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (uint32_t)((int32_t)(uint32_t)c->x[d->rn] >> d->f2);
    return insn_next(c, d + 1);
}

static void decode_bitfield(uint32_t raw, Insn *d)
{
    bool sf = bit(raw, 31);
    unsigned opc = bits(raw, 30, 29), n = bit(raw, 22);
    unsigned immr = bits(raw, 21, 16), imms = bits(raw, 15, 10);
    unsigned width = sf ? 64 : 32;
    if (opc == 3)
        return;
    if (sf ? !n : (n || immr >= 32 || imms >= 32))
        return;
    d->rd = reg_zr_dst(bits(raw, 4, 0));
    d->rn = reg_zr(bits(raw, 9, 5));
    unsigned fw, lsb; /* field width and its position in the result */
    if (imms >= immr) {
        fw = imms - immr + 1;
        lsb = 0;
    } else {
        fw = imms + 1;
        lsb = width - immr;
    }
    d->f0 = (uint8_t)(63 - imms);
    d->f1 = (uint8_t)(64 - fw - lsb);
    switch (opc) {
    case 0: /* SBFM: ASR, SBFIZ, SBFX, SXTB, SXTH, SXTW */
        if (imms == width - 1) {
            d->f2 = (uint8_t)immr;
            d->fn = sf ? exec_asri64 : exec_asri32;
        } else {
            d->fn = sf ? exec_sbfm64 : exec_sbfm32;
        }
        break;
    case 1: /* BFM: BFI, BFXIL */
        d->imm = (fw == 64 ? ~0ull : (1ull << fw) - 1) << lsb;
        d->fn = sf ? exec_bfm64 : exec_bfm32;
        break;
    default: /* UBFM: LSL, LSR, UBFIZ, UBFX, UXTB, UXTH */
        if (imms == width - 1) {
            d->f2 = (uint8_t)immr;
            d->fn = sf ? exec_lsri64 : exec_lsri32;
        } else if (imms + 1 == immr) {
            d->f2 = (uint8_t)lsb;
            d->fn = sf ? exec_lsli64 : exec_lsli32;
        } else {
            d->fn = exec_ubfm;
        }
        break;
    }
}

/* --------------------------------------------------------- extract ---- */

/* EXTR: Rd = (Rn:Rm) >> f0; f0 = lsb (1..width-1; lsb 0 is a plain move). */
H exec_extr64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = (c->x[d->rm] >> d->f0) | (c->x[d->rn] << (64 - d->f0));
    return insn_next(c, d + 1);
}

H exec_extr32(Cpu *c, const Insn *d)
{
    uint32_t lo = (uint32_t)c->x[d->rm], hi = (uint32_t)c->x[d->rn];
    c->x[d->rd] = (lo >> d->f0) | (hi << (32 - d->f0));
    return insn_next(c, d + 1);
}

H exec_ror64(Cpu *c, const Insn *d)
{
    c->x[d->rd] = ror64(c->x[d->rn], d->f0);
    return insn_next(c, d + 1);
}

H exec_ror32(Cpu *c, const Insn *d)
{
    c->x[d->rd] = ror32((uint32_t)c->x[d->rn], d->f0);
    return insn_next(c, d + 1);
}

/* EXTR with lsb 0 is Rd = Rm: the MOV (register) handlers of dp_reg.c. */

static void decode_extract(uint32_t raw, Insn *d)
{
    bool sf = bit(raw, 31);
    unsigned op21 = bits(raw, 30, 29), n = bit(raw, 22), o0 = bit(raw, 21);
    unsigned imms = bits(raw, 15, 10), rn = bits(raw, 9, 5), rm = bits(raw, 20, 16);
    if (op21 != 0 || o0 != 0 || n != (unsigned)sf || (!sf && imms >= 32))
        return;
    d->rd = reg_zr_dst(bits(raw, 4, 0));
    d->rn = reg_zr(rn);
    d->rm = reg_zr(rm);
    d->f0 = (uint8_t)imms;
    if (imms == 0)
        d->fn = sf ? exec_mov64 : exec_mov32;
    else if (rn == rm)
        d->fn = sf ? exec_ror64 : exec_ror32;
    else
        d->fn = sf ? exec_extr64 : exec_extr32;
}

/* ------------------------------------------------------------------------ */

bool decode_dp_imm(uint32_t raw, Insn *d)
{
    if (bits(raw, 28, 26) != 4)
        return false;
    switch (bits(raw, 25, 23)) {
    case 0: case 1: decode_pcrel(raw, d); break;
    case 2: case 3: decode_addsub_imm(raw, d); break;
    case 4: decode_logic_imm(raw, d); break;
    case 5: decode_movewide(raw, d); break;
    case 6: decode_bitfield(raw, d); break;
    default: decode_extract(raw, d); break;
    }
    return true;
}
