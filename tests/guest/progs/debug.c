/* Self-hosted debug: hardware breakpoints (address, context, linked),
 * watchpoints on stores and loads (byte selects, masks, privilege,
 * unprivileged accesses), software step at EL1 and EL0 with its state
 * machine across ERET (active-not-pending, active-pending, a stepped SVC,
 * a stepped load-exclusive, a breakpoint on a stepped instruction), and the
 * enables: MDSCR.KDE/MDE, PSTATE.D and the OS lock. Every exception taken
 * is printed with its syndrome, so the output pins the architecture. */
#include <stdbool.h>

#include "rt.h"

#define MDSCR_SS (1u << 0)
#define MDSCR_KDE (1u << 13)
#define MDSCR_MDE (1u << 15)
#define SPSR_SS (1u << 21)
#define BCR(bt, lbn, pmc) (((uint64_t)(bt) << 20) | ((uint64_t)(lbn) << 16) | (0xfu << 5) | ((pmc) << 1) | 1)
#define WCR(mask, bas, lsc, pac) (((uint64_t)(mask) << 24) | ((uint64_t)(bas) << 5) | ((lsc) << 3) | ((pac) << 1) | 1)

/* Code with known addresses: the breakpoint target, single accesses, the
 * stepped bodies, the EL0 body. Each body ends with RET to the caller of
 * enter(), which ERETs into it (x0: the body, x1: the SPSR). */
extern char bp_target[], acc_str8[], acc_ldr8[], acc_strh[], acc_strb[], acc_sttr[], acc_ldtr[];
extern char body_loop[], body_loop_end[], body_ldxr[], body_svc[], body_el0[], enter_ret[];
extern uint64_t bp_call(void);
extern void acc(void *fn, volatile void *p, uint64_t v);
extern uint64_t enter(void *body, uint64_t spsr, volatile void *p);
__asm__(".text\n"
        ".balign 16\n.globl bp_target\nbp_target: mov x0, #42\n ret\n"
        ".globl bp_call\nbp_call: stp x29, x30, [sp, #-16]!\n bl bp_target\n ldp x29, x30, [sp], #16\n ret\n"
        /* acc(fn, p, v): branches to fn with x0 = p, x1 = v */
        ".globl acc\nacc: mov x3, x0\n mov x0, x1\n mov x1, x2\n br x3\n"
        ".globl acc_str8\nacc_str8: str x1, [x0]\n ret\n"
        ".globl acc_ldr8\nacc_ldr8: ldr x1, [x0]\n ret\n"
        ".globl acc_strh\nacc_strh: strh w1, [x0]\n ret\n"
        ".globl acc_strb\nacc_strb: strb w1, [x0]\n ret\n"
        ".globl acc_sttr\nacc_sttr: sttr x1, [x0]\n ret\n"
        ".globl acc_ldtr\nacc_ldtr: ldtr x1, [x0]\n ret\n"
        ".globl enter\nenter: msr elr_el1, x0\n msr spsr_el1, x1\n mov x3, x2\n mov x0, #0\n isb\n eret\n"
        ".globl body_loop\nbody_loop: mov x1, #3\n1: add x0, x0, #1\n subs x1, x1, #1\n b.ne 1b\n"
        ".globl body_loop_end\nbody_loop_end: ret\n"
        ".globl body_ldxr\nbody_ldxr: ldxr x2, [x3]\n clrex\n ret\n"
        ".globl body_svc\nbody_svc: mov x0, #1\n svc #7\n add x0, x0, #2\n ret\n"
        /* EL0: three instructions, then SVC #0 asks to go back to EL1 */
        ".globl body_el0\nbody_el0: mov x0, #5\n add x0, x0, #1\n add x0, x0, #1\n svc #0\n"
        ".globl enter_ret\nenter_ret: ret\n");

static volatile uint64_t wvar[4] __attribute__((aligned(32)));

static struct {
    unsigned n;
    uint32_t ec[24], iss[24];
    int64_t at[24];  /* ELR relative to `base` */
    int64_t far[24]; /* FAR relative to wvar (watchpoints) */
    unsigned ss[24]; /* SPSR.SS */
    uint64_t base;
    bool step_on;
} ex;

static void log_reset(uint64_t base)
{
    ex.n = 0;
    ex.base = base;
}

