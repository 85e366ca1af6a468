/* Page sharing (DESIGN.md, "Page sharing"; the second seed's §2.1): a
 * scanner hashes the VMs' resident pages at a bounded rate, confirms equal
 * pages byte for byte and maps them to one frame. A frame with several
 * owners is never writable (mem/p2m.h), so the first write to a shared page
 * takes the write fault and gets a copy of its own (copy on write).
 *
 * As in Linux's KSM: a page enters the index of candidates (the "unstable"
 * index) only when its contents did not change since the scanner's previous
 * visit (pages that change often are "volatile" and left alone); two equal
 * candidates become one shared frame, entered in the "stable" index, which
 * later equal pages join directly. The unstable index is rebuilt every full
 * scan; every entry is checked (page, frame and bytes) before it is used. */
#ifndef TANDEM_SHARE_H
#define TANDEM_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/p2m.h"
#include "share/index.h"

typedef enum ShareMode { SHARE_OFF, SHARE_VM, SHARE_ALL } ShareMode;

/* The names users type (--share, "share"); false if unknown. */
bool share_parse(const char *name, ShareMode *mode);
const char *share_mode_name(ShareMode mode);

#define SHARE_DEFAULT_PAGES 512     /* pages per pass (KSM: pages_to_scan) */
#define SHARE_DEFAULT_SLEEP_MS 20   /* between passes (KSM: sleep_millisecs) */
#define SHARE_MAX_SPACES 64
/* With less than 1/DIV of machine memory free, a pass takes BOOST times the pages. */
#define SHARE_PRESSURE_DIV 4
#define SHARE_PRESSURE_BOOST 4

typedef struct ShareConfig {
    ShareMode mode;      /* SHARE_VM: only pages of one VM are merged */
    unsigned pages;      /* resident pages hashed per pass; 0: the default */
    unsigned sleep_ms;   /* host time between passes */
    bool sleep_set;      /* sleep_ms was given (0 is a valid choice) */
} ShareConfig;

typedef struct ShareSpace {
    P2m *m;
    uint32_t *sum;        /* per page: contents' checksum at the last visit (never 0) */
} ShareSpace;

typedef struct ShareStats {
    uint64_t passes, full_scans;
    uint64_t boosted_passes; /* passes that took more pages: machine memory was short */
    uint64_t pages_scanned;  /* resident pages looked at */
    uint64_t pages_hashed;   /* of which hashed (the others were shared already) */
    uint64_t merges;         /* pages that gave up their frame */
    uint64_t stale;          /* index entries found out of date and dropped */
    uint64_t scan_ns;        /* host time in passes */
    uint64_t pages_volatile; /* changed since the previous visit, during the last full scan */
    uint64_t pages_unshared; /* unique candidates at the end of the last full scan */
} ShareStats;

typedef struct Share {
    ShareConfig cfg;
    FramePool *pool;
    ShareSpace *space[SHARE_MAX_SPACES]; /* NULL: a free slot (indices stay put) */
    ContentIndex stable, unstable;
    unsigned at_space;   /* the scan's position */
    uint64_t at_gfn;
    uint64_t scan_steps; /* pages passed in this full scan */
    uint64_t next_ns;    /* when the next pass is due */
    uint64_t volatile_now;
    ShareStats st;
} Share;

bool share_init(Share *s, FramePool *pool, const ShareConfig *cfg);
void share_destroy(Share *s);
/* A VM's RAM joins the scan. False if there is no room or host memory. */
bool share_add_space(Share *s, P2m *m);
void share_remove_space(Share *s, P2m *m);
const ShareSpace *share_space_of(const Share *s, const P2m *m);

/* Between slices: a pass if one is due at now_ns. */
void share_tick(Share *s, uint64_t now_ns);
/* One pass now: up to cfg.pages resident pages (SHARE_PRESSURE_BOOST times
 * that when machine memory is short). Returns the pages merged. */
unsigned share_pass(Share *s);

typedef struct ShareUsage {
    uint64_t pages_shared;  /* frames that several guest pages map (KSM's names) */
    uint64_t pages_sharing; /* guest pages beyond the first on those frames: frames saved */
    uint64_t pages_on_shared; /* m's pages on such a frame (every space's when m is NULL) */
} ShareUsage;
/* Counted over the scanned spaces (backups' references are not sharing). */
ShareUsage share_usage(const Share *s, const P2m *m);
/* Copies on write of the scanned tables (m's only, unless m is NULL): the
 * tables' own counters (P2mStats.cow_breaks, .merged) are the VM's figures. */
uint64_t share_cow_breaks(const Share *s, const P2m *m);

#endif
