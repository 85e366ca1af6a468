/* tb-lat-proc: process creation latency, in microseconds per process:
 *   fork+exit  fork; the child exits at once; the parent waits for it
 *   fork+exec  fork; the child execs this program (a small static binary)
 *              with EXEC_CHILD_ARG, which exits at once; the parent waits
 * Each repetition times LOOPS processes; LOOPS/4 (at least one) run untimed
 * first. The "min" column is the best repetition. Any failed fork, exec,
 * wait or non-zero child status ends the program with exit status 1. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "tb-lat-proc"
#define EXEC_CHILD_ARG "--exec-child"

static char self[PATH_MAX];

static void wait_child(pid_t pid, const char *what)
{
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR)
            tb_die(PROG, "waitpid");
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "%s: %s child failed (%s %d)\n", PROG, what,
                WIFEXITED(st) ? "exit status" : "signal",
                WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        exit(1);
    }
}

static void fork_exit(int loops)
{
    for (int i = 0; i < loops; i++) {
        pid_t pid = fork();
        if (pid < 0)
            tb_die(PROG, "fork");
        if (pid == 0)
            _exit(0);
        wait_child(pid, "fork+exit");
    }
}

static void fork_exec(int loops)
{
    for (int i = 0; i < loops; i++) {
        pid_t pid = fork();
        if (pid < 0)
            tb_die(PROG, "fork");
        if (pid == 0) {
            char *args[] = {self, EXEC_CHILD_ARG, NULL};
            execv(self, args);
            /* Only reached on failure: report it, and the parent stops. */
            dprintf(2, "%s: exec of %s failed: %s\n", PROG, self, strerror(errno));
            _exit(127);
        }
        wait_child(pid, "fork+exec");
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], EXEC_CHILD_ARG) == 0)
        return 0; /* the exec'd program of fork+exec */

    struct tb_opts o;
    tb_parse_opts(argc, argv, PROG, &o);
    int fork_loops = o.short_mode ? 8 : 32;
    int exec_loops = o.short_mode ? 4 : 16;

    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
    } else if (strchr(argv[0], '/') && strlen(argv[0]) < sizeof self) {
        strcpy(self, argv[0]);
    } else {
        errno = 0;
        tb_die(PROG, "cannot find its own executable (no /proc/self/exe, argv[0] without a path)");
    }
    double *us = malloc(sizeof(double) * (size_t)o.reps);
    if (!us)
        tb_die(PROG, "cannot allocate the sample array");

    printf("CONFIG %s reps=%d fork_loops=%d exec_loops=%d exec=%s\n", PROG, o.reps,
           fork_loops, exec_loops, self);
    fflush(stdout);

    fork_exit(fork_loops / 4 ? fork_loops / 4 : 1);
    for (int r = 0; r < o.reps; r++) {
        double t0 = tb_now_us();
        fork_exit(fork_loops);
        us[r] = (tb_now_us() - t0) / fork_loops;
    }
    tb_result("lat_proc", "fork+exit", "-", tb_median(us, o.reps), tb_min(us, o.reps), "us");

    fork_exec(exec_loops / 4 ? exec_loops / 4 : 1);
    for (int r = 0; r < o.reps; r++) {
        double t0 = tb_now_us();
        fork_exec(exec_loops);
        us[r] = (tb_now_us() - t0) / exec_loops;
    }
    tb_result("lat_proc", "fork+exec", "-", tb_median(us, o.reps), tb_min(us, o.reps), "us");
    free(us);
    return 0;
}
