/*
 * csv_read.c — the CSV reader: decodes the bytes to UTF-8 (BOM, plain
 * UTF-8, else GB18030; UTF-16 with BOM), picks comma or tab, and parses
 * with libcsv in strict mode into the row builder, counting lines
 * exactly so that errors and rows name the line they start on.
 */
#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "base/buf.h"
#include "base/table_io_internal.h"
#include "base/utf8.h"

/* Line breaks (LF, CRLF, lone CR) in s[0..n), to turn offsets into lines. */
static size_t count_breaks(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')))
			k++;
	return k;
}

/* Converts in[0..len) from charset `from` to UTF-8, appending to out. */
static int to_utf8(const char *from, const char *label, const unsigned char *in, size_t len, struct buf *out,
		   struct err *e)
{
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return err_set(e, ERR_INTERNAL, TIO_FIELD, "系统不支持 %s 编码转换", from);

	char chunk[16384];
	char *ip = (char *)in;
	size_t il = len;
	int rc = 0;
	while (il) {
		char *op = chunk;
		size_t ol = sizeof chunk;
		size_t done = iconv(cd, &ip, &il, &op, &ol);
		int en = errno;
		buf_append(out, chunk, (size_t)(op - chunk));
		if (done != (size_t)-1)
			break;
		if (en == E2BIG)
			continue;
		/* EILSEQ or a sequence cut off at the end: name the line. */
		rc = err_set(e, ERR_INVALID, TIO_FIELD, "第%zu行：%s", 1 + count_breaks(out->data, out->len), label);
		break;
	}
	iconv_close(cd);
	return rc;
}

/* Turns the raw bytes into UTF-8: *text points into d or into *owned,
 * which the caller frees either way. */
static int csv_decode(const unsigned char *d, size_t len, const char **text, size_t *tlen, struct buf *owned,
		      struct err *e)
{
	int rc;

	if (len >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF))) {
		/* Excel's "Unicode text" export. */
		rc = to_utf8(d[0] == 0xFF ? "UTF-16LE" : "UTF-16BE", "UTF-16 文本含有无效字符", d + 2, len - 2, owned,
			     e);
		if (rc)
			return rc;
		*text = buf_cstr(owned);
		*tlen = owned->len;
		if (memchr(*text, 0, *tlen))
			return err_set(e, ERR_INVALID, TIO_FIELD, "文件含有 NUL 字符");
		return 0;
	}
	int bom = len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF;
	if (bom) {
		d += 3;
		len -= 3;
	}
	if (memchr(d, 0, len))
		return err_set(e, ERR_UNSUPPORTED, TIO_FIELD,
			       "不是文本表格文件（含有二进制数据），请上传 .xlsx 或 .csv");
	size_t bad = utf8_valid_prefix((const char *)d, len);
	if (bad == len) {
		*text = (const char *)d;
		*tlen = len;
		return 0;
	}
	if (bom)
		return err_set(e, ERR_INVALID, TIO_FIELD, "第%zu行：文件标明是 UTF-8 编码，却含有无效字节",
			       1 + count_breaks((const char *)d, bad));
	/* Not UTF-8: what Excel on Chinese Windows writes. */
	rc = to_utf8("GB18030", "文字编码无法识别（既不是 UTF-8 也不是 GB18030）", d, len, owned, e);
	if (rc)
		return rc;
	*text = buf_cstr(owned);
	*tlen = owned->len;
	return 0;
}

/* Tab if the first non-blank line has more tabs than commas (UTF-16
 * "Unicode text" from Excel is tab-separated), else comma. */
static unsigned char sniff_delim(const char *s, size_t n)
{
	size_t commas = 0, tabs = 0;
	int quoted = 0, seen = 0;

	for (size_t i = 0; i < n && i < 65536; i++) {
		char c = s[i];
		if (c == '"') {
			quoted = !quoted;
		} else if (!quoted && (c == '\n' || c == '\r')) {
			if (seen)
				break;
		} else if (!quoted && c == ',') {
			commas++;
		} else if (!quoted && c == '\t') {
			tabs++;
		}
		if (c != '\n' && c != '\r' && c != ' ')
			seen = 1;
	}
	return tabs > commas ? '\t' : ',';
}

static int only_space(unsigned char c)
{
	return c == ' ';
}

struct csv_ctx {
	struct tio_builder *b;
	size_t line;  /* line on which the current row starts */
	size_t inner; /* line breaks inside quoted fields of this row */
	size_t col;
	int after_cr; /* last event ended a row with CR: an LF may follow */
	int rc;
};

static void csv_on_field(void *s, size_t n, void *data)
{
	struct csv_ctx *c = data;

	if (c->rc)
		return;
	c->after_cr = 0;
	if (!s)
		n = 0;
	c->inner += count_breaks(s, n);
	c->rc = tio_builder_cell(c->b, c->col++, s, n, c->line);
}

/* With CSV_REPALL_NL libcsv reports every unquoted CR and LF, blank lines
 * included, which is what lets us count lines exactly. */
static void csv_on_row(int term, void *data)
{
	struct csv_ctx *c = data;

	if (c->rc)
		return;
	if (term == '\n' && c->after_cr && !c->col) {
		c->after_cr = 0; /* the LF of a CRLF */
		return;
	}
	c->rc = tio_builder_end_row(c->b, c->line);
	c->line += c->inner + (term == '\n' || term == '\r');
	c->inner = 0;
	c->col = 0;
	c->after_cr = term == '\r';
}

int tio_csv_read(const unsigned char *d, size_t len, struct tio_builder *b, struct err *e)
{
	const char *s = NULL;
	size_t n = 0;
	struct buf owned = {0};
	int rc = csv_decode(d, len, &s, &n, &owned, e);
	if (rc) {
		buf_free(&owned);
		return rc;
	}

	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
		buf_free(&owned);
		return tio_nomem(e);
	}
	if (sniff_delim(s, n) == '\t') {
		csv_set_delim(&p, '\t');
		csv_set_space_func(&p, only_space); /* a tab is a delimiter now */
	}
	struct csv_ctx c = {.b = b, .line = 1};
	/* Chunks, so a callback error stops us early. */
	for (size_t pos = 0; pos < n && !c.rc;) {
		size_t chunk = n - pos < 65536 ? n - pos : 65536;
		size_t done = csv_parse(&p, s + pos, chunk, csv_on_field, csv_on_row, &c);
		if (done != chunk && !c.rc) {
			if (csv_error(&p) == CSV_EPARSE)
				c.rc = err_set(e, ERR_INVALID, TIO_FIELD,
					       "第%zu行：引号使用不规范（字段中的引号要写成两个，整个字段用引号括起）",
					       1 + count_breaks(s, pos + done));
			else
				c.rc = tio_nomem(e);
		}
		pos += chunk;
	}
	if (!c.rc && csv_fini(&p, csv_on_field, csv_on_row, &c) != 0 && !c.rc)
		c.rc = err_set(e, ERR_INVALID, TIO_FIELD, "第%zu行：引号没有闭合", c.line);
	csv_free(&p);
	buf_free(&owned);
	return c.rc;
}
