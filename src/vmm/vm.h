/* A VM: its board (vCPU, memory, devices), console, lifecycle state and
 * accounting. The VMM steps it one slice at a time. */
#ifndef TANDEM_VM_H
#define TANDEM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/board.h"
#include "vmm/config.h"
#include "vmm/console.h"

struct Vmm;

typedef enum VmState { VM_RUNNING, VM_PAUSED, VM_SHUTDOWN, VM_FAILED } VmState;

/* Why the VM stopped, for the process exit status. */
typedef enum VmOutcome {
    VM_OUT_NONE,        /* still alive, or powered off */
    VM_OUT_RESET = 2,   /* asked for a reset with on-reset "stop" */
    VM_OUT_LIMIT = 3,   /* max-insns reached */
    VM_OUT_FAILED = 4,  /* failed: stuck, or could never get memory */
} VmOutcome;

typedef struct Vm {
    VmConfig cfg;
    struct Vmm *vmm;
    Board board;
    bool live;          /* board exists */
    VmState state;
    char reason[160];   /* why it is in this state */
    VmOutcome outcome;
    bool idle;          /* in WFI: runs again when an interrupt is pending */
    bool waiting_memory; /* paused because no machine frame was free */
    VmConsole console;
    uint64_t created_ns;
    uint64_t busy_ns;    /* host time spent running it */
    uint64_t insns_done; /* instructions of earlier boots (reboots) */
    uint64_t reboots, slices, nomem_pauses;
} Vm;

const char *vm_state_name(VmState s);

/* Build and load the VM (its frames come from the VMM's pool, preferring
 * frames home..). Prints what is wrong and returns false on failure. */
bool vm_create(Vm *vm, struct Vmm *vmm, const VmConfig *cfg, uint32_t home);
void vm_destroy(Vm *vm);

/* Run one slice of at most `budget` instructions. */
void vm_step(Vm *vm, uint64_t budget);
/* Does it want the CPU now? */
bool vm_runnable(Vm *vm);

/* User requests; false (with a reason) when the state does not allow it. */
bool vm_pause(Vm *vm, const char *why);
bool vm_resume(Vm *vm);
/* Stop it for good (quit). */
void vm_stop(Vm *vm, const char *why);
/* It failed and will not run again. */
void vm_fail(Vm *vm, const char *why);

uint64_t vm_instructions(const Vm *vm);

#endif
