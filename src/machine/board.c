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
#include "mem/frames.h"

#define NS_PER_TICK 16 /* the generic timer runs at 62.5 MHz */
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
    if (b->cfg.console_tx)
        b->cfg.console_tx(b->cfg.console_opaque, byte);
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

static void wdt_irq(void *opaque, bool level)
{
    Board *b = opaque;
    gic_set_level(&b->gic, 32 + VIRT_WDT_SPI, level);
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
        b->psci_status = BOARD_POWER_OFF;
        cpu_request_stop(c);
        break;
    case PSCI_EV_RESET:
        b->psci_status = BOARD_RESET;
        cpu_request_stop(c);
        break;
    case PSCI_EV_NONE:
        break;
    }
    return true;
}

/* Guest time: host time since the board was made, less the time it was paused. */
static uint64_t board_guest_ns(void *opaque)
{
    Board *b = opaque;
    uint64_t now = b->paused_since ? b->paused_since : monotonic_ns();
    return now - b->start_ns - b->paused_ns;
}

static uint64_t board_counter(void *opaque)
{
    return board_guest_ns(opaque) / NS_PER_TICK;
}

void board_pause_clock(Board *b, bool paused)
{
    if (paused && !b->paused_since)
        b->paused_since = monotonic_ns();
    else if (!paused && b->paused_since) {
        b->paused_ns += monotonic_ns() - b->paused_since;
        b->paused_since = 0;
    }
}

static bool timer_fires(uint64_t ctl, uint64_t cval, uint64_t now)
{
    return (ctl & 1) && !(ctl & 2) && now >= cval;
}

/* The generic timer's and the watchdog's outputs are GIC inputs: sample
 * them, then report the IRQ line. Called by the CPU at every slice
 * boundary; an expired watchdog ends the run at once. */
static bool board_irq_pending(void *opaque)
{
    Board *b = opaque;
    const SysRegs *sr = &b->cpu.sr;
    uint64_t ns = board_guest_ns(b), now = ns / NS_PER_TICK;
    if (!b->wdt.s.expired && sp805_advance(&b->wdt, ns))
        cpu_request_stop(&b->cpu);
    gic_set_level(&b->gic, PPI_VIRT_TIMER, timer_fires(sr->cntv_ctl, sr->cntv_cval, now));
    gic_set_level(&b->gic, PPI_PHYS_TIMER, timer_fires(sr->cntp_ctl, sr->cntp_cval, now));
    gic_set_level(&b->gic, PMU_PPI, pmu_irq_level(&b->cpu));
    return b->gic.irq_out;
}

bool board_has_work(Board *b)
{
    return board_irq_pending(b) || b->wdt.s.expired;
}

