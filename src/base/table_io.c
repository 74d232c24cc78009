/*
 * table_io.c — reading CSV/XLSX tables into memory and streaming them out.
 *
 * Reading holds the whole input in memory (at most TIO_MAX_INPUT). CSV is
 * first decoded to UTF-8 (BOM, plain UTF-8, else GB18030; UTF-16 with BOM)
 * and then parsed by libcsv in strict mode. An .xlsx is opened by libzip
 * straight from the buffer and its parts are streamed through expat, so no
 * more than TIO_MAX_UNZIPPED inflated bytes are ever read. Both paths feed
 * one row builder that trims cells, drops empty rows, enforces the limits
 * and packs every row (pointers and text) into a single allocation.
 * Writing produces CSV by hand and XLSX through libxlsxwriter in
 * constant_memory mode.
 */
#include "base/table_io.h"

#include <csv.h>
#include <errno.h>
#include <expat.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#define FIELD "file"

/* ---- growable byte buffer ---- */

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const void *s, size_t n)
{
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2)
				return -1;
			cap *= 2;
		}
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

/* ---- UTF-8 ---- */

/* Length of the well-formed UTF-8 sequence at s (n bytes left), storing
 * the code point; 0 if malformed (overlong, surrogate, > U+10FFFF, cut). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	*cp = c;
	return len;
}

/* Offset of the first byte that is not valid UTF-8, or len. */
static size_t utf8_bad_at(const unsigned char *s, size_t len)
{
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = utf8_seq(s + i, len - i, &cp);
		if (!k)
			return i;
		i += k;
	}
	return len;
}

static size_t utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Line breaks (LF, CRLF, lone CR) in s[0..n), to turn offsets into lines. */
static size_t count_breaks(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')))
			k++;
	return k;
}

/* Bytes of the whitespace character starting at s, or 0. Besides ASCII
 * this covers U+00A0, U+3000 (full-width space) and a stray U+FEFF. */
static size_t space_at(const unsigned char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (n >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
		return 2;
	if (n >= 3 &&
	    ((s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) || (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)))
		return 3;
	return 0;
}

/* Same for the character ending at s + n (the text is valid UTF-8, so a
 * matching tail is a whole character). */
static size_t space_before(const unsigned char *s, size_t n)
{
	if (n >= 1 && space_at(s + n - 1, 1))
		return 1;
	if (n >= 2 && space_at(s + n - 2, 2) == 2)
		return 2;
	if (n >= 3 && space_at(s + n - 3, 3) == 3)
		return 3;
	return 0;
}

static void trim(const char **s, size_t *n)
{
	const unsigned char *p = (const unsigned char *)*s;
	size_t len = *n, k;

	while (len && (k = space_at(p, len)) != 0) {
		p += k;
		len -= k;
	}
	while (len && (k = space_before(p, len)) != 0)
		len -= k;
	*s = (const char *)p;
	*n = len;
}

/* Spreadsheet column letters of a 0-based column: 0 -> "A", 27 -> "AB". */
static const char *col_name(size_t col, char out[8])
{
	char tmp[8];
	size_t n = 0;

	col++;
	while (col && n < 7) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return out;
}

/* ---- table builder shared by both readers ---- */

struct builder {
	struct tio_table *t;
	size_t rows_cap;
	size_t cells_total;
	struct buf text; /* current row: cell bytes, each NUL-terminated */
	size_t *off;     /* current row: per column offset + 1 into text, 0 = empty */
	size_t ncols, cols_cap;
	struct err *e;
};

static int nomem(struct err *e)
{
	return err_set(e, ERR_INTERNAL, FIELD, "内存不足");
}

/* Stores column col of the current row; line is for error messages. */
static int b_cell(struct builder *b, size_t col, const char *s, size_t n, size_t line)
{
	char cn[8];

	trim(&s, &n);
	if (col >= TIO_MAX_COLS)
		return err_set(b->e, ERR_TOO_LARGE, FIELD, "第%zu行：列数超过 %d", line, TIO_MAX_COLS);
	if (n > TIO_MAX_CELL)
		return err_set(b->e, ERR_TOO_LARGE, FIELD, "第%zu行%s列：单元格内容超过 %zu KiB", line,
			       col_name(col, cn), TIO_MAX_CELL >> 10);
	if (col >= b->cols_cap) {
		size_t cap = b->cols_cap ? b->cols_cap : 32;
		while (cap <= col)
			cap *= 2;
		size_t *off = realloc(b->off, cap * sizeof *off);
		if (!off)
			return nomem(b->e);
		memset(off + b->cols_cap, 0, (cap - b->cols_cap) * sizeof *off);
		b->off = off;
		b->cols_cap = cap;
	}
	if (col >= b->ncols)
		b->ncols = col + 1;
	if (!n) {
		b->off[col] = 0;
		return 0;
	}
	size_t at = b->text.len;
	if (buf_add(&b->text, s, n) || buf_add(&b->text, "", 1))
		return nomem(b->e);
	b->off[col] = at + 1;
	return 0;
}

static void b_reset_row(struct builder *b)
{
	if (b->ncols)
		memset(b->off, 0, b->ncols * sizeof *b->off);
	b->ncols = 0;
	b->text.len = 0;
}

/* Closes the current row: packs it into the table unless it is empty. */
static int b_row_end(struct builder *b, size_t line)
{
	struct tio_table *t = b->t;
	size_t n = b->ncols;

	while (n && !b->off[n - 1])
		n--;
	if (!n) {
		b_reset_row(b);
		return 0;
	}
	if (t->nrows >= TIO_MAX_ROWS)
		return err_set(b->e, ERR_TOO_LARGE, FIELD, "第%zu行：超过 %d 行的上限", line, TIO_MAX_ROWS);
	if (b->cells_total + n > TIO_MAX_CELLS)
		return err_set(b->e, ERR_TOO_LARGE, FIELD, "第%zu行：单元格总数超过 %d 的上限", line, TIO_MAX_CELLS);
	if (t->nrows == b->rows_cap) {
		size_t cap = b->rows_cap ? b->rows_cap * 2 : 64;
		struct tio_row *rows = realloc(t->rows, cap * sizeof *rows);
		if (!rows)
			return nomem(b->e);
		t->rows = rows;
		b->rows_cap = cap;
	}
	/* One block per row: n pointers, then the text; the final NUL doubles
	 * as the "" every empty cell points to. */
	char **cells = malloc(n * sizeof *cells + b->text.len + 1);
	if (!cells)
		return nomem(b->e);
	char *text = (char *)(cells + n);
	if (b->text.len)
		memcpy(text, b->text.p, b->text.len);
	text[b->text.len] = '\0';
	for (size_t i = 0; i < n; i++)
		cells[i] = b->off[i] ? text + b->off[i] - 1 : text + b->text.len;
	t->rows[t->nrows++] = (struct tio_row){.line = line, .ncells = n, .cells = cells};
	b->cells_total += n;
	b_reset_row(b);
	return 0;
}

static void b_fini(struct builder *b)
{
	free(b->text.p);
	free(b->off);
}

void tio_free(struct tio_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows; i++)
		free(t->rows[i].cells);
	free(t->rows);
	memset(t, 0, sizeof *t);
}