static void log_print(const char *what)
{
    rt_printf("%s:", what);
    if (!ex.n)
        rt_printf(" none");
    for (unsigned i = 0; i < ex.n; i++) {
        rt_printf(" [ec %02x iss %07x at %ld ss %u", ex.ec[i], ex.iss[i], (long)ex.at[i], ex.ss[i]);
        if (ex.ec[i] == 0x34 || ex.ec[i] == 0x35)
            rt_printf(" far %ld", (long)ex.far[i]);
        rt_printf("]");
    }
    rt_printf("\n");
}

static void mdscr(uint64_t v)
{
    WRITE_SYSREG(mdscr_el1, v);
    __asm__ volatile("isb");
}

static void all_off(void)
{
    WRITE_SYSREG(dbgbcr0_el1, 0); WRITE_SYSREG(dbgbcr1_el1, 0); WRITE_SYSREG(dbgbcr4_el1, 0);
    WRITE_SYSREG(dbgbcr5_el1, 0); WRITE_SYSREG(dbgwcr0_el1, 0); WRITE_SYSREG(dbgwcr1_el1, 0);
    __asm__ volatile("isb");
}

static int on_exc(unsigned vec, RtFrame *f)
{
    if (vec != 4 && vec != 8)
        return 0;
    uint32_t ec = (uint32_t)(f->esr >> 26);
    if (ex.n < 24) {
        ex.ec[ex.n] = ec;
        ex.iss[ex.n] = (uint32_t)(f->esr & 0x1ffffff);
        ex.at[ex.n] = (int64_t)(f->elr - ex.base);
        ex.far[ex.n] = (int64_t)(f->far - (uint64_t)wvar);
        ex.ss[ex.n] = (f->spsr >> 21) & 1;
        ex.n++;
    }
    switch (ec) {
    case 0x30: case 0x31: /* breakpoint: turn them off and run the instruction */
        all_off();
        return 1;
    case 0x34: case 0x35: /* watchpoint: off, then the access is made again */
        all_off();
        return 1;
    case 0x32: case 0x33: /* step the next instruction, until the body returned */
        if (f->elr >= (uint64_t)enter_ret || f->elr < (uint64_t)body_loop || ex.n > 20)
            ex.step_on = false;
        if (ex.step_on)
            f->spsr |= SPSR_SS;
        else
            mdscr(READ_SYSREG(mdscr_el1) & ~(uint64_t)MDSCR_SS);
        return 1;
    case 0x15:
        if (vec == 8) { /* the EL0 body is done: back to EL1 at enter_ret */
            mdscr(READ_SYSREG(mdscr_el1) & ~(uint64_t)MDSCR_SS);
            f->elr = (uint64_t)enter_ret;
            f->spsr = 0x3c5;
        }
        return 1;
    case 0x3c:
        f->elr += 4;
        return 1;
    default:
        return 0;
    }
}

static void breakpoints(void)
{
    WRITE_SYSREG(dbgbvr0_el1, (uint64_t)bp_target);
    WRITE_SYSREG(dbgbcr0_el1, BCR(0, 0, 1));
    rt_printf("bvr0 ok %d bcr0 %lx\n", READ_SYSREG(dbgbvr0_el1) == (uint64_t)bp_target,
              (unsigned long)READ_SYSREG(dbgbcr0_el1));
    all_off();

    static const struct { const char *what; uint64_t mdscr, bcr; bool mask_d, lock; } cases[] = {
        {"bp el1", MDSCR_KDE | MDSCR_MDE, BCR(0, 0, 1), false, false},
        {"bp el1+el0", MDSCR_KDE | MDSCR_MDE, BCR(0, 0, 3), false, false},
        {"bp el0 only", MDSCR_KDE | MDSCR_MDE, BCR(0, 0, 2), false, false},
        {"bp bas 0", MDSCR_KDE | MDSCR_MDE, BCR(0, 0, 1) & ~(0xfull << 5), false, false},
        {"bp mde off", MDSCR_KDE, BCR(0, 0, 1), false, false},
        {"bp kde off", MDSCR_MDE, BCR(0, 0, 1), false, false},
        {"bp d masked", MDSCR_KDE | MDSCR_MDE, BCR(0, 0, 1), true, false},
        {"bp os lock", MDSCR_KDE | MDSCR_MDE, BCR(0, 0, 1), false, true},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        log_reset((uint64_t)bp_target);
        mdscr(cases[i].mdscr);
        if (cases[i].lock)
            WRITE_SYSREG(oslar_el1, 1);
        if (cases[i].mask_d)
            __asm__ volatile("msr daifset, #8");
        WRITE_SYSREG(dbgbvr0_el1, (uint64_t)bp_target);
        WRITE_SYSREG(dbgbcr0_el1, cases[i].bcr);
        __asm__ volatile("isb");
        uint64_t r = bp_call();
        all_off();
        __asm__ volatile("msr daifclr, #8");
        WRITE_SYSREG(oslar_el1, 0);
        rt_printf("%s -> %lu ", cases[i].what, (unsigned long)r);
        log_print("");
    }
    /* BRK is not a debug event the enables control. */
    WRITE_SYSREG(oslar_el1, 1);
    mdscr(0);
    log_reset(0);
    __asm__ volatile("brk #0x77");
    WRITE_SYSREG(oslar_el1, 0);
    rt_printf("brk with the os lock: ec %02x iss %04x\n", ex.ec[0], ex.iss[0]);
}

