/* The board: a generic arm64 machine in the spirit of QEMU's `virt`. */
#ifndef TANDEM_BOARD_H
#define TANDEM_BOARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/cpu.h"
#include "machine/gic.h"
#include "machine/pl011.h"
#include "machine/pl031.h"
#include "machine/sp805.h"
#include "mem/bus.h"

/* QEMU virt's memory map and interrupt numbers. */
#define VIRT_GICD_BASE 0x08000000u
#define VIRT_GICC_BASE 0x08010000u
#define VIRT_UART_BASE 0x09000000u
#define VIRT_RTC_BASE 0x09010000u
#define VIRT_WDT_BASE 0x090c0000u
#define VIRT_RAM_BASE 0x40000000ull
#define VIRT_MAX_RAM (8ull << 30)
#define VIRT_UART_SPI 1
#define VIRT_RTC_SPI 2
#define VIRT_WDT_SPI 10
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
    /* Machine memory: frames come from `pool`, page i preferring frame
     * home + i (NULL: a pool of the board's own, as large as its RAM). */
    struct FramePool *pool;
    uint32_t home;
    /* Decoded code kept with other boards' (NULL: the board's own, of at
     * most code_cache bytes; 0: no limit). */
    struct CodeShare *code_share;
    uint64_t code_cache;
    /* Bytes the guest writes to its console (PL011). */
    void (*console_tx)(void *opaque, uint8_t byte);
    void *console_opaque;
} BoardConfig;

/* What a step ended with. */
typedef enum BoardStatus {
    BOARD_RAN,        /* used its budget; more to do */
    BOARD_IDLE,       /* waiting for an interrupt (WFI) */
    BOARD_POWER_OFF,  /* PSCI SYSTEM_OFF */
    BOARD_RESET,      /* PSCI SYSTEM_RESET */
    BOARD_NOMEM,      /* needs a machine frame the pool cannot give; step again when there is one */
    BOARD_STUCK,      /* the same exception at the same address over and over */
    BOARD_WATCHDOG,   /* the SP805 watchdog expired (its reset output) */
} BoardStatus;

typedef struct Board {
    BoardConfig cfg;
    Bus bus;
    Cpu cpu;
    Gic gic;
    Pl011 uart;
    Pl031 rtc;
    Sp805 wdt;
    BoardStatus psci_status; /* set by PSCI calls */
    uint64_t start_ns;
    uint64_t paused_ns, paused_since; /* guest time stands still while paused */
    uint64_t dtb_addr, initrd_start, initrd_end;
    uint64_t kernel_base;      /* where the Image was loaded */
    uint64_t kernel_text_size; /* the part of it that is the kernel's code (the Image's first half) */
} Board;

/* Build the board and load the kernel; on failure print one line naming the
 * bad input to stderr (prefixed with `who`) and return false. */
bool board_create(Board *b, const BoardConfig *cfg, const char *who);
/* Run at most `budget` instructions. */
BoardStatus board_step(Board *b, uint64_t budget);
/* Does the vCPU have work (an interrupt pending) while idle? */
bool board_has_work(Board *b);
/* Host nanoseconds until the next enabled timer fires (capped at max_ns). */
uint64_t board_ns_to_timer(Board *b, uint64_t max_ns);
/* Console input: how many bytes the UART takes now, and give it some. */
size_t board_console_room(const Board *b);
void board_console_input(Board *b, const uint8_t *buf, size_t n);
/* Stop or restart guest time (a paused VM's timers do not run). */
void board_pause_clock(Board *b, bool paused);
void board_destroy(Board *b);

/* The board's state at one instant, as plain data: the vCPU's
 * architectural state and every device's registers (device callbacks are
 * wiring, not state: a restore keeps the board's own). Guest memory is the
 * fault-tolerance service's business. */
typedef struct BoardSnapshot {
    CpuArchState cpu;
    Gic gic;
    Pl011 uart;
    Pl031 rtc;
    Sp805State wdt;
    uint64_t guest_ns; /* guest time: a restore continues from here, so timers
                        * and the watchdog see the instant they were saved in */
} BoardSnapshot;

void board_save(const Board *b, BoardSnapshot *s);
void board_restore(Board *b, const BoardSnapshot *s);
/* End the current step at the next instruction boundary. */
void board_end_step(Board *b);

/* Repeats of one exception that mean the guest is stuck. */
#define BOARD_STUCK_REPEATS 100000u

uint64_t monotonic_ns(void);

#endif