const char *tio_cell(const struct tio_row *r, size_t i)
{
	return r && i < r->ncells ? r->cells[i] : "";
}

/* ---- CSV ---- */

/* Converts in[0..len) from charset `from` to UTF-8 into a new buffer. */
static int to_utf8(const char *from, const char *label, const unsigned char *in, size_t len, char **out, size_t *outlen,
		   struct err *e)
{
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return err_set(e, ERR_INTERNAL, FIELD, "系统不支持 %s 编码转换", from);

	size_t cap = len + len / 2 + 16; /* both sources grow at most 1.5x */
	char *buf = malloc(cap);
	if (!buf) {
		iconv_close(cd);
		return nomem(e);
	}
	char *ip = (char *)in, *op = buf;
	size_t il = len, ol = cap;
	while (il) {
		if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
			break;
		if (errno == E2BIG) {
			size_t used = (size_t)(op - buf);
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				iconv_close(cd);
				return nomem(e);
			}
			buf = nb;
			cap *= 2;
			op = buf + used;
			ol = cap - used;
			continue;
		}
		/* EILSEQ or a sequence cut off at the end: name the line. */
		size_t line = 1 + count_breaks(buf, (size_t)(op - buf));
		free(buf);
		iconv_close(cd);
		return err_set(e, ERR_INVALID, FIELD, "第%zu行：%s", line, label);
	}
	iconv_close(cd);
	*out = buf;
	*outlen = (size_t)(op - buf);
	return 0;
}

/* Turns the raw bytes into UTF-8: *text points into d or at *owned. */
static int csv_decode(const unsigned char *d, size_t len, const char **text, size_t *tlen, char **owned, struct err *e)
{
	int rc;

	*owned = NULL;
	if (len >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF))) {
		/* Excel's "Unicode text" export. */
		rc = to_utf8(d[0] == 0xFF ? "UTF-16LE" : "UTF-16BE", "UTF-16 文本含有无效字符", d + 2, len - 2, owned,
			     tlen, e);
		if (rc)
			return rc;
		if (memchr(*owned, 0, *tlen)) {
			free(*owned);
			*owned = NULL;
			return err_set(e, ERR_INVALID, FIELD, "文件含有 NUL 字符");
		}
		*text = *owned;
		return 0;
	}
	int bom = len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF;
	if (bom) {
		d += 3;
		len -= 3;
	}
	if (memchr(d, 0, len))
		return err_set(e, ERR_UNSUPPORTED, FIELD, "不是文本表格文件（含有二进制数据），请上传 .xlsx 或 .csv");
	size_t bad = utf8_bad_at(d, len);
	if (bad == len) {
		*text = (const char *)d;
		*tlen = len;
		return 0;
	}
	if (bom)
		return err_set(e, ERR_INVALID, FIELD, "第%zu行：文件标明是 UTF-8 编码，却含有无效字节",
			       1 + count_breaks((const char *)d, bad));
	/* Not UTF-8: what Excel on Chinese Windows writes. */
	rc = to_utf8("GB18030", "文字编码无法识别（既不是 UTF-8 也不是 GB18030）", d, len, owned, tlen, e);
	if (rc)
		return rc;
	*text = *owned;
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
	struct builder *b;
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
	c->rc = b_cell(c->b, c->col++, s, n, c->line);
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
	c->rc = b_row_end(c->b, c->line);
	c->line += c->inner + (term == '\n' || term == '\r');
	c->inner = 0;
	c->col = 0;
	c->after_cr = term == '\r';
}

