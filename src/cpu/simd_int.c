#include "cpu/insn.h"

bool decode_simd_int(uint32_t raw, Insn *d)
{
    return false;
}