static void context_breakpoints(void)
{
    mdscr(MDSCR_KDE | MDSCR_MDE);
    WRITE_SYSREG(contextidr_el1, 0x1234);
    static const struct { const char *what; unsigned brp; } unlinked[] = {{"ctx brp4", 4}, {"ctx brp0 (no context)", 0}};
    for (unsigned i = 0; i < 2; i++) {
        log_reset((uint64_t)bp_target);
        if (unlinked[i].brp == 4) {
            WRITE_SYSREG(dbgbvr4_el1, 0x1234);
            WRITE_SYSREG(dbgbcr4_el1, BCR(2, 0, 1));
        } else {
            WRITE_SYSREG(dbgbvr0_el1, 0x1234);
            WRITE_SYSREG(dbgbcr0_el1, BCR(2, 0, 1));
        }
        __asm__ volatile("isb\n nop\n nop");
        all_off();
        rt_printf("%s: %u exception(s), ec %02x\n", unlinked[i].what, ex.n, ex.n ? ex.ec[0] : 0);
    }
    static const uint32_t ctx[] = {0x1234, 0x999};
    for (unsigned i = 0; i < 2; i++) {
        WRITE_SYSREG(contextidr_el1, ctx[i]);
        log_reset((uint64_t)bp_target);
        WRITE_SYSREG(dbgbvr5_el1, 0x1234);
        WRITE_SYSREG(dbgbcr5_el1, BCR(3, 0, 1));
        WRITE_SYSREG(dbgbvr1_el1, (uint64_t)bp_target);
        WRITE_SYSREG(dbgbcr1_el1, BCR(1, 5, 1));
        __asm__ volatile("isb");
        bp_call();
        all_off();
        rt_printf("linked, contextidr %x ", ctx[i]);
        log_print("");
    }
    WRITE_SYSREG(contextidr_el1, 0);
}

static void watchpoints(void)
{
    static const struct {
        const char *what;
        uint64_t wcr;
        unsigned wvr_off; /* bytes into wvar */
        void *fn;
        unsigned off;     /* the access: bytes into wvar */
    } cases[] = {
        {"store watch, store", WCR(0, 0xff, 2, 1), 8, acc_str8, 8},
        {"store watch, load", WCR(0, 0xff, 2, 1), 8, acc_ldr8, 8},
        {"load watch, load", WCR(0, 0xff, 1, 1), 8, acc_ldr8, 8},
        {"load watch, store", WCR(0, 0xff, 1, 1), 8, acc_str8, 8},
        {"any watch, neighbour", WCR(0, 0xff, 3, 1), 8, acc_str8, 16},
        {"bytes 2-3, strh at 2", WCR(0, 0x0c, 3, 1), 16, acc_strh, 18},
        {"bytes 2-3, strb at 3", WCR(0, 0x0c, 3, 1), 16, acc_strb, 19},
        {"bytes 2-3, strb at 1", WCR(0, 0x0c, 3, 1), 16, acc_strb, 17},
        {"bytes 2-3, str8 at 0", WCR(0, 0x0c, 3, 1), 16, acc_str8, 16},
        {"word at 4, strb at 5", WCR(0, 0x02, 3, 1), 20, acc_strb, 21},
        {"mask 16, strb at 13", WCR(4, 0xff, 3, 1), 0, acc_strb, 13},
        {"mask 16, strb at 16", WCR(4, 0xff, 3, 1), 0, acc_strb, 16},
        {"el0 watch, el1 store", WCR(0, 0xff, 3, 2), 8, acc_str8, 8},
        {"el0 watch, sttr", WCR(0, 0xff, 3, 2), 8, acc_sttr, 8},
        {"el1 watch, ldtr", WCR(0, 0xff, 3, 1), 8, acc_ldtr, 8},
    };
    mdscr(MDSCR_KDE | MDSCR_MDE);
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (unsigned k = 0; k < 4; k++)
            wvar[k] = 0;
        log_reset((uint64_t)cases[i].fn);
        WRITE_SYSREG(dbgwvr0_el1, (uint64_t)wvar + cases[i].wvr_off);
        WRITE_SYSREG(dbgwcr0_el1, cases[i].wcr);
        __asm__ volatile("isb");
        acc(cases[i].fn, (volatile uint8_t *)wvar + cases[i].off, 0x0102030405060708ull);
        all_off();
        rt_printf("%s (wvar %lx %lx %lx) ", cases[i].what, (unsigned long)wvar[1], (unsigned long)wvar[2],
                  (unsigned long)wvar[3]);
        log_print("");
    }
    /* Disabled by MDE, by the OS lock. */
    for (unsigned lock = 0; lock < 2; lock++) {
        mdscr(lock ? MDSCR_KDE | MDSCR_MDE : MDSCR_KDE);
        if (lock)
            WRITE_SYSREG(oslar_el1, 1);
        log_reset((uint64_t)acc_str8);
        WRITE_SYSREG(dbgwvr0_el1, (uint64_t)wvar);
        WRITE_SYSREG(dbgwcr0_el1, WCR(0, 0xff, 3, 1));
        __asm__ volatile("isb");
        acc(acc_str8, wvar, 7);
        all_off();
        WRITE_SYSREG(oslar_el1, 0);
        log_print(lock ? "watch, os lock" : "watch, mde off");
    }
}

