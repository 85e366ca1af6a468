/* Compressed swap in the monitor (Lee & Yoo, §3): when free machine frames
 * fall below a low watermark, the controller picks cold guest pages and
 * keeps each as a value (same-filled) or compressed in the compressed pool,
 * freeing its frame, until free frames reach the high watermark. The next
 * access to such a page faults in the p2m (first touch) and the page is
 * decompressed into a fresh frame. The guest is not told.
 *
 * Choosing pages: a clock (second chance) over the p2m's access bits, in
 * the seed's order — backup VMs' pages first (nothing runs on them), then
 * the pages of the address space running now, the other address spaces,
 * the kernel's, the rest of the running VM's RAM, then the other VMs. The
 * pages the current address space's soft TLBs reach are never taken.
 * Pages that do not compress below the threshold stay resident and are
 * left alone for the next few passes. */
#ifndef TANDEM_SWAP_H
#define TANDEM_SWAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/p2m.h"
#include "swap/codec.h"
#include "swap/latency.h"
#include "swap/zpool.h"

#define SWAP_MAX_SPACES 64
#define SWAP_DEFAULT_THRESHOLD (FRAME_SIZE * 3 / 4)
#define SWAP_REFAULT_MS 1000  /* back within this long after being compressed: a refault */
#define SWAP_SKIP_PASSES 8    /* an incompressible backup page is left alone this many clock visits */
#define SWAP_SKIP_UNTIL_WRITTEN 255 /* an incompressible guest page: until it is written */
#define SWAP_MIN_FREED 32     /* a reclaim that frees less has not made room for a VM to go on */

typedef struct SwapConfig {
    CodecAlg alg;
    uint64_t low, high;  /* watermarks in free frames; 0: the defaults */
    uint32_t threshold;  /* keep a page compressed only if it fits in this many bytes */
} SwapConfig;

typedef struct SwapCounters {
    uint64_t compressed;   /* pages stored in the compressed pool */
    uint64_t filled;       /* pages kept as a value */
    uint64_t incompressible; /* pages found not to compress below the threshold */
    uint64_t faulted_in;   /* compressed pages decompressed again */
    uint64_t refaults;     /* ...within SWAP_REFAULT_MS of being compressed */
    uint64_t twin_shared;  /* pages given up by holding the twin's equal copy (frame or compressed) */
} SwapCounters;

/* One p2m the controller may take pages from: a VM's RAM or its backup. */
typedef struct SwapSpace {
    P2m *m;
    char name[40];
    bool backup;
    uint64_t hand;       /* the clock hand over its pages */
    uint8_t *skip;       /* visits left before an incompressible page is tried again */
    uint64_t *queued;    /* bitmap: chosen, being stored */
    uint64_t *pinned;    /* bitmap: reached by the running address space's soft TLBs */
    uint8_t watch;       /* our write-protect watcher bit (0 for a backup) */
    uint32_t *kept;      /* incompressible pages to write-protect (one batch) */
    size_t nkept;
    SwapCounters n;
} SwapSpace;

typedef struct SwapStats {
    SwapCounters n;
    uint64_t passes;        /* reclaim calls that had work */
    uint64_t scanned;       /* pages looked at */
    uint64_t second_chances;
    uint64_t direct;        /* reclaims because a VM had no frame */
    uint64_t failed;        /* reclaims that freed nothing */
    uint64_t pool_full;     /* pages not stored: the compressed pool had no frame */
    uint64_t reclaim_ns;
} SwapStats;

typedef struct Swap {
    SwapConfig cfg;
    FramePool *pool;
    Codec codec;
    ZPool z;
    PageStore store;
    SwapSpace *space[SWAP_MAX_SPACES];
    unsigned nspaces;
    uint64_t started_ns;
    uint32_t *batch;      /* victims queued in the space being walked */
    size_t nbatch, batch_cap;
    Latency compress_lat, decompress_lat, fault_lat;
    unsigned backoff, backoff_left; /* balance passes skipped after fruitless ones */
    SwapStats stats;
} Swap;

/* Set up over `pool` (messages in err). cfg->alg must not be CODEC_OFF. */
bool swap_init(Swap *s, FramePool *pool, const SwapConfig *cfg, char *err, size_t errlen);
void swap_destroy(Swap *s);

/* Pages of m may be compressed (a VM's RAM, or a backup's). */
bool swap_add_space(Swap *s, P2m *m, const char *name, bool backup);
/* m is going away (its compressed pages are freed with it). */
void swap_remove_space(Swap *s, P2m *m);

/* Keep free frames between the watermarks: if below low, compress cold
 * pages (current = the p2m of the VM about to run, or NULL) until high, at
 * most `budget` pages. Returns the frames freed. */
uint64_t swap_balance(Swap *s, P2m *current, uint64_t budget);
/* A VM found no frame: free what can be freed now (up to the high
 * watermark). Returns the frames freed; 0 means nothing more can be. */
uint64_t swap_reclaim(Swap *s, P2m *current);

/* zram's mm_stat of one p2m, or of the machine when m is NULL (the pool's
 * objects counted once each, however many pages hold them). */
typedef struct SwapUsage {
    uint64_t orig_data_size;  /* bytes of pages compressed */
    uint64_t compr_data_size; /* their compressed bytes */
    uint64_t same_pages;      /* pages kept as a value */
    uint64_t huge_pages;      /* resident pages found incompressible */
} SwapUsage;
SwapUsage swap_usage(const Swap *s, const P2m *m);
const SwapSpace *swap_space_of(const Swap *s, const P2m *m);
uint64_t swap_low(const Swap *s);
uint64_t swap_high(const Swap *s);

#endif
