/* Machine frames, the p2m and the memory events (DESIGN.md, "Machine memory
 * and memory events"), first on their own, then seen through a vCPU running
 * real instructions (MMU off: VA = PA). */
#include "unit/tvm.h"

#include "mem/frames.h"
#include "mem/p2m.h"
#include "mmu/mmu.h"
#include "mmu/shadow.h"

#define LDR_X1_X2 0xf9400041u  /* ldr x1, [x2] */
#define STR_X1_X2 0xf9000041u  /* str x1, [x2] */
#define NOP 0xd503201fu        /* nop */
#define SVC_0 0xd4000001u      /* svc #0 */
#define MSR_TTBR0_X0 0xd5182000u /* msr ttbr0_el1, x0 */
#define TLBI_VMALLE1 0xd508871fu /* tlbi vmalle1 */

/* ---- frames ---- */

static void frames_hint_exhaustion_and_reuse(void **state)
{
    FramePool p;
    assert_true(frames_init(&p, 4 * FRAME_SIZE));
    assert_int_equal(p.nframes, 4);
    assert_int_equal(frames_alloc(&p, 2), 2); /* the hint is taken when free */
    FrameId a = frames_alloc(&p, 2);          /* ...and another frame when not */
    assert_true(a != 2 && a < 4);
    FrameId b = frames_alloc(&p, FRAME_NONE);
    FrameId c = frames_alloc(&p, FRAME_NONE);
    assert_true(b < 4 && c < 4 && b != c && b != 2 && c != 2 && a != b && a != c);
    assert_int_equal(p.used, 4);
    assert_int_equal(frames_alloc(&p, 0), FRAME_NONE);
    assert_int_equal(p.failures, 1);
    memset(frame_ptr(&p, b), 0xab, FRAME_SIZE);
    frames_free(&p, b);
    assert_int_equal(p.used, 3);
    FrameId again = frames_alloc(&p, FRAME_NONE);
    assert_int_equal(again, b);
    for (unsigned i = 0; i < FRAME_SIZE; i++) /* the next owner sees zeros */
        assert_int_equal(frame_ptr(&p, again)[i], 0);
    assert_int_equal(p.high_water, 4);
    frames_destroy(&p);
}

/* ---- p2m events, counted by a fake cache and watchers ---- */

typedef struct Seen {
    unsigned changing, protected_, harvests, written[2];
    uint64_t last_gfn;
} Seen;

static void seen_changing(void *o, uint64_t gfn) { ((Seen *)o)->changing++, ((Seen *)o)->last_gfn = gfn; }
static void seen_protected(void *o, uint64_t gfn) { ((Seen *)o)->protected_++, ((Seen *)o)->last_gfn = gfn; }
static void seen_harvest(void *o, P2m *m) { ((Seen *)o)->harvests++, p2m_mark_accessed(m, 7); }
static bool seen_written0(void *o, uint64_t gfn) { ((Seen *)o)->written[0]++, ((Seen *)o)->last_gfn = gfn; return true; }
static bool seen_written1(void *o, uint64_t gfn) { ((Seen *)o)->written[1]++, ((Seen *)o)->last_gfn = gfn; return true; }

