#include "vmm/vmm.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/control.h"
#include "vmm/stats.h"

#define MAX_WAIT_NS 100000000ull /* wake at least this often when idle */
#define BALANCE_BUDGET 4096      /* pages compressed at most before one slice */
#define MAX_POLLFDS (VMM_MAX_VMS * 3 + CONTROL_MAX_CLIENTS + 1)

/* The signal that asked us to stop: process-wide by nature. */
static volatile sig_atomic_t pending_signal;

static void on_signal(int sig)
{
    pending_signal = sig;
}

static void install_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: poll returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a vanished socket client is an error return, not a death */
}

bool vmm_create(Vmm *v, VmmConfig *cfg)
{
    memset(v, 0, sizeof *v);
    v->cfg = cfg;
    if (!cfg->slice)
        cfg->slice = VMM_DEFAULT_SLICE;
    uint64_t sum = 0;
    for (unsigned i = 0; i < cfg->nvms; i++) /* a protected VM's backup may need as much again */
        sum += cfg->vms[i].mem * (cfg->vms[i].backup ? 2 : 1);
    uint64_t bytes = cfg->machine_mem ? cfg->machine_mem : sum;
    if (!frames_init(&v->pool, bytes)) {
        fprintf(stderr, "tandem: machine-mem %" PRIu64 "M: the host refused the memory (%s)\n", bytes >> 20,
                strerror(errno));
        return false;
    }
    if (!(cfg->compress_set && cfg->compress == CODEC_OFF)) {
        SwapConfig sc = {.alg = cfg->compress_set ? cfg->compress : CODEC_LZO, .threshold = cfg->compress_threshold,
                         .low = cfg->swap_low / FRAME_SIZE, .high = cfg->swap_high / FRAME_SIZE};
        char err[200];
        v->swap = calloc(1, sizeof *v->swap);
        if (!v->swap || !swap_init(v->swap, &v->pool, &sc, err, sizeof err)) {
            fprintf(stderr, "tandem: compress: %s\n", v->swap ? err : "out of host memory");
            free(v->swap);
            v->swap = NULL;
            frames_destroy(&v->pool);
            return false;
        }
    }
    if (cfg->share.mode != SHARE_OFF) {
        v->share = calloc(1, sizeof *v->share);
        if (!v->share || !share_init(v->share, &v->pool, &cfg->share)) {
            fprintf(stderr, "tandem: share: out of host memory\n");
            free(v->share);
            v->share = NULL;
            vmm_destroy(v);
            return false;
        }
    }
    if (cfg->share.mode == SHARE_ALL && !(v->code_share = code_share_new(vmm_code_cache_bytes(cfg, bytes)))) {
        fprintf(stderr, "tandem: share: out of host memory\n");
        vmm_destroy(v);
        return false;
    }
    v->nvms = cfg->nvms; /* known before the VMs are made: messages name them when there are several */
    uint64_t home = 0;
    for (unsigned i = 0; i < cfg->nvms; i++) {
        if (!vm_create(&v->vms[i], v, &cfg->vms[i], home < v->pool.nframes ? (FrameId)home : FRAME_NONE)) {
            v->nvms = i;
            vmm_destroy(v);
            return false;
        }
        home += cfg->vms[i].mem / FRAME_SIZE;
    }
    if (cfg->control && !(v->control = control_open(v, cfg->control))) {
        vmm_destroy(v);
        return false;
    }
    install_signals();
    v->started_ns = monotonic_ns();
    return true;
}

uint64_t vmm_code_cache_bytes(const VmmConfig *cfg, uint64_t mem)
{
    if (cfg->code_cache_set)
        return cfg->code_cache;
    uint64_t n = mem / VMM_CODE_CACHE_DIV;
    return n > VMM_CODE_CACHE_MIN ? n : VMM_CODE_CACHE_MIN;
}

