#include "swap/codec.h"

#include <lz4.h>
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "mem/frames.h"

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

size_t codec_compress(Codec *c, const uint8_t *page, uint8_t *out, size_t cap)
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

bool codec_decompress(Codec *c, const uint8_t *in, size_t len, uint8_t *page)
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
