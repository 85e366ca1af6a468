/* The board: a generic arm64 machine in the spirit of QEMU's `virt`. */
#ifndef TANDEM_BOARD_H
#define TANDEM_BOARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/cpu.h"
#include "machine/console.h"
#include "machine/gic.h"
#include "machine/pl011.h"
#include "machine/pl031.h"
#include "mem/bus.h"

/* QEMU virt's memory map and interrupt numbers. */
#define VIRT_GICD_BASE 0x08000000u
#define VIRT_GICC_BASE 0x08010000u
#define VIRT_UART_BASE 0x09000000u
#define VIRT_RTC_BASE 0x09010000u
#define VIRT_RAM_BASE 0x40000000ull
#define VIRT_MAX_RAM (8ull << 30)
#define VIRT_UART_SPI 1
#define VIRT_RTC_SPI 2
#define PPI_VIRT_TIMER 27
#define PPI_PHYS_TIMER 30

typedef struct BoardConfig {
    const char *kernel;
    const char *initrd;  /* NULL: none */
    const char *append;  /* kernel command line */
    const char *dtb_out; /* write the generated device tree here */
    uint64_t kaslr_seed; /* 0: no seed in the device tree (KASLR off) */
    bool no_rng_seed;    /* give the guest no entropy in /chosen/rng-seed */
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
    Gic gic;
    Pl011 uart;
    Pl031 rtc;
    Console console;
    BoardExit exit;
    bool exiting;
    uint64_t start_ns;
    uint64_t dtb_addr, initrd_start, initrd_end;
} Board;

/* Build the board and load the kernel; on failure print one line naming the
 * bad input to stderr and return false. */
bool board_create(Board *b, const BoardConfig *cfg);
/* Run until the guest powers off or resets, the limit, or Ctrl-A x. Console
 * input comes from `input_fd` (-1: none). */
BoardExit board_run(Board *b, int input_fd);
void board_print_stats(const Board *b, FILE *f);
void board_destroy(Board *b);

uint64_t monotonic_ns(void);

#endif
