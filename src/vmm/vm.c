#include "vmm/vm.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mmu/shadow.h"
#include "vmm/vmm.h"

const char *vm_state_name(VmState s)
{
    static const char *const names[] = {"running", "paused", "shutdown", "failed"};
    return names[s];
}

static void guest_console_tx(void *opaque, uint8_t byte)
{
    Vm *vm = opaque;
    console_put(&vm->console, byte);
}

/* The vCPU's address-space events, passed on to the VMM's subscribers. */
static void mmu_event(void *opaque, MmuEvent ev)
{
    Vm *vm = opaque;
    static const VmmEvent map[] = {[MMU_EV_ASID_SWITCH] = VMM_EV_ASID_SWITCH,
                                   [MMU_EV_PROCESS_SWITCH] = VMM_EV_PROCESS_SWITCH,
                                   [MMU_EV_TLBI] = VMM_EV_TLBI};
    vmm_publish(vm->vmm, vm, map[ev]);
}

static bool make_board(Vm *vm, uint32_t home)
{
    const VmConfig *c = &vm->cfg;
    BoardConfig bc = {.kernel = c->kernel, .initrd = c->initrd, .append = c->append, .dtb_out = c->dtb_out,
                      .kaslr_seed = c->kaslr_seed, .no_rng_seed = c->no_rng_seed, .mem = c->mem,
                      .pool = &vm->vmm->pool, .home = home, .console_tx = guest_console_tx, .console_opaque = vm};
    char who[VM_NAME_MAX + 16];
    snprintf(who, sizeof who, "tandem: %s", vm->cfg.name);
    if (!board_create(&vm->board, &bc, vm->vmm->nvms > 1 || vm->vmm->cfg->from_file ? who : "tandem"))
        return false;
    vm->live = true;
    if (vmm_wants_mmu_events(vm->vmm))
        vm->board.cpu.mmu->hooks = (MmuHooks){.opaque = vm, .event = mmu_event};
    return true;
}

bool vm_create(Vm *vm, Vmm *vmm, const VmConfig *cfg, uint32_t home)
{
    memset(vm, 0, sizeof *vm);
    vm->cfg = *cfg;
    vm->vmm = vmm;
    char who[VM_NAME_MAX + 16];
    snprintf(who, sizeof who, "tandem: %s", cfg->name);
    if (!console_open(&vm->console, cfg->console ? cfg->console : "stdio", vmm->nvms > 1 || vmm->cfg->from_file ? who : "tandem"))
        return false;
    if (!make_board(vm, home)) {
        console_close(&vm->console);
        return false;
    }
    vm->created_ns = monotonic_ns();
    vm->state = VM_RUNNING;
    snprintf(vm->reason, sizeof vm->reason, "started");
    return true;
}

void vm_destroy(Vm *vm)
{
    if (vm->live)
        board_destroy(&vm->board);
    vm->live = false;
    console_close(&vm->console);
}

uint64_t vm_instructions(const Vm *vm)
{
    return vm->insns_done + (vm->live ? vm->board.cpu.icount : 0);
}

static void set_state(Vm *vm, VmState s, const char *reason)
{
    VmState old = vm->state;
    vm->state = s;
    snprintf(vm->reason, sizeof vm->reason, "%s", reason);
    if (vm->live)
        board_pause_clock(&vm->board, s != VM_RUNNING);
    vmm_state_changed(vm->vmm, vm, old);
}

/* The guest asked for a reset: a new boot from the same files, or the end. */
static void guest_reset(Vm *vm)
{
    if (vm->cfg.on_reset == ON_RESET_STOP) {
        vm->outcome = VM_OUT_RESET;
        set_state(vm, VM_SHUTDOWN, "the guest requested a system reset");
        return;
    }
    uint32_t home = vm->board.bus.p2m.home;
    vm->insns_done += vm->board.cpu.icount;
    board_destroy(&vm->board);
    vm->live = false;
    vm->reboots++;
    vmm_publish(vm->vmm, vm, VMM_EV_RESET);
    if (!make_board(vm, home)) {
        vm_fail(vm, "could not reboot after a reset request");
    }
}

void vm_step(Vm *vm, uint64_t budget)
{
    uint64_t limit = vm->cfg.max_insns, done = vm_instructions(vm);
    if (limit && done >= limit) {
        vm->outcome = VM_OUT_LIMIT;
        set_state(vm, VM_SHUTDOWN, "instruction limit reached");
        return;
    }
    if (limit && limit - done < budget)
        budget = limit - done;
    uint64_t t0 = monotonic_ns();
    BoardStatus st = board_step(&vm->board, budget);
    vm->busy_ns += monotonic_ns() - t0;
    vm->slices++;
    console_flush(&vm->console);
    char why[160];
    switch (st) {
    case BOARD_RAN:
        break;
    case BOARD_IDLE:
        vm->idle = true;
        break;
    case BOARD_POWER_OFF:
        set_state(vm, VM_SHUTDOWN, "the guest powered off");
        break;
    case BOARD_RESET:
        guest_reset(vm);
        break;
    case BOARD_NOMEM:
        vm->waiting_memory = true;
        vm->nomem_pauses++;
        set_state(vm, VM_PAUSED, "out of machine memory");
        break;
    case BOARD_STUCK:
        snprintf(why, sizeof why, "stuck in an exception loop (no progress): the same exception (ESR 0x%08" PRIx32 ") at 0x%" PRIx64 " %u times in a row",
                 vm->board.cpu.last_exc.esr, vm->board.cpu.last_exc.elr, vm->board.cpu.exc_repeats);
        vm_fail(vm, why);
        break;
    case BOARD_WATCHDOG:
        vm_fail(vm, "the guest's watchdog expired");
        break;
    }
}

bool vm_runnable(Vm *vm)
{
    if (vm->state != VM_RUNNING)
        return false;
    if (vm->idle && !board_has_work(&vm->board))
        return false;
    vm->idle = false;
    return true;
}

bool vm_pause(Vm *vm, const char *why)
{
    if (vm->state != VM_RUNNING)
        return vm->state == VM_PAUSED;
    set_state(vm, VM_PAUSED, why);
    return true;
}

bool vm_resume(Vm *vm)
{
    if (vm->state != VM_PAUSED)
        return vm->state == VM_RUNNING;
    vm->waiting_memory = false;
    set_state(vm, VM_RUNNING, "resumed");
    return true;
}

void vm_stop(Vm *vm, const char *why)
{
    vm->waiting_memory = false;
    if (vm->state == VM_RUNNING || vm->state == VM_PAUSED)
        set_state(vm, VM_SHUTDOWN, why);
}

void vm_fail(Vm *vm, const char *why)
{
    vm->waiting_memory = false;
    vm->outcome = VM_OUT_FAILED;
    set_state(vm, VM_FAILED, why);
}
