/* The AArch64 vCPU: architectural state and the interpreter's entry points.
 *
 * Guest code is decoded once into per-physical-page arrays of Insn (see insn.h)
 * and executed by calling each entry's handler, which returns the next entry.
 * All guest memory access goes through the mmu layer (mmu/mmu.h). */
#ifndef TANDEM_CPU_H
#define TANDEM_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpu/debug.h"
#include "cpu/pmu.h"
#include "mmu/tlb.h"

struct Bus;
struct Cpu;
struct Insn;
struct CodeCache;

/* Register file slots. Decoders map encoding register 31 to REG_ZR (reads as
 * zero), REG_SP (the current stack pointer) or REG_SINK (writes to XZR land
 * here and are never read), so handlers never test for register 31. */
enum { REG_ZR = 31, REG_SP = 32, REG_SINK = 33, REG_SLOTS = 34 };

/* A whole vector register as one host vector: writing it in one piece lets
 * the next full-width read take the value straight from the store. */
typedef uint64_t VU64x2 __attribute__((vector_size(16)));

typedef union VReg {
    VU64x2 u;
    uint8_t b[16];
    int8_t sb[16];
    uint16_t h[8];
    int16_t sh[8];
    uint32_t s[4];
    int32_t ss[4];
    uint64_t d[2];
    int64_t sd[2];
    float f32[4];
    double f64[2];
    unsigned __int128 q;
} __attribute__((aligned(16))) VReg;

/* Writes both halves as one store (see VU64x2). */
static inline void vreg_set(VReg *r, uint64_t lo, uint64_t hi)
{
    r->u = (VU64x2){lo, hi};
}

/* PSTATE.NZCV as a 4-bit value: N=8 Z=4 C=2 V=1. */
enum { NZCV_N = 8, NZCV_Z = 4, NZCV_C = 2, NZCV_V = 1 };
/* PSTATE.DAIF as a 4-bit value: D=8 A=4 I=2 F=1 (bits 9:6 of SPSR). */
enum { DAIF_D = 8, DAIF_A = 4, DAIF_I = 2, DAIF_F = 1 };

/* Why cpu_run returned. */
typedef enum CpuExit {
    CPU_EXIT_BUDGET,    /* ran the requested number of instructions */
    CPU_EXIT_WFI,       /* waiting for an interrupt */
    CPU_EXIT_STOP,      /* cpu_request_stop() was called (power off, reset, quit) */
    CPU_EXIT_EXCEPTION, /* halt_on_exception is set and an exception was taken */
    CPU_EXIT_NOMEM,     /* an access needs a machine frame the pool cannot give; pc restarts it */
    CPU_EXIT_DEBUG,     /* the host debugger's breakpoint, watchpoint or step (hdbg.stop) */
} CpuExit;

/* The EL1 system registers Tandem implements (EL0/EL1 only, no EL2/EL3). */
typedef struct SysRegs {
    uint64_t sctlr, actlr, cpacr;
    uint64_t ttbr0, ttbr1, tcr, mair, amair;
    uint64_t vbar, elr, spsr, esr, far, par;
    uint64_t afsr0, afsr1, contextidr;
    uint64_t tpidr_el0, tpidrro_el0, tpidr_el1;
    uint64_t sp_el0, sp_el1; /* the banked stack pointers not currently in x[REG_SP] */
    uint64_t mdscr, oslsr, cntkctl;
    uint64_t cntv_ctl, cntv_cval, cntp_ctl, cntp_cval;
    uint64_t csselr;
    uint64_t mdccint; /* kept for the guest; the debug comms channel is not modelled */
    DebugRegs dbg;
} SysRegs;

/* Hooks the board gives the CPU for what the architecture leaves to the platform. */
typedef struct CpuPlatform {
    void *opaque;
    /* HVC from EL1: firmware call (PSCI). Return false to make HVC undefined. */
    bool (*hvc)(void *opaque, struct Cpu *cpu, uint16_t imm);
    /* The generic timer's count (CNTVCT/CNTPCT) in ticks of cntfrq. */
    uint64_t (*counter)(void *opaque);
    /* Level of the IRQ and FIQ lines into this CPU (from the interrupt controller). */
    bool (*irq_pending)(void *opaque);
    /* Where decoded pages are kept (code_share.h); NULL: the vCPU's own. */
    struct CodeShare *code_share;
} CpuPlatform;