static int read_csv(const unsigned char *d, size_t len, struct builder *b, struct err *e)
{
	const char *s = NULL;
	size_t n = 0;
	char *owned = NULL;
	int rc = csv_decode(d, len, &s, &n, &owned, e);
	if (rc)
		return rc;

	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
		free(owned);
		return nomem(e);
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
				c.rc = err_set(e, ERR_INVALID, FIELD,
					       "第%zu行：引号使用不规范（字段中的引号要写成两个，整个字段用引号括起）",
					       1 + count_breaks(s, pos + done));
			else
				c.rc = nomem(e);
		}
		pos += chunk;
	}
	if (!c.rc && csv_fini(&p, csv_on_field, csv_on_row, &c) != 0 && !c.rc)
		c.rc = err_set(e, ERR_INVALID, FIELD, "第%zu行：引号没有闭合", c.line);
	csv_free(&p);
	free(owned);
	return c.rc;
}

/* ---- XLSX ---- */

/* Head of every expat user-data struct below. */
struct xjob {
	XML_Parser p;
	struct err *e;
	int rc;
};

static void xstop(struct xjob *j, int rc)
{
	j->rc = rc;
	XML_StopParser(j->p, XML_FALSE);
}

/* Element and attribute names come as "namespace|local". */
static const char *lname(const char *name)
{
	const char *s = strrchr(name, '|');
	return s ? s + 1 : name;
}

static const char *attr(const char **atts, const char *local)
{
	for (; *atts; atts += 2)
		if (!strcmp(lname(atts[0]), local))
			return atts[1];
	return NULL;
}

static int is(const char *name, const char *local)
{
	return !strcmp(lname(name), local);
}

/* OOXML parts never carry a DTD; refusing one rules out entity tricks. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
			       int internal)
{
	struct xjob *j = ud;

	if (!j->rc)
		xstop(j, err_set(j->e, ERR_INVALID, FIELD, "xlsx 文件含有 DTD，拒绝处理"));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Whether s (left bytes) starts with an Excel escape "_xHHHH_"; stores
 * the code unit. */
static int ooxml_escape_at(const char *s, size_t left, uint32_t *cp)
{
	if (left < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
		return 0;
	*cp = 0;
	for (int i = 2; i < 6; i++) {
		int v = hexval(s[i]);
		if (v < 0)
			return 0;
		*cp = *cp << 4 | (uint32_t)v;
	}
	return 1;
}

/* Decodes Excel's "_xHHHH_" escapes (control characters; "_x005F_" for a
 * literal underscore) in place. Returns the new length. */
static size_t ooxml_unescape(char *s, size_t n)
{
	size_t r = 0, w = 0;
	uint32_t cp;

	while (r < n) {
		/* NUL and lone surrogates cannot be stored: keep them literal */
		if (ooxml_escape_at(s + r, n - r, &cp) && cp && (cp < 0xD800 || cp > 0xDFFF)) {
			char tmp[4];
			size_t k = utf8_put(tmp, cp);
			memcpy(s + w, tmp, k); /* k <= 3 < 7 consumed */
			w += k;
			r += 7;
			continue;
		}
		s[w++] = s[r++];
	}
	return w;
}

struct zin {
	zip_t *za;
	size_t budget; /* inflated bytes still allowed */
	struct err *e;
};

/* Streams one part through a fresh namespace-aware expat parser. Returns
 * ERR_NOT_FOUND without touching e when the part is absent. */
static int zin_parse(struct zin *z, const char *name, struct xjob *j, XML_StartElementHandler start,
		     XML_EndElementHandler end, XML_CharacterDataHandler text)
{
	zip_int64_t idx = zip_name_locate(z->za, name, ZIP_FL_NOCASE);
	if (idx < 0)
		return ERR_NOT_FOUND;
	zip_file_t *f = zip_fopen_index(z->za, (zip_uint64_t)idx, 0);
	if (!f)
		return err_set(z->e, ERR_INVALID, FIELD, "xlsx 文件损坏或已加密：无法读取 %s（%s）", name,
			       zip_strerror(z->za));
	XML_Parser p = XML_ParserCreateNS(NULL, '|');
	char *chunk = malloc(65536);
	int rc = 0;
	if (!p || !chunk) {
		rc = nomem(z->e);
		goto out;
	}
	j->p = p;
	j->e = z->e;
	j->rc = 0;
	XML_SetUserData(p, j);
	XML_SetElementHandler(p, start, end);
	XML_SetCharacterDataHandler(p, text);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	for (;;) {
		zip_int64_t n = zip_fread(f, chunk, 65536);
		if (n < 0) {
			rc = err_set(z->e, ERR_INVALID, FIELD, "xlsx 文件损坏：%s 解压失败（%s）", name,
				     zip_file_strerror(f));
			break;
		}
		if ((zip_uint64_t)n > z->budget) {
			rc = err_set(z->e, ERR_TOO_LARGE, FIELD, "xlsx 解压后超过 %zu MiB", TIO_MAX_UNZIPPED >> 20);
			break;
		}
		z->budget -= (size_t)n;
		if (XML_Parse(p, chunk, (int)n, n == 0) == XML_STATUS_ERROR) {
			rc = j->rc ? j->rc
				   : err_set(z->e, ERR_INVALID, FIELD, "xlsx 文件损坏：%s 第%lu行：%s", name,
					     (unsigned long)XML_GetCurrentLineNumber(p),
					     XML_ErrorString(XML_GetErrorCode(p)));
			break;
		}
		if (j->rc) {
			rc = j->rc;
			break;
		}
		if (n == 0)
			break;
	}
out:
	free(chunk);
	if (p)
		XML_ParserFree(p);
	zip_fclose(f);
	return rc;
}

/* xl/workbook.xml: the relationship id of the first sheet. */
struct wb_ctx {
	struct xjob j;
	char *rid;
};

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct wb_ctx *c = ud;

	if (c->j.rc || c->rid || !is(name, "sheet"))
		return;
	const char *id = attr(atts, "id");
	if (id && !(c->rid = strdup(id)))
		xstop(&c->j, nomem(c->j.e));
}

