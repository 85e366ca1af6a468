/* Integer arithmetic and bit manipulation: add/sub with flags, shifts and
 * rotates, bit counts, byte reversal, bitfields, conditional selects,
 * extensions. Each section prints a digest of its results. */
#include "rt.h"

#define N 2000

static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint64_t rbit64(uint64_t x)
{
    uint64_t r;
    __asm__("rbit %0, %1" : "=r"(r) : "r"(x));
    return r;
}

static uint32_t rbit32_c(uint32_t x)
{
    uint32_t r = 0;
    for (int i = 0; i < 32; i++)
        r |= ((x >> i) & 1) << (31 - i);
    return r;
}

static int cls64(int64_t x)
{
    int r;
    __asm__("cls %x0, %x1" : "=r"(r) : "r"(x));
    return r;
}

struct bf {
    unsigned a : 3;
    signed b : 7;
    unsigned c : 13;
    signed d : 9;
    unsigned long e : 29;
    long f : 3;
};

static uint64_t inputs[N];

static void section_addsub(void)
{
    Digest d;
    dg_init(&d);
    for (int i = 0; i + 1 < N; i++) {
        uint64_t a = inputs[i], b = inputs[i + 1];
        uint64_t r;
        int64_t s;
        uint32_t r32;
        int32_t s32;
        dg_add(&d, a + b);
        dg_add(&d, a - b);
        dg_add(&d, __builtin_add_overflow(a, b, &r) * 2 + (r & 1));
        dg_add(&d, __builtin_sub_overflow(a, b, &r) * 2 + (r >> 63));
        dg_add(&d, __builtin_add_overflow((int64_t)a, (int64_t)b, &s) * 4 + (s < 0));
        dg_add(&d, __builtin_sub_overflow((int64_t)a, (int64_t)b, &s) * 4 + (s < 0));
        dg_add(&d, __builtin_add_overflow((uint32_t)a, (uint32_t)b, &r32) + r32);
        dg_add(&d, __builtin_sub_overflow((int32_t)a, (int32_t)b, &s32) + (uint32_t)s32);
        dg_add(&d, (int64_t)a < (int64_t)b);
        dg_add(&d, a < b);
        dg_add(&d, (int32_t)a <= (int32_t)b);
        dg_add(&d, (uint16_t)a > (uint16_t)b);
        dg_add(&d, -a);
        dg_add(&d, ~a + (b & 0xfff));
        dg_add(&d, a + (b << 12));
        dg_add(&d, a - (int64_t)(int8_t)b);
        dg_add(&d, a + (uint16_t)b);
        dg_add(&d, a - ((uint64_t)(uint32_t)b << 3));
        dg_add(&d, a + ((int64_t)(int32_t)b << 2));
    }
    /* 128-bit add/sub through adds/adc, subs/sbc */
    unsigned __int128 acc = 0;
    for (int i = 0; i < N; i++) {
        acc += ((unsigned __int128)inputs[i] << 64) | inputs[(i * 7) % N];
        acc -= inputs[(i * 3) % N];
    }
    dg_add(&d, (uint64_t)acc);
    dg_add(&d, (uint64_t)(acc >> 64));
    rt_printf("addsub   %016lx\n", (unsigned long)d.h);
}

static void section_logic(void)
{
    Digest d;
    dg_init(&d);
    for (int i = 0; i + 1 < N; i++) {
        uint64_t a = inputs[i], b = inputs[i + 1];
        unsigned sh = b & 63, sh32 = b & 31;
        dg_add(&d, a & b);
        dg_add(&d, a | ~b);
        dg_add(&d, a ^ (b >> 7));
        dg_add(&d, a & ~(b << 3));
        dg_add(&d, a << sh);
        dg_add(&d, a >> sh);
        dg_add(&d, (uint64_t)((int64_t)a >> sh));
        dg_add(&d, (a >> sh) | (a << ((64 - sh) & 63)));
        dg_add(&d, (uint32_t)a << sh32);
        dg_add(&d, (uint32_t)a >> sh32);
        dg_add(&d, (uint32_t)((int32_t)a >> sh32));
        dg_add(&d, ((uint32_t)a >> sh32) | ((uint32_t)a << ((32 - sh32) & 31)));
        dg_add(&d, a & 0x00ff00ff00ff00ffull);
        dg_add(&d, a | 0x8000000000000001ull);
        dg_add(&d, a ^ 0x5555555555555555ull);
        dg_add(&d, (uint32_t)a & 0x3ffc0u);
        dg_add(&d, (a & b) == 0);
        dg_add(&d, ((a >> 17) & 1) ? 11 : 22);
        dg_add(&d, (a & (1ull << 40)) ? 33 : 44);
    }
    rt_printf("logic    %016lx\n", (unsigned long)d.h);
}

