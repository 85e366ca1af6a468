/* The backup VM (ft/backup.c): dirty tracking through write-protect,
 * copy on write of shared frames, checkpoints that re-share, and the O(1)
 * frame-table exchange of a failover, on a real board running a real loop. */
#include <stdio.h>
#include <unistd.h>

#include "unit/tvm.h"

#include "ft/backup.h"
#include "ft/inject.h"
#include "mem/p2m.h"

#define DATA 0x40800000ull
#define FRESH 0x40900000ull

/* A tiny Image: x0 = DATA, x2 = FRESH; loop { str x1, [x0]; add x1, x1, #1 } */
static const char *write_image(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/tandem-test-ft-%d.img", (int)getpid());
    uint32_t w[32] = {0x14000010, 0xd503201f};
    uint64_t *hdr = (uint64_t *)&w[2];
    hdr[0] = 0;       /* text_offset */
    hdr[1] = 128;     /* image_size */
    hdr[2] = 0xa;     /* flags: little-endian, 4K */
    w[14] = 0x644d5241; /* "ARM\x64" */
    uint32_t code[] = {0xd2a81000, /* movz x0, #0x4080, lsl #16 */
                       0xd2a81202, /* movz x2, #0x4090, lsl #16 */
                       0xf9000001, /* str x1, [x0] */
                       0x91000421, /* add x1, x1, #1 */
                       0x17fffffe}; /* b -8 */
    memcpy(&w[16], code, sizeof code);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(w, 1, sizeof w, f), sizeof w);
    fclose(f);
    return path;
}

typedef struct Fixture {
    FramePool pool;
    Board board;
    Backup backup;
    uint8_t out[64];
    size_t out_len;
} Fixture;

static void released(void *opaque, const uint8_t *p, size_t n)
{
    Fixture *x = opaque;
    for (size_t i = 0; i < n && x->out_len < sizeof x->out; i++)
        x->out[x->out_len++] = p[i];
}

static int setup(void **state)
{
    Fixture *x = calloc(1, sizeof *x);
    assert_non_null(x);
    assert_true(frames_init(&x->pool, 32u << 20));
    BoardConfig bc = {.kernel = write_image(), .mem = 32u << 20, .pool = &x->pool, .home = 0, .no_rng_seed = true};
    assert_true(board_create(&x->board, &bc, "test"));
    unlink(bc.kernel);
    FtPolicy p = {.interval_ms = 20};
    assert_true(backup_attach(&x->backup, &x->board, &p, "test", released, x));
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    Fixture *x = *state;
    backup_detach(&x->backup);
    board_destroy(&x->board);
    frames_destroy(&x->pool);
    free(x);
    return 0;
}

static uint64_t guest_word(Fixture *x, uint64_t pa)
{
    uint64_t v = 0;
    assert_true(bus_read(&x->board.bus, pa, &v, 8));
    return v;
}

static void clean_pages_are_shared_not_copied(void **state)
{
    Fixture *x = *state;
    uint64_t used = x->pool.used;
    assert_true(x->board.bus.p2m.resident > 0);
    assert_int_equal(backup_private_frames(&x->backup), 0);
    assert_int_equal(x->backup.mem.resident, x->board.bus.p2m.resident);
    assert_int_equal(x->pool.used, used); /* the backup took no frame */
}

static uint64_t gfn_of(Fixture *x, uint64_t pa)
{
    return p2m_index(&x->board.bus.p2m, pa);
}

static bool shares(Fixture *x, uint64_t pa)
{
    const P2m *m = &x->board.bus.p2m, *b = &x->backup.mem;
    uint64_t g = gfn_of(x, pa);
    return m->state[g] == PAGE_RESIDENT && b->state[g] == PAGE_RESIDENT && m->frame[g] == b->frame[g];
}

