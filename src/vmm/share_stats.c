/* The page-sharing figures, named as Linux's KSM names them: `share:`
 * lines in --stats and the "share" objects of query-stats. */
#include <inttypes.h>
#include <json-c/json.h>

#include "vmm/stats.h"

void stats_print_share_vm(const Vm *vm, FILE *f, const char *prefix)
{
    const Share *s = vm->vmm->share;
    if (!s || !vm->live || !share_space_of(s, &vm->board.bus.p2m))
        return;
    const P2m *m = &vm->board.bus.p2m;
    ShareUsage u = share_usage(s, m);
    fprintf(f, "%sshare: vm=%s pages_on_shared=%" PRIu64 " merged=%" PRIu64 " cow_breaks=%" PRIu64 "\n", prefix,
            vm->cfg.name, u.pages_on_shared, m->stats.merged,
            share_cow_breaks(s, m));
}

void stats_print_share_machine(const Vmm *v, FILE *f)
{
    const Share *s = v->share;
    if (!s) {
        fprintf(f, "tandem: share: machine mode=off\n");
        return;
    }
    ShareUsage u = share_usage(s, NULL);
    const ShareStats *t = &s->st;
    fprintf(f, "tandem: share: machine mode=%s pages_shared=%" PRIu64 " pages_sharing=%" PRIu64
               " pages_unshared=%" PRIu64 " pages_volatile=%" PRIu64 " full_scans=%" PRIu64 " cow_breaks=%" PRIu64
               " merges=%" PRIu64 " pages_scanned=%" PRIu64 " pages_hashed=%" PRIu64 " stale=%" PRIu64
               " passes=%" PRIu64 " scan_ns=%" PRIu64 " saved_bytes=%" PRIu64 " pages_to_scan=%u sleep_ms=%u boosted_passes=%" PRIu64 "\n",
            share_mode_name(s->cfg.mode), u.pages_shared, u.pages_sharing, t->pages_unshared, t->pages_volatile,
            t->full_scans, share_cow_breaks(s, NULL), t->merges, t->pages_scanned, t->pages_hashed, t->stale,
            t->passes, t->scan_ns, u.pages_sharing * FRAME_SIZE, s->cfg.pages, s->cfg.sleep_ms, t->boosted_passes);
}

static void add_u64(json_object *o, const char *k, uint64_t n)
{
    json_object_object_add(o, k, json_object_new_int64((int64_t)n));
}

json_object *stats_share_vm_json(const Vm *vm)
{
    const Share *s = vm->vmm->share;
    const P2m *m = &vm->board.bus.p2m;
    const ShareSpace *sp = s && vm->live ? share_space_of(s, m) : NULL;
    if (!sp)
        return NULL;
    json_object *o = json_object_new_object();
    add_u64(o, "pages_on_shared", share_usage(s, m).pages_on_shared);
    add_u64(o, "merged", m->stats.merged);
    add_u64(o, "cow_breaks", share_cow_breaks(s, m));
    return o;
}

json_object *stats_share_machine_json(const Vmm *v)
{
    const Share *s = v->share;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "mode", json_object_new_string(share_mode_name(s ? s->cfg.mode : SHARE_OFF)));
    if (!s)
        return o;
    ShareUsage u = share_usage(s, NULL);
    const ShareStats *t = &s->st;
    add_u64(o, "pages_shared", u.pages_shared);
    add_u64(o, "pages_sharing", u.pages_sharing);
    add_u64(o, "pages_unshared", t->pages_unshared);
    add_u64(o, "pages_volatile", t->pages_volatile);
    add_u64(o, "full_scans", t->full_scans);
    add_u64(o, "cow_breaks", share_cow_breaks(s, NULL));
    add_u64(o, "merges", t->merges);
    add_u64(o, "pages_scanned", t->pages_scanned);
    add_u64(o, "pages_hashed", t->pages_hashed);
    add_u64(o, "stale", t->stale);
    add_u64(o, "passes", t->passes);
    add_u64(o, "boosted-passes", t->boosted_passes);
    add_u64(o, "scan_ns", t->scan_ns);
    add_u64(o, "saved_bytes", u.pages_sharing * FRAME_SIZE);
    add_u64(o, "pages_to_scan", s->cfg.pages);
    add_u64(o, "sleep_ms", s->cfg.sleep_ms);
    return o;
}
