/* AdvSIMD through intrinsics, so every optimisation level executes the same
 * vector instructions: integer arithmetic, saturating and rounding forms
 * (with FPSR.QC), widening/narrowing, shifts, permutes, table lookups,
 * across-lane reductions, compares and bitwise selects, element moves and
 * vector floating point including estimates and conversions. */
#include <arm_neon.h>
#include "rt.h"

#define NV 12
static uint8_t vin[NV][16] __attribute__((aligned(16)));

static Digest dg;
static void add128(uint8x16_t v)
{
    uint64x2_t q = vreinterpretq_u64_u8(v);
    dg_add(&dg, vgetq_lane_u64(q, 0));
    dg_add(&dg, vgetq_lane_u64(q, 1));
}
static void add64(uint8x8_t v) { dg_add(&dg, vget_lane_u64(vreinterpret_u64_u8(v), 0)); }

#define A8 vld1q_u8(vin[i])
#define B8 vld1q_u8(vin[j])
#define S8(x) vreinterpretq_s8_u8(x)
#define U16(x) vreinterpretq_u16_u8(x)
#define S16(x) vreinterpretq_s16_u8(x)
#define U32(x) vreinterpretq_u32_u8(x)
#define S32(x) vreinterpretq_s32_u8(x)
#define U64(x) vreinterpretq_u64_u8(x)
#define S64(x) vreinterpretq_s64_u8(x)
#define F32(x) vreinterpretq_f32_u8(x)
#define F64(x) vreinterpretq_f64_u8(x)
/* OUT(tag(expr)) / OUT64(tag(expr)): digest any 128-/64-bit vector; the tag
 * names the element type for the reader and expands to nothing. */
#define OUT(x) do { union { __typeof__(x) t; uint8x16_t u; } _x = {.t = (x)}; add128(_x.u); } while (0)
#define OUT64(x) do { union { __typeof__(x) t; uint8x8_t u; } _x = {.t = (x)}; add64(_x.u); } while (0)
#define u8(e) (e)
#define s8(e) (e)
#define p8(e) (e)
#define u16(e) (e)
#define s16(e) (e)
#define u32(e) (e)
#define s32(e) (e)
#define u64(e) (e)
#define s64(e) (e)
#define f32(e) (e)
#define f64(e) (e)

static uint64_t clear_fpsr(uint8x16_t *a, uint8x16_t *b)
{
    __asm__ volatile("msr fpsr, xzr" : "+w"(*a), "+w"(*b));
    return 0;
}
static uint64_t read_fpsr(void) { uint64_t f; __asm__ volatile("mrs %0, fpsr" : "=r"(f) : : "memory"); return f; }

static void report(const char *name, uint64_t qc)
{
    rt_printf("%-9s %016lx", name, (unsigned long)dg.h);
    if (qc != ~0ull)
        rt_printf(" fpsr=%08lx", (unsigned long)qc);
    rt_printf("\n");
    dg_init(&dg);
}

static void integer_ops(void)
{
    for (int i = 0; i < NV; i++)
        for (int j = 0; j < NV; j++) {
            uint8x16_t a = A8, b = B8;
            OUT(u8(vaddq_u8(a, b))); OUT(u16(vsubq_u16(U16(a), U16(b)))); OUT(u32(vmulq_u32(U32(a), U32(b))));
            OUT(u16(vmlaq_u16(U16(a), U16(b), U16(a)))); OUT(u32(vmlsq_u32(U32(b), U32(a), U32(b))));
            OUT(s8(vabdq_s8(S8(a), S8(b)))); OUT(u16(vabdq_u16(U16(a), U16(b)))); OUT(s32(vabaq_s32(S32(a), S32(b), S32(a))));
            OUT(s16(vmaxq_s16(S16(a), S16(b)))); OUT(u32(vminq_u32(U32(a), U32(b)))); OUT(s8(vhaddq_s8(S8(a), S8(b))));
            OUT(u16(vrhaddq_u16(U16(a), U16(b)))); OUT(s32(vhsubq_s32(S32(a), S32(b)))); OUT(s8(vpaddq_s8(S8(a), S8(b))));
            OUT(u16(vpmaxq_u16(U16(a), U16(b)))); OUT(s32(vpminq_s32(S32(a), S32(b)))); OUT(u64(vaddq_u64(U64(a), U64(b))));
            OUT(s64(vsubq_s64(S64(a), S64(b)))); OUT(s8(vnegq_s8(S8(a)))); OUT(s16(vabsq_s16(S16(b))));
            OUT(u8(vmulq_u8(a, b))); OUT(p8(vmulq_p8(vreinterpretq_p8_u8(a), vreinterpretq_p8_u8(b))));
            OUT(s16(vmulq_n_s16(S16(a), 1234))); OUT(s32(vmlaq_laneq_s32(S32(a), S32(b), S32(a), 3)));
            OUT(s64(vabsq_s64(S64(a)))); OUT(s64(vnegq_s64(S64(b))));
        }
    report("int", ~0ull);
}

