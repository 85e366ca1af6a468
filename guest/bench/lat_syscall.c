/* tb-lat-syscall: latency of simple system calls, in microseconds per call:
 * getpid (always entering the kernel: syscall(SYS_getpid)), a 1-byte read of
 * /dev/zero and a 1-byte write to /dev/null.
 *
 * Each repetition times LOOPS calls; the loop runs once untimed first. The
 * "min" column is the best repetition. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PROG "tb-lat-syscall"

enum kind { GETPID, READ, WRITE };

static int fd_zero, fd_null;

static void calls(enum kind k, int loops)
{
    char c = 0;
    for (int i = 0; i < loops; i++) {
        switch (k) {
        case GETPID:
            tb_sink += (uint64_t)syscall(SYS_getpid);
            break;
        case READ:
            if (read(fd_zero, &c, 1) != 1)
                tb_die(PROG, "read of /dev/zero");
            break;
        case WRITE:
            if (write(fd_null, &c, 1) != 1)
                tb_die(PROG, "write to /dev/null");
            break;
        }
    }
}

int main(int argc, char **argv)
{
    static const char *names[] = {"getpid", "read", "write"};
    struct tb_opts o;
    tb_parse_opts(argc, argv, PROG, &o);
    int loops = o.short_mode ? 500 : 4000;

    fd_zero = open("/dev/zero", O_RDONLY);
    if (fd_zero < 0)
        tb_die(PROG, "open /dev/zero");
    fd_null = open("/dev/null", O_WRONLY);
    if (fd_null < 0)
        tb_die(PROG, "open /dev/null");
    double *us = malloc(sizeof(double) * (size_t)o.reps);
    if (!us)
        tb_die(PROG, "cannot allocate the sample array");

    printf("CONFIG %s reps=%d loops=%d\n", PROG, o.reps, loops);
    for (enum kind k = GETPID; k <= WRITE; k++) {
        calls(k, loops); /* warm-up */
        for (int r = 0; r < o.reps; r++) {
            double t0 = tb_now_us();
            calls(k, loops);
            us[r] = (tb_now_us() - t0) / loops;
        }
        tb_result("lat_syscall", names[k], "-", tb_median(us, o.reps), tb_min(us, o.reps), "us");
    }
    free(us);
    close(fd_zero);
    close(fd_null);
    return 0;
}
