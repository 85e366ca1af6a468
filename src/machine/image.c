#include "machine/image.h"

#include <stdio.h>
#include <string.h>

static uint64_t le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static bool refuse(char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "%s", why);
    return false;
}

bool arm64_image_parse(const uint8_t *data, size_t len, Arm64Image *out, char *err, size_t errlen)
{
    *out = (Arm64Image){.file_size = len};
    if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        return refuse(err, errlen, "gzip-compressed; decompress it first (zcat)");
    if (len >= 4 && !memcmp(data, "\x7f" "ELF", 4))
        return refuse(err, errlen, "an ELF file, not a raw arm64 Image or flat binary (use the kernel's "
                                   "arch/arm64/boot/Image, or objcopy -O binary)");
    uint32_t magic = 0;
    if (len >= 64)
        memcpy(&magic, data + 56, 4);
    if (magic != ARM64_IMAGE_MAGIC) {
        if (len < 4) {
            snprintf(err, errlen, "%zu bytes is too short for a program (no arm64 Image header, and "
                                  "not one instruction)", len);
            return false;
        }
        out->raw = true;
        out->text_offset = RAW_LOAD_OFFSET;
        out->image_size = len;
        return true;
    }
    out->text_offset = le64(data + 8);
    out->image_size = le64(data + 16);
    out->flags = le64(data + 24);
    if (out->image_size == 0) /* pre-3.17 kernels: no size, text_offset 0x80000 */
        out->text_offset = 0x80000;
    if (out->text_offset & 0xfff) {
        snprintf(err, errlen, "text_offset 0x%llx is not page aligned", (unsigned long long)out->text_offset);
        return false;
    }
    if (out->image_size && out->image_size < len)
        out->image_size = len;
    if ((out->flags >> 0) & 1)
        return refuse(err, errlen, "a big-endian kernel; Tandem runs little-endian guests");
    return true;
}

uint64_t arm64_image_load_offset(const Arm64Image *img)
{
    if (img->raw || img->image_size == 0)
        return RAW_LOAD_OFFSET;
    return img->text_offset < 0x1000 ? img->text_offset + (2u << 20) : img->text_offset;
}