static void saturating_ops(void)
{
    for (int i = 0; i < NV; i++)
        for (int j = 0; j < NV; j++) {
            uint8x16_t a = A8, b = B8;
            clear_fpsr(&a, &b);
            uint8x16_t r1 = vqaddq_u8(a, b);
            int16x8_t r2 = vqsubq_s16(S16(a), S16(b));
            int32x4_t r3 = vqdmulhq_s32(S32(a), S32(b));
            int16x8_t r4 = vqrdmulhq_s16(S16(a), S16(b));
            int8x16_t r5 = vqabsq_s8(S8(a));
            int8x16_t r6 = vqnegq_s8(S8(b));
            int64x2_t r7 = vqaddq_s64(S64(a), S64(b));
            uint32x4_t r8 = vqsubq_u32(U32(a), U32(b));
            int16x8_t r9 = vqshlq_s16(S16(a), S16(b));
            uint8x16_t r10 = vqrshlq_u8(a, S8(b));
            int32x4_t r11 = vqdmlal_s16(S32(b), vget_low_s16(S16(a)), vget_high_s16(S16(b)));
            int8x8_t r12 = vqmovn_s16(S16(a));
            uint8x8_t r13 = vqmovun_s16(S16(b));
            uint16x4_t r14 = vqshrn_n_u32(U32(a), 5);
            int8x8_t r15 = vqrshrn_n_s16(S16(b), 3);
            int8x16_t r16 = vuqaddq_s8(S8(a), b);
            uint8x16_t r17 = vsqaddq_u8(a, S8(b));
            int32x4_t r18 = vqdmulhq_laneq_s32(S32(a), S32(b), 1);
            OUT(u8(r1)); OUT(s16(r2)); OUT(s32(r3)); OUT(s16(r4)); OUT(s8(r5)); OUT(s8(r6)); OUT(s64(r7));
            OUT(u32(r8)); OUT(s16(r9)); OUT(u8(r10)); OUT(s32(r11)); OUT64(s8(r12)); OUT64(u8(r13));
            OUT64(u16(r14)); OUT64(s8(r15)); OUT(s8(r16)); OUT(u8(r17)); OUT(s32(r18));
            __asm__ volatile("" ::"w"(r1), "w"(r2), "w"(r3), "w"(r4), "w"(r5), "w"(r6), "w"(r7), "w"(r8), "w"(r9),
                             "w"(r10), "w"(r11), "w"(r12), "w"(r13), "w"(r14), "w"(r15), "w"(r16), "w"(r17), "w"(r18));
            dg_add(&dg, read_fpsr());
        }
    report("saturate", ~0ull);
}