static void first_write_copies_and_checkpoint_reshares(void **state)
{
    Fixture *x = *state;
    assert_int_equal(guest_word(x, DATA), 0);
    board_step(&x->board, 1000);
    uint64_t v = guest_word(x, DATA);
    assert_true(v > 0);
    /* Only the data page was written: one dirty page. It was first touched
     * in this epoch, so the backup has nothing to keep for it. */
    assert_int_equal(x->backup.ndirty, 1);
    assert_int_equal(x->backup.dirty[0], gfn_of(x, DATA));
    assert_true(shares(x, x->board.kernel_base)); /* code: never copied */
    assert_int_equal(x->backup.stats.pages_copied, 0);
    assert_int_equal(x->backup.mem.state[gfn_of(x, DATA)], PAGE_ABSENT);
    backup_checkpoint(&x->backup);
    assert_int_equal(x->backup.ndirty, 0);
    assert_int_equal(x->backup.stats.checkpoints, 1);
    assert_int_equal(x->backup.stats.last_epoch_pages, 1);
    /* The checkpoint copied it into a frame of the backup's own. */
    uint64_t g = gfn_of(x, DATA), kept = 0;
    assert_false(shares(x, DATA));
    assert_int_equal(backup_private_frames(&x->backup), 1);
    memcpy(&kept, frame_ptr(&x->pool, x->backup.mem.frame[g]), 8);
    assert_int_equal(kept, v);
    /* Protected again: the next epoch's first write traps (dirty again) but
     * copies nothing, and the backup keeps the checkpoint's value. */
    board_step(&x->board, 1000);
    assert_int_equal(x->backup.ndirty, 1);
    assert_int_equal(x->backup.stats.pages_copied, 0);
    memcpy(&kept, frame_ptr(&x->pool, x->backup.mem.frame[g]), 8);
    assert_int_equal(kept, v);
    assert_true(guest_word(x, DATA) > v);
    /* A page shared since the start (the kernel's) is copied at its first write. */
    uint64_t kpa = x->board.kernel_base + 0x200, before = guest_word(x, kpa), junk = ~before;
    assert_true(bus_write(&x->board.bus, kpa, &junk, 8));
    assert_int_equal(x->backup.stats.pages_copied, 1);
    assert_false(shares(x, kpa));
    memcpy(&kept, frame_ptr(&x->pool, x->backup.mem.frame[gfn_of(x, kpa)]) + (kpa & 0xfff), 8);
    assert_int_equal(kept, before);
}

/* Every page whose contents differ between primary and backup is in the
 * epoch's dirty list (the backup is a consistent checkpoint). */
static void assert_backup_consistent(Fixture *x)
{
    const P2m *m = &x->board.bus.p2m, *b = &x->backup.mem;
    static const uint8_t zero[FRAME_SIZE];
    for (uint64_t g = 0; g < m->npages; g++) {
        const uint8_t *pm = m->state[g] == PAGE_RESIDENT ? frame_ptr(&x->pool, m->frame[g]) : zero;
        const uint8_t *pb = b->state[g] == PAGE_RESIDENT ? frame_ptr(&x->pool, b->frame[g]) : zero;
        if (memcmp(pm, pb, FRAME_SIZE) == 0)
            continue;
        bool listed = false;
        for (size_t i = 0; i < x->backup.ndirty; i++)
            listed |= x->backup.dirty[i] == g;
        assert_true(listed);
    }
}

