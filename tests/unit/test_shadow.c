/* The shadow page tables (DESIGN.md, "The shadow page table") seen from the
 * guest: real stage-1 tables in guest RAM (4 KiB granule, 48-bit VA,
 * TCR.A1=0 so the ASID is TTBR0[63:48], 16-bit ASIDs), the MMU turned on by
 * the guest, and real instruction sequences for loads, stores, descriptor
 * updates, TLBI, TTBR0 switches and branches. Fault syndromes follow the Arm
 * ARM (and QEMU, which reports stage-1 aborts at EL1 without an instruction
 * syndrome: ESR = EC | IL | WnR | DFSC). */
#include "unit/tvm.h"

#include "mmu/mmu.h"
#include "mmu/shadow.h"
#include "mmu/walk.h"

/* ---- instruction encodings (aarch64-linux-gnu-as, objdump -d) ---- */
#define LDR_X1_X0 0xf9400001u       /* ldr x1, [x0] */
#define LDR_X2_X0 0xf9400002u       /* ldr x2, [x0] */
#define LDR_X3_X0 0xf9400003u       /* ldr x3, [x0] */
#define LDR_X7_X0 0xf9400007u       /* ldr x7, [x0] */
#define LDR_X7_X0_8 0xf9400407u     /* ldr x7, [x0, #8] */
#define LDR_X10_X0_16 0xf940080au   /* ldr x10, [x0, #16] */
#define STR_X1_X0 0xf9000001u       /* str x1, [x0] */
#define STR_X2_X3 0xf9000062u       /* str x2, [x3] */
#define STR_X6_X0_8 0xf9000406u     /* str x6, [x0, #8] */
#define LDTR_X1_X0 0xf8400801u      /* ldtr x1, [x0] */
#define LDTR_X8_X0_8 0xf8408808u    /* ldtr x8, [x0, #8] */
#define STTR_X2_X0 0xf8000802u      /* sttr x2, [x0] */
#define STTR_X9_X0_16 0xf8010809u   /* sttr x9, [x0, #16] */
#define TLBI_VMALLE1 0xd508871fu    /* tlbi vmalle1 */
#define TLBI_VAE1_X4 0xd5088724u    /* tlbi vae1, x4 */
#define TLBI_ASIDE1_X4 0xd5088744u  /* tlbi aside1, x4 */
#define TLBI_VAAE1_X4 0xd5088764u   /* tlbi vaae1, x4 */
#define TLBI_VALE1_X4 0xd50887a4u   /* tlbi vale1, x4 */
#define TLBI_VAE1IS_X4 0xd5088324u  /* tlbi vae1is, x4 */
#define DSB_ISH 0xd5033b9fu         /* dsb ish */
#define ISB 0xd5033fdfu             /* isb */
#define MSR_SCTLR_X5 0xd5181005u    /* msr sctlr_el1, x5 */
#define MSR_TCR_X6 0xd5182046u      /* msr tcr_el1, x6 */
#define MSR_TTBR0_X5 0xd5182005u    /* msr ttbr0_el1, x5 */
#define MSR_TTBR0_X6 0xd5182006u    /* msr ttbr0_el1, x6 */
#define MSR_TTBR0_X7 0xd5182007u    /* msr ttbr0_el1, x7 */
#define BLR_X5 0xd63f00a0u          /* blr x5 */
#define RET 0xd65f03c0u             /* ret */

/* ---- the guest's translation tables ----
 * Two address spaces, A (ASID 1) and B (ASID 2). Both share L0 entry 0,
 * which maps VA 0x40000000-0x7fffffff one to one with a global 1 GiB block
 * (EL1 read/write, executable at both levels): the test code at TVM_CODE and
 * the tables themselves, which the guest updates with ordinary stores.
 * L0 entry 1 (VA_BASE) leads to each space's own L1/L2/L3 tables, so VA(n)
 * is L3 entry n of that space. */
#define L0A (TVM_RAM + 0x600000)
#define L0B (TVM_RAM + 0x601000)
#define L1S (TVM_RAM + 0x602000)
#define L1A (TVM_RAM + 0x603000)
#define L2A (TVM_RAM + 0x604000)
#define L3A (TVM_RAM + 0x605000)
#define L1B (TVM_RAM + 0x606000)
#define L2B (TVM_RAM + 0x607000)
#define L3B (TVM_RAM + 0x608000)
#define TABLES_SIZE 0x9000

#define VA_BASE 0x0000008000000000ull
#define VA(n) (VA_BASE + (uint64_t)(n) * 0x1000)
#define PG(n) (TVM_DATA + (uint64_t)(n) * 0x1000) /* guest-physical data pages */
#define SLOT(table, n) ((table) + 8 * (uint64_t)(n))
#define MARK(n) (0x5a5a000000000000ull | (uint64_t)(n)) /* first word of PG(n) */

#define ASID_A 1u
#define ASID_B 2u
#define TTBR_A (L0A | (uint64_t)ASID_A << 48)
#define TTBR_B (L0B | (uint64_t)ASID_B << 48)
/* T0SZ=T1SZ=16, TG0=4K, TG1=4K, A1=0, AS=1 (16-bit ASID). */
#define TCR_BASE (16ull | 16ull << 16 | 2ull << 30 | 1ull << 36)
#define TCR_TBI0 (1ull << 37)

#define AF (1ull << 10)
#define NG (1ull << 11)
#define AP_EL0_RW (1ull << 6)
#define AP_RO (2ull << 6)
#define AP_EL0_RO (3ull << 6)
#define PXN (1ull << 53)
#define UXN (1ull << 54)
#define TABLE(pa) ((pa) | 3)
#define PAGE(pa, attrs) ((pa) | (attrs) | 3 | AF)
#define BLOCK(pa, attrs) ((pa) | (attrs) | 1 | AF)

