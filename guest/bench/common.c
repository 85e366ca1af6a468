/* Shared helpers of Tandem's guest benchmark programs; see common.h. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile uint64_t tb_sink;

static void usage(const char *prog)
{
    fprintf(stderr, "usage: %s [-s] [-r REPS]\n"
                    "  -s       short mode: %d repetitions, small loops\n"
                    "  -r REPS  timed repetitions (default %d, 1..1000)\n",
            prog, TB_SHORT_REPS, TB_DEFAULT_REPS);
    exit(2);
}

void tb_parse_opts(int argc, char **argv, const char *prog, struct tb_opts *o)
{
    int reps = 0;
    o->short_mode = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-s") == 0) {
            o->short_mode = 1;
        } else if (strcmp(argv[i], "-r") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: -r needs a repetition count\n", prog);
                usage(prog);
            }
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*argv[i] == '\0' || *end != '\0' || v < 1 || v > 1000) {
                fprintf(stderr, "%s: bad repetition count '%s' (1..1000)\n", prog, argv[i]);
                exit(2);
            }
            reps = (int)v;
        } else {
            fprintf(stderr, "%s: unknown argument '%s'\n", prog, argv[i]);
            usage(prog);
        }
    }
    o->reps = reps ? reps : (o->short_mode ? TB_SHORT_REPS : TB_DEFAULT_REPS);
    /* Output goes to a console or a pipe; keep lines whole and never leave
     * buffered text for a forked child to duplicate. */
    setvbuf(stdout, NULL, _IOLBF, 0);
}

double tb_now_us(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        tb_die("tb", "clock_gettime(CLOCK_MONOTONIC)");
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

void tb_die(const char *prog, const char *what)
{
    if (errno)
        fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
    else
        fprintf(stderr, "%s: %s\n", prog, what);
    exit(1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double tb_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double tb_min(const double *v, int n)
{
    double m = v[0];
    for (int i = 1; i < n; i++)
        if (v[i] < m)
            m = v[i];
    return m;
}

void tb_result(const char *family, const char *bench, const char *param,
               double median, double second, const char *unit)
{
    printf("RESULT %s %s %s %.3f %.3f %s\n", family, bench, param, median, second, unit);
    fflush(stdout);
}

void *tb_alloc_touched(const char *prog, size_t size)
{
    void *p = NULL;
    int err = posix_memalign(&p, 4096, size);
    if (err) {
        errno = err;
        tb_die(prog, "cannot allocate the working buffer");
    }
    memset(p, 0x5a, size);
    return p;
}
