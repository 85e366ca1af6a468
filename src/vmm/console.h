/* A VM's console on the host side: where the guest's UART output goes and
 * where its input comes from.
 *
 *   stdio         the terminal (raw mode; Ctrl-A x quits Tandem, Ctrl-A h helps)
 *   file:PATH     output appended to a file, no input
 *   socket:PATH   a Unix socket; `tandem console PATH` attaches (one client at
 *                 a time). Output produced while nobody is attached is kept in
 *                 a bounded ring and shown on attach.
 *   null          output dropped, no input */
#ifndef TANDEM_VMM_CONSOLE_H
#define TANDEM_VMM_CONSOLE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ConsoleKind { CONSOLE_NULL, CONSOLE_STDIO, CONSOLE_FILE, CONSOLE_SOCKET } ConsoleKind;

/* What a key sequence on the stdio console asked the VMM to do. */
typedef enum ConsoleAction { CONSOLE_ACT_NONE, CONSOLE_ACT_QUIT, CONSOLE_ACT_HELP, CONSOLE_ACT_STATS } ConsoleAction;

#define CONSOLE_RING (64u << 10)
#define CONSOLE_INBUF 256u

typedef struct VmConsole {
    ConsoleKind kind;
    char path[256];
    int out_fd;    /* stdio, file */
    int in_fd;     /* stdio: -1 once input ended */
    int listen_fd; /* socket */
    int client_fd; /* socket: the attached client, or -1 */
    bool raw;      /* stdio: the terminal is in raw mode */
    bool escape;   /* stdio: Ctrl-A seen */
    uint8_t out[4096];
    size_t out_len;
    uint8_t *ring; /* socket: output kept while detached */
    size_t ring_start, ring_len;
    uint8_t in[CONSOLE_INBUF]; /* input not yet taken by the UART */
    size_t in_len;
    uint64_t bytes_out, bytes_in, bytes_dropped, attaches;
} VmConsole;

/* Parse a console spec ("stdio", "null", "file:PATH", "socket:PATH"). */
bool console_parse(const char *spec, ConsoleKind *kind, const char **path);
/* Open it; on failure print a line naming `who` and the spec, return false. */
bool console_open(VmConsole *k, const char *spec, const char *who);
void console_close(VmConsole *k);

/* A byte from the guest. */
void console_put(VmConsole *k, uint8_t byte);
/* Send buffered output on. */
void console_flush(VmConsole *k);

/* Poll support: add this console's descriptors to fds (at most 2), then let
 * it handle what poll reported. */
unsigned console_pollfds(VmConsole *k, struct pollfd *fds);
ConsoleAction console_handle(VmConsole *k, const struct pollfd *fds, unsigned n);

/* Input for the guest: up to `room` bytes out of the console's buffer. */
size_t console_take_input(VmConsole *k, uint8_t *buf, size_t room);

/* Put the terminal back if any console changed it (also at exit). */
void console_restore_terminal(void);

#endif
