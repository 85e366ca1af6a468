#include "ft/inject.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/translate.h"

const char *inject_name(InjectKind k)
{
    static const char *const names[] = {"crash", "hang", "bitflip", "kernel-text"};
    return names[k];
}

static bool parse_time(const char *s, uint64_t *ns)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || v < 0 || *s == '-')
        return false;
    if (!strcmp(end, "s"))
        *ns = (uint64_t)(v * 1e9);
    else if (!strcmp(end, "ms"))
        *ns = (uint64_t)(v * 1e6);
    else
        return false;
    return true;
}

bool inject_parse(const char *text, bool with_time, Injection *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char kind[64];
    const char *at = strchr(text, '@');
    size_t klen = at ? (size_t)(at - text) : strlen(text);
    if (klen >= sizeof kind)
        klen = sizeof kind - 1;
    memcpy(kind, text, klen);
    kind[klen] = 0;
    out->count = 1;
    char *end;
    if (!strcmp(kind, "crash"))
        out->kind = INJECT_CRASH;
    else if (!strcmp(kind, "hang"))
        out->kind = INJECT_HANG;
    else if (!strcmp(kind, "kernel-text"))
        out->kind = INJECT_KERNEL_TEXT;
    else if (!strcmp(kind, "bitflip"))
        out->kind = INJECT_BITFLIP;
    else if (!strncmp(kind, "bitflip:", 8) && (out->count = (unsigned)strtoul(kind + 8, &end, 10)) >= 1 &&
             out->count <= 1000000 && !*end && kind[8] != '-')
        out->kind = INJECT_BITFLIP;
    else {
        snprintf(err, errlen, "'%s': the kinds are crash, hang, bitflip, bitflip:N and kernel-text", text);
        return false;
    }
    if (with_time && (!at || !parse_time(at + 1, &out->at_ns))) {
        snprintf(err, errlen, "'%s': give KIND@TIME with TIME like 4s or 2500ms (since the VM started)", text);
        return false;
    }
    if (!with_time && at) {
        snprintf(err, errlen, "'%s': no @TIME here: the fault is injected now", text);
        return false;
    }
    return true;
}

static uint64_t next_random(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return *s = x;
}

static bool flip_bit(Board *b, uint64_t pa, unsigned bit)
{
    uint8_t v;
    if (!bus_read(&b->bus, pa, &v, 1))
        return false;
    v ^= (uint8_t)(1u << bit);
    return bus_write(&b->bus, pa, &v, 1);
}

/* A random resident page's guest-physical address, or 0. */
static uint64_t random_resident_page(Board *b, uint64_t *rng)
{
    const P2m *m = &b->bus.p2m;
    if (!m->resident)
        return 0;
    uint64_t start = next_random(rng) % m->npages;
    for (uint64_t i = 0; i < m->npages; i++) {
        uint64_t g = (start + i) % m->npages;
        if (m->state[g] == PAGE_RESIDENT)
            return m->base + g * FRAME_SIZE;
    }
    return 0;
}

bool inject_apply(Board *b, const Injection *inj, uint64_t *rng, char *log, size_t loglen)
{
    Cpu *c = &b->cpu;
    switch (inj->kind) {
    case INJECT_CRASH: {
        if (c->el != 1)
            return false;
        uint64_t bad = 0xffff0000dead0000ull;
        if (c->spsel)
            c->x[REG_SP] = bad;
        else
            c->sr.sp_el1 = bad;
        snprintf(log, loglen, "crash: the kernel's stack pointer set to 0x%" PRIx64 " at pc 0x%" PRIx64, bad, c->pc);
        return true;
    }
    case INJECT_HANG: {
        Translation t;
        if (c->el != 1 || mmu_translate_nofault(c, c->pc, ACCESS_EXEC, 1, &t))
            return false;
        uint32_t self_branch = 0x14000000u; /* b . */
        if (!bus_write(&b->bus, t.pa, &self_branch, 4))
            return false;
        c->daif = 0xf;
        snprintf(log, loglen, "hang: interrupts masked and a branch to itself at pc 0x%" PRIx64 " (pa 0x%" PRIx64 ")",
                 c->pc, t.pa);
        return true;
    }
    case INJECT_BITFLIP: {
        int n = snprintf(log, loglen, "bitflip:");
        for (unsigned i = 0; i < inj->count; i++) {
            uint64_t page = random_resident_page(b, rng), r = next_random(rng);
            uint64_t pa = page + (r % FRAME_SIZE);
            unsigned bit = (unsigned)(r >> 32) % 8;
            if (page && flip_bit(b, pa, bit) && n >= 0 && (size_t)n < loglen && i < 8)
                n += snprintf(log + n, loglen - (size_t)n, " 0x%" PRIx64 ".%u", pa, bit);
        }
        if (inj->count > 8 && n >= 0 && (size_t)n < loglen)
            snprintf(log + n, loglen - (size_t)n, " (and %u more)", inj->count - 8);
        return true;
    }
    case INJECT_KERNEL_TEXT: {
        if (!b->kernel_text_size)
            return false;
        uint64_t r = next_random(rng);
        uint64_t pa = b->kernel_base + (r % b->kernel_text_size);
        unsigned bit = (unsigned)(r >> 40) % 8;
        flip_bit(b, pa, bit);
        snprintf(log, loglen, "kernel-text: bit %u of the byte at 0x%" PRIx64 " flipped", bit, pa);
        return true;
    }
    }
    return false;
}