static void p2m_events_reach_subscribers(void **state)
{
    FramePool pool;
    P2m m;
    Seen s = {0};
    assert_true(frames_init(&pool, 16 * FRAME_SIZE));
    assert_true(p2m_init(&m, &pool, 0x40000000, 32 * FRAME_SIZE, 0));
    m.cache = (MemCacheOps){.opaque = &s, .page_changing = seen_changing, .write_protected = seen_protected,
                            .harvest_access = seen_harvest};
    /* First touch gives the home frame; pages beyond the pool's size get none. */
    uint8_t *p3 = p2m_page(&m, 0x40000000 + 3 * FRAME_SIZE + 5);
    assert_ptr_equal(p3, frame_ptr(&pool, 3));
    assert_int_equal(m.resident, 1);
    assert_int_equal(pool.used, 1);
    uint32_t g = p2m_gen(&m, 0x40003000);

    /* 1. page state change: generation bumped, the cache told first. */
    p2m_discard(&m, 3);
    assert_int_equal(s.changing, 1);
    assert_int_equal(s.last_gfn, 3);
    assert_int_equal(m.state[3], PAGE_ABSENT);
    assert_int_equal(m.resident, 0);
    assert_int_equal(pool.used, 0);
    assert_true(p2m_gen(&m, 0x40003000) != g);

    /* 2. write-protect: the cache is told once per page, each watcher once per write. */
    uint8_t w0 = p2m_watch(&m, "zero", seen_written0, &s), w1 = p2m_watch(&m, "one", seen_written1, &s);
    assert_int_equal(w0, 1);
    assert_int_equal(w1, 2);
    p2m_write_protect(&m, 5, w0);
    p2m_write_protect(&m, 5, w1);
    assert_int_equal(s.protected_, 1); /* already read-only for the caches */
    assert_false(p2m_writable(&m, 5));
    p2m_write_fault(&m, 5);
    assert_int_equal(s.written[0], 1);
    assert_int_equal(s.written[1], 1);
    assert_true(p2m_writable(&m, 5));
    p2m_write_fault(&m, 5); /* no one asked again: no one is told */
    assert_int_equal(s.written[0], 1);

    /* 3. access information: marked pages and what the caches hold. */
    p2m_mark_accessed(&m, 4);
    p2m_harvest_access(&m);
    assert_int_equal(s.harvests, 1);
    assert_true(p2m_test_clear_accessed(&m, 4));
    assert_true(p2m_test_clear_accessed(&m, 7));
    assert_false(p2m_test_clear_accessed(&m, 4));
    assert_false(p2m_test_clear_accessed(&m, 6));

    /* Exhaustion: population fails cleanly and says so. */
    for (uint64_t i = 0; i < 16; i++)
        assert_non_null(p2m_page(&m, 0x40000000 + i * FRAME_SIZE));
    assert_null(p2m_page(&m, 0x40000000 + 20 * FRAME_SIZE));
    assert_true(m.out_of_memory);
    assert_int_equal(m.stats.nomem, 1);
    p2m_destroy(&m);
    assert_int_equal(pool.used, 0); /* every frame returned */
    frames_destroy(&pool);
}

/* ---- the same events honoured by a running vCPU ---- */

static uint64_t load_via_guest(TestVm *t, uint64_t pa)
{
    t->cpu.x[2] = pa;
    assert_true(tvm_run1(t, LDR_X1_X2));
    return t->cpu.x[1];
}

static void store_via_guest(TestVm *t, uint64_t pa, uint64_t v)
{
    t->cpu.x[2] = pa;
    t->cpu.x[1] = v;
    assert_true(tvm_run1(t, STR_X1_X2));
}

/* A page whose frame was taken away is never reached through the soft TLB. */
static void page_change_drops_soft_tlb_entries(void **state)
{
    TestVm *t = *state;
    P2m *m = &t->bus.p2m;
    store_via_guest(t, TVM_DATA, 0x1234);
    assert_int_equal(load_via_guest(t, TVM_DATA), 0x1234); /* now cached in the soft TLB */
    p2m_discard(m, p2m_index(m, TVM_DATA));
    assert_int_equal(load_via_guest(t, TVM_DATA), 0); /* a new, zeroed frame */
    assert_true(t->cpu.mmu->stats.page_changes >= 1);
}

static unsigned watched_writes;
static bool count_write(void *o, uint64_t gfn) { watched_writes++; return true; }

/* Write-protecting a page whose writable entry is cached makes the next
 * store trap; the store still lands and later stores run at full speed. */
static void write_protect_traps_next_store(void **state)
{
    TestVm *t = *state;
    P2m *m = &t->bus.p2m;
    uint8_t bit = p2m_watch(m, "test", count_write, NULL);
    uint64_t gfn = p2m_index(m, TVM_DATA);
    watched_writes = 0;
    store_via_guest(t, TVM_DATA, 1); /* the entry is cached writable */
    p2m_write_protect(m, gfn, bit);
    assert_int_equal(load_via_guest(t, TVM_DATA), 1); /* reads are not trapped */
    assert_int_equal(watched_writes, 0);
    uint64_t traps = t->cpu.mmu->stats.write_traps;
    store_via_guest(t, TVM_DATA + 8, 2);
    assert_int_equal(watched_writes, 1);
    assert_int_equal(t->cpu.mmu->stats.write_traps, traps + 1);
    store_via_guest(t, TVM_DATA + 16, 3);
    assert_int_equal(watched_writes, 1); /* told once per protection */
    assert_int_equal(t->cpu.mmu->stats.write_traps, traps + 1);
    assert_int_equal(load_via_guest(t, TVM_DATA + 8), 2);
    assert_int_equal(load_via_guest(t, TVM_DATA + 16), 3);
}

/* The instruction count includes the instructions before an exception. */
static void icount_counts_up_to_an_exception(void **state)
{
    TestVm *t = *state;
    uint32_t code[10];
    for (unsigned i = 0; i < 9; i++)
        code[i] = NOP;
    code[9] = SVC_0;
    uint64_t before = t->cpu.icount;
    assert_false(tvm_run(t, code, 10)); /* stops at the SVC, not the BRK */
    assert_int_equal(t->cpu.icount - before, 10);
}

