/* Page sharing (src/share): the content index, merging equal pages into one
 * frame, copy on write, volatile pages, and the two modes. No vCPU: pages
 * are written through p2m_page() after a write fault where the p2m says the
 * page is not writable, as a guest store or a device write does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mem/frames.h"
#include "mem/p2m.h"
#include "share/index.h"
#include "share/share.h"

#define BASE 0x40000000ull
#define PAGES 64

/* ---- 1. the index ---- */

/* Many entries with clustered slots: every one is found until removed, and
 * removal never loses another (checked against a plain array). */
static void index_finds_what_was_put_until_removed(void **state)
{
    (void)state;
    enum { N = 5000 };
    ContentIndex x = {0};
    static bool present[N];
    memset(present, 0, sizeof present);
    for (uint32_t i = 0; i < N; i++) {
        IndexEntry e = {.hash = (uint64_t)i << 40 | i, .gfn = i, .space = 1, .frame = i * 3};
        assert_true(index_put(&x, &e));
        present[i] = true;
    }
    assert_int_equal(x.n, N);
    uint64_t s = 12345;
    for (unsigned k = 0; k < N / 2; k++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t i = (uint32_t)(s >> 33) % N;
        IndexEntry *e = index_find(&x, (uint64_t)i << 40 | i);
        if (present[i]) {
            assert_non_null(e);
            assert_int_equal(e->gfn, i);
            index_remove(&x, e);
            present[i] = false;
        } else {
            assert_null(e);
        }
    }
    for (uint32_t i = 0; i < N; i++) {
        IndexEntry *e = index_find(&x, (uint64_t)i << 40 | i);
        if (present[i]) {
            assert_non_null(e);
            assert_int_equal(e->frame, i * 3);
        } else {
            assert_null(e);
        }
    }
    IndexEntry zero = {.hash = 0, .gfn = 7};
    assert_true(index_put(&x, &zero)); /* a hash of 0 is a valid key too */
    assert_non_null(index_find(&x, 0));
    index_free(&x);
}

/* ---- 2. sharing ---- */

typedef struct Rig {
    FramePool pool;
    P2m a, b;
    Share s;
} Rig;

static Rig *live;

static Rig *rig_new(ShareMode mode)
{
    Rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    live = r;
    assert_true(frames_init(&r->pool, 4 * PAGES * FRAME_SIZE));
    assert_true(p2m_init(&r->a, &r->pool, BASE, PAGES * FRAME_SIZE, 0));
    assert_true(p2m_init(&r->b, &r->pool, BASE, PAGES * FRAME_SIZE, PAGES));
    ShareConfig cfg = {.mode = mode, .pages = 1000};
    assert_true(share_init(&r->s, &r->pool, &cfg));
    assert_true(share_add_space(&r->s, &r->a));
    assert_true(share_add_space(&r->s, &r->b));
    return r;
}

static void rig_free(Rig *r)
{
    share_destroy(&r->s);
    p2m_destroy(&r->a);
    p2m_destroy(&r->b);
    assert_int_equal(r->pool.used, 0); /* every frame given back once, shared or not */
    frames_destroy(&r->pool);
    free(r);
    live = NULL;
}

static int drop_live(void **state)
{
    (void)state;
    if (live) {
        share_destroy(&live->s);
        p2m_destroy(&live->a);
        p2m_destroy(&live->b);
        frames_destroy(&live->pool);
        free(live);
        live = NULL;
    }
    return 0;
}

static void pattern(uint8_t *p, uint64_t seed)
{
    for (unsigned i = 0; i < FRAME_SIZE; i++)
        p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 5));
}

/* A guest write of one byte: the write fault first if the page is not
 * writable (copy on write for a shared frame). */
static void guest_write(P2m *m, uint64_t g, unsigned off, uint8_t v)
{
    assert_non_null(p2m_page(m, BASE + g * FRAME_SIZE));
    if (!p2m_writable(m, g))
        assert_true(p2m_write_fault(m, g));
    assert_true(p2m_writable(m, g));
    p2m_page(m, BASE + g * FRAME_SIZE)[off] = v;
}

static void fill(P2m *m, uint64_t g, uint64_t seed)
{
    uint8_t buf[FRAME_SIZE];
    pattern(buf, seed);
    uint8_t *p = p2m_page(m, BASE + g * FRAME_SIZE);
    assert_non_null(p);
    memcpy(p, buf, FRAME_SIZE);
}

static void check(P2m *m, uint64_t g, uint64_t seed)
{
    uint8_t buf[FRAME_SIZE];
    pattern(buf, seed);
    assert_memory_equal(p2m_page(m, BASE + g * FRAME_SIZE), buf, FRAME_SIZE);
}

/* Enough passes for two full scans (first sight, then unchanged). */
static void scan(Rig *r, unsigned scans)
{
    uint64_t want = r->s.st.full_scans + scans;
    for (unsigned i = 0; i < 100 && r->s.st.full_scans < want; i++)
        share_pass(&r->s);
    assert_true(r->s.st.full_scans >= want);
}

/* Two VMs' equal pages become one read-only frame; a write to either gets
 * a copy, and the other never sees it. */
