#include "vmm/vm.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/shadow.h"
#include "vmm/vmm.h"

#define REPEAT_WINDOW_NS (60ull * 1000000000u) /* failures this close together can be "the same" */

const char *vm_state_name(VmState s)
{
    static const char *const names[] = {"running", "paused", "shutdown", "failed"};
    return names[s];
}

static void guest_console_tx(void *opaque, uint8_t byte)
{
    Vm *vm = opaque;
    if (detect_console(&vm->detect, byte))
        board_end_step(&vm->board); /* handle the failure at once */
    if (vm->backup)
        backup_output(vm->backup, byte); /* released when the next checkpoint commits */
    else
        console_put(&vm->console, byte);
}

/* Output of a protected VM whose checkpoint committed. */
static void release_output(void *opaque, const uint8_t *p, size_t n)
{
    Vm *vm = opaque;
    for (size_t i = 0; i < n; i++)
        console_put(&vm->console, p[i]);
    console_flush(&vm->console);
}

/* The vCPU's address-space events, passed on to the VMM's subscribers. */
static void mmu_event(void *opaque, MmuEvent ev)
{
    Vm *vm = opaque;
    static const VmmEvent map[] = {[MMU_EV_ASID_SWITCH] = VMM_EV_ASID_SWITCH,
                                   [MMU_EV_PROCESS_SWITCH] = VMM_EV_PROCESS_SWITCH,
                                   [MMU_EV_TLBI] = VMM_EV_TLBI};
    if (ev == MMU_EV_PROCESS_SWITCH && vm->backup && vm->policy.context_switch) {
        vm->backup->requested = true; /* the seed's point: checkpoint at a guest context switch */
        board_end_step(&vm->board);
    }
    vmm_publish(vm->vmm, vm, map[ev]);
}

static const char *who_for(const Vm *vm, char *buf, size_t len)
{
    snprintf(buf, len, "tandem: %s", vm->cfg.name);
    return vm->vmm->nvms > 1 || vm->vmm->cfg->from_file ? buf : "tandem";
}

static void drop_board(Vm *vm);

static bool make_board(Vm *vm, uint32_t home)
{
    const VmConfig *c = &vm->cfg;
    BoardConfig bc = {.kernel = c->kernel, .initrd = c->initrd, .append = c->append, .dtb_out = c->dtb_out,
                      .kaslr_seed = c->kaslr_seed, .no_rng_seed = c->no_rng_seed, .mem = c->mem,
                      .pool = &vm->vmm->pool, .home = home, .code_share = vm->vmm->code_share,
                      .code_cache = vmm_code_cache_bytes(vm->vmm->cfg, c->mem), .console_tx = guest_console_tx, .console_opaque = vm};
    char who[VM_NAME_MAX + 16];
    if (!board_create(&vm->board, &bc, who_for(vm, who, sizeof who)))
        return false;
    vm->live = true;
    Swap *sw = vm->vmm->swap;
    if (sw && !swap_add_space(sw, &vm->board.bus.p2m, c->name, false)) {
        fprintf(stderr, "%s: compress: too many VMs and backups for the swap controller\n", who);
        board_destroy(&vm->board);
        vm->live = false;
        return false;
    }
    Share *sh = vm->vmm->share;
    if (sh && !share_add_space(sh, &vm->board.bus.p2m)) {
        fprintf(stderr, "%s: share: too many VMs for the page-sharing scanner (or out of host memory)\n", who);
        if (sw)
            swap_remove_space(sw, &vm->board.bus.p2m);
        board_destroy(&vm->board);
        vm->live = false;
        return false;
    }
    if (vmm_wants_mmu_events(vm->vmm) || (c->backup && vm->policy.context_switch))
        vm->board.cpu.mmu->hooks = (MmuHooks){.opaque = vm, .event = mmu_event};
    detect_reset(&vm->detect, 0, vm->busy_ns);
    if (c->backup) {
        vm->backup = calloc(1, sizeof *vm->backup);
        if (!vm->backup || !backup_attach(vm->backup, &vm->board, &vm->policy, who_for(vm, who, sizeof who),
                                          release_output, vm)) {
            free(vm->backup);
            vm->backup = NULL;
            drop_board(vm);
            return false;
        }
        if (sw && !swap_add_space(sw, &vm->backup->mem, c->name, true)) {
            fprintf(stderr, "%s: compress: too many VMs and backups for the swap controller\n", who);
            drop_board(vm);
            return false;
        }
    }
    return true;
}

