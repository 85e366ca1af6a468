#include "machine/image.h"

#include <stdio.h>
#include <string.h>

static uint64_t le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

bool arm64_image_parse(const uint8_t *data, size_t len, Arm64Image *out, char *err, size_t errlen)
{
    if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        snprintf(err, errlen, "gzip-compressed; decompress it first (zcat)");
        return false;
    }
    if (len < 64) {
        snprintf(err, errlen, "%zu bytes is too short for an arm64 Image header (64 bytes)", len);
        return false;
    }
    uint32_t magic;
    memcpy(&magic, data + 56, 4);
    if (magic != ARM64_IMAGE_MAGIC) {
        if (!memcmp(data, "\x7f" "ELF", 4))
            snprintf(err, errlen, "an ELF file, not a raw arm64 Image (use the kernel's arch/arm64/boot/Image)");
        else
            snprintf(err, errlen, "not an arm64 Image (no \"ARM\\x64\" magic at offset 56)");
        return false;
    }
    out->text_offset = le64(data + 8);
    out->image_size = le64(data + 16);
    out->flags = le64(data + 24);
    out->file_size = len;
    if (out->image_size == 0) /* pre-3.17 kernels: no size, text_offset 0x80000 */
        out->text_offset = 0x80000;
    if (out->text_offset & 0xfff) {
        snprintf(err, errlen, "text_offset 0x%llx is not page aligned", (unsigned long long)out->text_offset);
        return false;
    }
    if (out->image_size && out->image_size < len)
        out->image_size = len;
    if ((out->flags >> 0) & 1) {
        snprintf(err, errlen, "a big-endian kernel; Tandem runs little-endian guests");
        return false;
    }
    return true;
}
