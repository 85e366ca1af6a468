/* Decoded code kept by content (cpu/code_share.h): two vCPUs running the
 * same bytes share one decoded page; a write, a page-state change or the
 * clock detaches only the page it concerns, and every vCPU keeps running
 * exactly the code its own memory holds. */
#include "unit/tvm.h"

#include "cpu/code_share.h"

#define MOVZ_X0(imm) (0xd2800000u | ((uint32_t)(imm) << 5))
#define ADD_X0(imm) (0x91000000u | ((uint32_t)(imm) << 10))
#define ADD_X0_1 ADD_X0(1)
#define B_NEXT_PAGE_START (0x14000000u | (0x1000 / 4 - 1)) /* from word 1: b to the next page's word 0 */
#define STR_W1_X2(off) (0xb9000041u | ((uint32_t)(off) / 4 << 10))
#define ISB 0xd5033fdfu
#define BR_X3 0xd61f0060u
#define BRK0 0xd4200000u

typedef struct Guest {
    Bus bus;
    Cpu cpu;
} Guest;

static void guest_init(Guest *g, CodeShare *s)
{
    assert_true(bus_init(&g->bus, TVM_RAM, 16u << 20, NULL));
    CpuPlatform plat = {.code_share = s};
    cpu_init(&g->cpu, &g->bus, &plat);
    g->cpu.halt_on_exception = true;
}

static void guest_free(Guest *g)
{
    cpu_free(&g->cpu);
    bus_free(&g->bus);
}

static void put(Guest *g, uint64_t pa, const uint32_t *w, size_t n)
{
    uint8_t *p = bus_ram_span(&g->bus, pa, n * 4);
    assert_non_null(p);
    memcpy(p, w, n * 4);
}

/* Run from pc until the BRK #0 that ends every sequence here. */
static void run_at(Guest *g, uint64_t pc)
{
    g->cpu.pc = pc;
    assert_int_equal(cpu_run(&g->cpu, 100000), CPU_EXIT_EXCEPTION);
    assert_int_equal(g->cpu.last_exc.esr, ESR(EC_BRK64, 0));
}

static DecodedPage *page_of(Guest *g, uint64_t pa)
{
    return g->cpu.code->pages[(pa - TVM_RAM) >> 12];
}

static void same_bytes_decoded_once(void **state)
{
    CodeShare *s = code_share_new(0);
    Guest a, b;
    guest_init(&a, s);
    guest_init(&b, s);
    uint32_t code[] = {MOVZ_X0(5), ADD_X0_1, BRK0};
    put(&a, TVM_CODE, code, 3);
    put(&b, TVM_CODE, code, 3);
    run_at(&a, TVM_CODE);
    run_at(&b, TVM_CODE);
    assert_int_equal(a.cpu.x[0], 6);
    assert_int_equal(b.cpu.x[0], 6);
    assert_int_equal(s->stats.pages, 1);
    assert_int_equal(s->stats.users, 2);
    assert_int_equal(s->stats.matched, 1);
    assert_ptr_equal(page_of(&a, TVM_CODE), page_of(&b, TVM_CODE));
    /* b found a's decoding: it decoded nothing itself. */
    assert_int_equal(b.cpu.stats.decoded, 0);
    guest_free(&a);
    guest_free(&b);
    code_share_release(s);
}

static void different_bytes_decoded_apart(void **state)
{
    CodeShare *s = code_share_new(0);
    Guest a, b;
    guest_init(&a, s);
    guest_init(&b, s);
    uint32_t ca[] = {MOVZ_X0(5), BRK0}, cb[] = {MOVZ_X0(9), BRK0};
    put(&a, TVM_CODE, ca, 2);
    put(&b, TVM_CODE, cb, 2);
    run_at(&a, TVM_CODE);
    run_at(&b, TVM_CODE);
    assert_int_equal(a.cpu.x[0], 5);
    assert_int_equal(b.cpu.x[0], 9);
    assert_int_equal(s->stats.pages, 2);
    assert_int_equal(s->stats.matched, 0);
    guest_free(&a);
    guest_free(&b);
    code_share_release(s);
}

/* a patches the shared page from another page of code; b still runs the
 * original, a the patched instruction. */
static void a_write_detaches_only_the_writer(void **state)
{
    CodeShare *s = code_share_new(0);
    Guest a, b;
    guest_init(&a, s);
    guest_init(&b, s);
    uint32_t shared[] = {MOVZ_X0(5), BRK0};
    uint32_t patcher[] = {STR_W1_X2(0), ISB, BR_X3};
    put(&a, TVM_CODE, shared, 2);
    put(&b, TVM_CODE, shared, 2);
    put(&a, TVM_CODE + 0x1000, patcher, 3);
    run_at(&a, TVM_CODE);
    run_at(&b, TVM_CODE);
    assert_int_equal(s->stats.pages, 1);

    a.cpu.x[1] = MOVZ_X0(7);
    a.cpu.x[2] = TVM_CODE;
    a.cpu.x[3] = TVM_CODE;
    run_at(&a, TVM_CODE + 0x1000);
    assert_int_equal(a.cpu.x[0], 7);
    run_at(&b, TVM_CODE);
    assert_int_equal(b.cpu.x[0], 5);
    assert_ptr_not_equal(page_of(&a, TVM_CODE), page_of(&b, TVM_CODE));
    run_at(&a, TVM_CODE);
    assert_int_equal(a.cpu.x[0], 7);
    guest_free(&a);
    guest_free(&b);
    code_share_release(s);
}

