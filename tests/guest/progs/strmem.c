/* Memory-access patterns: byte/halfword/word/doubleword loads with sign and
 * zero extension, pre/post-indexed and register-offset addressing, load/store
 * pair, struct copies, and memcpy/memset/strlen/strcmp/strchr-style loops at
 * every alignment and length. */
#include "rt.h"

static uint8_t src[1024] __attribute__((aligned(16)));
static uint8_t dst[1024] __attribute__((aligned(16)));
static char str[512];

static __attribute__((noinline)) void copy_bytes(uint8_t *d, const uint8_t *s, size_t n)
{
    while (n--) *d++ = *s++;
}

static __attribute__((noinline)) void copy_words(uint32_t *d, const uint32_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = s[i];
}

static __attribute__((noinline)) void fill(uint8_t *d, uint8_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = v;
}

static __attribute__((noinline)) size_t my_strlen(const char *s)
{
    const char *p = s;
    while (*p) p++;
    return (size_t)(p - s);
}

static __attribute__((noinline)) int my_strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

static __attribute__((noinline)) const char *my_strchr(const char *s, int c)
{
    for (; *s; s++) if (*s == (char)c) return s;
    return c ? 0 : s;
}

/* Assembly addressing modes that C does not reliably produce at every -O level. */
static uint64_t asm_modes(uint8_t *buf)
{
    uint64_t r0, r1, r2, r3, r4, r5, r6, r7;
    uint8_t *p = buf + 64;
    __asm__ volatile(
        "ldrsb  %0, [%8, #1]\n"
        "ldrsh  %w1, [%8, #2]\n"
        "ldrsw  %2, [%8, #4]\n"
        "ldrb   %w3, [%8, #-8]!\n"        /* pre-index */
        "ldrh   %w4, [%8], #8\n"          /* post-index */
        "ldp    %5, %6, [%8, #16]\n"
        "ldpsw  %7, %0, [%8, #8]\n"
        : "=&r"(r0), "=&r"(r1), "=&r"(r2), "=&r"(r3), "=&r"(r4), "=&r"(r5), "=&r"(r6), "=&r"(r7), "+r"(p)
        :
        : "memory");
    uint64_t idx = 5, r8, r9, r10;
    __asm__ volatile(
        "ldr    %0, [%3, %4, lsl #3]\n"
        "ldrsh  %1, [%3, %w4, sxtw #1]\n"
        "ldrb   %w2, [%3, %4]\n"
        "stp    %w2, %w1, [%3, #200]\n"
        "str    %0, [%3, #216]!\n"
        "strh   %w1, [%3, #-2]\n"
        "stur   %0, [%3, #-16]\n"         /* unscaled offset (all accesses stay aligned) */
        : "=&r"(r8), "=&r"(r9), "=&r"(r10), "+r"(p)
        : "r"(idx)
        : "memory");
    Digest d; dg_init(&d);
    dg_add(&d, r0); dg_add(&d, r1); dg_add(&d, r2); dg_add(&d, r3); dg_add(&d, r4); dg_add(&d, r5);
    dg_add(&d, r6); dg_add(&d, r7); dg_add(&d, r8); dg_add(&d, r9); dg_add(&d, r10);
    dg_add(&d, (uint64_t)(p - buf));
    for (int i = 0; i < 320; i++) dg_add(&d, buf[i]);
    return d.h;
}

struct rec { uint8_t tag; uint16_t a; uint32_t b; uint64_t c; int8_t s[5]; int16_t t; };

int main(void)
{
    uint64_t s = 3;
    for (int i = 0; i < 1024; i++) src[i] = (uint8_t)rng_next(&s);

    Digest d; dg_init(&d);
    for (int so = 0; so < 8; so++)
        for (int dof = 0; dof < 8; dof++)
            for (int n = 0; n < 70; n += 3) {
                fill(dst, 0xa5, 200);
                copy_bytes(dst + dof, src + so, (size_t)n);
                memcpy(dst + 100 + dof, src + so + 7, (size_t)n);
                for (int k = 0; k < 200; k += 7) dg_add(&d, dst[k]);
                dg_add(&d, memcmp(dst + dof, dst + 100 + dof, (size_t)n));
            }
    rt_printf("copies   %016lx\n", (unsigned long)d.h);

    dg_init(&d);
    copy_words((uint32_t *)dst, (const uint32_t *)src, 256);
    memmove(dst + 1, dst, 500);
    memmove(dst + 600, dst + 603, 300);
    memset(dst + 3, 0x5c, 77);
    fill(dst + 900, 0, 33);
    for (int i = 0; i < 1024; i++) dg_add(&d, dst[i]);
    const uint16_t *h = (const uint16_t *)src;
    const int16_t *sh = (const int16_t *)src;
    const int32_t *sw = (const int32_t *)src;
    const int8_t *sb = (const int8_t *)src;
    int64_t acc = 0;
    for (int i = 0; i < 512; i++) acc += h[i] - sh[i] + sb[i] * 3 + (sw[i / 2] >> 3);
    dg_add(&d, (uint64_t)acc);
    rt_printf("moves    %016lx\n", (unsigned long)d.h);

    for (int i = 0; i < 511; i++) str[i] = (char)('a' + (rng_next(&s) % 26));
    dg_init(&d);
    for (int i = 0; i < 200; i += 7) {
        str[i + 100] = 0;
        dg_add(&d, my_strlen(str + i));
        dg_add(&d, strlen(str + i + 1));
        dg_add(&d, (uint64_t)(int64_t)my_strcmp(str + i, str + i + 1));
        dg_add(&d, (uint64_t)(int64_t)my_strcmp(str + i, str + i));
        const char *p = my_strchr(str + i, 'q');
        dg_add(&d, p ? (uint64_t)(p - str) : 999);
        str[i + 100] = 'z';
    }
    rt_printf("strings  %016lx\n", (unsigned long)d.h);

    struct rec recs[16], copy[16];
    for (int i = 0; i < 16; i++) {
        recs[i] = (struct rec){(uint8_t)i, (uint16_t)(i * 1000), (uint32_t)rng_next(&s), rng_next(&s),
                               {(int8_t)-i, 2, 3, 4, (int8_t)(i * 20)}, (int16_t)(-300 * i)};
    }
    for (int i = 0; i < 16; i++) copy[15 - i] = recs[i];
    dg_init(&d);
    for (int i = 0; i < 16; i++) {
        dg_add(&d, copy[i].tag); dg_add(&d, copy[i].a); dg_add(&d, copy[i].b); dg_add(&d, copy[i].c);
        dg_add(&d, (uint64_t)(int64_t)copy[i].s[0]); dg_add(&d, (uint64_t)(int64_t)copy[i].s[4]);
        dg_add(&d, (uint64_t)(int64_t)copy[i].t);
    }
    rt_printf("structs  %016lx\n", (unsigned long)d.h);

    static uint8_t buf[320] __attribute__((aligned(16)));
    for (int i = 0; i < 320; i++) buf[i] = (uint8_t)(i * 37 + 11);
    rt_printf("asmmodes %016lx\n", (unsigned long)asm_modes(buf));
    return 0;
}
