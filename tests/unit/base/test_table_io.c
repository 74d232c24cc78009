/*
 * test_table_io.c — unit tests for base/table_io: CSV decoding (BOM, UTF-8,
 * GB18030, UTF-16), RFC 4180 quoting and line numbers, XLSX reading of
 * hand-made packages, round trips through both writers, injection
 * defusing and the size limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "base/table_io.h"

static char tmpdir[] = "/tmp/tio_test.XXXXXX";

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

static int read_str(const char *s, struct tio_table *t, struct err *e)
{
	return tio_read_mem(s, strlen(s), t, e);
}

/* Asserts that row r has exactly the n given cells at the given line. */
static void expect_row(const struct tio_table *t, size_t r, size_t line, size_t n, ...)
{
	va_list ap;

	assert_true(r < t->nrows);
	assert_int_equal(t->rows[r].line, line);
	assert_int_equal(t->rows[r].ncells, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(t->rows[r].cells[i], va_arg(ap, const char *));
	va_end(ap);
}

static void slurp(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	*data = malloc((size_t)n + 1);
	assert_non_null(*data);
	assert_int_equal(fread(*data, 1, (size_t)n, f), (size_t)n);
	(*data)[n] = '\0';
	*len = (size_t)n;
	fclose(f);
}

/* Builds a zip at path from name/content pairs (NULL-terminated). */
static void make_zip(const char *path, const char *const *parts)
{
	int zerr = 0;
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	assert_non_null(za);
	for (; parts[0]; parts += 2) {
		zip_source_t *src = zip_source_buffer(za, parts[1], strlen(parts[1]), 0);
		assert_non_null(src);
		assert_true(zip_file_add(za, parts[0], src, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
}

/* Reads one part of a zip into a NUL-terminated buffer. */
static char *zip_part(const char *path, const char *name)
{
	int zerr = 0;
	zip_t *za = zip_open(path, ZIP_RDONLY, &zerr);
	assert_non_null(za);
	zip_stat_t st;
	assert_int_equal(zip_stat(za, name, 0, &st), 0);
	char *s = calloc(1, st.size + 1);
	zip_file_t *f = zip_fopen(za, name, 0);
	assert_non_null(f);
	assert_int_equal(zip_fread(f, s, st.size), (zip_int64_t)st.size);
	zip_fclose(f);
	zip_discard(za);
	return s;
}

/* ---- CSV reading ---- */

static void test_csv_utf8_bom(void **state)
{
	struct tio_table t;
	struct err e = {0};

	assert_int_equal(read_str("\xEF\xBB\xBF姓名,身份证号\r\n王贵宝,430302199001011234\r\n", &t, &e), 0);
	assert_int_equal(t.format, TIO_CSV);
	assert_int_equal(t.nrows, 2);
	expect_row(&t, 0, 1, 2, "姓名", "身份证号"); /* BOM not glued to 姓名 */
	expect_row(&t, 1, 2, 2, "王贵宝", "430302199001011234");
	tio_free(&t);
	assert_int_equal(t.nrows, 0);
	assert_null(t.rows);
}

static void test_csv_utf8_plain(void **state)
{
	struct tio_table t;
	struct err e = {0};

	assert_int_equal(read_str("姓名,电话\n张三,13800000000", &t, &e), 0);
	assert_int_equal(t.nrows, 2);
	expect_row(&t, 0, 1, 2, "姓名", "电话");
	expect_row(&t, 1, 2, 2, "张三", "13800000000"); /* no final newline */
	tio_free(&t);
}

static void test_csv_gb18030(void **state)
{
	struct tio_table t;
	struct err e = {0};
	/* 姓名,身份证号 / 王贵宝,4303... as Excel on Chinese Windows saves it */
	const char gb[] = "\xD0\xD5\xC3\xFB,\xC9\xED\xB7\xDD\xD6\xA4\xBA\xC5\r\n"
			  "\xCD\xF5\xB9\xF3\xB1\xA6,430302199001011234\r\n";

	assert_int_equal(tio_read_mem(gb, sizeof gb - 1, &t, &e), 0);
	assert_int_equal(t.nrows, 2);
	expect_row(&t, 0, 1, 2, "姓名", "身份证号");
	expect_row(&t, 1, 2, 2, "王贵宝", "430302199001011234");
	tio_free(&t);
}

static void test_csv_utf16le(void **state)
{
	struct tio_table t;
	struct err e = {0};
	/* "名\t号\r\n王\t1\r\n" in UTF-16LE with BOM, tab-separated */
	const char u16[] = "\xFF\xFE"
			   "\x0D\x54"
			   "\t\0"
			   "\xF7\x53"
			   "\r\0\n\0"
			   "\x8B\x73"
			   "\t\0"
			   "1\0"
			   "\r\0\n\0";

	assert_int_equal(tio_read_mem(u16, sizeof u16 - 1, &t, &e), 0);
	assert_int_equal(t.nrows, 2);
	expect_row(&t, 0, 1, 2, "名", "号");
	expect_row(&t, 1, 2, 2, "王", "1");
	tio_free(&t);
}

static void check_quoted(const char *csv)
{
	struct tio_table t;
	struct err e = {0};

	assert_int_equal(read_str(csv, &t, &e), 0);
	assert_int_equal(t.nrows, 4);
	expect_row(&t, 0, 1, 3, "name", "addr", "note");
	expect_row(&t, 1, 2, 3, "王贵宝", "1栋, 2单元", "line1\nline2");
	expect_row(&t, 2, 4, 2, "x\"y", "b"); /* trailing "" dropped */
	expect_row(&t, 3, 6, 3, "last", "multi\n\nline", "z");
	tio_free(&t);
}

static void test_csv_quoted_and_lines(void **state)
{
	check_quoted("\"name\",\"addr\",\"note\"\n"
		     "\"王贵宝\",\"1栋, 2单元\",\"line1\nline2\"\n"
		     "\"x\"\"y\",b,\"\"\n"
		     "\n"
		     "last,\"multi\n\nline\",z\n");
	/* Quoted line breaks stay LF as written; CRLF rows count the same. */
	struct tio_table t;
	struct err e = {0};
	assert_int_equal(read_str("a,b\r\n\r\n\"x\r\ny\",c\r\nd,e\r\n", &t, &e), 0);
	assert_int_equal(t.nrows, 3);
	expect_row(&t, 0, 1, 2, "a", "b");
	expect_row(&t, 1, 3, 2, "x\r\ny", "c");
	expect_row(&t, 2, 5, 2, "d", "e");
	tio_free(&t);
}

static void test_csv_empty_rows_and_trim(void **state)
{
	struct tio_table t;
	struct err e = {0};

	/* Excel writes ",,," for formatted but empty rows; U+3000 and NBSP
	 * around values are common in hand-typed registries. */
	assert_int_equal(read_str("  a ,\xE3\x80\x80"
				  "b\xE3\x80\x80,\n"
				  "\n"
				  ",,,\n"
				  "   \n"
				  "\xC2\xA0"
				  "c,\" d \",,\n",
				  &t, &e),
			 0);
	assert_int_equal(t.nrows, 2);
	expect_row(&t, 0, 1, 2, "a", "b"); /* trailing empty cell dropped */
	expect_row(&t, 1, 5, 2, "c", "d");
	assert_string_equal(tio_cell(&t.rows[1], 7), "");
	tio_free(&t);

	assert_int_equal(read_str("", &t, &e), 0);
	assert_int_equal(t.nrows, 0);
	tio_free(&t);
}

static void test_csv_rejects_bad_encoding(void **state)
{
	struct tio_table t;
	struct err e = {0};

	/* 0x80 and 0xFF are neither UTF-8 nor GB18030 */
	assert_int_equal(read_str("a,b\nc,d\n\x80\xFF,e\n", &t, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "第3行"));
	assert_int_equal(t.nrows, 0);
	assert_null(t.rows);

	/* a BOM promises UTF-8: no fallback to GB18030 */
	err_clear(&e);
	assert_int_equal(read_str("\xEF\xBB\xBF"
				  "a\n\xCD\xF5\n",
				  &t, &e),
			 ERR_INVALID);
	assert_non_null(strstr(e.msg, "第2行"));
}

static void test_csv_rejects_bad_quotes(void **state)
{
	struct tio_table t;
	struct err e = {0};

	assert_int_equal(read_str("a,b\n\"ok\",x\nbad\"quote,y\n", &t, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "第3行"));
	err_clear(&e);
	assert_int_equal(read_str("a,b\nc,\"never closed\nd\n", &t, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "第2行"));
}

/* Decoded text longer than one conversion chunk, read from a file longer
 * than one read: rows and line numbers stay exact across the seams. */
static void test_csv_long_gb18030_file(void **state)
{
	char path[256];
	struct tio_table t;
	struct err e = {0};
	const char head[] = "\xD0\xD5\xC3\xFB,\xC9\xED\xB7\xDD\xD6\xA4\xBA\xC5\r\n";
	const char row[] = "\xCD\xF5\xB9\xF3\xB1\xA6,430302199001011234\r\n";
	enum { ROWS = 3000 };
	size_t n = sizeof head - 1 + ROWS * (sizeof row - 1);
	char *gb = malloc(n + 16);

	assert_non_null(gb);
	memcpy(gb, head, sizeof head - 1);
	for (size_t i = 0; i < ROWS; i++)
		memcpy(gb + sizeof head - 1 + i * (sizeof row - 1), row, sizeof row - 1);
	path_of(path, sizeof path, "long.csv");
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(gb, 1, n, f), n);
	fclose(f);

	assert_int_equal(tio_read_file(path, &t, &e), 0);
	assert_int_equal(t.nrows, ROWS + 1);
	expect_row(&t, 0, 1, 2, "姓名", "身份证号");
	expect_row(&t, 1, 2, 2, "王贵宝", "430302199001011234");
	expect_row(&t, ROWS, ROWS + 1, 2, "王贵宝", "430302199001011234");
	tio_free(&t);
	unlink(path);

	/* a byte that is not GB18030 on the last line, far past the first chunk */
	memcpy(gb + n, "\x80\xFF,e\r\n", 6);
	err_clear(&e);
	assert_int_equal(tio_read_mem(gb, n + 6, &t, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "第3002行"));
	assert_null(t.rows);
	free(gb);
}

/* UTF-16LE of an ASCII string (each byte followed by 0), after a BOM. */
static size_t utf16le(char *out, const char *ascii)
{
	size_t n = 0;

	out[n++] = '\xFF';
	out[n++] = '\xFE';
	for (; *ascii; ascii++) {
		out[n++] = *ascii;
		out[n++] = '\0';
	}
	return n;
}

static void test_csv_utf16_long_and_broken(void **state)
{
	struct tio_table t;
	struct err e = {0};
	enum { ROWS = 2000 };
	char *text = malloc(ROWS * 16 + 16);
	char *u16 = malloc(ROWS * 32 + 64);

	assert_non_null(text);
	assert_non_null(u16);
	text[0] = '\0';
	for (size_t i = 0; i < ROWS; i++)
		sprintf(text + strlen(text), "r%zu\t%zu\r\n", i, i * 7);
	size_t n = utf16le(u16, text);
	assert_true(n > 2 * 16384);
	assert_int_equal(tio_read_mem(u16, n, &t, &e), 0);
	assert_int_equal(t.nrows, ROWS);
	expect_row(&t, 0, 1, 2, "r0", "0");
	expect_row(&t, ROWS - 1, ROWS, 2, "r1999", "13993");
	tio_free(&t);

	/* a lone surrogate names its line */
	n = utf16le(u16, "a\tb\r\nc\td\r\n");
	memcpy(u16 + n, "\x00\xD8x\0", 4);
	err_clear(&e);
	assert_int_equal(tio_read_mem(u16, n + 4, &t, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "第3行"));

	/* an odd byte at the end is a cut-off character */
	n = utf16le(u16, "a\tb\r\n");
	u16[n++] = 'c';
	err_clear(&e);
	assert_int_equal(tio_read_mem(u16, n, &t, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "第2行"));

	/* NUL is refused once decoded */
	n = utf16le(u16, "a\tb");
	memcpy(u16 + n, "\0\0", 2);
	assert_int_equal(tio_read_mem(u16, n + 2, &t, &e), ERR_INVALID);

	/* a BOM and nothing else is an empty table */
	assert_int_equal(tio_read_mem("\xFF\xFE", 2, &t, &e), 0);
	assert_int_equal(t.format, TIO_CSV);
	assert_int_equal(t.nrows, 0);
	tio_free(&t);
	free(text);
	free(u16);
}

static void test_rejects_binary_and_xls(void **state)
{
	struct tio_table t;
	struct err e = {0};
	const char xls[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest";
	const char bin[] = "\x89PNG\r\n\x1A\n\0\0\0";

	assert_int_equal(tio_read_mem(xls, sizeof xls - 1, &t, &e), ERR_UNSUPPORTED);
	assert_int_equal(tio_read_mem(bin, sizeof bin - 1, &t, &e), ERR_UNSUPPORTED);
}

/* ---- limits ---- */

static void test_limits(void **state)
{
	struct tio_table t;
	struct err e = {0};

	/* input size: refused before the data is looked at */
	char *big = calloc(1, TIO_MAX_INPUT + 1);
	assert_non_null(big);
	assert_int_equal(tio_read_mem(big, TIO_MAX_INPUT + 1, &t, &e), ERR_TOO_LARGE);
	free(big);

	/* one cell over 64 KiB */
	size_t n = TIO_MAX_CELL + 10;
	char *cell = malloc(n + 8);
	memcpy(cell, "h\nx,", 4);
	memset(cell + 4, 'y', n);
	cell[n + 4] = '\0';
	err_clear(&e);
	assert_int_equal(read_str(cell, &t, &e), ERR_TOO_LARGE);
	assert_non_null(strstr(e.msg, "第2行B列"));
	free(cell);

	/* too many columns */
	char *wide = malloc(TIO_MAX_COLS + 8);
	memset(wide, ',', TIO_MAX_COLS + 1);
	wide[0] = 'a';
	memcpy(wide + TIO_MAX_COLS + 1, "b\n", 3);
	assert_int_equal(read_str(wide, &t, &e), ERR_TOO_LARGE);
	free(wide);

	/* rows: exactly the limit passes, one more fails */
	size_t rows = TIO_MAX_ROWS + 1;
	char *many = malloc(rows * 2 + 1);
	for (size_t i = 0; i < rows; i++)
		memcpy(many + 2 * i, "a\n", 2);
	assert_int_equal(tio_read_mem(many, (rows - 1) * 2, &t, &e), 0);
	assert_int_equal(t.nrows, TIO_MAX_ROWS);
	assert_int_equal(t.rows[TIO_MAX_ROWS - 1].line, TIO_MAX_ROWS);
	tio_free(&t);
	assert_int_equal(tio_read_mem(many, rows * 2, &t, &e), ERR_TOO_LARGE);
	free(many);
}

/* ---- XLSX reading of hand-made packages ---- */

static const char wb_xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
			     "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
			     "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
			     "<sheets><sheet name=\"台账\" sheetId=\"7\" r:id=\"rId9\"/>"
			     "<sheet name=\"other\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";

#define REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static const char rels_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" REL "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId9\" Type=\"" REL "worksheet\" Target=\"/xl/worksheets/registry.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" REL "sharedStrings\" Target=\"strings.xml\"/>"
    "</Relationships>";

static const char sst_xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
			      "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"4\">"
			      "<si><t>姓名</t></si>"
			      "<si><r><rPr><b/></rPr><t>身份</t></r><r><t xml:space=\"preserve\">证号 </t></r>"
			      "<rPh sb=\"0\" eb=\"1\"><t>phonetic</t></rPh></si>"
			      "<si><t>王贵宝</t></si>"
			      "<si><t>a_x005F_x0041_b&amp;&lt;c&gt;</t></si>"
			      "</sst>";

static const char sheet_xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
				"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
				"<sheetData>"
				"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>1</v></c></row>"
				"<row r=\"2\" s=\"3\"><c r=\"A2\" s=\"3\"/><c r=\"B2\" s=\"3\"/></row>"
				"<row r=\"5\"><c r=\"A5\" t=\"s\"><v>2</v></c><c r=\"B5\" t=\"b\"><v>1</v></c>"
				"<c r=\"C5\" t=\"inlineStr\"><is><t>430302199001011234</t></is></c>"
				"<c r=\"D5\"><v>4.3030219900101E+17</v></c>"
				"<c r=\"E5\" t=\"str\"><f>A5&amp;\"x\"</f><v>王贵宝x</v></c>"
				"<c r=\"F5\"><v>45292</v></c></row>"
				"<row><c t=\"s\"><v>3</v></c>"
				"<c t=\"inlineStr\"><is><r><t>富</t></r><r><t>文本</t></r></is></c></row>"
				"</sheetData></worksheet>";

static void test_xlsx_read_handmade(void **state)
{
	char path[256];
	struct tio_table t;
	struct err e = {0};
	const char *parts[] = {
	    "xl/workbook.xml",
	    wb_xml,
	    "xl/_rels/workbook.xml.rels",
	    rels_xml,
	    "xl/strings.xml",
	    sst_xml,
	    /* a decoy at the default path: the rels must win */
	    "xl/worksheets/sheet1.xml",
	    "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>WRONG</t></is></c>"
	    "</row></sheetData></worksheet>",
	    "xl/worksheets/registry.xml",
	    sheet_xml,
	    NULL,
	};

	path_of(path, sizeof path, "hand.xlsx");
	make_zip(path, parts);
	assert_int_equal(tio_read_file(path, &t, &e), 0);
	assert_int_equal(t.format, TIO_XLSX);
	assert_int_equal(t.nrows, 3);
	expect_row(&t, 0, 1, 3, "姓名", "", "身份证号");
	expect_row(&t, 1, 5, 6, "王贵宝", "TRUE", "430302199001011234", "4.3030219900101E+17", "王贵宝x", "45292");
	expect_row(&t, 2, 6, 2, "a_x0041_b&<c>", "富文本");
	tio_free(&t);
}

static void test_xlsx_rejects_broken(void **state)
{
	char path[256];
	struct tio_table t;
	struct err e = {0};

	/* a zip that is not a workbook (e.g. a .docx) */
	const char *docx[] = {"word/document.xml", "<w/>", NULL};
	path_of(path, sizeof path, "doc.zip");
	make_zip(path, docx);
	assert_int_equal(tio_read_file(path, &t, &e), ERR_UNSUPPORTED);

	/* a DTD is refused outright (entity expansion) */
	const char *dtd[] = {
	    "xl/workbook.xml",
	    wb_xml,
	    "xl/worksheets/sheet1.xml",
	    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><worksheet><sheetData><row>"
	    "<c t=\"inlineStr\"><is><t>&a;</t></is></c></row></sheetData></worksheet>",
	    NULL,
	};
	path_of(path, sizeof path, "dtd.xlsx");
	make_zip(path, dtd);
	assert_int_equal(tio_read_file(path, &t, &e), ERR_INVALID);

	/* shared string index out of range names the cell */
	const char *sst[] = {
	    "xl/workbook.xml",
	    wb_xml,
	    "xl/worksheets/sheet1.xml",
	    "<worksheet><sheetData><row r=\"4\"><c r=\"B4\" t=\"s\"><v>7</v></c></row>"
	    "</sheetData></worksheet>",
	    NULL,
	};
	path_of(path, sizeof path, "sst.xlsx");
	make_zip(path, sst);
	err_clear(&e);
	assert_int_equal(tio_read_file(path, &t, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "第4行B列"));

	/* truncated archive */
	char *data;
	size_t len;
	path_of(path, sizeof path, "hand.xlsx");
	slurp(path, &data, &len);
	assert_int_equal(tio_read_mem(data, len / 2, &t, &e), ERR_INVALID);
	free(data);

	assert_int_equal(tio_read_file("/nonexistent/x.csv", &t, &e), ERR_NOT_FOUND);
}

/* Zip bomb: a sheet inflating past TIO_MAX_UNZIPPED is cut off. */
static void test_xlsx_zip_bomb(void **state)
{
	char path[256];
	struct tio_table t;
	struct err e = {0};
	size_t n = TIO_MAX_UNZIPPED + 1024;
	char *xml = malloc(n + 1);

	assert_non_null(xml);
	memcpy(xml, "<worksheet>", 11);
	memset(xml + 11, ' ', n - 11);
	xml[n] = '\0';
	const char *parts[] = {
	    "xl/workbook.xml", wb_xml, "xl/worksheets/sheet1.xml", xml, NULL,
	};
	path_of(path, sizeof path, "bomb.xlsx");
	make_zip(path, parts);
	free(xml);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true((size_t)st.st_size < TIO_MAX_INPUT); /* small on disk */
	assert_int_equal(tio_read_file(path, &t, &e), ERR_TOO_LARGE);
}

/* ---- writing ---- */

static void test_xlsx_round_trip(void **state)
{
	char path[256];
	struct tio_writer *w;
	struct tio_table t;
	struct err e = {0};
	const char *head[] = {"姓名", "身份证号", "住址", "备注", "编码"};
	const char *r1[] = {"王贵宝", "430302199001011234", "幸福里 3栋2单元\n501室", "=1+1",
			    "a\x01"
			    "b"};
	const char *r2[] = {"李四", "", NULL, "0012", "_x0041_ _x005F_"};

	path_of(path, sizeof path, "out.xlsx");
	assert_int_equal(tio_writer_open(&w, TIO_XLSX, path, "台账/2024[1]", &e), 0);
	assert_int_equal(tio_writer_row(w, 5, head, &e), 0);
	assert_int_equal(tio_writer_row(w, 5, r1, &e), 0);
	assert_int_equal(tio_writer_row(w, 5, r2, &e), 0);
	assert_int_equal(tio_writer_close(w, &e), 0);

	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(tio_read_file(path, &t, &e), 0);
	assert_int_equal(t.format, TIO_XLSX);
	assert_int_equal(t.nrows, 3);
	expect_row(&t, 0, 1, 5, "姓名", "身份证号", "住址", "备注", "编码");
	/* control characters and look-alike escapes survive the trip */
	expect_row(&t, 1, 2, 5, "王贵宝", "430302199001011234", "幸福里 3栋2单元\n501室", "=1+1",
		   "a\x01"
		   "b");
	expect_row(&t, 2, 3, 5, "李四", "", "", "0012", "_x0041_ _x005F_");
	tio_free(&t);

	/* every cell a string, header bold and frozen, widths set */
	char *sheet = zip_part(path, "xl/worksheets/sheet1.xml");
	assert_null(strstr(sheet, "<f>"));
	assert_non_null(strstr(sheet, "<is><t>430302199001011234</t></is>"));
	assert_non_null(strstr(sheet, "state=\"frozen\""));
	assert_non_null(strstr(sheet, "<col min=\"2\" max=\"2\" width=\"20"));
	free(sheet);
	char *wbx = zip_part(path, "xl/workbook.xml");
	assert_non_null(strstr(wbx, "name=\"台账_2024_1_\""));
	free(wbx);
	char *styles = zip_part(path, "xl/styles.xml");
	assert_non_null(strstr(styles, "<b/>"));
	free(styles);
}

/* Writes a one-sheet workbook and returns its xl/workbook.xml. */
static char *workbook_named(const char *sheet)
{
	char path[256];
	struct tio_writer *w;
	struct err e = {0};
	const char *row[] = {"a"};

	path_of(path, sizeof path, "named.xlsx");
	assert_int_equal(tio_writer_open(&w, TIO_XLSX, path, sheet, &e), 0);
	assert_int_equal(tio_writer_row(w, 1, row, &e), 0);
	assert_int_equal(tio_writer_close(w, &e), 0);
	char *wbx = zip_part(path, "xl/workbook.xml");
	unlink(path);
	return wbx;
}

static void expect_sheet_name(const char *sheet, const char *want)
{
	char attr[256];
	char *wbx = workbook_named(sheet);

	snprintf(attr, sizeof attr, "name=\"%s\"", want);
	if (!strstr(wbx, attr))
		fail_msg("sheet %s: want %s in %s", sheet ? sheet : "(null)", attr, wbx);
	free(wbx);
}

static void test_xlsx_sheet_names(void **state)
{
	expect_sheet_name(NULL, "Sheet1");
	expect_sheet_name("", "Sheet1");
	expect_sheet_name("'台账'", "_台账_");
	expect_sheet_name("history", "History_");
	expect_sheet_name("a\tb", "a_b");
	/* cut at the first byte that is not UTF-8 */
	expect_sheet_name("台账\xff后面", "台账");
	expect_sheet_name("\xC3(", "Sheet1");
	/* at most 31 characters, counted as characters */
	expect_sheet_name("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五",
			  "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一");
}

/* Column widths: wide characters count two, the widest line counts, and
 * the result is kept between 8 and 60. */
static void test_xlsx_column_widths(void **state)
{
	char path[256];
	struct tio_writer *w;
	struct err e = {0};
	char long_cell[101];
	const char *head[] = {"住址", "x", "备注"};
	const char *row[] = {"幸福里 3栋2单元\n501室", "a", long_cell};

	memset(long_cell, 'z', 100);
	long_cell[100] = '\0';
	path_of(path, sizeof path, "widths.xlsx");
	assert_int_equal(tio_writer_open(&w, TIO_XLSX, path, NULL, &e), 0);
	assert_int_equal(tio_writer_row(w, 3, head, &e), 0);
	assert_int_equal(tio_writer_row(w, 3, row, &e), 0);
	assert_int_equal(tio_writer_close(w, &e), 0);
	char *sheet = zip_part(path, "xl/worksheets/sheet1.xml");
	assert_non_null(strstr(sheet, "<col min=\"1\" max=\"1\" width=\"17"));
	assert_non_null(strstr(sheet, "<col min=\"2\" max=\"2\" width=\"8"));
	assert_non_null(strstr(sheet, "<col min=\"3\" max=\"3\" width=\"60"));
	free(sheet);
	unlink(path);
}

static void test_csv_round_trip_and_injection(void **state)
{
	char path[256];
	struct tio_writer *w;
	struct tio_table t;
	struct err e = {0};
	const char *head[] = {"姓名", "身份证号", "备注"};
	const char *r1[] = {"王贵宝", "430302199001011234", "说\"好\",\n再见"};
	const char *r2[] = {"=HYPERLINK(\"http://x\")", "@SUM(A1)", "+1+1"};
	const char *r3[] = {"-5", "+8613800000000", "-"};

	path_of(path, sizeof path, "out.csv");
	assert_int_equal(tio_writer_open(&w, TIO_CSV, path, NULL, &e), 0);
	assert_int_equal(tio_writer_row(w, 3, head, &e), 0);
	assert_int_equal(tio_writer_row(w, 3, r1, &e), 0);
	assert_int_equal(tio_writer_row(w, 3, r2, &e), 0);
	assert_int_equal(tio_writer_row(w, 3, r3, &e), 0);
	assert_int_equal(tio_writer_close(w, &e), 0);

	char *data;
	size_t len;
	slurp(path, &data, &len);
	assert_string_equal(data, "\xEF\xBB\xBF姓名,身份证号,备注\r\n"
				  "王贵宝,430302199001011234,\"说\"\"好\"\",\n再见\"\r\n"
				  "\"'=HYPERLINK(\"\"http://x\"\")\",'@SUM(A1),'+1+1\r\n"
				  "-5,+8613800000000,'-\r\n");
	free(data);

	assert_int_equal(tio_read_file(path, &t, &e), 0);
	assert_int_equal(t.nrows, 4);
	expect_row(&t, 0, 1, 3, "姓名", "身份证号", "备注");
	expect_row(&t, 1, 2, 3, "王贵宝", "430302199001011234", "说\"好\",\n再见");
	expect_row(&t, 2, 4, 3, "'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'+1+1");
	tio_free(&t);
}

static void test_writer_refuses_and_aborts(void **state)
{
	char path[256];
	struct tio_writer *w;
	struct err e = {0};
	const char *bad[] = {"ok", "\xC3("};
	const char *good[] = {"a"};

	path_of(path, sizeof path, "bad.xlsx");
	assert_int_equal(tio_writer_open(&w, TIO_XLSX, path, NULL, &e), 0);
	assert_int_equal(tio_writer_row(w, 2, bad, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "B列"));
	assert_int_equal(tio_writer_row(w, 1, good, &e), 0); /* still usable */
	tio_writer_abort(w);
	assert_int_not_equal(access(path, F_OK), 0);

	path_of(path, sizeof path, "bad.csv");
	assert_int_equal(tio_writer_open(&w, TIO_CSV, path, NULL, &e), 0);
	assert_int_equal(tio_writer_row(w, 2, bad, &e), ERR_INVALID);
	tio_writer_abort(w);
	assert_int_not_equal(access(path, F_OK), 0);

	assert_int_equal(tio_writer_open(&w, TIO_CSV, "/nonexistent/dir/x.csv", NULL, &e), ERR_IO);
	assert_null(w);
	assert_int_equal(tio_writer_close(NULL, &e), 0);
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *names[] = {"hand.xlsx", "doc.zip",  "dtd.xlsx", "sst.xlsx",
				      "bomb.xlsx", "out.xlsx", "out.csv",  NULL};
	char path[256];

	for (const char **n = names; *n; n++) {
		path_of(path, sizeof path, *n);
		unlink(path);
	}
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_utf8_bom),
	    cmocka_unit_test(test_csv_utf8_plain),
	    cmocka_unit_test(test_csv_gb18030),
	    cmocka_unit_test(test_csv_utf16le),
	    cmocka_unit_test(test_csv_quoted_and_lines),
	    cmocka_unit_test(test_csv_empty_rows_and_trim),
	    cmocka_unit_test(test_csv_rejects_bad_encoding),
	    cmocka_unit_test(test_csv_rejects_bad_quotes),
	    cmocka_unit_test(test_csv_long_gb18030_file),
	    cmocka_unit_test(test_csv_utf16_long_and_broken),
	    cmocka_unit_test(test_rejects_binary_and_xls),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_xlsx_read_handmade),
	    cmocka_unit_test(test_xlsx_rejects_broken),
	    cmocka_unit_test(test_xlsx_zip_bomb),
	    cmocka_unit_test(test_xlsx_round_trip),
	    cmocka_unit_test(test_xlsx_sheet_names),
	    cmocka_unit_test(test_xlsx_column_widths),
	    cmocka_unit_test(test_csv_round_trip_and_injection),
	    cmocka_unit_test(test_writer_refuses_and_aborts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
