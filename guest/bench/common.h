/* Shared helpers of Tandem's guest benchmark programs (tb-*): options, the
 * monotonic clock, statistics over repetitions and the CONFIG/RESULT lines of
 * the evaluation contract. */
#ifndef TB_COMMON_H
#define TB_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define TB_DEFAULT_REPS 11
#define TB_SHORT_REPS 3

struct tb_opts {
    int reps;       /* timed repetitions (-r N) */
    int short_mode; /* -s: few repetitions, small loops */
};

/* Parses -r N and -s; prints usage and exits 2 on anything else. */
void tb_parse_opts(int argc, char **argv, const char *prog, struct tb_opts *o);

/* CLOCK_MONOTONIC in microseconds. */
double tb_now_us(void);

/* Prints "PROG: WHAT: strerror(errno)" (or without the errno part if errno is
 * 0) to stderr and exits 1. */
void tb_die(const char *prog, const char *what) __attribute__((noreturn));

/* Median and extremes of n samples (the array is sorted in place). */
double tb_median(double *v, int n);
double tb_min(const double *v, int n);

/* RESULT <family> <bench> <param> <median> <second> <unit>. */
void tb_result(const char *family, const char *bench, const char *param,
               double median, double second, const char *unit);

/* Allocates size bytes aligned to a page, filled with a non-zero pattern so
 * every page is private and present; exits on failure. */
void *tb_alloc_touched(const char *prog, size_t size);

/* Keeps the compiler from merging, vectorizing or replacing (memset/memcpy)
 * the memory loops it separates: an empty asm that may touch memory. */
#define TB_BARRIER() __asm__ volatile("" ::: "memory")

/* Sink for values computed only to be timed. */
extern volatile uint64_t tb_sink;

#endif
