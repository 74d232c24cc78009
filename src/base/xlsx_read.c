/*
 * xlsx_read.c — the .xlsx reader: opens the package with libzip straight
 * from memory and streams the workbook, its relationships, the shared
 * strings and the first worksheet through expat into the row builder.
 * No more than TIO_MAX_UNZIPPED inflated bytes are ever read (each part
 * within its own cap), no XML tag longer than TIO_MAX_TOKEN is buffered,
 * the shared strings are capped in number and text, and a part with a
 * DTD is refused.
 */
#include <expat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "base/buf.h"
#include "base/table_io_internal.h"
#include "base/utf8.h"

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
		xstop(j, err_set(j->e, ERR_INVALID, TIO_FIELD, "xlsx 文件含有 DTD，拒绝处理"));
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

int tio_ooxml_escape_at(const char *s, size_t left, uint32_t *cp)
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
		if (tio_ooxml_escape_at(s + r, n - r, &cp) && cp && (cp < 0xD800 || cp > 0xDFFF)) {
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

/* Streams one part through a fresh namespace-aware expat parser, reading
 * at most cap inflated bytes of it. Returns ERR_NOT_FOUND without
 * touching e when the part is absent. */
static int zin_parse(struct zin *z, const char *name, size_t cap, struct xjob *j, XML_StartElementHandler start,
		     XML_EndElementHandler end, XML_CharacterDataHandler text)
{
	zip_int64_t idx = zip_name_locate(z->za, name, ZIP_FL_NOCASE);
	if (idx < 0)
		return ERR_NOT_FOUND;
	zip_file_t *f = zip_fopen_index(z->za, (zip_uint64_t)idx, 0);
	if (!f)
		return err_set(z->e, ERR_INVALID, TIO_FIELD, "xlsx 文件损坏或已加密：无法读取 %s（%s）", name,
			       zip_strerror(z->za));
	XML_Parser p = XML_ParserCreateNS(NULL, '|');
	char *chunk = malloc(65536);
	int rc = 0;
	if (!p || !chunk) {
		rc = tio_nomem(z->e);
		goto out;
	}
	j->p = p;
	j->e = z->e;
	j->rc = 0;
	XML_SetUserData(p, j);
	XML_SetElementHandler(p, start, end);
	XML_SetCharacterDataHandler(p, text);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	size_t fed = 0;
	for (;;) {
		zip_int64_t n = zip_fread(f, chunk, 65536);
		if (n < 0) {
			rc = err_set(z->e, ERR_INVALID, TIO_FIELD, "xlsx 文件损坏：%s 解压失败（%s）", name,
				     zip_file_strerror(f));
			break;
		}
		if ((zip_uint64_t)n > z->budget) {
			rc = err_set(z->e, ERR_TOO_LARGE, TIO_FIELD, "xlsx 解压后超过 %zu MiB", TIO_MAX_UNZIPPED >> 20);
			break;
		}
		if ((zip_uint64_t)n > cap - fed) {
			rc =
			    err_set(z->e, ERR_TOO_LARGE, TIO_FIELD, "xlsx 中的 %s 解压后超过 %zu MiB", name, cap >> 20);
			break;
		}
		z->budget -= (size_t)n;
		fed += (size_t)n;
		if (XML_Parse(p, chunk, (int)n, n == 0) == XML_STATUS_ERROR) {
			rc = j->rc ? j->rc
				   : err_set(z->e, ERR_INVALID, TIO_FIELD, "xlsx 文件损坏：%s 第%lu行：%s", name,
					     (unsigned long)XML_GetCurrentLineNumber(p),
					     XML_ErrorString(XML_GetErrorCode(p)));
			break;
		}
		if (j->rc) {
			rc = j->rc;
			break;
		}
		/* expat holds an unfinished tag whole: bound what it buffers. */
		XML_Index at = XML_GetCurrentByteIndex(p);
		if (at >= 0 && fed - (size_t)at > TIO_MAX_TOKEN) {
			rc = err_set(z->e, ERR_TOO_LARGE, TIO_FIELD, "xlsx 中的 %s 含有超过 %zu MiB 的 XML 标记", name,
				     TIO_MAX_TOKEN >> 20);
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
		xstop(&c->j, tio_nomem(c->j.e));
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
		xstop(&c->j, tio_nomem(c->j.e));
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
		buf_reset(&c->cur);
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
		if (s->n >= TIO_MAX_STRINGS) {
			xstop(&c->j,
			      err_set(c->j.e, ERR_TOO_LARGE, TIO_FIELD, "xlsx 共享字符串超过 %d 个", TIO_MAX_STRINGS));
			return;
		}
		if (s->text.len + c->cur.len + 1 > TIO_MAX_TEXT) {
			xstop(&c->j, err_set(c->j.e, ERR_TOO_LARGE, TIO_FIELD, "xlsx 共享字符串总量超过 %zu MiB",
					     TIO_MAX_TEXT >> 20));
			return;
		}
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 256;
			size_t *off = realloc(s->off, cap * sizeof *off);
			if (!off) {
				xstop(&c->j, tio_nomem(c->j.e));
				return;
			}
			s->off = off;
			s->cap = cap;
		}
		size_t len = c->cur.len ? ooxml_unescape(c->cur.data, c->cur.len) : 0;
		s->off[s->n] = s->text.len;
		buf_append(&s->text, c->cur.data, len);
		buf_append(&s->text, "", 1);
		s->n++;
	}
}

static void XMLCALL sst_text(void *ud, const XML_Char *txt, int len)
{
	struct sst_ctx *c = ud;

	if (c->j.rc || !c->in_t)
		return;
	if (c->cur.len + (size_t)len > TIO_MAX_CELL)
		xstop(&c->j,
		      err_set(c->j.e, ERR_TOO_LARGE, TIO_FIELD, "xlsx 中有字符串超过 %zu KiB", TIO_MAX_CELL >> 10));
	else
		buf_append(&c->cur, txt, (size_t)len);
}

/* The worksheet itself. */
enum ctype { CT_NUM, CT_SST, CT_INLINE, CT_STR, CT_BOOL };

struct sheet_ctx {
	struct xjob j;
	struct tio_builder *b;
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
		return;
	}
	if (!c->in_data)
		return; /* before the sheet's data */
	if (!strcmp(ln, "row")) {
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
		buf_reset(&c->val);
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
	const char *s = c->val.data;
	size_t n = c->val.len;
	char cn[8];
	int rc;

	c->in_cell = 0;
	c->next_col = c->col + 1;
	if (!n) {
		rc = tio_builder_cell(c->b, c->col, "", 0, c->row);
	} else if (c->type == CT_SST) {
		const char *v = s;
		size_t idx = 0;
		size_t k = n;
		tio_trim(&v, &k);
		int ok = k > 0;
		for (size_t i = 0; i < k && ok; i++) {
			ok = v[i] >= '0' && v[i] <= '9' && idx < SIZE_MAX / 10;
			idx = idx * 10 + (size_t)(v[i] - '0');
		}
		if (!ok || !c->sst || idx >= c->sst->n) {
			xstop(&c->j, err_set(c->j.e, ERR_INVALID, TIO_FIELD, "第%zu行%s列：xlsx 共享字符串编号无效",
					     c->row, tio_col_name(c->col, cn)));
			return;
		}
		s = c->sst->text.data + c->sst->off[idx];
		rc = tio_builder_cell(c->b, c->col, s, strlen(s), c->row);
	} else if (c->type == CT_BOOL) {
		int t = n == 1 && s[0] == '1', f = n == 1 && s[0] == '0';
		rc = t   ? tio_builder_cell(c->b, c->col, "TRUE", 4, c->row)
		     : f ? tio_builder_cell(c->b, c->col, "FALSE", 5, c->row)
			 : tio_builder_cell(c->b, c->col, s, n, c->row);
	} else {
		if (c->type == CT_INLINE || c->type == CT_STR)
			n = ooxml_unescape(c->val.data, n);
		rc = tio_builder_cell(c->b, c->col, s, n, c->row);
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
		int rc = tio_builder_end_row(c->b, c->row);
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
		xstop(&c->j, err_set(c->j.e, ERR_TOO_LARGE, TIO_FIELD, "第%zu行%s列：单元格内容超过 %zu KiB", c->row,
				     tio_col_name(c->col, cn), TIO_MAX_CELL >> 10));
	else
		buf_append(&c->val, txt, (size_t)len);
}

int tio_xlsx_read(const void *data, size_t len, struct tio_builder *b, struct err *e)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	zip_error_fini(&ze);
	if (!za) {
		zip_source_free(src);
		return err_set(e, ERR_INVALID, TIO_FIELD, "不是有效的 xlsx 文件（压缩结构损坏）");
	}

	struct zin z = {.za = za, .budget = TIO_MAX_UNZIPPED, .e = e};
	struct wb_ctx wb = {.rid = NULL};
	struct rels_ctx rels = {.sheet = NULL};
	struct sst sst = {.n = 0};
	struct sst_ctx sc = {.s = &sst};
	struct sheet_ctx sh = {.b = b, .sst = &sst};
	static const char dflt_sheet[] = "xl/worksheets/sheet1.xml";

	int rc = zin_parse(&z, "xl/workbook.xml", TIO_MAX_META, &wb.j, wb_start, NULL, NULL);
	if (rc == ERR_NOT_FOUND)
		rc = err_set(e, ERR_UNSUPPORTED, TIO_FIELD, "压缩包里没有 Excel 工作簿，请上传 .xlsx 或 .csv");
	if (rc)
		goto out;
	rels.rid = wb.rid;
	rc = zin_parse(&z, "xl/_rels/workbook.xml.rels", TIO_MAX_META, &rels.j, rels_start, NULL, NULL);
	if (rc && rc != ERR_NOT_FOUND)
		goto out;
	rc = zin_parse(&z, rels.sst ? rels.sst : "xl/sharedStrings.xml", TIO_MAX_PART, &sc.j, sst_start, sst_end,
		       sst_text);
	if (rc && rc != ERR_NOT_FOUND)
		goto out;
	rc = zin_parse(&z, rels.sheet ? rels.sheet : dflt_sheet, TIO_MAX_PART, &sh.j, sheet_start, sheet_end,
		       sheet_text);
	if (rc == ERR_NOT_FOUND && rels.sheet)
		rc = zin_parse(&z, dflt_sheet, TIO_MAX_PART, &sh.j, sheet_start, sheet_end, sheet_text);
	if (rc == ERR_NOT_FOUND)
		rc = err_set(e, ERR_INVALID, TIO_FIELD, "xlsx 文件里找不到工作表");
out:
	free(wb.rid);
	free(rels.sheet);
	free(rels.sst);
	buf_free(&sst.text);
	free(sst.off);
	buf_free(&sc.cur);
	buf_free(&sh.val);
	zip_discard(za);
	return rc;
}