/* xl/_rels/workbook.xml.rels: where that sheet and the shared strings are. */
struct rels_ctx {
	struct xjob j;
	const char *rid;
	char *sheet, *sst;
};

/* Targets are relative to xl/ unless absolute within the package. */
static char *part_path(const char *target)
{
	if (target[0] == '/')
		return strdup(target + 1);
	size_t n = strlen(target) + 4;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "xl/%s", target);
	return s;
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct rels_ctx *c = ud;

	if (c->j.rc || !is(name, "Relationship"))
		return;
	const char *id = attr(atts, "Id"), *type = attr(atts, "Type");
	const char *target = attr(atts, "Target");
	if (!target || !*target)
		return;
	char **slot = NULL;
	if (!c->sheet && c->rid && id && !strcmp(id, c->rid))
		slot = &c->sheet;
	else if (!c->sst && type && strlen(type) >= 14 && !strcmp(type + strlen(type) - 14, "/sharedStrings"))
		slot = &c->sst;
	if (slot && !(*slot = part_path(target)))
		xstop(&c->j, nomem(c->j.e));
}

/* xl/sharedStrings.xml: all strings in one buffer, NUL-separated. */
struct sst {
	struct buf text;
	size_t *off;
	size_t n, cap;
};

struct sst_ctx {
	struct xjob j;
	struct sst *s;
	int in_si, in_t, rph; /* rPh: phonetic runs, not part of the text */
	struct buf cur;
};

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct sst_ctx *c = ud;

	if (c->j.rc)
		return;
	if (is(name, "si")) {
		c->in_si = 1;
		c->cur.len = 0;
	} else if (is(name, "rPh")) {
		c->rph++;
	} else if (is(name, "t") && c->in_si && !c->rph) {
		c->in_t = 1;
	}
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
	struct sst_ctx *c = ud;
	struct sst *s = c->s;

	if (c->j.rc)
		return;
	if (is(name, "t")) {
		c->in_t = 0;
	} else if (is(name, "rPh")) {
		if (c->rph)
			c->rph--;
	} else if (is(name, "si") && c->in_si) {
		c->in_si = 0;
		if (s->n >= TIO_MAX_CELLS) {
			xstop(&c->j, err_set(c->j.e, ERR_TOO_LARGE, FIELD, "xlsx 共享字符串过多"));
			return;
		}
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 256;
			size_t *off = realloc(s->off, cap * sizeof *off);
			if (!off) {
				xstop(&c->j, nomem(c->j.e));
				return;
			}
			s->off = off;
			s->cap = cap;
		}
		size_t len = c->cur.len ? ooxml_unescape(c->cur.p, c->cur.len) : 0;
		s->off[s->n] = s->text.len;
		if (buf_add(&s->text, c->cur.p, len) || buf_add(&s->text, "", 1)) {
			xstop(&c->j, nomem(c->j.e));
			return;
		}
		s->n++;
	}
}

static void XMLCALL sst_text(void *ud, const XML_Char *txt, int len)
{
	struct sst_ctx *c = ud;

	if (c->j.rc || !c->in_t)
		return;
	if (c->cur.len + (size_t)len > TIO_MAX_CELL)
		xstop(&c->j, err_set(c->j.e, ERR_TOO_LARGE, FIELD, "xlsx 中有字符串超过 %zu KiB", TIO_MAX_CELL >> 10));
	else if (buf_add(&c->cur, txt, (size_t)len))
		xstop(&c->j, nomem(c->j.e));
}

/* The worksheet itself. */
enum ctype { CT_NUM, CT_SST, CT_INLINE, CT_STR, CT_BOOL };

struct sheet_ctx {
	struct xjob j;
	struct builder *b;
	const struct sst *sst;
	int in_data, in_row, in_cell, in_v, in_is, in_t, rph;
	size_t row;      /* current sheet row number, 1-based */
	size_t col;      /* column of the current cell, 0-based */
	size_t next_col; /* for cells without r="" */
	enum ctype type;
	struct buf val;
};

/* Parses a decimal >= 1 with no junk; 0 if invalid. */
static size_t parse_pos(const char *s)
{
	size_t v = 0;

	if (!s || !*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (SIZE_MAX - 9) / 10)
			return 0;
		v = v * 10 + (size_t)(*s - '0');
	}
	return v;
}