static void shift_ops(void)
{
    for (int i = 0; i < NV; i++)
        for (int j = 0; j < NV; j++) {
            uint8x16_t a = A8, b = B8;
            OUT(u8(vshlq_n_u8(a, 3))); OUT(s16(vshrq_n_s16(S16(a), 9))); OUT(u32(vshrq_n_u32(U32(a), 31)));
            OUT(s64(vrshrq_n_s64(S64(a), 17))); OUT(u16(vrsraq_n_u16(U16(a), U16(b), 4))); OUT(s8(vsraq_n_s8(S8(a), S8(b), 2)));
            OUT(s16(vshlq_s16(S16(a), S16(b)))); OUT(u32(vrshlq_u32(U32(a), S32(b)))); OUT(u8(vsliq_n_u8(a, b, 5)));
            OUT(u32(vsriq_n_u32(U32(a), U32(b), 13))); OUT(u64(vshlq_n_u64(U64(b), 63)));
            OUT64(u8(vshrn_n_u16(U16(a), 4))); OUT64(s16(vrshrn_n_s32(S32(b), 7)));
            OUT(s16(vshll_n_s8(vget_low_s8(S8(a)), 3))); OUT(u32(vshll_high_n_u16(U16(b), 16)));
            OUT(s32(vmovl_s16(vget_high_s16(S16(a))))); OUT(u64(vmovl_u32(vget_low_u32(U32(b)))));
            OUT64(u8(vmovn_u16(U16(a)))); OUT(s16(vaddl_s8(vget_low_s8(S8(a)), vget_low_s8(S8(b)))));
            OUT(u32(vsubw_u16(U32(a), vget_high_u16(U16(b))))); OUT(s64(vmull_s32(vget_low_s32(S32(a)), vget_high_s32(S32(b)))));
            OUT(u16(vmull_high_u8(a, b))); OUT(s32(vmlal_s16(S32(b), vget_low_s16(S16(a)), vget_low_s16(S16(b)))));
            OUT(u16(vabdl_u8(vget_low_u8(a), vget_high_u8(b)))); OUT(s16(vpaddlq_s8(S8(a)))); OUT(u32(vpadalq_u16(U32(b), U16(a))));
            OUT64(u8(vaddhn_u16(U16(a), U16(b)))); OUT64(s16(vrsubhn_s32(S32(a), S32(b))));
            OUT(u8(vqshlq_n_u8(a, 4)));
        }
    report("shift", ~0ull);
}

static void bit_ops(void)
{
    for (int i = 0; i < NV; i++)
        for (int j = 0; j < NV; j++) {
            uint8x16_t a = A8, b = B8, c = vld1q_u8(vin[(i + j) % NV]);
            OUT(u8(vandq_u8(a, b))); OUT(u8(vorrq_u8(a, b))); OUT(u8(veorq_u8(a, b))); OUT(u8(vbicq_u8(a, b)));
            OUT(u8(vornq_u8(a, b))); OUT(u8(vmvnq_u8(a))); OUT(u8(vbslq_u8(c, a, b))); OUT(u8(vcntq_u8(a)));
            OUT(s8(vclzq_s8(S8(a)))); OUT(s16(vclsq_s16(S16(b)))); OUT(u32(vclzq_u32(U32(a)))); OUT(u8(vrbitq_u8(b)));
            OUT(u8(vceqq_u8(a, b))); OUT(u16(vcgtq_s16(S16(a), S16(b)))); OUT(u32(vcgeq_u32(U32(a), U32(b))));
            OUT(u64(vcltq_s64(S64(a), S64(b)))); OUT(u8(vtstq_u8(a, b))); OUT(u16(vceqzq_u16(U16(a))));
            OUT(u32(vcltzq_s32(S32(b)))); OUT(u64(vcgtq_u64(U64(a), U64(b)))); OUT(u8(vrev64q_u8(a)));
            OUT(u16(vrev32q_u16(U16(b)))); OUT(u8(vrev16q_u8(a)));
            /* bit/bif through inline assembly (bsl is what the intrinsic gives) */
            uint8x16_t t = c;
            __asm__("bit %0.16b, %1.16b, %2.16b" : "+w"(t) : "w"(a), "w"(b));
            OUT(u8(t));
            t = c;
            __asm__("bif %0.16b, %1.16b, %2.16b" : "+w"(t) : "w"(a), "w"(b));
            OUT(u8(t));
        }
    report("bitwise", ~0ull);
}

