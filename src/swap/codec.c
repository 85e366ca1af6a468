#include "swap/codec.h"

#include <lz4.h>
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "mem/frames.h"
#include "swap/planes.h"

#define ZSTD_LEVEL 1 /* on 4 KiB inputs higher levels gain little and cost a lot of time */

static const char *const names[] = {[CODEC_OFF] = "off", [CODEC_LZO] = "lzo", [CODEC_LZ4] = "lz4", [CODEC_ZSTD] = "zstd"};

bool codec_parse(const char *name, CodecAlg *alg)
{
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i])) {
            *alg = (CodecAlg)i;
            return true;
        }
    return false;
}

const char *codec_name(CodecAlg alg)
{
    return names[alg];
}

bool codec_init(Codec *c, CodecAlg alg)
{
    memset(c, 0, sizeof *c);
    c->alg = alg;
    c->level = ZSTD_LEVEL;
    /* Not for LZO: it copies the long runs that planes make byte by byte, and
     * would decompress such a page twice as slowly as the page itself. */
    c->planes = alg == CODEC_LZ4 || alg == CODEC_ZSTD;
    switch (alg) {
    case CODEC_LZO:
        if (lzo_init() != LZO_E_OK)
            return false;
        c->work = malloc(LZO1X_1_MEM_COMPRESS);
        return c->work != NULL;
    case CODEC_ZSTD:
        c->cctx = ZSTD_createCCtx();
        c->dctx = ZSTD_createDCtx();
        if (!c->cctx || !c->dctx) {
            codec_destroy(c);
            return false;
        }
        return true;
    default:
        return true;
    }
}

void codec_destroy(Codec *c)
{
    free(c->work);
    ZSTD_freeCCtx(c->cctx);
    ZSTD_freeDCtx(c->dctx);
    memset(c, 0, sizeof *c);
}

/* LZO writes up to this much for an incompressible page: it needs the room. */
#define LZO_WORST (FRAME_SIZE + FRAME_SIZE / 16 + 64 + 3)

/* The library's own compressor and decompressor, on the bytes of one page. */
static size_t raw_compress(Codec *c, const uint8_t *page, uint8_t *out, size_t cap)
{
    switch (c->alg) {
    case CODEC_LZO: {
        uint8_t tmp[LZO_WORST];
        lzo_uint n = 0;
        if (lzo1x_1_compress(page, FRAME_SIZE, tmp, &n, c->work) != LZO_E_OK || n > cap)
            return 0;
        memcpy(out, tmp, n);
        return n;
    }
    case CODEC_LZ4: {
        int n = LZ4_compress_default((const char *)page, (char *)out, FRAME_SIZE, (int)cap);
        return n > 0 ? (size_t)n : 0;
    }
    case CODEC_ZSTD: {
        size_t n = ZSTD_compressCCtx(c->cctx, out, cap, page, FRAME_SIZE, c->level);
        return ZSTD_isError(n) ? 0 : n;
    }
    default:
        return 0;
    }
}

static bool raw_decompress(Codec *c, const uint8_t *in, size_t len, uint8_t *page)
{
    switch (c->alg) {
    case CODEC_LZO: {
        lzo_uint n = FRAME_SIZE;
        return lzo1x_decompress_safe(in, len, page, &n, NULL) == LZO_E_OK && n == FRAME_SIZE;
    }
    case CODEC_LZ4:
        return LZ4_decompress_safe((const char *)in, (char *)page, (int)len, FRAME_SIZE) == FRAME_SIZE;
    case CODEC_ZSTD: {
        size_t n = ZSTD_decompressDCtx(c->dctx, page, FRAME_SIZE, in, len);
        return !ZSTD_isError(n) && n == FRAME_SIZE;
    }
    default:
        return false;
    }
}

/* A stored page is one byte saying how it was laid out, then the library's
 * stream: the page as it is, or its byte planes (swap/planes.h). */
enum { LAYOUT_BYTES, LAYOUT_PLANES };

size_t codec_compress(Codec *c, const uint8_t *page, uint8_t *out, size_t cap)
{
    if (cap < 2)
        return 0;
    /* A page that looks like an array of words is stored as planes, without
     * trying it as it is: planes then compress as well or better nearly
     * always, decompress faster, and trying both would cost a second pass. */
    uint8_t planes[FRAME_SIZE];
    const uint8_t *in = page;
    out[0] = LAYOUT_BYTES;
    if (c->planes && planes_pay_off(page)) {
        planes_split(page, planes);
        in = planes;
        out[0] = LAYOUT_PLANES;
    }
    size_t n = raw_compress(c, in, out + 1, cap - 1);
    return n ? n + 1 : 0;
}

bool codec_decompress(Codec *c, const uint8_t *in, size_t len, uint8_t *page)
{
    if (len < 2)
        return false;
    if (in[0] == LAYOUT_BYTES)
        return raw_decompress(c, in + 1, len - 1, page);
    if (in[0] != LAYOUT_PLANES)
        return false;
    uint8_t planes[FRAME_SIZE];
    if (!raw_decompress(c, in + 1, len - 1, planes))
        return false;
    planes_join(planes, page);
    return true;
}