/* Column of a reference like "C5" (0-based), or fallback when malformed.
 * Huge columns saturate at TIO_MAX_COLS so b_cell reports them. */
static size_t ref_col(const char *r, size_t fallback)
{
	size_t col = 0;
	const char *s = r;

	if (!s)
		return fallback;
	for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'); s++) {
		int v = (*s | 0x20) - 'a' + 1;
		col = col > TIO_MAX_COLS ? col : col * 26 + (size_t)v;
	}
	if (s == r || !col)
		return fallback;
	return col > TIO_MAX_COLS ? TIO_MAX_COLS : col - 1;
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct sheet_ctx *c = ud;

	if (c->j.rc)
		return;
	const char *ln = lname(name);
	if (!strcmp(ln, "sheetData")) {
		c->in_data = 1;
	} else if (!c->in_data) {
		return;
	} else if (!strcmp(ln, "row")) {
		size_t r = parse_pos(attr(atts, "r"));
		c->row = r ? r : c->row + 1;
		c->next_col = 0;
		c->in_row = 1;
	} else if (!strcmp(ln, "c") && c->in_row) {
		const char *t = attr(atts, "t");
		c->col = ref_col(attr(atts, "r"), c->next_col);
		c->type = !t                        ? CT_NUM
			  : !strcmp(t, "s")         ? CT_SST
			  : !strcmp(t, "inlineStr") ? CT_INLINE
			  : !strcmp(t, "str")       ? CT_STR
			  : !strcmp(t, "b")         ? CT_BOOL
						    : CT_NUM; /* n, e, d: raw text */
		c->val.len = 0;
		c->in_cell = 1;
	} else if (!c->in_cell) {
		return;
	} else if (!strcmp(ln, "v")) {
		c->in_v = 1;
	} else if (!strcmp(ln, "is")) {
		c->in_is = 1;
	} else if (!strcmp(ln, "rPh")) {
		c->rph++;
	} else if (!strcmp(ln, "t") && c->in_is && !c->rph) {
		c->in_t = 1;
	}
}

static void sheet_cell_end(struct sheet_ctx *c)
{
	const char *s = c->val.p;
	size_t n = c->val.len;
	char cn[8];
	int rc;

	c->in_cell = 0;
	c->next_col = c->col + 1;
	if (!n) {
		rc = b_cell(c->b, c->col, "", 0, c->row);
	} else if (c->type == CT_SST) {
		const char *v = s;
		size_t idx = 0;
		size_t k = n;
		trim(&v, &k);
		int ok = k > 0;
		for (size_t i = 0; i < k && ok; i++) {
			ok = v[i] >= '0' && v[i] <= '9' && idx < SIZE_MAX / 10;
			idx = idx * 10 + (size_t)(v[i] - '0');
		}
		if (!ok || !c->sst || idx >= c->sst->n) {
			xstop(&c->j, err_set(c->j.e, ERR_INVALID, FIELD, "第%zu行%s列：xlsx 共享字符串编号无效", c->row,
					     col_name(c->col, cn)));
			return;
		}
		s = c->sst->text.p + c->sst->off[idx];
		rc = b_cell(c->b, c->col, s, strlen(s), c->row);
	} else if (c->type == CT_BOOL) {
		int t = n == 1 && s[0] == '1', f = n == 1 && s[0] == '0';
		rc = t   ? b_cell(c->b, c->col, "TRUE", 4, c->row)
		     : f ? b_cell(c->b, c->col, "FALSE", 5, c->row)
			 : b_cell(c->b, c->col, s, n, c->row);
	} else {
		if (c->type == CT_INLINE || c->type == CT_STR)
			n = ooxml_unescape(c->val.p, n);
		rc = b_cell(c->b, c->col, s, n, c->row);
	}
	if (rc)
		xstop(&c->j, rc);
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
	struct sheet_ctx *c = ud;

	if (c->j.rc || !c->in_data)
		return;
	const char *ln = lname(name);
	if (!strcmp(ln, "sheetData")) {
		c->in_data = 0;
	} else if (!strcmp(ln, "row") && c->in_row) {
		c->in_row = 0;
		int rc = b_row_end(c->b, c->row);
		if (rc)
			xstop(&c->j, rc);
	} else if (!strcmp(ln, "c") && c->in_cell) {
		sheet_cell_end(c);
	} else if (!strcmp(ln, "v")) {
		c->in_v = 0;
	} else if (!strcmp(ln, "is")) {
		c->in_is = 0;
	} else if (!strcmp(ln, "t")) {
		c->in_t = 0;
	} else if (!strcmp(ln, "rPh")) {
		if (c->rph)
			c->rph--;
	}
}

static void XMLCALL sheet_text(void *ud, const XML_Char *txt, int len)
{
	struct sheet_ctx *c = ud;
	char cn[8];

	if (c->j.rc || !(c->in_v || c->in_t))
		return;
	if (c->val.len + (size_t)len > TIO_MAX_CELL)
		xstop(&c->j, err_set(c->j.e, ERR_TOO_LARGE, FIELD, "第%zu行%s列：单元格内容超过 %zu KiB", c->row,
				     col_name(c->col, cn), TIO_MAX_CELL >> 10));
	else if (buf_add(&c->val, txt, (size_t)len))
		xstop(&c->j, nomem(c->j.e));
}

