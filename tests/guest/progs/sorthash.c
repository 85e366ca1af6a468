/* Sorting and hashing: quicksort, heapsort, merge sort and insertion sort on
 * 64-, 32- and 16-bit keys, a CRC-32 (table and bitwise), FNV/murmur-style
 * hashes and an open-addressing hash table. */
#include "rt.h"

#define N 3000

static uint64_t a64[N], b64[N], tmp64[N];
static int32_t a32[N];
static int16_t a16[N];

static void swap64(uint64_t *x, uint64_t *y) { uint64_t t = *x; *x = *y; *y = t; }

static void quicksort(uint64_t *v, int lo, int hi)
{
    while (lo < hi) {
        uint64_t p = v[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < p) i++;
            while (v[j] > p) j--;
            if (i <= j) swap64(&v[i++], &v[j--]);
        }
        if (j - lo < hi - i) { quicksort(v, lo, j); lo = i; }
        else { quicksort(v, i, hi); hi = j; }
    }
}

static void sift(int32_t *v, int start, int end)
{
    int root = start;
    while (2 * root + 1 <= end) {
        int child = 2 * root + 1, sw = root;
        if (v[sw] < v[child]) sw = child;
        if (child + 1 <= end && v[sw] < v[child + 1]) sw = child + 1;
        if (sw == root) return;
        int32_t t = v[root]; v[root] = v[sw]; v[sw] = t;
        root = sw;
    }
}

static void heapsort32(int32_t *v, int n)
{
    for (int s = (n - 2) / 2; s >= 0; s--) sift(v, s, n - 1);
    for (int e = n - 1; e > 0; e--) {
        int32_t t = v[e]; v[e] = v[0]; v[0] = t;
        sift(v, 0, e - 1);
    }
}

static void mergesort64(uint64_t *v, uint64_t *t, int n)
{
    for (int w = 1; w < n; w *= 2) {
        for (int i = 0; i < n; i += 2 * w) {
            int l = i, m = i + w < n ? i + w : n, r = i + 2 * w < n ? i + 2 * w : n;
            int p = l, q = m, k = l;
            while (p < m && q < r) t[k++] = (int64_t)v[p] <= (int64_t)v[q] ? v[p++] : v[q++];
            while (p < m) t[k++] = v[p++];
            while (q < r) t[k++] = v[q++];
        }
        for (int i = 0; i < n; i++) v[i] = t[i];
    }
}

static void insertion16(int16_t *v, int n)
{
    for (int i = 1; i < n; i++) {
        int16_t x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) { v[j + 1] = v[j]; j--; }
        v[j + 1] = x;
    }
}

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32_tab(const uint8_t *p, size_t n)
{
    uint32_t c = ~0u;
    while (n--) c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}

static uint32_t crc32_bit(const uint8_t *p, size_t n)
{
    uint32_t c = ~0u;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}

static uint64_t murmur_mix(uint64_t k)
{
    k ^= k >> 33; k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33; k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

static uint32_t fnv1a32(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    while (n--) { h ^= *p++; h *= 16777619u; }
    return h;
}

#define HT 4096
static uint64_t ht_key[HT];
static uint32_t ht_val[HT];

static int ht_insert(uint64_t k, uint32_t v)
{
    uint32_t i = (uint32_t)murmur_mix(k) & (HT - 1);
    int probes = 0;
    while (ht_key[i] && ht_key[i] != k) { i = (i + 1) & (HT - 1); probes++; }
    if (ht_key[i] == k) ht_val[i] += v; else { ht_key[i] = k; ht_val[i] = v; }
    return probes;
}

static uint32_t ht_get(uint64_t k)
{
    uint32_t i = (uint32_t)murmur_mix(k) & (HT - 1);
    while (ht_key[i]) {
        if (ht_key[i] == k) return ht_val[i];
        i = (i + 1) & (HT - 1);
    }
    return 0;
}

static uint64_t digest64(const uint64_t *v, int n)
{
    Digest d; dg_init(&d);
    for (int i = 0; i < n; i++) dg_add(&d, v[i]);
    return d.h;
}

int main(void)
{
    uint64_t s = 0x1234567;
    for (int i = 0; i < N; i++) {
        a64[i] = rng_next(&s);
        if (i % 10 == 0) a64[i] = a64[i / 2]; /* duplicates */
        b64[i] = a64[i] >> (i % 50);
        a32[i] = (int32_t)rng_next(&s);
        a16[i] = (int16_t)rng_next(&s);
    }
    quicksort(a64, 0, N - 1);
    int sorted = 1;
    for (int i = 1; i < N; i++) sorted &= a64[i - 1] <= a64[i];
    rt_printf("quicksort  sorted=%d %016lx\n", sorted, (unsigned long)digest64(a64, N));

    heapsort32(a32, N);
    sorted = 1;
    Digest d; dg_init(&d);
    for (int i = 0; i < N; i++) { if (i) sorted &= a32[i - 1] <= a32[i]; dg_add(&d, (uint32_t)a32[i]); }
    rt_printf("heapsort   sorted=%d %016lx\n", sorted, (unsigned long)d.h);

    mergesort64(b64, tmp64, N);
    sorted = 1;
    for (int i = 1; i < N; i++) sorted &= (int64_t)b64[i - 1] <= (int64_t)b64[i];
    rt_printf("mergesort  sorted=%d %016lx\n", sorted, (unsigned long)digest64(b64, N));

    insertion16(a16, 1000);
    dg_init(&d);
    sorted = 1;
    for (int i = 0; i < 1000; i++) { if (i) sorted &= a16[i - 1] <= a16[i]; dg_add(&d, (uint16_t)a16[i]); }
    rt_printf("insertion  sorted=%d %016lx\n", sorted, (unsigned long)d.h);

    crc_init();
    const uint8_t *bytes = (const uint8_t *)a64;
    rt_printf("crc32 tab  %08x %08x\n", crc32_tab(bytes, sizeof a64), crc32_tab((const uint8_t *)"123456789", 9));
    rt_printf("crc32 bit  %08x %08x\n", crc32_bit(bytes + 3, 5001), crc32_bit((const uint8_t *)"123456789", 9));
    rt_printf("fnv1a32    %08x\n", fnv1a32((const uint8_t *)a32, sizeof a32));

    int probes = 0;
    for (int i = 0; i < N; i++) probes += ht_insert(b64[i] | 1, (uint32_t)i);
    uint64_t sum = 0;
    for (int i = 0; i < N; i += 3) sum += ht_get(b64[i] | 1) * (uint64_t)(i + 1);
    sum += ht_get(0xdeadbeef);
    rt_printf("hashtable  probes=%d sum=%lu\n", probes, (unsigned long)sum);
    return 0;
}
