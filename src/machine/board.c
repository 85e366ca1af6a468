#include "machine/board.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cpu/code_cache.h"
#include "machine/image.h"
#include "machine/psci.h"

/* Instructions per run call between console polls. */
#define RUN_CHUNK (1u << 20)

uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void console_tx(void *opaque, uint8_t byte)
{
    Board *b = opaque;
    fputc(byte, b->cfg.console_out);
    if (byte == '\n')
        fflush(b->cfg.console_out);
}

static bool board_hvc(void *opaque, Cpu *c, uint16_t imm)
{
    Board *b = opaque;
    if (imm != 0)
        return false;
    switch (psci_call(c)) {
    case PSCI_EV_OFF:
        b->exit = BOARD_POWER_OFF;
        b->exiting = true;
        cpu_request_stop(c);
        break;
    case PSCI_EV_RESET:
        b->exit = BOARD_RESET;
        b->exiting = true;
        cpu_request_stop(c);
        break;
    case PSCI_EV_NONE:
        break;
    }
    return true;
}

static uint64_t board_counter(void *opaque)
{
    Board *b = opaque;
    /* The generic timer counts at CNTFRQ (62.5 MHz) from power on. */
    return (monotonic_ns() - b->start_ns) / 16;
}

static bool read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "not a regular file");
        close(fd);
        return false;
    }
    *len = (size_t)st.st_size;
    *data = malloc(*len ? *len : 1);
    size_t got = 0;
    while (*data && got < *len) {
        ssize_t n = read(fd, *data + got, *len - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!*data || got != *len) {
        snprintf(err, errlen, "could not read the whole file");
        free(*data);
        return false;
    }
    return true;
}

/* Place the Image as QEMU does: 2 MiB above the base of RAM plus text_offset. */
static bool load_kernel(Board *b, uint64_t *entry)
{
    char err[200];
    uint8_t *data;
    size_t len;
    if (!read_file(b->cfg.kernel, &data, &len, err, sizeof err)) {
        fprintf(stderr, "tandem: --kernel %s: %s\n", b->cfg.kernel, err);
        return false;
    }
    Arm64Image img;
    if (!arm64_image_parse(data, len, &img, err, sizeof err)) {
        fprintf(stderr, "tandem: --kernel %s: %s\n", b->cfg.kernel, err);
        free(data);
        return false;
    }
    uint64_t offset = (2ull << 20) + img.text_offset;
    uint64_t need = offset + (img.image_size > len ? img.image_size : len);
    if (need > b->bus.ram_size) {
        fprintf(stderr,
                "tandem: --kernel %s: needs %" PRIu64 " MiB of RAM at its load address but --mem is %" PRIu64
                " MiB\n",
                b->cfg.kernel, (need + (1u << 20) - 1) >> 20, b->bus.ram_size >> 20);
        free(data);
        return false;
    }
    memcpy(bus_ram_ptr(&b->bus, b->bus.ram_base + offset, len), data, len);
    free(data);
    *entry = b->bus.ram_base + offset;
    return true;
}

bool board_create(Board *b, const BoardConfig *cfg)
{
    memset(b, 0, sizeof *b);
    b->cfg = *cfg;
    if (!b->cfg.console_out)
        b->cfg.console_out = stdout;
    b->stdin_fd = -1;
    if (!bus_init(&b->bus, VIRT_RAM_BASE, cfg->mem, NULL)) {
        fprintf(stderr, "tandem: --mem %" PRIu64 "M: the host refused the memory (%s)\n", cfg->mem >> 20,
                strerror(errno));
        return false;
    }
    b->uart.tx = console_tx;
    b->uart.tx_opaque = b;
    pl011_init(&b->uart);
    bus_add_mmio(&b->bus, VIRT_UART_BASE, 0x1000, &pl011_ops, &b->uart, "pl011");

    CpuPlatform plat = {.opaque = b, .hvc = board_hvc, .counter = board_counter};
    cpu_init(&b->cpu, &b->bus, &plat);
    uint64_t entry;
    if (!load_kernel(b, &entry)) {
        board_destroy(b);
        return false;
    }
    cpu_reset(&b->cpu, entry);
    b->start_ns = monotonic_ns();
    return true;
}

static void poll_console(Board *b, int timeout_ms)
{
    if (b->stdin_fd < 0) {
        if (timeout_ms > 0)
            usleep((useconds_t)timeout_ms * 1000);
        return;
    }
    struct pollfd p = {.fd = b->stdin_fd, .events = POLLIN};
    if (!pl011_can_receive(&b->uart) || poll(&p, 1, timeout_ms) <= 0)
        return;
    uint8_t buf[PL011_FIFO];
    unsigned room = PL011_FIFO - b->uart.rx_count;
    ssize_t n = read(b->stdin_fd, buf, room);
    if (n <= 0) {
        b->stdin_fd = -1; /* end of input */
        return;
    }
    for (ssize_t i = 0; i < n; i++)
        pl011_receive(&b->uart, buf[i]);
}

BoardExit board_run(Board *b)
{
    Cpu *c = &b->cpu;
    while (!b->exiting) {
        uint64_t chunk = RUN_CHUNK;
        if (b->cfg.max_insns) {
            if (c->icount >= b->cfg.max_insns) {
                b->exit = BOARD_INSN_LIMIT;
                break;
            }
            if (b->cfg.max_insns - c->icount < chunk)
                chunk = b->cfg.max_insns - c->icount;
        }
        CpuExit r = cpu_run(c, chunk);
        fflush(b->cfg.console_out);
        poll_console(b, r == CPU_EXIT_WFI ? 10 : 0);
    }
    fflush(b->cfg.console_out);
    return b->exit;
}

void board_print_stats(const Board *b, FILE *f)
{
    const Cpu *c = &b->cpu;
    double secs = (double)(monotonic_ns() - b->start_ns) / 1e9;
    fprintf(f, "tandem: %" PRIu64 " instructions in %.3f s (%.1f MIPS)\n", c->icount, secs,
            secs > 0 ? (double)c->icount / secs / 1e6 : 0.0);
    fprintf(f, "tandem: exceptions %" PRIu64 " (irq %" PRIu64 "), decoded %" PRIu64
               " instructions, code invalidations %" PRIu64 ", live code pages %" PRIu64 "\n",
            c->stats.exceptions, c->stats.irqs, c->stats.decoded, c->stats.code_invalidations,
            c->code->live_pages);
}

void board_destroy(Board *b)
{
    cpu_free(&b->cpu);
    bus_free(&b->bus);
}