static void permute_ops(void)
{
    for (int i = 0; i < NV; i++)
        for (int j = 0; j < NV; j++) {
            uint8x16_t a = A8, b = B8, idx = vandq_u8(vld1q_u8(vin[(i * 5 + j) % NV]), vdupq_n_u8(0x3f));
            OUT(u8(vzip1q_u8(a, b))); OUT(u16(vzip2q_u16(U16(a), U16(b)))); OUT(u32(vuzp1q_u32(U32(a), U32(b))));
            OUT(u8(vuzp2q_u8(a, b))); OUT(u16(vtrn1q_u16(U16(a), U16(b)))); OUT(u64(vtrn2q_u64(U64(a), U64(b))));
            OUT(u8(vextq_u8(a, b, 5))); OUT(u32(vextq_u32(U32(a), U32(b), 3))); OUT(u8(vqtbl1q_u8(a, idx)));
            uint8x16x2_t ab = {{a, b}};
            OUT(u8(vqtbl2q_u8(ab, idx))); OUT(u8(vqtbx1q_u8(b, a, idx)));
            uint8x16x4_t abcd = {{a, b, vaddq_u8(a, b), veorq_u8(a, b)}};
            OUT(u8(vqtbl4q_u8(abcd, vshlq_n_u8(idx, 1)))); OUT(u8(vqtbx4q_u8(a, abcd, idx)));
            OUT(u8(vdupq_laneq_u8(a, 13))); OUT(u16(vdupq_n_u16((uint16_t)vgetq_lane_u16(U16(b), 5))));
            OUT(u32(vsetq_lane_u32(vgetq_lane_u32(U32(b), 2), U32(a), 1)));
            OUT(u64(vcopyq_laneq_u64(U64(a), 0, U64(b), 1))); OUT(u8(vcombine_u8(vget_high_u8(a), vget_low_u8(b))));
            dg_add(&dg, (uint64_t)(int64_t)vgetq_lane_s8(S8(a), 7));
            dg_add(&dg, (uint64_t)(int64_t)vgetq_lane_s16(S16(b), 3));
            dg_add(&dg, (uint64_t)(int64_t)vgetq_lane_s32(S32(a), 2));
        }
    report("permute", ~0ull);
}

static void across_ops(void)
{
    for (int i = 0; i < NV; i++) {
        uint8x16_t a = vld1q_u8(vin[i]);
        dg_add(&dg, vaddvq_u8(a)); dg_add(&dg, (uint64_t)(int64_t)vaddvq_s16(S16(a))); dg_add(&dg, vaddvq_u32(U32(a)));
        dg_add(&dg, vmaxvq_u8(a)); dg_add(&dg, (uint64_t)(int64_t)vminvq_s8(S8(a))); dg_add(&dg, vmaxvq_u16(U16(a)));
        dg_add(&dg, (uint64_t)(int64_t)vminvq_s32(S32(a))); dg_add(&dg, vaddlvq_u8(a));
        dg_add(&dg, (uint64_t)vaddlvq_s16(S16(a))); dg_add(&dg, vaddlvq_u32(U32(a))); dg_add(&dg, vaddvq_u64(U64(a)));
    }
    report("across", ~0ull);
}

