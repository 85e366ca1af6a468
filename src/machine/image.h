/* The arm64 Linux boot protocol's Image format (Documentation/arm64/booting.rst). */
#ifndef TANDEM_IMAGE_H
#define TANDEM_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" */

typedef struct Arm64Image {
    uint64_t text_offset, image_size, flags;
    size_t file_size;
} Arm64Image;

/* Parse the 64-byte header; on failure return false and put the reason in err. */
bool arm64_image_parse(const uint8_t *data, size_t len, Arm64Image *out, char *err, size_t errlen);

#endif
