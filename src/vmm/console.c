#include "vmm/console.h"

#include "vmm/unix_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define CTRL_A 0x01

/* The terminal's settings before raw mode: process-wide, like the terminal. */
static struct termios saved_termios;
static int saved_fd = -1;

void console_restore_terminal(void)
{
    if (saved_fd >= 0)
        tcsetattr(saved_fd, TCSANOW, &saved_termios);
    saved_fd = -1;
}

static void enter_raw_mode(VmConsole *k)
{
    if (!isatty(k->in_fd) || tcgetattr(k->in_fd, &saved_termios) < 0)
        return;
    struct termios t = saved_termios;
    /* Keys go to the guest (Ctrl-C included); output processing stays on. */
    t.c_iflag &= ~(unsigned)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_lflag &= ~(unsigned)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(k->in_fd, TCSANOW, &t) == 0) {
        saved_fd = k->in_fd;
        k->raw = true;
        atexit(console_restore_terminal);
    }
}

bool console_parse(const char *spec, ConsoleKind *kind, const char **path)
{
    *path = NULL;
    if (!strcmp(spec, "stdio"))
        *kind = CONSOLE_STDIO;
    else if (!strcmp(spec, "null"))
        *kind = CONSOLE_NULL;
    else if (!strncmp(spec, "file:", 5) && spec[5])
        *kind = CONSOLE_FILE, *path = spec + 5;
    else if (!strncmp(spec, "socket:", 7) && spec[7])
        *kind = CONSOLE_SOCKET, *path = spec + 7;
    else
        return false;
    return true;
}

bool console_open(VmConsole *k, const char *spec, const char *who)
{
    memset(k, 0, sizeof *k);
    k->out_fd = k->in_fd = k->listen_fd = k->client_fd = -1;
    const char *path;
    if (!console_parse(spec, &k->kind, &path)) {
        fprintf(stderr, "%s: console '%s': use stdio, null, file:PATH or socket:PATH\n", who, spec);
        return false;
    }
    if (path)
        snprintf(k->path, sizeof k->path, "%s", path);
    switch (k->kind) {
    case CONSOLE_STDIO:
        k->out_fd = STDOUT_FILENO;
        k->in_fd = STDIN_FILENO;
        enter_raw_mode(k);
        break;
    case CONSOLE_FILE:
        k->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (k->out_fd < 0) {
            fprintf(stderr, "%s: console file:%s: %s\n", who, path, strerror(errno));
            return false;
        }
        break;
    case CONSOLE_SOCKET:
        k->ring = malloc(CONSOLE_RING);
        k->listen_fd = k->ring ? unix_listen(path) : -1;
        if (k->listen_fd < 0) {
            fprintf(stderr, "%s: console socket:%s: %s\n", who, path,
                    errno == EEXIST ? "the path exists and is not a socket" : strerror(errno));
            free(k->ring);
            k->ring = NULL;
            return false;
        }
        break;
    case CONSOLE_NULL:
        break;
    }
    return true;
}

static void detach(VmConsole *k)
{
    if (k->client_fd >= 0)
        close(k->client_fd);
    k->client_fd = -1;
}

void console_close(VmConsole *k)
{
    console_flush(k);
    if (k->raw)
        console_restore_terminal();
    k->raw = false;
    if (k->kind == CONSOLE_FILE && k->out_fd >= 0)
        close(k->out_fd);
    if (k->kind == CONSOLE_SOCKET) {
        detach(k);
        if (k->listen_fd >= 0) {
            close(k->listen_fd);
            unlink(k->path);
        }
        free(k->ring);
    }
    k->out_fd = k->in_fd = k->listen_fd = -1;
    k->ring = NULL;
}

/* Keep the newest CONSOLE_RING bytes of output for the next attach. */
static void ring_add(VmConsole *k, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (k->ring_len == CONSOLE_RING) {
            k->ring_start = (k->ring_start + 1) % CONSOLE_RING;
            k->ring_len--;
            k->bytes_dropped++;
        }
        k->ring[(k->ring_start + k->ring_len++) % CONSOLE_RING] = p[i];
    }
}

/* Write all of p to fd; false if the reader is gone or would block. */
static size_t write_some(int fd, const uint8_t *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    return done;
}