uint64_t board_ns_to_timer(Board *b, uint64_t max_ns)
{
    const SysRegs *sr = &b->cpu.sr;
    uint64_t guest_ns = board_guest_ns(b), now = guest_ns / NS_PER_TICK;
    uint64_t best = sp805_ns_to_event(&b->wdt, guest_ns);
    if (best > max_ns)
        best = max_ns;
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

/* Place the Image or flat binary where QEMU does (arm64_image_load_offset).
 * Returns the entry point and the end of the image (including its BSS). */
static bool load_kernel(Board *b, uint64_t *entry, uint64_t *end, const char *who)
{
    char err[200];
    uint8_t *data;
    size_t len;
    if (!read_file(b->cfg.kernel, &data, &len, err, sizeof err)) {
        fprintf(stderr, "%s: kernel %s: %s\n", who, b->cfg.kernel, err);
        return false;
    }
    Arm64Image img;
    if (!arm64_image_parse(data, len, &img, err, sizeof err)) {
        fprintf(stderr, "%s: kernel %s: %s\n", who, b->cfg.kernel, err);
        free(data);
        return false;
    }
    uint64_t offset = arm64_image_load_offset(&img);
    if (img.raw)
        fprintf(stderr, "%s: kernel %s: no arm64 Image header; loaded as a flat binary at 0x%" PRIx64
                        " and entered there\n",
                who, b->cfg.kernel, b->bus.ram_base + offset);
    uint64_t need = offset + (img.image_size > len ? img.image_size : len);
    if (need > b->bus.ram_size) {
        fprintf(stderr,
                "%s: kernel %s: needs %" PRIu64 " MiB of RAM at its load address but --mem is %" PRIu64
                " MiB\n",
                who, b->cfg.kernel, (need + (1u << 20) - 1) >> 20, b->bus.ram_size >> 20);
        free(data);
        return false;
    }
    bool ok = bus_write(&b->bus, b->bus.ram_base + offset, data, len);
    free(data);
    if (!ok) {
        fprintf(stderr, "%s: kernel %s: out of machine memory while loading it\n", who, b->cfg.kernel);
        return false;
    }
    *entry = b->bus.ram_base + offset;
    b->kernel_base = *entry;
    /* Linux's Image starts with its text (head, then .text up to _etext:
     * about the first half of the file); the rest is data. */
    b->kernel_text_size = len / 2;
    *end = b->bus.ram_base + need;
    return true;
}

/* The initrd goes where QEMU puts it (RAM + min(RAM/2, 128 MiB)), or right
 * after the kernel if that is higher. */
static bool load_initrd(Board *b, uint64_t kernel_end, const char *who)
{
    if (!b->cfg.initrd)
        return true;
    char err[200];
    uint8_t *data;
    size_t len;
    if (!read_file(b->cfg.initrd, &data, &len, err, sizeof err)) {
        fprintf(stderr, "%s: initrd %s: %s\n", who, b->cfg.initrd, err);
        return false;
    }
    uint64_t half = b->bus.ram_size / 2 < (128u << 20) ? b->bus.ram_size / 2 : (128u << 20);
    uint64_t at = align_up(kernel_end, 1u << 20);
    if (at < b->bus.ram_base + half)
        at = b->bus.ram_base + half;
    if (at + len + DTB_MAX + (2u << 20) > b->bus.ram_base + b->bus.ram_size) {
        fprintf(stderr, "%s: initrd %s: %zu bytes do not fit in RAM after the kernel (--mem %" PRIu64 "M)\n",
                who, b->cfg.initrd, len, b->bus.ram_size >> 20);
        free(data);
        return false;
    }
    bool ok = bus_write(&b->bus, at, data, len);
    free(data);
    if (!ok) {
        fprintf(stderr, "%s: initrd %s: out of machine memory while loading it\n", who, b->cfg.initrd);
        return false;
    }
    b->initrd_start = at;
    b->initrd_end = at + len;
    return true;
}

static bool write_dtb_file(const char *path, const void *dtb, size_t len, const char *who)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(dtb, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "%s: dtb-out %s: %s\n", who, path, strerror(errno));
        if (f)
            fclose(f);
        return false;
    }
    return true;
}

/* The device tree goes on the next 2 MiB boundary after the kernel/initrd. */
static bool place_dtb(Board *b, uint64_t after, const char *who)
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
    uint8_t *dtb = malloc(DTB_MAX);
    size_t len = dtb ? fdt_build(&fc, dtb, DTB_MAX) : 0;
    uint64_t at = align_up(after, 2u << 20);
    bool ok = false;
    if (!len)
        fprintf(stderr, "%s: append: the command line is too long for the device tree\n", who);
    else if (at + len > b->bus.ram_base + b->bus.ram_size)
        fprintf(stderr, "%s: mem %" PRIu64 "M: no room for the device tree after the kernel\n", who,
                b->bus.ram_size >> 20);
    else if (!bus_write(&b->bus, at, dtb, len))
        fprintf(stderr, "%s: out of machine memory while placing the device tree\n", who);
    else
        ok = !b->cfg.dtb_out || write_dtb_file(b->cfg.dtb_out, dtb, len, who);
    b->dtb_addr = at;
    free(dtb);
    return ok;
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
    b->wdt.now_ns = board_guest_ns;
    b->wdt.irq = wdt_irq;
    b->wdt.opaque = b;
    sp805_init(&b->wdt);
    bus_add_mmio(&b->bus, VIRT_GICD_BASE, 0x10000, &gic_dist_ops, &b->gic, "gic-dist");
    bus_add_mmio(&b->bus, VIRT_GICC_BASE, 0x10000, &gic_cpu_ops, &b->gic, "gic-cpu");
    bus_add_mmio(&b->bus, VIRT_UART_BASE, 0x1000, &pl011_ops, &b->uart, "pl011");
    bus_add_mmio(&b->bus, VIRT_RTC_BASE, 0x1000, &pl031_ops, &b->rtc, "pl031");
    bus_add_mmio(&b->bus, VIRT_WDT_BASE, 0x1000, &sp805_ops, &b->wdt, "sp805");
}