static void failover_returns_to_the_checkpoint(void **state)
{
    Fixture *x = *state;
    board_step(&x->board, 1000);
    backup_checkpoint(&x->backup);
    uint64_t at_ckpt = guest_word(x, DATA), x1 = x->board.cpu.x[1], pc = x->board.cpu.pc;
    board_step(&x->board, 5000);
    assert_true(guest_word(x, DATA) > at_ckpt);
    assert_backup_consistent(x);
    /* A page first touched after the checkpoint, and one written through the bus. */
    uint64_t junk = 0x1234;
    assert_true(bus_write(&x->board.bus, FRESH, &junk, 8));
    FrameId *frames_before = x->board.bus.p2m.frame;
    backup_output(&x->backup, 'A'); /* output of the failed epoch */
    uint64_t ns = backup_failover(&x->backup);
    assert_true(ns > 0);
    assert_ptr_equal(x->backup.mem.frame, frames_before); /* the tables were exchanged, not copied */
    assert_int_equal(guest_word(x, DATA), at_ckpt);
    assert_int_equal(guest_word(x, FRESH), 0);
    assert_int_equal(x->board.cpu.x[1], x1);
    assert_int_equal(x->board.cpu.pc, pc);
    assert_backup_consistent(x); /* re-synced at once: nothing differs */
    assert_int_equal(x->out_len, 0);                      /* the failed epoch's output is gone */
    assert_int_equal(x->backup.stats.output_discarded, 1);
    /* It runs on from there as it did the first time. */
    board_step(&x->board, 5000);
    assert_true(guest_word(x, DATA) > at_ckpt);
}

static void output_is_released_by_the_next_checkpoint(void **state)
{
    Fixture *x = *state;
    backup_output(&x->backup, 'h');
    backup_output(&x->backup, 'i');
    assert_int_equal(x->out_len, 0);
    backup_checkpoint(&x->backup);
    assert_int_equal(x->out_len, 2);
    assert_memory_equal(x->out, "hi", 2);
}

static void input_since_the_checkpoint_is_given_again(void **state)
{
    Fixture *x = *state;
    backup_input_given(&x->backup, (const uint8_t *)"ls\n", 3);
    backup_checkpoint(&x->backup); /* that input is part of the checkpoint now */
    backup_input_given(&x->backup, (const uint8_t *)"pwd\n", 4);
    backup_failover(&x->backup);
    uint8_t buf[16];
    size_t n = backup_take_replay(&x->backup, buf, sizeof buf);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "pwd\n", 4);
    assert_int_equal(backup_take_replay(&x->backup, buf, sizeof buf), 0);
}

static void injections_parse_and_apply(void **state)
{
    Fixture *x = *state;
    Injection inj;
    char err[200], log[300];
    assert_true(inject_parse("crash@2500ms", true, &inj, err, sizeof err));
    assert_int_equal(inj.kind, INJECT_CRASH);
    assert_int_equal(inj.at_ns, 2500000000ull);
    assert_true(inject_parse("bitflip:3@1s", true, &inj, err, sizeof err));
    assert_int_equal(inj.count, 3);
    assert_false(inject_parse("melt@1s", true, &inj, err, sizeof err));
    assert_false(inject_parse("crash", true, &inj, err, sizeof err));   /* no time */
    assert_false(inject_parse("crash@1s", false, &inj, err, sizeof err)); /* a time where none is taken */
    assert_true(inject_parse("hang", false, &inj, err, sizeof err));
    /* hang: interrupts masked and a branch to itself where the vCPU is. */
    uint64_t rng = 1;
    assert_true(inject_apply(&x->board, &inj, &rng, log, sizeof log));
    assert_int_equal(x->board.cpu.daif, 0xf);
    uint64_t pc = x->board.cpu.pc;
    board_step(&x->board, 1000);
    assert_int_equal(x->board.cpu.pc, pc);
    /* bitflip: the page is tracked like any write. */
    assert_true(inject_parse("bitflip:4", false, &inj, err, sizeof err));
    backup_checkpoint(&x->backup);
    assert_int_equal(x->backup.ndirty, 0);
    assert_true(inject_apply(&x->board, &inj, &rng, log, sizeof log));
    assert_true(x->backup.ndirty >= 1 && x->backup.ndirty <= 4);
    assert_backup_consistent(x);
    assert_non_null(strstr(log, "bitflip"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(clean_pages_are_shared_not_copied, setup, teardown),
        cmocka_unit_test_setup_teardown(first_write_copies_and_checkpoint_reshares, setup, teardown),
        cmocka_unit_test_setup_teardown(failover_returns_to_the_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(output_is_released_by_the_next_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(input_since_the_checkpoint_is_given_again, setup, teardown),
        cmocka_unit_test_setup_teardown(injections_parse_and_apply, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
