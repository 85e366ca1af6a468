#include "mmu/walk.h"

#include "cpu/exception.h"

#define PA_BITS 40
#define DESC_ADDR_MASK 0x0000fffffffff000ull

enum { TCR_EPD0 = 1u << 7, TCR_EPD1 = 1u << 23, TCR_A1 = 1u << 22 };
#define TCR_AS (1ull << 36)
#define TCR_TBI0 (1ull << 37)
#define TCR_TBI1 (1ull << 38)
#define SCTLR_WXN (1u << 19)

uint16_t walk_current_asid(const SysRegs *sr)
{
    uint64_t ttbr = (sr->tcr & TCR_A1) ? sr->ttbr1 : sr->ttbr0;
    uint16_t asid = (uint16_t)(ttbr >> 48);
    return (sr->tcr & TCR_AS) ? asid : (asid & 0xff);
}

static unsigned clamp_tsz(unsigned tsz)
{
    /* v8.0 without LVA: 16..39 are meaningful; QEMU clamps the same way. */
    return tsz < 16 ? 16 : tsz > 39 ? 39 : tsz;
}

/* Permissions of a leaf from its AP/XN bits and the table restrictions above it. */
static uint8_t leaf_perms(uint64_t desc, unsigned aptable, bool uxntable, bool pxntable, bool wxn)
{
    unsigned ap = (desc >> 6) & 3;
    if (aptable & 2)
        ap |= 2;  /* APTable[1]: no writes below */
    if (aptable & 1)
        ap &= ~1u; /* APTable[0]: no EL0 access below */
    bool user_r = ap & 1;
    bool user_w = ap == 1;
    bool priv_w = !(ap & 2);
    bool uxn = ((desc >> 54) & 1) || uxntable || (user_w && wxn);
    bool pxn = ((desc >> 53) & 1) || pxntable || (priv_w && wxn) || user_w;
    uint8_t p = PERM_R1;
    if (priv_w)
        p |= PERM_W1;
    if (!pxn)
        p |= PERM_X1;
    if (user_r)
        p |= PERM_R0;
    if (user_w)
        p |= PERM_W0;
    if (!uxn)
        p |= PERM_X0;
    return p;
}

void walk_stage1(const SysRegs *sr, uint64_t va, bool data, WalkRead read, void *opaque, WalkResult *out)
{
    *out = (WalkResult){0};
    uint64_t tcr = sr->tcr;
    bool upper = data ? (va >> 55) & 1 : (va >> 63) & 1;
    bool tbi = data && (upper ? (tcr & TCR_TBI1) : (tcr & TCR_TBI0));
    uint64_t addr = va;
    if (tbi) {
        addr = upper ? (va | 0xff00000000000000ull) : (va & 0x00ffffffffffffffull);
        out->tagged = addr != va;
    }
    unsigned tsz = clamp_tsz(upper ? (tcr >> 16) & 63 : tcr & 63);
    unsigned ia_bits = 64 - tsz;
    uint64_t ttbr = upper ? sr->ttbr1 : sr->ttbr0;
    bool disabled = upper ? (tcr & TCR_EPD1) : (tcr & TCR_EPD0);
    /* The bits above the input size must all equal the region bit. */
    uint64_t top = (uint64_t)((int64_t)addr >> ia_bits);
    if (top != (upper ? ~0ull : 0) || disabled) {
        out->fsc = FSC_TRANSLATION + 0;
        out->fault = true;
        return;
    }
    out->asid = walk_current_asid(sr);

    unsigned levels = (ia_bits - 12 + 8) / 9;
    unsigned level = 4 - levels;
    /* The first table may be smaller than a page: it is aligned to its size. */
    unsigned first_bits = ia_bits - (12 + 9 * (3 - level));
    uint64_t table = ttbr & 0x0000fffffffffffeull & ~((8ull << first_bits) - 1);
    if (ttbr & 0x0000ff0000000000ull) {
        out->fsc = FSC_ADDR_SIZE + 0;
        out->fault = true;
        return;
    }
    unsigned aptable = 0;
    bool uxntable = false, pxntable = false;
    bool wxn = sr->sctlr & SCTLR_WXN;
    for (;; level++) {
        unsigned shift = 12 + 9 * (3 - level);
        unsigned bits_here = level == 4 - levels ? first_bits : 9;
        unsigned idx = (addr >> shift) & ((1u << bits_here) - 1);
        uint64_t desc;
        out->descs++;
        if (!read(opaque, table + idx * 8ull, &desc)) {
            out->fsc = 0x14 + level; /* synchronous external abort on the walk */
            out->fault = true;
            out->level = (uint8_t)level;
            return;
        }
        unsigned type = desc & 3;
        bool is_table = type == 3 && level < 3;
        bool is_leaf = (type == 3 && level == 3) || (type == 1 && (level == 1 || level == 2));
        if (!is_table && !is_leaf) {
            out->fsc = FSC_TRANSLATION + level;
            out->fault = true;
            out->level = (uint8_t)level;
            return;
        }
        uint64_t oa = desc & DESC_ADDR_MASK;
        if (oa >> PA_BITS) {
            out->fsc = FSC_ADDR_SIZE + level;
            out->fault = true;
            out->level = (uint8_t)level;
            return;
        }
        if (is_table) {
            aptable |= (desc >> 61) & 3;
            uxntable |= (desc >> 60) & 1;
            pxntable |= (desc >> 59) & 1;
            table = oa;
            continue;
        }
        out->level = (uint8_t)level;
        if (!((desc >> 10) & 1)) {
            out->fsc = FSC_ACCESS_FLAG + level;
            out->fault = true;
            return;
        }
        uint64_t block_mask = (1ull << shift) - 1;
        out->pa = ((oa & ~block_mask) | (addr & block_mask)) & ~0xfffull;
        out->perms = leaf_perms(desc, aptable, uxntable, pxntable, wxn);
        out->global = !((desc >> 11) & 1);
        out->attrs = (uint8_t)(((desc >> 2) & 7) | (((desc >> 8) & 3) << 3));
        return;
    }
}