static void send_to_client(VmConsole *k, const uint8_t *p, size_t n)
{
    size_t done = k->client_fd >= 0 ? write_some(k->client_fd, p, n) : 0;
    if (done < n) {
        if (k->client_fd >= 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            detach(k);
        ring_add(k, p + done, n - done);
    }
}

void console_flush(VmConsole *k)
{
    if (!k->out_len)
        return;
    switch (k->kind) {
    case CONSOLE_STDIO:
    case CONSOLE_FILE:
        write_some(k->out_fd, k->out, k->out_len);
        break;
    case CONSOLE_SOCKET:
        send_to_client(k, k->out, k->out_len);
        break;
    case CONSOLE_NULL:
        break;
    }
    k->out_len = 0;
}

void console_put(VmConsole *k, uint8_t byte)
{
    k->bytes_out++;
    if (k->kind == CONSOLE_NULL)
        return;
    k->out[k->out_len++] = byte;
    if (k->out_len == sizeof k->out || (byte == '\n' && k->kind == CONSOLE_STDIO))
        console_flush(k);
}

unsigned console_pollfds(VmConsole *k, struct pollfd *fds)
{
    unsigned n = 0;
    bool room = k->in_len < CONSOLE_INBUF;
    if (k->kind == CONSOLE_STDIO && k->in_fd >= 0 && room)
        fds[n++] = (struct pollfd){.fd = k->in_fd, .events = POLLIN};
    if (k->kind == CONSOLE_SOCKET) {
        fds[n++] = (struct pollfd){.fd = k->listen_fd, .events = POLLIN};
        if (k->client_fd >= 0)
            fds[n++] = (struct pollfd){.fd = k->client_fd, .events = room ? POLLIN : 0};
    }
    return n;
}

/* Stdio keys: Ctrl-A is the escape, as in QEMU. */
static ConsoleAction stdio_key(VmConsole *k, uint8_t ch)
{
    if (k->escape) {
        k->escape = false;
        switch (ch) {
        case 'x': case 'X': return CONSOLE_ACT_QUIT;
        case 'h': case 'H': case '?': return CONSOLE_ACT_HELP;
        case 's': case 'S': return CONSOLE_ACT_STATS;
        case CTRL_A: break; /* Ctrl-A Ctrl-A sends one Ctrl-A */
        default: return CONSOLE_ACT_NONE; /* unknown escape: dropped, as QEMU does */
        }
    } else if (ch == CTRL_A && k->raw) {
        k->escape = true;
        return CONSOLE_ACT_NONE;
    }
    k->in[k->in_len++] = ch;
    k->bytes_in++;
    return CONSOLE_ACT_NONE;
}

static ConsoleAction read_stdio(VmConsole *k)
{
    uint8_t buf[CONSOLE_INBUF];
    ssize_t n = read(k->in_fd, buf, CONSOLE_INBUF - k->in_len);
    if (n <= 0) {
        if (n == 0 || (errno != EINTR && errno != EAGAIN))
            k->in_fd = -1; /* end of input: the guest just sees no more keys */
        return CONSOLE_ACT_NONE;
    }
    ConsoleAction act = CONSOLE_ACT_NONE;
    for (ssize_t i = 0; i < n && act == CONSOLE_ACT_NONE; i++)
        act = stdio_key(k, buf[i]);
    return act;
}

static void accept_client(VmConsole *k)
{
    int fd = accept4(k->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    if (k->client_fd >= 0) {
        static const char busy[] = "tandem: this console is already attached elsewhere\r\n";
        write_some(fd, (const uint8_t *)busy, sizeof busy - 1);
        close(fd);
        return;
    }
    k->client_fd = fd;
    k->attaches++;
    /* What the guest said while nobody listened, oldest first. */
    size_t first = CONSOLE_RING - k->ring_start < k->ring_len ? CONSOLE_RING - k->ring_start : k->ring_len;
    size_t n = k->ring_len;
    k->ring_len = 0;
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        return;
    memcpy(copy, k->ring + k->ring_start, first);
    memcpy(copy + first, k->ring, n - first);
    k->ring_start = 0;
    send_to_client(k, copy, n);
    free(copy);
}

static void read_client(VmConsole *k)
{
    ssize_t n = read(k->client_fd, k->in + k->in_len, CONSOLE_INBUF - k->in_len);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        detach(k);
        return;
    }
    if (n > 0) {
        k->in_len += (size_t)n;
        k->bytes_in += (uint64_t)n;
    }
}

ConsoleAction console_handle(VmConsole *k, const struct pollfd *fds, unsigned n)
{
    ConsoleAction act = CONSOLE_ACT_NONE;
    for (unsigned i = 0; i < n; i++) {
        if (!fds[i].revents)
            continue;
        if (fds[i].fd == k->in_fd && k->kind == CONSOLE_STDIO)
            act = read_stdio(k);
        else if (fds[i].fd == k->listen_fd)
            accept_client(k);
        else if (fds[i].fd == k->client_fd && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            read_client(k);
    }
    return act;
}

size_t console_take_input(VmConsole *k, uint8_t *buf, size_t room)
{
    size_t n = k->in_len < room ? k->in_len : room;
    memcpy(buf, k->in, n);
    memmove(k->in, k->in + n, k->in_len - n);
    k->in_len -= n;
    return n;
}
