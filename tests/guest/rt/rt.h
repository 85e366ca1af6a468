/* Freestanding runtime for Tandem's guest test programs: UART output,
 * a small printf, exception hooks, power off. */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Register frame saved by the exception vectors (start.S). */
typedef struct RtFrame {
    uint64_t x[31];
    uint64_t elr, spsr, esr, far, sp_el0;
} RtFrame;

/* Vector index: 0-3 current EL with SP0, 4-7 current EL with SPx, 8-11 lower
 * EL AArch64, 12-15 lower EL AArch32; within each: sync, irq, fiq, serror. */
typedef int (*RtExcHook)(unsigned vec, RtFrame *f);
/* A hook returning nonzero resumes at f->elr; zero reports and powers off. */
extern RtExcHook rt_exc_hook;

void rt_putc(char c);
void rt_puts(const char *s);
/* %c %s %d %i %u %x %X %p with l/ll/z modifiers, flags 0 and -, width (or *), %%. */
int rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rt_vprintf(const char *fmt, va_list ap);
_Noreturn void rt_exit(void);
_Noreturn void rt_poweroff(void);

/* Running digest (FNV-1a over 64-bit words) for programs that print summaries. */
typedef struct Digest { uint64_t h; } Digest;
static inline void dg_init(Digest *d) { d->h = 0xcbf29ce484222325ull; }
static inline void dg_add(Digest *d, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        d->h ^= (v >> (8 * i)) & 0xff;
        d->h *= 0x100000001b3ull;
    }
}

/* Deterministic pseudo-random numbers (xorshift64*). */
static inline uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dull;
}

static inline uint64_t f64_bits(double d) { union { double d; uint64_t u; } v = {.d = d}; return v.u; }
static inline uint32_t f32_bits(float f) { union { float f; uint32_t u; } v = {.f = f}; return v.u; }
static inline double f64_from(uint64_t u) { union { double d; uint64_t u; } v = {.u = u}; return v.d; }
static inline float f32_from(uint32_t u) { union { float f; uint32_t u; } v = {.u = u}; return v.f; }

/* Keep the compiler from folding a value computed from constants. */
#define OPAQUE(x) ({ __typeof__(x) _v = (x); __asm__ volatile("" : "+r"(_v)); _v; })
#define OPAQUE_F(x) ({ __typeof__(x) _v = (x); __asm__ volatile("" : "+w"(_v)); _v; })

#define READ_SYSREG(name) ({ uint64_t _v; __asm__ volatile("mrs %0, " #name : "=r"(_v)); _v; })
#define WRITE_SYSREG(name, v) __asm__ volatile("msr " #name ", %0" ::"r"((uint64_t)(v)))

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
