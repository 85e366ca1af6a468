/* A latency histogram for percentiles without keeping samples: 50 ns
 * buckets up to 50 us, one bucket beyond. */
#ifndef TANDEM_LATENCY_H
#define TANDEM_LATENCY_H

#include <stdint.h>

#define LATENCY_STEP_NS 50
#define LATENCY_BUCKETS 1001

typedef struct Latency {
    uint64_t n, total_ns, max_ns;
    uint32_t bucket[LATENCY_BUCKETS];
} Latency;

static inline void latency_add(Latency *l, uint64_t ns)
{
    uint64_t b = ns / LATENCY_STEP_NS;
    l->bucket[b < LATENCY_BUCKETS - 1 ? b : LATENCY_BUCKETS - 1]++;
    l->n++;
    l->total_ns += ns;
    if (ns > l->max_ns)
        l->max_ns = ns;
}

/* The pct-th percentile (0..100), in ns (the bucket's upper edge). */
static inline uint64_t latency_percentile(const Latency *l, unsigned pct)
{
    if (!l->n)
        return 0;
    uint64_t want = (l->n * pct + 99) / 100, seen = 0;
    if (!want)
        want = 1;
    for (unsigned b = 0; b < LATENCY_BUCKETS - 1; b++)
        if ((seen += l->bucket[b]) >= want)
            return (uint64_t)(b + 1) * LATENCY_STEP_NS;
    return l->max_ns;
}

static inline uint64_t latency_mean(const Latency *l)
{
    return l->n ? l->total_ns / l->n : 0;
}

#endif
