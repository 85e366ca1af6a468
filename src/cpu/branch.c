#include "cpu/insn.h"

bool decode_branch(uint32_t raw, Insn *d)
{
    return false;
}