static int read_xlsx(const void *data, size_t len, struct builder *b, struct err *e)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	zip_error_fini(&ze);
	if (!za) {
		zip_source_free(src);
		return err_set(e, ERR_INVALID, FIELD, "不是有效的 xlsx 文件（压缩结构损坏）");
	}

	struct zin z = {.za = za, .budget = TIO_MAX_UNZIPPED, .e = e};
	struct wb_ctx wb = {.rid = NULL};
	struct rels_ctx rels = {.sheet = NULL};
	struct sst sst = {.n = 0};
	struct sst_ctx sc = {.s = &sst};
	struct sheet_ctx sh = {.b = b, .sst = &sst};
	static const char dflt_sheet[] = "xl/worksheets/sheet1.xml";

	int rc = zin_parse(&z, "xl/workbook.xml", &wb.j, wb_start, NULL, NULL);
	if (rc == ERR_NOT_FOUND)
		rc = err_set(e, ERR_UNSUPPORTED, FIELD, "压缩包里没有 Excel 工作簿，请上传 .xlsx 或 .csv");
	if (rc)
		goto out;
	rels.rid = wb.rid;
	rc = zin_parse(&z, "xl/_rels/workbook.xml.rels", &rels.j, rels_start, NULL, NULL);
	if (rc && rc != ERR_NOT_FOUND)
		goto out;
	rc = zin_parse(&z, rels.sst ? rels.sst : "xl/sharedStrings.xml", &sc.j, sst_start, sst_end, sst_text);
	if (rc && rc != ERR_NOT_FOUND)
		goto out;
	rc = zin_parse(&z, rels.sheet ? rels.sheet : dflt_sheet, &sh.j, sheet_start, sheet_end, sheet_text);
	if (rc == ERR_NOT_FOUND && rels.sheet)
		rc = zin_parse(&z, dflt_sheet, &sh.j, sheet_start, sheet_end, sheet_text);
	if (rc == ERR_NOT_FOUND)
		rc = err_set(e, ERR_INVALID, FIELD, "xlsx 文件里找不到工作表");
out:
	free(wb.rid);
	free(rels.sheet);
	free(rels.sst);
	free(sst.text.p);
	free(sst.off);
	free(sc.cur.p);
	free(sh.val.p);
	zip_discard(za);
	return rc;
}

/* ---- reading entry points ---- */

