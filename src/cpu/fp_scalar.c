#include "cpu/insn.h"

bool decode_fp_scalar(uint32_t raw, Insn *d)
{
    return false;
}
