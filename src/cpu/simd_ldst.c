#include "cpu/insn.h"

bool decode_simd_ldst(uint32_t raw, Insn *d)
{
    return false;
}