/* Out of machine frames: the access is held back (no guest fault), pc stays
 * on it, and it completes once a frame is free. */
static void no_frame_stalls_then_resumes(void **state)
{
    FramePool pool;
    TestVm t;
    assert_true(frames_init(&pool, 2 * FRAME_SIZE));
    assert_true(bus_init_in_pool(&t.bus, TVM_RAM, 16u << 20, &pool, 0));
    cpu_init(&t.cpu, &t.bus, NULL);
    t.cpu.halt_on_exception = true;
    uint32_t code[2] = {LDR_X1_X2, 0xd4200000u}; /* ldr; brk #0 */
    assert_true(bus_write(&t.bus, TVM_CODE, code, sizeof code)); /* frame 1 of 2 */
    assert_non_null(bus_ram_ptr(&t.bus, TVM_CODE + 0x100000, 8)); /* frame 2 of 2 */
    t.cpu.x[2] = TVM_DATA;
    t.cpu.pc = TVM_CODE;
    uint64_t exc = t.cpu.stats.exceptions;
    assert_int_equal(cpu_run(&t.cpu, 100), CPU_EXIT_NOMEM);
    assert_int_equal(t.cpu.pc, TVM_CODE);
    assert_int_equal(t.cpu.stats.exceptions, exc); /* nothing reached the guest */
    assert_int_equal(t.cpu.icount, 0);
    P2m *m = &t.bus.p2m;
    p2m_discard(m, p2m_index(m, TVM_CODE + 0x100000)); /* a service freed a frame */
    assert_int_equal(cpu_run(&t.cpu, 100), CPU_EXIT_EXCEPTION);
    assert_int_equal(t.cpu.last_exc.esr, ESR(EC_BRK64, 0));
    assert_int_equal(t.cpu.x[1], 0);
    assert_int_equal(t.cpu.icount, 2);
    cpu_free(&t.cpu);
    bus_free(&t.bus);
    frames_destroy(&pool);
}

/* Event 4: address-space and TLBI events reach the layer above. */
static unsigned mmu_events[3];
static void count_mmu_event(void *o, MmuEvent ev) { mmu_events[ev]++; }

static void mmu_events_are_published(void **state)
{
    TestVm *t = *state;
    memset(mmu_events, 0, sizeof mmu_events);
    t->cpu.mmu->hooks = (MmuHooks){.event = count_mmu_event};
    t->cpu.x[0] = 0x40100000;
    assert_true(tvm_run1(t, MSR_TTBR0_X0));
    assert_int_equal(mmu_events[MMU_EV_PROCESS_SWITCH], 1);
    assert_true(tvm_run1(t, MSR_TTBR0_X0)); /* the same tables again: no switch */
    assert_int_equal(mmu_events[MMU_EV_PROCESS_SWITCH], 1);
    assert_true(tvm_run1(t, TLBI_VMALLE1));
    assert_int_equal(mmu_events[MMU_EV_TLBI], 1);
    assert_int_equal(mmu_events[MMU_EV_ASID_SWITCH], 0); /* MMU off: one address space */
}

/* Loaders and devices write through the same rule as the guest. */
static void bus_write_crosses_pages_and_tells_watchers(void **state)
{
    TestVm *t = *state;
    P2m *m = &t->bus.p2m;
    uint8_t bit = p2m_watch(m, "test", count_write, NULL);
    watched_writes = 0;
    p2m_write_protect(m, p2m_index(m, TVM_DATA + FRAME_SIZE), bit);
    uint8_t src[6000], back[6000];
    for (unsigned i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 7 + 1);
    assert_true(bus_write(&t->bus, TVM_DATA + 100, src, sizeof src));
    assert_int_equal(watched_writes, 1);
    assert_true(bus_read(&t->bus, TVM_DATA + 100, back, sizeof back));
    assert_memory_equal(src, back, sizeof src);
    assert_false(bus_write(&t->bus, TVM_RAM + (16u << 20) - 8, src, 16)); /* runs off the end of RAM */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frames_hint_exhaustion_and_reuse),
        cmocka_unit_test(p2m_events_reach_subscribers),
        cmocka_unit_test_setup_teardown(page_change_drops_soft_tlb_entries, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(write_protect_traps_next_store, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(icount_counts_up_to_an_exception, tvm_setup, tvm_teardown),
        cmocka_unit_test(no_frame_stalls_then_resumes),
        cmocka_unit_test_setup_teardown(mmu_events_are_published, tvm_setup, tvm_teardown),
        cmocka_unit_test_setup_teardown(bus_write_crosses_pages_and_tells_watchers, tvm_setup, tvm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
