#include "vmm/stats.h"

#include <inttypes.h>
#include <json-c/json.h>

#include "cpu/code_cache.h"
#include "mmu/shadow.h"

static double secs(uint64_t ns)
{
    return (double)ns / 1e9;
}

static double mips(uint64_t insns, uint64_t ns)
{
    return ns ? (double)insns / ((double)ns / 1e9) / 1e6 : 0.0;
}

/* Decoded code: one VM's, or every VM's with share all. */
static void print_code(const CodeShare *s, FILE *f, const char *p)
{
    const CodeShareStats *t = &s->stats;
    fprintf(f, "%scode: decoded pages %" PRIu64 " (%" PRIu64 " KiB), peak %" PRIu64 ", pages attached %" PRIu64
               ", attachments %" PRIu64 " (found decoded %" PRIu64 "), freed %" PRIu64 " (evicted %" PRIu64
               "), limit %" PRIu64 " KiB\n",
            p, t->pages, code_share_bytes(s) >> 10, t->peak_pages, t->users, t->attaches, t->matched, t->retired,
            t->evicted, s->limit_bytes >> 10);
}

static void print_vm(const Vm *vm, FILE *f, const char *p)
{
    uint64_t insns = vm_instructions(vm), wall = monotonic_ns() - vm->created_ns;
    fprintf(f, "%s%" PRIu64 " instructions in %.3f s busy, %.3f s wall (%.1f MIPS busy); state %s (%s)\n", p,
            insns, secs(vm->busy_ns), secs(wall), mips(insns, vm->busy_ns), vm_state_name(vm->state), vm->reason);
    if (!vm->live)
        return;
    const Cpu *c = &vm->board.cpu;
    const MmuStats *m = &c->mmu->stats;
    const P2m *p2m = &vm->board.bus.p2m;
    fprintf(f, "%scpu: exceptions %" PRIu64 " (irq %" PRIu64 "), decoded %" PRIu64
               " instructions, code invalidations %" PRIu64 ", live code pages %" PRIu64 "\n",
            p, c->stats.exceptions, c->stats.irqs, c->stats.decoded, c->stats.code_invalidations, c->code->live_pages);
    if (!vm->vmm->code_share)
        print_code(c->code->share, f, p);
    uint64_t served = m->shadow_hits + m->walks;
    fprintf(f, "%sshadow: soft-TLB misses %" PRIu64 " (%.2f per 1k instructions), served by shadow "
               "tables %" PRIu64 " (%.1f%%), guest walks %" PRIu64 ", fills %" PRIu64 ", stale %" PRIu64
               ", guest faults %" PRIu64 "\n",
            p, m->tlb_misses, c->icount ? 1000.0 * (double)m->tlb_misses / (double)c->icount : 0.0, m->shadow_hits,
            served ? 100.0 * (double)m->shadow_hits / (double)served : 0.0, m->walks, m->fills, m->stale,
            m->guest_faults);
    fprintf(f, "%sshadow: ASID switches %" PRIu64 ", address spaces recycled %" PRIu64 ", TLBI all %" PRIu64
               " / ASID %" PRIu64 " / VA %" PRIu64 " / VA all-ASID %" PRIu64 ", entries removed %" PRIu64 "\n",
            p, m->asid_switches, m->ctx_evictions, m->tlbi_all, m->tlbi_asid, m->tlbi_va, m->tlbi_va_all_asid,
            m->entries_removed);
    fprintf(f, "%smemory: %" PRIu64 " of %" PRIu64 " guest pages resident (%" PRIu64 " MiB); page changes %" PRIu64
               ", write-protects %" PRIu64 ", write traps %" PRIu64 ", out-of-memory stalls %" PRIu64 "\n",
            p, p2m->resident, p2m->npages, p2m->resident * FRAME_SIZE >> 20, m->page_changes, m->write_protects,
            m->write_traps, m->nomem_stalls);
    if (vm->backup) {
        const Backup *b = vm->backup;
        const FtStats *t = &b->stats;
        uint64_t priv = backup_private_frames(b);
        fprintf(f, "%sft: checkpoints %" PRIu64 ", failovers %" PRIu64 ", pages copied %" PRIu64
                   ", pages committed %" PRIu64 " (last epoch %" PRIu64 ", max %" PRIu64 "), pages shared %" PRIu64 ", pages protected %" PRIu64
                   ", checkpoint pause mean %.1f us, p50 %u us, p99 %u us, max %.1f us, failover time last %.1f us, max %.1f us"
                   ", backup memory %" PRIu64 " KiB, output held up to %.1f ms\n",
                p, t->checkpoints, t->failovers, t->pages_copied, t->pages_committed, t->last_epoch_pages,
                t->max_epoch_pages, b->mem.resident - priv, priv,
                t->checkpoints ? (double)t->pause_total_ns / 1e3 / (double)t->checkpoints : 0.0,
                backup_pause_percentile(b, 50), backup_pause_percentile(b, 99), (double)t->pause_max_ns / 1e3, (double)t->failover_last_ns / 1e3,
                (double)t->failover_max_ns / 1e3, priv * FRAME_SIZE >> 10, (double)t->held_max_ns / 1e6);
    }
    stats_print_swap_vm(vm, f, p);
    stats_print_share_vm(vm, f, p);
    fprintf(f, "%svm: slices %" PRIu64 ", reboots %" PRIu64 ", console out %" PRIu64 " bytes, in %" PRIu64 " bytes\n",
            p, vm->slices, vm->reboots, vm->console.bytes_out, vm->console.bytes_in);
    const Sp805State *w = &vm->board.wdt.s;
    fprintf(f, "%swatchdog: %s, interrupts %" PRIu64 ", pets %" PRIu64 ", expiries %" PRIu64 "\n", p,
            w->expired ? "expired" : w->control & SP805_INTEN ? "running" : "stopped", w->interrupts, w->pets,
            w->expiries);
}

