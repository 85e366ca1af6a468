/* The ARMv8.0 Cryptographic Extension: AESE/AESD/AESMC/AESIMC, SHA1C/P/M/H,
 * SHA1SU0/SU1, SHA256H/H2/SU0/SU1 and PMULL/PMULL2 with 64-bit elements, as
 * the Arm ARM's pseudocode defines them, in portable C: one guest
 * instruction is one handler doing a whole round step. The AES S-boxes are
 * derived once, before main, from their definition (multiplicative inverse
 * in GF(2^8) followed by the affine map). */
#include <string.h>

#include "cpu/alu.h"
#include "cpu/insn.h"

#define H static const Insn *

/* ---- AES ---- */

static uint8_t aes_sbox[256], aes_inv_sbox[256];

static uint8_t gf_mul(uint8_t a, uint8_t b) /* in GF(2^8) mod x^8+x^4+x^3+x+1 */
{
    uint8_t p = 0;
    for (int i = 0; i < 8; i++, b >>= 1) {
        p ^= (uint8_t)(a & -(b & 1));
        a = (uint8_t)((a << 1) ^ (0x1b & -(a >> 7)));
    }
    return p;
}

static uint8_t rotl8(uint8_t x, int n) { return (uint8_t)(x << n | x >> (8 - n)); }

__attribute__((constructor)) static void aes_sboxes_init(void)
{
    for (unsigned x = 0; x < 256; x++) {
        uint8_t inv = 0; /* 0 maps to 0 */
        for (unsigned y = 1; y < 256 && x; y++)
            if (gf_mul((uint8_t)x, (uint8_t)y) == 1) {
                inv = (uint8_t)y;
                break;
            }
        uint8_t s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
        aes_sbox[x] = s;
        aes_inv_sbox[s] = (uint8_t)x;
    }
}

/* The state is column-major: byte r + 4c is row r of column c. */
static void aes_round(VReg *r, const VReg *a, const VReg *b, bool decrypt)
{
    uint8_t in[16];
    for (int i = 0; i < 16; i++)
        in[i] = a->b[i] ^ b->b[i];
    for (int c = 0; c < 4; c++)
        for (int row = 0; row < 4; row++) {
            int from = decrypt ? (c - row + 4) & 3 : (c + row) & 3; /* (Inv)ShiftRows */
            uint8_t v = in[row + 4 * from];
            r->b[row + 4 * c] = decrypt ? aes_inv_sbox[v] : aes_sbox[v];
        }
}

static void aes_mix(VReg *r, const VReg *a, bool inverse)
{
    static const uint8_t fwd[4] = {2, 3, 1, 1}, inv[4] = {14, 11, 13, 9};
    const uint8_t *m = inverse ? inv : fwd;
    VReg in = *a;
    for (int c = 0; c < 4; c++)
        for (int row = 0; row < 4; row++) {
            uint8_t v = 0;
            for (int k = 0; k < 4; k++)
                v ^= gf_mul(m[(k - row + 4) & 3], in.b[k + 4 * c]);
            r->b[row + 4 * c] = v;
        }
}

/* Each computes into a copy, as Vd may also be an operand. */
#define AES_FN(name, CALL)                                                                 \
    H exec_##name(Cpu *c, const Insn *d)                                                   \
    {                                                                                      \
        fp_check(c, d);                                                                    \
        VReg r;                                                                            \
        CALL;                                                                              \
        c->v[d->rd] = r;                                                                   \
        return insn_next(c, d + 1);                                                        \
    }
AES_FN(aese, aes_round(&r, &c->v[d->rd], &c->v[d->rn], false))
AES_FN(aesd, aes_round(&r, &c->v[d->rd], &c->v[d->rn], true))
AES_FN(aesmc, aes_mix(&r, &c->v[d->rn], false))
AES_FN(aesimc, aes_mix(&r, &c->v[d->rn], true))

/* ---- SHA-1 and SHA-256 ---- */

static uint32_t rol32(uint32_t x, unsigned n) { return ror32(x, 32 - n); }
static uint32_t sha_choose(uint32_t x, uint32_t y, uint32_t z) { return ((y ^ z) & x) ^ z; }
static uint32_t sha_parity(uint32_t x, uint32_t y, uint32_t z) { return x ^ y ^ z; }
static uint32_t sha_majority(uint32_t x, uint32_t y, uint32_t z) { return (x & y) | ((x | y) & z); }

