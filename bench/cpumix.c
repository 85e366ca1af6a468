/* Mixed CPU benchmark workload (written for Tandem), repeated ITERS times:
 *   - integer: multiply, divide, bit counting and rotates over a hash chain
 *   - scalar FP: double and single multiply-add chains, division, sqrt,
 *     int/float and float/double conversions
 *   - AdvSIMD (arm_neon.h): integer (mla, saturating add, shifts, min/max,
 *     table lookup) and FP (fma, div, sqrt, pairwise reductions) vectors
 *   - memory: strided read-modify-write passes over a 384 KiB buffer
 *   - unpredictable branches: if-chains and a switch on random bits
 * Prints a checksum that does not depend on the instruction stream, so
 * Tandem and QEMU can be compared. */
#include "rt.h"
#include <arm_neon.h>

#ifndef ITERS
#define ITERS 40
#endif

#define BUF_WORDS (384 * 1024 / 4)
#define VEC_N 1024

static uint32_t buf[BUF_WORDS];
static float fa[VEC_N], fb[VEC_N];
static double da[VEC_N / 2];
static uint8_t bytes[VEC_N];

static uint64_t mix64(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t int_work(uint64_t seed)
{
    uint64_t h = seed, acc = 0;
    for (int i = 0; i < 2000; i++) {
        h = rng_next(&seed);
        uint32_t d = (uint32_t)(h >> 40) | 1;
        int64_t s = (int64_t)h >> 3;
        acc += (h % d) + (uint64_t)(s / (int64_t)(d | 3)) + (uint64_t)__builtin_popcountll(h);
        acc ^= (uint64_t)__builtin_clzll(h | 1) << (i & 31);
        acc = (acc << 13) | (acc >> 51);
        acc += (uint64_t)((uint32_t)h * (uint32_t)(h >> 32)) + ((unsigned __int128)h * acc >> 64);
    }
    return acc;
}

static uint64_t fp_work(int iter)
{
    double x = 1.0 + iter * 0.001, y = 0.5, z = 0.0;
    float fx = 1.25f + (float)iter * 0.01f, fy = 0.75f, fz = 0.0f;
    int64_t isum = 0;
    for (int i = 1; i <= 1500; i++) {
        x = __builtin_fma(x, 0.999999, y * 1e-6);
        y = y * 0.5 + x / (double)(i + 3);
        z += __builtin_sqrt(x * x + y * y) - (double)(int32_t)(x * 7.0);
        fx = __builtin_fmaf(fx, 0.99999f, fy * 1e-5f);
        fy = fy * 0.5f + fx / (float)(i + 1);
        fz += __builtin_sqrtf(fx + fy) * (float)(i & 15) - (float)(double)fy;
        isum += (int64_t)(z * 16.0) ^ (int64_t)(fz * 8.0f) ^ (int64_t)(uint32_t)(fx * 1000.0f);
        if (z > 1e6) z *= 1e-3;
        if (fz > 1e5f) fz *= 1e-3f;
    }
    uint64_t h = f64_bits(x) ^ (f64_bits(y) << 1) ^ f64_bits(z);
    h = mix64(h, f32_bits(fx) | (uint64_t)f32_bits(fy) << 32);
    return mix64(mix64(h, f32_bits(fz)), (uint64_t)isum);
}

static uint64_t simd_work(int iter)
{
    /* integer vectors */
    int32x4_t acc = vdupq_n_s32(iter), mx = vdupq_n_s32(INT32_MIN), mn = vdupq_n_s32(INT32_MAX);
    uint8x16_t bacc = vdupq_n_u8(0);
    const uint8x16_t perm = {15, 3, 7, 0, 12, 1, 9, 4, 2, 14, 6, 11, 5, 8, 13, 10};
    for (int i = 0; i + 4 <= BUF_WORDS / 8; i += 4) {
        int32x4_t v = vreinterpretq_s32_u32(vld1q_u32(&buf[i]));
        acc = vmlaq_s32(acc, v, vdupq_n_s32(i | 1));
        acc = veorq_s32(acc, vshrq_n_s32(v, 5));
        mx = vmaxq_s32(mx, v);
        mn = vminq_s32(mn, vshlq_n_s32(v, 1));
        uint8x16_t b = vreinterpretq_u8_s32(v);
        bacc = vqaddq_u8(vqtbl1q_u8(bacc, perm), vshrq_n_u8(b, 3));
    }
    uint64_t h = (uint64_t)(uint32_t)vaddvq_s32(acc);
    h = mix64(h, (uint64_t)(uint32_t)vmaxvq_s32(mx) << 32 | (uint32_t)vminvq_s32(mn));
    h = mix64(h, vaddlvq_u8(bacc));
    /* FP vectors: single and double precision */
    float32x4_t fs = vdupq_n_f32(0.0f), fscale = vdupq_n_f32(1.0f + (float)iter * 1e-3f);
    for (int i = 0; i < VEC_N; i += 4) {
        float32x4_t a = vld1q_f32(&fa[i]), b = vld1q_f32(&fb[i]);
        float32x4_t r = vfmaq_f32(b, a, fscale);
        r = vdivq_f32(r, vaddq_f32(vabsq_f32(a), vdupq_n_f32(1.0f)));
        r = vsqrtq_f32(vabsq_f32(r));
        vst1q_f32(&fb[i], vmulq_n_f32(vaddq_f32(b, r), 0.5f));
        fs = vaddq_f32(fs, r);
    }
    h = mix64(h, f32_bits(vaddvq_f32(fs)));
    float64x2_t ds = vdupq_n_f64(0.0);
    for (int i = 0; i < VEC_N / 2; i += 2) {
        float64x2_t a = vld1q_f64(&da[i]);
        float64x2_t c = vcvtq_f64_s64(vcvtq_s64_f64(vmulq_n_f64(a, 100.0)));
        ds = vfmaq_f64(ds, a, c);
        vst1q_f64(&da[i], vaddq_f64(vmulq_n_f64(a, 0.999), vdupq_n_f64(1e-3)));
    }
    h = mix64(h, f64_bits(vaddvq_f64(ds)));
    /* auto-vectorized byte loop */
    uint32_t bsum = 0;
    for (int i = 0; i < VEC_N; i++) {
        bytes[i] = (uint8_t)(bytes[i] * 3 + (uint8_t)i + (uint8_t)iter);
        bsum += bytes[i] ^ (uint8_t)(i >> 2);
    }
    return mix64(h, bsum);
}

static uint64_t mem_work(int iter)
{
    static const uint32_t strides[] = {1, 7, 64, 1031, 4099};
    uint64_t h = 0;
    for (unsigned s = 0; s < sizeof strides / sizeof strides[0]; s++) {
        uint32_t st = strides[s], idx = (uint32_t)iter * 977u % BUF_WORDS;
        for (int n = 0; n < 6000; n++) {
            uint32_t v = buf[idx];
            buf[idx] = v * 2654435761u + st;
            h += v;
            idx += st;
            if (idx >= BUF_WORDS) idx -= BUF_WORDS;
        }
    }
    return h;
}

static uint64_t branch_work(uint64_t seed)
{
    uint64_t acc = 0;
    for (int i = 0; i < 4000; i++) {
        uint64_t r = rng_next(&seed);
        if (r & 1) acc += r >> 7;
        else if (r & 2) acc ^= r << 3;
        else acc -= r;
        if ((r >> 8 & 7) < 3) acc = acc * 3 + 1;
        switch (r >> 16 & 7) {
        case 0: acc += 11; break;
        case 1: acc ^= 0x5555; break;
        case 2: acc = (acc >> 1) | (acc << 63); break;
        case 3: acc -= buf[r % BUF_WORDS]; break;
        case 4: acc += (r >> 20) % 13; break;
        case 5: acc *= 5; break;
        case 6: acc ^= acc >> 17; break;
        default: acc += (uint64_t)i; break;
        }
    }
    return acc;
}

int main(void)
{
    uint64_t seed = 0x1234567887654321ull;
    for (int i = 0; i < BUF_WORDS; i++) buf[i] = (uint32_t)rng_next(&seed);
    for (int i = 0; i < VEC_N; i++) {
        fa[i] = (float)((int32_t)(rng_next(&seed) >> 40) - (1 << 23)) / 65536.0f;
        fb[i] = (float)(i % 97) * 0.125f;
        bytes[i] = (uint8_t)i;
    }
    for (int i = 0; i < VEC_N / 2; i++) da[i] = (double)(i % 61) / 7.0 - 4.0;

    Digest d;
    dg_init(&d);
    for (int it = 0; it < ITERS; it++) {
        dg_add(&d, int_work(seed + (uint64_t)it));
        dg_add(&d, fp_work(it));
        dg_add(&d, simd_work(it));
        dg_add(&d, mem_work(it));
        dg_add(&d, branch_work(seed ^ (uint64_t)it << 32));
    }
    rt_printf("cpumix iterations=%d checksum=%016llx\n", ITERS, (unsigned long long)d.h);
    return 0;
}
