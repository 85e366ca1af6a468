/* Virtual to guest-physical translation (stage 1 of the EL1&0 regime)
 * through the shadow page tables. */
#ifndef TANDEM_TRANSLATE_H
#define TANDEM_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"

typedef enum AccessKind { ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC } AccessKind;

typedef struct Translation {
    uint64_t pa;
    bool readable, writable, executable; /* for the privilege asked about */
    uint8_t attrs;                        /* AttrIndx and SH (for AT) */
} Translation;

/* Translate `va` for an access of `kind` at privilege `el`; on a fault raise
 * the guest's abort (never returns). */
void mmu_translate_or_fault(Cpu *c, uint64_t va, AccessKind kind, unsigned el, Translation *out);

/* The same without raising: returns 0, TRANSLATE_FAULT | the fault status
 * code, or TRANSLATE_NOMEM when a page it needs has no machine frame. */
#define TRANSLATE_FAULT 0x100u
#define TRANSLATE_NOMEM 0x200u
uint32_t mmu_translate_nofault(Cpu *c, uint64_t va, AccessKind kind, unsigned el, Translation *out);

#endif
