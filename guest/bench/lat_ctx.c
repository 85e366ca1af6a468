/* tb-lat-ctx: context switch latency, in microseconds per switch, for rings
 * of 2, 4, 6, 8, 16 and 32 processes with a 64 KB working set each
 * (lmbench's lat_ctx -s 64).
 *
 * The processes are joined in a ring by pipes and pass one token around it:
 * process i reads the token from pipe i and writes it to pipe i+1. On a
 * single CPU every hop of the token is one context switch. A hop also costs
 * a pipe write, a pipe read and, when the working set is on, one pass of the
 * receiving process over its own private, present 64 KB. That overhead is
 * several times the switch itself, so how it is taken out decides whether
 * the result means anything on a loaded host.
 *
 * Method. Everything is measured in one process tree, with the same
 * processes and the same pipes, in short batches of BATCH_HOPS hops (one
 * trip, n hops, for a ring of n > BATCH_HOPS processes):
 *   ring   process 0 sends the token around the ring: each hop is a write,
 *          a switch to the next process, its read and its working-set pass;
 *   self   process 0 writes the token into its own input pipe (pipe 0, the
 *          one the ring delivers to it) and reads it back, the same number
 *          of hops, with the same working-set pass in process 0: the same
 *          pipe code and the same loop, minus the switch.
 * While process 0 holds the token every other process sleeps in read(), so
 * the self batch runs alone. Each sample times four adjacent batches: ring
 * and self, each with the working set on (64 KB) and off (0 KB); the order
 * of ring and self alternates from sample to sample so that a slow drift of
 * the host's speed cancels, and the batches are short (about a millisecond)
 * so that most of them run between two preemptions of the emulator by its
 * host. Per hop, within one sample:
 *   switch with 64 KB = ring(64 KB) - self(64 KB)  the reported figure: the
 *                       switch plus refilling the working set after it;
 *   bare switch       = ring(0 KB) - self(0 KB)    (INFO line)
 * and so the working set's refill cost is their difference. Both terms of
 * each difference were timed milliseconds apart, so a host that slows down
 * or preempts the emulator inflates both alike, and a batch hit by a long
 * preemption is one outlying sample out of many: a repetition's value is
 * the median of its paired differences (15 samples, 9 with -s), the RESULT
 * line's median is the median over the repetitions and "min" the best
 * repetition. (lmbench measures the overhead once, in a separate process,
 * and subtracts it from every ring time; with the overhead several times
 * the switch, load that differs between the two runs easily takes the whole
 * difference.)
 *
 * One untimed sample comes first. The token carries a hop count (every ring
 * member adds 2) and the working-set flag (bit 0); process 0 checks the count
 * after every trip. A negative value (noise larger than the switch) is
 * printed as 0, as the RESULT format has no sign. Any failed pipe, fork,
 * read or write, a wrong count, or a ring process that dies, ends the
 * program with exit status 1. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "tb-lat-ctx"
#define WS_SIZE (64u << 10)
#define WS_WORDS (WS_SIZE / sizeof(uint64_t))
#define MAX_PROCS 32
#define BATCH_HOPS 8 /* hops per timed batch (ring and self alike) */
#define TOK_WS 1      /* token bit 0: the receiver reads its working set */

static const int ring_sizes[] = {2, 4, 6, 8, 16, 32};

static uint64_t sum_ws(const uint64_t *p)
{
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (size_t i = 0; i < WS_WORDS; i += 8) {
        s0 += p[i] + p[i + 4];
        s1 += p[i + 1] + p[i + 5];
        s2 += p[i + 2] + p[i + 6];
        s3 += p[i + 3] + p[i + 7];
        TB_BARRIER();
    }
    return s0 + s1 + s2 + s3;
}

/* Reads the token from fd; returns 0 at end of file. */
static int get_token(int fd, int *tok)
{
    for (;;) {
        ssize_t n = read(fd, tok, sizeof *tok);
        if (n == (ssize_t)sizeof *tok)
            return 1;
        if (n == 0)
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        return -1;
    }
}

static int put_token(int fd, int tok)
{
    for (;;) {
        ssize_t n = write(fd, &tok, sizeof tok);
        if (n == (ssize_t)sizeof tok)
            return 1;
        if (n < 0 && errno == EINTR)
            continue;
        return -1;
    }
}

