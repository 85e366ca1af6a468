/* Conversions: float<->double, float/double<->int (all FCVT* rounding
 * variants, saturation, NaN), fixed-point forms, SCVTF/UCVTF with rounding
 * in every FPCR mode, FMOV immediates and register moves. */
#include "rt.h"

double dv[] = {
    0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, 1e10, -1e10, 2147483647.5, 2147483648.0,
    -2147483648.5, -2147483649.0, 4294967295.7, 4294967296.0, 9.2233720368547758e18, -9.2233720368547758e18,
    1.8446744073709552e19, 1e30, -1e30, 123.456, -0.0001, 4.9406564584124654e-324, 1.0 / 0.0, -1.0 / 0.0,
    __builtin_nan(""), __builtin_nans(""), 3.4028235677973366e38, 3.4028236e38, 1e-40, 1.00000005960464478,
};
const int ndv = sizeof dv / sizeof dv[0];

#define CV(ins, dst, src, out)                                                                              \
    __asm__ volatile("msr fpsr, xzr\n\t" ins " %" dst "0, %" src "2\n\tmrs %1, fpsr" : "=r"(out), "=r"(f)  \
                     : "w"(x))

static void to_int(Digest *d, double xd, uint64_t *all)
{
    uint64_t r, f;
    float xf = (float)xd;
#define BOTH(ins)                                                                 \
    do {                                                                          \
        double x = xd;                                                            \
        CV(ins, "x", "d", r); dg_add(d, r); dg_add(d, f); *all |= f;              \
        CV(ins, "w", "d", r); dg_add(d, r); dg_add(d, f); *all |= f;              \
    } while (0);                                                                  \
    do {                                                                          \
        float x = xf;                                                             \
        CV(ins, "x", "s", r); dg_add(d, r); dg_add(d, f); *all |= f;              \
        CV(ins, "w", "s", r); dg_add(d, r); dg_add(d, f); *all |= f;              \
    } while (0)
    BOTH("fcvtzs"); BOTH("fcvtzu"); BOTH("fcvtns"); BOTH("fcvtnu"); BOTH("fcvtas"); BOTH("fcvtau");
    BOTH("fcvtms"); BOTH("fcvtmu"); BOTH("fcvtps"); BOTH("fcvtpu");
#undef BOTH
}

static void fixed_point(Digest *d, double x, uint64_t *all)
{
    uint64_t r, f;
    __asm__ volatile("msr fpsr, xzr\n\tfcvtzs %0, %d2, #16\n\tmrs %1, fpsr" : "=r"(r), "=r"(f) : "w"(x));
    dg_add(d, r); dg_add(d, f); *all |= f;
    __asm__ volatile("msr fpsr, xzr\n\tfcvtzu %w0, %d2, #31\n\tmrs %1, fpsr" : "=r"(r), "=r"(f) : "w"(x));
    dg_add(d, r); dg_add(d, f); *all |= f;
    __asm__ volatile("msr fpsr, xzr\n\tfcvtzs %w0, %s2, #1\n\tmrs %1, fpsr" : "=r"(r), "=r"(f) : "w"((float)x));
    dg_add(d, r); dg_add(d, f); *all |= f;
    __asm__ volatile("msr fpsr, xzr\n\tfcvtzu %0, %s2, #64\n\tmrs %1, fpsr" : "=r"(r), "=r"(f) : "w"((float)x));
    dg_add(d, r); dg_add(d, f); *all |= f;
}

static const uint64_t ints[] = {
    0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000001ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
    0xffffffffffffffffull, 0x20000000000001ull, 0x20000000000003ull, 0x1000001, 0x1000003, 0xfffffe80,
    0x123456789abcdefull, (uint64_t)-3, (uint64_t)-16777217, 12345678901234567ull,
};

static void from_int(Digest *d, uint64_t v, uint64_t *all)
{
    uint64_t f;
    double rd;
    float rf;
#define FI(ins, dreg, sreg, out, reg)                                                                     \
    __asm__ volatile("msr fpsr, xzr\n\t" ins " %" dreg "0, %" sreg "2\n\tmrs %1, fpsr" : "=w"(out), "=r"(f) \
                     : "r"(reg));                                                                        \
    dg_add(d, sizeof(out) == 8 ? f64_bits(out) : f32_bits(out)); dg_add(d, f); *all |= f
    FI("scvtf", "d", "x", rd, v); FI("ucvtf", "d", "x", rd, v);
    FI("scvtf", "s", "x", rf, v); FI("ucvtf", "s", "x", rf, v);
    FI("scvtf", "d", "w", rd, v); FI("ucvtf", "d", "w", rd, v);
    FI("scvtf", "s", "w", rf, v); FI("ucvtf", "s", "w", rf, v);
#undef FI
    __asm__ volatile("msr fpsr, xzr\n\tscvtf %d0, %2, #12\n\tmrs %1, fpsr" : "=w"(rd), "=r"(f) : "r"(v));
    dg_add(d, f64_bits(rd)); dg_add(d, f);
    __asm__ volatile("msr fpsr, xzr\n\tucvtf %s0, %w2, #32\n\tmrs %1, fpsr" : "=w"(rf), "=r"(f) : "r"(v));
    dg_add(d, f32_bits(rf)); dg_add(d, f);
}

