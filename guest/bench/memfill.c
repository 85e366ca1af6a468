/* tb-memfill: fills a large anonymous mapping with a deterministic mix of
 * page kinds, reads it back in two orders and checks every page; the
 * workload of the compressed-swap tests (tests/swap/run.sh).
 *
 * Each 4 KiB page gets a class and a content seed from its index alone
 * (a counter-based generator, so any page can be regenerated in any order):
 *     zero     20%  half never written (the guest maps its zero page on
 *                   read), half written with zeros
 *     same     10%  one non-zero 64-bit value repeated
 *     text     30%  English-like phrases and words from a small vocabulary
 *                   (about 3.5x with lz4 on single pages)
 *     binary   20%  32-byte records of small integers and counters (about 2x)
 *     random   20%  generator output (incompressible)
 * The fill writes the pages in ascending order. The read-back then visits
 * every page in a strided order (a stride coprime to the page count, so
 * pages come back long after they went cold and far from their
 * neighbours), then in ascending order; each visit regenerates the page
 * and compares it word by word. The ascending pass also folds every page
 * into its class's digest and the total digest (FNV-1a over the page's
 * 64-bit words), so a page that is wrong only then still shows. Output:
 *     memfill: begin mib=N pages=P
 *     memfill: fill|strided|sequential M/N MiB        every 64 MiB and at the end
 *     memfill: mismatch pass=... page=... class=... word=...   first few
 *     memfill: class=C pages=N digest=0x...           one per class
 *     memfill: zero untouched=N written=N
 *     memfill: total digest=0x... pages=P
 *     memfill: mismatched pages strided=N sequential=N       only if any
 *     memfill: mismatches=K                           K: failed page checks of both passes
 *     memfill: seconds fill=... strided=... sequential=...  (the only line
 *                                                            that varies)
 * and exits 0 only when K is 0 (1 otherwise, 2 on a bad argument). The
 * digests depend only on the size, so every machine that computes
 * correctly prints the same lines.
 *
 * Usage: tb-memfill [-x PAGE] [MIB]
 * Size in MiB: the argument, else tandem.fill=N on the kernel command line,
 * else 400. -x PAGE flips one bit of that page after the fill: the checker's
 * own test (it must then report mismatches and exit 1). */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PROG "tb-memfill"
#define PAGE 4096u
#define WORDS (PAGE / 8)
#define DEFAULT_MIB 400
#define MAX_MIB 65536
#define PROGRESS_PAGES ((64u << 20) / PAGE)
#define MAX_REPORTED 8
#define SEED 0x6d656d66696c6c31ULL /* "memfill1" */

enum cls { ZERO, SAME, TEXT, BINARY, RANDOM, NCLASS };
static const char *const cls_name[NCLASS] = {"zero", "same", "text", "binary", "random"};

/* splitmix64's finaliser: a good 64-bit mix of a counter. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* xorshift64: the per-page content stream; state never 0. */
static uint64_t next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* The class of page i; for ZERO, *untouched says whether it is left unwritten. */
static enum cls page_class(uint64_t i, int *untouched)
{
    uint64_t r = mix(SEED ^ (i * 0x9e3779b97f4a7c15ULL));
    unsigned pct = (unsigned)(r % 100);
    *untouched = (int)((r >> 32) & 1);
    if (pct < 20)
        return ZERO;
    if (pct < 30)
        return SAME;
    if (pct < 60)
        return TEXT;
    if (pct < 80)
        return BINARY;
    return RANDOM;
}

static uint64_t page_seed(uint64_t i)
{
    return mix(~SEED + i) | 1;
}

/* Text is built from a small vocabulary: mostly stock phrases, which repeat
 * within a page as in real prose, and single words between them. */
static const char *const phrases[] = {
    "the kernel maps the page", "in the guest memory", "when the machine is idle",
    "a cold page is compressed", "and it is read back later", "the monitor keeps a frame pool",
    "for each virtual processor", "which was not written", "the translation of an address",
    "an interrupt from the timer", "as the register holds it", "there is no more memory",
    "they have been swapped out", "if the instruction faults", "from the first to the last",
    "with one exception",
};
static const char *const words[] = {
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by",
    "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had",
    "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there", "been", "if",
    "more", "when", "will", "would", "who", "so", "no", "memory", "page", "machine", "virtual",
    "compressed", "swap", "kernel", "guest", "monitor", "frame", "pool", "cold", "warm", "tandem",
};
#define NPHRASES (sizeof phrases / sizeof phrases[0])
#define NWORDS (sizeof words / sizeof words[0])