static void equal_pages_share_one_frame_until_written(void **state)
{
    (void)state;
    Rig *r = rig_new(SHARE_ALL);
    fill(&r->a, 3, 42);
    fill(&r->b, 9, 42);
    fill(&r->a, 4, 1); /* unique */
    fill(&r->b, 4, 2);
    uint64_t used = r->pool.used;
    scan(r, 3);
    assert_int_equal(r->a.frame[3], r->b.frame[9]);
    assert_int_equal(frames_owners(&r->pool, r->a.frame[3]), 2);
    assert_int_equal(r->pool.used, used - 1);
    assert_int_equal(r->s.st.merges, 1);
    ShareUsage u = share_usage(&r->s, NULL);
    assert_int_equal(u.pages_shared, 1);
    assert_int_equal(u.pages_sharing, 1);
    assert_int_equal(u.pages_on_shared, 2);
    assert_int_equal(share_usage(&r->s, &r->a).pages_on_shared, 1);
    assert_true(r->s.st.pages_unshared >= 2); /* the unique pages stayed candidates */
    /* Read-only for both. */
    assert_false(p2m_writable(&r->a, 3));
    assert_false(p2m_writable(&r->b, 9));
    guest_write(&r->b, 9, 100, 0xee);
    assert_int_not_equal(r->a.frame[3], r->b.frame[9]);
    assert_int_equal(share_cow_breaks(&r->s, &r->b), 1);
    assert_int_equal(share_cow_breaks(&r->s, &r->a), 0);
    check(&r->a, 3, 42);
    assert_int_equal(p2m_page(&r->b, BASE + 9 * FRAME_SIZE)[100], 0xee);
    /* The last owner may write in place. */
    assert_true(p2m_writable(&r->a, 3));
    assert_int_equal(r->pool.used, used);
    rig_free(r);
}

/* A third equal page joins the shared frame through the stable index. */
static void later_equal_pages_join_the_shared_frame(void **state)
{
    (void)state;
    Rig *r = rig_new(SHARE_ALL);
    fill(&r->a, 1, 7);
    fill(&r->b, 1, 7);
    scan(r, 3);
    assert_int_equal(frames_owners(&r->pool, r->a.frame[1]), 2);
    fill(&r->a, 20, 7);
    scan(r, 1); /* straight to the stable index: no second look needed */
    assert_int_equal(r->a.frame[20], r->a.frame[1]);
    assert_int_equal(frames_owners(&r->pool, r->a.frame[1]), 3);
    ShareUsage u = share_usage(&r->s, NULL);
    assert_int_equal(u.pages_shared, 1);
    assert_int_equal(u.pages_sharing, 2);
    rig_free(r);
}

/* A page that changes between the scanner's visits is never merged. */
static void volatile_pages_are_left_alone(void **state)
{
    (void)state;
    Rig *r = rig_new(SHARE_ALL);
    fill(&r->a, 5, 9);
    fill(&r->b, 5, 9);
    for (unsigned k = 0; k < 4; k++) {
        scan(r, 1);
        guest_write(&r->a, 5, 0, (uint8_t)k); /* changes every scan */
        guest_write(&r->b, 5, 0, (uint8_t)k);
    }
    assert_int_equal(r->s.st.merges, 0);
    assert_int_not_equal(r->a.frame[5], r->b.frame[5]);
    assert_true(r->s.st.pages_volatile >= 2);
    rig_free(r);
}

/* Mode vm: equal pages of one VM share, of two VMs never. */
static void vm_mode_keeps_vms_apart(void **state)
{
    (void)state;
    Rig *r = rig_new(SHARE_VM);
    fill(&r->a, 2, 5);
    fill(&r->b, 2, 5);
    fill(&r->a, 30, 6);
    fill(&r->a, 31, 6);
    scan(r, 3);
    assert_int_not_equal(r->a.frame[2], r->b.frame[2]);
    assert_int_equal(r->a.frame[30], r->a.frame[31]);
    assert_int_equal(r->s.st.merges, 1);
    rig_free(r);
}

/* When every other page has left a shared frame, the share is forgotten;
 * a VM that leaves takes its index entries' validity with it. */
static void stale_shares_are_forgotten(void **state)
{
    (void)state;
    Rig *r = rig_new(SHARE_ALL);
    fill(&r->a, 8, 3);
    fill(&r->b, 8, 3);
    scan(r, 3);
    assert_int_equal(r->s.stable.n, 1);
    guest_write(&r->a, 8, 1, 1);
    scan(r, 1);
    assert_int_equal(r->s.stable.n, 0);
    assert_true(r->s.st.stale >= 1);
    /* b leaves while its page is a candidate; a's equal page finds nothing stale to join. */
    fill(&r->a, 40, 11);
    fill(&r->b, 40, 11);
    scan(r, 1);
    share_remove_space(&r->s, &r->b);
    scan(r, 2);
    assert_int_not_equal(r->a.frame[40], r->b.frame[40]);
    check(&r->a, 40, 11);
    rig_free(r);
}

/* The names users type. */
static void modes_parse(void **state)
{
    (void)state;
    ShareMode m;
    assert_true(share_parse("off", &m));
    assert_int_equal(m, SHARE_OFF);
    assert_true(share_parse("vm", &m));
    assert_int_equal(m, SHARE_VM);
    assert_true(share_parse("all", &m));
    assert_int_equal(m, SHARE_ALL);
    assert_false(share_parse("ALL", &m));
    assert_false(share_parse("ksm", &m));
    assert_string_equal(share_mode_name(SHARE_ALL), "all");
}

#define TEST(f) cmocka_unit_test_teardown(f, drop_live)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(index_finds_what_was_put_until_removed),
        TEST(equal_pages_share_one_frame_until_written),
        TEST(later_equal_pages_join_the_shared_frame),
        TEST(volatile_pages_are_left_alone),
        TEST(vm_mode_keeps_vms_apart),
        TEST(stale_shares_are_forgotten),
        TEST(modes_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