void vmm_destroy(Vmm *v)
{
    if (v->control)
        control_close(v->control);
    v->control = NULL;
    for (unsigned i = 0; i < v->nvms; i++)
        vm_destroy(&v->vms[i]);
    v->nvms = 0;
    code_share_release(v->code_share);
    v->code_share = NULL;
    if (v->share) {
        share_destroy(v->share);
        free(v->share);
        v->share = NULL;
    }
    if (v->swap) {
        swap_destroy(v->swap);
        free(v->swap);
        v->swap = NULL;
    }
    frames_destroy(&v->pool);
}

bool vmm_reclaim(Vmm *v, Vm *vm)
{
    return v->swap && swap_reclaim(v->swap, &vm->board.bus.p2m) > 0;
}

Vm *vmm_find(Vmm *v, const char *name)
{
    for (unsigned i = 0; i < v->nvms; i++)
        if (!strcmp(v->vms[i].cfg.name, name))
            return &v->vms[i];
    return NULL;
}

void vmm_quit(Vmm *v)
{
    v->quit = true;
}

/* ---- events ---- */

bool vmm_subscribe(Vmm *v, unsigned mask, void (*fn)(void *, Vm *, VmmEvent), void *opaque)
{
    if (v->nsubs == VMM_MAX_SUBSCRIBERS)
        return false;
    v->subs[v->nsubs++] = (VmmSubscriber){.mask = mask, .fn = fn, .opaque = opaque};
    return true;
}

bool vmm_wants_mmu_events(const Vmm *v)
{
    unsigned mmu = 1u << VMM_EV_ASID_SWITCH | 1u << VMM_EV_PROCESS_SWITCH | 1u << VMM_EV_TLBI;
    for (unsigned i = 0; i < v->nsubs; i++)
        if (v->subs[i].mask & mmu)
            return true;
    return false;
}

static json_object *vm_event_data(const Vm *vm)
{
    json_object *d = json_object_new_object();
    json_object_object_add(d, "vm", json_object_new_string(vm->cfg.name));
    return d;
}

void vmm_publish(Vmm *v, Vm *vm, VmmEvent ev)
{
    v->stats.events[ev]++;
    for (unsigned i = 0; i < v->nsubs; i++)
        if (v->subs[i].mask & (1u << ev))
            v->subs[i].fn(v->subs[i].opaque, vm, ev);
    if (ev == VMM_EV_RESET && v->control)
        control_event(v->control, "RESET", vm_event_data(vm));
}

/* The line a person sees for a change worth telling. */
static void report(Vmm *v, const Vm *vm)
{
    bool tell = vm->state == VM_FAILED || vm->waiting_memory ||
                (vm->state == VM_SHUTDOWN && vm->outcome != VM_OUT_NONE);
    if (!tell)
        return;
    if (v->nvms > 1)
        fprintf(stderr, "tandem: %s: %s%s\n", vm->cfg.name, vm->reason,
                vm->waiting_memory ? " (paused; free memory, then 'cont')" : "");
    else
        fprintf(stderr, "tandem: %s%s\n", vm->reason, vm->waiting_memory ? " (the VM is paused)" : "");
}

void vmm_state_changed(Vmm *v, Vm *vm, VmState old)
{
    vmm_publish(v, vm, VMM_EV_STATE);
    report(v, vm);
    if (!v->control)
        return;
    json_object *d = vm_event_data(vm);
    json_object_object_add(d, "state", json_object_new_string(vm_state_name(vm->state)));
    json_object_object_add(d, "old-state", json_object_new_string(vm_state_name(old)));
    json_object_object_add(d, "reason", json_object_new_string(vm->reason));
    control_event(v->control, "VM_STATE_CHANGE", d);
    if (vm->waiting_memory && vm->state == VM_PAUSED) {
        json_object *m = vm_event_data(vm);
        json_object_object_add(m, "free-bytes", json_object_new_int64((int64_t)(frames_free_count(&v->pool) * FRAME_SIZE)));
        json_object_object_add(m, "total-bytes", json_object_new_int64((int64_t)(v->pool.nframes * FRAME_SIZE)));
        control_event(v->control, "OUT_OF_MEMORY", m);
    }
}

