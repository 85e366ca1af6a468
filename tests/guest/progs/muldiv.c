/* 64- and 32-bit multiply and divide, including the corner cases C cannot
 * express (division by zero, INT_MIN / -1), high halves, multiply-add and
 * widening forms, and 128-bit arithmetic through libgcc. */
#include "rt.h"

static uint64_t sdiv64(int64_t a, int64_t b) { int64_t r; __asm__("sdiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return (uint64_t)r; }
static uint64_t udiv64(uint64_t a, uint64_t b) { uint64_t r; __asm__("udiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint64_t sdiv32(int32_t a, int32_t b) { uint64_t r = ~0ull; __asm__("sdiv %w0, %w1, %w2" : "+r"(r) : "r"(a), "r"(b)); return r; }
static uint64_t udiv32(uint32_t a, uint32_t b) { uint64_t r = ~0ull; __asm__("udiv %w0, %w1, %w2" : "+r"(r) : "r"(a), "r"(b)); return r; }
static uint64_t umulh(uint64_t a, uint64_t b) { uint64_t r; __asm__("umulh %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint64_t smulh(uint64_t a, uint64_t b) { uint64_t r; __asm__("smulh %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint64_t madd(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; __asm__("madd %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c)); return r; }
static uint64_t msub(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; __asm__("msub %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c)); return r; }
static uint64_t madd32(uint64_t a, uint64_t b, uint64_t c) { uint64_t r = ~0ull; __asm__("madd %w0, %w1, %w2, %w3" : "+r"(r) : "r"(a), "r"(b), "r"(c)); return r; }
static uint64_t msub32(uint64_t a, uint64_t b, uint64_t c) { uint64_t r = ~0ull; __asm__("msub %w0, %w1, %w2, %w3" : "+r"(r) : "r"(a), "r"(b), "r"(c)); return r; }
static uint64_t smaddl(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; __asm__("smaddl %0, %w1, %w2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c)); return r; }
static uint64_t umaddl(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; __asm__("umaddl %0, %w1, %w2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c)); return r; }
static uint64_t smsubl(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; __asm__("smsubl %0, %w1, %w2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c)); return r; }
static uint64_t umsubl(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; __asm__("umsubl %0, %w1, %w2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c)); return r; }

static const uint64_t special[] = {
    0, 1, 2, 3, 7, 10, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull, 0xfffffffffffffffeull,
    0x8000000000000001ull, 0xffffffff80000000ull, 0x123456789abcdef0ull, 0xfedcba9876543210ull,
    0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull, 0x0000000100000001ull, 12345, (uint64_t)-12345,
};
#define NSPECIAL (sizeof special / sizeof special[0])

static void corner_cases(void)
{
    /* Printed one per line so a wrong corner is easy to spot. */
    rt_printf("sdiv64 min/-1 %016lx\n", (unsigned long)sdiv64(INT64_MIN, -1));
    rt_printf("sdiv64 x/0    %016lx\n", (unsigned long)sdiv64(12345, 0));
    rt_printf("udiv64 x/0    %016lx\n", (unsigned long)udiv64(~0ull, 0));
    rt_printf("sdiv32 min/-1 %016lx\n", (unsigned long)sdiv32(INT32_MIN, -1));
    rt_printf("sdiv32 x/0    %016lx\n", (unsigned long)sdiv32(-5, 0));
    rt_printf("udiv32 x/0    %016lx\n", (unsigned long)udiv32(7, 0));
    rt_printf("sdiv64 -7/2   %016lx\n", (unsigned long)sdiv64(-7, 2));
    rt_printf("sdiv32 7/-2   %016lx\n", (unsigned long)sdiv32(7, -2));
    rt_printf("umulh max     %016lx\n", (unsigned long)umulh(~0ull, ~0ull));
    rt_printf("smulh min,min %016lx\n", (unsigned long)smulh(1ull << 63, 1ull << 63));
    rt_printf("smulh -1,max  %016lx\n", (unsigned long)smulh(~0ull, ~0ull >> 1));
    rt_printf("madd32 hi     %016lx\n", (unsigned long)madd32(0xffffffff00000003ull, 5, 0x100000000ull));
    rt_printf("smaddl        %016lx\n", (unsigned long)smaddl(0x80000000u, 0x7fffffffu, 1));
    rt_printf("umaddl        %016lx\n", (unsigned long)umaddl(0xffffffffu, 0xffffffffu, 0xffffffffu));
}

static void table(void)
{
    Digest d;
    dg_init(&d);
    for (unsigned i = 0; i < NSPECIAL; i++)
        for (unsigned j = 0; j < NSPECIAL; j++) {
            uint64_t a = special[i], b = special[j], c = special[(i + j) % NSPECIAL];
            dg_add(&d, a * b);
            dg_add(&d, (uint32_t)a * (uint32_t)b);
            dg_add(&d, umulh(a, b));
            dg_add(&d, smulh(a, b));
            dg_add(&d, sdiv64((int64_t)a, (int64_t)b));
            dg_add(&d, udiv64(a, b));
            dg_add(&d, sdiv32((int32_t)a, (int32_t)b));
            dg_add(&d, udiv32((uint32_t)a, (uint32_t)b));
            dg_add(&d, madd(a, b, c));
            dg_add(&d, msub(a, b, c));
            dg_add(&d, madd32(a, b, c));
            dg_add(&d, msub32(a, b, c));
            dg_add(&d, smaddl(a, b, c));
            dg_add(&d, umaddl(a, b, c));
            dg_add(&d, smsubl(a, b, c));
            dg_add(&d, umsubl(a, b, c));
        }
    rt_printf("table         %016lx\n", (unsigned long)d.h);
}

static void random_c(void)
{
    Digest d;
    dg_init(&d);
    uint64_t s = 42;
    for (int i = 0; i < 3000; i++) {
        uint64_t a = rng_next(&s), b = rng_next(&s) >> (i % 64);
        int64_t sa = (int64_t)a >> (i % 13), sb = (int64_t)b;
        if (b != 0) {
            dg_add(&d, a / b);
            dg_add(&d, a % b);
        }
        if (sb != 0 && !(sa == INT64_MIN && sb == -1)) {
            dg_add(&d, (uint64_t)(sa / sb));
            dg_add(&d, (uint64_t)(sa % sb));
        }
        uint32_t a32 = (uint32_t)a, b32 = (uint32_t)(b >> 3) | 1;
        dg_add(&d, a32 / b32 + a32 % b32);
        dg_add(&d, (uint64_t)((int32_t)a32 / (int32_t)(b32 | 2)));
        dg_add(&d, a * 10 / 7);
        dg_add(&d, a / 1000000007ull);
        dg_add(&d, (uint64_t)(sa / 13));
        dg_add(&d, (uint64_t)((int32_t)a32 % 100));
        unsigned __int128 p = (unsigned __int128)a * b;
        __int128 sp = (__int128)sa * sb;
        dg_add(&d, (uint64_t)p ^ (uint64_t)(p >> 64));
        dg_add(&d, (uint64_t)sp ^ (uint64_t)(sp >> 64));
        if (b != 0) {
            unsigned __int128 q = p / (b | 1);
            dg_add(&d, (uint64_t)q ^ (uint64_t)(q >> 64));
            dg_add(&d, (uint64_t)(p % ((unsigned __int128)b << 17 | 5)));
        }
        dg_add(&d, (uint64_t)(uint32_t)(a32 * b32));
        dg_add(&d, (uint64_t)(int64_t)(int32_t)a32 * (int64_t)(int32_t)b32);
        dg_add(&d, (uint64_t)a32 * b32 + a);
    }
    rt_printf("random        %016lx\n", (unsigned long)d.h);
}

/* Integer square root, gcd and modular exponentiation: divide-heavy kernels. */
static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m)
{
    unsigned __int128 r = 1, x = b % m;
    while (e) {
        if (e & 1)
            r = r * x % m;
        x = x * x % m;
        e >>= 1;
    }
    return (uint64_t)r;
}

static void kernels(void)
{
    Digest d;
    dg_init(&d);
    uint64_t s = 7;
    for (int i = 0; i < 200; i++) {
        uint64_t a = rng_next(&s), b = rng_next(&s);
        dg_add(&d, gcd(a, b));
        dg_add(&d, gcd(a & 0xffffff, b & 0xfff000));
        dg_add(&d, powmod(a, b, 0xffffffffffffffc5ull));
        dg_add(&d, powmod(a, b >> 40, 1000000007));
    }
    rt_printf("kernels       %016lx\n", (unsigned long)d.h);
}

int main(void)
{
    corner_cases();
    table();
    random_c();
    kernels();
    return 0;
}
