/* Random-instruction differential campaign: Tandem against QEMU.
 *
 *   campaign --class NAME|all [--count N] [--seed S] [--len N] [--only TEXT]
 *            [--insn HEX] [--full] [--show N] [--quiet] [--corrupt TARGET]
 *            [--coverage]
 *
 * For each case (gen.h) a writer process sends the image patches and the
 * input state to tests/diff/qemu-runner under qemu-aarch64-static -cpu
 * cortex-a53; this process runs the same case on a Tandem Cpu at EL0 and
 * compares X0-X30, SP, NZCV, FPCR, FPSR, V0-V31, the data window and the
 * outcome (completed, or signal + PC + fault address). See README.md.
 * Exit status: 0 every class passed, 1 some class failed, 2 usage or setup. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpu/code_cache.h"
#include "cpu/cpu.h"
#include "cpu/exception.h"
#include "mem/bus.h"
#include "mmu/mmu.h"

#include "diff/gen.h"

#define SIG_ILL 4
#define SIG_TRAP 5
#define SIG_BUS 7
#define SIG_FPE 8
#define SIG_SEGV 11

static struct {
    const char *cls;
    uint64_t count, seed;
    int len;
    const char *only;
    uint32_t insn;
    bool have_insn;
    bool full, quiet, dump, coverage;
    unsigned corrupt; /* CORRUPT_* self-test target, 0 = off */
    unsigned show;
    const char *qemu, *runner, *objdump;
} opt = {
    .cls = "all", .count = 2000, .seed = 1, .show = 10,
    .qemu = "qemu-aarch64-static", .runner = "build/diff/qemu-runner",
    .objdump = "aarch64-linux-gnu-objdump",
};

typedef struct Outcome {
    ResultHdr h;
    DiffState st;
    uint64_t data[DIFF_DATA_SIZE / 8]; /* final window */
} Outcome;

static const char *kind_name(uint32_t k)
{
    static char buf[32];
    switch (k) {
    case 0: return "ok";
    case SIG_ILL: return "SIGILL";
    case SIG_TRAP: return "SIGTRAP";
    case SIG_BUS: return "SIGBUS";
    case SIG_FPE: return "SIGFPE";
    case SIG_SEGV: return "SIGSEGV";
    case DIFF_KIND_TIMEOUT: return "timeout";
    case DIFF_KIND_OTHER: return "other-exception";
    default: snprintf(buf, sizeof buf, "signal-%u", k); return buf;
    }
}

/* Self-test targets of --corrupt: each alters exactly one part of Tandem's
 * outcome before the comparison, so every case it applies to must be
 * reported as a mismatch. */
enum {
    CORRUPT_NONE, CORRUPT_X, CORRUPT_SP, CORRUPT_V, CORRUPT_MEM, CORRUPT_NZCV, CORRUPT_FPCR, CORRUPT_FPSR,
    CORRUPT_KIND, CORRUPT_FAULT_PC, CORRUPT_FAULT_ADDR, NCORRUPT
};
static const char *const corrupt_names[NCORRUPT] = {
    "none", "x", "sp", "v", "mem", "nzcv", "fpcr", "fpsr", "kind", "fault-pc", "fault-addr",
};

static bool is_signal(uint32_t kind) { return kind && kind != DIFF_KIND_TIMEOUT && kind != DIFF_KIND_OTHER; }

/* ================= Tandem side ================= */

#define SCTLR_RES1 0x30d00800ull
#define SCTLR_SA0 (1u << 4)
#define SCTLR_DZE (1u << 14)
#define SCTLR_UCT (1u << 15)
#define SCTLR_NTWI (1u << 16)
#define SCTLR_NTWE (1u << 18)
#define SCTLR_UCI (1u << 26)

static Bus bus;
static Cpu cpu;
static uint32_t t_img[IMG_WORDS];
static bool t_img_valid;

static void tandem_init(void)
{
    /* One page more than the region: mmu_code_page() wants a whole page of
     * RAM from the fetch address, so the last page could not hold code.
     * Nothing the generator emits touches that extra page. */
    if (!bus_init(&bus, DIFF_BASE, DIFF_SIZE + 0x1000, NULL)) {
        perror("bus_init");
        exit(2);
    }
    cpu_init(&cpu, &bus, NULL);
    /* EL0 of a Linux-like configuration: MMU off (flat, Normal-like memory),
     * cache maintenance, DC ZVA, CTR and WFx allowed at EL0, counters
     * readable, FP/SIMD enabled; exceptions stop the run. */
    cpu.sr.sctlr = SCTLR_RES1 | SCTLR_SA0 | SCTLR_DZE | SCTLR_UCT | SCTLR_NTWI | SCTLR_NTWE | SCTLR_UCI;
    cpu.sr.cntkctl = 3;
    cpu.sr.cpacr = 3u << 20;
    cpu.halt_on_exception = true;
    cpu_set_pstate(&cpu, 0);
    mmu_flush_all(&cpu);
}

static uint8_t *ram_at(uint64_t pa) { return bus_ram_ptr(&bus, pa, 1); }

static void tandem_load_image(const uint32_t *img)
{
    for (unsigned pg = 0; pg < IMG_WORDS / 1024; pg++) {
        const uint32_t *src = img + pg * 1024;
        if (t_img_valid && !memcmp(t_img + pg * 1024, src, 4096))
            continue;
        uint64_t pa = DIFF_CODE + (uint64_t)pg * 4096;
        memcpy(ram_at(pa), src, 4096);
        memcpy(t_img + pg * 1024, src, 4096);
        code_cache_invalidate(&cpu, pa);
    }
    t_img_valid = true;
}

