#include "machine/board.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cpu/code_cache.h"
#include "machine/fdt.h"
#include "machine/image.h"
#include "machine/psci.h"
#include "mmu/shadow.h"

/* Instructions per run call between console polls (~a few ms). */
#define RUN_CHUNK (1u << 20)
#define NS_PER_TICK 16 /* the generic timer runs at 62.5 MHz */
#define MAX_SLEEP_NS 50000000ull
#define DTB_MAX (64u << 10)

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

static void uart_irq(void *opaque, bool level)
{
    Board *b = opaque;
    gic_set_level(&b->gic, 32 + VIRT_UART_SPI, level);
}

static void rtc_irq(void *opaque, bool level)
{
    Board *b = opaque;
    gic_set_level(&b->gic, 32 + VIRT_RTC_SPI, level);
}

static void gic_changed(void *opaque)
{
    Board *b = opaque;
    cpu_kick(&b->cpu);
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
    return (monotonic_ns() - b->start_ns) / NS_PER_TICK;
}

static bool timer_fires(uint64_t ctl, uint64_t cval, uint64_t now)
{
    return (ctl & 1) && !(ctl & 2) && now >= cval;
}

/* The generic timer's outputs are GIC inputs: sample them, then report the
 * IRQ line. Called by the CPU at every slice boundary. */
static bool board_irq_pending(void *opaque)
{
    Board *b = opaque;
    const SysRegs *sr = &b->cpu.sr;
    uint64_t now = board_counter(b);
    gic_set_level(&b->gic, PPI_VIRT_TIMER, timer_fires(sr->cntv_ctl, sr->cntv_cval, now));
    gic_set_level(&b->gic, PPI_PHYS_TIMER, timer_fires(sr->cntp_ctl, sr->cntp_cval, now));
    return b->gic.irq_out;
}

/* Nanoseconds until an enabled timer fires (capped), for WFI sleeps. */
static uint64_t ns_to_next_timer(Board *b)
{
    const SysRegs *sr = &b->cpu.sr;
    uint64_t now = board_counter(b), best = MAX_SLEEP_NS;
    const uint64_t ctl[2] = {sr->cntv_ctl, sr->cntp_ctl}, cval[2] = {sr->cntv_cval, sr->cntp_cval};
    for (unsigned i = 0; i < 2; i++) {
        if ((ctl[i] & 3) != 1)
            continue;
        uint64_t ns = cval[i] <= now ? 0 : (cval[i] - now) * NS_PER_TICK;
        if (ns < best)
            best = ns;
    }
    return best;
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

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Place the Image as QEMU does: 2 MiB above the base of RAM plus text_offset.
 * Returns the entry point and the end of the image (including its BSS). */
static bool load_kernel(Board *b, uint64_t *entry, uint64_t *end)
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
    *end = b->bus.ram_base + need;
    return true;
}

/* The initrd goes where QEMU puts it (RAM + min(RAM/2, 128 MiB)), or right
 * after the kernel if that is higher. */
static bool load_initrd(Board *b, uint64_t kernel_end)
{
    if (!b->cfg.initrd)
        return true;
    char err[200];
    uint8_t *data;
    size_t len;
    if (!read_file(b->cfg.initrd, &data, &len, err, sizeof err)) {
        fprintf(stderr, "tandem: --initrd %s: %s\n", b->cfg.initrd, err);
        return false;
    }
    uint64_t half = b->bus.ram_size / 2 < (128u << 20) ? b->bus.ram_size / 2 : (128u << 20);
    uint64_t at = align_up(kernel_end, 1u << 20);
    if (at < b->bus.ram_base + half)
        at = b->bus.ram_base + half;
    if (at + len + DTB_MAX + (2u << 20) > b->bus.ram_base + b->bus.ram_size) {
        fprintf(stderr, "tandem: --initrd %s: %zu bytes do not fit in RAM after the kernel (--mem %" PRIu64 "M)\n",
                b->cfg.initrd, len, b->bus.ram_size >> 20);
        free(data);
        return false;
    }
    memcpy(bus_ram_ptr(&b->bus, at, len), data, len);
    free(data);
    b->initrd_start = at;
    b->initrd_end = at + len;
    return true;
}

static bool write_dtb_file(const char *path, const void *dtb, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(dtb, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "tandem: --dtb-out %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return false;
    }
    return true;
}

/* The device tree goes on the next 2 MiB boundary after the kernel/initrd. */
static bool place_dtb(Board *b, uint64_t after)
{
    FdtConfig fc = {.ram_base = b->bus.ram_base, .ram_size = b->bus.ram_size, .bootargs = b->cfg.append,
                    .initrd_start = b->initrd_start, .initrd_end = b->initrd_end,
                    .kaslr_seed = b->cfg.kaslr_seed};
    /* Entropy for the guest's RNG, as QEMU's virt gives it: without it the
     * kernel's crng is not ready for a long time and every get_random_*()
     * takes its slow path (one on each system call, for the stack offset). */
    uint8_t seed[RNG_SEED_BYTES];
    if (!b->cfg.no_rng_seed && getrandom(seed, sizeof seed, 0) == (ssize_t)sizeof seed)
        fc.rng_seed = seed;
    static uint8_t dtb[DTB_MAX];
    size_t len = fdt_build(&fc, dtb, sizeof dtb);
    uint64_t at = align_up(after, 2u << 20);
    if (!len) {
        fprintf(stderr, "tandem: --append: the command line is too long for the device tree\n");
        return false;
    }
    if (at + len > b->bus.ram_base + b->bus.ram_size) {
        fprintf(stderr, "tandem: --mem %" PRIu64 "M: no room for the device tree after the kernel\n",
                b->bus.ram_size >> 20);
        return false;
    }
    memcpy(bus_ram_ptr(&b->bus, at, len), dtb, len);
    b->dtb_addr = at;
    return !b->cfg.dtb_out || write_dtb_file(b->cfg.dtb_out, dtb, len);
}