static void step(const char *what, void *body, uint64_t spsr, uint64_t md)
{
    log_reset((uint64_t)body_loop);
    ex.step_on = true;
    __asm__ volatile("msr daifset, #8"); /* no stepping here: only from the ERET on */
    mdscr(md);
    uint64_t r = enter(body, spsr, wvar);
    mdscr(MDSCR_KDE | MDSCR_MDE);
    __asm__ volatile("msr daifclr, #8");
    rt_printf("%s -> %lu ", what, (unsigned long)r);
    log_print("");
}

static void stepping(void)
{
    const uint64_t el1h = 0x5 | 0x1c0; /* EL1h, A I F masked, D clear */
    step("step loop", body_loop, el1h | SPSR_SS, MDSCR_SS | MDSCR_KDE);
    step("step pending at eret", body_loop, el1h, MDSCR_SS | MDSCR_KDE);
    step("step ldxr", body_ldxr, el1h | SPSR_SS, MDSCR_SS | MDSCR_KDE);
    step("step svc", body_svc, el1h | SPSR_SS, MDSCR_SS | MDSCR_KDE);
    step("step, d masked", body_loop, el1h | 0x200 | SPSR_SS, MDSCR_SS | MDSCR_KDE);
    step("step, kde off", body_loop, el1h | SPSR_SS, MDSCR_SS);
    WRITE_SYSREG(oslar_el1, 1);
    step("step, os lock", body_loop, el1h | SPSR_SS, MDSCR_SS | MDSCR_KDE);
    WRITE_SYSREG(oslar_el1, 0);
    /* A breakpoint on the instruction being stepped comes first; stepping
     * resumes on it (SPSR.SS stays 1). */
    WRITE_SYSREG(dbgbvr0_el1, (uint64_t)body_loop + 8);
    WRITE_SYSREG(dbgbcr0_el1, BCR(0, 0, 1));
    step("step with a breakpoint", body_loop, el1h | SPSR_SS, MDSCR_SS | MDSCR_KDE | MDSCR_MDE);
    all_off();
    /* EL0: stepping needs no KDE. */
    step("step el0", body_el0, 0x1c0 | SPSR_SS, MDSCR_SS);
}

int main(void)
{
    uint64_t dfr0 = READ_SYSREG(id_aa64dfr0_el1);
    rt_printf("id_aa64dfr0 %lx: brps %lu wrps %lu ctx_cmps %lu debugver %lu\n", (unsigned long)dfr0,
              (unsigned long)((dfr0 >> 12) & 15) + 1, (unsigned long)((dfr0 >> 20) & 15) + 1,
              (unsigned long)((dfr0 >> 28) & 15) + 1, (unsigned long)(dfr0 & 15));
    rt_exc_hook = on_exc;
    WRITE_SYSREG(oslar_el1, 0);
    rt_printf("oslsr %lx\n", (unsigned long)READ_SYSREG(oslsr_el1));
    __asm__ volatile("msr daifclr, #8\n isb");
    breakpoints();
    context_breakpoints();
    watchpoints();
    stepping();
    rt_printf("-- end --\n");
    return 0;
}
