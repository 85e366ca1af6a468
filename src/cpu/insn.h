/* Decoded instructions and the conventions every instruction file follows.
 *
 * A guest physical page of code is decoded lazily into a DecodedPage: 1024
 * Insn entries plus a sentinel. Each entry starts as the "decode me" stub;
 * the first execution decodes the raw word into the entry (handler + fields
 * extracted once) and runs it. A guest write to the page detaches it from its
 * decoded page, so self-modifying code and newly loaded programs are seen.
 *
 * A handler executes one instruction and ends with `insn_next(c, next)`:
 *   - straight-line code passes `d + 1` (the sentinel after the last entry
 *     continues on the following page), so no PC is kept while running;
 *   - a taken branch passes `cpu_branch(c, target)`;
 *   - an instruction that changed interrupt masks, translation or EL passes
 *     `cpu_branch_sync(c, next_pc)`, which also ends the time slice;
 *   - a fault never returns: the raise_* functions in exception.h jump out.
 * insn_next counts the instruction and runs the next one by a tail call
 * (threaded dispatch: each handler has its own indirect jump, so the host
 * predicts each guest instruction's successor from its own history), and
 * returns to the run loop only when the slice ends.
 * The PC of the instruction being executed is `insn_pc(c, d)`.
 *
 * Decoders are `bool decode_xxx(uint32_t raw, Insn *d)`: they return false
 * for encodings that are not theirs, true after filling d (d->fn may be set to
 * exec_undefined for reserved encodings they own). Decoding must not depend
 * on CPU state (EL, FPCR...): one decoded page serves every context and
 * every guest page with the same bytes; such checks belong in the handler. */
#ifndef TANDEM_INSN_H
#define TANDEM_INSN_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"

typedef struct Insn Insn;
typedef const Insn *(*InsnFn)(Cpu *c, const Insn *d);

struct Insn {
    InsnFn fn;
    uint32_t raw;
    uint8_t rd, rn, rm, ra; /* register slots, already mapped (see reg_* below) */
    uint8_t f0, f1, f2, f3; /* small decode-time fields, meaning set by the decoder */
    uint8_t f4, f5, f6, f7;
    uint64_t imm; /* decoded immediate */
};

#define INSNS_PER_PAGE 1024

/* A guest page a decoded page serves: one vCPU's code cache, one page of its RAM. */
typedef struct CodeUser {
    struct CodeCache *cc;
    uint32_t gfn;
} CodeUser;

/* Decoded from one page's bytes; shared by every page holding them (code_share.h). */
typedef struct DecodedPage {
    Insn insn[INSNS_PER_PAGE + 1]; /* last: sentinel that continues on the next page */
    uint64_t hash;                 /* of the bytes every user's page holds */
    struct DecodedPage *next;      /* hash chain, or the retired list */
    CodeUser *user;
    uint32_t nusers, cap;
    bool referenced; /* looked up since the clock last passed (code_share.c) */
    bool evicting;   /* chosen by the clock: code TLBs must let go of it */
} DecodedPage;

/* ---- field extraction ---- */
static inline uint32_t bits(uint32_t raw, unsigned hi, unsigned lo)
{
    return (raw >> lo) & ((2u << (hi - lo)) - 1);
}
static inline uint32_t bit(uint32_t raw, unsigned n) { return (raw >> n) & 1; }
static inline int64_t sext(uint64_t v, unsigned width)
{
    return (int64_t)(v << (64 - width)) >> (64 - width);
}

/* Register 31 in an encoding means XZR or SP depending on the operand. */
static inline uint8_t reg_zr(uint32_t n) { return (uint8_t)n; } /* read: x[31] is 0 */
static inline uint8_t reg_zr_dst(uint32_t n) { return (uint8_t)(n == 31 ? REG_SINK : n); }
static inline uint8_t reg_sp(uint32_t n) { return (uint8_t)(n == 31 ? REG_SP : n); }

/* ---- execution helpers ---- */
static inline uint64_t insn_pc(const Cpu *c, const Insn *d)
{
    return c->code_va + (uint64_t)(d - c->code_page->insn) * 4;
}

/* Continue at `target` (same page: direct; else through the code TLB). */
const Insn *cpu_branch(Cpu *c, uint64_t target);

/* Threaded dispatch needs the compiler to turn `return n->fn(c, n)` into a
 * jump; without sibling-call optimisation each instruction would nest a
 * frame, so such builds return to the run loop after every instruction. */
#if defined(__OPTIMIZE__) && !defined(CPU_NO_THREADING)
#define CPU_THREADED 1
#else
#define CPU_THREADED 0
#endif

/* End of every handler: count the instruction just executed and run `n`,
 * or return `n` to run_slice when the slice is over. An entry returned
 * without it is counted by run_slice instead (see there). */
