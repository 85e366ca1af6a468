/* The compressors of the compressed-swap service, from the distribution's
 * libraries: LZO (the seed's), LZ4 and zstd. One codec compresses and
 * decompresses whole 4 KiB pages. */
#ifndef TANDEM_CODEC_H
#define TANDEM_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum CodecAlg { CODEC_OFF, CODEC_LZO, CODEC_LZ4, CODEC_ZSTD } CodecAlg;

/* The names users type (--compress, "compress"); false if unknown. */
bool codec_parse(const char *name, CodecAlg *alg);
const char *codec_name(CodecAlg alg);

typedef struct Codec {
    CodecAlg alg;
    int level;     /* zstd only */
    bool planes;   /* word arrays are stored as byte planes (swap/planes.h) */
    void *work;    /* LZO's work memory */
    void *cctx, *dctx; /* zstd's contexts */
} Codec;

/* False if the library could not be set up (out of memory). */
bool codec_init(Codec *c, CodecAlg alg);
void codec_destroy(Codec *c);

/* Compress a page into out (room `cap` bytes); returns the size, or 0 if it
 * does not fit in cap. */
size_t codec_compress(Codec *c, const uint8_t *page, uint8_t *out, size_t cap);
/* Decompress `len` bytes into a page; false unless exactly a page came out. */
bool codec_decompress(Codec *c, const uint8_t *in, size_t len, uint8_t *page);

#endif
