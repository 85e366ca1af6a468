#include "cpu/exception.h"

uint32_t ldst_abort_iss(uint32_t raw)
{
    return 0;
}
