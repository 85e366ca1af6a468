/* Device tree for the virt-like board: the nodes a generic arm64 kernel
 * needs (memory, cpu, psci, timer, GICv2, fixed APB clock, PL011, PL031,
 * chosen), at QEMU virt's addresses, and an SP805 watchdog with its 1 MHz
 * clock. */
#include "machine/fdt.h"

#include <libfdt.h>
#include <stdbool.h>
#include <string.h>

#include "machine/board.h"

enum { PHANDLE_GIC = 1, PHANDLE_CLK = 2, PHANDLE_WDT_CLK = 3 };

/* A property of big-endian cells. */
static int prop_cells(void *f, const char *name, const uint32_t *cells, unsigned n)
{
    fdt32_t be[16];
    for (unsigned i = 0; i < n; i++)
        be[i] = cpu_to_fdt32(cells[i]);
    return fdt_property(f, name, be, (int)(n * sizeof be[0]));
}

static int prop_reg(void *f, uint64_t base, uint64_t size)
{
    uint32_t c[4] = {(uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32), (uint32_t)size};
    return prop_cells(f, "reg", c, 4);
}

static int prop_strings(void *f, const char *name, const char *const *s, unsigned n)
{
    char buf[256];
    size_t len = 0;
    for (unsigned i = 0; i < n; i++) {
        size_t l = strlen(s[i]) + 1;
        if (len + l > sizeof buf)
            return -FDT_ERR_NOSPACE;
        memcpy(buf + len, s[i], l);
        len += l;
    }
    return fdt_property(f, name, buf, (int)len);
}

#define TRY(x) do { if ((x) < 0) return false; } while (0)

