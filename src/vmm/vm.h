/* A VM: its board (vCPU, memory, devices), console, lifecycle state and
 * accounting. The VMM steps it one slice at a time. */
#ifndef TANDEM_VM_H
#define TANDEM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "ft/backup.h"
#include "ft/detect.h"
#include "ft/inject.h"
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
    char reason[256];   /* why it is in this state */
    VmOutcome outcome;
    bool idle;          /* in WFI: runs again when an interrupt is pending */
    bool waiting_memory; /* paused because no machine frame was free */
    VmConsole console;
    uint64_t created_ns;
    uint64_t busy_ns;    /* host time spent running it */
    uint64_t insns_done; /* instructions of earlier boots (reboots) */
    uint64_t reboots, slices, nomem_pauses;
    /* Fault tolerance: detectors for every VM, the backup for a protected one. */
    Detector detect;
    Backup *backup;     /* NULL unless protected */
    FtPolicy policy;
    Injection inject[VM_MAX_INJECT + 8]; /* scheduled (--inject) and asked for (inject-fault) */
    unsigned ninject;
    uint64_t rng;
    bool fault_injected;  /* since the last failure: such a failure is not the guest's own */
    char last_failure[160]; /* the latest failure that counts for the repeat guard */
    char failure_reason[200]; /* the latest failure of any kind */
    uint64_t last_failure_ns;
    unsigned repeats;     /* the same failure in a row */
    uint64_t failures;
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

/* Console input for the guest (input replayed after a failover first). */
void vm_feed_input(Vm *vm);
/* Fault tolerance requests (control socket); false with a reason in err. */
bool vm_checkpoint_now(Vm *vm, char *err, size_t errlen);
bool vm_force_failover(Vm *vm, char *err, size_t errlen);
bool vm_inject(Vm *vm, const char *kind, char *err, size_t errlen);

#endif
