/*
 * image.c — signatures and declared dimensions of JPEG, PNG and WebP.
 * Every read is bounds-checked against n; nothing is decoded.
 */
#include "base/image.h"

#include <string.h>

static uint32_t be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

const char *img_sniff(const unsigned char *d, size_t n)
{
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return "image/jpeg";
	if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
		return "image/webp";
	return NULL;
}

/* The first chunk, right after the signature, must be IHDR. */
static int png_size(const unsigned char *d, size_t n, uint32_t *w, uint32_t *h)
{
	if (n < 24 || be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
		return -1;
	*w = be32(d + 16);
	*h = be32(d + 20);
	return 0;
}

/* Walks the segments up to the first start-of-frame (SOF0..SOF15 except
 * DHT C4, JPG C8 and DAC CC); the scan (SOS) or the end before it means
 * there is none. */
static int jpeg_size(const unsigned char *d, size_t n, uint32_t *w, uint32_t *h)
{
	size_t i = 2;
	while (i < n) {
		if (d[i] != 0xFF)
			return -1;
		while (i < n && d[i] == 0xFF) /* fill bytes */
			i++;
		if (i >= n)
			return -1;
		unsigned m = d[i++];
		if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue; /* no length */
		if (m == 0xD9 || m == 0xDA)
			return -1;
		if (n - i < 2)
			return -1;
		size_t len = be16(d + i);
		if (len < 2 || len > n - i)
			return -1;
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			if (len < 7)
				return -1;
			*h = be16(d + i + 3);
			*w = be16(d + i + 5);
			return 0;
		}
		i += len;
	}
	return -1;
}

/* The first chunk after "WEBP": VP8 (lossy), VP8L (lossless) or VP8X
 * (extended: the canvas size). */
static int webp_size(const unsigned char *d, size_t n, uint32_t *w, uint32_t *h)
{
	if (n < 20)
		return -1;
	const unsigned char *c = d + 12, *p = d + 20;
	size_t left = n - 20;
	if (!memcmp(c, "VP8 ", 4)) {
		if (left < 10 || p[3] != 0x9d || p[4] != 0x01 || p[5] != 0x2a)
			return -1;
		*w = le16(p + 6) & 0x3fff;
		*h = le16(p + 8) & 0x3fff;
		return 0;
	}
	if (!memcmp(c, "VP8L", 4)) {
		if (left < 5 || p[0] != 0x2f)
			return -1;
		uint32_t bits = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 24;
		*w = (bits & 0x3fff) + 1;
		*h = ((bits >> 14) & 0x3fff) + 1;
		return 0;
	}
	if (!memcmp(c, "VP8X", 4)) {
		if (left < 10)
			return -1;
		*w = le24(p + 4) + 1;
		*h = le24(p + 7) + 1;
		return 0;
	}
	return -1;
}

int img_probe(const unsigned char *d, size_t n, struct img_info *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	const char *mime = d ? img_sniff(d, n) : NULL;
	if (!mime)
		return err_set(e, ERR_UNSUPPORTED, "file", "只接受JPEG、PNG或WebP图片 / only JPEG, PNG or WebP images");
	uint32_t w = 0, h = 0;
	int rc = mime[6] == 'j'   ? jpeg_size(d, n, &w, &h)
		 : mime[6] == 'p' ? png_size(d, n, &w, &h)
				  : webp_size(d, n, &w, &h);
	if (rc || !w || !h)
		return err_set(e, ERR_INVALID, "file",
			       "图片已损坏：读不出尺寸 / a broken image: no readable dimensions");
	if (w > IMG_MAX_SIDE || h > IMG_MAX_SIDE || (uint64_t)w * h > (uint64_t)IMG_MAX_PIXELS)
		return err_set(e, ERR_TOO_LARGE, "file",
			       "图片尺寸%u×%u过大：每边最多%d像素、总共最多%ld万像素 / an image of %u×%u pixels is too "
			       "large: at most %d on a side and %ld pixels in all",
			       w, h, IMG_MAX_SIDE, IMG_MAX_PIXELS / 10000, w, h, IMG_MAX_SIDE, IMG_MAX_PIXELS);
	out->mime = mime;
	out->width = w;
	out->height = h;
	return 0;
}