/* Phrases and words separated by spaces, a sentence end now and then; cut
 * at the page end. */
static void gen_text(unsigned char *p, uint64_t s)
{
    size_t n = 0;
    while (n < PAGE) {
        uint64_t r = next(&s);
        const char *w = (r & 3) ? phrases[(r >> 8) % NPHRASES] : words[(r >> 8) % NWORDS];
        size_t len = strlen(w);
        if (len > PAGE - n)
            len = PAGE - n;
        memcpy(p + n, w, len);
        n += len;
        unsigned punct = (r >> 4) & 15;
        if (n < PAGE)
            p[n++] = punct == 0 ? '.' : punct == 1 ? ',' : ' ';
        if (punct == 0 && n < PAGE)
            p[n++] = (r & 0x4000) ? '\n' : ' ';
    }
}

/* 128 records of 32 bytes: a sequence number, a few small codes, a value
 * and a time stamp, as in a table of a database or a log. */
static void gen_binary(unsigned char *p, uint64_t i, uint64_t s)
{
    for (unsigned k = 0; k < PAGE / 32; k++) {
        uint64_t r = next(&s);
        uint64_t rec[4];
        rec[0] = i * (PAGE / 32) + k;                                    /* sequence */
        rec[1] = (r & 3) | (uint64_t)((r >> 2) & 7) << 16 | 1ULL << 40; /* kind, count, flag */
        rec[2] = 1000 + ((r >> 8) & 3) * 250;                            /* value */
        rec[3] = 0x5eed000000ULL + i * 1000 + k * 8;                     /* time stamp */
        memcpy(p + 32 * k, rec, sizeof rec);
    }
}

/* The content of page i into p (PAGE bytes). */
static void gen_page(unsigned char *p, uint64_t i, enum cls c)
{
    uint64_t s = page_seed(i);
    uint64_t *w = (uint64_t *)p;
    switch (c) {
    case ZERO:
        memset(p, 0, PAGE);
        break;
    case SAME: {
        uint64_t v = next(&s);
        for (unsigned k = 0; k < WORDS; k++)
            w[k] = v;
        break;
    }
    case TEXT:
        gen_text(p, s);
        break;
    case BINARY:
        gen_binary(p, i, s);
        break;
    default:
        for (unsigned k = 0; k < WORDS; k++)
            w[k] = next(&s);
        break;
    }
}

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv_page(uint64_t h, const uint64_t *w)
{
    for (unsigned k = 0; k < WORDS; k++)
        h = (h ^ w[k]) * FNV_PRIME;
    return h;
}

static long parse_mib(const char *s, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno || v < 1 || v > MAX_MIB) {
        fprintf(stderr, "%s: bad size %s '%s' (1..%d MiB)\n", PROG, what, s, MAX_MIB);
        printf("memfill: error bad size '%s'\n", s);
        exit(2);
    }
    return v;
}