static void set_words(VReg *r, const uint32_t w[4])
{
    vreg_set(r, w[0] | (uint64_t)w[1] << 32, w[2] | (uint64_t)w[3] << 32);
}

/* Four SHA-1 rounds on the hash words X (Vd) and E (Sn) with W (Vm). */
static void sha1_rounds(Cpu *c, const Insn *d, uint32_t (*f)(uint32_t, uint32_t, uint32_t))
{
    uint32_t x[4], y = c->v[d->rn].s[0];
    memcpy(x, c->v[d->rd].s, sizeof x);
    const uint32_t *w = c->v[d->rm].s;
    for (int e = 0; e < 4; e++) {
        y += rol32(x[0], 5) + f(x[1], x[2], x[3]) + w[e];
        x[1] = rol32(x[1], 30);
        /* <Y, X> = ROL(Y:X, 32) */
        uint32_t top = x[3];
        x[3] = x[2], x[2] = x[1], x[1] = x[0], x[0] = y;
        y = top;
    }
    set_words(&c->v[d->rd], x);
}

H exec_sha1c(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    sha1_rounds(c, d, sha_choose);
    return insn_next(c, d + 1);
}

H exec_sha1p(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    sha1_rounds(c, d, sha_parity);
    return insn_next(c, d + 1);
}

H exec_sha1m(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    sha1_rounds(c, d, sha_majority);
    return insn_next(c, d + 1);
}

H exec_sha1h(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    vreg_set(&c->v[d->rd], rol32(c->v[d->rn].s[0], 30), 0);
    return insn_next(c, d + 1);
}

H exec_sha1su0(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    const VReg *a = &c->v[d->rd], *b = &c->v[d->rn], *m = &c->v[d->rm];
    uint64_t lo = a->d[1] ^ a->d[0] ^ m->d[0], hi = b->d[0] ^ a->d[1] ^ m->d[1];
    vreg_set(&c->v[d->rd], lo, hi);
    return insn_next(c, d + 1);
}

H exec_sha1su1(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    const VReg *x = &c->v[d->rd], *y = &c->v[d->rn];
    uint32_t t[4] = {x->s[0] ^ y->s[1], x->s[1] ^ y->s[2], x->s[2] ^ y->s[3], x->s[3]};
    uint32_t r[4] = {rol32(t[0], 1), rol32(t[1], 1), rol32(t[2], 1), rol32(t[3], 1) ^ rol32(t[0], 2)};
    set_words(&c->v[d->rd], r);
    return insn_next(c, d + 1);
}

static uint32_t sigma0(uint32_t x) { return ror32(x, 2) ^ ror32(x, 13) ^ ror32(x, 22); }
static uint32_t sigma1(uint32_t x) { return ror32(x, 6) ^ ror32(x, 11) ^ ror32(x, 25); }

/* SHA256hash(X, Y, W, part1): four rounds; X holds a..d, Y e..h. */
static void sha256_hash(uint32_t x[4], uint32_t y[4], const uint32_t w[4])
{
    for (int e = 0; e < 4; e++) {
        uint32_t chs = sha_choose(y[0], y[1], y[2]), maj = sha_majority(x[0], x[1], x[2]);
        uint32_t t = y[3] + sigma1(y[0]) + chs + w[e];
        x[3] += t;
        y[3] = t + sigma0(x[0]) + maj;
        /* <Y, X> = ROL(Y:X, 32) */
        uint32_t ytop = y[3], xtop = x[3];
        y[3] = y[2], y[2] = y[1], y[1] = y[0], y[0] = xtop;
        x[3] = x[2], x[2] = x[1], x[1] = x[0], x[0] = ytop;
    }
}

/* SHA256H: X = Vd (a..d), Y = Vn (e..h), result X; SHA256H2: X = Vn, Y = Vd, result Y. */
static const Insn *sha256h(Cpu *c, const Insn *d, bool part1)
{
    fp_check(c, d);
    uint32_t x[4], y[4], w[4];
    memcpy(x, c->v[part1 ? d->rd : d->rn].s, 16);
    memcpy(y, c->v[part1 ? d->rn : d->rd].s, 16);
    memcpy(w, c->v[d->rm].s, 16);
    sha256_hash(x, y, w);
    set_words(&c->v[d->rd], part1 ? x : y);
    return insn_next(c, d + 1);
}

