/* tandem console: attach the terminal to a VM's socket console. Ctrl-A x
 * detaches (the VM keeps running), Ctrl-A Ctrl-A sends one Ctrl-A. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vmm/unix_socket.h"

#define CTRL_A 0x01

static bool write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w, n -= (size_t)w;
    }
    return true;
}

/* Keys to the VM; returns false when the user asked to detach. */
static bool forward_keys(int sock, const char *in, size_t n, bool *escape)
{
    char out[512];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = in[i];
        if (*escape) {
            *escape = false;
            if (ch == 'x' || ch == 'X') {
                write_all(sock, out, m);
                return false;
            }
            if (ch != CTRL_A)
                continue;
        } else if (ch == CTRL_A) {
            *escape = true;
            continue;
        }
        out[m++] = ch;
    }
    write_all(sock, out, m);
    return true;
}

int cmd_console(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: tandem console SOCKET   (Ctrl-A x detaches)\n");
        return 1;
    }
    int sock = unix_connect(argv[1]);
    if (sock < 0) {
        fprintf(stderr, "tandem: console %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    struct termios saved, raw;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (tty) {
        raw = saved;
        cfmakeraw(&raw);
        raw.c_oflag |= OPOST | ONLCR;
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
        fprintf(stderr, "tandem: attached to %s (Ctrl-A x detaches)\r\n", argv[1]);
    }
    bool escape = false, input = true, closed = false;
    char buf[4096];
    for (;;) {
        struct pollfd p[2] = {{.fd = sock, .events = POLLIN}, {.fd = STDIN_FILENO, .events = POLLIN}};
        if (poll(p, input ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[0].revents) {
            ssize_t n = read(sock, buf, sizeof buf);
            if (n <= 0) {
                closed = true;
                break;
            }
            write_all(STDOUT_FILENO, buf, (size_t)n);
        }
        if (input && p[1].revents) {
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n <= 0)
                input = false; /* keep showing output until the VM closes */
            else if (!forward_keys(sock, buf, (size_t)n, &escape))
                break;
        }
    }
    if (tty)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    if (closed)
        fprintf(stderr, "\ntandem: the console closed (the VM stopped)\n");
    close(sock);
    return 0;
}