/* tandem.fill=N from /proc/cmdline, or 0. */
static long cmdline_mib(void)
{
    char buf[4096];
    int fd = open("/proc/cmdline", O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    for (char *w = strtok(buf, " \n"); w; w = strtok(NULL, " \n"))
        if (strncmp(w, "tandem.fill=", 12) == 0)
            return parse_mib(w + 12, "(tandem.fill)");
    return 0;
}

struct pass {
    const char *name;
    uint64_t mismatches;
};

static uint64_t reported;

/* Compares page i with its regenerated content; counts and reports a difference. */
static void check_page(struct pass *ps, const unsigned char *base, uint64_t i, unsigned char *want)
{
    int untouched;
    enum cls c = page_class(i, &untouched);
    gen_page(want, i, c);
    const uint64_t *got = (const uint64_t *)(base + i * PAGE);
    if (memcmp(got, want, PAGE) == 0)
        return;
    ps->mismatches++;
    if (reported++ < MAX_REPORTED) {
        const uint64_t *ww = (const uint64_t *)want;
        unsigned k = 0;
        while (k < WORDS && got[k] == ww[k])
            k++;
        printf("memfill: mismatch pass=%s page=%" PRIu64 " class=%s word=%u got=0x%016" PRIx64
               " want=0x%016" PRIx64 "\n", ps->name, i, cls_name[c], k, got[k], ww[k]);
    }
}

static void progress(const char *what, uint64_t done, uint64_t npages, long mib)
{
    if (done % PROGRESS_PAGES == 0 || done == npages)
        printf("memfill: %s %" PRIu64 "/%ld MiB\n", what, done * PAGE >> 20, mib);
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    long mib = 0, corrupt = -1;
    int a = 1;
    if (a + 1 < argc && strcmp(argv[a], "-x") == 0) {
        char *end;
        corrupt = strtol(argv[a + 1], &end, 10);
        if (*argv[a + 1] == '\0' || *end != '\0' || corrupt < 0) {
            fprintf(stderr, "%s: bad page number '%s'\n", PROG, argv[a + 1]);
            return 2;
        }
        a += 2;
    }
    if (argc - a > 1 || (a < argc && argv[a][0] == '-')) {
        fprintf(stderr, "usage: %s [-x PAGE] [MIB]\n", PROG);
        return 2;
    }
    if (a < argc)
        mib = parse_mib(argv[a], "(argument)");
    if (!mib)
        mib = cmdline_mib();
    if (!mib)
        mib = DEFAULT_MIB;

    uint64_t npages = (uint64_t)mib << 20 >> 12;
    size_t size = (size_t)mib << 20;
    unsigned char *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        printf("memfill: error cannot map %ld MiB\n", mib);
        tb_die(PROG, "mmap");
    }
    static uint64_t scratch[WORDS];
    unsigned char *want = (unsigned char *)scratch;
    printf("memfill: begin mib=%ld pages=%" PRIu64 "\n", mib, npages);

    /* Fill, ascending: the early pages are the cold ones by the end. */
    double t0 = tb_now_us();
    for (uint64_t i = 0; i < npages; i++) {
        int untouched;
        enum cls c = page_class(i, &untouched);
        if (!(c == ZERO && untouched))
            gen_page(base + i * PAGE, i, c);
        progress("fill", i + 1, npages, mib);
    }

    if (corrupt >= 0 && (uint64_t)corrupt < npages) {
        printf("memfill: corrupting page %ld\n", corrupt);
        base[(uint64_t)corrupt * PAGE + 123] ^= 0x10;
    }

    /* Strided read-back: page (k * stride) mod npages, every page once. */
    double t1 = tb_now_us();
    uint64_t stride = 4099; /* a prime: about 16 MiB between two visits */
    while (gcd(stride, npages) != 1)
        stride++;
    struct pass strided = {"strided", 0}, seq = {"sequential", 0};
    uint64_t i = 0;
    for (uint64_t k = 0; k < npages; k++) {
        check_page(&strided, base, i, want);
        i += stride % npages;
        if (i >= npages)
            i -= npages;
        progress("strided", k + 1, npages, mib);
    }

    /* Sequential read-back: check again and digest what memory holds. */
    double t2 = tb_now_us();
    uint64_t digest[NCLASS], count[NCLASS] = {0}, total = FNV_OFFSET, untouched_zero = 0;
    for (int c = 0; c < NCLASS; c++)
        digest[c] = FNV_OFFSET;
    for (i = 0; i < npages; i++) {
        int untouched;
        enum cls c = page_class(i, &untouched);
        const uint64_t *w = (const uint64_t *)(base + i * PAGE);
        digest[c] = fnv_page(digest[c], w);
        total = fnv_page(total, w);
        count[c]++;
        untouched_zero += c == ZERO && untouched;
        check_page(&seq, base, i, want);
        progress("sequential", i + 1, npages, mib);
    }
    double t3 = tb_now_us();

    for (int c = 0; c < NCLASS; c++)
        printf("memfill: class=%s pages=%" PRIu64 " digest=0x%016" PRIx64 "\n", cls_name[c], count[c], digest[c]);
    printf("memfill: zero untouched=%" PRIu64 " written=%" PRIu64 "\n", untouched_zero, count[ZERO] - untouched_zero);
    printf("memfill: total digest=0x%016" PRIx64 " pages=%" PRIu64 "\n", total, npages);
    if (strided.mismatches || seq.mismatches)
        printf("memfill: mismatched pages strided=%" PRIu64 " sequential=%" PRIu64 "\n", strided.mismatches,
               seq.mismatches);
    uint64_t bad = strided.mismatches + seq.mismatches;
    printf("memfill: mismatches=%" PRIu64 "\n", bad);
    printf("memfill: seconds fill=%.2f strided=%.2f sequential=%.2f\n", (t1 - t0) / 1e6, (t2 - t1) / 1e6,
           (t3 - t2) / 1e6);
    return bad ? 1 : 0;
}
