/*
 * table_io.c — reading a table: tio_read_file/tio_read_mem detect the
 * format by content and hand the bytes to the CSV or XLSX reader, which
 * both feed the row builder here. The builder trims cells, drops empty
 * rows, enforces the TIO_MAX_* caps and packs every row (pointers and
 * text) into a single allocation; tio_free releases the table.
 * Reading holds the whole input in memory (at most TIO_MAX_INPUT).
 */
#include "base/table_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/table_io_internal.h"

/* ---- helpers shared by the table_io files ---- */

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

void tio_trim(const char **s, size_t *n)
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

const char *tio_col_name(size_t col, char out[8])
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

int tio_nomem(struct err *e)
{
	return err_set(e, ERR_INTERNAL, TIO_FIELD, "内存不足");
}

/* ---- the row builder ---- */

int tio_builder_cell(struct tio_builder *b, size_t col, const char *s, size_t n, size_t line)
{
	char cn[8];

	tio_trim(&s, &n);
	if (col >= TIO_MAX_COLS)
		return err_set(b->e, ERR_TOO_LARGE, TIO_FIELD, "第%zu行：列数超过 %d", line, TIO_MAX_COLS);
	if (n > TIO_MAX_CELL)
		return err_set(b->e, ERR_TOO_LARGE, TIO_FIELD, "第%zu行%s列：单元格内容超过 %zu KiB", line,
			       tio_col_name(col, cn), TIO_MAX_CELL >> 10);
	if (col >= b->cols_cap) {
		size_t cap = b->cols_cap ? b->cols_cap : 32;
		while (cap <= col)
			cap *= 2;
		size_t *off = realloc(b->off, cap * sizeof *off);
		if (!off)
			return tio_nomem(b->e);
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
	buf_append(&b->text, s, n);
	buf_append(&b->text, "", 1);
	b->off[col] = at + 1;
	return 0;
}

static void b_reset_row(struct tio_builder *b)
{
	if (b->ncols)
		memset(b->off, 0, b->ncols * sizeof *b->off);
	b->ncols = 0;
	buf_reset(&b->text);
}

int tio_builder_end_row(struct tio_builder *b, size_t line)
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
		return err_set(b->e, ERR_TOO_LARGE, TIO_FIELD, "第%zu行：超过 %d 行的上限", line, TIO_MAX_ROWS);
	if (b->cells_total + n > TIO_MAX_CELLS)
		return err_set(b->e, ERR_TOO_LARGE, TIO_FIELD, "第%zu行：单元格总数超过 %d 的上限", line,
			       TIO_MAX_CELLS);
	if (b->text_total + b->text.len > TIO_MAX_TEXT)
		return err_set(b->e, ERR_TOO_LARGE, TIO_FIELD, "第%zu行：表格文字总量超过 %zu MiB 的上限", line,
			       TIO_MAX_TEXT >> 20);
	if (t->nrows == b->rows_cap) {
		size_t cap = b->rows_cap ? b->rows_cap * 2 : 64;
		struct tio_row *rows = realloc(t->rows, cap * sizeof *rows);
		if (!rows)
			return tio_nomem(b->e);
		t->rows = rows;
		b->rows_cap = cap;
	}
	/* One block per row: n pointers, then the text; the final NUL doubles
	 * as the "" every empty cell points to. */
	char **cells = malloc(n * sizeof *cells + b->text.len + 1);
	if (!cells)
		return tio_nomem(b->e);
	char *text = (char *)(cells + n);
	if (b->text.len)
		memcpy(text, b->text.data, b->text.len);
	text[b->text.len] = '\0';
	for (size_t i = 0; i < n; i++)
		cells[i] = b->off[i] ? text + b->off[i] - 1 : text + b->text.len;
	t->rows[t->nrows++] = (struct tio_row){.line = line, .ncells = n, .cells = cells};
	b->cells_total += n;
	b->text_total += b->text.len;
	b_reset_row(b);
	return 0;
}

static void b_fini(struct tio_builder *b)
{
	buf_free(&b->text);
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

/* ---- reading entry points ---- */

int tio_read_mem(const void *data, size_t len, struct tio_table *out, struct err *e)
{
	static const unsigned char ole2[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
	const unsigned char *d = data;
	int rc;

	memset(out, 0, sizeof *out);
	if (!d && len)
		return err_set(e, ERR_INVALID, TIO_FIELD, "没有数据");
	if (len > TIO_MAX_INPUT)
		return err_set(e, ERR_TOO_LARGE, TIO_FIELD, "文件超过 %zu MiB", TIO_MAX_INPUT >> 20);

	struct tio_builder b = {.t = out, .e = e};
	if (len >= 4 && !memcmp(d, "PK\x03\x04", 4)) {
		out->format = TIO_XLSX;
		rc = tio_xlsx_read(d, len, &b, e);
	} else if (len >= 8 && !memcmp(d, ole2, 8)) {
		rc = err_set(e, ERR_UNSUPPORTED, TIO_FIELD,
			     "不支持旧版 Excel（.xls）或加密的文件，请另存为 .xlsx 或 CSV");
	} else {
		out->format = TIO_CSV;
		rc = tio_csv_read(d, len, &b, e);
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
		return err_set(e, ERR_INVALID, TIO_FIELD, "没有文件名");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int en = errno;
		return err_set(e, en == ENOENT ? ERR_NOT_FOUND : ERR_IO, TIO_FIELD, "无法打开 %s：%s", path,
			       strerror(en));
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_IO, TIO_FIELD, "%s 不是普通文件", path);
	}
	if ((uint64_t)st.st_size > TIO_MAX_INPUT) {
		close(fd);
		return err_set(e, ERR_TOO_LARGE, TIO_FIELD, "文件超过 %zu MiB", TIO_MAX_INPUT >> 20);
	}
	/* Read until EOF, not st_size: the file may still be growing. */
	struct buf in = {0};
	char chunk[16384];
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int en = errno;
			rc = err_set(e, ERR_IO, TIO_FIELD, "读取 %s 失败：%s", path, strerror(en));
			break;
		}
		if (n == 0)
			break;
		if (in.len + (size_t)n > TIO_MAX_INPUT) {
			rc = err_set(e, ERR_TOO_LARGE, TIO_FIELD, "文件超过 %zu MiB", TIO_MAX_INPUT >> 20);
			break;
		}
		buf_append(&in, chunk, (size_t)n);
	}
	close(fd);
	if (!rc)
		rc = tio_read_mem(buf_cstr(&in), in.len, out, e);
	buf_free(&in);
	return rc;
}
