#include "cpu/exception.h"

#include "mmu/mmu.h"

/* Common entry: save state in the EL1 registers, switch to EL1h, vector. */
static void enter_el1(Cpu *c, unsigned offset, uint64_t return_pc)
{
    uint64_t spsr = cpu_get_pstate(c);
    unsigned from_el = c->el;
    bool from_spx = c->spsel;

    c->sr.spsr = spsr;
    c->sr.elr = return_pc;
    c->last_exc.kind = offset;
    c->last_exc.elr = return_pc;
    c->excl_valid = false;
    c->stats.exceptions++;

    if (from_el == 0)
        offset += 0x400;
    else if (from_spx)
        offset += 0x200;
    cpu_set_pstate(c, (spsr & 0xf0000000u) | (0xfu << 6) | 0x5); /* EL1h, DAIF set, IL clear */
    c->pc = c->sr.vbar + offset;
}

_Noreturn static void leave_to_loop(Cpu *c, int how)
{
    if (c->halt_on_exception) {
        c->exit_reason = CPU_EXIT_EXCEPTION;
        c->stop_requested = true;
    }
    longjmp(c->run_jmp, how);
}

_Noreturn void cpu_stall(Cpu *c, uint64_t restart_pc, CpuExit why)
{
    c->pc = restart_pc;
    c->exit_reason = why;
    c->stop_requested = true;
    longjmp(c->run_jmp, CPU_JMP_STALL);
}

static void take_sync(Cpu *c, uint32_t esr, uint64_t far, uint64_t return_pc)
{
    /* The same exception at the same place again and again, with nothing in
     * between, is a guest that cannot make progress (the board reports it). */
    if (esr == c->last_exc.esr && return_pc == c->last_exc.elr && c->last_exc.kind == VEC_SYNC)
        c->exc_repeats++;
    else
        c->exc_repeats = 0;
    c->sr.esr = esr;
    c->sr.far = far;
    c->last_exc.esr = esr;
    c->last_exc.far = far;
    enter_el1(c, VEC_SYNC, return_pc);
}

_Noreturn void raise_sync(Cpu *c, uint32_t esr, uint64_t far, uint64_t return_pc)
{
    take_sync(c, esr, far, return_pc);
    leave_to_loop(c, CPU_JMP_EXCEPTION);
}

_Noreturn void raise_at_boundary(Cpu *c, uint32_t esr, uint64_t far, uint64_t return_pc)
{
    take_sync(c, esr, far, return_pc);
    leave_to_loop(c, CPU_JMP_BOUNDARY);
}

_Noreturn void raise_undefined(Cpu *c, const Insn *d)
{
    raise_sync(c, ESR(EC_UNKNOWN, 0), c->sr.far, insn_pc(c, d));
}

_Noreturn void raise_data_abort(Cpu *c, uint64_t va, uint32_t fsc, bool write)
{
    unsigned ec = c->el == 0 ? EC_DABT_LOWER : EC_DABT_SAME;
    /* No instruction syndrome (ISV=0): Arm gives one only for stage-2 aborts
     * taken to EL2, which this CPU does not have; QEMU agrees. */
    uint32_t iss = fsc | (write ? 1u << 6 : 0);
    raise_sync(c, ESR(ec, iss), va, insn_pc(c, c->cur));
}

_Noreturn void raise_insn_abort(Cpu *c, uint64_t va, uint32_t fsc)
{
    unsigned ec = c->el == 0 ? EC_IABT_LOWER : EC_IABT_SAME;
    raise_sync(c, ESR(ec, fsc), va, va);
}

_Noreturn void raise_sp_alignment(Cpu *c)
{
    raise_sync(c, ESR(EC_SP_ALIGN, 0), c->sr.far, insn_pc(c, c->cur));
}

void take_irq(Cpu *c)
{
    c->stats.irqs++;
    c->exc_repeats = 0;
    c->halted = false;
    enter_el1(c, VEC_IRQ, c->pc);
}

const Insn *exec_eret(Cpu *c, const Insn *d)
{
    if (c->el == 0)
        raise_undefined(c, d);
    uint64_t spsr = c->sr.spsr;
    uint64_t target = c->sr.elr;
    unsigned m = spsr & 0x1f;
    /* Only EL0t, EL1t and EL1h in AArch64 are legal targets; anything else is an
     * illegal return: NZCV and DAIF are restored, EL and SP stay, PSTATE.IL is set. */
    if (m != 0x0 && m != 0x4 && m != 0x5)
        spsr = (spsr & ~0x1full) | (cpu_get_pstate(c) & 0x1f) | (1u << 20);
    cpu_set_pstate(c, spsr);
    debug_after_eret(c);
    c->excl_valid = false;
    /* With PSTATE.IL set the next instruction, at the target, cannot execute. */
    if (c->il)
        raise_sync(c, ESR(EC_ILLEGAL_STATE, 0), c->sr.far, target);
    return insn_next(c, cpu_branch_sync(c, target));
}
