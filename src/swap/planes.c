#include "swap/planes.h"

#include <string.h>

#include "mem/frames.h"

#if defined(__SSE2__) && !defined(TANDEM_PORTABLE)
#include <emmintrin.h>
#endif

#define WORDS (FRAME_SIZE / 8)

static uint64_t word_at(const uint8_t *p, unsigned w)
{
    uint64_t v;
    memcpy(&v, p + (size_t)w * 8, 8);
    return v;
}

bool planes_pay_off(const uint8_t *page)
{
    unsigned alike = 0;
    uint64_t prev = word_at(page, 0);
    for (unsigned w = 1; w < WORDS; w++) {
        uint64_t v = word_at(page, w);
        alike += (v >> 32) == (prev >> 32) && v != prev;
        prev = v;
    }
    return alike >= WORDS / 4;
}

void planes_split(const uint8_t *page, uint8_t *out)
{
    for (unsigned w = 0; w < WORDS; w++)
        for (unsigned b = 0; b < 8; b++)
            out[b * WORDS + w] = page[w * 8 + b];
}

/* Eight words at a time: an 8 x 8 byte transpose in three swap stages. */
void planes_join_portable(const uint8_t *planes, uint8_t *page)
{
    static const uint64_t mask[3] = {0x00ff00ff00ff00ffull, 0x0000ffff0000ffffull, 0x00000000ffffffffull};
    for (unsigned w = 0; w < WORDS; w += 8) {
        uint64_t x[8];
        for (unsigned b = 0; b < 8; b++)
            memcpy(&x[b], planes + b * WORDS + w, 8);
        for (unsigned s = 0, d = 1; s < 3; s++, d *= 2) {
            const uint64_t m = mask[s];
            const unsigned sh = 8u * d;
            for (unsigned i = 0; i < 8; i++) {
                if (i & d)
                    continue;
                uint64_t lo = x[i], hi = x[i + d];
                x[i] = (lo & m) | ((hi & m) << sh);
                x[i + d] = ((lo >> sh) & m) | (hi & ~m);
            }
        }
        memcpy(page + (size_t)w * 8, x, sizeof x);
    }
}

#if defined(__SSE2__) && !defined(TANDEM_PORTABLE)
/* Sixteen words at a time: an 8 x 16 byte transpose in three unpack stages. */
static void join_sse2(const uint8_t *planes, uint8_t *page)
{
    for (unsigned w = 0; w < WORDS; w += 16) {
        __m128i r[8];
        for (unsigned b = 0; b < 8; b++)
            r[b] = _mm_loadu_si128((const __m128i *)(planes + b * WORDS + w));
        __m128i a[8], c[8];
        for (unsigned i = 0; i < 4; i++) {
            a[2 * i] = _mm_unpacklo_epi8(r[2 * i], r[2 * i + 1]);     /* words 0-7, bytes 2i, 2i+1 */
            a[2 * i + 1] = _mm_unpackhi_epi8(r[2 * i], r[2 * i + 1]); /* words 8-15 */
        }
        for (unsigned h = 0; h < 2; h++) { /* h: bytes 0-3 or 4-7 */
            __m128i lo = a[4 * h], hi = a[4 * h + 1], lo2 = a[4 * h + 2], hi2 = a[4 * h + 3];
            c[4 * h + 0] = _mm_unpacklo_epi16(lo, lo2);  /* words 0-3 */
            c[4 * h + 1] = _mm_unpackhi_epi16(lo, lo2);  /* words 4-7 */
            c[4 * h + 2] = _mm_unpacklo_epi16(hi, hi2);  /* words 8-11 */
            c[4 * h + 3] = _mm_unpackhi_epi16(hi, hi2);  /* words 12-15 */
        }
        __m128i *dst = (__m128i *)(page + (size_t)w * 8);
        for (unsigned q = 0; q < 4; q++) {
            _mm_storeu_si128(dst + 2 * q, _mm_unpacklo_epi32(c[q], c[4 + q]));
            _mm_storeu_si128(dst + 2 * q + 1, _mm_unpackhi_epi32(c[q], c[4 + q]));
        }
    }
}
#endif

void planes_join(const uint8_t *planes, uint8_t *page)
{
#if defined(__SSE2__) && !defined(TANDEM_PORTABLE)
    join_sse2(planes, page);
#else
    planes_join_portable(planes, page);
#endif
}
