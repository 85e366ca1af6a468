/* Scalar single-precision arithmetic, FPSR flags, FPCR modes, NaN handling,
 * libm-free transcendentals and numeric kernels (template: fparith.inc). */
#include "rt.h"
#define T float
#define R "s"
#define BITS(x) ((uint64_t)f32_bits(x))
float vals[] = {
    0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 1.5f, 2.5f, -2.5f, 3.0f, 0.1f, 1.0f / 3.0f, 3.14159265f, 1e38f, -1e38f, 1e-38f,
    1.40129846e-45f /* min subnormal */, 1.17549421e-38f /* max subnormal */, 1.17549435e-38f /* min normal */,
    3.40282347e38f, 8388608.5f, 16777217.0f, -0.49999997f, 1e8f, -12345.678f, 1.0f / 0.0f, -1.0f / 0.0f,
    __builtin_nanf(""), -__builtin_nanf("0x5"), __builtin_nansf(""), __builtin_nansf("0x1234"), 0x1.fffffep-1f,
    0x1p-126f * 3,
};
const int nvals = sizeof vals / sizeof vals[0];
#include "fparith.inc"

int main(void)
{
    instruction_tables();
    fpcr_modes();
    transcendental();
    kernels();
    nan_inf();
    return 0;
}