static void precision(Digest *d, double x, uint64_t *all)
{
    uint64_t f;
    float rf;
    double rd;
    __asm__ volatile("msr fpsr, xzr\n\tfcvt %s0, %d2\n\tmrs %1, fpsr" : "=w"(rf), "=r"(f) : "w"(x));
    dg_add(d, f32_bits(rf)); dg_add(d, f); *all |= f;
    __asm__ volatile("msr fpsr, xzr\n\tfcvt %d0, %s2\n\tmrs %1, fpsr" : "=w"(rd), "=r"(f) : "w"(rf));
    dg_add(d, f64_bits(rd)); dg_add(d, f); *all |= f;
}

static void set_fpcr(uint64_t v) { __asm__ volatile("msr fpcr, %0\n\tisb" ::"r"(v)); }

int main(void)
{
    static const char *const mode_names[] = {"rn", "rp", "rm", "rz"};
    for (unsigned m = 0; m < 4; m++) {
        Digest a, b, c, e;
        dg_init(&a); dg_init(&b); dg_init(&c); dg_init(&e);
        uint64_t fa = 0, fb = 0, fc = 0, fe = 0;
        set_fpcr((uint64_t)m << 22);
        for (int i = 0; i < ndv; i++) {
            to_int(&a, dv[i], &fa);
            fixed_point(&b, dv[i], &fb);
            precision(&c, dv[i], &fc);
        }
        for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++)
            from_int(&e, ints[i], &fe);
        set_fpcr(0);
        rt_printf("%s fcvt-int %016lx %02lx\n", mode_names[m], (unsigned long)a.h, (unsigned long)fa);
        rt_printf("%s fixed    %016lx %02lx\n", mode_names[m], (unsigned long)b.h, (unsigned long)fb);
        rt_printf("%s fcvt-fp  %016lx %02lx\n", mode_names[m], (unsigned long)c.h, (unsigned long)fc);
        rt_printf("%s int-fp   %016lx %02lx\n", mode_names[m], (unsigned long)e.h, (unsigned long)fe);
    }
    /* A few individual results, one per line. */
    for (int i = 0; i < ndv; i += 4) {
        uint64_t r, f;
        double x = dv[i];
        CV("fcvtzs", "x", "d", r);
        rt_printf("fcvtzs(%016lx) = %016lx fpsr=%02lx\n", (unsigned long)f64_bits(x), (unsigned long)r,
                  (unsigned long)f);
    }

    /* C-level conversions (compiler picks the instructions). */
    Digest d; dg_init(&d);
    for (int i = 0; i < ndv; i++) {
        double x = dv[i];
        if (x == x && x > -9e18 && x < 9e18) {
            dg_add(&d, (uint64_t)(int64_t)x);
            dg_add(&d, (uint64_t)__builtin_llround(x));
            dg_add(&d, (uint64_t)__builtin_llrint(x));
            dg_add(&d, f64_bits(__builtin_floor(x)));
            dg_add(&d, f64_bits(__builtin_ceil(x)));
            dg_add(&d, f64_bits(__builtin_trunc(x)));
            dg_add(&d, f64_bits(__builtin_round(x)));
            dg_add(&d, f64_bits(__builtin_nearbyint(x)));
        }
        if (x == x && x > -2e9 && x < 2e9)
            dg_add(&d, (uint64_t)(int32_t)(float)x);
        if (x == x && x >= 0 && x < 1.8e19)
            dg_add(&d, (uint64_t)x);
        dg_add(&d, f32_bits((float)x));
        dg_add(&d, f64_bits((double)(float)x));
    }
    for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        uint64_t v = ints[i];
        dg_add(&d, f64_bits((double)v));
        dg_add(&d, f64_bits((double)(int64_t)v));
        dg_add(&d, f32_bits((float)v));
        dg_add(&d, f32_bits((float)(int32_t)v));
        dg_add(&d, f64_bits((double)(uint32_t)v));
        dg_add(&d, f64_bits((double)(int16_t)v));
    }
    rt_printf("c-conv   %016lx\n", (unsigned long)d.h);

    /* FMOV immediates and moves between register files. */
    double imm[8];
    float immf[4];
    __asm__ volatile("fmov %d0, #1.0\n\tfmov %d1, #-2.5\n\tfmov %d2, #0.125\n\tfmov %d3, #31.0\n\t"
                     "fmov %d4, #-0.1875\n\tfmov %d5, #1.9375\n\tfmov %d6, #16.0\n\tfmov %d7, #0.25"
                     : "=w"(imm[0]), "=w"(imm[1]), "=w"(imm[2]), "=w"(imm[3]), "=w"(imm[4]), "=w"(imm[5]),
                       "=w"(imm[6]), "=w"(imm[7]));
    __asm__ volatile("fmov %s0, #3.0\n\tfmov %s1, #-0.5\n\tfmov %s2, #15.5\n\tfmov %s3, #0.1328125"
                     : "=w"(immf[0]), "=w"(immf[1]), "=w"(immf[2]), "=w"(immf[3]));
    dg_init(&d);
    for (int i = 0; i < 8; i++) dg_add(&d, f64_bits(imm[i]));
    for (int i = 0; i < 4; i++) dg_add(&d, f32_bits(immf[i]));
    uint64_t gp, hi, lo32;
    __asm__ volatile("fmov d1, %3\n\tfmov v1.d[1], %4\n\tfmov %0, v1.d[1]\n\tfmov %w1, s1\n\tfmov %2, d1"
                     : "=r"(hi), "=r"(lo32), "=r"(gp) : "r"(0x0123456789abcdefull), "r"(0xfedcba9876543210ull)
                     : "v1");
    dg_add(&d, lo32);
    dg_add(&d, hi);
    dg_add(&d, gp);
    rt_printf("fmov     %016lx\n", (unsigned long)d.h);
    return 0;
}