/* ---- fault tolerance ---- */

static const char *label(const Vmm *v, const Vm *vm, char *buf, size_t len)
{
    snprintf(buf, len, "%s: ", vm->cfg.name);
    return v->nvms > 1 || v->cfg->from_file ? buf : "";
}

void vmm_failure(Vmm *v, Vm *vm, const char *reason)
{
    char l[VM_NAME_MAX + 4];
    fprintf(stderr, "tandem: %sfailure: %s\n", label(v, vm, l, sizeof l), reason);
    if (!v->control)
        return;
    json_object *d = vm_event_data(vm);
    json_object_object_add(d, "reason", json_object_new_string(reason));
    json_object_object_add(d, "protected", json_object_new_boolean(vm->backup != NULL));
    control_event(v->control, "FAILURE", d);
}

void vmm_failover(Vmm *v, Vm *vm, const char *reason, uint64_t recovery_ns, uint64_t rollback_ns)
{
    char l[VM_NAME_MAX + 4];
    fprintf(stderr, "tandem: %sfailover %" PRIu64 ": back to the checkpoint of %.1f ms before, in %.0f us\n",
            label(v, vm, l, sizeof l), vm->backup->stats.failovers, (double)rollback_ns / 1e6, (double)recovery_ns / 1e3);
    if (!v->control)
        return;
    json_object *d = vm_event_data(vm);
    json_object_object_add(d, "recovery-us", json_object_new_int64((int64_t)(recovery_ns / 1000)));
    json_object_object_add(d, "rollback-ms", json_object_new_double((double)rollback_ns / 1e6));
    json_object_object_add(d, "reason", json_object_new_string(reason));
    control_event(v->control, "FAILOVER", d);
}

void vmm_injected(Vmm *v, Vm *vm, InjectKind kind, const char *what)
{
    char l[VM_NAME_MAX + 4];
    fprintf(stderr, "tandem: %sinjected %s\n", label(v, vm, l, sizeof l), what);
    if (!v->control)
        return;
    json_object *d = vm_event_data(vm);
    json_object_object_add(d, "kind", json_object_new_string(inject_name(kind)));
    json_object_object_add(d, "what", json_object_new_string(what));
    control_event(v->control, "FAULT_INJECTED", d);
}

/* ---- the scheduler ---- */

/* One round: every VM that has work runs one slice (its weight in slices). */
static bool run_round(Vmm *v)
{
    bool ran = false;
    for (unsigned i = 0; i < v->nvms && !v->quit && !pending_signal; i++) {
        Vm *vm = &v->vms[i];
        vm_feed_input(vm);
        if (!vm_runnable(vm))
            continue;
        vmm_publish(v, vm, VMM_EV_VM_SWITCH);
        if (v->share)
            share_tick(v->share, monotonic_ns());
        if (v->swap)
            swap_balance(v->swap, &vm->board.bus.p2m, BALANCE_BUDGET);
        vm_step(vm, v->cfg->slice * vm->cfg.weight);
        ran = true;
    }
    v->stats.rounds++;
    return ran;
}

/* How long every VM can sleep: until the first idle VM's timer fires. */
static uint64_t sleep_ns(Vmm *v)
{
    uint64_t best = MAX_WAIT_NS;
    for (unsigned i = 0; i < v->nvms; i++) {
        Vm *vm = &v->vms[i];
        if (vm->state == VM_RUNNING) {
            uint64_t ns = board_ns_to_timer(&vm->board, best);
            if (ns < best)
                best = ns;
        }
    }
    return best;
}

static void console_action(Vmm *v, ConsoleAction a)
{
    switch (a) {
    case CONSOLE_ACT_QUIT:
        vmm_quit(v);
        break;
    case CONSOLE_ACT_HELP:
        fputs("\r\nC-a h    print this help\r\nC-a x    quit Tandem (every VM stops)\r\n"
              "C-a s    print statistics\r\nC-a C-a  send C-a to the guest\r\n",
              stderr);
        break;
    case CONSOLE_ACT_STATS:
        stats_print_vmm(v, stderr);
        break;
    case CONSOLE_ACT_NONE:
        break;
    }
}

