/* tb-chain: a deterministic chain of steps, the workload of the
 * fault-tolerance tests (tests/ft/run.sh).
 *
 * Step i folds everything before it into a 64-bit digest: the previous
 * digest, the state file in /tmp (rewritten every step), the log file in
 * /tmp (one line appended every step) and a buffer of a few MiB in memory,
 * which the step rewrites whole, reading it at positions that depend on the
 * digest so far. It prints
 *     CHAIN-BEGIN steps=N mib=M passes=P
 *     CHAIN i <digest>            one line per step, i = 1..N
 *     CHAIN-END <digest>          the digest of the whole final state
 * and exits 0. The digests do not depend on N (a shorter chain's lines are
 * the first lines of a longer one's). Nothing depends on time, addresses or the environment, so the
 * output is the same on every machine that computes correctly; a state that
 * was lost, rolled back inconsistently or corrupted changes every digest from
 * that step on. A step costs about 10 M instructions per MiB and pass.
 *
 * Parameters, from the kernel command line (/proc/cmdline) and then from
 * options (which win):
 *     tandem.chain=N          -n N   steps (default 150)
 *     tandem.chain.mib=M      -m M   buffer size in MiB (default 4)
 *     tandem.chain.passes=P   -p P   passes over the buffer per step (default 1)
 *     tandem.chain.panic=S    -P S   at the start of step S, print
 *                                    "CHAIN-PANIC at step S", spin for a few
 *                                    hundred ms and panic the kernel (sysrq-c;
 *                                    for the detector tests)
 *     tandem.chain.time=1     -t     append " @<microseconds of CLOCK_MONOTONIC>"
 *                                    to each CHAIN line (timing tests only)
 */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "tb-chain"
#define STATE_PATH "/tmp/tb-chain.state"
#define LOG_PATH "/tmp/tb-chain.log"
#define STATE_WORDS 2048 /* 16 KiB */
#define LOG_MAX (1 << 20)

struct params {
    long steps, mib, passes, panic_at;
    int timed;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static void die(const char *what)
{
    int e = errno;
    printf("CHAIN-ERROR %s%s%s\n", what, e ? ": " : "", e ? strerror(e) : "");
    fflush(stdout);
    errno = e;
    tb_die(PROG, what);
}

static long number(const char *s, const char *what, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno || v < lo || v > hi) {
        fprintf(stderr, "%s: bad %s '%s' (%ld..%ld)\n", PROG, what, s, lo, hi);
        printf("CHAIN-ERROR bad %s '%s'\n", what, s);
        exit(2);
    }
    return v;
}

/* The value of KEY= among the space-separated words of /proc/cmdline, or NULL. */
static const char *cmdline_value(const char *cmdline, const char *key, char *out, size_t outlen)
{
    size_t klen = strlen(key);
    const char *p = cmdline;
    while (*p) {
        while (*p == ' ' || *p == '\n')
            p++;
        const char *w = p;
        while (*p && *p != ' ' && *p != '\n')
            p++;
        if ((size_t)(p - w) > klen && strncmp(w, key, klen) == 0 && w[klen] == '=') {
            size_t n = (size_t)(p - w) - klen - 1;
            if (n >= outlen)
                n = outlen - 1;
            memcpy(out, w + klen + 1, n);
            out[n] = '\0';
            return out;
        }
    }
    return NULL;
}

static void read_params(int argc, char **argv, struct params *pr)
{
    pr->steps = 150;
    pr->mib = 4;
    pr->passes = 1;
    pr->panic_at = 0;
    pr->timed = 0;

    char cmdline[4096] = "";
    int fd = open("/proc/cmdline", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
        cmdline[n > 0 ? n : 0] = '\0';
        close(fd);
    }
    char v[64];
    if (cmdline_value(cmdline, "tandem.chain", v, sizeof v))
        pr->steps = number(v, "step count (tandem.chain)", 1, 100000);
    if (cmdline_value(cmdline, "tandem.chain.mib", v, sizeof v))
        pr->mib = number(v, "buffer size (tandem.chain.mib)", 1, 256);
    if (cmdline_value(cmdline, "tandem.chain.passes", v, sizeof v))
        pr->passes = number(v, "pass count (tandem.chain.passes)", 1, 1000);
    if (cmdline_value(cmdline, "tandem.chain.panic", v, sizeof v))
        pr->panic_at = number(v, "panic step (tandem.chain.panic)", 0, 100000);
    if (cmdline_value(cmdline, "tandem.chain.time", v, sizeof v))
        pr->timed = number(v, "tandem.chain.time", 0, 1) != 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-t") == 0) {
            pr->timed = 1;
            continue;
        }
        if (i + 1 >= argc || a[0] != '-' || a[1] == '\0' || a[2] != '\0') {
            fprintf(stderr, "usage: %s [-n STEPS] [-m MIB] [-p PASSES] [-P PANIC-STEP] [-t]\n", PROG);
            exit(2);
        }
        const char *val = argv[++i];
        switch (a[1]) {
        case 'n': pr->steps = number(val, "step count (-n)", 1, 100000); break;
        case 'm': pr->mib = number(val, "buffer size (-m)", 1, 256); break;
        case 'p': pr->passes = number(val, "pass count (-p)", 1, 1000); break;
        case 'P': pr->panic_at = number(val, "panic step (-P)", 0, 100000); break;
        default:
            fprintf(stderr, "%s: unknown option %s\n", PROG, a);
            exit(2);
        }
    }
}

