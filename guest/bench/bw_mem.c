/* tb-bw-mem: memory bandwidth of reading, writing and copying a 1 MB buffer,
 * in MB/s (1 MB = 2^20 bytes; a copy counts the bytes copied once).
 *
 * Each repetition times PASSES passes over the buffer, 64 bytes per loop
 * iteration (the compiler pairs the accesses: ldp/stp); one untimed pass of
 * each kind comes first. The
 * "min" column is the worst repetition (the lowest MB/s). */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>

#define PROG "tb-bw-mem"
#define SIZE (1u << 20)
#define WORDS (SIZE / sizeof(uint64_t))

static uint64_t pass_read(const uint64_t *p)
{
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (size_t i = 0; i < WORDS; i += 8) {
        s0 += p[i];
        s1 += p[i + 1];
        s2 += p[i + 2];
        s3 += p[i + 3];
        s4 += p[i + 4];
        s5 += p[i + 5];
        s6 += p[i + 6];
        s7 += p[i + 7];
        TB_BARRIER();
    }
    return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
}

static void pass_write(uint64_t *p, uint64_t v)
{
    for (size_t i = 0; i < WORDS; i += 8) {
        p[i] = v;
        p[i + 1] = v;
        p[i + 2] = v;
        p[i + 3] = v;
        p[i + 4] = v;
        p[i + 5] = v;
        p[i + 6] = v;
        p[i + 7] = v;
        TB_BARRIER();
    }
}

static void pass_copy(uint64_t *d, const uint64_t *s)
{
    for (size_t i = 0; i < WORDS; i += 8) {
        uint64_t a0 = s[i], a1 = s[i + 1], a2 = s[i + 2], a3 = s[i + 3];
        uint64_t a4 = s[i + 4], a5 = s[i + 5], a6 = s[i + 6], a7 = s[i + 7];
        d[i] = a0;
        d[i + 1] = a1;
        d[i + 2] = a2;
        d[i + 3] = a3;
        d[i + 4] = a4;
        d[i + 5] = a5;
        d[i + 6] = a6;
        d[i + 7] = a7;
        TB_BARRIER();
    }
}

enum kind { READ, WRITE, COPY };

static void run_pass(enum kind k, uint64_t *a, uint64_t *b, int n)
{
    switch (k) {
    case READ:
        tb_sink += pass_read(a);
        break;
    case WRITE:
        pass_write(a, (uint64_t)n);
        break;
    case COPY:
        pass_copy(b, a);
        break;
    }
}

int main(int argc, char **argv)
{
    static const char *names[] = {"read", "write", "copy"};
    struct tb_opts o;
    tb_parse_opts(argc, argv, PROG, &o);
    int passes = o.short_mode ? 4 : 16;
    uint64_t *a = tb_alloc_touched(PROG, SIZE);
    uint64_t *b = tb_alloc_touched(PROG, SIZE);
    double *mbs = malloc(sizeof(double) * (size_t)o.reps);
    if (!mbs)
        tb_die(PROG, "cannot allocate the sample array");

    printf("CONFIG %s reps=%d size=1MB passes=%d unroll=64B mb=1048576\n",
           PROG, o.reps, passes);
    for (enum kind k = READ; k <= COPY; k++) {
        run_pass(k, a, b, 0); /* warm-up */
        for (int r = 0; r < o.reps; r++) {
            double t0 = tb_now_us();
            for (int n = 0; n < passes; n++)
                run_pass(k, a, b, n);
            double us = tb_now_us() - t0;
            if (us <= 0)
                us = 0.001; /* a clock that did not move: count one tick */
            mbs[r] = (double)passes * SIZE / (1 << 20) / (us / 1e6);
        }
        tb_result("bw_mem", names[k], "1MB", tb_median(mbs, o.reps), tb_min(mbs, o.reps), "MB/s");
    }
    free(mbs);
    free(a);
    free(b);
    return 0;
}
