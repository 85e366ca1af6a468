/* The standby backup of a protected VM (Son 2022, §III.3) and its
 * checkpoints.
 *
 * The backup is a second frame table over the same machine pool. Between
 * checkpoints, a page the primary has not written since the last one is the
 * same frame in both tables: kernel and program text and every clean page
 * are shared, never copied. The first write to a page in an epoch traps
 * (memory event 2): the page joins the epoch's dirty list and, if its frame
 * is shared with the backup, the primary gets a copy first, so the backup
 * keeps the checkpoint's contents. A checkpoint, taken between slices at an
 * instruction boundary, copies every dirty page into the backup's own frame
 * for it (a page once written stays private to each side, so the next
 * epoch's first write to it costs a trap, not a copy), protects those pages
 * again, and saves the vCPU and device state: memory, vCPU and devices of
 * one instant. Console output produced in an epoch is held and
 * released by the checkpoint that ends it; console input given in an epoch
 * is kept.
 *
 * Failover exchanges the two frame tables (O(1)), announces the pages whose
 * contents differ (one cache pass), restores the saved vCPU and device
 * state, discards the held output and gives the kept input again. The old
 * primary's frames become the backup, re-synced to the checkpoint at once
 * (its differing pages copied over). */
#ifndef TANDEM_BACKUP_H
#define TANDEM_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ft/policy.h"
#include "machine/board.h"
#include "mem/p2m.h"

#define FT_PAUSE_SAMPLES 4096

typedef struct FtStats {
    uint64_t checkpoints, failovers;
    uint64_t pages_copied;     /* copy-on-write of a shared page at its first write */
    uint64_t pages_committed;  /* dirty pages made part of a checkpoint */
    uint64_t last_epoch_pages, max_epoch_pages;
    uint64_t pause_total_ns, pause_max_ns;
    uint32_t pause_us[FT_PAUSE_SAMPLES]; /* the latest pauses, for percentiles */
    uint64_t failover_last_ns, failover_max_ns, failover_total_ns;
    uint64_t output_released, output_discarded, input_replayed;
    uint64_t held_max_ns;      /* longest an output byte waited for its checkpoint */
} FtStats;

typedef struct Backup {
    Board *board;     /* the primary */
    P2m mem;          /* the backup's frame table */
    FtPolicy policy;
    uint8_t watch;    /* our write-protect watcher bit in the primary's p2m */
    uint32_t *dirty;  /* pages written in this epoch */
    size_t ndirty, cap;
    uint64_t *dirty_map;
    BoardSnapshot snap; /* vCPU and devices at the last checkpoint */
    uint64_t ckpt_ns, ckpt_icount;
    bool requested;   /* a checkpoint is due at the end of this step */
    uint8_t *held;    /* output of this epoch, not yet committed */
    size_t held_len, held_cap;
    uint64_t held_since_ns;
    uint8_t *input;   /* input given to the guest in this epoch */
    size_t input_len, input_cap;
    uint8_t *replay;  /* input to give again after a failover */
    size_t replay_len, replay_off, replay_cap;
    void (*release)(void *opaque, const uint8_t *p, size_t n);
    void *release_opaque;
    FtStats stats;
} Backup;

/* Protect the board's VM: the backup starts as a checkpoint of now. False
 * (with a message naming `who`) if it cannot. */
bool backup_attach(Backup *b, Board *board, const FtPolicy *policy, const char *who,
                   void (*release)(void *, const uint8_t *, size_t), void *release_opaque);
void backup_detach(Backup *b);

/* Is a checkpoint due (time, instructions, or requested)? */
bool backup_due(const Backup *b, uint64_t now_ns);
/* The step budget that keeps an insns:N policy exact. */
uint64_t backup_budget(const Backup *b, uint64_t budget);
void backup_checkpoint(Backup *b);
/* Roll the VM back to the last checkpoint; returns how long it took (ns). */
uint64_t backup_failover(Backup *b);

/* Console traffic of the protected VM. */
void backup_output(Backup *b, uint8_t byte);
void backup_input_given(Backup *b, const uint8_t *p, size_t n);
size_t backup_take_replay(Backup *b, uint8_t *buf, size_t room);

/* Frames the backup holds that the primary does not share. */
uint64_t backup_private_frames(const Backup *b);
/* Pause percentile (0..100) over the latest checkpoints, in microseconds. */
uint32_t backup_pause_percentile(const Backup *b, unsigned pct);

#endif
