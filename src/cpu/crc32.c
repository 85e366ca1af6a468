/* CRC32B/H/W/X and CRC32CB/H/W/X (ARMv8.0 CRC32 extension). The
 * accumulator Wn is updated with the low 8/16/32/64 bits of Rm, least
 * significant byte first, bit-reflected, with no inversion before or after
 * (the caller's code does those): polynomial 0x04C11DB7 for CRC32 (as
 * zlib), 0x1EDC6F41 for CRC32C (Castagnoli, as iSCSI and ext4). One table
 * lookup per byte; the tables are built once, before main. */
#include "cpu/insn.h"

static uint32_t crc_table[2][256]; /* [0] CRC32, [1] CRC32C, reflected */

__attribute__((constructor)) static void crc_tables_init(void)
{
    static const uint32_t reflected_poly[2] = {0xedb88320u, 0x82f63b78u};
    for (unsigned k = 0; k < 2; k++)
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t r = i;
            for (int b = 0; b < 8; b++)
                r = (r >> 1) ^ (reflected_poly[k] & -(r & 1));
            crc_table[k][i] = r;
        }
}

static inline uint32_t crc_update(const uint32_t *t, uint32_t acc, uint64_t val, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++, val >>= 8)
        acc = (acc >> 8) ^ t[(acc ^ val) & 0xff];
    return acc;
}

#define CRC(name, table, bytes)                                                            \
    static const Insn *exec_##name(Cpu *c, const Insn *d)                                  \
    {                                                                                      \
        c->x[d->rd] = crc_update(crc_table[table], (uint32_t)c->x[d->rn], c->x[d->rm], bytes); \
        return insn_next(c, d + 1);                                                        \
    }
CRC(crc32b, 0, 1)
CRC(crc32h, 0, 2)
CRC(crc32w, 0, 4)
CRC(crc32x, 0, 8)
CRC(crc32cb, 1, 1)
CRC(crc32ch, 1, 2)
CRC(crc32cw, 1, 4)
CRC(crc32cx, 1, 8)

/* Data processing (2 source) with opcode 010 C sz: sf 0 0 11010110 Rm 010 C sz Rn Rd.
 * The X forms need sf = 1, the others sf = 0. */
bool decode_crc32(uint32_t raw, Insn *d)
{
    static const InsnFn fns[2][4] = {
        {exec_crc32b, exec_crc32h, exec_crc32w, exec_crc32x},
        {exec_crc32cb, exec_crc32ch, exec_crc32cw, exec_crc32cx},
    };
    unsigned sz = bits(raw, 11, 10);
    if (bits(raw, 15, 13) != 2 || bit(raw, 29) || bit(raw, 31) != (sz == 3))
        return false;
    d->rd = reg_zr_dst(bits(raw, 4, 0));
    d->rn = reg_zr(bits(raw, 9, 5));
    d->rm = reg_zr(bits(raw, 20, 16));
    d->fn = fns[bit(raw, 12)][sz];
    return true;
}
