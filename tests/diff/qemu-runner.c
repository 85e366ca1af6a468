/* The QEMU side of the differential campaign: a static arm64 Linux program run
 * under `qemu-aarch64-static -cpu cortex-a53`. It maps the test region at the
 * fixed addresses of layout.h, then for each case read from stdin patches the
 * code pages, loads the input state and data window, jumps to the prologue and
 * writes the outcome to stdout: the state the epilogue stored, or, when the
 * test raised a signal, the registers of the signal context.
 *
 * Build: aarch64-linux-gnu-gcc -static -O2 -Itests tests/diff/qemu-runner.c */
#include <signal.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>
#include <asm/sigcontext.h>

#include "diff/layout.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* diff_enter(entry, save): saves the callee-saved state, records {sp, resume
 * address} at `save` and branches to `entry`. The epilogue reloads them and
 * RETs to the resume point, which restores everything and returns. */
void diff_enter(uint64_t entry, uint64_t save);
__asm__(".text\n"
        ".global diff_enter\n"
        "diff_enter:\n"
        "  sub sp, sp, #176\n"
        "  stp x19, x20, [sp, #0]\n"
        "  stp x21, x22, [sp, #16]\n"
        "  stp x23, x24, [sp, #32]\n"
        "  stp x25, x26, [sp, #48]\n"
        "  stp x27, x28, [sp, #64]\n"
        "  stp x29, x30, [sp, #80]\n"
        "  stp d8, d9, [sp, #96]\n"
        "  stp d10, d11, [sp, #112]\n"
        "  stp d12, d13, [sp, #128]\n"
        "  stp d14, d15, [sp, #144]\n"
        "  str x18, [sp, #160]\n"
        "  mov x2, sp\n"
        "  str x2, [x1]\n"
        "  adr x3, 1f\n"
        "  str x3, [x1, #8]\n"
        "  br x0\n"
        "1:\n"
        "  msr fpcr, xzr\n"
        "  ldp x19, x20, [sp, #0]\n"
        "  ldp x21, x22, [sp, #16]\n"
        "  ldp x23, x24, [sp, #32]\n"
        "  ldp x25, x26, [sp, #48]\n"
        "  ldp x27, x28, [sp, #64]\n"
        "  ldp x29, x30, [sp, #80]\n"
        "  ldp d8, d9, [sp, #96]\n"
        "  ldp d10, d11, [sp, #112]\n"
        "  ldp d12, d13, [sp, #128]\n"
        "  ldp d14, d15, [sp, #144]\n"
        "  ldr x18, [sp, #160]\n"
        "  add sp, sp, #176\n"
        "  ret\n");

static sigjmp_buf jb;
static volatile sig_atomic_t in_test;
static volatile unsigned long case_id, alarm_seen;
static ResultHdr res;
static DiffState fault_state;

static void from_context(int kind, const ucontext_t *uc, uint64_t addr)
{
    const mcontext_t *m = &uc->uc_mcontext;
    res.kind = (uint32_t)kind;
    res.pc = m->pc;
    res.addr = addr;
    memset(&fault_state, 0, sizeof fault_state);
    for (int i = 0; i < 31; i++)
        fault_state.x[i] = m->regs[i];
    fault_state.sp = m->sp;
    fault_state.nzcv = m->pstate & 0xf0000000u;
    /* The FP/SIMD registers follow in __reserved as an fpsimd_context record. */
    const unsigned char *p = (const unsigned char *)m->__reserved;
    const unsigned char *end = p + sizeof m->__reserved;
    while (p + sizeof(struct _aarch64_ctx) <= end) {
        const struct _aarch64_ctx *h = (const void *)p;
        if (h->magic == 0 || h->size == 0)
            break;
        if (h->magic == FPSIMD_MAGIC) {
            const struct fpsimd_context *f = (const void *)p;
            fault_state.fpsr = f->fpsr;
            fault_state.fpcr = f->fpcr;
            memcpy(fault_state.v, f->vregs, sizeof fault_state.v);
            break;
        }
        p += h->size;
    }
}

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    if (!in_test) {
        static const char msg[] = "qemu-runner: signal outside a test\n";
        if (write(2, msg, sizeof msg - 1) < 0) {}
        _exit(99);
    }
    in_test = 0;
    from_context(sig, ucv, (uint64_t)(uintptr_t)si->si_addr);
    siglongjmp(jb, 1);
}

