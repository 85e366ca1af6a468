/* A minimal VM for unit tests: 16 MiB of RAM at 0x40000000, no devices, the
 * vCPU at EL1 with the MMU off and FP enabled; any exception stops the run. */
#ifndef TANDEM_TEST_TVM_H
#define TANDEM_TEST_TVM_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cpu/code_cache.h"
#include "cpu/cpu.h"
#include "cpu/exception.h"
#include "mem/bus.h"

#define TVM_RAM 0x40000000ull
#define TVM_CODE 0x40000000ull /* test code is placed here */
#define TVM_DATA 0x40800000ull /* scratch data for loads and stores */
#define TVM_END_MARK 0xd4200000u /* BRK #0: ends every test sequence */

typedef struct TestVm {
    Bus bus;
    Cpu cpu;
} TestVm;

static inline void tvm_init(TestVm *t)
{
    assert_true(bus_init(&t->bus, TVM_RAM, 16u << 20, NULL));
    cpu_init(&t->cpu, &t->bus, NULL);
    t->cpu.sr.cpacr = 3u << 20;
    cpu_set_pstate(&t->cpu, cpu_get_pstate(&t->cpu)); /* recompute FP enable */
    t->cpu.halt_on_exception = true;
}

static inline void tvm_free(TestVm *t)
{
    cpu_free(&t->cpu);
    bus_free(&t->bus);
}

static inline void *tvm_ptr(TestVm *t, uint64_t pa)
{
    /* The rest of RAM from pa on, so tests may index freely. */
    uint8_t *p = bus_ram_span(&t->bus, pa, t->bus.ram_base + t->bus.ram_size - pa);
    assert_non_null(p);
    return p;
}

/* Run `n` instructions placed at TVM_CODE, followed by BRK #0. Returns true if
 * the sequence ran to the BRK; false if another exception stopped it (see
 * t->cpu.last_exc). */
static inline bool tvm_run(TestVm *t, const uint32_t *insns, size_t n)
{
    uint32_t *code = tvm_ptr(t, TVM_CODE);
    if (n)
        memcpy(code, insns, n * 4);
    code[n] = TVM_END_MARK;
    t->cpu.pc = TVM_CODE;
    /* Fresh code each run: forget whatever was decoded before. */
    t->cpu.code_va = ~0ull;
    code_cache_invalidate(&t->cpu, TVM_CODE);
    CpuExit r = cpu_run(&t->cpu, 1000000);
    assert_int_equal(r, CPU_EXIT_EXCEPTION);
    bool at_end = t->cpu.last_exc.esr == ESR(EC_BRK64, 0) && t->cpu.last_exc.elr == TVM_CODE + 4 * n;
    /* Back to EL1h for the next sequence (the exception moved us there anyway). */
    return at_end;
}

/* cmocka fixtures: a fresh TestVm per test in *state. */
static inline int tvm_setup(void **state)
{
    TestVm *t = malloc(sizeof *t);
    if (!t)
        return -1;
    tvm_init(t);
    *state = t;
    return 0;
}

static inline int tvm_teardown(void **state)
{
    tvm_free(*state);
    free(*state);
    return 0;
}

static inline bool tvm_run1(TestVm *t, uint32_t insn)
{
    return tvm_run(t, &insn, 1);
}

#endif
