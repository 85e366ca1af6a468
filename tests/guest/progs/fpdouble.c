/* Scalar double-precision arithmetic, FPSR flags, FPCR modes, NaN handling,
 * libm-free transcendentals and numeric kernels (template: fparith.inc). */
#include "rt.h"
#define T double
#define R "d"
#define BITS(x) f64_bits(x)
double vals[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, -2.5, 3.0, 0.1, 1.0 / 3.0, 3.141592653589793, 1e300, -1e300, 1e-300,
    4.9406564584124654e-324 /* min subnormal */, 2.2250738585072009e-308 /* max subnormal */,
    2.2250738585072014e-308 /* min normal */, 1.7976931348623157e308, 4503599627370496.5, 9007199254740993.0,
    -0.49999999999999994, 1e16, -123456.789, 1.0 / 0.0, -1.0 / 0.0, __builtin_nan(""), -__builtin_nan("0x5"),
    __builtin_nans(""), __builtin_nans("0x1234"), 0x1.fffffffffffffp-1, 0x1p-1022 * 3,
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