/* Xt of TLBI by VA: VA[55:12] in bits 43:0, ASID in bits 63:48. */
#define TLBI_VA(va, asid) ((((va) >> 12) & 0xfffffffffffull) | (uint64_t)(asid) << 48)
#define TLBI_ASID(asid) ((uint64_t)(asid) << 48)

#define WNR (1u << 6)
#define STATS(t) ((t)->cpu.mmu->stats)

static void host_put(TestVm *t, uint64_t pa, uint64_t v)
{
    memcpy(tvm_ptr(t, pa), &v, 8);
}

static uint64_t host_get(TestVm *t, uint64_t pa)
{
    uint64_t v;
    memcpy(&v, tvm_ptr(t, pa), 8);
    return v;
}

/* Runs a sequence that must reach its end; says which exception stopped it if not. */
static void run_ok(TestVm *t, const uint32_t *seq, size_t n)
{
    bool ok = tvm_run(t, seq, n);
    if (!ok)
        print_error("stopped by an exception: esr %#x far %#llx elr %#llx\n", t->cpu.last_exc.esr,
                    (unsigned long long)t->cpu.last_exc.far, (unsigned long long)t->cpu.last_exc.elr);
    assert_true(ok);
}

static void run1_ok(TestVm *t, uint32_t insn)
{
    run_ok(t, &insn, 1);
}

/* A synchronous exception stopped the last run with this syndrome. */
static void assert_exc(TestVm *t, uint32_t esr, uint64_t far, uint64_t elr)
{
    assert_int_equal(t->cpu.last_exc.esr, esr);
    assert_int_equal(t->cpu.last_exc.far, far);
    assert_int_equal(t->cpu.last_exc.elr, elr);
}

/* The guest's own accesses (at the current EL). */
static uint64_t guest_load(TestVm *t, uint64_t va)
{
    t->cpu.x[0] = va;
    t->cpu.x[1] = 0xbad;
    run1_ok(t, LDR_X1_X0);
    return t->cpu.x[1];
}

static void guest_store(TestVm *t, uint64_t va, uint64_t v)
{
    t->cpu.x[0] = va;
    t->cpu.x[1] = v;
    run1_ok(t, STR_X1_X0);
}

/* The guest rewrites one of its descriptors (a plain store, no TLBI). */
static void guest_set_desc(TestVm *t, uint64_t desc_pa, uint64_t desc)
{
    t->cpu.x[2] = desc;
    t->cpu.x[3] = desc_pa;
    run1_ok(t, STR_X2_X3);
}

/* TLBI <op>, x4; DSB ISH; ISB. */
static void guest_tlbi(TestVm *t, uint32_t tlbi, uint64_t xt)
{
    t->cpu.x[4] = xt;
    uint32_t seq[] = {tlbi, DSB_ISH, ISB};
    run_ok(t, seq, 3);
}

/* MSR TTBR0_EL1, x5; ISB. */
static void guest_set_ttbr0(TestVm *t, uint64_t ttbr)
{
    t->cpu.x[5] = ttbr;
    uint32_t seq[] = {MSR_TTBR0_X5, ISB};
    run_ok(t, seq, 2);
}

/* A fresh VM with both address spaces built and the MMU turned on by the
 * guest (TCR, TTBR0 = A, then SCTLR.M), every data page marked. */
static void vm_start(TestVm *t, uint64_t tcr)
{
    tvm_init(t);
    memset(tvm_ptr(t, L0A), 0, TABLES_SIZE);
    host_put(t, SLOT(L1S, 1), BLOCK(TVM_RAM, 0)); /* identity, global, EL1 RW */
    host_put(t, SLOT(L0A, 0), TABLE(L1S));
    host_put(t, SLOT(L0A, 1), TABLE(L1A));
    host_put(t, SLOT(L1A, 0), TABLE(L2A));
    host_put(t, SLOT(L2A, 0), TABLE(L3A));
    host_put(t, SLOT(L0B, 0), TABLE(L1S));
    host_put(t, SLOT(L0B, 1), TABLE(L1B));
    host_put(t, SLOT(L1B, 0), TABLE(L2B));
    host_put(t, SLOT(L2B, 0), TABLE(L3B));
    for (unsigned n = 0; n < 32; n++)
        host_put(t, PG(n), MARK(n));
    t->cpu.x[5] = t->cpu.sr.sctlr | 1;
    t->cpu.x[6] = tcr;
    t->cpu.x[7] = TTBR_A;
    uint32_t seq[] = {MSR_TCR_X6, MSR_TTBR0_X7, ISB, MSR_SCTLR_X5, ISB};
    run_ok(t, seq, 5);
    assert_true(t->cpu.sr.sctlr & 1);
}

/* ------------------------------------------------------------------------
 * 1. Changes to the guest's tables are seen only after a TLBI (DESIGN.md:
 *    "Changes to the guest's tables without a TLBI are not seen").
 * ---------------------------------------------------------------------- */

typedef struct TlbiCase {
    const char *name;
    uint32_t insn;
    uint64_t xt;       /* operand that covers VA(0) in ASID A */
    bool has_miss;
    uint64_t miss_xt;  /* same operation aimed elsewhere: must not drop VA(0) */
} TlbiCase;

