#include "cpu/insn.h"

bool decode_simd_perm(uint32_t raw, Insn *d)
{
    return false;
}
