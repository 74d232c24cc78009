/*
 * test_qrpng.c — unit tests for src/base/qrpng: the PNG container is parsed
 * by hand here (signature, chunk order, CRCs recomputed with zlib crc32),
 * the IDAT stream is inflated with zlib uncompress, and the pixels are
 * checked against the quiet zone, the finder patterns and libqrencode's own
 * matrix. No external QR decoder is used, so the tests run anywhere.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/qrpng.h"

#define URL "https://linli.example.org/r/place/3-12-0402?t=9f2c"

/* A decoded PNG: header fields and the raw (filtered) scanlines. */
struct png {
	uint32_t w, h;
	int depth, ctype, comp, filter, interlace;
	int nidat;
	unsigned char *raw; /* h * (1 + w) bytes */
	size_t rawlen;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Parses and validates the whole file; fails the test on any defect. */
static void parse_png(const unsigned char *p, size_t len, struct png *pg)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	struct buf idat = {0};
	size_t off = 8;
	int nchunk = 0, seen_iend = 0;

	memset(pg, 0, sizeof *pg);
	assert_true(len > 8);
	assert_memory_equal(p, sig, 8);
	while (off < len) {
		assert_false(seen_iend); /* nothing may follow IEND */
		assert_true(len - off >= 12);
		uint32_t n = be32(p + off);
		const unsigned char *type = p + off + 4, *data = p + off + 8;
		assert_true(len - off - 12 >= n);

		uLong crc = crc32(0L, type, 4);
		if (n)
			crc = crc32(crc, data, n);
		assert_int_equal(be32(data + n), (uint32_t)crc);

		if (nchunk == 0) {
			assert_memory_equal(type, "IHDR", 4);
			assert_int_equal(n, 13);
			pg->w = be32(data);
			pg->h = be32(data + 4);
			pg->depth = data[8];
			pg->ctype = data[9];
			pg->comp = data[10];
			pg->filter = data[11];
			pg->interlace = data[12];
		} else if (!memcmp(type, "IDAT", 4)) {
			buf_append(&idat, data, n);
			pg->nidat++;
		} else if (!memcmp(type, "IEND", 4)) {
			assert_int_equal(n, 0);
			seen_iend = 1;
		} else {
			fail_msg("unexpected chunk %.4s", (const char *)type);
		}
		off += 12 + (size_t)n;
		nchunk++;
	}
	assert_int_equal(off, len);
	assert_true(seen_iend);
	assert_true(pg->nidat >= 1);

	/* One spare byte so a stream that inflates to too much is caught too. */
	size_t want = (size_t)pg->h * (1 + (size_t)pg->w);
	uLongf got = want + 1;
	pg->raw = malloc(want + 1);
	assert_non_null(pg->raw);
	assert_int_equal(uncompress(pg->raw, &got, (const Bytef *)idat.data, idat.len), Z_OK);
	assert_int_equal(got, want);
	pg->rawlen = got;
	buf_free(&idat);
}

static unsigned char px(const struct png *pg, size_t x, size_t y)
{
	return pg->raw[y * (1 + (size_t)pg->w) + 1 + x];
}

/* Renders text and parses the result; the caller frees pg->raw. */
static void render(const char *text, int scale, struct png *pg)
{
	unsigned char *png = NULL;
	size_t len = 0;
	struct err e = {0};

	int rc = qrpng_render(text, scale, &png, &len, &e);
	if (rc != 0)
		fail_msg("qrpng_render: %d %s", rc, e.msg);
	assert_non_null(png);
	parse_png(png, len, pg);
	free(png);
}

/* The matrix side length libqrencode gives for the same input and settings. */
static int modules_of(const char *text)
{
	QRcode *qr = QRcode_encodeData((int)strlen(text), (const unsigned char *)text, 0, QR_ECLEVEL_M);
	assert_non_null(qr);
	int w = qr->width;
	QRcode_free(qr);
	return w;
}

/* ------------------------------------------------------------- header */