/* A ring member: receive, read the working set if the token says so, pass
 * on, until end of file. */
static void __attribute__((noreturn)) ring_child(int in, int out)
{
    uint64_t *ws = tb_alloc_touched(PROG, WS_SIZE);
    int tok, got;
    while ((got = get_token(in, &tok)) == 1) {
        if (tok & TOK_WS)
            tb_sink += sum_ws(ws);
        if (put_token(out, tok + 2) != 1) {
            dprintf(2, "%s: ring process %d: write to pipe: %s\n", PROG, (int)getpid(), strerror(errno));
            _exit(1);
        }
    }
    if (got < 0) {
        dprintf(2, "%s: ring process %d: read from pipe: %s\n", PROG, (int)getpid(), strerror(errno));
        _exit(1);
    }
    _exit(0);
}

/* Process 0's side of the ring. */
struct ring {
    int n;        /* processes, this one included */
    int rounds;   /* trips around the ring per batch */
    int in, out;  /* pipe 0's read end, pipe 1's write end */
    int self;     /* pipe 0's write end: the token back to ourselves */
    uint64_t *ws; /* this process's working set */
    pid_t pid[MAX_PROCS];
};

/* One batch: r->rounds trips around the ring, or as many hops through our
 * own pipe; returns microseconds per hop. */
static double batch(struct ring *r, int around, int ws)
{
    int hops = r->rounds * r->n;
    double t0 = tb_now_us();
    if (around) {
        for (int k = 0; k < r->rounds; k++) {
            int tok = ws ? TOK_WS : 0;
            if (put_token(r->out, tok) != 1)
                tb_die(PROG, "write to the ring");
            int got = get_token(r->in, &tok);
            if (got != 1) {
                if (got == 0)
                    errno = 0;
                tb_die(PROG, got == 0 ? "a ring process died" : "read from the ring");
            }
            if (tok != (ws ? TOK_WS : 0) + 2 * (r->n - 1)) {
                fprintf(stderr, "%s: the token came back as %d after a trip around %d processes\n", PROG, tok, r->n);
                exit(1);
            }
            if (ws)
                tb_sink += sum_ws(r->ws);
        }
    } else {
        int tok = ws ? TOK_WS : 0;
        for (int h = 0; h < hops; h++) {
            if (put_token(r->self, tok) != 1)
                tb_die(PROG, "write to our own pipe");
            if (get_token(r->in, &tok) != 1)
                tb_die(PROG, "read from our own pipe");
            if (tok & TOK_WS)
                tb_sink += sum_ws(r->ws);
        }
    }
    return (tb_now_us() - t0) / hops;
}

static void ring_start(struct ring *r, int n)
{
    int p[MAX_PROCS][2];
    r->n = n;
    r->rounds = BATCH_HOPS / n > 0 ? BATCH_HOPS / n : 1;
    for (int i = 0; i < n; i++)
        if (pipe(p[i]) < 0)
            tb_die(PROG, "pipe");
    fflush(stdout);
    /* Process i reads p[i] and writes p[(i + 1) % n]; this process is 0 and
     * also keeps p[0]'s write end, for the self batches. */
    for (int i = 1; i < n; i++) {
        r->pid[i] = fork();
        if (r->pid[i] < 0) {
            int e = errno;
            for (int j = 1; j < i; j++)
                kill(r->pid[j], SIGKILL);
            errno = e;
            tb_die(PROG, "fork of a ring process");
        }
        if (r->pid[i] == 0) {
            for (int j = 0; j < n; j++) {
                if (j != i)
                    close(p[j][0]);
                if (j != (i + 1) % n)
                    close(p[j][1]);
            }
            ring_child(p[i][0], p[(i + 1) % n][1]);
        }
    }
    for (int j = 1; j < n; j++) {
        close(p[j][0]);
        if (j != 1)
            close(p[j][1]);
    }
    r->in = p[0][0];
    r->self = p[0][1];
    r->out = p[1][1];
    r->ws = tb_alloc_touched(PROG, WS_SIZE);
}

