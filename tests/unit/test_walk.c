/* The stage-1 walker against hand-built guest tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpu/exception.h"
#include "mmu/walk.h"

#define MEM_BASE 0x40000000ull
#define MEM_SIZE (1u << 20)
static uint8_t mem[MEM_SIZE];

static bool read_desc(void *opaque, uint64_t pa, uint64_t *d)
{
    if (pa < MEM_BASE || pa + 8 > MEM_BASE + MEM_SIZE)
        return false;
    memcpy(d, mem + (pa - MEM_BASE), 8);
    return true;
}

static void put(uint64_t pa, uint64_t desc)
{
    memcpy(mem + (pa - MEM_BASE), &desc, 8);
}

/* Tables at fixed pages: L0 at +0, L1 at +0x1000, L2 at +0x2000, L3 at +0x3000. */
#define L0 (MEM_BASE + 0x0000)
#define L1 (MEM_BASE + 0x1000)
#define L2 (MEM_BASE + 0x2000)
#define L3 (MEM_BASE + 0x3000)
#define TABLE(pa) ((pa) | 3)
#define PAGE(pa, attrs) ((pa) | (attrs) | 3 | (1u << 10))
#define BLOCK(pa, attrs) ((pa) | (attrs) | 1 | (1u << 10))
#define AP_EL0_RW (1u << 6)
#define AP_RO (2u << 6)
#define AP_EL0_RO (3u << 6)
#define NG (1u << 11)
#define PXN (1ull << 53)
#define UXN (1ull << 54)

static SysRegs regs48(void)
{
    SysRegs sr = {0};
    sr.tcr = 16 | (16u << 16) | (2u << 30); /* T0SZ=T1SZ=16, TG1=4K */
    sr.ttbr0 = L0 | (5ull << 48);
    sr.sctlr = 1;
    return sr;
}

static WalkResult walk(const SysRegs *sr, uint64_t va, bool data)
{
    WalkResult r;
    walk_stage1(sr, va, data, read_desc, NULL, &r);
    return r;
}

static void four_level_page(void **state)
{
    memset(mem, 0, sizeof mem);
    SysRegs sr = regs48();
    uint64_t va = 0x0000008040201000ull; /* indices 1, 1, 1, 1 */
    put(L0 + 8, TABLE(L1));
    put(L1 + 8, TABLE(L2));
    put(L2 + 8, TABLE(L3));
    put(L3 + 8, PAGE(0x48765000ull, AP_EL0_RW | NG | PXN));
    WalkResult r = walk(&sr, va + 0x123, true);
    assert_int_equal(r.fsc, 0);
    assert_int_equal(r.pa, 0x48765000ull);
    assert_int_equal(r.level, 3);
    assert_false(r.global);
    assert_int_equal(r.asid, 5);
    assert_int_equal(r.descs, 4);
    /* EL0 RW and executable; EL1 RW but not executable (PXN, and EL0-writable). */
    assert_int_equal(r.perms, PERM_R0 | PERM_W0 | PERM_X0 | PERM_R1 | PERM_W1);
}

static void missing_entries_fault_at_their_level(void **state)
{
    memset(mem, 0, sizeof mem);
    SysRegs sr = regs48();
    uint64_t va = 0x0000008040201000ull;
    assert_int_equal(walk(&sr, va, true).fsc, FSC_TRANSLATION + 0);
    put(L0 + 8, TABLE(L1));
    assert_int_equal(walk(&sr, va, true).fsc, FSC_TRANSLATION + 1);
    put(L1 + 8, TABLE(L2));
    assert_int_equal(walk(&sr, va, true).fsc, FSC_TRANSLATION + 2);
    put(L2 + 8, TABLE(L3));
    assert_int_equal(walk(&sr, va, true).fsc, FSC_TRANSLATION + 3);
    put(L3 + 8, PAGE(0x48000000ull, 0) & ~(1ull << 10)); /* AF clear */
    assert_int_equal(walk(&sr, va, true).fsc, FSC_ACCESS_FLAG + 3);
    put(L3 + 8, (0x48000000ull | 1 | (1u << 10))); /* 0b01 at level 3 is reserved */
    assert_int_equal(walk(&sr, va, true).fsc, FSC_TRANSLATION + 3);
}

static void blocks_at_level1_and_2(void **state)
{
    memset(mem, 0, sizeof mem);
    SysRegs sr = regs48();
    put(L0 + 0, TABLE(L1));
    put(L1 + 1 * 8, BLOCK(0x40000000ull, AP_RO));    /* 1 GiB at VA 0x40000000 */
    put(L1 + 2 * 8, TABLE(L2));
    put(L2 + 3 * 8, BLOCK(0x45200000ull, AP_EL0_RO)); /* 2 MiB at VA 0x80600000 */
    WalkResult r = walk(&sr, 0x40123456ull, true);
    assert_int_equal(r.fsc, 0);
    assert_int_equal(r.pa, 0x40123000ull);
    assert_int_equal(r.level, 1);
    assert_true(r.global);
    assert_int_equal(r.perms, PERM_R1 | PERM_X1 | PERM_X0);
    r = walk(&sr, 0x80654321ull, true);
    assert_int_equal(r.fsc, 0);
    assert_int_equal(r.pa, 0x45254000ull);
    assert_int_equal(r.level, 2);
    assert_int_equal(r.perms, PERM_R0 | PERM_R1 | PERM_X0 | PERM_X1);
    /* A block descriptor at level 0 is invalid with the 4K granule. */
    put(L0 + 8, BLOCK(0, 0));
    assert_int_equal(walk(&sr, 0x0000008000000000ull, true).fsc, FSC_TRANSLATION + 0);
}

