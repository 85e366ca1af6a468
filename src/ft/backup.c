#include "ft/backup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 4096;
    while (n < need)
        n *= 2;
    uint8_t *p = realloc(*buf, n);
    if (!p)
        return false;
    *buf = p;
    *cap = n;
    return true;
}

static P2m *primary(Backup *b)
{
    return &b->board->bus.p2m;
}

/* Memory event 2: the first write to a page in this epoch. */
static bool page_written(void *opaque, uint64_t gfn)
{
    Backup *b = opaque;
    P2m *m = primary(b);
    uint64_t bit = 1ull << (gfn % 64);
    if (!(b->dirty_map[gfn / 64] & bit)) {
        if (b->ndirty == b->cap) {
            size_t cap = b->cap ? b->cap * 2 : 1024;
            uint32_t *d = realloc(b->dirty, cap * sizeof *d);
            if (!d)
                return false;
            b->dirty = d;
            b->cap = cap;
        }
        b->dirty[b->ndirty++] = (uint32_t)gfn;
        b->dirty_map[gfn / 64] |= bit;
    }
    /* The backup keeps the checkpoint's contents: the primary writes a copy. */
    if (m->state[gfn] == PAGE_RESIDENT && b->mem.state[gfn] == PAGE_RESIDENT && m->frame[gfn] == b->mem.frame[gfn]) {
        if (!p2m_break_share(m, gfn))
            return false;
        b->stats.pages_copied++;
    }
    return true;
}

static void save_state(Backup *b)
{
    board_save(b->board, &b->snap);
    b->ckpt_ns = monotonic_ns();
    b->ckpt_icount = b->board->cpu.icount;
    b->requested = false;
}

bool backup_attach(Backup *b, Board *board, const FtPolicy *policy, const char *who,
                   void (*release)(void *, const uint8_t *, size_t), void *release_opaque)
{
    memset(b, 0, sizeof *b);
    b->board = board;
    b->policy = *policy;
    b->release = release;
    b->release_opaque = release_opaque;
    P2m *m = primary(b);
    b->dirty_map = calloc((m->npages + 63) / 64, sizeof *b->dirty_map);
    b->watch = p2m_watch(m, "backup", page_written, b);
    if (!b->dirty_map || !b->watch || !p2m_init(&b->mem, m->pool, m->base, m->npages * FRAME_SIZE, FRAME_NONE)) {
        fprintf(stderr, "%s: backup: out of host memory\n", who);
        free(b->dirty_map);
        return false;
    }
    /* Unchanged pages share their frames with the backup (a copy on the
     * first write), unless the backup must hold copies of its own. */
    for (uint64_t i = 0; i < m->npages; i++)
        if (policy->private_backup)
            p2m_copy_from(&b->mem, m, i);
        else
            p2m_share_from(&b->mem, m, i);
    m->twin = &b->mem;
    b->mem.twin = m;
    m->twin_apart = b->mem.twin_apart = policy->private_backup;
    m->twin_bit = b->watch; /* protected since the checkpoint: equal to the backup's */
    p2m_write_protect_all(m, b->watch);
    save_state(b);
    return true;
}

void backup_detach(Backup *b)
{
    primary(b)->twin = NULL;
    primary(b)->twin_bit = 0;
    primary(b)->twin_apart = false;
    p2m_destroy(&b->mem);
    free(b->dirty);
    free(b->dirty_map);
    free(b->held);
    free(b->input);
    free(b->replay);
    memset(b, 0, sizeof *b);
}

bool backup_due(const Backup *b, uint64_t now_ns)
{
    if (b->requested || b->policy.vm_switch)
        return true;
    if (b->policy.interval_ms && now_ns - b->ckpt_ns >= (uint64_t)b->policy.interval_ms * 1000000u)
        return true;
    return b->policy.insns && b->board->cpu.icount - b->ckpt_icount >= b->policy.insns;
}

uint64_t backup_budget(const Backup *b, uint64_t budget)
{
    if (!b->policy.insns)
        return budget;
    uint64_t done = b->board->cpu.icount - b->ckpt_icount;
    if (done >= b->policy.insns)
        return budget; /* overdue (the checkpoint waits for progress): run on normally */
    uint64_t left = b->policy.insns - done;
    return left < budget ? left : budget;
}

/* The dirty pages are the checkpoint's now: the backup copies them into
 * frames of its own. (Sharing them again would cost a copy and a
 * page-state change at the next write of every hot page, in the guest's
 * time; the copy here costs the same bytes in the pause, with no event.) */
static void commit_dirty(Backup *b)
{
    P2m *m = primary(b);
    for (size_t i = 0; i < b->ndirty; i++) {
        uint32_t g = b->dirty[i];
        p2m_copy_from(&b->mem, m, g);
        b->dirty_map[g / 64] = 0;
    }
    p2m_write_protect_many(m, b->dirty, b->ndirty, b->watch);
    b->stats.pages_committed += b->ndirty;
    b->stats.last_epoch_pages = b->ndirty;
    if (b->ndirty > b->stats.max_epoch_pages)
        b->stats.max_epoch_pages = b->ndirty;
    b->ndirty = 0;
}

