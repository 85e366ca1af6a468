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
    bool raw; /* no Image header: a flat binary, entered at its first byte */
} Arm64Image;

/* Where a flat binary goes, as QEMU's -kernel puts one: RAM + 512 KiB. */
#define RAW_LOAD_OFFSET 0x80000u

/* Parse the 64-byte header of an Image, or take a file without one as a
 * flat binary (raw = true). Refused, with the reason in err: gzip and ELF
 * files, big-endian kernels, unaligned text offsets, files too short to
 * hold an instruction. */
bool arm64_image_parse(const uint8_t *data, size_t len, Arm64Image *out, char *err, size_t errlen);

/* The offset from the base of RAM where the image is loaded and entered,
 * where QEMU's virt loads it: text_offset (kernels from 3.17 on, whose
 * image_size is set), moved up by 2 MiB if it would overlap the first
 * 4 KiB (where QEMU keeps its boot stub); 512 KiB for older kernels and
 * flat binaries. */
uint64_t arm64_image_load_offset(const Arm64Image *img);

#endif