static void table_restrictions_apply_below(void **state)
{
    memset(mem, 0, sizeof mem);
    SysRegs sr = regs48();
    put(L0, TABLE(L1) | (1ull << 61) | (1ull << 62) | (1ull << 60)); /* APTable=11, UXNTable */
    put(L1, TABLE(L2));
    put(L2, TABLE(L3));
    put(L3, PAGE(0x41000000ull, AP_EL0_RW));
    WalkResult r = walk(&sr, 0, true);
    assert_int_equal(r.fsc, 0);
    assert_int_equal(r.perms, PERM_R1 | PERM_X1); /* read-only, no EL0, EL1 executable */
}

static void three_levels_with_t0sz_25(void **state)
{
    memset(mem, 0, sizeof mem);
    SysRegs sr = regs48();
    sr.tcr = (sr.tcr & ~63ull) | 25; /* 39-bit VA: start at level 1 */
    sr.ttbr0 = L1;
    put(L1 + 2 * 8, TABLE(L2));
    put(L2 + 0, TABLE(L3));
    put(L3 + 5 * 8, PAGE(0x4abcd000ull, 0));
    WalkResult r = walk(&sr, 0x80005000ull, true);
    assert_int_equal(r.fsc, 0);
    assert_int_equal(r.pa, 0x4abcd000ull);
    assert_int_equal(r.descs, 3);
    /* Beyond the 39-bit range: level-0 translation fault. */
    assert_int_equal(walk(&sr, 1ull << 40, true).fsc, FSC_TRANSLATION + 0);
}

static void upper_range_uses_ttbr1_and_tbi(void **state)
{
    memset(mem, 0, sizeof mem);
    SysRegs sr = regs48();
    sr.ttbr1 = L0;
    sr.ttbr0 = 0;
    uint64_t va = 0xffff000000001000ull; /* L0 idx 0, L1 0, L2 0, L3 1 */
    put(L0, TABLE(L1));
    put(L1, TABLE(L2));
    put(L2, TABLE(L3));
    put(L3 + 8, PAGE(0x40042000ull, 0));
    assert_int_equal(walk(&sr, va, true).fsc, 0);
    assert_int_equal(walk(&sr, va, true).pa, 0x40042000ull);
    /* A tagged pointer faults without TBI1 and translates with it (data only). */
    uint64_t tagged = (va & 0x00ffffffffffffffull) | 0x5a00000000000000ull;
    assert_int_equal(walk(&sr, tagged, true).fsc, FSC_TRANSLATION + 0);
    sr.tcr |= 1ull << 38;
    WalkResult r = walk(&sr, tagged, true);
    assert_int_equal(r.fsc, 0);
    assert_true(r.tagged);
    assert_int_equal(walk(&sr, tagged, false).fsc, FSC_TRANSLATION + 0);
    /* EPD1 disables walks of the upper range. */
    sr.tcr |= 1u << 23;
    assert_int_equal(walk(&sr, va, true).fsc, FSC_TRANSLATION + 0);
}

static void walk_outside_ram_is_external_abort(void **state)
{
    memset(mem, 0, sizeof mem);
    SysRegs sr = regs48();
    put(L0, TABLE(0x10000000ull));
    assert_int_equal(walk(&sr, 0x1000, true).fsc, 0x14 + 1);
}

static void ttbr_beyond_pa_range_is_address_size_fault(void **state)
{
    SysRegs sr = regs48();
    sr.ttbr0 = 1ull << 41;
    WalkResult r = walk(&sr, 0x1000, true);
    assert_true(r.fault);
    assert_int_equal(r.fsc, FSC_ADDR_SIZE + 0);
    sr.ttbr0 = L0;
    memset(mem, 0, sizeof mem);
    r = walk(&sr, 0x1000, true);
    assert_true(r.fault);
    put(L0, TABLE(L1));
    put(L1, TABLE(L2));
    put(L2, TABLE(L3));
    put(L3 + 8, PAGE(0x40000000ull, 0));
    r = walk(&sr, 0x1000, true);
    assert_false(r.fault);
}

static void wxn_makes_writable_never_executable(void **state)
{
    memset(mem, 0, sizeof mem);
    SysRegs sr = regs48();
    sr.sctlr |= 1u << 19;
    put(L0, TABLE(L1));
    put(L1, TABLE(L2));
    put(L2, TABLE(L3));
    put(L3, PAGE(0x41000000ull, 0));
    assert_int_equal(walk(&sr, 0, true).perms, PERM_R1 | PERM_W1 | PERM_X0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(four_level_page),
        cmocka_unit_test(missing_entries_fault_at_their_level),
        cmocka_unit_test(blocks_at_level1_and_2),
        cmocka_unit_test(table_restrictions_apply_below),
        cmocka_unit_test(three_levels_with_t0sz_25),
        cmocka_unit_test(upper_range_uses_ttbr1_and_tbi),
        cmocka_unit_test(walk_outside_ram_is_external_abort),
        cmocka_unit_test(ttbr_beyond_pa_range_is_address_size_fault),
        cmocka_unit_test(wxn_makes_writable_never_executable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