static void drop_board(Vm *vm)
{
    Swap *sw = vm->vmm->swap;
    if (vm->backup) {
        if (sw)
            swap_remove_space(sw, &vm->backup->mem);
        backup_detach(vm->backup);
        free(vm->backup);
        vm->backup = NULL;
    }
    if (vm->live) {
        if (sw)
            swap_remove_space(sw, &vm->board.bus.p2m);
        if (vm->vmm->share)
            share_remove_space(vm->vmm->share, &vm->board.bus.p2m);
        board_destroy(&vm->board);
    }
    vm->live = false;
}

static bool setup_ft(Vm *vm, const char *who)
{
    char err[300];
    if (!ft_policy_parse(vm->cfg.checkpoint ? vm->cfg.checkpoint : FT_DEFAULT_POLICY, &vm->policy, err, sizeof err)) {
        fprintf(stderr, "%s: checkpoint %s\n", who, err);
        return false;
    }
    vm->policy.private_backup = !vm->cfg.backup_share;
    for (unsigned i = 0; i < vm->cfg.ninject; i++)
        if (!inject_parse(vm->cfg.inject[i], true, &vm->inject[vm->ninject++], err, sizeof err)) {
            fprintf(stderr, "%s: inject %s\n", who, err);
            return false;
        }
    vm->rng = monotonic_ns() | 1;
    return true;
}

