#include "cpu/insn.h"

bool decode_dp_reg(uint32_t raw, Insn *d)
{
    return false;
}