static void write_all(const char *path, const void *data, size_t len, int flags)
{
    int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
    if (fd < 0)
        die("cannot open a file in /tmp for writing");
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            die("cannot write a file in /tmp");
        p += n;
        len -= (size_t)n;
    }
    if (close(fd) != 0)
        die("cannot close a file in /tmp");
}

/* Reads up to len bytes of PATH into buf; returns how many. */
static size_t read_all(const char *path, void *buf, size_t len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        die("cannot open a file in /tmp for reading");
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("cannot read a file in /tmp");
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    return got;
}

static uint64_t fold_bytes(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return mix(h ^ n);
}

static void panic_kernel(long step)
{
    printf("CHAIN-PANIC at step %ld\n", step);
    fflush(stdout);
    /* A few hundred ms of CPU first (about 100 M instructions), so that a
     * VMM taking periodic checkpoints has committed everything above before
     * the panic, and a rollback lands in this loop: the panic recurs. */
    for (uint64_t x = 0; x < 25000000; x++)
        tb_sink += x;
    static const char one[] = "1\n", c[] = "c\n";
    write_all("/proc/sys/kernel/sysrq", one, sizeof one - 1, O_TRUNC);
    write_all("/proc/sysrq-trigger", c, sizeof c - 1, O_TRUNC);
    /* Not reached when sysrq works. */
    die("sysrq-c did not panic the kernel");
}

int main(int argc, char **argv)
{
    struct params pr;
    read_params(argc, argv, &pr);
    setvbuf(stdout, NULL, _IOLBF, 0);

    size_t nwords = (size_t)pr.mib << 17; /* 8-byte words per MiB */
    uint64_t *buf = tb_alloc_touched(PROG, nwords * sizeof *buf);
    static uint64_t state[STATE_WORDS];
    static char log[LOG_MAX];

    /* The initial state: the buffer and the state file from a fixed seed. */
    uint64_t seed = 0x7a6e64656d2d6674ULL; /* "tandem-ft" */
    for (size_t j = 0; j < nwords; j++)
        buf[j] = mix(seed + j);
    for (size_t j = 0; j < STATE_WORDS; j++)
        state[j] = mix(~seed - j);
    write_all(STATE_PATH, state, sizeof state, O_TRUNC);
    write_all(LOG_PATH, "", 0, O_TRUNC);

    printf("CHAIN-BEGIN steps=%ld mib=%ld passes=%ld\n", pr.steps, pr.mib, pr.passes);
    uint64_t digest = mix(seed ^ ((uint64_t)pr.mib << 32) ^ ((uint64_t)pr.passes << 48));
    size_t mask = nwords - 1; /* nwords is a power of two times 2^17: mask only if one */
    int pow2 = (nwords & mask) == 0;

    for (long i = 1; i <= pr.steps; i++) {
        if (pr.panic_at && i == pr.panic_at)
            panic_kernel(i);
        uint64_t h = mix(digest ^ (uint64_t)i);

        /* 1. Everything on file: the state file and the whole log so far. */
        size_t got = read_all(STATE_PATH, state, sizeof state);
        if (got != sizeof state)
            die("the state file is short");
        h = fold_bytes(h, (const unsigned char *)state, sizeof state);
        size_t loglen = read_all(LOG_PATH, log, sizeof log);
        h = fold_bytes(h, (const unsigned char *)log, loglen);

        /* 2. Rewrite the buffer, reading it where the digest points. */
        for (long pass = 0; pass < pr.passes; pass++) {
            for (size_t j = 0; j < nwords; j++) {
                /* A word at most 8 KiB ahead (wrapping): every word feeds
                 * the digest, and the walk stays page-local. */
                size_t k = j + 1 + (size_t)((h >> 40) & 1023);
                k = pow2 ? (k & mask) : (k % nwords);
                uint64_t v = rotl((buf[j] ^ buf[k]) + h, 23) * 0x9e3779b97f4a7c15ULL;
                buf[j] = v;
                h = (h ^ v) * 0xff51afd7ed558ccdULL;
                h ^= h >> 29;
            }
            TB_BARRIER();
        }
        h = mix(h);

        /* 3. The state file: each word from its old value and the buffer. */
        for (size_t j = 0; j < STATE_WORDS; j++) {
            state[j] = mix(state[j] ^ buf[(j * 977u + (size_t)i) % nwords] ^ h);
            h ^= rotl(state[j], (int)(j % 63) + 1);
        }
        write_all(STATE_PATH, state, sizeof state, O_TRUNC);
        digest = mix(h);

        /* 4. The log: one line per step. */
        char line[64];
        int n = snprintf(line, sizeof line, "%ld %016" PRIx64 "\n", i, digest);
        write_all(LOG_PATH, line, (size_t)n, O_APPEND);

        if (pr.timed)
            printf("CHAIN %ld %016" PRIx64 " @%.0f\n", i, digest, tb_now_us());
        else
            printf("CHAIN %ld %016" PRIx64 "\n", i, digest);
    }

    /* The final digest: the whole buffer, the state file and the log. */
    uint64_t h = digest;
    for (size_t j = 0; j < nwords; j++)
        h = mix(h ^ buf[j]);
    read_all(STATE_PATH, state, sizeof state);
    h = fold_bytes(h, (const unsigned char *)state, sizeof state);
    size_t loglen = read_all(LOG_PATH, log, sizeof log);
    h = fold_bytes(h, (const unsigned char *)log, loglen);
    printf("CHAIN-END %016" PRIx64 "\n", h);
    return 0;
}