static void check_remap_needs_tlbi(const TlbiCase *k)
{
    TestVm t;
    vm_start(&t, TCR_BASE);
    /* VA(0) -> PG(0), non-global, EL0 and EL1 read/write. */
    host_put(&t, SLOT(L3A, 0), PAGE(PG(0), NG | AP_EL0_RW));
    assert_int_equal(guest_load(&t, VA(0)), MARK(0));

    guest_set_desc(&t, SLOT(L3A, 0), PAGE(PG(1), NG | AP_EL0_RW));
    uint64_t walks = STATS(&t).walks;
    /* No TLBI: the old page is still used, by the soft TLB (ldr) and by the
     * shadow entry behind it (ldtr misses the EL0 soft TLB). */
    assert_int_equal(guest_load(&t, VA(0)), MARK(0));
    t.cpu.x[0] = VA(0);
    run1_ok(&t, LDTR_X1_X0);
    assert_int_equal(t.cpu.x[1], MARK(0));
    assert_int_equal(STATS(&t).walks, walks);

    if (k->has_miss) {
        guest_tlbi(&t, k->insn, k->miss_xt);
        assert_int_equal(guest_load(&t, VA(0)), MARK(0));
    }
    guest_tlbi(&t, k->insn, k->xt);
    walks = STATS(&t).walks;
    if (guest_load(&t, VA(0)) != MARK(1))
        print_error("%s did not make the new mapping visible\n", k->name);
    assert_int_equal(guest_load(&t, VA(0)), MARK(1));
    t.cpu.x[0] = VA(0);
    run1_ok(&t, LDTR_X1_X0);
    assert_int_equal(t.cpu.x[1], MARK(1));
    assert_int_equal(STATS(&t).walks, walks + 1); /* walked again, once */
    tvm_free(&t);
}

