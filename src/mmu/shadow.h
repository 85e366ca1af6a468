/* Shadow page tables: the VMM's cache of composed translations
 * (guest virtual page -> guest-physical page -> host memory, with the
 * guest's permissions), one table per guest address space (ASID) plus one
 * for global mappings, as DESIGN.md describes.
 *
 * Entries are created lazily on a soft-TLB miss (after a guest table walk),
 * removed by the guest's TLBI, and checked against the p2m generation of
 * their page when used, so a page whose p2m state changed is never reached
 * through a stale entry. Each address space also owns the soft TLB used
 * while it is current, so switching ASID is a pointer swap and nothing built
 * for the old one is lost. */
#ifndef TANDEM_SHADOW_H
#define TANDEM_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/tlb.h"

typedef struct ShadowEntry {
    uint64_t va;  /* page base; SHADOW_EMPTY or SHADOW_TOMB when unused */
    uint64_t gpa; /* guest-physical page */
    uint32_t gen; /* p2m generation of gpa when the entry was made */
    uint8_t perms; /* PERM_* (walk.h) */
    uint8_t level; /* level of the guest's leaf descriptor */
    uint8_t attrs; /* AttrIndx (bits 2:0) and SH (bits 4:3), for AT */
} ShadowEntry;

#define SHADOW_EMPTY (~(uint64_t)0)
#define SHADOW_TOMB (~(uint64_t)1)

typedef struct ShadowTable {
    ShadowEntry *slot;
    uint32_t cap;  /* power of two */
    uint32_t live; /* entries in use */
    uint32_t used; /* live + tombstones */
    /* Guest blocks (1 GiB / 2 MiB) that page entries were cut from: a TLBI of
     * any address in a block must remove all of them. base | level. */
    uint64_t *blocks;
    uint32_t nblocks, blocks_cap;
} ShadowTable;

void shadow_init(ShadowTable *t);
void shadow_destroy(ShadowTable *t);
ShadowEntry *shadow_find(ShadowTable *t, uint64_t va);
ShadowEntry *shadow_insert(ShadowTable *t, const ShadowEntry *e);
bool shadow_remove(ShadowTable *t, uint64_t va);
/* Removes every entry; returns how many there were. */
uint32_t shadow_clear(ShadowTable *t);
/* Entries for va were made from a level-1 or level-2 block descriptor. */
void shadow_note_block(ShadowTable *t, uint64_t va, unsigned level);
/* The guest invalidated va: remove its entry and, if va lies in a block that
 * entries were cut from, every entry of that block, calling flush(page) for
 * each of those other pages (the caller flushes va itself). Returns the
 * number of entries removed. */
uint32_t shadow_invalidate_va(ShadowTable *t, uint64_t va, void (*flush)(void *, uint64_t), void *opaque);

/* One guest address space: its shadow table and the soft TLBs in front. */
typedef struct MmuContext {
    uint32_t asid; /* MMU_ASID_FREE when unused */
    uint64_t last_use;
    uint64_t epoch; /* Mmu.epoch when its soft TLBs were last checked against the p2m */
    ShadowTable table; /* non-global entries */
    Tlb tlb;
    CodeTlbEntry code_tlb[CODE_TLB_SIZE];
} MmuContext;

#define MMU_CONTEXTS 32
#define MMU_ASID_FREE 0xffffffffu
#define MMU_ASID_FLAT 0x10000u /* the MMU-off address space */

typedef struct MmuStats {
    uint64_t tlb_misses;     /* soft-TLB misses (slow-path accesses) */
    uint64_t shadow_hits;    /* misses served from a shadow table */
    uint64_t walks;          /* guest table walks */
    uint64_t fills;          /* shadow entries created */
    uint64_t stale;          /* entries dropped because their page changed state */
    uint64_t guest_faults;   /* translation/permission/AF faults given to the guest */
    uint64_t asid_switches;  /* address-space switches (kept, not rebuilt) */
    uint64_t ctx_evictions;  /* address spaces recycled */
    uint64_t tlbi_all, tlbi_asid, tlbi_va, tlbi_va_all_asid;
    uint64_t entries_removed; /* shadow entries removed by TLBI */
    uint64_t page_changes;   /* p2m page-state-change events honoured */
    uint64_t write_protects; /* p2m write-protect events honoured */
    uint64_t write_traps;    /* writes that trapped to a write-protect watcher */
    uint64_t tlb_revalidations; /* soft TLBs re-checked after such events */
    uint64_t nomem_stalls;   /* accesses held back: no machine frame for the page */
} MmuStats;

/* What the vCPU's address-space events tell the layer above (DESIGN.md,
 * memory event 4). Unset hooks cost one test. */
typedef enum MmuEvent {
    MMU_EV_ASID_SWITCH,    /* the current ASID changed (under KPTI, every kernel entry) */
    MMU_EV_PROCESS_SWITCH, /* TTBR0 now points at other user page tables */
    MMU_EV_TLBI,           /* the guest invalidated translations */
} MmuEvent;

typedef struct MmuHooks {
    void *opaque;
    void (*event)(void *opaque, MmuEvent ev);
} MmuHooks;

typedef struct Mmu {
    MmuContext ctx[MMU_CONTEXTS];
    MmuContext flat;
    ShadowTable global;
    MmuContext *cur;
    uint64_t clock;
    uint64_t epoch; /* bumped by every p2m event that soft TLBs must honour */
    uint64_t ttbr0_base; /* user table base last seen, for process switches */
    MmuHooks hooks;
    MmuStats stats;
} Mmu;

#endif