bool vm_create(Vm *vm, Vmm *vmm, const VmConfig *cfg, uint32_t home)
{
    memset(vm, 0, sizeof *vm);
    vm->cfg = *cfg;
    vm->vmm = vmm;
    char who[VM_NAME_MAX + 16];
    if (!setup_ft(vm, who_for(vm, who, sizeof who)))
        return false;
    if (!console_open(&vm->console, cfg->console ? cfg->console : "stdio", who_for(vm, who, sizeof who)))
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
    drop_board(vm);
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

/* A protected VM that stops for good keeps no output back. */
static void commit_last(Vm *vm)
{
    if (vm->backup)
        backup_checkpoint(vm->backup);
}

/* The guest asked for a reset: a new boot from the same files, or the end. */
static void guest_reset(Vm *vm)
{
    commit_last(vm);
    if (vm->cfg.on_reset == ON_RESET_STOP) {
        vm->outcome = VM_OUT_RESET;
        set_state(vm, VM_SHUTDOWN, "the guest requested a system reset");
        return;
    }
    uint32_t home = vm->board.bus.p2m.home;
    vm->insns_done += vm->board.cpu.icount;
    drop_board(vm);
    vm->reboots++;
    vmm_publish(vm->vmm, vm, VMM_EV_RESET);
    if (!make_board(vm, home))
        vm_fail(vm, "could not reboot after a reset request");
}

/* ---- failures ---- */

/* The same failure again soon after a rollback: a guest bug, not a transient fault. */
static bool repeated(Vm *vm, const char *reason, uint64_t now)
{
    bool same = !strncmp(reason, vm->last_failure, 48) && now - vm->last_failure_ns < REPEAT_WINDOW_NS;
    vm->repeats = same ? vm->repeats + 1 : 1;
    snprintf(vm->last_failure, sizeof vm->last_failure, "%s", reason);
    vm->last_failure_ns = now;
    return vm->repeats >= vm->cfg.repeat_limit;
}

static void failover(Vm *vm, const char *reason)
{
    uint64_t age_ns = monotonic_ns() - vm->backup->ckpt_ns;
    uint64_t ns = backup_failover(vm->backup);
    detect_reset(&vm->detect, vm->board.cpu.stats.irqs, vm->busy_ns);
    vm->idle = false;
    vmm_failover(vm->vmm, vm, reason, ns, age_ns);
}

/* A detector fired (or a failover was asked for). */
static void vm_failure(Vm *vm, const char *reason, bool forced)
{
    bool injected = vm->fault_injected || forced;
    vm->fault_injected = false;
    vm->failures++;
    snprintf(vm->failure_reason, sizeof vm->failure_reason, "%s", reason);
    vmm_failure(vm->vmm, vm, reason);
    if (!vm->backup) {
        char why[200];
        snprintf(why, sizeof why, "failed: %s", reason);
        vm_fail(vm, why);
        return;
    }
    if (!injected && repeated(vm, reason, monotonic_ns())) {
        char why[200];
        snprintf(why, sizeof why, "the same failure %u times in a row: not transient, stopped (%s)", vm->repeats, reason);
        vm_fail(vm, why);
        return;
    }
    failover(vm, reason);
}

/* Take the injections that are due; crash and hang wait for EL1. */
static void run_injections(Vm *vm, uint64_t now)
{
    for (unsigned i = 0; i < vm->ninject; i++) {
        Injection *inj = &vm->inject[i];
        if (inj->done || now - vm->created_ns < inj->at_ns)
            continue;
        char log[300];
        if (!inject_apply(&vm->board, inj, &vm->rng, log, sizeof log))
            continue;
        inj->done = true;
        vm->fault_injected = true;
        vmm_injected(vm->vmm, vm, inj->kind, log);
    }
}

/* Commit a checkpoint only when the guest showed progress in the slice just
 * run (it took an interrupt, or it is waiting for one): the state of a guest
 * that hung before the slice began is never made the one to roll back to.
 * A guest that has never taken an interrupt (early boot, a bare-metal
 * program) cannot show progress that way: its due checkpoints commit. */
static void maybe_checkpoint(Vm *vm, bool idle, uint64_t irqs_before, uint64_t now)
{
    Backup *b = vm->backup;
    if (!b || !(idle || backup_due(b, now)))
        return;
    uint64_t irqs = vm->board.cpu.stats.irqs;
    if (!idle && irqs == irqs_before && irqs && !b->requested)
        return;
    backup_checkpoint(b);
}

void vm_step(Vm *vm, uint64_t budget)
{
    uint64_t limit = vm->cfg.max_insns, done = vm_instructions(vm);
    if (limit && done >= limit) {
        commit_last(vm);
        vm->outcome = VM_OUT_LIMIT;
        set_state(vm, VM_SHUTDOWN, "instruction limit reached");
        return;
    }
    if (limit && limit - done < budget)
        budget = limit - done;
    if (vm->backup)
        budget = backup_budget(vm->backup, budget);
    uint64_t t0 = monotonic_ns(), irqs_before = vm->board.cpu.stats.irqs;
    BoardStatus st = board_step(&vm->board, budget);
    uint64_t now = monotonic_ns();
    vm->busy_ns += now - t0;
    vm->slices++;
    console_flush(&vm->console);
    char why[200] = "";
    switch (st) {
    case BOARD_RAN:
    case BOARD_IDLE:
        break;
    case BOARD_POWER_OFF:
        commit_last(vm);
        set_state(vm, VM_SHUTDOWN, "the guest powered off");
        return;
    case BOARD_RESET:
        if (vm->detect.failure[0])
            break; /* a panicking kernel asking for a reset: a failure, below */
        guest_reset(vm);
        return;
    case BOARD_NOMEM:
        if (vmm_reclaim(vm->vmm, vm))
            return; /* frames were freed: the access is retried next slice */
        vm->waiting_memory = true;
        vm->nomem_pauses++;
        set_state(vm, VM_PAUSED, "out of machine memory");
        return;
    case BOARD_STUCK:
        snprintf(why, sizeof why,
                 "stuck in an exception loop (no progress): the same exception (ESR 0x%08" PRIx32 ") at 0x%" PRIx64
                 " %u times in a row",
                 vm->board.cpu.last_exc.esr, vm->board.cpu.last_exc.elr, vm->board.cpu.exc_repeats);
        break;
    case BOARD_WATCHDOG:
        snprintf(why, sizeof why, "the guest's watchdog expired");
        break;
    }
    if (!why[0] && vm->detect.failure[0])
        snprintf(why, sizeof why, "%s", vm->detect.failure);
    if (!why[0] && st != BOARD_IDLE && detect_hang(&vm->detect, vm->board.cpu.stats.irqs, vm->busy_ns, vm->cfg.hang_timeout_ms))
        snprintf(why, sizeof why, "hang: no interrupt taken in %u ms of guest run time", vm->cfg.hang_timeout_ms);
    if (st == BOARD_IDLE)
        detect_reset(&vm->detect, vm->board.cpu.stats.irqs, vm->busy_ns); /* waiting is not hanging */
    if (why[0]) {
        vm_failure(vm, why, false);
        return;
    }
    vm->idle = st == BOARD_IDLE;
    maybe_checkpoint(vm, vm->idle, irqs_before, now);
    run_injections(vm, now);
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

void vm_feed_input(Vm *vm)
{
    if (!vm->live)
        return;
    uint8_t buf[CONSOLE_INBUF];
    size_t room = board_console_room(&vm->board), n = 0;
    if (vm->backup)
        n = backup_take_replay(vm->backup, buf, room);
    if (n < room && vm->console.in_len)
        n += console_take_input(&vm->console, buf + n, room - n);
    if (!n)
        return;
    if (vm->backup)
        backup_input_given(vm->backup, buf, n);
    board_console_input(&vm->board, buf, n);
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
    if (vm->state == VM_RUNNING || vm->state == VM_PAUSED) {
        if (vm->live)
            commit_last(vm);
        set_state(vm, VM_SHUTDOWN, why);
    }
}

void vm_fail(Vm *vm, const char *why)
{
    vm->waiting_memory = false;
    vm->outcome = VM_OUT_FAILED;
    set_state(vm, VM_FAILED, why);
}

/* ---- control requests ---- */

static bool alive(const Vm *vm, char *err, size_t errlen)
{
    if (vm->live && (vm->state == VM_RUNNING || vm->state == VM_PAUSED))
        return true;
    snprintf(err, errlen, "VM '%s' is %s", vm->cfg.name, vm_state_name(vm->state));
    return false;
}

static bool protected_vm(const Vm *vm, char *err, size_t errlen)
{
    if (!alive(vm, err, errlen))
        return false;
    if (vm->backup)
        return true;
    snprintf(err, errlen, "VM '%s' has no backup (start it with \"backup\": true or --backup)", vm->cfg.name);
    return false;
}

bool vm_checkpoint_now(Vm *vm, char *err, size_t errlen)
{
    if (!protected_vm(vm, err, errlen))
        return false;
    backup_checkpoint(vm->backup);
    return true;
}

bool vm_force_failover(Vm *vm, char *err, size_t errlen)
{
    if (!protected_vm(vm, err, errlen))
        return false;
    vm_failure(vm, "failover forced by the control socket", true);
    return true;
}

bool vm_inject(Vm *vm, const char *kind, char *err, size_t errlen)
{
    if (!alive(vm, err, errlen))
        return false;
    if (vm->ninject == sizeof vm->inject / sizeof vm->inject[0]) {
        unsigned kept = 0; /* make room: forget the injections already done */
        for (unsigned i = 0; i < vm->ninject; i++)
            if (!vm->inject[i].done)
                vm->inject[kept++] = vm->inject[i];
        vm->ninject = kept;
        if (kept == sizeof vm->inject / sizeof vm->inject[0]) {
            snprintf(err, errlen, "too many injections waiting");
            return false;
        }
    }
    Injection inj;
    if (!inject_parse(kind, false, &inj, err, errlen))
        return false;
    inj.at_ns = 0; /* due now: applied after the current slice */
    vm->inject[vm->ninject++] = inj;
    return true;
}