static void ring_stop(struct ring *r)
{
    /* Closing our ends makes every member see end of file in turn. */
    close(r->in);
    close(r->out);
    close(r->self);
    free(r->ws);
    int failed = 0;
    for (int i = 1; i < r->n; i++) {
        int st;
        while (waitpid(r->pid[i], &st, 0) < 0) {
            if (errno != EINTR)
                tb_die(PROG, "waitpid");
        }
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            failed = 1;
    }
    if (failed) {
        errno = 0;
        tb_die(PROG, "a ring process failed");
    }
}

/* One paired sample: the four batches, ring and self in alternating order;
 * d64 and d0 get the per-hop differences, ring64 and self64 the raw times. */
static void sample(struct ring *r, int k, double *d64, double *d0, double *ring64, double *self64)
{
    double ring_ws, self_ws, ring_0, self_0;
    if (k % 2 == 0) {
        ring_ws = batch(r, 1, 1);
        self_ws = batch(r, 0, 1);
        ring_0 = batch(r, 1, 0);
        self_0 = batch(r, 0, 0);
    } else {
        self_ws = batch(r, 0, 1);
        ring_ws = batch(r, 1, 1);
        self_0 = batch(r, 0, 0);
        ring_0 = batch(r, 1, 0);
    }
    *d64 = ring_ws - self_ws;
    *d0 = ring_0 - self_0;
    *ring64 = ring_ws;
    *self64 = self_ws;
}

static double nonneg(double x) { return x > 0 ? x : 0; }

int main(int argc, char **argv)
{
    struct tb_opts o;
    tb_parse_opts(argc, argv, PROG, &o);
    int samples = o.short_mode ? 9 : 15;
    int total = o.reps * samples;
    /* rep*: each repetition's median; s*: one repetition's samples; all64,
     * ring64, self64: every sample of a ring size. */
    double *rep64 = malloc(sizeof(double) * (size_t)o.reps), *rep0 = malloc(sizeof(double) * (size_t)o.reps);
    double *all64 = malloc(sizeof(double) * (size_t)total);
    double *ring64 = malloc(sizeof(double) * (size_t)total), *self64 = malloc(sizeof(double) * (size_t)total);
    double s64[samples], s0[samples];
    if (!rep64 || !rep0 || !all64 || !ring64 || !self64)
        tb_die(PROG, "cannot allocate the sample arrays");
    /* A dead ring member must show up as EPIPE, not kill us silently. */
    signal(SIGPIPE, SIG_IGN);

    printf("CONFIG %s reps=%d samples=%d batch=%d hops ws=64KB procs=2,4,6,8,16,32 "
           "method=paired ring-minus-self batches in one process tree\n",
           PROG, o.reps, samples, BATCH_HOPS);
    for (size_t s = 0; s < sizeof ring_sizes / sizeof ring_sizes[0]; s++) {
        int n = ring_sizes[s];
        struct ring r;
        ring_start(&r, n);
        double w0, w1, w2, w3;
        sample(&r, 0, &w0, &w1, &w2, &w3); /* warm-up */
        for (int rep = 0; rep < o.reps; rep++) {
            for (int k = 0; k < samples; k++) {
                int i = rep * samples + k;
                sample(&r, k, &s64[k], &s0[k], &ring64[i], &self64[i]);
                all64[i] = s64[k];
            }
            rep64[rep] = tb_median(s64, samples);
            rep0[rep] = tb_median(s0, samples);
        }
        ring_stop(&r);

        double med = tb_median(rep64, o.reps), best = tb_min(rep64, o.reps);
        double med0 = tb_median(rep0, o.reps);
        int negative = 0;
        for (int i = 0; i < total; i++)
            negative += all64[i] < 0;
        printf("INFO %s procs=%d per hop: ring %.3f, self %.3f us (64KB, medians); "
               "bare switch (0KB) %.3f us; %d of %d paired samples negative\n",
               PROG, n, tb_median(ring64, total), tb_median(self64, total), med0, negative, total);
        char param[16];
        snprintf(param, sizeof param, "%d", n);
        tb_result("lat_ctx", "64KB", param, nonneg(med), nonneg(best), "us");
    }
    free(rep64);
    free(rep0);
    free(all64);
    free(ring64);
    free(self64);
    return 0;
}