void stats_print_vmm(const Vmm *v, FILE *f)
{
    char prefix[VM_NAME_MAX + 16];
    for (unsigned i = 0; i < v->nvms; i++) {
        snprintf(prefix, sizeof prefix, v->nvms > 1 ? "tandem: %s: " : "tandem: ", v->vms[i].cfg.name);
        print_vm(&v->vms[i], f, prefix);
    }
    const FramePool *pool = &v->pool;
    uint64_t slices = 0;
    for (unsigned i = 0; i < v->nvms; i++)
        slices += v->vms[i].slices;
    fprintf(f, "tandem: machine: %" PRIu64 " of %" PRIu64 " frames used (%" PRIu64 " of %" PRIu64
               " MiB), high water %" PRIu64 " MiB, allocations refused %" PRIu64 "\n",
            pool->used, pool->nframes, pool->used * FRAME_SIZE >> 20, pool->nframes * FRAME_SIZE >> 20,
            pool->high_water * FRAME_SIZE >> 20, pool->failures);
    stats_print_swap_machine(v, f);
    stats_print_share_machine(v, f);
    if (v->code_share)
        print_code(v->code_share, f, "tandem: ");
    fprintf(f, "tandem: scheduler: %" PRIu64 " VM switches in %" PRIu64 " rounds, %" PRIu64
               " idle waits, %.2f us per slice outside the guests\n",
            v->stats.events[VMM_EV_VM_SWITCH], v->stats.rounds, v->stats.idle_waits,
            slices ? (double)v->stats.sched_ns / 1e3 / (double)slices : 0.0);
}

static void add_u64(json_object *o, const char *k, uint64_t n)
{
    json_object_object_add(o, k, json_object_new_int64((int64_t)n));
}

static json_object *code_json(const CodeShare *s)
{
    json_object *o = json_object_new_object();
    const CodeShareStats *t = &s->stats;
    add_u64(o, "decoded-pages", t->pages);
    add_u64(o, "decoded-bytes", code_share_bytes(s));
    add_u64(o, "peak-pages", t->peak_pages);
    add_u64(o, "pages-attached", t->users);
    add_u64(o, "attachments", t->attaches);
    add_u64(o, "found-decoded", t->matched);
    add_u64(o, "freed", t->retired);
    add_u64(o, "evicted", t->evicted);
    add_u64(o, "limit-bytes", s->limit_bytes);
    return o;
}

