#include "rt.h"

#define UART_BASE 0x09000000ul
#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)

RtExcHook rt_exc_hook;

static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

void rt_putc(char c)
{
    while (mmio_read32(UART_BASE + UART_FR) & UART_FR_TXFF)
        ;
    mmio_write32(UART_BASE + UART_DR, (uint8_t)c);
}

void rt_puts(const char *s)
{
    while (*s)
        rt_putc(*s++);
}

static int put_num(unsigned long long v, unsigned base, int upper, int neg, int width, int zero)
{
    char buf[24];
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0, out = 0;
    do {
        buf[n++] = digits[v % base];
        v /= base;
    } while (v);
    int len = n + neg;
    if (neg && zero) {
        rt_putc('-');
        out++;
    }
    for (; len < width; len++, out++)
        rt_putc(zero ? '0' : ' ');
    if (neg && !zero) {
        rt_putc('-');
        out++;
    }
    while (n)
        rt_putc(buf[--n]), out++;
    return out;
}

int rt_vprintf(const char *fmt, va_list ap)
{
    int out = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            rt_putc(*fmt);
            out++;
            continue;
        }
        fmt++;
        int zero = 0, width = 0, lng = 0, left = 0;
        for (;; fmt++) {
            if (*fmt == '0')
                zero = 1;
            else if (*fmt == '-')
                left = 1;
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        if (left)
            zero = 0;
        int start = out;
        while (*fmt == 'l' || *fmt == 'z')
            lng++, fmt++;
        switch (*fmt) {
        case 'c': rt_putc((char)va_arg(ap, int)); out++; break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int len = (int)strlen(s);
            for (; !left && len < width; len++, out++)
                rt_putc(' ');
            rt_puts(s);
            out += (int)strlen(s);
            break;
        }
        case 'd': case 'i': {
            long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);
            unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            out += put_num(u, 10, 0, v < 0, left ? 0 : width, zero);
            break;
        }
        case 'u': case 'x': case 'X': {
            unsigned long long v = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
            out += put_num(v, *fmt == 'u' ? 10 : 16, *fmt == 'X', 0, left ? 0 : width, zero);
            break;
        }
        case 'p':
            rt_puts("0x");
            out += 2 + put_num((uintptr_t)va_arg(ap, void *), 16, 0, 0, 16, 1);
            break;
        case '%': rt_putc('%'); out++; break;
        default: rt_putc('%'); rt_putc(*fmt); out += 2; break;
        case 0: return out;
        }
        for (; left && out - start < width; out++)
            rt_putc(' ');
    }
    return out;
}

int rt_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = rt_vprintf(fmt, ap);
    va_end(ap);
    return n;
}

void rt_exit(void)
{
    rt_puts("-- end --\n");
    rt_poweroff();
}

void rt_exception(unsigned vec, RtFrame *f)
{
    if (rt_exc_hook && rt_exc_hook(vec, f))
        return;
    rt_printf("UNEXPECTED EXCEPTION vec=%u esr=%08lx elr=%016lx far=%016lx spsr=%08lx\n", vec,
              (unsigned long)f->esr, (unsigned long)f->elr, (unsigned long)f->far, (unsigned long)f->spsr);
    rt_poweroff();
}

/* ---- the C library subset the compiler may call ---- */

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if ((((uintptr_t)dp | (uintptr_t)sp) & 7) == 0) {
        for (; n >= 8; n -= 8, dp += 8, sp += 8)
            *(uint64_t *)dp = *(const uint64_t *)sp;
    }
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp <= sp || dp >= sp + n)
        return memcpy(d, s, n);
    while (n--)
        dp[n] = sp[n];
    return d;
}

void *memset(void *d, int c, size_t n)
{
    unsigned char *dp = d;
    if (((uintptr_t)dp & 7) == 0) {
        uint64_t v = (uint8_t)c * 0x0101010101010101ull;
        for (; n >= 8; n -= 8, dp += 8)
            *(uint64_t *)dp = v;
    }
    while (n--)
        *dp++ = (unsigned char)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p < *q ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}