static void exc_to_outcome(Outcome *o)
{
    uint32_t esr = cpu.last_exc.esr, ec = esr >> 26;
    uint64_t pc = cpu.last_exc.elr, far = cpu.last_exc.far;
    o->h.esr = esr;
    o->h.pc = pc;
    o->h.addr = pc;
    switch (ec) {
    case EC_UNKNOWN: case EC_SYSREG: case EC_WFX:
        o->h.kind = SIG_ILL;
        break;
    case EC_BRK64:
        o->h.kind = SIG_TRAP;
        break;
    case EC_DABT_LOWER: case EC_DABT_SAME:
        o->h.kind = (esr & 0x3f) == FSC_ALIGNMENT ? SIG_BUS : SIG_SEGV;
        o->h.addr = far;
        break;
    case EC_IABT_LOWER: case EC_IABT_SAME:
        o->h.kind = SIG_SEGV;
        o->h.addr = far;
        break;
    case EC_PC_ALIGN:
        o->h.kind = SIG_BUS;
        o->h.addr = far;
        break;
    case EC_SP_ALIGN:
        o->h.kind = SIG_BUS;
        o->h.addr = cpu_sp_for_el(&cpu, 0);
        break;
    default:
        o->h.kind = DIFF_KIND_OTHER;
        break;
    }
}

static void state_from_cpu(DiffState *s, bool at_el0)
{
    memcpy(s->x, cpu.x, sizeof s->x);
    s->sp = at_el0 ? cpu.x[REG_SP] : cpu_sp_for_el(&cpu, 0);
    s->nzcv = (uint64_t)cpu.nzcv << 28;
    s->fpcr = cpu.fpcr;
    s->fpsr = cpu.fpsr;
    memcpy(s->v, cpu.v, sizeof s->v);
}

/* Runs one case on Tandem. Direct mode (default): the input state is put in
 * the registers and only the test page runs, stopping where the epilogue
 * would start. Full mode: the byte-identical prologue and epilogue run too. */
static void tandem_run(const Case *c, const uint32_t *img, Outcome *o, bool full)
{
    memset(o, 0, sizeof *o);
    o->h.magic = DIFF_MAGIC;
    tandem_load_image(img);
    memcpy(ram_at(DIFF_STATE_IN), &c->in, sizeof c->in);
    memset(ram_at(DIFF_STATE_OUT), 0, sizeof(DiffState));
    uint64_t save[2] = {DIFF_SP, diff_mark_addr};
    memcpy(ram_at(DIFF_SAVE), save, sizeof save);
    uint64_t *data = (uint64_t *)ram_at(DIFF_DATA);
    diff_fill_data(data, c->data_seed);

    cpu.halted = false;
    cpu_set_pstate(&cpu, c->in.nzcv & 0xf0000000u); /* EL0t, DAIF clear */
    cpu.x[REG_SP] = DIFF_SP;
    cpu.excl_valid = false;

    if (!full) {
        memcpy(cpu.x, c->in.x, sizeof c->in.x);
        cpu.fpcr = (uint32_t)c->in.fpcr;
        cpu.fpsr = (uint32_t)c->in.fpsr;
        memcpy(cpu.v, c->in.v, sizeof cpu.v);
        cpu.pc = DIFF_TEST_START;
        uint64_t stop2 = c->ladder ? DIFF_EPI : DIFF_TEST_START + 4ull * (unsigned)c->n;
        unsigned steps = 0;
        for (;;) {
            if (cpu.pc == DIFF_EPI || cpu.pc == stop2) {
                o->h.kind = 0;
                state_from_cpu(&o->st, true);
                break;
            }
            if (++steps > 5000) {
                o->h.kind = DIFF_KIND_TIMEOUT;
                state_from_cpu(&o->st, true);
                break;
            }
            CpuExit r = cpu_run(&cpu, 1);
            if (r == CPU_EXIT_EXCEPTION) {
                exc_to_outcome(o);
                state_from_cpu(&o->st, false);
                break;
            }
            if (r != CPU_EXIT_BUDGET) {
                o->h.kind = DIFF_KIND_OTHER;
                o->h.pc = cpu.pc;
                state_from_cpu(&o->st, true);
                break;
            }
        }
    } else {
        cpu.pc = DIFF_CODE;
        CpuExit r = cpu_run(&cpu, 20000);
        if (r == CPU_EXIT_EXCEPTION && cpu.last_exc.esr == ESR(EC_BRK64, DIFF_MARK_IMM) &&
            cpu.last_exc.elr == diff_mark_addr) {
            o->h.kind = 0;
            memcpy(&o->st, ram_at(DIFF_STATE_OUT), sizeof o->st);
        } else if (r == CPU_EXIT_EXCEPTION) {
            exc_to_outcome(o);
            state_from_cpu(&o->st, false);
        } else {
            o->h.kind = r == CPU_EXIT_BUDGET ? DIFF_KIND_TIMEOUT : DIFF_KIND_OTHER;
            state_from_cpu(&o->st, true);
        }
    }
    memcpy(o->data, data, sizeof o->data);
}

/* ================= QEMU side ================= */

static pid_t qemu_pid, writer_pid;
static FILE *qout;

static void write_or_die(FILE *f, const void *p, size_t n)
{
    if (n && fwrite(p, n, 1, f) != 1)
        _exit(0); /* the runner went away: the reader reports it */
}

