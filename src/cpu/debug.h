/* Self-hosted debug (breakpoints, watchpoints, software step) and the
 * host debugger's own breakpoints, watchpoints and single step.
 *
 * None of it costs anything while it is off: the run loop tests one flag
 * (Cpu.debug_on) per slice, the memory slow path one flag (Cpu.watch_on).
 * When it is on, the run loop runs one instruction per slice and checks the
 * boundary before each (debug_boundary); soft-TLB entries are not made for
 * pages a watchpoint covers, so every access to them takes the slow path,
 * where debug_watch checks it. */
#ifndef TANDEM_DEBUG_H
#define TANDEM_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

struct Cpu;

/* As a Cortex-A53: six breakpoints (the last two context-aware), four watchpoints. */
#define DEBUG_BRPS 6
#define DEBUG_WRPS 4
#define DEBUG_CTX_CMPS 2

/* The guest's debug registers (part of SysRegs: a checkpoint copies them). */
typedef struct DebugRegs {
    uint64_t bvr[DEBUG_BRPS], bcr[DEBUG_BRPS];
    uint64_t wvr[DEBUG_WRPS], wcr[DEBUG_WRPS];
} DebugRegs;

#define HOST_BP_MAX 64
#define HOST_WP_MAX 16
enum { HOST_WP_READ = 1, HOST_WP_WRITE = 2 };

/* Why the host debugger stopped the vCPU (cpu_run returned CPU_EXIT_DEBUG). */
typedef enum HostStop { HOST_STOP_NONE, HOST_STOP_BREAKPOINT, HOST_STOP_STEP, HOST_STOP_WATCH } HostStop;

/* The host debugger's requests (GDB stub): not guest state. */
typedef struct HostDebug {
    uint64_t bp[HOST_BP_MAX];
    unsigned nbp;
    struct {
        uint64_t addr, len;
        unsigned kind; /* HOST_WP_* */
    } wp[HOST_WP_MAX];
    unsigned nwp;
    bool step;     /* stop after one instruction (or exception entry); interrupts are held */
    bool executed; /* one has run since the step was asked for */
    bool skip;     /* do not stop at skip_pc's breakpoint first: the run resumes there */
    uint64_t skip_pc;
    HostStop stop;
    uint64_t watch_addr; /* the watchpoint hit: where, and how (HOST_WP_*) */
    unsigned watch_kind;
} HostDebug;

/* Recompute Cpu.debug_on and Cpu.watch_on after any change to the debug
 * registers, MDSCR, the OS lock or the host's requests. */
void debug_update(struct Cpu *c);

/* At an instruction boundary while debug_on: takes a pending software step
 * or breakpoint exception (does not return), or returns true when the host
 * debugger wants the vCPU stopped here (c->pc, with c->hdbg.stop saying why). */
bool debug_boundary(struct Cpu *c);
/* After an instruction completed without an exception while debug_on. */
void debug_after_insn(struct Cpu *c);
/* ERET restored PSTATE: PSTATE.SS survives only where stepping is enabled. */
void debug_after_eret(struct Cpu *c);

/* Memory slow path, while watch_on: an access of size bytes at va. */
void debug_watch(struct Cpu *c, uint64_t va, unsigned size, bool write, bool unpriv);
/* Does a watchpoint cover part of this page (no soft-TLB entry for it)? */
bool debug_page_watched(const struct Cpu *c, uint64_t page);

/* DBGBVR/BCR/WVR/WCR<n>_EL1 (key: sysreg.h). Read: false if not one of them. */
bool debug_sysreg_read(const struct Cpu *c, uint32_t key, uint64_t *v);
/* 0: not one of them, 1: written. */
int debug_sysreg_write(struct Cpu *c, uint32_t key, uint64_t v);
/* An MRS/MSR key in the breakpoint/watchpoint register block of an unimplemented pair. */
bool debug_sysreg_missing(uint32_t key);

/* The host debugger: false when the table is full (or nothing to remove). */
bool debug_host_bp(struct Cpu *c, uint64_t addr, bool insert);
bool debug_host_wp(struct Cpu *c, uint64_t addr, uint64_t len, unsigned kind, bool insert);
void debug_host_clear(struct Cpu *c);
/* Resume: run freely, or one instruction (step). */
void debug_host_resume(struct Cpu *c, bool step);

#endif
