/* Loops that gcc -O3 auto-vectorises (AdvSIMD): integer and float
 * reductions, element-wise arithmetic, saturating arithmetic, widening
 * multiply-accumulate, absolute differences, byte reversal and interleaving,
 * compare-and-select. At -O0/-O2 the same loops run scalar. Built with
 * -fassociative-math so float sums vectorise; results are printed as bits. */
#include "rt.h"

#define N 1024

static uint8_t u8a[N] __attribute__((aligned(16))), u8b[N] __attribute__((aligned(16))), u8c[N] __attribute__((aligned(16)));
static int8_t s8a[N] __attribute__((aligned(16)));
static int16_t s16a[N] __attribute__((aligned(16))), s16b[N] __attribute__((aligned(16))), s16c[N] __attribute__((aligned(16)));
static uint16_t u16a[N] __attribute__((aligned(16)));
static int32_t s32a[N] __attribute__((aligned(16))), s32b[N] __attribute__((aligned(16))), s32c[N] __attribute__((aligned(16)));
static uint32_t u32a[N] __attribute__((aligned(16)));
static int64_t s64a[N] __attribute__((aligned(16))), s64b[N] __attribute__((aligned(16)));
static float fa[N] __attribute__((aligned(16))), fb[N] __attribute__((aligned(16))), fc[N] __attribute__((aligned(16)));
static double da[N] __attribute__((aligned(16))), db[N] __attribute__((aligned(16)));

