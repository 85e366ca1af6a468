/* Taking exceptions: syndrome encodings and the raise_* entry points.
 * Synchronous raises never return: they enter the vector (or stop the run
 * when halt_on_exception is set) and jump back into the run loop. */
#ifndef TANDEM_EXCEPTION_H
#define TANDEM_EXCEPTION_H

#include <stdint.h>

#include "cpu/insn.h"

/* Exception classes (ESR_ELx.EC). */
enum {
    EC_UNKNOWN = 0x00,
    EC_WFX = 0x01,
    EC_FP_ACCESS = 0x07,
    EC_ILLEGAL_STATE = 0x0e,
    EC_SVC64 = 0x15,
    EC_HVC64 = 0x16,
    EC_SMC64 = 0x17,
    EC_SYSREG = 0x18,
    EC_IABT_LOWER = 0x20,
    EC_IABT_SAME = 0x21,
    EC_PC_ALIGN = 0x22,
    EC_DABT_LOWER = 0x24,
    EC_DABT_SAME = 0x25,
    EC_SP_ALIGN = 0x26,
    EC_BREAKPOINT_LOWER = 0x30,
    EC_BREAKPOINT_SAME = 0x31,
    EC_SOFTSTEP_LOWER = 0x32,
    EC_SOFTSTEP_SAME = 0x33,
    EC_WATCHPOINT_LOWER = 0x34,
    EC_WATCHPOINT_SAME = 0x35,
    EC_BRK64 = 0x3c,
};
#define ESR_IL (1u << 25)
#define ESR(ec, iss) (((uint32_t)(ec) << 26) | ESR_IL | (iss))

/* Fault status codes (DFSC/IFSC). */
enum {
    FSC_ADDR_SIZE = 0x00,   /* + level */
    FSC_TRANSLATION = 0x04, /* + level */
    FSC_ACCESS_FLAG = 0x08, /* + level */
    FSC_PERMISSION = 0x0c,  /* + level */
    FSC_EXTERNAL = 0x10,
    FSC_ALIGNMENT = 0x21,
};

/* Vector offsets. */
enum { VEC_SYNC = 0x000, VEC_IRQ = 0x080, VEC_FIQ = 0x100, VEC_SERROR = 0x180 };

_Noreturn void raise_sync(Cpu *c, uint32_t esr, uint64_t far, uint64_t return_pc);
_Noreturn void raise_undefined(Cpu *c, const Insn *d);
/* An exception taken at an instruction boundary, before the instruction at
 * return_pc executes (software step, breakpoint): no instruction counts. */
_Noreturn void raise_at_boundary(Cpu *c, uint32_t esr, uint64_t far, uint64_t return_pc);
/* Data abort on `va` by the current instruction (c->cur). */
_Noreturn void raise_data_abort(Cpu *c, uint64_t va, uint32_t fsc, bool write);
_Noreturn void raise_insn_abort(Cpu *c, uint64_t va, uint32_t fsc);
_Noreturn void raise_sp_alignment(Cpu *c);

/* Enter the IRQ vector at an instruction boundary (c->pc is the return address). */
void take_irq(Cpu *c);

/* ERET: restore PSTATE from SPSR_EL1 and continue at ELR_EL1. */
const Insn *exec_eret(Cpu *c, const Insn *d);

#endif
