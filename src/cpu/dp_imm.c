#include "cpu/insn.h"

bool decode_dp_imm(uint32_t raw, Insn *d)
{
    return false;
}