static void test_signature_and_ihdr(void **state)
{
	struct png pg;

	/* "hello" fits version 1 (21 modules) at level M. */
	render("hello", 4, &pg);
	assert_int_equal(pg.w, (21 + 8) * 4);
	assert_int_equal(pg.h, (21 + 8) * 4);
	assert_int_equal(pg.depth, 8);
	assert_int_equal(pg.ctype, 0);
	assert_int_equal(pg.comp, 0);
	assert_int_equal(pg.filter, 0);
	assert_int_equal(pg.interlace, 0);
	free(pg.raw);

	int m = modules_of(URL);
	assert_true(m > 21);
	for (int scale = 1; scale <= 32; scale += 31) {
		render(URL, scale, &pg);
		assert_int_equal(pg.w, (uint32_t)(m + 8) * (uint32_t)scale);
		assert_int_equal(pg.h, pg.w);
		free(pg.raw);
	}
}

static void test_chunk_crcs_across_scales(void **state)
{
	static const int scales[] = {1, 2, 3, 7, 16, 32};
	struct png pg;

	/* parse_png recomputes and checks every CRC and the chunk order. */
	for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++) {
		render(URL, scales[i], &pg);
		free(pg.raw);
	}
}

/* ------------------------------------------------------------- pixels */

static void test_idat_filter_bytes_and_pixel_values(void **state)
{
	struct png pg;

	render(URL, 3, &pg);
	assert_int_equal(pg.rawlen, (size_t)pg.h * (1 + pg.w));
	for (uint32_t y = 0; y < pg.h; y++) {
		assert_int_equal(pg.raw[y * (1 + (size_t)pg.w)], 0);
		for (uint32_t x = 0; x < pg.w; x++) {
			unsigned char v = px(&pg, x, y);
			assert_true(v == 0x00 || v == 0xff);
		}
	}
	free(pg.raw);
}

static void test_quiet_zone_is_light(void **state)
{
	struct png pg;
	const int scale = 5;

	render(URL, scale, &pg);
	size_t q = 4 * (size_t)scale;
	for (size_t y = 0; y < pg.h; y++)
		for (size_t x = 0; x < pg.w; x++)
			if (y < q || y >= pg.h - q || x < q || x >= pg.w - q)
				assert_int_equal(px(&pg, x, y), 0xff);
	free(pg.raw);
}

/* Expected finder-pattern module at (i, j) within its 7x7 box, plus the
 * light separator ring at i or j == -1 / 7. */
static int finder_dark(int i, int j)
{
	if (i < 0 || j < 0 || i > 6 || j > 6)
		return 0;
	if (i == 0 || j == 0 || i == 6 || j == 6)
		return 1; /* outer ring */
	if (i == 1 || j == 1 || i == 5 || j == 5)
		return 0; /* light ring */
	return 1;         /* 3x3 core */
}

/* Checks every pixel of the finder at module (mx0, my0) and its separator. */
static void check_finder(const struct png *pg, int scale, int mx0, int my0, int m)
{
	for (int j = -1; j <= 7; j++) {
		for (int i = -1; i <= 7; i++) {
			int mx = mx0 + i, my = my0 + j;
			/* The separator only exists on the sides facing the symbol. */
			if (mx < 4 || my < 4 || mx >= 4 + m || my >= 4 + m)
				continue;
			unsigned char want = finder_dark(i, j) ? 0x00 : 0xff;
			for (int dy = 0; dy < scale; dy++)
				for (int dx = 0; dx < scale; dx++)
					assert_int_equal(px(pg, (size_t)(mx * scale + dx), (size_t)(my * scale + dy)),
							 want);
		}
	}
}

static void test_finder_patterns(void **state)
{
	struct png pg;
	const int scale = 6;
	int m = modules_of(URL);

	render(URL, scale, &pg);
	/* Top-left: the outer ring starts right after the 4-module quiet zone. */
	assert_int_equal(px(&pg, 4 * scale, 4 * scale), 0x00);
	assert_int_equal(px(&pg, 4 * scale - 1, 4 * scale - 1), 0xff);
	check_finder(&pg, scale, 4, 4, m);
	check_finder(&pg, scale, 4 + m - 7, 4, m); /* top-right */
	check_finder(&pg, scale, 4, 4 + m - 7, m); /* bottom-left */
	free(pg.raw);
}