static void float_ops(void)
{
    static const float fs[] = {0.0f, -0.0f, 1.0f, -1.5f, 3.25f, 1e-40f, 1e30f, -7e-3f, 65504.0f, 0.1f,
                               1.0f / 0.0f, -1.0f / 0.0f, __builtin_nanf(""), __builtin_nansf(""), 2.5f, -2.5f};
    for (int i = 0; i < 16; i += 4)
        for (int j = 0; j < 16; j += 2) {
            float32x4_t a = vld1q_f32(&fs[i]), b = vld1q_f32(&fs[(j + 4) & 15 & ~3]);
            b = vextq_f32(b, vld1q_f32(&fs[j & 12]), 1);
            uint8x16_t ua = vreinterpretq_u8_f32(a), ub = vreinterpretq_u8_f32(b);
            clear_fpsr(&ua, &ub);
            a = vreinterpretq_f32_u8(ua); b = vreinterpretq_f32_u8(ub);
            float32x4_t r[16];
            r[0] = vaddq_f32(a, b); r[1] = vmulq_f32(a, b); r[2] = vdivq_f32(a, b); r[3] = vfmaq_f32(a, b, a);
            r[4] = vmaxq_f32(a, b); r[5] = vminnmq_f32(a, b); r[6] = vsqrtq_f32(a); r[7] = vrecpeq_f32(b);
            r[8] = vrsqrteq_f32(a); r[9] = vrecpsq_f32(a, b); r[10] = vpaddq_f32(a, b); r[11] = vabdq_f32(a, b);
            r[12] = vrndnq_f32(a); r[13] = vrndaq_f32(b); r[14] = vmulxq_f32(a, b); r[15] = vfmsq_laneq_f32(a, b, a, 2);
            for (int k = 0; k < 16; k++) OUT(f32(r[k]));
            OUT(u32(vcgtq_f32(a, b))); OUT(u32(vcleq_f32(a, b))); OUT(u32(vcageq_f32(a, b)));
            OUT(s32(vcvtq_s32_f32(a))); OUT(u32(vcvtnq_u32_f32(b))); OUT(s32(vcvtmq_s32_f32(a)));
            OUT(f32(vcvtq_f32_s32(S32(ua)))); OUT(f32(vcvtq_n_f32_u32(U32(ub), 8))); OUT(s32(vcvtq_n_s32_f32(a, 4)));
            float64x2_t d = vcvt_f64_f32(vget_low_f32(a)), e = vcvt_high_f64_f32(b);
            OUT(f64(d)); OUT(f64(e)); OUT(f64(vaddq_f64(d, e))); OUT(f64(vmulq_f64(d, e)));
            OUT(f64(vsqrtq_f64(e))); OUT(f64(vrndmq_f64(d))); OUT(s64(vcvtaq_s64_f64(e)));
            OUT64(f32(vcvt_f32_f64(vdivq_f64(d, e)))); OUT(f32(vcvt_high_f32_f64(vget_low_f32(a), e)));
            OUT64(f32(vcvtx_f32_f64(d)));
            dg_add(&dg, f32_bits(vmaxvq_f32(a))); dg_add(&dg, f32_bits(vminnmvq_f32(b)));
            dg_add(&dg, f64_bits(vpaddd_f64(e)));
            __asm__ volatile("" ::"w"(r[0]), "w"(r[1]), "w"(r[2]), "w"(r[3]), "w"(r[4]), "w"(r[5]), "w"(r[6]),
                             "w"(r[7]), "w"(r[8]), "w"(r[9]), "w"(r[10]), "w"(r[11]), "w"(r[12]), "w"(r[13]),
                             "w"(r[14]), "w"(r[15]));
            dg_add(&dg, read_fpsr());
        }
    report("float", ~0ull);
}

static void ldst_ops(void)
{
    static uint8_t buf[256] __attribute__((aligned(16)));
    for (int i = 0; i < 256; i++) buf[i] = (uint8_t)(i * 13 + 5);
    uint8x16x2_t l2 = vld2q_u8(buf);
    uint16x8x3_t l3 = vld3q_u16((const uint16_t *)(buf + 16));
    uint32x4x4_t l4 = vld4q_u32((const uint32_t *)(buf + 64));
    OUT(u8(l2.val[0])); OUT(u8(l2.val[1])); OUT(u16(l3.val[0])); OUT(u16(l3.val[2])); OUT(u32(l4.val[1])); OUT(u32(l4.val[3]));
    uint8x16_t dup = vld1q_dup_u8(buf + 77);
    OUT(u8(dup));
    uint32x4_t lane = vld1q_lane_u32((const uint32_t *)(buf + 12), vdupq_n_u32(7), 2);
    OUT(u32(lane));
    static uint8_t out[256] __attribute__((aligned(16)));
    vst2q_u8(out, l2);
    vst3q_u16((uint16_t *)(out + 32), l3);
    vst4q_u32((uint32_t *)(out + 80), l4);
    vst1q_lane_u16((uint16_t *)(out + 2), U16(dup), 5);
    uint8x16x4_t x4 = vld1q_u8_x4(buf + 128);
    vst1q_u8_x4(out + 160, x4);
    for (int i = 0; i < 256; i += 8) {
        uint64_t v = 0;
        for (int k = 0; k < 8; k++) v |= (uint64_t)out[i + k] << (8 * k);
        dg_add(&dg, v);
    }
    report("ldst", ~0ull);
}

int main(void)
{
    uint64_t s = 0xabcdef;
    for (int i = 0; i < NV; i++)
        for (int k = 0; k < 16; k++) vin[i][k] = (uint8_t)rng_next(&s);
    static const uint8_t specials[4] = {0x00, 0x7f, 0x80, 0xff};
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 16; k++) vin[i][k] = (k & 3) == 3 ? (uint8_t)rng_next(&s) : specials[(i + k) & 3];
    dg_init(&dg);
    integer_ops();
    saturating_ops();
    shift_ops();
    bit_ops();
    permute_ops();
    across_ops();
    float_ops();
    ldst_ops();
    return 0;
}
