/*
 * image.h — recognising an uploaded image by its content, and reading the
 * dimensions it declares, without decoding it.
 *
 * A photo is accepted as JPEG, PNG or WebP by its signature; its width and
 * height come from the header that declares them (PNG IHDR, the JPEG
 * start-of-frame segment, WebP's VP8 / VP8L / VP8X chunk). A 2.6 MB PNG may
 * declare 30000×30000 pixels, which every viewer that decodes it must hold
 * (3.6 GB): images declaring more than IMG_MAX_SIDE on a side or
 * IMG_MAX_PIXELS in all are refused, as are images whose dimensions
 * cannot be read.
 * Thread-safety: pure. Ownership: the input is borrowed.
 */
#ifndef LINLI_IMAGE_H
#define LINLI_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define IMG_MAX_SIDE   16384               /* pixels on either side */
#define IMG_MAX_PIXELS (64L * 1024 * 1024) /* width × height: 8192 × 8192 */

struct img_info {
	const char *mime; /* "image/jpeg", "image/png", "image/webp" */
	uint32_t width, height;
};

/* The format by signature alone: one of the mime types above, or NULL. */
const char *img_sniff(const unsigned char *d, size_t n);
/* Fills *out from the header. Returns 0; ERR_UNSUPPORTED (not one of the
 * three formats), ERR_INVALID (dimensions missing, zero or unreadable) or
 * ERR_TOO_LARGE (beyond the limits), each with a message, Chinese first,
 * on field "file". */
int img_probe(const unsigned char *d, size_t n, struct img_info *out, struct err *e);

#endif
