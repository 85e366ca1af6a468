/* The differential campaign's shared definitions: the fixed memory layout of a
 * test image, the state block the prologue loads and the epilogue stores, the
 * wire format between the host campaign and the QEMU-side runner, and the
 * deterministic data-window filler both sides use.
 *
 * Included by tests/diff/qemu-runner.c (built for arm64) and by the host
 * tools (x86-64); both are little-endian, the structures have no padding. */
#ifndef TANDEM_DIFF_LAYOUT_H
#define TANDEM_DIFF_LAYOUT_H

#include <stdint.h>

/* One 16 KiB region, identical addresses on both sides. Nothing is mapped
 * below DIFF_BASE or above DIFF_END: accesses there fault on both sides. */
#define DIFF_BASE 0x40000000ull
#define DIFF_DATA 0x40000000ull   /* 4 KiB data window loads/stores work on */
#define DIFF_DATA_SIZE 0x1000u
#define DIFF_STATE 0x40001000ull  /* state block page */
#define DIFF_CODE 0x40002000ull   /* prologue, epilogue, end marker */
#define DIFF_TEST 0x40003000ull   /* back ladder, test instructions, forward ladder */
#define DIFF_END 0x40004000ull
#define DIFF_SIZE (DIFF_END - DIFF_BASE)

#define DIFF_SP (DIFF_DATA + 0x800)          /* SP while a test runs (inside the window) */
#define DIFF_STATE_IN (DIFF_STATE + 0x000)   /* the prologue loads this */
#define DIFF_STATE_OUT (DIFF_STATE + 0x400)  /* the epilogue stores here */
#define DIFF_SAVE (DIFF_STATE + 0x800)       /* runner's {sp, return address} */

#define DIFF_EPI (DIFF_CODE + 0x800)         /* epilogue entry */
#define DIFF_MARK_IMM 0x7a7a                 /* BRK #imm after the epilogue's RET */

/* Test page: the back ladder (BACK_SLOTS x "add x17,x17,#1", then "b EPI")
 * catches backward branches, the test instructions start at DIFF_TEST_START,
 * the forward ladder ("add x16,x16,#1" x FWD_SLOTS, then "b EPI") catches
 * forward ones. Classes without branches use "b EPI" right after the tests. */
#define DIFF_BACK_SLOTS 63
#define DIFF_TEST_START (DIFF_TEST + 0x100)
#define DIFF_MAX_INSNS 4
#define DIFF_FWD_SLOTS 60

/* The architectural state moved in and out of a test (800 bytes). */
typedef struct DiffState {
    uint64_t x[31];
    uint64_t sp;
    uint64_t nzcv; /* MRS NZCV format */
    uint64_t fpcr;
    uint64_t fpsr;
    uint64_t pad;
    uint64_t v[32][2]; /* Q registers, low half first */
} DiffState;

#define DS_OFF_X 0
#define DS_OFF_SP 248
#define DS_OFF_NZCV 256
#define DS_OFF_FPCR 264
#define DS_OFF_FPSR 272
#define DS_OFF_V 288
_Static_assert(sizeof(DiffState) == 800, "DiffState layout");

/* ---- wire format ----
 * host -> runner, per case: CaseHdr, npatch x {uint32 offset (from DIFF_BASE),
 * uint32 word}, then the input DiffState. The runner keeps the code pages
 * between cases; patches change only what differs from the previous case.
 * runner -> host, per case: ResultHdr, the final DiffState, then
 * ndata x {uint32 index, uint32 pad, uint64 value}: the 8-byte words of the
 * data window that differ from their initial (seeded) contents. */
#define DIFF_MAGIC 0x54444946u /* "FIDT" */
#define DIFF_MAGIC_END 0x444e4546u /* last record: the runner exits */

typedef struct CaseHdr {
    uint32_t magic;
    uint32_t npatch;
    uint64_t data_seed;
    uint64_t entry; /* where the runner jumps: DIFF_CODE (the prologue) */
} CaseHdr;

/* Outcome of a case. kind 0 = ran to the end; otherwise a Linux signal
 * number (SIGILL 4, SIGTRAP 5, SIGBUS 7, SIGFPE 8, SIGSEGV 11) or one of: */
#define DIFF_KIND_TIMEOUT 1000
#define DIFF_KIND_OTHER 1001 /* Tandem: an exception with no Linux mapping */

typedef struct ResultHdr {
    uint32_t magic;
    uint32_t kind;
    uint64_t pc;   /* faulting PC (kind != 0) */
    uint64_t addr; /* si_addr / FAR (kind != 0) */
    uint32_t ndata;
    uint32_t esr; /* Tandem side only: the syndrome, for reports */
} ResultHdr;

typedef struct DataWord {
    uint32_t index, pad;
    uint64_t value;
} DataWord;

/* ---- deterministic randomness shared by both sides ---- */
static inline uint64_t diff_mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Initial contents of the data window for `seed`: random bytes with some
 * interesting 8-byte words (zero, all ones, sign bits, FP specials). */
static inline void diff_fill_data(uint64_t *w, uint64_t seed)
{
    static const uint64_t special[] = {
        0, ~0ull, 1, 0x8000000000000000ull, 0x7fffffffffffffffull, 0x80000000ull,
        0x7fffffff, 0xffffffff, 0x7ff0000000000000ull, 0xfff8000000000000ull,
        0x7ff4000000000001ull, 0x3ff0000000000000ull, 0x000fffffffffffffull,
        0x7f8000007fc00000ull, 0x7fa0000100000001ull, 0x3f80000000800000ull,
        0x0000800000007fffull, 0xff800000bf800000ull,
    };
    uint64_t s = seed;
    for (unsigned i = 0; i < DIFF_DATA_SIZE / 8; i++) {
        uint64_t r = diff_mix(&s);
        if ((r & 7) == 0)
            w[i] = special[(r >> 8) % (sizeof special / sizeof special[0])];
        else
            w[i] = diff_mix(&s);
    }
}

#endif