__attribute__((always_inline)) static inline const Insn *insn_next(Cpu *c, const Insn *n)
{
    if (CPU_THREADED && __builtin_expect(--c->slice_left != 0, 1)) {
        c->cur = n;
        return n->fn(c, n);
    }
    return n;
}

/* Continue at `target` after re-checking interrupts and translation state. */
const Insn *cpu_branch_sync(Cpu *c, uint64_t target);

/* Handlers shared by all decoders. */
const Insn *exec_undefined(Cpu *c, const Insn *d);
const Insn *exec_nop(Cpu *c, const Insn *d);

/* Raises the FP/SIMD access trap if CPACR forbids FP at this EL. Every
 * FP/SIMD handler (and FP/SIMD load/store) calls this first. */
_Noreturn void fp_access_trap(Cpu *c, const Insn *d);
static inline void fp_check(Cpu *c, const Insn *d)
{
    if (__builtin_expect(!c->fp_enabled, 0))
        fp_access_trap(c, d);
}

/* Condition codes: cond_holds(c, cond) for the 4-bit cond field. */
extern const uint16_t cond_table[16];
static inline bool cond_holds(const Cpu *c, unsigned cond)
{
    return (cond_table[cond] >> c->nzcv) & 1;
}

/* ---- top-level decoder and the instruction-group decoders ---- */
void decode_insn(uint32_t raw, Insn *d);
/* Decode-time fusion of d with the instruction after it in the same page
 * (next_raw): a compare followed by B.cond becomes one handler that still
 * counts, and may stop between, two instructions (dp_imm.c). */
void fuse_insn(Insn *d, uint32_t next_raw);
InsnFn fused_dp_imm(InsnFn fn); /* the fused form of a handler, or NULL */
InsnFn fused_dp_reg(InsnFn fn);

/* The B.cond half of a fused compare: f2/f3 hold the condition's cond_table
 * mask, f4..f7 the branch offset in bytes of Insn from the B.cond's entry
 * (d + 1), which still exists for jumps into it. The flags are tested in a
 * register and one dispatch is saved. */
__attribute__((always_inline)) static inline const Insn *fused_bcond(Cpu *c, const Insn *d,
                                                                     uint32_t nzcv)
{
    const Insn *b = d + 1;
    c->nzcv = nzcv;
    if (__builtin_expect(c->slice_left <= 1, 0)) /* the slice ends after the compare */
        return insn_next(c, b);
    c->slice_left--; /* the compare; insn_next (or run_slice) counts the branch */
    c->cur = b;
    uint32_t mask = d->f2 | (uint32_t)d->f3 << 8;
    if (!((mask >> nzcv) & 1))
        return insn_next(c, d + 2);
    int32_t off;
    __builtin_memcpy(&off, &d->f4, sizeof off);
    const char *base = (const char *)c->code_page->insn, *t = (const char *)b + off;
    if (__builtin_expect((uintptr_t)(t - base) < INSNS_PER_PAGE * sizeof(Insn), 1))
        return insn_next(c, (const Insn *)t);
    int64_t words = off / (int32_t)sizeof(Insn);
    return insn_next(c, cpu_branch(c, insn_pc(c, b) + (uint64_t)words * 4));
}

bool decode_dp_imm(uint32_t raw, Insn *d);      /* dp_imm.c */
bool decode_dp_reg(uint32_t raw, Insn *d);      /* dp_reg.c */
bool decode_crc32(uint32_t raw, Insn *d);      /* crc32.c: CRC32 and CRC32C (from decode_dp_reg) */
bool decode_branch(uint32_t raw, Insn *d);      /* branch.c */
bool decode_system(uint32_t raw, Insn *d);      /* system.c: exceptions gen, sysreg, hints, barriers */
bool decode_ldst(uint32_t raw, Insn *d);        /* ldst.c: GPR and FP/SIMD register loads/stores */
bool decode_simd_ldst(uint32_t raw, Insn *d);   /* simd_ldst.c: LD1-4/ST1-4 structures, LDnR */
bool decode_fp_scalar(uint32_t raw, Insn *d);   /* fp_scalar.c */
bool decode_simd_fp(uint32_t raw, Insn *d);     /* simd_fp.c: AdvSIMD floating-point forms */
bool decode_simd_perm(uint32_t raw, Insn *d);   /* simd_perm.c: AdvSIMD copy, permute, extract, table, modified immediate */
bool decode_simd_int(uint32_t raw, Insn *d);    /* simd_int.c: AdvSIMD integer arithmetic, shifts, reductions */
bool decode_crypto(uint32_t raw, Insn *d);     /* crypto.c: AES, SHA1, SHA256, PMULL .1Q */

#endif
