/* CPU benchmark workload (CoreMark-like, written for Tandem): linked-list
 * processing, integer matrix multiply, a state machine over generated text
 * and CRC-16, repeated ITERS times. Prints a checksum that does not depend
 * on the instruction stream, so Tandem and QEMU can be compared. */
#include "rt.h"

#ifndef ITERS
#define ITERS 400
#endif

#define LIST_N 256
#define MAT_N 24
#define TEXT_N 2048

typedef struct Node { struct Node *next; int32_t key; int16_t val; int16_t pad; } Node;

static Node pool[LIST_N];
static int32_t ma[MAT_N][MAT_N], mb[MAT_N][MAT_N], mc[MAT_N][MAT_N];
static char text[TEXT_N];

static uint16_t crc16(uint16_t crc, uint32_t data, int bits)
{
    for (int i = 0; i < bits; i++) {
        uint16_t x = (uint16_t)((data ^ crc) & 1);
        data >>= 1;
        crc = x ? (uint16_t)((crc >> 1) ^ 0xa001) : (uint16_t)(crc >> 1);
    }
    return crc;
}

static Node *list_build(uint32_t seed)
{
    Node *head = 0;
    for (int i = 0; i < LIST_N; i++) {
        seed = seed * 1103515245u + 12345u;
        pool[i].key = (int32_t)(seed >> 8) % 1000;
        pool[i].val = (int16_t)i;
        pool[i].next = head;
        head = &pool[i];
    }
    return head;
}

static Node *list_reverse(Node *h)
{
    Node *p = 0;
    while (h) { Node *n = h->next; h->next = p; p = h; h = n; }
    return p;
}

/* Merge sort of the list by key (stable, iterative). */
static Node *list_sort(Node *list)
{
    for (int k = 1;; k *= 2) {
        Node *p = list, *tail = 0;
        list = 0;
        int merges = 0;
        while (p) {
            merges++;
            Node *q = p;
            int ps = 0, qs = k;
            for (int i = 0; i < k && q; i++) { ps++; q = q->next; }
            while (ps > 0 || (qs > 0 && q)) {
                Node *e;
                if (ps == 0) { e = q; q = q->next; qs--; }
                else if (qs == 0 || !q || p->key <= q->key) { e = p; p = p->next; ps--; }
                else { e = q; q = q->next; qs--; }
                if (tail) tail->next = e; else list = e;
                tail = e;
            }
            p = q;
        }
        tail->next = 0;
        if (merges <= 1) return list;
    }
}

static uint16_t list_work(uint32_t seed, uint16_t crc)
{
    Node *h = list_build(seed);
    h = list_reverse(h);
    h = list_sort(h);
    int32_t found = 0;
    for (Node *n = h; n; n = n->next) {
        if ((n->key & 7) == 3) found += n->val;
        crc = crc16(crc, (uint32_t)n->key, 16);
    }
    return crc16(crc, (uint32_t)found, 32);
}

static uint16_t matrix_work(int iter, uint16_t crc)
{
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            ma[i][j] = (i * 7 + j * 3 + iter) % 51 - 25;
            mb[i][j] = (i ^ j) + iter % 13;
        }
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT_N; k++) s += ma[i][k] * mb[k][j];
            mc[i][j] = s;
        }
    int32_t acc = 0;
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) acc += mc[i][j] > 100 ? mc[i][j] >> 2 : -(mc[i][j] & 15);
    return crc16(crc, (uint32_t)acc, 32);
}

enum State { START, INT, FLOAT, EXP, SCI, INVALID, NSTATES };

static enum State next_state(enum State s, char c)
{
    int digit = c >= '0' && c <= '9';
    switch (s) {
    case START: return digit ? INT : c == '.' ? FLOAT : c == '-' || c == '+' ? INT : INVALID;
    case INT: return digit ? INT : c == '.' ? FLOAT : c == 'e' || c == 'E' ? EXP : INVALID;
    case FLOAT: return digit ? FLOAT : c == 'e' || c == 'E' ? EXP : INVALID;
    case EXP: return digit || c == '-' || c == '+' ? SCI : INVALID;
    case SCI: return digit ? SCI : INVALID;
    default: return INVALID;
    }
}

static uint16_t state_work(int iter, uint16_t crc)
{
    uint32_t counts[NSTATES] = {0};
    const char *p = text + (iter % 64);
    while (*p) {
        enum State s = START;
        while (*p && *p != ',') { s = next_state(s, *p); p++; }
        counts[s]++;
        if (*p) p++;
    }
    for (int i = 0; i < NSTATES; i++) crc = crc16(crc, counts[i], 16);
    return crc;
}

int main(void)
{
    static const char *const tokens[] = {"5012", "1234", "-874", "+122", "35.54", "0.001", "-110.7", "5.5e+3",
                                         "-.123e-2", "-87e+832", "+0.6e-12", "T0.3e-1F", "-T.T++Tq", "1T3.4e4z",
                                         "34.0e-T^", "-3.e3"};
    size_t pos = 0;
    uint32_t s = 7;
    while (pos + 12 < TEXT_N) {
        s = s * 1664525u + 1013904223u;
        const char *t = tokens[s >> 28];
        while (*t) text[pos++] = *t++;
        text[pos++] = ',';
    }
    text[pos] = 0;

    uint16_t crc = 0;
    for (int it = 0; it < ITERS; it++) {
        crc = list_work((uint32_t)it * 2654435761u, crc);
        crc = matrix_work(it, crc);
        crc = state_work(it, crc);
    }
    rt_printf("cpubench iterations=%d checksum=%04x\n", ITERS, crc);
    return 0;
}
