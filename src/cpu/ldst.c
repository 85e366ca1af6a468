#include "cpu/insn.h"

bool decode_ldst(uint32_t raw, Insn *d)
{
    return false;
}
