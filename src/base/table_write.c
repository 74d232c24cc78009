/*
 * table_write.c — the writers: CSV by hand (UTF-8 BOM, CRLF, cells that a
 * spreadsheet would run as formulas defused) and XLSX through
 * libxlsxwriter in constant_memory mode (every cell a string, bold frozen
 * header, column widths from the first rows).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/table_io.h"
#include "base/table_io_internal.h"
#include "base/utf8.h"

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
static int is_wide(unsigned cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* Widest line of a valid UTF-8 string, in columns. */
static unsigned display_width(const char *s)
{
	unsigned w = 0, line = 0;

	while (*s) {
		unsigned cp = utf8_next(&s);
		if (cp == '\n') {
			line = 0;
		} else {
			line += is_wide(cp) ? 2 : 1;
			if (line > w)
				w = line;
		}
	}
	return w;
}

/* Excel's sheet-name rules: <= 31 characters, none of []:*?/\, no
 * apostrophe at either end, not "History". */
static void sheet_name(const char *in, char *out, size_t cap)
{
	const char *s = in ? in : "";
	const char *end = s + utf8_valid_prefix(s, strlen(s)); /* stop at bad bytes */
	size_t w = 0, chars = 0;

	while (s < end && chars < 31 && w + 4 < cap) {
		const char *at = s;
		unsigned cp = utf8_next(&s);
		size_t k = (size_t)(s - at);
		if (cp < 0x20 || (k == 1 && strchr("[]:*?/\\", (int)cp))) {
			out[w++] = '_';
		} else {
			memcpy(out + w, at, k);
			w += k;
		}
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
		return err_set(e, ERR_INVALID, TIO_FIELD, "导出参数无效");
	struct tio_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->path = strdup(path))) {
		free(w);
		return tio_nomem(e);
	}
	w->fmt = fmt;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		int en = errno;
		w_free(w);
		return err_set(e, ERR_IO, TIO_FIELD, "无法创建 %s：%s", path, strerror(en));
	}
	if (fmt == TIO_CSV) {
		w->f = fdopen(fd, "w");
		if (!w->f) {
			close(fd);
			unlink(path);
			w_free(w);
			return tio_nomem(e);
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
		return err_set(e, ERR_IO, TIO_FIELD, "无法创建 xlsx 工作簿 %s", path);
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
		hits += tio_ooxml_escape_at(s + i, n - i, &cp);
	if (!hits)
		return 0;
	char *o = malloc(n + hits * 6 + 1);
	if (!o)
		return -1;
	*out = o;
	for (size_t i = 0; i < n; i++) {
		if (tio_ooxml_escape_at(s + i, n - i, &cp)) {
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
		return err_set(e, ERR_INVALID, TIO_FIELD, "导出参数无效");
	if (w->failed)
		return err_set(e, w->failed, TIO_FIELD, "写入 %s 已经失败", w->path);
	if (w->fmt == TIO_XLSX) {
		if (n > LXW_COL_MAX)
			return err_set(e, ERR_TOO_LARGE, TIO_FIELD, "xlsx 最多 %d 列", LXW_COL_MAX);
		if (w->nrows >= LXW_ROW_MAX)
			return err_set(e, ERR_TOO_LARGE, TIO_FIELD, "xlsx 最多 %d 行", LXW_ROW_MAX);
	}
	/* Check the whole row first so a refused row writes nothing. */
	for (size_t i = 0; i < n; i++) {
		const char *s = cells[i] ? cells[i] : "";
		size_t len = strlen(s);
		if (!utf8_valid(s, len))
			return err_set(e, ERR_INVALID, TIO_FIELD, "第%zu行%s列：不是有效的 UTF-8", w->nrows + 1,
				       tio_col_name(i, cn));
		if (w->fmt == TIO_XLSX && len > 32767 && lxw_utf8_strlen(s) > 32767)
			return err_set(e, ERR_TOO_LARGE, TIO_FIELD, "第%zu行%s列：xlsx 单元格最多 32767 个字符",
				       w->nrows + 1, tio_col_name(i, cn));
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
			return err_set(e, ERR_IO, TIO_FIELD, "写入 %s 失败", w->path);
		}
		w->nrows++;
		return 0;
	}

	if (w->nrows < WIDTH_ROWS && n > w->nwidth) {
		unsigned *wd = realloc(w->width, n * sizeof *wd);
		if (!wd)
			return tio_nomem(e);
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
			return tio_nomem(e);
		}
		/* Always a string: an ID number must never become a float. */
		lxw_error le = worksheet_write_string(w->ws, (lxw_row_t)w->nrows, (lxw_col_t)i, lit ? lit : s,
						      w->nrows ? NULL : w->bold);
		free(lit);
		if (le) {
			w->failed = ERR_IO;
			return err_set(e, ERR_IO, TIO_FIELD, "写入 xlsx 失败：%s", lxw_strerror(le));
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
			rc = err_set(e, w->failed ? w->failed : ERR_IO, TIO_FIELD, "写入 %s 失败", w->path);
	} else if (w->failed) {
		lxw_workbook_free(w->wb);
		rc = err_set(e, w->failed, TIO_FIELD, "写入 %s 失败", w->path);
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
			rc = err_set(e, ERR_IO, TIO_FIELD, "写入 xlsx 失败：%s", lxw_strerror(le));
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
