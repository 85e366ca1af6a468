/* The board: a generic arm64 machine in the spirit of QEMU's `virt`. */
#ifndef TANDEM_BOARD_H
#define TANDEM_BOARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/cpu.h"
#include "machine/pl011.h"
#include "mem/bus.h"

#define VIRT_RAM_BASE 0x40000000ull
#define VIRT_UART_BASE 0x09000000ull
#define VIRT_MAX_RAM (8ull << 30)

typedef struct BoardConfig {
    const char *kernel;
    uint64_t mem;
    uint64_t max_insns; /* 0: unlimited */
    bool stats;
    FILE *console_out;
} BoardConfig;

typedef enum BoardExit { BOARD_POWER_OFF, BOARD_RESET, BOARD_INSN_LIMIT, BOARD_QUIT } BoardExit;

typedef struct Board {
    BoardConfig cfg;
    Bus bus;
    Cpu cpu;
    Pl011 uart;
    BoardExit exit;
    bool exiting;
    uint64_t start_ns;
    int stdin_fd; /* -1 when there is no console input */
} Board;

/* Build the board and load the kernel; on failure print one line naming the
 * bad input to stderr and return false. */
bool board_create(Board *b, const BoardConfig *cfg);
BoardExit board_run(Board *b);
void board_print_stats(const Board *b, FILE *f);
void board_destroy(Board *b);

uint64_t monotonic_ns(void);

#endif
