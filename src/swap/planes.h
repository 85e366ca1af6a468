/* Byte planes: a page seen as 512 little-endian 64-bit words, rearranged so
 * that byte b of every word comes together (plane b, 512 bytes).
 *
 * Much of a kernel's memory is arrays of words that differ only in their low
 * bytes: pointer tables, page tables, struct page arrays. An LZ compressor
 * sees such a page as hundreds of two-byte literals, each followed by a
 * six-byte match, and decompresses it slowly (one sequence per word, about
 * 4 µs a page with LZ4 here). In planes the high bytes become long runs:
 * the page compresses several times better and decompresses in a fraction of
 * the time. (The same transform is the "shuffle" filter of Blosc and HDF5.) */
#ifndef TANDEM_PLANES_H
#define TANDEM_PLANES_H

#include <stdbool.h>
#include <stdint.h>

/* True if the page looks like an array of related words: a quarter of its
 * neighbouring words differ but agree in their upper half. */
bool planes_pay_off(const uint8_t *page);
/* page -> planes and back; `out` is a whole page and must not overlap `in`. */
void planes_split(const uint8_t *page, uint8_t *out);
void planes_join(const uint8_t *planes, uint8_t *page);
/* The exact portable join, which hosts without SSE2 use (and tests compare). */
void planes_join_portable(const uint8_t *planes, uint8_t *page);

#endif