static __attribute__((noinline)) int32_t sum_s32(const int32_t *a, int n) { int32_t s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
static __attribute__((noinline)) uint32_t xor_u32(const uint32_t *a, int n) { uint32_t s = 0; for (int i = 0; i < n; i++) s ^= a[i]; return s; }
static __attribute__((noinline)) int32_t max_s32(const int32_t *a, int n) { int32_t m = INT32_MIN; for (int i = 0; i < n; i++) m = a[i] > m ? a[i] : m; return m; }
static __attribute__((noinline)) uint8_t min_u8(const uint8_t *a, int n) { uint8_t m = 255; for (int i = 0; i < n; i++) m = a[i] < m ? a[i] : m; return m; }
static __attribute__((noinline)) int64_t sum_s64(const int64_t *a, int n) { int64_t s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
static __attribute__((noinline)) uint32_t sum_u8(const uint8_t *a, int n) { uint32_t s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
static __attribute__((noinline)) int64_t dot_s16(const int16_t *a, const int16_t *b, int n) { int64_t s = 0; for (int i = 0; i < n; i++) s += (int32_t)a[i] * b[i]; return s; }
static __attribute__((noinline)) uint32_t sad_u8(const uint8_t *a, const uint8_t *b, int n) { uint32_t s = 0; for (int i = 0; i < n; i++) s += (uint32_t)__builtin_abs(a[i] - b[i]); return s; }
static __attribute__((noinline)) float sum_f32(const float *a, int n) { float s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
static __attribute__((noinline)) double dot_f64(const double *a, const double *b, int n) { double s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }
static __attribute__((noinline)) float max_f32(const float *a, int n) { float m = -1e30f; for (int i = 0; i < n; i++) m = a[i] > m ? a[i] : m; return m; }

static __attribute__((noinline)) void add_sat_u8(uint8_t *d, const uint8_t *a, const uint8_t *b, int n)
{ for (int i = 0; i < n; i++) { unsigned s = a[i] + b[i]; d[i] = s > 255 ? 255 : (uint8_t)s; } }
static __attribute__((noinline)) void sub_sat_u8(uint8_t *d, const uint8_t *a, const uint8_t *b, int n)
{ for (int i = 0; i < n; i++) d[i] = a[i] > b[i] ? (uint8_t)(a[i] - b[i]) : 0; }
static __attribute__((noinline)) void add_sat_s16(int16_t *d, const int16_t *a, const int16_t *b, int n)
{ for (int i = 0; i < n; i++) { int s = a[i] + b[i]; d[i] = (int16_t)(s > 32767 ? 32767 : s < -32768 ? -32768 : s); } }
static __attribute__((noinline)) void clamp_s32_to_u8(uint8_t *d, const int32_t *a, int n)
{ for (int i = 0; i < n; i++) { int32_t v = a[i] >> 20; d[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); } }
static __attribute__((noinline)) void avg_u8(uint8_t *d, const uint8_t *a, const uint8_t *b, int n)
{ for (int i = 0; i < n; i++) d[i] = (uint8_t)((a[i] + b[i] + 1) >> 1); }

static __attribute__((noinline)) void mla_s32(int32_t *d, const int32_t *a, const int32_t *b, int n)
{ for (int i = 0; i < n; i++) d[i] += a[i] * b[i] - (a[i] >> 3); }
static __attribute__((noinline)) void widen_mul(int32_t *d, const int16_t *a, const int16_t *b, int n)
{ for (int i = 0; i < n; i++) d[i] = (int32_t)a[i] * b[i]; }
static __attribute__((noinline)) void narrow(int16_t *d, const int32_t *a, int n)
{ for (int i = 0; i < n; i++) d[i] = (int16_t)(a[i] >> 7); }
static __attribute__((noinline)) void shifts(uint32_t *d, const uint32_t *a, const int32_t *b, int n)
{ for (int i = 0; i < n; i++) d[i] = (a[i] << 3) ^ (a[i] >> 11) ^ (uint32_t)(b[i] >> 5); }
static __attribute__((noinline)) void select_s32(int32_t *d, const int32_t *a, const int32_t *b, int n)
{ for (int i = 0; i < n; i++) d[i] = a[i] > b[i] ? a[i] - b[i] : (a[i] & 0xffff) | 1; }
static __attribute__((noinline)) void abs_s8(uint8_t *d, const int8_t *a, int n)
{ for (int i = 0; i < n; i++) d[i] = (uint8_t)(a[i] < 0 ? -a[i] : a[i]); }
static __attribute__((noinline)) void minmax_s16(int16_t *d, const int16_t *a, const int16_t *b, int n)
{ for (int i = 0; i < n; i++) { int16_t lo = a[i] < b[i] ? a[i] : b[i]; int16_t hi = a[i] < b[i] ? b[i] : a[i]; d[i] = (int16_t)(hi - (lo >> 2)); } }
static __attribute__((noinline)) void mul_u16(uint16_t *d, const uint16_t *a, int n)
{ for (int i = 0; i < n; i++) d[i] = (uint16_t)(a[i] * 40503u + 7); }
static __attribute__((noinline)) void add_s64(int64_t *d, const int64_t *a, const int64_t *b, int n)
{ for (int i = 0; i < n; i++) d[i] = a[i] + (b[i] << 1) - (a[i] >> 63); }

static __attribute__((noinline)) void reverse_u8(uint8_t *d, const uint8_t *a, int n)
{ for (int i = 0; i < n; i++) d[i] = a[n - 1 - i]; }
static __attribute__((noinline)) void interleave(uint8_t *d, const uint8_t *a, const uint8_t *b, int n)
{ for (int i = 0; i < n; i++) { d[2 * i] = a[i]; d[2 * i + 1] = b[i]; } }
static __attribute__((noinline)) void deinterleave(uint8_t *a, uint8_t *b, const uint8_t *s, int n)
{ for (int i = 0; i < n; i++) { a[i] = s[2 * i]; b[i] = s[2 * i + 1]; } }
static __attribute__((noinline)) void rgb_to_gray(uint8_t *d, const uint8_t *rgb, int n)
{ for (int i = 0; i < n; i++) d[i] = (uint8_t)((rgb[3 * i] * 77 + rgb[3 * i + 1] * 150 + rgb[3 * i + 2] * 29) >> 8); }
static __attribute__((noinline)) void bswap_u32(uint32_t *d, const uint32_t *a, int n)
{ for (int i = 0; i < n; i++) d[i] = __builtin_bswap32(a[i]); }
static __attribute__((noinline)) void lut_u8(uint8_t *d, const uint8_t *a, int n)
{ for (int i = 0; i < n; i++) d[i] = (uint8_t)((a[i] & 0xf) * 17 ^ (a[i] >> 4)); }

static __attribute__((noinline)) void saxpy(float *y, const float *x, float a, int n)
{ for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i]; }
static __attribute__((noinline)) void fops(float *d, const float *a, const float *b, int n)
{ for (int i = 0; i < n; i++) d[i] = (a[i] - b[i]) / (b[i] + 2.5f) + __builtin_sqrtf(a[i] * a[i] + 1.0f); }
static __attribute__((noinline)) void fconv(int32_t *d, float *f, const float *a, const int32_t *b, int n)
{ for (int i = 0; i < n; i++) { d[i] = (int32_t)(a[i] * 100.0f); f[i] = (float)b[i] * 0.25f; } }
static __attribute__((noinline)) void dops(double *d, const double *a, int n)
{ for (int i = 0; i < n; i++) d[i] = a[i] * a[i] - 0.5 * a[i] + (a[i] > 0 ? a[i] : -a[i]); }
static __attribute__((noinline)) void fminmax(float *d, const float *a, const float *b, int n)
{ for (int i = 0; i < n; i++) d[i] = __builtin_fmaxf(a[i], b[i]) - __builtin_fminf(a[i], 0.5f); }
static __attribute__((noinline)) void f2d(double *d, const float *a, int n)
{ for (int i = 0; i < n; i++) d[i] = (double)a[i] * 3.0; }

static uint64_t dg_bytes(const void *p, size_t n)
{
    Digest d; dg_init(&d);
    const uint8_t *b = p;
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t v = 0;
        for (int k = 0; k < 8; k++) v |= (uint64_t)b[i + k] << (8 * k);
        dg_add(&d, v);
    }
    return d.h;
}

int main(void)
{
    uint64_t s = 77;
    for (int i = 0; i < N; i++) {
        uint64_t r = rng_next(&s), q = rng_next(&s);
        u8a[i] = (uint8_t)r; u8b[i] = (uint8_t)(r >> 8); s8a[i] = (int8_t)(r >> 16);
        s16a[i] = (int16_t)(r >> 24); s16b[i] = (int16_t)(r >> 40); u16a[i] = (uint16_t)q;
        s32a[i] = (int32_t)(q >> 3); s32b[i] = (int32_t)(r >> 29); u32a[i] = (uint32_t)(q >> 17);
        s64a[i] = (int64_t)r; s64b[i] = (int64_t)q >> 2;
        fa[i] = (float)(int32_t)(r >> 40) / 1024.0f; fb[i] = (float)(int32_t)(q >> 44) / 512.0f + 0.75f;
        da[i] = (double)(int64_t)q / 1e12; db[i] = (double)(int32_t)r / 1e6;
    }
    s8a[5] = -128; s16a[7] = -32768; s16b[7] = -32768; s32a[9] = INT32_MIN;

    rt_printf("reduce   s32=%08x xor=%08x max=%08x minu8=%u s64=%016lx u8=%u\n", (uint32_t)sum_s32(s32a, N),
              xor_u32(u32a, N), (uint32_t)max_s32(s32a, N), min_u8(u8a + 3, N - 3), (unsigned long)sum_s64(s64a, N),
              sum_u8(u8a, N));
    rt_printf("reduce2  dot16=%016lx sad=%u\n", (unsigned long)dot_s16(s16a, s16b, N), sad_u8(u8a, u8b, N));
    rt_printf("freduce  sum=%08x dot=%016lx max=%08x\n", f32_bits(sum_f32(fa, N)),
              (unsigned long)f64_bits(dot_f64(da, db, N)), f32_bits(max_f32(fa, N - 1)));

    add_sat_u8(u8c, u8a, u8b, N);
    rt_printf("uqadd8   %016lx\n", (unsigned long)dg_bytes(u8c, N));
    sub_sat_u8(u8c, u8a, u8b, N);
    rt_printf("uqsub8   %016lx\n", (unsigned long)dg_bytes(u8c, N));
    add_sat_s16(s16c, s16a, s16b, N);
    rt_printf("sqadd16  %016lx\n", (unsigned long)dg_bytes(s16c, sizeof s16c));
    clamp_s32_to_u8(u8c, s32a, N);
    rt_printf("clamp    %016lx\n", (unsigned long)dg_bytes(u8c, N));
    avg_u8(u8c, u8a, u8b, N);
    rt_printf("avg      %016lx\n", (unsigned long)dg_bytes(u8c, N));

    for (int i = 0; i < N; i++) s32c[i] = i;
    mla_s32(s32c, s32a, s32b, N);
    rt_printf("mla32    %016lx\n", (unsigned long)dg_bytes(s32c, sizeof s32c));
    widen_mul(s32c, s16a, s16b, N);
    rt_printf("smull    %016lx\n", (unsigned long)dg_bytes(s32c, sizeof s32c));
    narrow(s16c, s32a, N);
    rt_printf("narrow   %016lx\n", (unsigned long)dg_bytes(s16c, sizeof s16c));
    shifts((uint32_t *)s32c, u32a, s32b, N);
    rt_printf("shifts   %016lx\n", (unsigned long)dg_bytes(s32c, sizeof s32c));
    select_s32(s32c, s32a, s32b, N);
    rt_printf("select   %016lx\n", (unsigned long)dg_bytes(s32c, sizeof s32c));
    abs_s8(u8c, s8a, N);
    rt_printf("abs8     %016lx\n", (unsigned long)dg_bytes(u8c, N));
    minmax_s16(s16c, s16a, s16b, N);
    rt_printf("minmax16 %016lx\n", (unsigned long)dg_bytes(s16c, sizeof s16c));
    mul_u16((uint16_t *)s16c, u16a, N);
    rt_printf("mul16    %016lx\n", (unsigned long)dg_bytes(s16c, sizeof s16c));
    add_s64(s64b, s64a, s64b, N);
    rt_printf("add64    %016lx\n", (unsigned long)dg_bytes(s64b, sizeof s64b));

    reverse_u8(u8c, u8a, N);
    rt_printf("reverse  %016lx\n", (unsigned long)dg_bytes(u8c, N));
    static uint8_t big[3 * N] __attribute__((aligned(16)));
    interleave(big, u8a, u8b, N);
    rt_printf("zip      %016lx\n", (unsigned long)dg_bytes(big, 2 * N));
    deinterleave(u8c, u8b, big + 2, N - 1);
    rt_printf("unzip    %016lx %016lx\n", (unsigned long)dg_bytes(u8c, N), (unsigned long)dg_bytes(u8b, N));
    for (int i = 0; i < 3 * N; i++) big[i] = (uint8_t)(i * 7 + (i >> 5));
    rgb_to_gray(u8c, big, N);
    rt_printf("gray     %016lx\n", (unsigned long)dg_bytes(u8c, N));
    bswap_u32((uint32_t *)s32c, u32a, N);
    rt_printf("bswap    %016lx\n", (unsigned long)dg_bytes(s32c, sizeof s32c));
    lut_u8(u8c, u8a, N);
    rt_printf("nibbles  %016lx\n", (unsigned long)dg_bytes(u8c, N));

    saxpy(fc, fa, 1.5f, N);
    rt_printf("saxpy    %016lx\n", (unsigned long)dg_bytes(fc, sizeof fc));
    fops(fc, fa, fb, N);
    rt_printf("fops     %016lx\n", (unsigned long)dg_bytes(fc, sizeof fc));
    fconv(s32c, fc, fa, s32b, N);
    rt_printf("fconv    %016lx %016lx\n", (unsigned long)dg_bytes(s32c, sizeof s32c), (unsigned long)dg_bytes(fc, sizeof fc));
    dops(db, da, N);
    rt_printf("dops     %016lx\n", (unsigned long)dg_bytes(db, sizeof db));
    fminmax(fc, fa, fb, N);
    rt_printf("fminmax  %016lx\n", (unsigned long)dg_bytes(fc, sizeof fc));
    f2d(db, fb, N);
    rt_printf("f2d      %016lx\n", (unsigned long)dg_bytes(db, sizeof db));
    return 0;
}
