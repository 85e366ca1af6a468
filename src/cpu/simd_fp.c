#include "cpu/insn.h"

bool decode_simd_fp(uint32_t raw, Insn *d)
{
    return false;
}