static void section_bits(void)
{
    Digest d;
    dg_init(&d);
    for (int i = 0; i < N; i++) {
        uint64_t a = inputs[i] >> (i & 63);
        uint32_t a32 = (uint32_t)(inputs[i] >> (i % 40));
        dg_add(&d, a ? __builtin_clzll(a) : 64);
        dg_add(&d, a ? __builtin_ctzll(a) : 64);
        dg_add(&d, a32 ? __builtin_clz(a32) : 32);
        dg_add(&d, a32 ? __builtin_ctz(a32) : 32);
        dg_add(&d, __builtin_popcountll(a));
        dg_add(&d, __builtin_popcount(a32));
        dg_add(&d, __builtin_parityll(a));
        dg_add(&d, __builtin_bswap64(a));
        dg_add(&d, __builtin_bswap32(a32));
        dg_add(&d, __builtin_bswap16((uint16_t)a32));
        dg_add(&d, rbit64(a));
        dg_add(&d, rbit32_c(a32));
        dg_add(&d, cls64((int64_t)a));
        dg_add(&d, __builtin_clrsbll((int64_t)inputs[i]));
        dg_add(&d, __builtin_ffsll((long long)a));
        dg_add(&d, a & (a - 1));
        dg_add(&d, a & -a);
    }
    rt_printf("bits     %016lx\n", (unsigned long)d.h);
}

static void section_bitfield(void)
{
    Digest d;
    dg_init(&d);
    struct bf s = {0};
    for (int i = 0; i < N; i++) {
        uint64_t a = inputs[i];
        s.a += a;
        s.b = (signed)(a >> 5);
        s.c ^= a >> 11;
        s.d = s.d + (int)(a >> 29);
        s.e = (s.e * 3) ^ (a >> 33);
        s.f = (long)a;
        dg_add(&d, s.a);
        dg_add(&d, (uint64_t)(int64_t)s.b);
        dg_add(&d, s.c);
        dg_add(&d, (uint64_t)(int64_t)s.d);
        dg_add(&d, s.e);
        dg_add(&d, (uint64_t)s.f);
        dg_add(&d, (a >> 13) & 0x7ff);                     /* ubfx */
        dg_add(&d, (uint64_t)(((int64_t)a << 20) >> 44));  /* sbfx */
        dg_add(&d, (a & ~0xff0ull) | ((inputs[(i + 1) % N] & 0xff) << 4)); /* bfi */
        dg_add(&d, (uint64_t)(int64_t)(int8_t)a);
        dg_add(&d, (uint64_t)(int64_t)(int16_t)a);
        dg_add(&d, (uint64_t)(int64_t)(int32_t)a);
        dg_add(&d, (uint32_t)(int32_t)(int8_t)a);
        dg_add(&d, (uint8_t)(a >> 8));
        dg_add(&d, (uint16_t)(a >> 3));
    }
    rt_printf("bitfield %016lx\n", (unsigned long)d.h);
}

static __attribute__((noinline)) int64_t csel_mix(int64_t a, int64_t b, int i)
{
    int64_t r = 0;
    r += a > b ? a : b;
    r += a < 0 ? -a : a;
    r += (a == b) ? 1 : 0;
    r += (a != (b ^ 1)) ? r + 1 : r - 1;
    r += (uint64_t)a >= (uint64_t)b ? ~a : b;
    r += (i & 1) ? r : -r;
    r += (a & 7) == 3 ? 7 : 0;
    r ^= ((int32_t)a > (int32_t)b) + ((uint32_t)a < (uint32_t)b) * 2;
    if ((a > 0 && b < 0) || (a < -5 && b > 5))
        r += 100;
    if (a == 0x12345 || b == -77)
        r += 9;
    return r;
}

static void section_select(void)
{
    Digest d;
    dg_init(&d);
    for (int i = 0; i + 1 < N; i++) {
        int64_t a = (int64_t)inputs[i], b = (int64_t)inputs[i + 1];
        if (i % 5 == 0)
            b = a;
        if (i % 7 == 0)
            a = (int64_t)(uint32_t)a;
        dg_add(&d, (uint64_t)csel_mix(a, b, i));
        dg_add(&d, (uint64_t)csel_mix(b >> 40, a >> 40, i));
        dg_add(&d, (uint64_t)csel_mix(i - 1000, 0, i));
    }
    rt_printf("select   %016lx\n", (unsigned long)d.h);
}

int main(void)
{
    for (int i = 0; i < N; i++) {
        inputs[i] = rng_next(&seed);
        if (i % 17 == 0)
            inputs[i] = 0;
        if (i % 19 == 0)
            inputs[i] = ~0ull;
        if (i % 23 == 0)
            inputs[i] = 0x8000000000000000ull >> (i % 64);
        if (i % 29 == 0)
            inputs[i] = 0x7fffffffull + (uint64_t)i;
    }
    section_addsub();
    section_logic();
    section_bits();
    section_bitfield();
    section_select();
    return 0;
}
