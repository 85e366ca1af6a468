/* The compressed-swap figures, named as zram's mm_stat names them:
 * `swap:` lines in --stats and the "swap" objects of query-stats and
 * query-swap. */
#include <inttypes.h>
#include <json-c/json.h>

#include "vmm/stats.h"

static double ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

static void print_usage(FILE *f, const SwapUsage *u, const SwapCounters *n)
{
    fprintf(f, " orig_data_size=%" PRIu64 " compr_data_size=%" PRIu64 " same_pages=%" PRIu64 " huge_pages=%" PRIu64
               " pages_compressed=%" PRIu64 " pages_faulted_in=%" PRIu64 " refaults=%" PRIu64 " twin_shared=%" PRIu64,
            u->orig_data_size, u->compr_data_size, u->same_pages, u->huge_pages, n->compressed, n->faulted_in,
            n->refaults, n->twin_shared);
}

void stats_print_swap_vm(const Vm *vm, FILE *f, const char *prefix)
{
    const Swap *s = vm->vmm->swap;
    if (!s || !vm->live)
        return;
    const SwapSpace *sp = swap_space_of(s, &vm->board.bus.p2m);
    if (!sp)
        return;
    SwapUsage u = swap_usage(s, sp->m);
    fprintf(f, "%sswap: vm=%s", prefix, vm->cfg.name);
    print_usage(f, &u, &sp->n);
    fprintf(f, " same_filled_in=%" PRIu64 "\n", sp->m->stats.filled_in);
    if (vm->backup && (sp = swap_space_of(s, &vm->backup->mem))) {
        u = swap_usage(s, sp->m);
        fprintf(f, "%sswap: vm=%s.backup", prefix, vm->cfg.name);
        print_usage(f, &u, &sp->n);
        fputc('\n', f);
    }
}

void stats_print_swap_machine(const Vmm *v, FILE *f)
{
    const Swap *s = v->swap;
    if (!s) {
        fprintf(f, "tandem: swap: machine alg=off\n");
        return;
    }
    SwapUsage u = swap_usage(s, NULL);
    const ZPool *z = &s->z;
    fprintf(f, "tandem: swap: machine alg=%s", codec_name(s->cfg.alg));
    print_usage(f, &u, &s->stats.n);
    fprintf(f, " mem_used_total=%" PRIu64 " mem_used_max=%" PRIu64 " ratio=%.2f fragmentation=%.3f"
               " compress_p50_ns=%" PRIu64 " compress_p99_ns=%" PRIu64 " decompress_p50_ns=%" PRIu64
               " decompress_p99_ns=%" PRIu64 " fault_in_p50_ns=%" PRIu64 " fault_in_p99_ns=%" PRIu64
               " incompressible=%" PRIu64 " reclaims=%" PRIu64 " direct_reclaims=%" PRIu64 " failed_reclaims=%" PRIu64
               " scanned=%" PRIu64 " second_chances=%" PRIu64 " compactions=%" PRIu64 " objects_moved=%" PRIu64
               " low=%" PRIu64 " high=%" PRIu64 " threshold=%u\n",
            z->frames * FRAME_SIZE, z->frames_max * FRAME_SIZE, ratio(u.orig_data_size, u.compr_data_size),
            ratio(zpool_wasted(z), z->frames * FRAME_SIZE), latency_percentile(&s->compress_lat, 50),
            latency_percentile(&s->compress_lat, 99), latency_percentile(&s->decompress_lat, 50),
            latency_percentile(&s->decompress_lat, 99), latency_percentile(&s->fault_lat, 50),
            latency_percentile(&s->fault_lat, 99), s->stats.n.incompressible, s->stats.passes, s->stats.direct,
            s->stats.failed, s->stats.scanned, s->stats.second_chances, z->compactions, z->moved,
            swap_low(s) * FRAME_SIZE, swap_high(s) * FRAME_SIZE, s->cfg.threshold);
}

static void add_u64(json_object *o, const char *k, uint64_t n)
{
    json_object_object_add(o, k, json_object_new_int64((int64_t)n));
}

static json_object *usage_json(const SwapUsage *u, const SwapCounters *n)
{
    json_object *o = json_object_new_object();
    add_u64(o, "orig_data_size", u->orig_data_size);
    add_u64(o, "compr_data_size", u->compr_data_size);
    add_u64(o, "same_pages", u->same_pages);
    add_u64(o, "huge_pages", u->huge_pages);
    add_u64(o, "pages_compressed", n->compressed);
    add_u64(o, "pages_same_filled", n->filled);
    add_u64(o, "pages_faulted_in", n->faulted_in);
    add_u64(o, "refaults", n->refaults);
    add_u64(o, "incompressible", n->incompressible);
    add_u64(o, "twin_shared", n->twin_shared);
    return o;
}

