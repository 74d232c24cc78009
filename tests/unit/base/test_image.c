/*
 * test_image.c — image recognition and declared dimensions as one table:
 * hand-made JPEG, PNG and WebP headers → type and size, or the refusal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/image.h"

/* Bytes of a header built from a template; sizes are patched in. */
struct img {
	unsigned char b[64];
	size_t n;
};

static struct img png(uint32_t w, uint32_t h)
{
	struct img i = {.n = 33};
	memcpy(i.b, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
	for (int k = 0; k < 4; k++) {
		i.b[16 + k] = (unsigned char)(w >> (24 - 8 * k));
		i.b[20 + k] = (unsigned char)(h >> (24 - 8 * k));
	}
	i.b[24] = 8, i.b[25] = 6;
	return i;
}

/* SOI, an APP0 segment, then a start-of-frame marker sof. */
static struct img jpeg(unsigned sof, uint32_t w, uint32_t h)
{
	static const unsigned char head[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F',
					     0,    1,    1,    0,    0,    1,    0,   1,   0,   0};
	struct img i = {.n = sizeof head + 19};
	memcpy(i.b, head, sizeof head);
	unsigned char *p = i.b + sizeof head;
	unsigned char sofseg[] = {0xFF,
				  (unsigned char)sof,
				  0x00,
				  0x11,
				  8,
				  (unsigned char)(h >> 8),
				  (unsigned char)h,
				  (unsigned char)(w >> 8),
				  (unsigned char)w,
				  3,
				  1,
				  0x22,
				  0,
				  2,
				  0x11,
				  1,
				  3,
				  0x11,
				  1};
	memcpy(p, sofseg, sizeof sofseg);
	return i;
}

static struct img webp(const char *kind, uint32_t w, uint32_t h)
{
	struct img i = {.n = 40};
	memcpy(i.b, "RIFF\x20\0\0\0WEBP", 12);
	memcpy(i.b + 12, kind, 4);
	unsigned char *p = i.b + 20;
	if (!strcmp(kind, "VP8 ")) {
		p[3] = 0x9d, p[4] = 0x01, p[5] = 0x2a;
		p[6] = (unsigned char)w, p[7] = (unsigned char)(w >> 8);
		p[8] = (unsigned char)h, p[9] = (unsigned char)(h >> 8);
	} else if (!strcmp(kind, "VP8L")) {
		uint32_t bits = (w - 1) | (h - 1) << 14;
		p[0] = 0x2f;
		for (int k = 0; k < 4; k++)
			p[1 + k] = (unsigned char)(bits >> (8 * k));
	} else {
		for (int k = 0; k < 3; k++) {
			p[4 + k] = (unsigned char)((w - 1) >> (8 * k));
			p[7 + k] = (unsigned char)((h - 1) >> (8 * k));
		}
	}
	return i;
}

static void test_probe_table(void **state)
{
	struct img cut = png(10, 10);
	cut.n = 20;
	struct img zero = png(0, 10);
	struct img nosof = jpeg(0xC4, 10, 10); /* DHT is not a frame */
	struct img huge_seg = jpeg(0xC0, 10, 10);
	huge_seg.b[4] = 0xFF; /* APP0 claims more bytes than there are */
	struct img vp8bad = webp("VP8 ", 10, 10);
	vp8bad.b[23] = 0;
	const struct {
		const char *what;
		struct img i;
		int rc;
		uint32_t w, h;
	} cases[] = {
	    {"png 1x1", png(1, 1), 0, 1, 1},
	    {"png 4000x3000", png(4000, 3000), 0, 4000, 3000},
	    {"png 8192x8192", png(8192, 8192), 0, 8192, 8192},
	    {"png 16384x100", png(16384, 100), 0, 16384, 100},
	    {"png 30000x30000", png(30000, 30000), ERR_TOO_LARGE, 0, 0},
	    {"png 16385x1", png(16385, 1), ERR_TOO_LARGE, 0, 0},
	    {"png 8193x8192", png(8193, 8192), ERR_TOO_LARGE, 0, 0},
	    {"png 4Gx4G", png(0xFFFFFFFF, 0xFFFFFFFF), ERR_TOO_LARGE, 0, 0},
	    {"png 0x10", zero, ERR_INVALID, 0, 0},
	    {"png cut", cut, ERR_INVALID, 0, 0},
	    {"jpeg baseline", jpeg(0xC0, 4032, 3024), 0, 4032, 3024},
	    {"jpeg progressive", jpeg(0xC2, 640, 480), 0, 640, 480},
	    {"jpeg 20000x20000", jpeg(0xC0, 20000, 20000), ERR_TOO_LARGE, 0, 0},
	    {"jpeg 65535x65535", jpeg(0xC1, 65535, 65535), ERR_TOO_LARGE, 0, 0},
	    {"jpeg height 0 (DNL)", jpeg(0xC0, 100, 0), ERR_INVALID, 0, 0},
	    {"jpeg no frame", nosof, ERR_INVALID, 0, 0},
	    {"jpeg bad segment", huge_seg, ERR_INVALID, 0, 0},
	    {"webp lossy", webp("VP8 ", 1920, 1080), 0, 1920, 1080},
	    {"webp lossless", webp("VP8L", 16384, 16384), ERR_TOO_LARGE, 0, 0},
	    {"webp lossless small", webp("VP8L", 300, 200), 0, 300, 200},
	    {"webp extended", webp("VP8X", 2000, 1000), 0, 2000, 1000},
	    {"webp extended huge", webp("VP8X", 16000000, 16000000), ERR_TOO_LARGE, 0, 0},
	    {"webp bad start code", vp8bad, ERR_INVALID, 0, 0},
	    {"webp unknown chunk", webp("ABCD", 1, 1), ERR_INVALID, 0, 0},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		struct img_info info;
		struct err e = {0};
		int rc = img_probe(cases[k].i.b, cases[k].i.n, &info, &e);
		if (rc != cases[k].rc)
			fail_msg("%s: %d, want %d (%s)", cases[k].what, rc, cases[k].rc, e.msg);
		if (rc == 0) {
			assert_int_equal(info.width, cases[k].w);
			assert_int_equal(info.height, cases[k].h);
			assert_non_null(info.mime);
		} else {
			assert_string_equal(e.field, "file");
		}
	}
}

static void test_sniff(void **state)
{
	struct img_info info;
	struct err e = {0};
	assert_int_equal(img_probe((const unsigned char *)"<svg onload=alert(1)>", 21, &info, &e), ERR_UNSUPPORTED);
	assert_int_equal(img_probe((const unsigned char *)"GIF89a\1\0\1\0", 10, &info, &e), ERR_UNSUPPORTED);
	assert_int_equal(img_probe(NULL, 0, &info, &e), ERR_UNSUPPORTED);
	assert_string_equal(img_sniff((const unsigned char *)"\xFF\xD8\xFF", 3), "image/jpeg");
	assert_null(img_sniff((const unsigned char *)"\xFF\xD8", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe_table),
	    cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