H exec_sha256h(Cpu *c, const Insn *d) { return sha256h(c, d, true); }
H exec_sha256h2(Cpu *c, const Insn *d) { return sha256h(c, d, false); }

H exec_sha256su0(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    const uint32_t *a = c->v[d->rd].s, *b = c->v[d->rn].s;
    uint32_t t[4] = {a[1], a[2], a[3], b[0]}, r[4];
    for (int e = 0; e < 4; e++)
        r[e] = (ror32(t[e], 7) ^ ror32(t[e], 18) ^ (t[e] >> 3)) + a[e];
    set_words(&c->v[d->rd], r);
    return insn_next(c, d + 1);
}

static uint32_t sha256_s1(uint32_t x) { return ror32(x, 17) ^ ror32(x, 19) ^ (x >> 10); }

H exec_sha256su1(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    const uint32_t *a = c->v[d->rd].s, *b = c->v[d->rn].s, *m = c->v[d->rm].s;
    uint32_t t0[4] = {b[1], b[2], b[3], m[0]}, r[4];
    r[0] = sha256_s1(m[2]) + a[0] + t0[0];
    r[1] = sha256_s1(m[3]) + a[1] + t0[1];
    r[2] = sha256_s1(r[0]) + a[2] + t0[2];
    r[3] = sha256_s1(r[1]) + a[3] + t0[3];
    set_words(&c->v[d->rd], r);
    return insn_next(c, d + 1);
}

/* ---- PMULL/PMULL2 .1Q: carry-less 64 x 64 -> 128 ---- */

static void clmul64(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t l = 0, h = 0;
    for (int i = 0; i < 64; i++) {
        uint64_t m = -((b >> i) & 1);
        l ^= (a << i) & m;
        h ^= (i ? a >> (64 - i) : 0) & m;
    }
    *lo = l, *hi = h;
}

/* f0: which doubleword (0 PMULL, 1 PMULL2) */
H exec_pmull_1q(Cpu *c, const Insn *d)
{
    fp_check(c, d);
    uint64_t lo, hi;
    clmul64(c->v[d->rn].d[d->f0], c->v[d->rm].d[d->f0], &lo, &hi);
    vreg_set(&c->v[d->rd], lo, hi);
    return insn_next(c, d + 1);
}

/* ---- decode ---- */

bool decode_crypto(uint32_t raw, Insn *d)
{
    d->rd = (uint8_t)bits(raw, 4, 0);
    d->rn = (uint8_t)bits(raw, 9, 5);
    d->rm = (uint8_t)bits(raw, 20, 16);
    if ((raw & 0xfffe0c00u) == 0x4e280800u) { /* AES: 01001110 00 10100 opcode 10 Rn Rd */
        static const InsnFn aes[4] = {exec_aese, exec_aesd, exec_aesmc, exec_aesimc};
        unsigned op = bits(raw, 16, 12);
        if (op < 4 || op > 7)
            return false;
        d->fn = aes[op - 4];
        return true;
    }
    if ((raw & 0xffe08c00u) == 0x5e000000u) { /* SHA three-register: 01011110 000 Rm 0 opcode 00 */
        static const InsnFn sha3[7] = {exec_sha1c,   exec_sha1p,    exec_sha1m,    exec_sha1su0,
                                       exec_sha256h, exec_sha256h2, exec_sha256su1};
        unsigned op = bits(raw, 14, 12);
        if (op == 7)
            return false;
        d->fn = sha3[op];
        return true;
    }
    if ((raw & 0xfffe0c00u) == 0x5e280800u) { /* SHA two-register: 01011110 00 10100 opcode 10 */
        static const InsnFn sha2[3] = {exec_sha1h, exec_sha1su1, exec_sha256su0};
        unsigned op = bits(raw, 16, 12);
        if (op > 2)
            return false;
        d->fn = sha2[op];
        return true;
    }
    if ((raw & 0xbfe0fc00u) == 0x0ee0e000u) { /* PMULL{2} Vd.1Q, Vn.1D/2D, Vm.1D/2D */
        d->f0 = (uint8_t)bit(raw, 30);
        d->fn = exec_pmull_1q;
        return true;
    }
    return false;
}
