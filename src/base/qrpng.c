/*
 * qrpng.c — renders a QR code as a grayscale PNG in memory.
 *
 * libqrencode builds the module matrix; the PNG container is written here
 * with zlib (deflate for the IDAT stream, crc32 for chunk checksums), which
 * keeps the dependency list to two small, ubiquitous libraries. The image is
 * streamed: one scanline is built per module row and fed to deflate `scale`
 * times, and compressed output is cut into IDAT chunks whenever a fixed
 * buffer fills, so memory stays proportional to the width, not the area.
 */
#define ZLIB_CONST /* lets next_in point at const data without a cast */
#include "base/qrpng.h"

#include <errno.h>
#include <qrencode.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/buf.h"

#define IDAT_MAX ((size_t)32 << 10) /* compressed bytes per IDAT chunk */

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Appends one chunk: big-endian length, type, data, CRC-32 of type + data. */
static void put_chunk(struct buf *out, const char *type, const unsigned char *data, size_t n)
{
	unsigned char b[8];
	uLong crc;

	put_be32(b, (uint32_t)n);
	memcpy(b + 4, type, 4);
	buf_append(out, b, 8);
	crc = crc32(0L, b + 4, 4);
	/* crc32(crc, NULL, 0) would return the initial value, not crc: skip it. */
	if (n) {
		buf_append(out, data, n);
		crc = crc32(crc, data, (uInt)n);
	}
	put_be32(b, (uint32_t)crc);
	buf_append(out, b, 4);
}

/*
 * Runs deflate over the input already set in zs with the given flush mode,
 * emitting an IDAT each time zbuf fills and, at Z_FINISH, the remainder.
 * Returns 0 or -1 on a zlib error.
 */
static int pump(z_stream *zs, int flush, unsigned char *zbuf, struct buf *out)
{
	for (;;) {
		int rc = deflate(zs, flush);

		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
			return -1;
		if (rc == Z_STREAM_END) {
			size_t n = IDAT_MAX - zs->avail_out;

			if (n)
				put_chunk(out, "IDAT", zbuf, n);
			return 0;
		}
		if (zs->avail_out == 0) {
			put_chunk(out, "IDAT", zbuf, IDAT_MAX);
			zs->next_out = zbuf;
			zs->avail_out = (uInt)IDAT_MAX;
		} else if (flush == Z_NO_FLUSH && zs->avail_in == 0) {
			return 0; /* all input taken; output waits in zbuf */
		} else if (rc == Z_BUF_ERROR) {
			return -1; /* no progress with room to spare: should not happen */
		}
	}
}

/* Writes the whole PNG for the matrix into out. Returns 0 or -1 (zlib or
 * out-of-memory; buf itself aborts on OOM like the rest of base/). */
static int write_png(const QRcode *qr, int scale, struct buf *out)
{
	size_t n = (size_t)qr->width + (size_t)2 * QRPNG_QUIET; /* modules per side, quiet zone included */
	size_t w = n * (size_t)scale;                           /* pixels per side */
	unsigned char ihdr[13];
	unsigned char *line = NULL, *zbuf = NULL;
	z_stream zs;
	int rc = -1;

	buf_append(out, png_sig, sizeof png_sig);
	put_be32(ihdr, (uint32_t)w);
	put_be32(ihdr + 4, (uint32_t)w);
	ihdr[8] = 8;  /* bit depth */
	ihdr[9] = 0;  /* color type: grayscale */
	ihdr[10] = 0; /* compression: deflate */
	ihdr[11] = 0; /* filter method 0 */
	ihdr[12] = 0; /* no interlace */
	put_chunk(out, "IHDR", ihdr, sizeof ihdr);

	memset(&zs, 0, sizeof zs);
	if (deflateInit(&zs, Z_DEFAULT_COMPRESSION) != Z_OK)
		return -1;
	line = malloc(w + 1);
	zbuf = malloc(IDAT_MAX);
	if (!line || !zbuf)
		goto out;
	zs.next_out = zbuf;
	zs.avail_out = (uInt)IDAT_MAX;

	for (size_t my = 0; my < n; my++) {
		line[0] = 0; /* filter type None: the data is flat runs, deflate handles it */
		for (size_t mx = 0; mx < n; mx++) {
			int dark = 0;

			if (my >= QRPNG_QUIET && my < n - QRPNG_QUIET && mx >= QRPNG_QUIET && mx < n - QRPNG_QUIET) {
				size_t qy = my - QRPNG_QUIET, qx = mx - QRPNG_QUIET;

				dark = qr->data[qy * (size_t)qr->width + qx] & 1;
			}
			memset(line + 1 + mx * (size_t)scale, dark ? 0x00 : 0xff, (size_t)scale);
		}
		/* Identical pixel rows for one module row: deflate finds them in its window. */
		for (int r = 0; r < scale; r++) {
			zs.next_in = line;
			zs.avail_in = (uInt)(w + 1);
			if (pump(&zs, Z_NO_FLUSH, zbuf, out) < 0)
				goto out;
		}
	}
	zs.next_in = NULL;
	zs.avail_in = 0;
	if (pump(&zs, Z_FINISH, zbuf, out) < 0)
		goto out;
	put_chunk(out, "IEND", NULL, 0);
	rc = 0;
out:
	deflateEnd(&zs);
	free(line);
	free(zbuf);
	return rc;
}

int qrpng_render(const char *text, int scale, unsigned char **png, size_t *len, struct err *e)
{
	struct buf out = {0};
	QRcode *qr;
	size_t n;

	if (png)
		*png = NULL;
	if (len)
		*len = 0;
	if (!png || !len)
		return err_set(e, ERR_INVALID, "png", "缺少输出参数 / missing output pointer");
	if (!text || !*text)
		return err_set(e, ERR_INVALID, "text", "二维码内容为空 / QR text is empty");
	n = strlen(text);
	if (n > QRPNG_MAX_TEXT)
		return err_set(e, ERR_INVALID, "text",
			       "二维码内容过长，最多 %d 字节 / QR text too long, at most %d bytes", QRPNG_MAX_TEXT,
			       QRPNG_MAX_TEXT);
	if (scale < QRPNG_MIN_SCALE || scale > QRPNG_MAX_SCALE)
		return err_set(e, ERR_INVALID, "scale", "二维码缩放倍数须为 %d 到 %d / QR scale must be %d..%d",
			       QRPNG_MIN_SCALE, QRPNG_MAX_SCALE, QRPNG_MIN_SCALE, QRPNG_MAX_SCALE);

	/* encodeData, not encodeString: forces 8-bit mode for every byte (no
	 * Kanji/alnum mode guessing on UTF-8), and version 0 = smallest that fits. */
	errno = 0;
	qr = QRcode_encodeData((int)n, (const unsigned char *)text, 0, QR_ECLEVEL_M);
	if (!qr)
		return err_set(e, ERR_INTERNAL, "text", "二维码生成失败 / QR encoding failed (errno %d)", errno);

	if (write_png(qr, scale, &out) < 0) {
		QRcode_free(qr);
		buf_free(&out);
		return err_set(e, ERR_INTERNAL, NULL, "二维码图片压缩失败 / PNG compression failed");
	}
	QRcode_free(qr);
	/* buf memory comes from realloc, so the caller's free() matches. */
	*png = (unsigned char *)out.data;
	*len = out.len;
	return 0;
}
