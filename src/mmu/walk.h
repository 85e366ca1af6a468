/* The guest's stage-1 translation table walk (EL1&0 regime, 4 KiB granule).
 *
 * The walk only reads the guest's tables; it decides nothing about host
 * memory. Its result is what a shadow entry caches: the guest-physical page
 * and every permission for both privileges, so one walk serves all later
 * accesses to the page until the guest invalidates it. */
#ifndef TANDEM_WALK_H
#define TANDEM_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"

enum {
    PERM_R0 = 1 << 0, PERM_W0 = 1 << 1, PERM_X0 = 1 << 2, /* EL0 */
    PERM_R1 = 1 << 3, PERM_W1 = 1 << 4, PERM_X1 = 1 << 5, /* EL1 */
};

typedef struct WalkResult {
    uint64_t pa;     /* guest-physical address of the 4 KiB page holding va */
    bool fault;      /* the walk failed: fsc says why */
    uint32_t fsc;    /* fault status code incl. level (address size level 0 is 0!) */
    uint8_t perms;   /* PERM_* (valid when fsc == 0) */
    uint8_t level;   /* level of the final descriptor */
    bool global;     /* nG == 0 */
    bool tagged;     /* top-byte-ignore stripped a tag from va */
    uint16_t asid;   /* the ASID the translation belongs to (if !global) */
    uint8_t attrs;   /* AttrIndx (bits 2:0) and SH (bits 4:3) of the leaf */
    uint64_t descs;  /* number of descriptors read (statistics) */
} WalkResult;

/* Reads an 8-byte descriptor at guest-physical `pa`; false if not RAM. */
typedef bool (*WalkRead)(void *opaque, uint64_t pa, uint64_t *desc);

/* Walk for `va`. `data` selects top-byte-ignore (data accesses, not fetches). */
void walk_stage1(const SysRegs *sr, uint64_t va, bool data, WalkRead read, void *opaque, WalkResult *out);

/* The ASID currently in force (TCR.A1 selects TTBR0 or TTBR1; TCR.AS its size). */
uint16_t walk_current_asid(const SysRegs *sr);

#endif