json_object *stats_ft_json(const Vm *vm)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "vm", json_object_new_string(vm->cfg.name));
    json_object_object_add(o, "protected", json_object_new_boolean(vm->backup != NULL));
    add_u64(o, "failures", vm->failures);
    json_object_object_add(o, "last-failure", json_object_new_string(vm->failure_reason));
    if (!vm->backup)
        return o;
    const Backup *b = vm->backup;
    const FtStats *t = &b->stats;
    uint64_t priv = backup_private_frames(b);
    add_u64(o, "checkpoints", t->checkpoints);
    add_u64(o, "failovers", t->failovers);
    json_object_object_add(o, "last-checkpoint-age-ms", json_object_new_double((double)(monotonic_ns() - b->ckpt_ns) / 1e6));
    json_object *pe = json_object_new_object();
    add_u64(pe, "last", t->last_epoch_pages);
    add_u64(pe, "max", t->max_epoch_pages);
    add_u64(pe, "mean", t->checkpoints ? t->pages_committed / t->checkpoints : 0);
    json_object_object_add(o, "pages-per-epoch", pe);
    add_u64(o, "pages-copied", t->pages_copied);
    add_u64(o, "pages-committed", t->pages_committed);
    add_u64(o, "pages-shared", b->mem.resident - priv);
    add_u64(o, "pages-protected", priv);
    json_object_object_add(o, "backup-share", json_object_new_boolean(!b->policy.private_backup));
    json_object *pu = json_object_new_object();
    add_u64(pu, "mean", t->checkpoints ? t->pause_total_ns / 1000 / t->checkpoints : 0);
    add_u64(pu, "p50", backup_pause_percentile(b, 50));
    add_u64(pu, "p99", backup_pause_percentile(b, 99));
    add_u64(pu, "max", t->pause_max_ns / 1000);
    json_object_object_add(o, "pause-us", pu);
    json_object *fo = json_object_new_object();
    add_u64(fo, "last", t->failover_last_ns / 1000);
    add_u64(fo, "max", t->failover_max_ns / 1000);
    json_object_object_add(o, "failover-us", fo);
    add_u64(o, "backup-bytes", priv * FRAME_SIZE);
    add_u64(o, "output-held-bytes", b->held_len);
    add_u64(o, "output-held-max-us", t->held_max_ns / 1000);
    add_u64(o, "output-discarded-bytes", t->output_discarded);
    add_u64(o, "input-replayed-bytes", t->input_replayed);
    return o;
}

json_object *stats_vm_summary_json(const Vm *vm)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(vm->cfg.name));
    json_object_object_add(o, "state", json_object_new_string(vm_state_name(vm->state)));
    json_object_object_add(o, "reason", json_object_new_string(vm->reason));
    add_u64(o, "mem-bytes", vm->cfg.mem);
    json_object_object_add(o, "kernel", json_object_new_string(vm->cfg.kernel));
    json_object_object_add(o, "console", json_object_new_string(vm->cfg.console ? vm->cfg.console : "stdio"));
    add_u64(o, "instructions", vm_instructions(vm));
    add_u64(o, "reboots", vm->reboots);
    return o;
}