/* The writer process: generates every case and streams it to the runner. */
static void writer_main(FILE *f, unsigned cls)
{
    static uint32_t img[IMG_WORDS], prev[IMG_WORDS];
    static uint32_t patch[IMG_WORDS][2];
    bool have_prev = false;
    for (uint64_t i = 0; i < opt.count; i++) {
        Case c;
        gen_case(&c, opt.seed, cls, i, opt.len, opt.only, opt.insn, opt.have_insn);
        build_image(img, &c);
        uint32_t np = 0;
        for (uint32_t k = 0; k < IMG_WORDS; k++)
            if (!have_prev || img[k] != prev[k]) {
                patch[np][0] = (uint32_t)(DIFF_CODE - DIFF_BASE) + 4 * k;
                patch[np][1] = img[k];
                np++;
            }
        memcpy(prev, img, sizeof img);
        have_prev = true;
        CaseHdr h = {.magic = DIFF_MAGIC, .npatch = np, .data_seed = c.data_seed, .entry = DIFF_CODE};
        write_or_die(f, &h, sizeof h);
        write_or_die(f, patch, sizeof patch[0] * np);
        write_or_die(f, &c.in, sizeof c.in);
    }
    CaseHdr end = {.magic = DIFF_MAGIC_END};
    write_or_die(f, &end, sizeof end);
    fflush(f);
}

static void qemu_start(unsigned cls)
{
    int to_q[2], from_q[2];
    if (pipe(to_q) || pipe(from_q)) {
        perror("pipe");
        exit(2);
    }
    fflush(stdout);
    qemu_pid = fork();
    if (qemu_pid == 0) {
        dup2(to_q[0], 0);
        dup2(from_q[1], 1);
        close(to_q[0]), close(to_q[1]), close(from_q[0]), close(from_q[1]);
        execlp(opt.qemu, opt.qemu, "-cpu", "cortex-a53", opt.runner, (char *)NULL);
        perror(opt.qemu);
        _exit(127);
    }
    writer_pid = fork();
    if (writer_pid == 0) {
        close(to_q[0]), close(from_q[0]), close(from_q[1]);
        FILE *f = fdopen(to_q[1], "w");
        static char buf[1 << 16];
        setvbuf(f, buf, _IOFBF, sizeof buf);
        writer_main(f, cls);
        fclose(f);
        _exit(0);
    }
    close(to_q[0]), close(to_q[1]), close(from_q[1]);
    qout = fdopen(from_q[0], "r");
}