/* a rewrites an instruction ahead of it in the very page it runs from,
 * which b shares: a sees the new instruction at once, b never does. */
static void self_modifying_code_in_a_shared_page(void **state)
{
    CodeShare *s = code_share_new(0);
    Guest a, b;
    guest_init(&a, s);
    guest_init(&b, s);
    uint32_t code[] = {STR_W1_X2(12), ISB, ADD_X0_1, MOVZ_X0(5), BRK0};
    put(&a, TVM_CODE, code, 5);
    put(&b, TVM_CODE, code, 5);
    /* Both decode the page first (b's store rewrites the word unchanged). */
    for (Guest *g = &a; g; g = g == &a ? &b : NULL) {
        g->cpu.x[1] = MOVZ_X0(5);
        g->cpu.x[2] = TVM_CODE;
        run_at(g, TVM_CODE);
        assert_int_equal(g->cpu.x[0], 5);
    }
    a.cpu.x[1] = MOVZ_X0(7);
    run_at(&a, TVM_CODE);
    assert_int_equal(a.cpu.x[0], 7);
    b.cpu.x[0] = 0;
    run_at(&b, TVM_CODE);
    assert_int_equal(b.cpu.x[0], 5);
    guest_free(&a);
    guest_free(&b);
    code_share_release(s);
}

/* A page-state change (here: announced, nothing else) detaches the page;
 * the next run finds the same decoded page again by content. */
static void page_change_reattaches_by_content(void **state)
{
    CodeShare *s = code_share_new(0);
    Guest a, b;
    guest_init(&a, s);
    guest_init(&b, s);
    uint32_t code[] = {MOVZ_X0(3), BRK0};
    put(&a, TVM_CODE, code, 2);
    put(&b, TVM_CODE, code, 2);
    run_at(&a, TVM_CODE);
    run_at(&b, TVM_CODE);
    DecodedPage *p = page_of(&a, TVM_CODE);
    p2m_change(&b.bus.p2m, 0);
    assert_null(page_of(&b, TVM_CODE));
    assert_int_equal(s->stats.users, 1);
    run_at(&b, TVM_CODE);
    assert_int_equal(b.cpu.x[0], 3);
    assert_ptr_equal(page_of(&b, TVM_CODE), p);
    assert_int_equal(s->stats.matched, 2);
    guest_free(&a);
    guest_free(&b);
    code_share_release(s);
}

/* Code over four pages (all different: equal pages would share one) with
 * room for two: the clock frees pages between runs and every run still
 * computes the same. */
static void limit_keeps_decoded_pages_bounded(void **state)
{
    CodeShare *s = code_share_new(2 * sizeof(DecodedPage));
    Guest g;
    guest_init(&g, s);
    for (unsigned i = 0; i < 4; i++) {
        uint32_t w[] = {ADD_X0(i + 1), i < 3 ? B_NEXT_PAGE_START : BRK0};
        put(&g, TVM_CODE + i * 0x1000u, w, 2);
    }
    for (unsigned run = 0; run < 4; run++) {
        g.cpu.x[0] = 0;
        run_at(&g, TVM_CODE);
        assert_int_equal(g.cpu.x[0], 1 + 2 + 3 + 4);
        /* Between runs (no vCPU executing) the limit holds again. */
        code_share_collect(s);
        assert_true(s->stats.pages <= 2);
    }
    assert_true(s->stats.evicted >= 2);
    guest_free(&g);
    code_share_release(s);
}

/* One vCPU with a share of its own (no platform share): nothing leaks and
 * freeing the vCPU frees its pages. */
static void own_share_freed_with_the_vcpu(void **state)
{
    TestVm t;
    tvm_init(&t);
    assert_true(tvm_run1(&t, MOVZ_X0(1)));
    CodeShare *s = t.cpu.code->share;
    assert_int_equal(s->stats.pages, 1);
    assert_int_equal(s->ncaches, 1);
    tvm_free(&t); /* AddressSanitizer reports a leak if the pages stay */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_bytes_decoded_once),
        cmocka_unit_test(different_bytes_decoded_apart),
        cmocka_unit_test(a_write_detaches_only_the_writer),
        cmocka_unit_test(self_modifying_code_in_a_shared_page),
        cmocka_unit_test(page_change_reattaches_by_content),
        cmocka_unit_test(limit_keeps_decoded_pages_bounded),
        cmocka_unit_test(own_share_freed_with_the_vcpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
