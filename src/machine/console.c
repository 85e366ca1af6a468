#include "machine/console.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CTRL_A 0x01

static struct termios saved;
static int saved_fd = -1;

static void restore_terminal(void)
{
    if (saved_fd >= 0)
        tcsetattr(saved_fd, TCSANOW, &saved);
    saved_fd = -1;
}

void console_open(Console *k, int fd)
{
    *k = (Console){.fd = fd};
    if (fd < 0 || !isatty(fd) || tcgetattr(fd, &saved) < 0)
        return;
    struct termios t = saved;
    /* Keys go to the guest (Ctrl-C included); output processing stays on. */
    t.c_iflag &= ~(unsigned)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_lflag &= ~(unsigned)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSANOW, &t) == 0) {
        saved_fd = fd;
        k->raw = true;
        atexit(restore_terminal);
    }
}

void console_close(Console *k)
{
    if (k->raw)
        restore_terminal();
    k->raw = false;
}

size_t console_read(Console *k, uint8_t *buf, size_t len, uint64_t timeout_ns)
{
    if (k->fd < 0 || len == 0) {
        if (timeout_ns) {
            struct timespec ts = {(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)};
            nanosleep(&ts, NULL);
        }
        return 0;
    }
    struct pollfd p = {.fd = k->fd, .events = POLLIN};
    struct timespec ts = {(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)};
    if (ppoll(&p, 1, &ts, NULL) <= 0)
        return 0;
    uint8_t in[64];
    ssize_t n = read(k->fd, in, len < sizeof in ? len : sizeof in);
    if (n <= 0) {
        k->fd = -1; /* end of input: the guest just sees no more keys */
        return 0;
    }
    size_t out = 0;
    for (ssize_t i = 0; i < n; i++) {
        uint8_t ch = in[i];
        if (k->escape) {
            k->escape = false;
            if (ch == 'x' || ch == 'X') {
                k->quit = true;
                break;
            }
            if (ch != CTRL_A)
                continue; /* unknown escape: dropped, as QEMU does */
        } else if (ch == CTRL_A && k->raw) {
            k->escape = true;
            continue;
        }
        buf[out++] = ch;
    }
    return out;
}
