/* The VMM: the VMs, the machine-frame pool they share, the scheduler that
 * steps them on the host thread, the control socket and the event bus. */
#ifndef TANDEM_VMM_H
#define TANDEM_VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/code_share.h"
#include "mem/frames.h"
#include "share/share.h"
#include "swap/swap.h"
#include "vmm/config.h"
#include "vmm/vm.h"

/* Events the VMM publishes to its subscribers (the services). */
typedef enum VmmEvent {
    VMM_EV_VM_SWITCH,      /* a VM is about to run a slice */
    VMM_EV_ASID_SWITCH,    /* the guest's current ASID changed */
    VMM_EV_PROCESS_SWITCH, /* the guest switched user page tables (TTBR0) */
    VMM_EV_TLBI,           /* the guest invalidated translations */
    VMM_EV_STATE,          /* a VM changed lifecycle state */
    VMM_EV_RESET,          /* a VM is rebooting */
    VMM_EV_COUNT
} VmmEvent;

typedef struct VmmSubscriber {
    unsigned mask; /* 1 << VmmEvent */
    void (*fn)(void *opaque, Vm *vm, VmmEvent ev);
    void *opaque;
} VmmSubscriber;

#define VMM_MAX_SUBSCRIBERS 8

struct Control;

typedef struct VmmStats {
    uint64_t events[VMM_EV_COUNT];
    uint64_t rounds;       /* scheduler passes over the VMs */
    uint64_t idle_waits;   /* times every VM was waiting and the VMM slept */
    uint64_t loop_ns;      /* host time in the scheduler loop, guests included */
    uint64_t sched_ns;     /* of which outside guest slices: polling, switching */
} VmmStats;

typedef struct Vmm {
    VmmConfig *cfg;
    FramePool pool;
    Swap *swap;      /* compressed swap; NULL with compress off */
    Share *share;    /* page sharing; NULL with share off */
    CodeShare *code_share; /* decoded code of every VM (share all); NULL: each VM keeps its own */
    Vm vms[VMM_MAX_VMS];
    unsigned nvms;
    struct Control *control;
    VmmSubscriber subs[VMM_MAX_SUBSCRIBERS];
    unsigned nsubs;
    bool quit;
    int signal;      /* the signal that ended the run, or 0 */
    uint64_t started_ns;
    VmmStats stats;
} Vmm;

/* Decoded code costs host memory on top of the guests': by default it is
 * kept to an eighth of the memory it serves, but at least 4 MiB. */
#define VMM_CODE_CACHE_DIV 8
#define VMM_CODE_CACHE_MIN (4ull << 20)
/* The limit for decoded code serving `mem` bytes of guest or machine memory. */
uint64_t vmm_code_cache_bytes(const VmmConfig *cfg, uint64_t mem);

/* Make the pool and every VM of cfg (messages on failure). */
bool vmm_create(Vmm *v, VmmConfig *cfg);
/* Run until every VM has stopped, quit, or a signal. Returns the exit status. */
int vmm_run(Vmm *v);
void vmm_destroy(Vmm *v);

Vm *vmm_find(Vmm *v, const char *name);
void vmm_quit(Vmm *v);

/* A VM found no machine frame: free some (compressed swap). True if any
 * were freed, so the VM can try again. */
bool vmm_reclaim(Vmm *v, Vm *vm);

/* The event bus. */
bool vmm_subscribe(Vmm *v, unsigned mask, void (*fn)(void *, Vm *, VmmEvent), void *opaque);
void vmm_publish(Vmm *v, Vm *vm, VmmEvent ev);
bool vmm_wants_mmu_events(const Vmm *v);
/* Called by a VM whose state changed (publishes events, tells the control clients). */
void vmm_state_changed(Vmm *v, Vm *vm, VmState old);
/* Fault tolerance news from a VM: said on stderr and as control events. */
void vmm_failure(Vmm *v, Vm *vm, const char *reason);
void vmm_failover(Vmm *v, Vm *vm, const char *reason, uint64_t recovery_ns, uint64_t rollback_ns);
void vmm_injected(Vmm *v, Vm *vm, InjectKind kind, const char *what);

#endif