/* Describes a child's wait status unless it exited with 0 (then NULL). */
static const char *bad_status(int st)
{
    static char buf[48];
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return NULL;
    if (WIFEXITED(st))
        snprintf(buf, sizeof buf, "exit status %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, sizeof buf, "killed by signal %d", WTERMSIG(st));
    else
        snprintf(buf, sizeof buf, "wait status %#x", (unsigned)st);
    return buf;
}

/* Waits for the runner and the writer. After a complete class both must
 * have exited with 0; when the runner stopped answering (`broken`) it gets a
 * second to exit on its own, then both are killed. Returns a description of
 * the runner's abnormal end, or NULL. */
static const char *qemu_finish(bool broken)
{
    static char buf[96];
    fclose(qout);
    int st = 0, wst = 0;
    pid_t got = 0;
    for (int i = 0; broken && i < 10 && (got = waitpid(qemu_pid, &st, WNOHANG)) == 0; i++)
        usleep(100000);
    if (broken && got == 0) {
        kill(qemu_pid, SIGKILL);
        kill(writer_pid, SIGKILL);
    }
    if (got == 0)
        waitpid(qemu_pid, &st, 0);
    waitpid(writer_pid, &wst, 0);
    const char *q = bad_status(st);
    if (q) {
        snprintf(buf, sizeof buf, "QEMU runner: %s", q);
        return buf;
    }
    if (!broken && (q = bad_status(wst))) {
        snprintf(buf, sizeof buf, "case writer: %s", q);
        return buf;
    }
    return NULL;
}

static bool qemu_read(const Case *c, Outcome *o)
{
    memset(o, 0, sizeof *o);
    if (fread(&o->h, sizeof o->h, 1, qout) != 1 || o->h.magic != DIFF_MAGIC)
        return false;
    if (fread(&o->st, sizeof o->st, 1, qout) != 1 || o->h.ndata > DIFF_DATA_SIZE / 8)
        return false;
    diff_fill_data(o->data, c->data_seed);
    for (uint32_t i = 0; i < o->h.ndata; i++) {
        DataWord w;
        if (fread(&w, sizeof w, 1, qout) != 1 || w.index >= DIFF_DATA_SIZE / 8)
            return false;
        o->data[w.index] = w.value;
    }
    return true;
}

/* ================= comparison and reports ================= */

/* Equal outcomes. A timeout on either side is never equal: generated cases
 * end within a few hundred instructions, so a timeout is a fault of the
 * generator or of a CPU, and the state a stopped run reached means nothing. */
static bool same_outcome(const Outcome *a, const Outcome *b)
{
    if (a->h.kind == DIFF_KIND_TIMEOUT || b->h.kind == DIFF_KIND_TIMEOUT)
        return false;
    if (a->h.kind != b->h.kind)
        return false;
    if (a->h.kind && (a->h.pc != b->h.pc || a->h.addr != b->h.addr))
        return false;
    return !memcmp(&a->st, &b->st, offsetof(DiffState, pad)) &&
           !memcmp(a->st.v, b->st.v, sizeof a->st.v) && !memcmp(a->data, b->data, sizeof a->data);
}

/* Disassembly of every test word, by objdump (one run per class). */
static char **disasm;
static size_t ndisasm;

/* Returns NULL, or what went wrong: a class without disassembly would count
 * no mnemonics and name no mismatching instruction. */
static const char *run_objdump(const uint32_t *words, size_t n)
{
    static char err[96];
    size_t got = 0;
    disasm = calloc(n ? n : 1, sizeof *disasm);
    ndisasm = n;
    if (!n)
        return NULL;
    char path[] = "/tmp/tandem-diff-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return "objdump: no temporary file";
    FILE *f = fdopen(fd, "w");
    fwrite(words, 4, n, f);
    fclose(f);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s -D -z -b binary -m aarch64 %s", opt.objdump, path);
    FILE *p = popen(cmd, "r");
    if (!p) {
        unlink(path);
        return "objdump: popen failed";
    }
    {
        char line[512];
        while (fgets(line, sizeof line, p)) {
            unsigned long off;
            char *colon = strchr(line, ':');
            if (!colon || sscanf(line, " %lx:", &off) != 1 || off % 4 || off / 4 >= n)
                continue;
            char *s = colon + 1;
            while (*s == ' ' || *s == '\t')
                s++;
            s += strspn(s, "0123456789abcdef"); /* the word */
            while (*s == ' ' || *s == '\t')
                s++;
            s[strcspn(s, "\n")] = 0;
            for (char *q = s; *q; q++)
                if (*q == '\t')
                    *q = ' ';
            char *semi = strstr(s, " //");
            if (semi)
                *semi = 0;
            got += !disasm[off / 4];
            free(disasm[off / 4]);
            disasm[off / 4] = strdup(s);
        }
    }
    const char *st = bad_status(pclose(p));
    unlink(path);
    if (st || got != n) {
        snprintf(err, sizeof err, "%s: %s, %zu of %zu words disassembled", opt.objdump, st ? st : "exit 0", got, n);
        return err;
    }
    return NULL;
}

static const char *dis(size_t idx)
{
    return idx < ndisasm && disasm[idx] ? disasm[idx] : "?";
}

static void mnemonic_of(const char *d, char *out, size_t n)
{
    size_t k = strcspn(d, " ");
    if (k >= n)
        k = n - 1;
    memcpy(out, d, k);
    out[k] = 0;
}

typedef struct MnStat {
    char name[24];
    uint64_t cases, bad;
    uint64_t defined; /* instructions QEMU executed without SIGILL */
    size_t example; /* word index of one mismatch */
} MnStat;

static MnStat *mn;
static size_t nmn, capmn;

static MnStat *mn_get(const char *name)
{
    for (size_t i = 0; i < nmn; i++)
        if (!strcmp(mn[i].name, name))
            return &mn[i];
    if (nmn == capmn) {
        capmn = capmn ? 2 * capmn : 256;
        mn = realloc(mn, capmn * sizeof *mn);
    }
    MnStat *m = &mn[nmn++];
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    return m;
}

static int mn_cmp(const void *a, const void *b)
{
    const MnStat *x = a, *y = b;
    if (x->bad != y->bad)
        return x->bad < y->bad ? 1 : -1;
    return strcmp(x->name, y->name);
}

typedef struct Mismatch {
    uint64_t idx;
    Outcome q, t;
} Mismatch;

static void print_reg_inputs(const Case *c, const Tmpl *t, uint32_t w)
{
    if (!t || (t->flags & F_MACRO2)) {
        return;
    }
    const char *p = t->pat;
    for (int i = 0; i < 32;) {
        char ch = p[i];
        if (!is_reg_letter(ch)) {
            i++;
            continue;
        }
        unsigned r = fld(w, (unsigned)(31 - i), (unsigned)(27 - i));
        if (ch >= 'A' && ch <= 'Z')
            printf(" v%u=%016" PRIx64 ":%016" PRIx64, r, c->in.v[r][1], c->in.v[r][0]);
        else if (r < 31)
            printf(" x%u=%016" PRIx64, r, c->in.x[r]);
        i += 5;
    }
}

static void print_mismatch(unsigned cls, const Mismatch *m, size_t word_base)
{
    Case c;
    gen_case(&c, opt.seed, cls, m->idx, opt.len, opt.only, opt.insn, opt.have_insn);
    printf("MISMATCH %s case %" PRIu64 " (seed %" PRIu64 "):\n", classes[cls].name, m->idx, opt.seed);
    for (int i = 0; i < c.n; i++) {
        printf("  %08" PRIx64 ": %08x  %-40s {%s}\n", test_slot_pc(i), c.insn[i], dis(word_base + (size_t)i),
               c.tmpl[i] ? c.tmpl[i]->name : "--insn");
    }
    printf("  inputs: nzcv=%" PRIx64 " fpcr=%08" PRIx64 " fpsr=%08" PRIx64, c.in.nzcv >> 28, c.in.fpcr,
           c.in.fpsr);
    for (int i = 0; i < c.n; i++)
        print_reg_inputs(&c, c.tmpl[i], c.insn[i]);
    printf("\n");
    const Outcome *q = &m->q, *t = &m->t;
    printf("  qemu:   %s", kind_name(q->h.kind));
    if (q->h.kind)
        printf(" pc=%" PRIx64 " addr=%" PRIx64, q->h.pc, q->h.addr);
    printf("\n  tandem: %s", kind_name(t->h.kind));
    if (t->h.kind)
        printf(" pc=%" PRIx64 " addr=%" PRIx64 " esr=%08x", t->h.pc, t->h.addr, t->h.esr);
    printf("\n");
    /* Every register either side changed; '*' marks the ones that differ. */
    for (int i = 0; i < 31; i++)
        if (q->st.x[i] != t->st.x[i] || q->st.x[i] != c.in.x[i])
            printf("%c x%-2d  in=%016" PRIx64 " qemu=%016" PRIx64 " tandem=%016" PRIx64 "\n",
                   q->st.x[i] != t->st.x[i] ? '*' : ' ', i, c.in.x[i], q->st.x[i], t->st.x[i]);
    static const char *names[] = {"sp", "nzcv", "fpcr", "fpsr"};
    const uint64_t *qa = &q->st.sp, *ta = &t->st.sp, *ia = &c.in.sp;
    for (int i = 0; i < 4; i++)
        if (qa[i] != ta[i] || qa[i] != ia[i])
            printf("%c %-4s in=%016" PRIx64 " qemu=%016" PRIx64 " tandem=%016" PRIx64 "\n",
                   qa[i] != ta[i] ? '*' : ' ', names[i], ia[i], qa[i], ta[i]);
    for (int i = 0; i < 32; i++) {
        bool d = memcmp(q->st.v[i], t->st.v[i], 16) != 0;
        if (d || memcmp(q->st.v[i], c.in.v[i], 16))
            printf("%c v%-2d  in=%016" PRIx64 ":%016" PRIx64 " qemu=%016" PRIx64 ":%016" PRIx64
                   " tandem=%016" PRIx64 ":%016" PRIx64 "\n",
                   d ? '*' : ' ', i, c.in.v[i][1], c.in.v[i][0], q->st.v[i][1], q->st.v[i][0], t->st.v[i][1],
                   t->st.v[i][0]);
    }
    unsigned shown = 0;
    for (unsigned i = 0; i < DIFF_DATA_SIZE / 8; i++)
        if (q->data[i] != t->data[i] && shown++ < 8)
            printf("* mem[%08" PRIx64 "] qemu=%016" PRIx64 " tandem=%016" PRIx64 "\n", (uint64_t)(DIFF_DATA + 8ull * i),
                   q->data[i], t->data[i]);
}

typedef struct ClassResult {
    uint64_t cases, mismatches, timeouts;
    uint64_t defined; /* cases QEMU did not end with SIGILL at a test instruction */
    bool failed;
    /* --corrupt: cases the target applies to (by Tandem's outcome before the
     * corruption), of which the comparison still found equal (missed) or
     * found different already without the corruption (nothing proven). */
    uint64_t applicable, missed, already, app_kind[7];
} ClassResult;

static unsigned kind_slot(uint32_t k)
{
    return k == 0 ? 0 : k == SIG_ILL ? 1 : k == SIG_SEGV ? 2 : k == SIG_BUS ? 3 : k == SIG_TRAP ? 4
         : k == DIFF_KIND_TIMEOUT ? 5 : 6;
}

/* Alters one part of Tandem's outcome (--corrupt); false if the target does
 * not apply (fault PC and address exist only when the case raised a signal). */
static bool corrupt_outcome(Outcome *t, unsigned target, uint64_t i)
{
    static const unsigned fpsr_bits[] = {0, 1, 2, 3, 4, 7, 27}; /* IOC..IXC, IDC, QC */
    switch (target) {
    case CORRUPT_X: t->st.x[i % 31] ^= 1ull << (i % 64); return true;
    case CORRUPT_SP: t->st.sp ^= 16ull << (i % 8); return true;
    case CORRUPT_V: t->st.v[i % 32][(i / 32) % 2] ^= 1ull << (i % 64); return true;
    case CORRUPT_MEM: t->data[i % (DIFF_DATA_SIZE / 8)] ^= 1ull << (i % 64); return true;
    case CORRUPT_NZCV: t->st.nzcv ^= 1ull << (28 + i % 4); return true;
    case CORRUPT_FPCR: t->st.fpcr ^= 1ull << (22 + i % 5); return true; /* RMode, FZ, DN, AHP */
    case CORRUPT_FPSR: t->st.fpsr ^= 1ull << fpsr_bits[i % 7]; return true;
    case CORRUPT_KIND: t->h.kind = t->h.kind ? 0 : SIG_TRAP; return true;
    case CORRUPT_FAULT_PC:
        if (!is_signal(t->h.kind))
            return false;
        t->h.pc ^= 4;
        return true;
    case CORRUPT_FAULT_ADDR:
        if (!is_signal(t->h.kind))
            return false;
        t->h.addr ^= 1ull << (i % 40);
        return true;
    default: return false;
    }
}

static bool case_ok(const Class *k, const Case *c, const Outcome *q, const Outcome *t)
{
    if (!same_outcome(q, t))
        return false;
    if (k->roundtrip) /* the round trip must also reproduce the input */
        return q->h.kind == 0 && !memcmp(&q->st, &c->in, offsetof(DiffState, pad)) &&
               !memcmp(q->st.v, c->in.v, sizeof c->in.v);
    return true;
}

/* Appends "; "-separated text to a FAIL reason. */
static void add_why(char *buf, size_t n, const char *fmt, ...)
{
    size_t l = strlen(buf);
    if (l + 3 >= n)
        return;
    if (l) {
        memcpy(buf + l, "; ", 3);
        l += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + l, n - l, fmt, ap);
    va_end(ap);
}

static ClassResult run_class(unsigned cls)
{
    const Class *k = &classes[cls];
    bool full = opt.full || k->roundtrip;
    ClassResult r = {0};
    uint64_t kinds_q[7] = {0};
    size_t cap_words = (size_t)opt.count * DIFF_MAX_INSNS;
    uint32_t *words = malloc((cap_words ? cap_words : 1) * 4);
    size_t *word_base = malloc((opt.count + 1) * sizeof *word_base);
    uint8_t *bad = calloc(opt.count ? opt.count : 1, 1);
    int8_t *blame = calloc(opt.count ? opt.count : 1, 1);
    uint8_t *executed = calloc(cap_words ? cap_words : 1, 1); /* QEMU ran the word and it was defined */
    const Tmpl **wtmpl = calloc(cap_words ? cap_words : 1, sizeof *wtmpl);
    size_t nwords = 0;
    Mismatch *shown = calloc(opt.show ? opt.show : 1, sizeof *shown);
    unsigned nshown = 0;
    uint64_t *tmpl_bad = calloc(k->nt, sizeof *tmpl_bad), *tmpl_cases = calloc(k->nt, sizeof *tmpl_cases);
    uint64_t *tmpl_ill = calloc(k->nt, sizeof *tmpl_ill), *tmpl_def = calloc(k->nt, sizeof *tmpl_def);
    uint16_t *qkind = calloc(opt.count ? opt.count : 1, sizeof *qkind);
    uint16_t *tkind = calloc(opt.count ? opt.count : 1, sizeof *tkind);
    static uint32_t img[IMG_WORDS];
    Outcome *q = malloc(sizeof *q), *t = malloc(sizeof *t);
    bool broken = false; /* the runner stopped answering */

    qemu_start(cls);
    word_base[0] = 0;
    for (uint64_t i = 0; i < opt.count; i++) {
        Case c;
        gen_case(&c, opt.seed, cls, i, opt.len, opt.only, opt.insn, opt.have_insn);
        build_image(img, &c);
        if (!qemu_read(&c, q)) {
            fprintf(stderr, "campaign: %s: no result from the QEMU runner for case %" PRIu64 "\n", k->name, i);
            broken = true;
            break;
        }
        tandem_run(&c, img, t, full);
        r.cases++;
        bool ok = case_ok(k, &c, q, t);
        if (opt.corrupt) {
            uint32_t tk = t->h.kind;
            if (corrupt_outcome(t, opt.corrupt, i)) {
                bool still = case_ok(k, &c, q, t);
                r.applicable++;
                r.app_kind[kind_slot(tk)]++;
                if (!ok)
                    r.already++;
                else if (still)
                    r.missed++;
                ok = ok && still;
            }
        }
        if (q->h.kind == DIFF_KIND_TIMEOUT || t->h.kind == DIFF_KIND_TIMEOUT)
            r.timeouts++;
        qkind[i] = (uint16_t)q->h.kind;
        tkind[i] = (uint16_t)t->h.kind;
        kinds_q[kind_slot(q->h.kind)]++;
        /* QEMU's stop slot: the instruction that raised its signal, if a test one. */
        int stop = -1;
        if (q->h.kind && q->h.pc >= DIFF_TEST_START && q->h.pc < DIFF_TEST_START + 4ull * (unsigned)c.n)
            stop = (int)((q->h.pc - DIFF_TEST_START) / 4);
        if (!(stop >= 0 && q->h.kind == SIG_ILL))
            r.defined++;
        for (int j = 0; j < c.n; j++) {
            size_t w = nwords + (size_t)j;
            words[w] = c.insn[j];
            wtmpl[w] = c.tmpl[j];
            executed[w] = stop < 0 || j < stop || (j == stop && q->h.kind != SIG_ILL);
            if (c.tmpl[j]) {
                size_t ti = (size_t)(c.tmpl[j] - k->t);
                tmpl_cases[ti]++;
                tmpl_def[ti] += executed[w];
                if (q->h.kind == SIG_ILL && j == stop)
                    tmpl_ill[ti]++;
                if (!ok && (j == 0 || c.tmpl[j] != c.tmpl[j - 1]))
                    tmpl_bad[ti]++;
            }
        }
        nwords += (size_t)c.n;
        word_base[i + 1] = nwords;
        if (!ok) {
            r.mismatches++;
            bad[i] = 1;
            blame[i] = -1;
            const Outcome *f = q->h.kind ? q : t->h.kind ? t : NULL;
            if (f && f->h.pc >= DIFF_TEST_START && f->h.pc < DIFF_TEST_START + 4ull * (unsigned)c.n)
                blame[i] = (int8_t)((f->h.pc - DIFF_TEST_START) / 4);
            if (nshown < opt.show) {
                shown[nshown].idx = i;
                shown[nshown].q = *q;
                shown[nshown].t = *t;
                nshown++;
            }
        }
    }
    const char *qerr = qemu_finish(broken);
    const char *derr = run_objdump(words, nwords);

    nmn = 0;
    for (uint64_t i = 0; i < r.cases; i++)
        for (size_t w = word_base[i]; w < word_base[i + 1]; w++) {
            char name[24];
            mnemonic_of(dis(w), name, sizeof name);
            MnStat *m = mn_get(name);
            m->cases++;
            m->defined += executed[w];
            if (bad[i] && (blame[i] < 0 || (size_t)blame[i] == w - word_base[i])) {
                if (!m->bad)
                    m->example = w;
                m->bad++;
            }
        }
    size_t nmn_def = 0;
    for (size_t i = 0; i < nmn; i++)
        nmn_def += mn[i].defined > 0;
    if (opt.dump)
        for (uint64_t i = 0; i < r.cases; i++)
            for (size_t w = word_base[i]; w < word_base[i + 1]; w++)
                printf("DUMP %6" PRIu64 " %08x %-40s qemu=%s tandem=%s%s {%s}\n", i, words[w], dis(w),
                       kind_name(qkind[i]), kind_name(tkind[i]), bad[i] ? " MISMATCH" : "",
                       wtmpl[w] ? wtmpl[w]->name : "--insn");
    for (unsigned i = 0; i < nshown; i++)
        print_mismatch(cls, &shown[i], word_base[shown[i].idx]);

    unsigned used = 0;
    for (unsigned i = 0; i < k->nt; i++)
        used += tmpl_cases[i] > 0;
    printf("INFO %s: %" PRIu64 " cases (%s), %u/%u templates, defined %" PRIu64 "/%" PRIu64 " (%.1f%%), %zu distinct "
           "mnemonics (%zu executed); qemu outcomes: ok %" PRIu64 ", SIGILL %" PRIu64 ", SIGSEGV %" PRIu64
           ", SIGBUS %" PRIu64 ", SIGTRAP %" PRIu64 ", timeout %" PRIu64 ", other %" PRIu64 "\n",
           k->name, r.cases, full ? "full image on Tandem" : "direct", used, k->nt, r.defined, r.cases,
           r.cases ? 100.0 * (double)r.defined / (double)r.cases : 0.0, nmn, nmn_def, kinds_q[0], kinds_q[1],
           kinds_q[2], kinds_q[3], kinds_q[4], kinds_q[5], kinds_q[6]);
    if (!opt.quiet && !opt.have_insn) {
        printf("INFO %s per template: instructions, of which QEMU-undefined, executed and defined, cases mismatching:\n",
               k->name);
        for (unsigned i = 0; i < k->nt; i++)
            printf("INFO   %-40s %7" PRIu64 " %7" PRIu64 " %7" PRIu64 " %7" PRIu64 "\n", k->t[i].name, tmpl_cases[i],
                   tmpl_ill[i], tmpl_def[i], tmpl_bad[i]);
    }
    if (r.mismatches) {
        qsort(mn, nmn, sizeof *mn, mn_cmp);
        printf("INFO %s top mismatching mnemonics (mismatching/cases):", k->name);
        for (size_t i = 0; i < nmn && i < 12 && mn[i].bad; i++)
            printf(" %s %" PRIu64 "/%" PRIu64, mn[i].name, mn[i].bad, mn[i].cases);
        printf("\n");
        if (!opt.quiet) {
            printf("INFO %s example per mnemonic:\n", k->name);
            for (size_t i = 0; i < nmn && i < 40 && mn[i].bad; i++)
                printf("INFO   %-10s %6" PRIu64 "/%-6" PRIu64 " e.g. %08x %s\n", mn[i].name, mn[i].bad, mn[i].cases,
                       words[mn[i].example], dis(mn[i].example));
        }
    }
    if (opt.corrupt)
        printf("SELFTEST corrupt=%s class=%s requested=%" PRIu64 " ran=%" PRIu64 " stopped=%d applicable=%" PRIu64
               " missed=%" PRIu64 " already=%" PRIu64 " mismatches=%" PRIu64 " app_ok=%" PRIu64 " app_ill=%" PRIu64
               " app_segv=%" PRIu64 " app_bus=%" PRIu64 " app_trap=%" PRIu64 "\n",
               corrupt_names[opt.corrupt], k->name, opt.count, r.cases, broken || qerr, r.applicable, r.missed,
               r.already, r.mismatches, r.app_kind[0], r.app_kind[1], r.app_kind[2], r.app_kind[3], r.app_kind[4]);

    char why[1024] = "";
    if (r.mismatches) {
        if (r.timeouts)
            add_why(why, sizeof why, "%" PRIu64 " mismatches, %" PRIu64 " with a timeout", r.mismatches, r.timeouts);
        else
            add_why(why, sizeof why, "%" PRIu64 " mismatches", r.mismatches);
    }
    if (broken)
        add_why(why, sizeof why, "runner stopped after %" PRIu64 " of %" PRIu64 " cases", r.cases, opt.count);
    if (qerr)
        add_why(why, sizeof why, "%s", qerr);
    if (derr)
        add_why(why, sizeof why, "%s", derr);
    if (opt.coverage && r.cases) {
        size_t mns = k->all_undef ? nmn : nmn_def;
        if (k->all_undef && r.defined)
            add_why(why, sizeof why, "coverage: %" PRIu64 " cases defined on QEMU, must be 0", r.defined);
        else if (!k->all_undef && r.defined * 100 < (uint64_t)k->min_defined * r.cases)
            add_why(why, sizeof why, "coverage: %.1f%% of cases defined, floor %u%%",
                    100.0 * (double)r.defined / (double)r.cases, k->min_defined);
        if (opt.count < COVERAGE_COUNT) {
            printf("INFO %s: mnemonic and template floors not checked below %u cases\n", k->name, COVERAGE_COUNT);
        } else {
            if (mns < k->min_mn)
                add_why(why, sizeof why, "coverage: %zu distinct mnemonics%s, floor %u", mns,
                        k->all_undef ? "" : " executed", k->min_mn);
            unsigned idle = 0;
            const char *idle_name = NULL;
            for (unsigned i = 0; i < k->nt && !k->roundtrip; i++)
                if (!tmpl_cases[i] || (!k->all_undef && k->t[i].weight > 1 && !tmpl_def[i]))
                    idle++, idle_name = idle_name ? idle_name : k->t[i].name;
            if (idle)
                add_why(why, sizeof why, "coverage: %u templates never generated%s, e.g. '%s'", idle,
                        k->all_undef ? "" : " or (not a probe) never defined", idle_name);
        }
    }
    r.failed = *why != 0;
    if (r.failed)
        printf("FAIL %s (%s)\n", k->name, why);
    else
        printf("PASS %s\n", k->name);
    fflush(stdout);

    for (size_t i = 0; i < ndisasm; i++)
        free(disasm[i]);
    free(disasm);
    disasm = NULL;
    free(words), free(word_base), free(bad), free(blame), free(executed), free(wtmpl), free(shown);
    free(tmpl_bad), free(tmpl_cases), free(tmpl_ill), free(tmpl_def), free(qkind), free(tkind), free(q), free(t);
    return r;
}

static void usage(void)
{
    printf("usage: campaign [--class NAME|all] [--count N] [--seed S] [--len 1-4] [--only TEXT]\n"
           "                [--insn HEX] [--full] [--show N] [--quiet] [--corrupt TARGET] [--coverage]\n"
           "                [--list] [--dump]\n"
           "                [--qemu PATH] [--runner PATH] [--objdump PATH]\n"
           "  --corrupt TARGET: self-test, alters one part of Tandem's outcome; TARGET is one of");
    for (unsigned i = 1; i < NCORRUPT; i++)
        printf(" %s", corrupt_names[i]);
    printf("\n  --coverage: a class also fails below its coverage floors (gen.h)\n");
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"class", 1, 0, 'c'}, {"count", 1, 0, 'n'}, {"seed", 1, 0, 's'}, {"len", 1, 0, 'l'},
        {"only", 1, 0, 'o'}, {"insn", 1, 0, 'i'}, {"full", 0, 0, 'F'}, {"show", 1, 0, 'S'},
        {"quiet", 0, 0, 'q'}, {"corrupt", 1, 0, 'C'}, {"list", 0, 0, 'L'}, {"dump", 0, 0, 'D'}, {"coverage", 0, 0, 'V'}, {"qemu", 1, 0, 'Q'},
        {"runner", 1, 0, 'R'}, {"objdump", 1, 0, 'O'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0},
    };
    int ch;
    check_templates();
    while ((ch = getopt_long(argc, argv, "c:n:s:l:o:i:FS:qC:LDVQ:R:O:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'c': opt.cls = optarg; break;
        case 'n': opt.count = strtoull(optarg, NULL, 0); break;
        case 's': opt.seed = strtoull(optarg, NULL, 0); break;
        case 'l': opt.len = atoi(optarg); break;
        case 'o': opt.only = optarg; break;
        case 'i': opt.insn = (uint32_t)strtoul(optarg, NULL, 16); opt.have_insn = true; break;
        case 'F': opt.full = true; break;
        case 'S': opt.show = (unsigned)atoi(optarg); break;
        case 'q': opt.quiet = true; break;
        case 'C':
            for (opt.corrupt = 1; opt.corrupt < NCORRUPT && strcmp(optarg, corrupt_names[opt.corrupt]); opt.corrupt++)
                ;
            if (opt.corrupt == NCORRUPT) {
                fprintf(stderr, "campaign: unknown --corrupt target '%s'\n", optarg);
                usage();
                return 2;
            }
            break;
        case 'D': opt.dump = true; break;
        case 'V': opt.coverage = true; break;
        case 'Q': opt.qemu = optarg; break;
        case 'R': opt.runner = optarg; break;
        case 'O': opt.objdump = optarg; break;
        case 'L':
            for (unsigned c = 0; c < NCLASSES; c++) {
                printf("%s\n", classes[c].name);
                for (unsigned i = 0; i < classes[c].nt; i++)
                    printf("    %-40s %s\n", classes[c].t[i].name, classes[c].t[i].pat);
            }
            return 0;
        default: usage(); return ch == 'h' ? 0 : 2;
        }
    }
    if (opt.len < 0 || opt.len > DIFF_MAX_INSNS) {
        usage();
        return 2;
    }
    if (opt.coverage && (opt.len || opt.only || opt.have_insn)) {
        fprintf(stderr, "campaign: --coverage measures the default generator: not with --len, --only, --insn\n");
        return 2;
    }
    if (access(opt.runner, R_OK)) {
        fprintf(stderr, "campaign: %s not found (build it: tests/diff/campaign.sh builds it)\n", opt.runner);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    tandem_init();
    bool any = false, failed = false;
    uint64_t total = 0, bad = 0;
    for (unsigned c = 0; c < NCLASSES; c++) {
        if (strcmp(opt.cls, "all") && strcmp(opt.cls, classes[c].name))
            continue;
        if (opt.only) { /* skip classes with no template matching --only */
            bool m = false;
            for (unsigned i = 0; i < classes[c].nt; i++)
                m |= strstr(classes[c].t[i].name, opt.only) != NULL;
            if (!m)
                continue;
        }
        any = true;
        ClassResult r = run_class(c);
        total += r.cases;
        bad += r.mismatches;
        failed |= r.failed;
    }
    if (!any) {
        fprintf(stderr, "campaign: no class '%s' (see --list)\n", opt.cls);
        return 2;
    }
    if (!opt.quiet)
        printf("INFO total: %" PRIu64 " cases, %" PRIu64 " mismatches\n", total, bad);
    cpu_free(&cpu);
    bus_free(&bus);
    return failed ? 1 : 0;
}
