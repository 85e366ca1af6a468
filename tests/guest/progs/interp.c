/* Interpreter-like control flow: a bytecode VM with a switch dispatch loop
 * (jump tables), the same VM with computed goto, recursion, function
 * pointers and a table-driven state machine. */
#include "rt.h"

enum { OP_PUSH, OP_ADD, OP_SUB, OP_MUL, OP_DUP, OP_SWAP, OP_JNZ, OP_DEC, OP_XOR, OP_SHL, OP_SHR,
       OP_LOAD, OP_STORE, OP_POP, OP_OVER, OP_HALT, OP_NEG, OP_AND, OP_LT, OP_CALL, OP_RET };

typedef struct { uint8_t op; int32_t arg; } Ins;

/* Program: regs[0] counts down from n; acc = acc*31 + i ^ (i<<3); call a helper. */
static const Ins prog[] = {
    {OP_PUSH, 0}, {OP_STORE, 1},           /* acc = 0 */
    /* loop at 2 */
    {OP_LOAD, 1}, {OP_PUSH, 31}, {OP_MUL, 0},
    {OP_LOAD, 0}, {OP_DUP, 0}, {OP_PUSH, 3}, {OP_SHL, 0}, {OP_XOR, 0}, {OP_ADD, 0},
    {OP_CALL, 20},
    {OP_STORE, 1},
    {OP_LOAD, 0}, {OP_DEC, 0}, {OP_DUP, 0}, {OP_STORE, 0},
    {OP_JNZ, 2},
    {OP_LOAD, 1}, {OP_HALT, 0},
    /* helper at 20: x -> x ^ (x >> 7) - (x < 1000) */
    {OP_DUP, 0}, {OP_PUSH, 7}, {OP_SHR, 0}, {OP_XOR, 0}, {OP_DUP, 0}, {OP_PUSH, 1000}, {OP_LT, 0},
    {OP_SUB, 0}, {OP_RET, 0},
};

static __attribute__((noinline)) int64_t run_switch(const Ins *code, int64_t n, uint64_t *steps)
{
    int64_t stack[64], regs[4] = {n, 0, 0, 0};
    int sp = 0, pc = 0, rsp = 0, rstack[16];
    uint64_t cnt = 0;
    for (;;) {
        const Ins *in = &code[pc++];
        cnt++;
        switch (in->op) {
        case OP_PUSH: stack[sp++] = in->arg; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] * (uint64_t)stack[sp]); break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_SWAP: { int64_t t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; break; }
        case OP_JNZ: if (stack[--sp]) pc = in->arg; break;
        case OP_DEC: stack[sp - 1]--; break;
        case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case OP_SHL: sp--; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] << (stack[sp] & 63)); break;
        case OP_SHR: sp--; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] >> (stack[sp] & 63)); break;
        case OP_LOAD: stack[sp++] = regs[in->arg]; break;
        case OP_STORE: regs[in->arg] = stack[--sp]; break;
        case OP_POP: sp--; break;
        case OP_OVER: stack[sp] = stack[sp - 2]; sp++; break;
        case OP_NEG: stack[sp - 1] = -stack[sp - 1]; break;
        case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_CALL: rstack[rsp++] = pc; pc = in->arg; break;
        case OP_RET: pc = rstack[--rsp]; break;
        case OP_HALT: *steps = cnt; return stack[sp - 1];
        default: *steps = cnt; return -1;
        }
    }
}