json_object *stats_swap_vm_json(const Vm *vm)
{
    const Swap *s = vm->vmm->swap;
    const SwapSpace *sp = s && vm->live ? swap_space_of(s, &vm->board.bus.p2m) : NULL;
    if (!sp)
        return NULL;
    SwapUsage u = swap_usage(s, sp->m);
    json_object *o = usage_json(&u, &sp->n);
    add_u64(o, "same_filled_in", sp->m->stats.filled_in);
    if (vm->backup && (sp = swap_space_of(s, &vm->backup->mem))) {
        u = swap_usage(s, sp->m);
        json_object_object_add(o, "backup", usage_json(&u, &sp->n));
    }
    return o;
}

static json_object *latency_json(const Latency *l)
{
    json_object *o = json_object_new_object();
    add_u64(o, "count", l->n);
    add_u64(o, "mean", latency_mean(l));
    add_u64(o, "p50", latency_percentile(l, 50));
    add_u64(o, "p99", latency_percentile(l, 99));
    add_u64(o, "max", l->max_ns);
    return o;
}

json_object *stats_swap_machine_json(const Vmm *v, bool detail)
{
    const Swap *s = v->swap;
    json_object *o;
    if (!s) {
        o = json_object_new_object();
        json_object_object_add(o, "alg", json_object_new_string("off"));
        return o;
    }
    SwapUsage u = swap_usage(s, NULL);
    const ZPool *z = &s->z;
    o = usage_json(&u, &s->stats.n);
    json_object_object_add(o, "alg", json_object_new_string(codec_name(s->cfg.alg)));
    add_u64(o, "mem_used_total", z->frames * FRAME_SIZE);
    add_u64(o, "mem_used_max", z->frames_max * FRAME_SIZE);
    json_object_object_add(o, "ratio", json_object_new_double(ratio(u.orig_data_size, u.compr_data_size)));
    json_object_object_add(o, "fragmentation", json_object_new_double(ratio(zpool_wasted(z), z->frames * FRAME_SIZE)));
    add_u64(o, "low-bytes", swap_low(s) * FRAME_SIZE);
    add_u64(o, "high-bytes", swap_high(s) * FRAME_SIZE);
    add_u64(o, "threshold-bytes", s->cfg.threshold);
    if (!detail)
        return o;
    json_object *lat = json_object_new_object();
    json_object_object_add(lat, "compress", latency_json(&s->compress_lat));
    json_object_object_add(lat, "decompress", latency_json(&s->decompress_lat));
    json_object_object_add(lat, "fault-in", latency_json(&s->fault_lat));
    json_object_object_add(o, "latency-ns", lat);
    json_object *r = json_object_new_object();
    add_u64(r, "passes", s->stats.passes);
    add_u64(r, "direct", s->stats.direct);
    add_u64(r, "failed", s->stats.failed);
    add_u64(r, "scanned", s->stats.scanned);
    add_u64(r, "second-chances", s->stats.second_chances);
    add_u64(r, "pool-full", s->stats.pool_full);
    add_u64(r, "time-ns", s->stats.reclaim_ns);
    json_object_object_add(o, "reclaim", r);
    json_object *pool = json_object_new_object(), *classes = json_object_new_array();
    add_u64(pool, "frames", z->frames);
    add_u64(pool, "frames-max", z->frames_max);
    add_u64(pool, "objects", z->objects);
    add_u64(pool, "compressed-bytes", z->bytes);
    add_u64(pool, "wasted-bytes", zpool_wasted(z));
    add_u64(pool, "compactions", z->compactions);
    add_u64(pool, "objects-moved", z->moved);
    for (unsigned i = 0; i < ZPOOL_CLASSES; i++) {
        const ZClass *c = &z->cls[i];
        if (!c->zspages)
            continue;
        json_object *e = json_object_new_object();
        add_u64(e, "size", c->size);
        add_u64(e, "frames-per-zspage", c->frames);
        add_u64(e, "zspages", c->zspages);
        add_u64(e, "objects", c->objects);
        add_u64(e, "capacity", c->zspages * c->per_zspage);
        json_object_array_add(classes, e);
    }
    json_object_object_add(pool, "classes", classes);
    json_object_object_add(o, "pool", pool);
    json_object *vms = json_object_new_array();
    for (unsigned i = 0; i < v->nvms; i++) {
        json_object *e = stats_swap_vm_json(&v->vms[i]);
        if (!e)
            continue;
        json_object_object_add(e, "vm", json_object_new_string(v->vms[i].cfg.name));
        json_object_array_add(vms, e);
    }
    json_object_object_add(o, "vms", vms);
    return o;
}