static void release_output(Backup *b, uint64_t now)
{
    if (!b->held_len)
        return;
    if (now - b->held_since_ns > b->stats.held_max_ns)
        b->stats.held_max_ns = now - b->held_since_ns;
    b->release(b->release_opaque, b->held, b->held_len);
    b->stats.output_released += b->held_len;
    b->held_len = 0;
}

void backup_checkpoint(Backup *b)
{
    uint64_t t0 = monotonic_ns();
    commit_dirty(b);
    save_state(b);
    b->input_len = 0;
    uint64_t pause = monotonic_ns() - t0;
    release_output(b, t0);
    b->stats.pause_us[b->stats.checkpoints % FT_PAUSE_SAMPLES] = (uint32_t)(pause / 1000);
    b->stats.checkpoints++;
    b->stats.pause_total_ns += pause;
    if (pause > b->stats.pause_max_ns)
        b->stats.pause_max_ns = pause;
}

uint64_t backup_failover(Backup *b)
{
    uint64_t t0 = monotonic_ns();
    P2m *m = primary(b);
    p2m_exchange(m, &b->mem);
    /* The pages that differ: those written in the failed epoch (the dirty
     * list), and those first touched in it (their state differs; found by
     * one pass over the state bytes). Pages written earlier have private
     * frames on both sides with equal contents. */
    size_t n = b->ndirty;
    for (uint64_t g = 0; g < m->npages; g++) {
        if (m->state[g] == b->mem.state[g] || (b->dirty_map[g / 64] >> (g % 64)) & 1)
            continue;
        if (n == b->cap) {
            size_t cap = b->cap ? b->cap * 2 : 1024;
            uint32_t *d = realloc(b->dirty, cap * sizeof *d);
            if (!d)
                break;
            b->dirty = d, b->cap = cap;
        }
        b->dirty[n++] = (uint32_t)g;
    }
    b->ndirty = n;
    p2m_change_many(m, b->dirty, n);
    for (size_t i = 0; i < n; i++) {
        p2m_copy_from(&b->mem, m, b->dirty[i]); /* the failed epoch's contents go */
        b->dirty_map[b->dirty[i] / 64] = 0;
    }
    p2m_write_protect_many(m, b->dirty, n, b->watch);
    b->ndirty = 0;
    board_restore(b->board, &b->snap);
    b->stats.output_discarded += b->held_len;
    b->held_len = 0;
    /* The input the guest had since the checkpoint, in order, before any new. */
    if (b->input_len && grow(&b->replay, &b->replay_cap, b->input_len + b->replay_len - b->replay_off)) {
        size_t old = b->replay_len - b->replay_off;
        memmove(b->replay + b->input_len, b->replay + b->replay_off, old);
        memcpy(b->replay, b->input, b->input_len);
        b->replay_len = b->input_len + old;
        b->replay_off = 0;
        b->stats.input_replayed += b->input_len;
    }
    b->input_len = 0;
    b->ckpt_ns = monotonic_ns();
    b->ckpt_icount = b->board->cpu.icount;
    uint64_t took = monotonic_ns() - t0;
    b->stats.failovers++;
    b->stats.failover_last_ns = took;
    b->stats.failover_total_ns += took;
    if (took > b->stats.failover_max_ns)
        b->stats.failover_max_ns = took;
    return took;
}

void backup_output(Backup *b, uint8_t byte)
{
    if (!grow(&b->held, &b->held_cap, b->held_len + 1)) {
        b->release(b->release_opaque, &byte, 1); /* no room to hold it: better late than lost */
        return;
    }
    if (!b->held_len)
        b->held_since_ns = monotonic_ns();
    b->held[b->held_len++] = byte;
}

void backup_input_given(Backup *b, const uint8_t *p, size_t n)
{
    if (grow(&b->input, &b->input_cap, b->input_len + n)) {
        memcpy(b->input + b->input_len, p, n);
        b->input_len += n;
    }
}

size_t backup_take_replay(Backup *b, uint8_t *buf, size_t room)
{
    size_t n = b->replay_len - b->replay_off;
    if (n > room)
        n = room;
    if (!n)
        return 0;
    memcpy(buf, b->replay + b->replay_off, n);
    b->replay_off += n;
    if (b->replay_off == b->replay_len)
        b->replay_off = b->replay_len = 0;
    return n;
}

uint64_t backup_private_frames(const Backup *b)
{
    const P2m *m = &b->board->bus.p2m;
    uint64_t n = 0;
    for (uint64_t g = 0; g < m->npages; g++)
        n += b->mem.state[g] == PAGE_RESIDENT && (m->state[g] != PAGE_RESIDENT || m->frame[g] != b->mem.frame[g]);
    return n;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

uint32_t backup_pause_percentile(const Backup *b, unsigned pct)
{
    size_t n = b->stats.checkpoints < FT_PAUSE_SAMPLES ? b->stats.checkpoints : FT_PAUSE_SAMPLES;
    if (!n)
        return 0;
    uint32_t *v = malloc(n * sizeof *v);
    if (!v)
        return 0;
    memcpy(v, b->stats.pause_us, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_u32);
    uint32_t r = v[(n - 1) * pct / 100];
    free(v);
    return r;
}