/* Every module is a uniform scale x scale block equal to libqrencode's matrix. */
static void test_pixels_match_matrix(void **state)
{
	static const char *texts[] = {"hello", URL, "扫码上报 https://linli.example.org/r/社区/3号楼A单元"};
	const int scale = 3;

	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		QRcode *qr = QRcode_encodeData((int)strlen(texts[t]), (const unsigned char *)texts[t], 0, QR_ECLEVEL_M);
		struct png pg;

		assert_non_null(qr);
		render(texts[t], scale, &pg);
		assert_int_equal(pg.w, (uint32_t)(qr->width + 8) * scale);
		for (int my = 0; my < qr->width; my++) {
			for (int mx = 0; mx < qr->width; mx++) {
				unsigned char want = (qr->data[my * qr->width + mx] & 1) ? 0x00 : 0xff;
				for (int dy = 0; dy < scale; dy++)
					for (int dx = 0; dx < scale; dx++)
						assert_int_equal(px(&pg, (size_t)((mx + 4) * scale + dx),
								    (size_t)((my + 4) * scale + dy)),
								 want);
			}
		}
		free(pg.raw);
		QRcode_free(qr);
	}
}

static void test_max_length_and_scale(void **state)
{
	char text[QRPNG_MAX_TEXT + 1];
	struct png pg;

	/* Mixed bytes so the payload does not compress to nothing. */
	for (size_t i = 0; i < QRPNG_MAX_TEXT; i++)
		text[i] = (char)('!' + (i * 37) % 90);
	text[QRPNG_MAX_TEXT] = 0;
	int m = modules_of(text);

	render(text, QRPNG_MAX_SCALE, &pg);
	assert_int_equal(pg.w, (uint32_t)(m + 8) * QRPNG_MAX_SCALE);
	/* ~250 KiB of compressed data: the stream must span several IDAT chunks. */
	assert_true(pg.nidat > 1);
	free(pg.raw);
	render(text, QRPNG_MIN_SCALE, &pg);
	assert_int_equal(pg.w, (uint32_t)(m + 8));
	free(pg.raw);
}

/* ------------------------------------------------------------- errors */

/* Expects ERR_INVALID on field with a "中文 / English" message, and no output. */
static void expect_invalid(const char *text, int scale, const char *field)
{
	unsigned char *png = (unsigned char *)"stale";
	size_t len = 99;
	struct err e = {0};

	assert_int_equal(qrpng_render(text, scale, &png, &len, &e), ERR_INVALID);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, field);
	assert_null(png);
	assert_int_equal(len, 0);
	/* Chinese first (a UTF-8 lead byte), then " / " and the English part. */
	assert_true((unsigned char)e.msg[0] >= 0xe0);
	const char *slash = strstr(e.msg, " / ");
	assert_non_null(slash);
	assert_true(slash[3] >= 'A' && slash[3] <= 'Z');

	/* Same outcome without a struct err. */
	png = (unsigned char *)"stale";
	assert_int_equal(qrpng_render(text, scale, &png, &len, NULL), ERR_INVALID);
	assert_null(png);
}

static void test_errors(void **state)
{
	char longtext[QRPNG_MAX_TEXT + 2];
	struct err e = {0};
	unsigned char *png = NULL;
	size_t len = 0;

	memset(longtext, 'a', QRPNG_MAX_TEXT + 1);
	longtext[QRPNG_MAX_TEXT + 1] = 0;

	expect_invalid(NULL, 4, "text");
	expect_invalid("", 4, "text");
	expect_invalid(longtext, 4, "text");
	expect_invalid(URL, 0, "scale");
	expect_invalid(URL, -3, "scale");
	expect_invalid(URL, QRPNG_MAX_SCALE + 1, "scale");

	/* The too-long message names the limit. */
	assert_int_equal(qrpng_render(longtext, 4, &png, &len, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "二维码内容过长"));
	assert_non_null(strstr(e.msg, "QR text too long"));

	/* Missing output pointers are refused, not dereferenced. */
	assert_int_equal(qrpng_render(URL, 4, NULL, &len, NULL), ERR_INVALID);
	assert_int_equal(qrpng_render(URL, 4, &png, NULL, NULL), ERR_INVALID);
	assert_null(png);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signature_and_ihdr),
	    cmocka_unit_test(test_chunk_crcs_across_scales),
	    cmocka_unit_test(test_idat_filter_bytes_and_pixel_values),
	    cmocka_unit_test(test_quiet_zone_is_light),
	    cmocka_unit_test(test_finder_patterns),
	    cmocka_unit_test(test_pixels_match_matrix),
	    cmocka_unit_test(test_max_length_and_scale),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
