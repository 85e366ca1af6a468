/* The host side of the guest console: standard input in raw mode when it is
 * a terminal, and QEMU's escape keys (Ctrl-A x quits, Ctrl-A Ctrl-A sends
 * Ctrl-A). */
#ifndef TANDEM_CONSOLE_H
#define TANDEM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Console {
    int fd;          /* -1: no input */
    bool raw;        /* the terminal was put into raw mode */
    bool escape;     /* Ctrl-A seen */
    bool quit;       /* Ctrl-A x seen */
} Console;

void console_open(Console *k, int fd);
void console_close(Console *k);
/* Wait up to timeout_ns for input (0: just poll); fills buf with the bytes for
 * the guest, returns their count. End of input closes the console. */
size_t console_read(Console *k, uint8_t *buf, size_t len, uint64_t timeout_ns);

#endif