/* Wait up to timeout_ns for console input, console clients and control clients. */
static void poll_io(Vmm *v, uint64_t timeout_ns)
{
    struct pollfd fds[MAX_POLLFDS];
    unsigned first[VMM_MAX_VMS], count[VMM_MAX_VMS], n = 0;
    for (unsigned i = 0; i < v->nvms; i++) {
        first[i] = n;
        count[i] = v->vms[i].state == VM_SHUTDOWN || v->vms[i].state == VM_FAILED ? 0
                                                                               : console_pollfds(&v->vms[i].console, fds + n);
        n += count[i];
    }
    unsigned cfirst = n, ccount = v->control ? control_pollfds(v->control, fds + n, MAX_POLLFDS - n) : 0;
    n += ccount;
    struct timespec ts = {(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)};
    int r = ppoll(fds, n, &ts, NULL);
    if (r <= 0)
        return;
    for (unsigned i = 0; i < v->nvms; i++)
        if (count[i])
            console_action(v, console_handle(&v->vms[i].console, fds + first[i], count[i]));
    if (ccount)
        control_handle(v->control, fds + cfirst, ccount);
}

static unsigned count_in(const Vmm *v, VmState s)
{
    unsigned n = 0;
    for (unsigned i = 0; i < v->nvms; i++)
        n += v->vms[i].state == s;
    return n;
}

/* Paused VMs that nobody can resume: say so and end them. */
static bool dead_end(Vmm *v)
{
    if (v->control || count_in(v, VM_RUNNING) || !count_in(v, VM_PAUSED))
        return false;
    fprintf(stderr, "tandem: no VM can run: every VM still alive is paused and there is no control socket "
                    "(--control) to resume it\n");
    for (unsigned i = 0; i < v->nvms; i++)
        if (v->vms[i].state == VM_PAUSED)
            vm_fail(&v->vms[i], "paused with no way to resume it");
    return true;
}

static int exit_status(const Vmm *v)
{
    if (v->signal)
        return 128 + v->signal;
    if (v->quit)
        return 0;
    int worst = 0;
    for (unsigned i = 0; i < v->nvms; i++) {
        int o = (int)v->vms[i].outcome;
        if (o > worst)
            worst = o;
    }
    return worst;
}

int vmm_run(Vmm *v)
{
    uint64_t idle_ns = 0;
    while (!v->quit && !pending_signal) {
        bool ran = run_round(v);
        if (!count_in(v, VM_RUNNING) && !count_in(v, VM_PAUSED))
            break; /* every VM has stopped */
        if (dead_end(v))
            break;
        uint64_t wait = ran ? 0 : sleep_ns(v), t0 = monotonic_ns();
        v->stats.idle_waits += wait > 0;
        poll_io(v, wait);
        if (wait)
            idle_ns += monotonic_ns() - t0;
    }
    v->signal = pending_signal;
    if (v->quit || v->signal)
        for (unsigned i = 0; i < v->nvms; i++)
            vm_stop(&v->vms[i], v->signal ? "Tandem was terminated by a signal" : "quit");
    uint64_t busy = 0;
    for (unsigned i = 0; i < v->nvms; i++) {
        console_flush(&v->vms[i].console);
        busy += v->vms[i].busy_ns;
    }
    v->stats.loop_ns = monotonic_ns() - v->started_ns;
    v->stats.sched_ns = v->stats.loop_ns > busy + idle_ns ? v->stats.loop_ns - busy - idle_ns : 0;
    console_restore_terminal();
    if (v->signal)
        fprintf(stderr, "tandem: terminated by signal %d (%s)\n", v->signal, strsignal(v->signal));
    if (v->cfg->stats)
        stats_print_vmm(v, stderr);
    return exit_status(v);
}
