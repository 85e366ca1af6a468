#include "mmu/translate.h"

#include "cpu/exception.h"

#define SCTLR_M (1u << 0)
#define PA_BITS 40 /* ID_AA64MMFR0_EL1.PARange = 0b0010, as on Cortex-A53 */

static _Noreturn void translation_fault(Cpu *c, uint64_t va, AccessKind kind, uint32_t fsc)
{
    if (kind == ACCESS_EXEC)
        raise_insn_abort(c, va, fsc);
    raise_data_abort(c, va, fsc, kind == ACCESS_WRITE);
}

void mmu_translate_or_fault(Cpu *c, uint64_t va, AccessKind kind, unsigned el, Translation *out)
{
    if (!(c->sr.sctlr & SCTLR_M)) {
        /* Stage 1 off: flat, all permissions; addresses beyond the PA size fault. */
        if (va >> PA_BITS)
            translation_fault(c, va, kind, FSC_ADDR_SIZE);
        *out = (Translation){.pa = va, .readable = true, .writable = true, .executable = true};
        return;
    }
    /* The stage-1 walker and shadow tables arrive with memory virtualization;
     * until then an enabled MMU is reported as a level-0 translation fault. */
    translation_fault(c, va, kind, FSC_TRANSLATION + 0);
}