bool board_create(Board *b, const BoardConfig *cfg, const char *who)
{
    memset(b, 0, sizeof *b);
    b->cfg = *cfg;
    bool ok = cfg->pool ? bus_init_in_pool(&b->bus, VIRT_RAM_BASE, cfg->mem, cfg->pool, cfg->home)
                        : bus_init(&b->bus, VIRT_RAM_BASE, cfg->mem, NULL);
    if (!ok) {
        fprintf(stderr, "%s: mem %" PRIu64 "M: the host refused the memory (%s)\n", who, cfg->mem >> 20,
                strerror(errno));
        return false;
    }
    board_wire_devices(b);
    CodeShare *own = cfg->code_share ? NULL : code_share_new(cfg->code_cache);
    CpuPlatform plat = {.opaque = b, .hvc = board_hvc, .counter = board_counter,
                        .irq_pending = board_irq_pending, .code_share = cfg->code_share ? cfg->code_share : own};
    if (!plat.code_share) {
        fprintf(stderr, "%s: out of host memory for decoded code\n", who);
        bus_free(&b->bus);
        return false;
    }
    cpu_init(&b->cpu, &b->bus, &plat);
    code_share_release(own); /* the vCPU holds it now */
    uint64_t entry, end;
    if (!load_kernel(b, &entry, &end, who) || !load_initrd(b, end, who) ||
        !place_dtb(b, b->initrd_end ? b->initrd_end : end, who)) {
        board_destroy(b);
        return false;
    }
    /* The arm64 boot protocol: x0 = device tree, x1..x3 = 0, EL1h, MMU off. */
    cpu_reset(&b->cpu, entry);
    b->cpu.x[0] = b->dtb_addr;
    b->start_ns = monotonic_ns();
    return true;
}

BoardStatus board_step(Board *b, uint64_t budget)
{
    Cpu *c = &b->cpu;
    if (sp805_tick(&b->wdt))
        return BOARD_WATCHDOG;
    b->psci_status = BOARD_RAN;
    CpuExit r = cpu_run(c, budget);
    pl031_tick(&b->rtc);
    if (b->psci_status != BOARD_RAN)
        return b->psci_status;
    if (sp805_tick(&b->wdt))
        return BOARD_WATCHDOG;
    if (r == CPU_EXIT_NOMEM)
        return BOARD_NOMEM;
    if (c->exc_repeats >= BOARD_STUCK_REPEATS)
        return BOARD_STUCK;
    return r == CPU_EXIT_WFI ? BOARD_IDLE : BOARD_RAN;
}

size_t board_console_room(const Board *b)
{
    return PL011_FIFO - b->uart.rx_count;
}

void board_console_input(Board *b, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pl011_receive(&b->uart, buf[i]);
}

void board_destroy(Board *b)
{
    cpu_free(&b->cpu);
    bus_free(&b->bus);
}

void board_save(const Board *b, BoardSnapshot *s)
{
    cpu_save(&b->cpu, &s->cpu);
    s->gic = b->gic;
    s->uart = b->uart;
    s->rtc = b->rtc;
    s->wdt = b->wdt.s;
    uint64_t now = b->paused_since ? b->paused_since : monotonic_ns();
    s->guest_ns = now - b->start_ns - b->paused_ns;
}

void board_restore(Board *b, const BoardSnapshot *s)
{
    Gic gic = b->gic;
    Pl011 uart = b->uart;
    Pl031 rtc = b->rtc;
    b->gic = s->gic;
    b->gic.changed = gic.changed, b->gic.opaque = gic.opaque;
    b->uart = s->uart;
    b->uart.tx = uart.tx, b->uart.tx_opaque = uart.tx_opaque;
    b->uart.irq = uart.irq, b->uart.irq_opaque = uart.irq_opaque;
    b->rtc = s->rtc;
    b->rtc.irq = rtc.irq, b->rtc.irq_opaque = rtc.irq_opaque;
    b->wdt.s = s->wdt; /* the watchdog's wiring is outside its state */
    /* The time between the save and now never happened for the guest, as
     * if the VM had been paused (the RTC, host wall time, does move on). */
    uint64_t now = b->paused_since ? b->paused_since : monotonic_ns();
    b->paused_ns = now - b->start_ns - s->guest_ns;
    cpu_restore(&b->cpu, &s->cpu);
    cpu_kick(&b->cpu);
}

void board_end_step(Board *b)
{
    cpu_request_stop(&b->cpu);
}
