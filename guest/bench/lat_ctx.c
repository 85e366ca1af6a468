/* tb-lat-ctx: context switch latency, in microseconds per switch, for rings
 * of 2, 4, 6, 8, 16 and 32 processes with a 64 KB working set each.
 *
 * The processes are joined in a ring by pipes and pass one token around it:
 * on receiving the token a process reads its whole working set (its own,
 * private, present 64 KB) and then writes the token to the next process, so
 * every hop of the token is one context switch on a single CPU. The time per
 * hop includes a pipe write, a pipe read and one pass over a working set;
 * that overhead is measured in one process (passing the token to itself
 * through a pipe, reading a 64 KB working set per hop) and subtracted, so
 * what remains is the switch itself (and the cache and TLB refills it
 * causes). A result below zero after the subtraction is reported as 0.
 *
 * Each repetition times ROUNDS trips of the token around the ring (about
 * HOPS hops); one untimed trip set comes first. The "min" column is the best
 * repetition. Any failed pipe, fork, read or write, or a ring process that
 * dies, ends the program with exit status 1. */
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

/* One process: token through its own pipe plus a working-set pass, per hop. */
static double overhead_per_hop(int hops, int reps, double *samples, double *best)
{
    int p[2];
    if (pipe(p) < 0)
        tb_die(PROG, "pipe");
    uint64_t *ws = tb_alloc_touched(PROG, WS_SIZE);
    int tok = 0;
    for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
        double t0 = tb_now_us();
        for (int h = 0; h < hops; h++) {
            if (put_token(p[1], tok) != 1)
                tb_die(PROG, "write to pipe");
            if (get_token(p[0], &tok) != 1)
                tb_die(PROG, "read from pipe");
            tb_sink += sum_ws(ws);
            tok++;
        }
        if (r >= 0)
            samples[r] = (tb_now_us() - t0) / hops;
    }
    close(p[0]);
    close(p[1]);
    free(ws);
    *best = tb_min(samples, reps);
    return tb_median(samples, reps);
}

/* A ring member: receive, read the working set, pass on, until end of file. */
static void __attribute__((noreturn)) ring_child(int in, int out)
{
    uint64_t *ws = tb_alloc_touched(PROG, WS_SIZE);
    int tok, got;
    while ((got = get_token(in, &tok)) == 1) {
        tb_sink += sum_ws(ws);
        if (put_token(out, tok + 1) != 1) {
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

/* Times reps repetitions of rounds trips around a ring of n processes;
 * samples[r] = microseconds per hop. */
static void run_ring(int n, int rounds, int reps, double *samples)
{
    int p[MAX_PROCS][2];
    pid_t pid[MAX_PROCS];
    for (int i = 0; i < n; i++)
        if (pipe(p[i]) < 0)
            tb_die(PROG, "pipe");
    fflush(stdout);
    /* Process i reads p[i] and writes p[(i + 1) % n]; this process is 0. */
    for (int i = 1; i < n; i++) {
        pid[i] = fork();
        if (pid[i] < 0) {
            int e = errno;
            for (int j = 1; j < i; j++)
                kill(pid[j], SIGKILL);
            errno = e;
            tb_die(PROG, "fork of a ring process");
        }
        if (pid[i] == 0) {
            for (int j = 0; j < n; j++) {
                if (j != i)
                    close(p[j][0]);
                if (j != (i + 1) % n)
                    close(p[j][1]);
            }
            ring_child(p[i][0], p[(i + 1) % n][1]);
        }
    }
    for (int j = 0; j < n; j++) {
        if (j != 0)
            close(p[j][0]);
        if (j != 1)
            close(p[j][1]);
    }
    int in = p[0][0], out = p[1][1];
    uint64_t *ws = tb_alloc_touched(PROG, WS_SIZE);
    int tok = 0;
    for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
        double t0 = tb_now_us();
        for (int k = 0; k < rounds; k++) {
            if (put_token(out, tok) != 1)
                tb_die(PROG, "write to the ring");
            int got = get_token(in, &tok);
            if (got != 1) {
                if (got == 0)
                    errno = 0;
                tb_die(PROG, got == 0 ? "a ring process died" : "read from the ring");
            }
            tb_sink += sum_ws(ws);
        }
        if (r >= 0)
            samples[r] = (tb_now_us() - t0) / ((double)rounds * n);
    }
    if (tok != (reps + 1) * rounds * (n - 1)) {
        fprintf(stderr, "%s: the token came back as %d, expected %d\n", PROG, tok,
                (reps + 1) * rounds * (n - 1));
        exit(1);
    }
    /* Closing our ends makes every member see end of file in turn. */
    close(in);
    close(out);
    free(ws);
    int failed = 0;
    for (int i = 1; i < n; i++) {
        int st;
        while (waitpid(pid[i], &st, 0) < 0) {
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

int main(int argc, char **argv)
{
    struct tb_opts o;
    tb_parse_opts(argc, argv, PROG, &o);
    int hops = o.short_mode ? 64 : 256;
    double *samples = malloc(sizeof(double) * (size_t)o.reps);
    if (!samples)
        tb_die(PROG, "cannot allocate the sample array");
    /* A dead ring member must show up as EPIPE, not kill us silently. */
    signal(SIGPIPE, SIG_IGN);

    printf("CONFIG %s reps=%d ws=64KB hops=%d procs=2,4,6,8,16,32\n", PROG, o.reps, hops);
    double ovh_best, ovh = overhead_per_hop(hops, o.reps, samples, &ovh_best);
    printf("INFO %s overhead_per_hop median=%.3f min=%.3f us\n", PROG, ovh, ovh_best);

    for (size_t s = 0; s < sizeof ring_sizes / sizeof ring_sizes[0]; s++) {
        int n = ring_sizes[s];
        int rounds = hops / n > 0 ? hops / n : 1;
        run_ring(n, rounds, o.reps, samples);
        for (int r = 0; r < o.reps; r++) {
            samples[r] -= ovh;
            if (samples[r] < 0)
                samples[r] = 0;
        }
        char param[16];
        snprintf(param, sizeof param, "%d", n);
        tb_result("lat_ctx", "64KB", param, tb_median(samples, o.reps), tb_min(samples, o.reps), "us");
    }
    free(samples);
    return 0;
}