typedef struct Cpu {
    /* ---- hot state, kept together ---- */
    uint64_t x[REG_SLOTS];
    uint32_t nzcv;              /* 4-bit NZCV */
    uint32_t el;                /* current exception level, 0 or 1 */
    TlbEntry *tlb_cur;          /* soft TLB for the current privilege */
    const struct Insn *cur;     /* instruction being executed (for faults) */
    uint64_t code_va;           /* virtual page of the decoded page being executed */
    struct DecodedPage *code_page; /* valid while a slice runs */
    uint64_t code_gpa;          /* guest-physical page it was attached for */
    bool fp_enabled;            /* CPACR.FPEN permits FP/SIMD at the current EL */
    uint64_t slice_left;        /* instructions left in this slice (1 = the current one is the last) */
    uint64_t slice_n;           /* instructions this slice will have run when slice_left reaches 0 */

    VReg v[32];
    uint32_t fpcr, fpsr;

    /* ---- PSTATE ---- */
    uint32_t daif;  /* 4-bit DAIF */
    uint32_t spsel; /* 0: SP_EL0, 1: SP_ELx */
    uint32_t il;    /* illegal execution state (after an illegal exception return) */
    uint32_t ss;    /* software step: 1 = active-not-pending (debug.c) */

    /* ---- exclusive monitor (single core: a local monitor only) ---- */
    bool excl_valid;
    uint64_t excl_addr;
    uint32_t excl_size; /* bytes covered (1..16) */

    SysRegs sr;
    PmuState pmu;

    /* ---- debug (debug.h): off, they cost one test per slice ---- */
    bool debug_on;  /* check every instruction boundary */
    bool watch_on;  /* check slow-path accesses against watchpoints */
    bool ss_isv, ss_ex; /* the next step exception's syndrome: an instruction was stepped; it was a load-exclusive */
    bool eret_done; /* the instruction just executed was an ERET */
    HostDebug hdbg;

    /* ---- memory ---- */
    Tlb *tlb;                /* soft TLBs of the current address space (mmu/shadow.h) */
    CodeTlbEntry *code_tlb;  /* its instruction-fetch TLB */
    struct Mmu *mmu;
    struct CodeCache *code;
    struct Bus *bus;
    CpuPlatform plat;

    /* ---- run control ---- */
    uint64_t pc; /* architectural PC whenever the run loop is not executing */
    uint64_t icount;
    jmp_buf run_jmp;
    bool stop_requested;
    bool halted;            /* WFI */
    bool halt_on_exception; /* tests: stop instead of vectoring */
    CpuExit exit_reason;
    uint32_t exc_repeats;   /* synchronous exceptions in a row with the same syndrome and return address */

    /* Last exception taken (also in sr.esr/sr.far/sr.elr), for tests and stats. */
    struct {
        uint32_t esr;
        uint64_t far, elr;
        uint32_t kind; /* offset into the vector table: 0 sync, 0x80 irq, ... */
    } last_exc;

    struct {
        uint64_t exceptions, irqs, decoded, code_invalidations, tlb_flushes;
    } stats;
} Cpu;

/* The architectural state of the vCPU as plain data, for checkpoints. */
typedef struct CpuArchState {
    uint64_t x[REG_SLOTS];
    VReg v[32];
    uint32_t nzcv, el, daif, spsel, il, ss, fpcr, fpsr;
    bool excl_valid, halted, ss_isv, ss_ex;
    uint64_t excl_addr;
    uint32_t excl_size;
    SysRegs sr;
    PmuState pmu; /* counters brought up to date */
    uint64_t pc;
} CpuArchState;

void cpu_save(const Cpu *c, CpuArchState *s);
/* Back to a saved state. Every cached translation is dropped: the guest's
 * tables may have been different then. Call between runs only. */
void cpu_restore(Cpu *c, const CpuArchState *s);

/* Life cycle. */
void cpu_init(Cpu *c, struct Bus *bus, const CpuPlatform *plat);
void cpu_free(Cpu *c);
void cpu_reset(Cpu *c, uint64_t pc); /* EL1h, DAIF masked, MMU off */

/* Run up to `budget` instructions. */
CpuExit cpu_run(Cpu *c, uint64_t budget);
/* Ask the run loop to return CPU_EXIT_STOP (callable from device callbacks). */
void cpu_request_stop(Cpu *c);
/* Interrupt lines changed: re-check at the next instruction boundary. */
void cpu_kick(Cpu *c);
/* End the slice after the instruction being executed. */
static inline void cpu_end_slice(Cpu *c)
{
    if (c->slice_left > 1) {
        c->slice_n -= c->slice_left - 1;
        c->slice_left = 1;
    }
}
/* How the run loop was left by longjmp. */
enum { CPU_JMP_EXCEPTION = 1, CPU_JMP_STALL = 2, CPU_JMP_BOUNDARY = 3 };
/* Abandon the instruction being executed without effect and leave cpu_run
 * with `why`; the run resumes at restart_pc. */
_Noreturn void cpu_stall(Cpu *c, uint64_t restart_pc, CpuExit why);

/* PSTATE helpers. */
uint64_t cpu_get_pstate(const Cpu *c); /* SPSR format */
void cpu_set_pstate(Cpu *c, uint64_t spsr);
uint64_t cpu_sp_for_el(const Cpu *c, unsigned el);

#endif