int tio_read_mem(const void *data, size_t len, struct tio_table *out, struct err *e)
{
	static const unsigned char ole2[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
	const unsigned char *d = data;
	int rc;

	memset(out, 0, sizeof *out);
	if (!d && len)
		return err_set(e, ERR_INVALID, FIELD, "没有数据");
	if (len > TIO_MAX_INPUT)
		return err_set(e, ERR_TOO_LARGE, FIELD, "文件超过 %zu MiB", TIO_MAX_INPUT >> 20);

	struct builder b = {.t = out, .e = e};
	if (len >= 4 && !memcmp(d, "PK\x03\x04", 4)) {
		out->format = TIO_XLSX;
		rc = read_xlsx(d, len, &b, e);
	} else if (len >= 8 && !memcmp(d, ole2, 8)) {
		rc = err_set(e, ERR_UNSUPPORTED, FIELD, "不支持旧版 Excel（.xls）或加密的文件，请另存为 .xlsx 或 CSV");
	} else {
		out->format = TIO_CSV;
		rc = read_csv(d, len, &b, e);
	}
	b_fini(&b);
	if (rc)
		tio_free(out);
	return rc;
}

int tio_read_file(const char *path, struct tio_table *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	if (!path)
		return err_set(e, ERR_INVALID, FIELD, "没有文件名");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int en = errno;
		return err_set(e, en == ENOENT ? ERR_NOT_FOUND : ERR_IO, FIELD, "无法打开 %s：%s", path, strerror(en));
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_IO, FIELD, "%s 不是普通文件", path);
	}
	if ((uint64_t)st.st_size > TIO_MAX_INPUT) {
		close(fd);
		return err_set(e, ERR_TOO_LARGE, FIELD, "文件超过 %zu MiB", TIO_MAX_INPUT >> 20);
	}
	/* Read until EOF, not st_size: the file may still be growing. */
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return nomem(e);
	}
	int rc = 0;
	for (;;) {
		if (len == cap) {
			if (cap > TIO_MAX_INPUT) {
				rc = err_set(e, ERR_TOO_LARGE, FIELD, "文件超过 %zu MiB", TIO_MAX_INPUT >> 20);
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				rc = nomem(e);
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int en = errno;
			rc = err_set(e, ERR_IO, FIELD, "读取 %s 失败：%s", path, strerror(en));
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (!rc)
		rc = tio_read_mem(buf, len, out, e);
	free(buf);
	return rc;
}

/* ---- writing ---- */

#define WIDTH_ROWS 100 /* rows sampled for XLSX column widths */

struct tio_writer {
	enum tio_format fmt;
	char *path;
	char *tmpdir;     /* XLSX: libxlsxwriter spills rows here */
	FILE *f;          /* CSV */
	lxw_workbook *wb; /* XLSX */
	lxw_worksheet *ws;
	lxw_format *bold;
	size_t nrows;
	unsigned *width; /* XLSX: display width per column */
	size_t nwidth;
	int failed; /* sticky ERR_* after an output failure */
};

static void w_free(struct tio_writer *w)
{
	free(w->path);
	free(w->tmpdir);
	free(w->width);
	free(w);
}

/* East Asian wide and full-width ranges: two columns in a spreadsheet. */
static int is_wide(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* Widest line of a valid UTF-8 string, in columns. */
static unsigned display_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	unsigned w = 0, line = 0;
	uint32_t cp;

	while (n) {
		size_t k = utf8_seq(p, n, &cp);
		if (!k)
			break;
		if (cp == '\n') {
			line = 0;
		} else {
			line += is_wide(cp) ? 2 : 1;
			if (line > w)
				w = line;
		}
		p += k;
		n -= k;
	}
	return w;
}

/* Excel's sheet-name rules: <= 31 characters, none of []:*?/\, no
 * apostrophe at either end, not "History". */
static void sheet_name(const char *in, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t w = 0, chars = 0, n = strlen((const char *)s);
	uint32_t cp;

	while (n && chars < 31 && w + 4 < cap) {
		size_t k = utf8_seq(s, n, &cp);
		if (!k)
			break;
		if (cp < 0x20 || (k == 1 && strchr("[]:*?/\\", (int)cp))) {
			out[w++] = '_';
		} else {
			memcpy(out + w, s, k);
			w += k;
		}
		s += k;
		n -= k;
		chars++;
	}
	out[w] = '\0';
	if (w && out[0] == '\'')
		out[0] = '_';
	if (w && out[w - 1] == '\'')
		out[w - 1] = '_';
	if (!w)
		snprintf(out, cap, "Sheet1");
	else if (!strcasecmp(out, "History"))
		snprintf(out, cap, "History_");
}

int tio_writer_open(struct tio_writer **wp, enum tio_format fmt, const char *path, const char *sheet, struct err *e)
{
	*wp = NULL;
	if (!path || !*path || (fmt != TIO_CSV && fmt != TIO_XLSX))
		return err_set(e, ERR_INVALID, FIELD, "导出参数无效");
	struct tio_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->path = strdup(path))) {
		free(w);
		return nomem(e);
	}
	w->fmt = fmt;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		int en = errno;
		w_free(w);
		return err_set(e, ERR_IO, FIELD, "无法创建 %s：%s", path, strerror(en));
	}
	if (fmt == TIO_CSV) {
		w->f = fdopen(fd, "w");
		if (!w->f) {
			close(fd);
			unlink(path);
			w_free(w);
			return nomem(e);
		}
		/* The BOM is what makes Excel on Windows read UTF-8. */
		fputs("\xEF\xBB\xBF", w->f);
		*wp = w;
		return 0;
	}

	/* XLSX: libxlsxwriter reopens the path at close; having created it
	 * already keeps the 0600 mode. Spill rows next to the output rather
	 * than in /tmp, which may be RAM-backed. */
	close(fd);
	const char *slash = strrchr(path, '/');
	w->tmpdir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
	char name[31 * 4 + 1];
	sheet_name(sheet, name, sizeof name);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = w->tmpdir};
	if (w->tmpdir)
		w->wb = workbook_new_opt(path, &opt);
	if (w->wb)
		w->ws = workbook_add_worksheet(w->wb, name);
	if (w->ws)
		w->bold = workbook_add_format(w->wb);
	if (!w->bold) {
		if (w->wb)
			lxw_workbook_free(w->wb);
		unlink(path);
		w_free(w);
		return err_set(e, ERR_IO, FIELD, "无法创建 xlsx 工作簿 %s", path);
	}
	format_set_bold(w->bold);
	worksheet_freeze_panes(w->ws, 1, 0);
	*wp = w;
	return 0;
}

/* A plain decimal number (-5, +8613800000000, 3.5) starts with + or - but
 * cannot be a formula, so it is left alone. */
static int plain_number(const char *s)
{
	int digits = 0, dot = 0;

	if (*s == '+' || *s == '-')
		s++;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits = 1;
		else if (*s == '.' && !dot && digits)
			dot = 1;
		else
			return 0;
	}
	return digits && s[-1] != '.';
}

/* Cells that a spreadsheet would run as a formula (CSV injection). */
static int needs_defuse(const char *s)
{
	switch (s[0]) {
	case '=':
	case '@':
	case '\t':
	case '\r':
		return 1;
	case '+':
	case '-':
		return !plain_number(s);
	default:
		return 0;
	}
}

/* Text like "_x0041_" would be read back by Excel (and by us) as an escape
 * for "A"; libxlsxwriter leaves it as is, so escape its underscore the way
 * Excel does ("_x005F_"). *out is NULL when s needs no change. */
static int xlsx_literal(const char *s, char **out)
{
	size_t hits = 0, n = strlen(s);
	uint32_t cp;

	*out = NULL;
	for (size_t i = 0; i < n; i++)
		hits += ooxml_escape_at(s + i, n - i, &cp);
	if (!hits)
		return 0;
	char *o = malloc(n + hits * 6 + 1);
	if (!o)
		return -1;
	*out = o;
	for (size_t i = 0; i < n; i++) {
		if (ooxml_escape_at(s + i, n - i, &cp)) {
			memcpy(o, "_x005F", 6);
			o += 6;
		}
		*o++ = s[i];
	}
	*o = '\0';
	return 0;
}