static void on_alarm(int sig, siginfo_t *si, void *ucv)
{
    if (!in_test)
        return;
    if (alarm_seen != case_id) { /* first tick during this case */
        alarm_seen = case_id;
        return;
    }
    in_test = 0;
    from_context(DIFF_KIND_TIMEOUT, ucv, 0);
    siglongjmp(jb, 1);
}

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static void read_all(void *p, size_t n)
{
    if (n && fread(p, n, 1, stdin) != 1) {
        fprintf(stderr, "qemu-runner: short input\n");
        exit(3);
    }
}

int main(void)
{
    /* The region itself, and reservations around it so nothing else lands there. */
    void *r = mmap((void *)DIFF_BASE, DIFF_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (r != (void *)DIFF_BASE)
        die("mmap test region");
    mmap((void *)(DIFF_BASE - 0x10000), 0x10000, PROT_NONE,
         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    mmap((void *)DIFF_END, 0x10000, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
         -1, 0);

    static char altstack[1 << 16];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    if (sigaltstack(&ss, NULL))
        die("sigaltstack");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    int sigs[] = {SIGILL, SIGSEGV, SIGBUS, SIGTRAP, SIGFPE};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], &sa, NULL))
            die("sigaction");
    sa.sa_sigaction = on_alarm;
    sa.sa_flags |= SA_RESTART;
    if (sigaction(SIGVTALRM, &sa, NULL))
        die("sigaction");
    /* CPU time, not wall time: a loaded machine does not make cases time out. */
    struct itimerval it = {{1, 0}, {1, 0}};
    setitimer(ITIMER_VIRTUAL, &it, NULL);

    static char inbuf[1 << 16], outbuf[1 << 16];
    setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

    uint64_t *data = (uint64_t *)DIFF_DATA;
    static uint64_t initial[DIFF_DATA_SIZE / 8];
    for (;;) {
        CaseHdr h;
        read_all(&h, sizeof h);
        if (h.magic == DIFF_MAGIC_END)
            break;
        if (h.magic != DIFF_MAGIC) {
            fprintf(stderr, "qemu-runner: bad record\n");
            return 3;
        }
        uint64_t lo = ~0ull, hi = 0;
        for (uint32_t i = 0; i < h.npatch; i++) {
            uint32_t pw[2];
            read_all(pw, sizeof pw);
            if (pw[0] >= DIFF_SIZE || (pw[0] & 3)) {
                fprintf(stderr, "qemu-runner: bad patch\n");
                return 3;
            }
            uint64_t a = DIFF_BASE + pw[0];
            *(volatile uint32_t *)a = pw[1];
            if (a < lo)
                lo = a;
            if (a + 4 > hi)
                hi = a + 4;
        }
        if (hi > lo)
            __builtin___clear_cache((char *)lo, (char *)hi);
        read_all((void *)DIFF_STATE_IN, sizeof(DiffState));
        diff_fill_data(initial, h.data_seed);
        memcpy(data, initial, sizeof initial);
        memset((void *)DIFF_STATE_OUT, 0, sizeof(DiffState));

        memset(&res, 0, sizeof res);
        res.magic = DIFF_MAGIC;
        const DiffState *out;
        case_id++;
        if (sigsetjmp(jb, 0) == 0) {
            in_test = 1;
            diff_enter(h.entry, DIFF_SAVE);
            in_test = 0;
            res.kind = 0;
            out = (const DiffState *)DIFF_STATE_OUT;
        } else {
            __asm__ volatile("msr fpcr, xzr");
            out = &fault_state;
        }
        static DataWord dw[DIFF_DATA_SIZE / 8];
        uint32_t n = 0;
        for (uint32_t i = 0; i < DIFF_DATA_SIZE / 8; i++)
            if (data[i] != initial[i])
                dw[n++] = (DataWord){.index = i, .value = data[i]};
        res.ndata = n;
        fwrite(&res, sizeof res, 1, stdout);
        fwrite(out, sizeof *out, 1, stdout);
        fwrite(dw, sizeof dw[0], n, stdout);
    }
    fflush(stdout);
    return 0;
}