static bool build(const FdtConfig *cfg, void *f)
{
    TRY(fdt_finish_reservemap(f));
    TRY(fdt_begin_node(f, ""));
    TRY(fdt_property_string(f, "compatible", "linux,dummy-virt"));
    TRY(fdt_property_string(f, "model", "Tandem virt"));
    TRY(fdt_property_u32(f, "#address-cells", 2));
    TRY(fdt_property_u32(f, "#size-cells", 2));
    TRY(fdt_property_u32(f, "interrupt-parent", PHANDLE_GIC));

    TRY(fdt_begin_node(f, "chosen"));
    TRY(fdt_property_string(f, "bootargs", cfg->bootargs ? cfg->bootargs : ""));
    TRY(fdt_property_string(f, "stdout-path", "/pl011@9000000"));
    if (cfg->initrd_end > cfg->initrd_start) {
        TRY(fdt_property_u64(f, "linux,initrd-start", cfg->initrd_start));
        TRY(fdt_property_u64(f, "linux,initrd-end", cfg->initrd_end));
    }
    if (cfg->kaslr_seed)
        TRY(fdt_property_u64(f, "kaslr-seed", cfg->kaslr_seed));
    if (cfg->rng_seed)
        TRY(fdt_property(f, "rng-seed", cfg->rng_seed, RNG_SEED_BYTES));
    TRY(fdt_end_node(f));

    TRY(fdt_begin_node(f, "memory@40000000"));
    TRY(fdt_property_string(f, "device_type", "memory"));
    TRY(prop_reg(f, cfg->ram_base, cfg->ram_size));
    TRY(fdt_end_node(f));

    TRY(fdt_begin_node(f, "cpus"));
    TRY(fdt_property_u32(f, "#address-cells", 1));
    TRY(fdt_property_u32(f, "#size-cells", 0));
    TRY(fdt_begin_node(f, "cpu@0"));
    TRY(fdt_property_string(f, "device_type", "cpu"));
    TRY(fdt_property_string(f, "compatible", "arm,cortex-a53"));
    TRY(fdt_property_u32(f, "reg", 0));
    TRY(fdt_property_string(f, "enable-method", "psci"));
    TRY(fdt_end_node(f));
    TRY(fdt_end_node(f));

    TRY(fdt_begin_node(f, "psci"));
    static const char *const psci[] = {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"};
    TRY(prop_strings(f, "compatible", psci, 3));
    TRY(fdt_property_string(f, "method", "hvc"));
    TRY(fdt_end_node(f));

    TRY(fdt_begin_node(f, "timer"));
    TRY(fdt_property_string(f, "compatible", "arm,armv8-timer"));
    /* secure phys, non-secure phys, virtual, hypervisor PPIs; level-high, CPU 0 */
    static const uint32_t timer_irqs[] = {1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104};
    TRY(prop_cells(f, "interrupts", timer_irqs, 12));
    TRY(fdt_property(f, "always-on", NULL, 0));
    TRY(fdt_end_node(f));

    TRY(fdt_begin_node(f, "pmu"));
    TRY(fdt_property_string(f, "compatible", "arm,armv8-pmuv3"));
    static const uint32_t pmu_irq[] = {1, PMU_PPI - 16, 0x104}; /* PPI, level-high, CPU 0 */
    TRY(prop_cells(f, "interrupts", pmu_irq, 3));
    TRY(fdt_end_node(f));

    TRY(fdt_begin_node(f, "intc@8000000"));
    TRY(fdt_property_string(f, "compatible", "arm,cortex-a15-gic"));
    TRY(fdt_property_u32(f, "#interrupt-cells", 3));
    TRY(fdt_property(f, "interrupt-controller", NULL, 0));
    static const uint32_t gic_reg[] = {0, VIRT_GICD_BASE, 0, 0x10000, 0, VIRT_GICC_BASE, 0, 0x10000};
    TRY(prop_cells(f, "reg", gic_reg, 8));
    TRY(fdt_property_u32(f, "phandle", PHANDLE_GIC));
    TRY(fdt_end_node(f));

    TRY(fdt_begin_node(f, "apb-pclk"));
    TRY(fdt_property_string(f, "compatible", "fixed-clock"));
    TRY(fdt_property_u32(f, "#clock-cells", 0));
    TRY(fdt_property_u32(f, "clock-frequency", 24000000));
    TRY(fdt_property_string(f, "clock-output-names", "clk24mhz"));
    TRY(fdt_property_u32(f, "phandle", PHANDLE_CLK));
    TRY(fdt_end_node(f));

    TRY(fdt_begin_node(f, "wdt-clk"));
    TRY(fdt_property_string(f, "compatible", "fixed-clock"));
    TRY(fdt_property_u32(f, "#clock-cells", 0));
    TRY(fdt_property_u32(f, "clock-frequency", SP805_CLOCK_HZ));
    TRY(fdt_property_string(f, "clock-output-names", "wdogclk"));
    TRY(fdt_property_u32(f, "phandle", PHANDLE_WDT_CLK));
    TRY(fdt_end_node(f));

    static const char *const primecell_uart[] = {"arm,pl011", "arm,primecell"};
    static const char *const uart_clocks[] = {"uartclk", "apb_pclk"};
    TRY(fdt_begin_node(f, "pl011@9000000"));
    TRY(prop_strings(f, "compatible", primecell_uart, 2));
    TRY(prop_reg(f, VIRT_UART_BASE, 0x1000));
    static const uint32_t uart_irq[] = {0, VIRT_UART_SPI, 4};
    TRY(prop_cells(f, "interrupts", uart_irq, 3));
    static const uint32_t uart_clk[] = {PHANDLE_CLK, PHANDLE_CLK};
    TRY(prop_cells(f, "clocks", uart_clk, 2));
    TRY(prop_strings(f, "clock-names", uart_clocks, 2));
    TRY(fdt_end_node(f));

    static const char *const primecell_rtc[] = {"arm,pl031", "arm,primecell"};
    TRY(fdt_begin_node(f, "pl031@9010000"));
    TRY(prop_strings(f, "compatible", primecell_rtc, 2));
    TRY(prop_reg(f, VIRT_RTC_BASE, 0x1000));
    static const uint32_t rtc_irq[] = {0, VIRT_RTC_SPI, 4};
    TRY(prop_cells(f, "interrupts", rtc_irq, 3));
    TRY(fdt_property_u32(f, "clocks", PHANDLE_CLK));
    TRY(fdt_property_string(f, "clock-names", "apb_pclk"));
    TRY(fdt_end_node(f));

    /* The driver counts with the first clock (its rate sets the load value);
     * the AMBA bus enables apb_pclk to read the ID registers. */
    static const char *const primecell_wdt[] = {"arm,sp805", "arm,primecell"};
    static const char *const wdt_clocks[] = {"wdog_clk", "apb_pclk"};
    TRY(fdt_begin_node(f, "watchdog@90c0000"));
    TRY(prop_strings(f, "compatible", primecell_wdt, 2));
    TRY(prop_reg(f, VIRT_WDT_BASE, 0x1000));
    static const uint32_t wdt_irq[] = {0, VIRT_WDT_SPI, 4};
    TRY(prop_cells(f, "interrupts", wdt_irq, 3));
    static const uint32_t wdt_clk[] = {PHANDLE_WDT_CLK, PHANDLE_CLK};
    TRY(prop_cells(f, "clocks", wdt_clk, 2));
    TRY(prop_strings(f, "clock-names", wdt_clocks, 2));
    TRY(fdt_end_node(f));

    TRY(fdt_end_node(f));
    TRY(fdt_finish(f));
    return true;
}

size_t fdt_build(const FdtConfig *cfg, void *buf, size_t len)
{
    if (fdt_create(buf, (int)len) < 0 || !build(cfg, buf))
        return 0;
    return fdt_totalsize(buf);
}