static void mapping_change_seen_only_after_tlbi(void **state)
{
    const TlbiCase cases[] = {
        {"tlbi vae1", TLBI_VAE1_X4, TLBI_VA(VA(0), ASID_A), true, TLBI_VA(VA(1), ASID_A)},
        {"tlbi vae1 (other ASID)", TLBI_VAE1_X4, TLBI_VA(VA(0), ASID_A), true, TLBI_VA(VA(0), ASID_B)},
        {"tlbi vale1", TLBI_VALE1_X4, TLBI_VA(VA(0), ASID_A), true, TLBI_VA(VA(2), ASID_A)},
        {"tlbi vae1is", TLBI_VAE1IS_X4, TLBI_VA(VA(0), ASID_A), true, TLBI_VA(VA(0), ASID_B)},
        {"tlbi vmalle1", TLBI_VMALLE1, 0, false, 0},
        {"tlbi aside1", TLBI_ASIDE1_X4, TLBI_ASID(ASID_A), true, TLBI_ASID(ASID_B)},
        {"tlbi vaae1", TLBI_VAAE1_X4, TLBI_VA(VA(0), 0), true, TLBI_VA(VA(1), 0)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_remap_needs_tlbi(&cases[i]);
}

/* ------------------------------------------------------------------------
 * 2. A remapped page never yields stale data after the TLBI: reads come
 *    from the new page, writes land in it, the old page is left alone; for
 *    EL1 accesses and for unprivileged (EL0) ones.
 * ---------------------------------------------------------------------- */
static void remap_after_tlbi_never_stale(void **state)
{
    TestVm t;
    vm_start(&t, TCR_BASE);
    const uint64_t va = VA(3);
    host_put(&t, SLOT(L3A, 3), PAGE(PG(2), NG | AP_EL0_RW));
    /* Warm every cache for the old page: EL1 and EL0 soft TLB entries for
     * reads and writes, and the shadow entry. */
    t.cpu.x[0] = va;
    t.cpu.x[2] = 0x1111;
    t.cpu.x[6] = 0x2222;
    t.cpu.x[9] = 0x3333;
    uint32_t warm[] = {LDR_X1_X0, STR_X6_X0_8, LDTR_X8_X0_8, STTR_X9_X0_16};
    run_ok(&t, warm, 4);
    assert_int_equal(t.cpu.x[1], MARK(2));
    assert_int_equal(t.cpu.x[8], 0x2222);

    for (unsigned round = 0; round < 4; round++) {
        uint64_t to = round & 1 ? PG(2) : PG(3), from = round & 1 ? PG(3) : PG(2);
        uint64_t from_8 = host_get(&t, from + 8), from_16 = host_get(&t, from + 16);
        /* The kernel's sequence: update the PTE, DSB, TLBI, DSB, ISB; then use it. */
        t.cpu.x[0] = va;
        t.cpu.x[2] = PAGE(to, NG | AP_EL0_RW);
        t.cpu.x[3] = SLOT(L3A, 3);
        t.cpu.x[4] = TLBI_VA(va, ASID_A);
        t.cpu.x[6] = 0x6000 + round;
        t.cpu.x[9] = 0x9000 + round;
        uint32_t seq[] = {
            STR_X2_X3, DSB_ISH, TLBI_VAE1_X4, DSB_ISH, ISB,
            LDR_X1_X0,     /* read the new page */
            STR_X6_X0_8,   /* EL1 write through the VA */
            LDTR_X8_X0_8,  /* EL0 read of it */
            STTR_X9_X0_16, /* EL0 write */
            LDR_X10_X0_16,
        };
        run_ok(&t, seq, sizeof seq / 4);
        assert_int_equal(t.cpu.x[1], host_get(&t, to));
        assert_int_equal(t.cpu.x[8], 0x6000 + round);
        assert_int_equal(t.cpu.x[10], 0x9000 + round);
        assert_int_equal(host_get(&t, to + 8), 0x6000 + round);
        assert_int_equal(host_get(&t, to + 16), 0x9000 + round);
        /* The page no longer mapped is unchanged. */
        assert_int_equal(host_get(&t, from + 8), from_8);
        assert_int_equal(host_get(&t, from + 16), from_16);
    }
    assert_int_equal(host_get(&t, PG(2)), MARK(2));
    assert_int_equal(host_get(&t, PG(3)), MARK(3));
    tvm_free(&t);
}

/* ------------------------------------------------------------------------
 * 3. ASID switches keep what was built: VA(0) maps PG(0) in A and PG(1) in
 *    B; alternating TTBR0 between them, each load sees its own space's page
 *    and each (ASID, page) is walked once.
 * ---------------------------------------------------------------------- */
static void asid_switch_reuses_entries(void **state)
{
    TestVm t;
    vm_start(&t, TCR_BASE);
    host_put(&t, SLOT(L3A, 0), PAGE(PG(0), NG));
    host_put(&t, SLOT(L3B, 0), PAGE(PG(1), NG));
    assert_int_equal(guest_load(&t, VA(0)), MARK(0)); /* A: VA(0) walked */

    t.cpu.x[0] = VA(0);
    t.cpu.x[5] = TTBR_B;
    t.cpu.x[6] = TTBR_A;
    uint32_t seq[] = {
        MSR_TTBR0_X5, ISB, LDR_X1_X0, /* B */
        MSR_TTBR0_X6, ISB, LDR_X2_X0, /* A */
        MSR_TTBR0_X5, ISB, LDR_X3_X0, /* B */
        MSR_TTBR0_X6, ISB, LDR_X7_X0, /* A */
    };
    for (unsigned pass = 0; pass < 3; pass++) {
        MmuStats s = STATS(&t);
        run_ok(&t, seq, sizeof seq / 4);
        assert_int_equal(t.cpu.x[1], MARK(1));
        assert_int_equal(t.cpu.x[2], MARK(0));
        assert_int_equal(t.cpu.x[3], MARK(1));
        assert_int_equal(t.cpu.x[7], MARK(0));
        assert_int_equal(STATS(&t).asid_switches - s.asid_switches, 4);
        /* Only B's VA(0) is new, and only on the first pass. */
        assert_int_equal(STATS(&t).walks - s.walks, pass == 0 ? 1 : 0);
        assert_int_equal(STATS(&t).fills - s.fills, pass == 0 ? 1 : 0);
        assert_int_equal(STATS(&t).entries_removed - s.entries_removed, 0);
        assert_int_equal(STATS(&t).ctx_evictions - s.ctx_evictions, 0);
        if (pass > 0) {
            /* Each space keeps its soft TLB too: the loads all hit it. */
            assert_int_equal(STATS(&t).tlb_misses - s.tlb_misses, 0);
        }
    }
    assert_int_equal(walk_current_asid(&t.cpu.sr), ASID_A);
    tvm_free(&t);
}

/* ------------------------------------------------------------------------
 * 4. Global (nG=0) entries serve every ASID and survive TLBI ASIDE1;
 *    TLBI VAE1 drops them (it matches global entries whatever the ASID);
 *    TLBI VAE1 drops a non-global VA in its own ASID only; TLBI VAAE1 in all.
 * ---------------------------------------------------------------------- */
static void global_and_non_global_entries(void **state)
{
    TestVm t;
    vm_start(&t, TCR_BASE);
    /* A kernel-like global mapping present in both spaces. */
    host_put(&t, SLOT(L3A, 5), PAGE(PG(5), 0));
    host_put(&t, SLOT(L3B, 5), PAGE(PG(5), 0));

    /* Walks are counted around the loads only: the guest's table stores
     * touch new pages of the identity block, which are walked too. */
    uint64_t w = STATS(&t).walks;
    assert_int_equal(guest_load(&t, VA(5)), MARK(5));
    assert_int_equal(STATS(&t).walks, w + 1);
    guest_set_ttbr0(&t, TTBR_B);
    w = STATS(&t).walks;
    assert_int_equal(guest_load(&t, VA(5)), MARK(5));
    assert_int_equal(STATS(&t).walks, w); /* B uses the entry A's walk made */

    /* Both spaces now point VA(5) elsewhere; ASID invalidations keep the
     * global entry (architecturally they only need to remove entries of
     * that ASID; DESIGN.md keeps global entries in their own table). */
    guest_set_desc(&t, SLOT(L3A, 5), PAGE(PG(6), 0));
    guest_set_desc(&t, SLOT(L3B, 5), PAGE(PG(6), 0));
    guest_tlbi(&t, TLBI_ASIDE1_X4, TLBI_ASID(ASID_A));
    guest_tlbi(&t, TLBI_ASIDE1_X4, TLBI_ASID(ASID_B));
    w = STATS(&t).walks;
    assert_int_equal(guest_load(&t, VA(5)), MARK(5));
    guest_set_ttbr0(&t, TTBR_A);
    assert_int_equal(guest_load(&t, VA(5)), MARK(5));
    assert_int_equal(STATS(&t).walks, w);

    /* TLBI VAE1 names ASID B, but global entries match any ASID. */
    guest_tlbi(&t, TLBI_VAE1_X4, TLBI_VA(VA(5), ASID_B));
    w = STATS(&t).walks;
    assert_int_equal(guest_load(&t, VA(5)), MARK(6));
    guest_set_ttbr0(&t, TTBR_B);
    assert_int_equal(guest_load(&t, VA(5)), MARK(6));
    assert_int_equal(STATS(&t).walks, w + 1);

    /* Non-global VA(0): PG(0) in A, PG(1) in B, both cached. */
    host_put(&t, SLOT(L3A, 0), PAGE(PG(0), NG));
    host_put(&t, SLOT(L3B, 0), PAGE(PG(1), NG));
    guest_set_ttbr0(&t, TTBR_A);
    assert_int_equal(guest_load(&t, VA(0)), MARK(0));
    guest_set_ttbr0(&t, TTBR_B);
    assert_int_equal(guest_load(&t, VA(0)), MARK(1));
    guest_set_desc(&t, SLOT(L3A, 0), PAGE(PG(2), NG));
    guest_set_desc(&t, SLOT(L3B, 0), PAGE(PG(3), NG));

    /* From B, TLBI VAE1 for A's VA(0): B keeps its entry, A loses its. */
    guest_tlbi(&t, TLBI_VAE1_X4, TLBI_VA(VA(0), ASID_A));
    assert_int_equal(guest_load(&t, VA(0)), MARK(1));
    guest_set_ttbr0(&t, TTBR_A);
    assert_int_equal(guest_load(&t, VA(0)), MARK(2));

    /* TLBI VAAE1 (ASID field ignored) removes VA(0) from both. */
    guest_set_desc(&t, SLOT(L3A, 0), PAGE(PG(4), NG));
    guest_tlbi(&t, TLBI_VAAE1_X4, TLBI_VA(VA(0), ASID_B));
    assert_int_equal(guest_load(&t, VA(0)), MARK(4));
    guest_set_ttbr0(&t, TTBR_B);
    assert_int_equal(guest_load(&t, VA(0)), MARK(3));
    tvm_free(&t);
}

/* ------------------------------------------------------------------------
 * 5. Faults reach the guest with the Arm syndromes: translation faults at
 *    levels 0-3, access flag, permission (with WnR), EL0 against an
 *    EL1-only page, instruction fetch from execute-never pages.
 * ---------------------------------------------------------------------- */
static void faults_report_level_and_kind(void **state)
{
    TestVm t;
    vm_start(&t, TCR_BASE);
    const uint32_t dabt_el1 = ESR(EC_DABT_SAME, 0), dabt_el0 = ESR(EC_DABT_LOWER, 0);
    struct { uint64_t va; unsigned level; } missing[] = {
        {0x0000010000000000ull + 0x10, 0}, /* L0 entry 2 invalid */
        {VA_BASE + (1ull << 30) + 0x18, 1}, /* L1A entry 1 invalid */
        {VA_BASE + (1ull << 21) + 0x20, 2}, /* L2A entry 1 invalid */
        {VA(100) + 0x28, 3},                /* L3A entry 100 invalid */
    };
    for (unsigned i = 0; i < 4; i++) {
        uint64_t faults = STATS(&t).guest_faults;
        t.cpu.x[0] = missing[i].va;
        t.cpu.x[1] = 0x77;
        assert_false(tvm_run1(&t, LDR_X1_X0));
        assert_exc(&t, dabt_el1 | (FSC_TRANSLATION + missing[i].level), missing[i].va, TVM_CODE);
        assert_int_equal(t.cpu.x[1], 0x77);
        assert_false(tvm_run1(&t, STR_X1_X0));
        assert_exc(&t, dabt_el1 | WNR | (FSC_TRANSLATION + missing[i].level), missing[i].va, TVM_CODE);
        assert_int_equal(STATS(&t).guest_faults, faults + 2);
    }
    /* The guest fixes its table and retries: no TLBI is needed, since a
     * translation that faulted was not cached. */
    guest_set_desc(&t, SLOT(L3A, 100), PAGE(PG(7), NG));
    assert_int_equal(guest_load(&t, VA(100)), MARK(7));

    /* Access flag clear: level 3 page and level 2 block; then set, no TLBI. */
    host_put(&t, SLOT(L3A, 101), PAGE(PG(8), NG) & ~AF);
    host_put(&t, SLOT(L2A, 2), BLOCK(TVM_RAM + 0xa00000, NG) & ~AF); /* VA_BASE + 4 MiB */
    t.cpu.x[0] = VA(101) + 8;
    assert_false(tvm_run1(&t, LDR_X1_X0));
    assert_exc(&t, dabt_el1 | (FSC_ACCESS_FLAG + 3), VA(101) + 8, TVM_CODE);
    t.cpu.x[0] = VA_BASE + (2ull << 21) + 0x3008;
    assert_false(tvm_run1(&t, STR_X1_X0));
    assert_exc(&t, dabt_el1 | WNR | (FSC_ACCESS_FLAG + 2), VA_BASE + (2ull << 21) + 0x3008, TVM_CODE);
    guest_set_desc(&t, SLOT(L3A, 101), PAGE(PG(8), NG));
    assert_int_equal(guest_load(&t, VA(101)), MARK(8));
    guest_set_desc(&t, SLOT(L2A, 2), BLOCK(TVM_RAM + 0xa00000, NG));
    host_put(&t, TVM_RAM + 0xa03000, 0xb10c);
    assert_int_equal(guest_load(&t, VA_BASE + (2ull << 21) + 0x3000), 0xb10c);

    /* Write to read-only: level 3 page and level 2 block; reads work. */
    host_put(&t, SLOT(L3A, 102), PAGE(PG(9), NG | AP_RO));
    host_put(&t, SLOT(L2A, 3), BLOCK(TVM_RAM + 0xc00000, NG | AP_RO)); /* VA_BASE + 6 MiB */
    assert_int_equal(guest_load(&t, VA(102)), MARK(9));
    t.cpu.x[0] = VA(102) + 0x10;
    t.cpu.x[1] = 0x1234;
    assert_false(tvm_run1(&t, STR_X1_X0));
    assert_exc(&t, dabt_el1 | WNR | (FSC_PERMISSION + 3), VA(102) + 0x10, TVM_CODE);
    assert_int_equal(host_get(&t, PG(9) + 0x10), 0);
    t.cpu.x[0] = VA_BASE + (3ull << 21) + 0x1f0000;
    assert_false(tvm_run1(&t, STR_X1_X0));
    assert_exc(&t, dabt_el1 | WNR | (FSC_PERMISSION + 2), VA_BASE + (3ull << 21) + 0x1f0000, TVM_CODE);

    /* EL0: an EL1-only page faults (lower-EL class), loads and stores; an
     * EL0 read-only page reads but does not write; a missing page faults. */
    host_put(&t, SLOT(L3A, 103), PAGE(PG(10), NG));           /* AP=00 */
    host_put(&t, SLOT(L3A, 104), PAGE(PG(11), NG | AP_EL0_RO));
    assert_int_equal(guest_load(&t, VA(103)), MARK(10));      /* fine at EL1 */
    cpu_set_pstate(&t.cpu, 0);
    t.cpu.x[0] = VA(103) + 0x40;
    assert_false(tvm_run1(&t, LDR_X1_X0));
    assert_exc(&t, dabt_el0 | (FSC_PERMISSION + 3), VA(103) + 0x40, TVM_CODE);
    cpu_set_pstate(&t.cpu, 0);
    assert_false(tvm_run1(&t, STR_X1_X0));
    assert_exc(&t, dabt_el0 | WNR | (FSC_PERMISSION + 3), VA(103) + 0x40, TVM_CODE);
    cpu_set_pstate(&t.cpu, 0);
    assert_int_equal(guest_load(&t, VA(104)), MARK(11));
    cpu_set_pstate(&t.cpu, 0);
    t.cpu.x[0] = VA(104) + 0x48;
    assert_false(tvm_run1(&t, STR_X1_X0));
    assert_exc(&t, dabt_el0 | WNR | (FSC_PERMISSION + 3), VA(104) + 0x48, TVM_CODE);
    cpu_set_pstate(&t.cpu, 0);
    t.cpu.x[0] = VA(200);
    assert_false(tvm_run1(&t, LDR_X1_X0));
    assert_exc(&t, dabt_el0 | (FSC_TRANSLATION + 3), VA(200), TVM_CODE);
    assert_int_equal(t.cpu.el, 1);

    /* Instruction fetch. PG(12) holds RET; VA(105) maps it executable,
     * VA(106) with PXN, VA(107) EL0-readable with UXN; VA(108) is missing. */
    host_put(&t, PG(12), RET);
    host_put(&t, SLOT(L3A, 105), PAGE(PG(12), NG));
    host_put(&t, SLOT(L3A, 106), PAGE(PG(12), NG | PXN));
    host_put(&t, SLOT(L3A, 107), PAGE(PG(12), NG | AP_EL0_RO | UXN));
    t.cpu.x[5] = VA(105);
    run1_ok(&t, BLR_X5); /* there and back */
    t.cpu.x[5] = VA(106);
    assert_false(tvm_run1(&t, BLR_X5));
    assert_exc(&t, ESR(EC_IABT_SAME, FSC_PERMISSION + 3), VA(106), VA(106));
    assert_int_equal(t.cpu.x[30], TVM_CODE + 4); /* the branch itself completed */
    t.cpu.x[5] = VA(108);
    assert_false(tvm_run1(&t, BLR_X5));
    assert_exc(&t, ESR(EC_IABT_SAME, FSC_TRANSLATION + 3), VA(108), VA(108));
    /* From EL0: VA(105) (AP=00, UXN=0) executes; UXN faults, lower-EL class. */
    cpu_set_pstate(&t.cpu, 0);
    t.cpu.x[5] = VA(105);
    run1_ok(&t, BLR_X5);
    cpu_set_pstate(&t.cpu, 0);
    t.cpu.x[5] = VA(107);
    assert_false(tvm_run1(&t, BLR_X5));
    assert_exc(&t, ESR(EC_IABT_LOWER, FSC_PERMISSION + 3), VA(107), VA(107));
    cpu_set_pstate(&t.cpu, 0);
    t.cpu.x[5] = VA(108);
    assert_false(tvm_run1(&t, BLR_X5));
    assert_exc(&t, ESR(EC_IABT_LOWER, FSC_TRANSLATION + 3), VA(108), VA(108));
    tvm_free(&t);
}

/* ------------------------------------------------------------------------
 * 6. A permission granted without TLBI is honoured on the next access.
 *
 * Arm allows a TLB to keep the old, more restrictive entry until a TLBI, in
 * which case the access faults and the guest's fault handler finds nothing
 * to do and returns (Linux treats it as a spurious fault). Tandem does not
 * make the guest take that fault: before raising a permission fault on a
 * cached shadow entry it walks the guest's tables again, replaces the entry
 * with the result and checks the permission against the fresh entry; only a
 * fault that the current tables confirm reaches the guest.
 * ---------------------------------------------------------------------- */
static void permission_granted_without_tlbi_is_honoured(void **state)
{
    TestVm t;
    vm_start(&t, TCR_BASE);
    host_put(&t, SLOT(L3A, 0), PAGE(PG(0), NG | AP_RO));
    assert_int_equal(guest_load(&t, VA(0)), MARK(0)); /* read-only entry cached */
    MmuStats s = STATS(&t);
    t.cpu.x[0] = VA(0);
    t.cpu.x[1] = 0xfeed;
    assert_false(tvm_run1(&t, STR_X1_X0)); /* still read-only: a real fault */
    assert_exc(&t, ESR(EC_DABT_SAME, WNR | (FSC_PERMISSION + 3)), VA(0), TVM_CODE);
    assert_int_equal(STATS(&t).walks, s.walks + 1); /* re-walked before faulting */
    assert_int_equal(STATS(&t).guest_faults, s.guest_faults + 1);

    /* The guest makes the page writable and does no TLBI. */
    guest_set_desc(&t, SLOT(L3A, 0), PAGE(PG(0), NG));
    s = STATS(&t);
    guest_store(&t, VA(0), 0xfeed);
    assert_int_equal(host_get(&t, PG(0)), 0xfeed);
    assert_int_equal(STATS(&t).guest_faults, s.guest_faults);
    assert_int_equal(STATS(&t).walks, s.walks + 1);
    guest_store(&t, VA(0) + 8, 0xbeef); /* now cached writable: no walk */
    assert_int_equal(host_get(&t, PG(0) + 8), 0xbeef);
    assert_int_equal(STATS(&t).walks, s.walks + 1);

    /* The same for EL0: AP=00 (EL1 only) -> AP=01 (EL0 read/write). */
    host_put(&t, SLOT(L3A, 1), PAGE(PG(1), NG));
    assert_int_equal(guest_load(&t, VA(1)), MARK(1));
    guest_set_desc(&t, SLOT(L3A, 1), PAGE(PG(1), NG | AP_EL0_RW));
    s = STATS(&t);
    cpu_set_pstate(&t.cpu, 0);
    t.cpu.x[0] = VA(1);
    t.cpu.x[2] = 0xe10;
    uint32_t el0[] = {LDTR_X1_X0, STTR_X2_X0};
    run_ok(&t, el0, 2);
    assert_int_equal(t.cpu.x[1], MARK(1));
    assert_int_equal(host_get(&t, PG(1)), 0xe10);
    assert_int_equal(STATS(&t).guest_faults, s.guest_faults);

    /* Same for an instruction fetch: PXN removed without TLBI. */
    host_put(&t, PG(12), RET);
    host_put(&t, SLOT(L3A, 2), PAGE(PG(12), NG | PXN));
    t.cpu.x[5] = VA(2);
    assert_false(tvm_run1(&t, BLR_X5));
    assert_exc(&t, ESR(EC_IABT_SAME, FSC_PERMISSION + 3), VA(2), VA(2));
    guest_set_desc(&t, SLOT(L3A, 2), PAGE(PG(12), NG));
    t.cpu.x[5] = VA(2);
    run1_ok(&t, BLR_X5);
    tvm_free(&t);
}

/* ------------------------------------------------------------------------
 * 7. The p2m generation rule: once a page's p2m state changed
 *    (mmu_forget_gpa), every cached entry reaching it is re-resolved.
 * ---------------------------------------------------------------------- */
static void p2m_change_invalidates_cached_entries(void **state)
{
    TestVm t;
    vm_start(&t, TCR_BASE);
    /* PG(0) is reached from A and B (non-global) and from a global VA. */
    host_put(&t, SLOT(L3A, 0), PAGE(PG(0), NG));
    host_put(&t, SLOT(L3B, 0), PAGE(PG(0), NG));
    host_put(&t, SLOT(L3A, 9), PAGE(PG(0), 0));
    host_put(&t, SLOT(L3B, 9), PAGE(PG(0), 0));
    host_put(&t, SLOT(L3A, 1), PAGE(PG(1), NG)); /* an unrelated page */
    assert_int_equal(guest_load(&t, VA(0)), MARK(0));
    assert_int_equal(guest_load(&t, VA(9)), MARK(0));
    assert_int_equal(guest_load(&t, VA(1)), MARK(1));
    guest_set_ttbr0(&t, TTBR_B);
    assert_int_equal(guest_load(&t, VA(0)), MARK(0));
    guest_set_ttbr0(&t, TTBR_A);

    /* A service changed PG(0)'s state (say, restored it with new contents). */
    mmu_forget_gpa(&t.cpu, PG(0) + 0x123);
    host_put(&t, PG(0), 0x0e0e);
    MmuStats s = STATS(&t);
    assert_int_equal(guest_load(&t, VA(0)), 0x0e0e);
    assert_int_equal(STATS(&t).stale, s.stale + 1);
    assert_int_equal(STATS(&t).walks, s.walks + 1);
    assert_int_equal(guest_load(&t, VA(0)), 0x0e0e);
    assert_int_equal(STATS(&t).stale, s.stale + 1); /* re-resolved once */
    guest_store(&t, VA(9) + 8, 0x9999);              /* the global entry */
    assert_int_equal(host_get(&t, PG(0) + 8), 0x9999);
    assert_int_equal(STATS(&t).stale, s.stale + 2);
    assert_int_equal(guest_load(&t, VA(1)), MARK(1)); /* unrelated: still cached */
    assert_int_equal(STATS(&t).stale, s.stale + 2);
    assert_int_equal(STATS(&t).walks, s.walks + 2);
    guest_set_ttbr0(&t, TTBR_B);
    assert_int_equal(guest_load(&t, VA(0)), 0x0e0e);
    assert_int_equal(STATS(&t).stale, s.stale + 3);
    assert_int_equal(STATS(&t).walks, s.walks + 3);
    tvm_free(&t);
}

/* ------------------------------------------------------------------------
 * 8. Top-byte-ignore: with TCR.TBI0 a tagged pointer reaches the page of
 *    the untagged address (one shadow entry serves both), and a TLBI by the
 *    untagged VA covers the tagged aliases. Without TBI0 it faults.
 * ---------------------------------------------------------------------- */
static void tagged_pointers_with_tbi0(void **state)
{
    TestVm t;
    vm_start(&t, TCR_BASE | TCR_TBI0);
    host_put(&t, SLOT(L3A, 4), PAGE(PG(4), NG));
    const uint64_t tag5a = 0x5aull << 56, taga5 = 0xa5ull << 56;
    uint64_t walks = STATS(&t).walks;
    assert_int_equal(guest_load(&t, VA(4) | tag5a), MARK(4));
    assert_int_equal(guest_load(&t, VA(4)), MARK(4));
    assert_int_equal(guest_load(&t, VA(4) | taga5), MARK(4));
    assert_int_equal(STATS(&t).walks, walks + 1);
    guest_store(&t, (VA(4) + 8) | taga5, 0x7a9);
    assert_int_equal(host_get(&t, PG(4) + 8), 0x7a9);
    assert_int_equal(guest_load(&t, (VA(4) + 8) | tag5a), 0x7a9);

    /* Remap; TLBI by the untagged VA reaches every alias. */
    guest_set_desc(&t, SLOT(L3A, 4), PAGE(PG(5), NG));
    guest_tlbi(&t, TLBI_VAE1_X4, TLBI_VA(VA(4), ASID_A));
    assert_int_equal(guest_load(&t, VA(4) | tag5a), MARK(5));
    assert_int_equal(guest_load(&t, VA(4) | taga5), MARK(5));
    assert_int_equal(guest_load(&t, VA(4)), MARK(5));

    /* TBI0 off (a TCR write; TCR fields may be cached, so TLBI too). */
    t.cpu.x[6] = TCR_BASE;
    uint32_t seq[] = {MSR_TCR_X6, ISB, TLBI_VMALLE1, DSB_ISH, ISB};
    run_ok(&t, seq, 5);
    t.cpu.x[0] = VA(4) | tag5a;
    assert_false(tvm_run1(&t, LDR_X1_X0));
    assert_exc(&t, ESR(EC_DABT_SAME, FSC_TRANSLATION + 0), VA(4) | tag5a, TVM_CODE);
    assert_int_equal(guest_load(&t, VA(4)), MARK(5));
    tvm_free(&t);
}

/* A TLBI by VA removes every cached translation that would translate that
 * VA; for a 2 MiB (or 1 GiB) block that is the whole block, every page of
 * it (Arm ARM, TLB maintenance by VA). Linux relies on it: flush_pmd_tlb_range()
 * and hugetlb issue one TLBI per block. Shadow entries are per 4 KiB page even
 * for blocks, so the tables remember which blocks entries were cut from. */
static void tlbi_va_removes_every_page_of_a_block(void **state)
{
    TestVm t;
    vm_start(&t, TCR_BASE);
    const uint64_t blk_va = VA_BASE + (4ull << 21); /* L2A entry 4 */
    const uint64_t old_pa = TVM_RAM + 0xa00000, new_pa = TVM_RAM + 0xc00000;
    for (uint64_t off = 0; off < (2u << 20); off += 0x1000) {
        host_put(&t, old_pa + off, 0x01d0000000000000ull | off);
        host_put(&t, new_pa + off, 0x4e30000000000000ull | off);
    }
    const uint32_t tlbis[] = {TLBI_VAE1_X4, TLBI_VALE1_X4, TLBI_VAAE1_X4};
    const bool global[] = {false, true};
    unsigned stale = 0;
    for (unsigned g = 0; g < 2; g++)
        for (unsigned i = 0; i < 3; i++) {
            uint64_t attrs = global[g] ? 0 : NG;
            guest_set_desc(&t, SLOT(L2A, 4), BLOCK(old_pa, attrs));
            guest_tlbi(&t, TLBI_VMALLE1, 0);
            /* Use the block at its base and at two other pages. */
            assert_int_equal(guest_load(&t, blk_va), 0x01d0000000000000ull);
            assert_int_equal(guest_load(&t, blk_va + 0x5000), 0x01d0000000005000ull);
            assert_int_equal(guest_load(&t, blk_va + 0x1ff000), 0x01d00000001ff000ull);
            /* Move the block; invalidate by its base address, as Linux does. */
            t.cpu.x[0] = blk_va;
            t.cpu.x[2] = BLOCK(new_pa, attrs);
            t.cpu.x[3] = SLOT(L2A, 4);
            t.cpu.x[4] = TLBI_VA(blk_va, ASID_A);
            uint32_t seq[] = {STR_X2_X3, DSB_ISH, tlbis[i], DSB_ISH, ISB, LDR_X1_X0};
            run_ok(&t, seq, 6);
            assert_int_equal(t.cpu.x[1], 0x4e30000000000000ull);
            uint64_t a = guest_load(&t, blk_va + 0x5000), b = guest_load(&t, blk_va + 0x1ff000);
            if (a != 0x4e30000000005000ull || b != 0x4e300000001ff000ull) {
                print_error("%s block, TLBI op2 %u: page 5 reads %#llx, page 511 reads %#llx (want %#llx, %#llx)\n",
                            global[g] ? "global" : "non-global", tlbis[i] >> 5 & 7, (unsigned long long)a,
                            (unsigned long long)b, 0x4e30000000005000ull, 0x4e300000001ff000ull);
                stale++;
            }
        }
    tvm_free(&t);
    assert_int_equal(stale, 0);
}

/* With TCR.TBI0 set, a branch to a tagged address drops the tag: this CPU
 * has no pointer authentication, so TBI0 applies to instruction addresses
 * too and AArch64.BranchAddr() replaces bits 63:56 with copies of bit 55
 * (QEMU does the same). */
static void branch_to_tagged_address_drops_the_tag(void **state)
{
    TestVm t;
    vm_start(&t, TCR_BASE | TCR_TBI0);
    host_put(&t, PG(12), RET);
    host_put(&t, SLOT(L3A, 105), PAGE(PG(12), NG));
    t.cpu.x[5] = VA(105) | 0x5aull << 56;
    bool ok = tvm_run1(&t, BLR_X5); /* blr to the tagged address, ret back */
    if (!ok)
        print_error("blr to a tagged address: esr %#x far %#llx elr %#llx\n", t.cpu.last_exc.esr,
                    (unsigned long long)t.cpu.last_exc.far, (unsigned long long)t.cpu.last_exc.elr);
    tvm_free(&t);
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mapping_change_seen_only_after_tlbi),
        cmocka_unit_test(remap_after_tlbi_never_stale),
        cmocka_unit_test(asid_switch_reuses_entries),
        cmocka_unit_test(global_and_non_global_entries),
        cmocka_unit_test(faults_report_level_and_kind),
        cmocka_unit_test(permission_granted_without_tlbi_is_honoured),
        cmocka_unit_test(p2m_change_invalidates_cached_entries),
        cmocka_unit_test(tagged_pointers_with_tbi0),
        cmocka_unit_test(tlbi_va_removes_every_page_of_a_block),
        cmocka_unit_test(branch_to_tagged_address_drops_the_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
