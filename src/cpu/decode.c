/* Top-level A64 decode: the op0 field (bits 28:25) selects the group. */
#include <string.h>

#include "cpu/insn.h"

typedef bool (*Decoder)(uint32_t raw, Insn *d);

/* A decoder that declines an encoding may have scribbled on d: start afresh. */
static bool try_decode(Decoder f, uint32_t raw, Insn *d)
{
    if (f(raw, d))
        return true;
    *d = (Insn){.fn = exec_undefined, .raw = raw};
    return false;
}

static void decode_group(uint32_t raw, Insn *d)
{
    switch (bits(raw, 28, 25)) {
    case 0x8: case 0x9: /* data processing, immediate */
        try_decode(decode_dp_imm, raw, d);
        return;
    case 0xa: case 0xb: /* branches, exception generation, system */
        if (!try_decode(decode_branch, raw, d))
            try_decode(decode_system, raw, d);
        return;
    case 0x4: case 0x6: case 0xc: case 0xe: /* loads and stores */
        if (!try_decode(decode_simd_ldst, raw, d))
            try_decode(decode_ldst, raw, d);
        return;
    case 0x5: case 0xd: /* data processing, register */
        try_decode(decode_dp_reg, raw, d);
        return;
    case 0x7: case 0xf: /* scalar FP and AdvSIMD, the Cryptographic Extension */
        if (!try_decode(decode_crypto, raw, d) && !try_decode(decode_fp_scalar, raw, d) && !try_decode(decode_simd_fp, raw, d) &&
            !try_decode(decode_simd_perm, raw, d))
            try_decode(decode_simd_int, raw, d);
        return;
    default: /* 0000 reserved (UDF), 0001 unallocated, 0010 SVE, 0011 unallocated */
        return;
    }
}

void decode_insn(uint32_t raw, Insn *d)
{
    *d = (Insn){.fn = exec_undefined, .raw = raw};
    decode_group(raw, d);
}

void fuse_insn(Insn *d, uint32_t next_raw)
{
    bool bcond = (next_raw & 0xff000010u) == 0x54000000u && bits(next_raw, 3, 0) < 14;
    if (!bcond)
        return;
    InsnFn f = fused_dp_imm(d->fn);
    if (!f)
        f = fused_dp_reg(d->fn);
    if (!f)
        return;
    uint32_t mask = cond_table[bits(next_raw, 3, 0)];
    int32_t off = (int32_t)sext(bits(next_raw, 23, 5), 19) * (int32_t)sizeof(Insn);
    d->f2 = (uint8_t)mask, d->f3 = (uint8_t)(mask >> 8);
    memcpy(&d->f4, &off, sizeof off);
    d->fn = f;
}