static __attribute__((noinline)) int64_t run_goto(const Ins *code, int64_t n, uint64_t *steps)
{
    static void *const labels[] = {
        [OP_PUSH] = &&l_push, [OP_ADD] = &&l_add, [OP_SUB] = &&l_sub, [OP_MUL] = &&l_mul, [OP_DUP] = &&l_dup,
        [OP_SWAP] = &&l_swap, [OP_JNZ] = &&l_jnz, [OP_DEC] = &&l_dec, [OP_XOR] = &&l_xor, [OP_SHL] = &&l_shl,
        [OP_SHR] = &&l_shr, [OP_LOAD] = &&l_load, [OP_STORE] = &&l_store, [OP_POP] = &&l_pop,
        [OP_OVER] = &&l_over, [OP_HALT] = &&l_halt, [OP_NEG] = &&l_neg, [OP_AND] = &&l_and,
        [OP_LT] = &&l_lt, [OP_CALL] = &&l_call, [OP_RET] = &&l_ret,
    };
    int64_t stack[64], regs[4] = {n, 0, 0, 0};
    int sp = 0, pc = 0, rsp = 0, rstack[16];
    uint64_t cnt = 0;
    const Ins *in;
#define NEXT do { in = &code[pc++]; cnt++; goto *labels[in->op]; } while (0)
    NEXT;
l_push: stack[sp++] = in->arg; NEXT;
l_add: sp--; stack[sp - 1] += stack[sp]; NEXT;
l_sub: sp--; stack[sp - 1] -= stack[sp]; NEXT;
l_mul: sp--; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] * (uint64_t)stack[sp]); NEXT;
l_dup: stack[sp] = stack[sp - 1]; sp++; NEXT;
l_swap: { int64_t t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; } NEXT;
l_jnz: if (stack[--sp]) pc = in->arg; NEXT;
l_dec: stack[sp - 1]--; NEXT;
l_xor: sp--; stack[sp - 1] ^= stack[sp]; NEXT;
l_shl: sp--; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] << (stack[sp] & 63)); NEXT;
l_shr: sp--; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] >> (stack[sp] & 63)); NEXT;
l_load: stack[sp++] = regs[in->arg]; NEXT;
l_store: regs[in->arg] = stack[--sp]; NEXT;
l_pop: sp--; NEXT;
l_over: stack[sp] = stack[sp - 2]; sp++; NEXT;
l_neg: stack[sp - 1] = -stack[sp - 1]; NEXT;
l_and: sp--; stack[sp - 1] &= stack[sp]; NEXT;
l_lt: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; NEXT;
l_call: rstack[rsp++] = pc; pc = in->arg; NEXT;
l_ret: pc = rstack[--rsp]; NEXT;
l_halt: *steps = cnt; return stack[sp - 1];
#undef NEXT
}

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int ackermann(int m, int n)
{
    if (m == 0) return n + 1;
    if (n == 0) return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

typedef uint64_t (*Fn)(uint64_t, uint64_t);
static uint64_t f_add(uint64_t a, uint64_t b) { return a + b; }
static uint64_t f_rot(uint64_t a, uint64_t b) { return (a << 13 | a >> 51) ^ b; }
static uint64_t f_mul(uint64_t a, uint64_t b) { return a * (b | 1); }
static uint64_t f_sub(uint64_t a, uint64_t b) { return a - (b >> 3); }
static Fn const fns[] = {f_add, f_rot, f_mul, f_sub};

/* A tokenizer state machine over generated text: counts words, numbers, lines. */
static void lexer(void)
{
    static char text[6000];
    uint64_t s = 99;
    const char alphabet[] = "abc xyz 0123 \n\t+-*/_Q9";
    for (unsigned i = 0; i < sizeof text - 1; i++) text[i] = alphabet[rng_next(&s) % (sizeof alphabet - 1)];
    enum { S_SPACE, S_WORD, S_NUM, S_OP } st = S_SPACE;
    unsigned words = 0, nums = 0, lines = 0, ops = 0;
    uint64_t numsum = 0, cur = 0;
    for (const char *p = text; *p; p++) {
        char ch = *p;
        int cls = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ? 1
                : (ch >= '0' && ch <= '9') ? 2
                : (ch == '+' || ch == '-' || ch == '*' || ch == '/') ? 3 : 0;
        if (ch == '\n') lines++;
        switch (st) {
        case S_SPACE:
        case S_OP:
            if (cls == 1) { st = S_WORD; words++; }
            else if (cls == 2) { st = S_NUM; nums++; cur = (uint64_t)(ch - '0'); }
            else if (cls == 3) { st = S_OP; ops++; }
            else st = S_SPACE;
            break;
        case S_WORD:
            if (cls == 0) st = S_SPACE;
            else if (cls == 3) { st = S_OP; ops++; }
            break;
        case S_NUM:
            if (cls == 2) cur = cur * 10 + (uint64_t)(ch - '0');
            else {
                numsum += cur;
                if (cls == 1) { st = S_WORD; words++; }
                else if (cls == 3) { st = S_OP; ops++; }
                else st = S_SPACE;
            }
            break;
        }
    }
    rt_printf("lexer    words=%u nums=%u lines=%u ops=%u numsum=%lu\n", words, nums, lines, ops,
              (unsigned long)numsum);
}

int main(void)
{
    uint64_t steps;
    int64_t r = run_switch(prog, 20000, &steps);
    rt_printf("switch   %016lx steps=%lu\n", (unsigned long)r, (unsigned long)steps);
    r = run_goto(prog, 20000, &steps);
    rt_printf("goto     %016lx steps=%lu\n", (unsigned long)r, (unsigned long)steps);
    rt_printf("fib(24)  %d\n", fib(24));
    rt_printf("ack(2,9) %d ack(3,5) %d\n", ackermann(2, 9), ackermann(3, 5));
    uint64_t acc = 1, s = 5;
    for (int i = 0; i < 20000; i++) acc = fns[rng_next(&s) & 3](acc, (uint64_t)i);
    rt_printf("fnptr    %016lx\n", (unsigned long)acc);
    lexer();
    return 0;
}