static void csv_put(FILE *f, const char *s)
{
	int defuse = needs_defuse(s);
	size_t n = strlen(s);
	int quote = strpbrk(s, ",\"\r\n") != NULL || (n && (s[0] == ' ' || s[n - 1] == ' '));

	if (quote)
		fputc('"', f);
	if (defuse)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
}

int tio_writer_row(struct tio_writer *w, size_t n, const char *const *cells, struct err *e)
{
	char cn[8];

	if (!w || (n && !cells))
		return err_set(e, ERR_INVALID, FIELD, "导出参数无效");
	if (w->failed)
		return err_set(e, w->failed, FIELD, "写入 %s 已经失败", w->path);
	if (w->fmt == TIO_XLSX) {
		if (n > LXW_COL_MAX)
			return err_set(e, ERR_TOO_LARGE, FIELD, "xlsx 最多 %d 列", LXW_COL_MAX);
		if (w->nrows >= LXW_ROW_MAX)
			return err_set(e, ERR_TOO_LARGE, FIELD, "xlsx 最多 %d 行", LXW_ROW_MAX);
	}
	/* Check the whole row first so a refused row writes nothing. */
	for (size_t i = 0; i < n; i++) {
		const char *s = cells[i] ? cells[i] : "";
		size_t len = strlen(s);
		if (utf8_bad_at((const unsigned char *)s, len) != len)
			return err_set(e, ERR_INVALID, FIELD, "第%zu行%s列：不是有效的 UTF-8", w->nrows + 1,
				       col_name(i, cn));
		if (w->fmt == TIO_XLSX && len > 32767 && lxw_utf8_strlen(s) > 32767)
			return err_set(e, ERR_TOO_LARGE, FIELD, "第%zu行%s列：xlsx 单元格最多 32767 个字符",
				       w->nrows + 1, col_name(i, cn));
	}

	if (w->fmt == TIO_CSV) {
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputc(',', w->f);
			csv_put(w->f, cells[i] ? cells[i] : "");
		}
		fputs("\r\n", w->f);
		if (ferror(w->f)) {
			w->failed = ERR_IO;
			return err_set(e, ERR_IO, FIELD, "写入 %s 失败", w->path);
		}
		w->nrows++;
		return 0;
	}

	if (w->nrows < WIDTH_ROWS && n > w->nwidth) {
		unsigned *wd = realloc(w->width, n * sizeof *wd);
		if (!wd)
			return nomem(e);
		memset(wd + w->nwidth, 0, (n - w->nwidth) * sizeof *wd);
		w->width = wd;
		w->nwidth = n;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = cells[i] ? cells[i] : "";
		if (!*s)
			continue;
		char *lit;
		if (xlsx_literal(s, &lit)) {
			w->failed = ERR_INTERNAL; /* half a row is out */
			return nomem(e);
		}
		/* Always a string: an ID number must never become a float. */
		lxw_error le = worksheet_write_string(w->ws, (lxw_row_t)w->nrows, (lxw_col_t)i, lit ? lit : s,
						      w->nrows ? NULL : w->bold);
		free(lit);
		if (le) {
			w->failed = ERR_IO;
			return err_set(e, ERR_IO, FIELD, "写入 xlsx 失败：%s", lxw_strerror(le));
		}
		if (w->nrows < WIDTH_ROWS) {
			unsigned d = display_width(s);
			if (d > w->width[i])
				w->width[i] = d;
		}
	}
	w->nrows++;
	return 0;
}

int tio_writer_close(struct tio_writer *w, struct err *e)
{
	int rc = 0;

	if (!w)
		return 0;
	if (w->fmt == TIO_CSV) {
		int bad = fflush(w->f) != 0 || ferror(w->f);
		bad |= fclose(w->f) != 0;
		if (w->failed || bad)
			rc = err_set(e, w->failed ? w->failed : ERR_IO, FIELD, "写入 %s 失败", w->path);
	} else if (w->failed) {
		lxw_workbook_free(w->wb);
		rc = err_set(e, w->failed, FIELD, "写入 %s 失败", w->path);
	} else {
		for (size_t i = 0; i < w->nwidth; i++) {
			if (!w->width[i])
				continue;
			double cols = w->width[i] + 2.0; /* padding, room for bold */
			worksheet_set_column(w->ws, (lxw_col_t)i, (lxw_col_t)i,
					     cols < 8    ? 8
					     : cols > 60 ? 60
							 : cols,
					     NULL);
		}
		lxw_error le = workbook_close(w->wb); /* frees wb either way */
		if (le)
			rc = err_set(e, ERR_IO, FIELD, "写入 xlsx 失败：%s", lxw_strerror(le));
	}
	if (rc)
		unlink(w->path);
	w_free(w);
	return rc;
}

void tio_writer_abort(struct tio_writer *w)
{
	if (!w)
		return;
	if (w->fmt == TIO_CSV)
		fclose(w->f);
	else
		lxw_workbook_free(w->wb);
	unlink(w->path);
	w_free(w);
}