static void board_wire_devices(Board *b)
{
    b->gic.changed = gic_changed;
    b->gic.opaque = b;
    gic_init(&b->gic);
    b->uart.tx = console_tx;
    b->uart.tx_opaque = b;
    b->uart.irq = uart_irq;
    b->uart.irq_opaque = b;
    pl011_init(&b->uart);
    b->rtc.irq = rtc_irq;
    b->rtc.irq_opaque = b;
    pl031_init(&b->rtc);
    bus_add_mmio(&b->bus, VIRT_GICD_BASE, 0x10000, &gic_dist_ops, &b->gic, "gic-dist");
    bus_add_mmio(&b->bus, VIRT_GICC_BASE, 0x10000, &gic_cpu_ops, &b->gic, "gic-cpu");
    bus_add_mmio(&b->bus, VIRT_UART_BASE, 0x1000, &pl011_ops, &b->uart, "pl011");
    bus_add_mmio(&b->bus, VIRT_RTC_BASE, 0x1000, &pl031_ops, &b->rtc, "pl031");
}

bool board_create(Board *b, const BoardConfig *cfg)
{
    memset(b, 0, sizeof *b);
    b->cfg = *cfg;
    if (!b->cfg.console_out)
        b->cfg.console_out = stdout;
    b->console.fd = -1;
    if (!bus_init(&b->bus, VIRT_RAM_BASE, cfg->mem, NULL)) {
        fprintf(stderr, "tandem: --mem %" PRIu64 "M: the host refused the memory (%s)\n", cfg->mem >> 20,
                strerror(errno));
        return false;
    }
    board_wire_devices(b);
    CpuPlatform plat = {.opaque = b, .hvc = board_hvc, .counter = board_counter,
                        .irq_pending = board_irq_pending};
    cpu_init(&b->cpu, &b->bus, &plat);
    uint64_t entry, end;
    if (!load_kernel(b, &entry, &end) || !load_initrd(b, end) ||
        !place_dtb(b, b->initrd_end ? b->initrd_end : end)) {
        board_destroy(b);
        return false;
    }
    /* The arm64 boot protocol: x0 = device tree, x1..x3 = 0, EL1h, MMU off. */
    cpu_reset(&b->cpu, entry);
    b->cpu.x[0] = b->dtb_addr;
    b->start_ns = monotonic_ns();
    return true;
}

static void feed_console(Board *b, uint64_t timeout_ns)
{
    uint8_t buf[PL011_FIFO];
    size_t room = PL011_FIFO - b->uart.rx_count;
    size_t n = console_read(&b->console, buf, room, timeout_ns);
    for (size_t i = 0; i < n; i++)
        pl011_receive(&b->uart, buf[i]);
    if (b->console.quit) {
        b->exit = BOARD_QUIT;
        b->exiting = true;
    }
}

BoardExit board_run(Board *b, int input_fd)
{
    Cpu *c = &b->cpu;
    console_open(&b->console, input_fd);
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
        pl031_tick(&b->rtc);
        feed_console(b, r == CPU_EXIT_WFI ? ns_to_next_timer(b) : 0);
    }
    fflush(b->cfg.console_out);
    console_close(&b->console);
    return b->exit;
}

void board_print_stats(const Board *b, FILE *f)
{
    const Cpu *c = &b->cpu;
    const MmuStats *m = &c->mmu->stats;
    double secs = (double)(monotonic_ns() - b->start_ns) / 1e9;
    fprintf(f, "tandem: %" PRIu64 " instructions in %.3f s (%.1f MIPS)\n", c->icount, secs,
            secs > 0 ? (double)c->icount / secs / 1e6 : 0.0);
    fprintf(f, "tandem: cpu: exceptions %" PRIu64 " (irq %" PRIu64 "), decoded %" PRIu64
               " instructions, code invalidations %" PRIu64 ", live code pages %" PRIu64 "\n",
            c->stats.exceptions, c->stats.irqs, c->stats.decoded, c->stats.code_invalidations,
            c->code->live_pages);
    uint64_t served = m->shadow_hits + m->walks;
    fprintf(f, "tandem: shadow: soft-TLB misses %" PRIu64 " (%.2f per 1k instructions), served by shadow "
               "tables %" PRIu64 " (%.1f%%), guest walks %" PRIu64 ", fills %" PRIu64 ", stale %" PRIu64
               ", guest faults %" PRIu64 "\n",
            m->tlb_misses, c->icount ? 1000.0 * (double)m->tlb_misses / (double)c->icount : 0.0, m->shadow_hits,
            served ? 100.0 * (double)m->shadow_hits / (double)served : 0.0, m->walks, m->fills, m->stale,
            m->guest_faults);
    fprintf(f, "tandem: shadow: ASID switches %" PRIu64 ", address spaces recycled %" PRIu64
               ", TLBI all %" PRIu64 " / ASID %" PRIu64 " / VA %" PRIu64 " / VA all-ASID %" PRIu64
               ", entries removed %" PRIu64 "\n",
            m->asid_switches, m->ctx_evictions, m->tlbi_all, m->tlbi_asid, m->tlbi_va, m->tlbi_va_all_asid,
            m->entries_removed);
    fprintf(f, "tandem: memory: %" PRIu64 " of %" PRIu64 " guest pages resident (%" PRIu64 " MiB)\n",
            b->bus.p2m.resident, b->bus.p2m.npages, b->bus.p2m.resident * FRAME_SIZE >> 20);
}

void board_destroy(Board *b)
{
    cpu_free(&b->cpu);
    bus_free(&b->bus);
}