static json_object *vm_json(const Vm *vm)
{
    json_object *o = stats_vm_summary_json(vm);
    add_u64(o, "busy-ns", vm->busy_ns);
    add_u64(o, "wall-ns", monotonic_ns() - vm->created_ns);
    json_object_object_add(o, "mips", json_object_new_double(mips(vm_instructions(vm), vm->busy_ns)));
    add_u64(o, "slices", vm->slices);
    json_object *mem = json_object_new_object(), *cpu = json_object_new_object(), *sh = json_object_new_object(),
                *wdt = json_object_new_object();
    add_u64(mem, "guest-bytes", vm->cfg.mem);
    if (vm->live) {
        const Cpu *c = &vm->board.cpu;
        const MmuStats *m = &c->mmu->stats;
        const P2m *p2m = &vm->board.bus.p2m;
        add_u64(mem, "resident-bytes", p2m->resident * FRAME_SIZE);
        add_u64(mem, "page-changes", m->page_changes);
        add_u64(mem, "write-protects", m->write_protects);
        add_u64(mem, "write-traps", m->write_traps);
        add_u64(mem, "nomem-stalls", m->nomem_stalls);
        add_u64(cpu, "exceptions", c->stats.exceptions);
        add_u64(cpu, "irqs", c->stats.irqs);
        add_u64(cpu, "decoded", c->stats.decoded);
        add_u64(cpu, "code-invalidations", c->stats.code_invalidations);
        add_u64(cpu, "live-code-pages", c->code->live_pages);
        add_u64(sh, "tlb-misses", m->tlb_misses);
        add_u64(sh, "shadow-hits", m->shadow_hits);
        add_u64(sh, "walks", m->walks);
        add_u64(sh, "fills", m->fills);
        add_u64(sh, "stale", m->stale);
        add_u64(sh, "guest-faults", m->guest_faults);
        add_u64(sh, "asid-switches", m->asid_switches);
        add_u64(sh, "address-spaces-recycled", m->ctx_evictions);
        add_u64(sh, "tlbi-all", m->tlbi_all);
        add_u64(sh, "tlbi-asid", m->tlbi_asid);
        add_u64(sh, "tlbi-va", m->tlbi_va);
        add_u64(sh, "tlbi-va-all-asid", m->tlbi_va_all_asid);
        add_u64(sh, "entries-removed", m->entries_removed);
        add_u64(sh, "tlb-revalidations", m->tlb_revalidations);
        const Sp805State *w = &vm->board.wdt.s;
        add_u64(wdt, "interrupts", w->interrupts);
        add_u64(wdt, "pets", w->pets);
        add_u64(wdt, "expiries", w->expiries);
        json_object_object_add(wdt, "running", json_object_new_boolean(!w->expired && (w->control & SP805_INTEN)));
    } else {
        add_u64(mem, "resident-bytes", 0);
    }
    json_object_object_add(o, "memory", mem);
    json_object_object_add(o, "cpu", cpu);
    json_object_object_add(o, "shadow", sh);
    json_object_object_add(o, "watchdog", wdt);
    if (vm->live && !vm->vmm->code_share)
        json_object_object_add(o, "code", code_json(vm->board.cpu.code->share));
    json_object_object_add(o, "ft", stats_ft_json(vm));
    json_object *sw = stats_swap_vm_json(vm);
    if (sw)
        json_object_object_add(o, "swap", sw);
    json_object *shr = stats_share_vm_json(vm);
    if (shr)
        json_object_object_add(o, "share", shr);
    return o;
}

json_object *stats_vmm_json(const Vmm *v)
{
    json_object *o = json_object_new_object(), *m = json_object_new_object(), *vms = json_object_new_array();
    add_u64(m, "total-bytes", v->pool.nframes * FRAME_SIZE);
    add_u64(m, "used-bytes", v->pool.used * FRAME_SIZE);
    add_u64(m, "free-bytes", frames_free_count(&v->pool) * FRAME_SIZE);
    add_u64(m, "high-water-bytes", v->pool.high_water * FRAME_SIZE);
    add_u64(m, "allocations-refused", v->pool.failures);
    add_u64(m, "vm-switches", v->stats.events[VMM_EV_VM_SWITCH]);
    add_u64(m, "rounds", v->stats.rounds);
    add_u64(m, "uptime-ns", monotonic_ns() - v->started_ns);
    json_object_object_add(m, "swap", stats_swap_machine_json(v, false));
    json_object_object_add(m, "share", stats_share_machine_json(v));
    if (v->code_share)
        json_object_object_add(m, "code", code_json(v->code_share));
    json_object_object_add(o, "machine", m);
    for (unsigned i = 0; i < v->nvms; i++)
        json_object_array_add(vms, vm_json(&v->vms[i]));
    json_object_object_add(o, "vms", vms);
    return o;
}
