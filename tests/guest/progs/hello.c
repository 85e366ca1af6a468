/* Smallest program: the runtime's UART output, printf formats and power off. */
#include "rt.h"

int main(void)
{
    rt_printf("hello from the guest\n");
    rt_printf("dec %d %i %u %ld %lu\n", -42, 7, 4000000000u, -9000000000000000000l, 18000000000000000000ul);
    rt_printf("hex %x %08x %lx %016lx %X\n", 0xbeefu, 0x1234u, 0xfedcba9876543210ul, 0x42ul, 0xabcu);
    rt_printf("str [%s] [%8s] chr %c pct %%\n", "abc", "right", 'Z');
    rt_printf("pad [%5d] [%05d] [%-4d] [%-6s] [%*x]\n", 42, -42, 7, "ab", 6, 0xfu);
    return 0;
}
