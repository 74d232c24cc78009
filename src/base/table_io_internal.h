/*
 * table_io_internal.h — what the table_io files share: the row builder
 * both readers feed (trimming and the TIO_MAX_* caps), the two readers
 * themselves, and the helpers their messages and the writer also need
 * (column letters, out-of-memory, Excel's "_xHHHH_" escapes).
 * Not for use outside src/base/table_io.c, csv_read.c, xlsx_read.c and
 * table_write.c.
 */
#ifndef LINLI_TABLE_IO_INTERNAL_H
#define LINLI_TABLE_IO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/table_io.h"

#define TIO_FIELD "file" /* the err field of every table_io error */

/* Builds a tio_table row by row: cells are trimmed, empty rows dropped,
 * the caps enforced, and every row (pointers and text) packed into a
 * single allocation. */
struct tio_builder {
	struct tio_table *t;
	size_t rows_cap;
	size_t cells_total;
	size_t text_total; /* bytes of cell text in the table so far */
	struct buf text;   /* current row: cell bytes, each NUL-terminated */
	size_t *off;       /* current row: per column offset + 1 into text, 0 = empty */
	size_t ncols, cols_cap;
	struct err *e;
};

/* Stores column col of the current row; line is for error messages. */
int tio_builder_cell(struct tio_builder *b, size_t col, const char *s, size_t n, size_t line);
/* Closes the current row: packs it into the table unless it is empty. */
int tio_builder_end_row(struct tio_builder *b, size_t line);

/* The readers: parse the input into b (errors name the line). */
int tio_csv_read(const unsigned char *d, size_t len, struct tio_builder *b, struct err *e);
int tio_xlsx_read(const void *data, size_t len, struct tio_builder *b, struct err *e);

/* Narrows s[0..*n) to drop leading and trailing whitespace: ASCII,
 * U+00A0, U+3000 (full-width space) and a stray U+FEFF. */
void tio_trim(const char **s, size_t *n);
/* Spreadsheet column letters of a 0-based column: 0 -> "A", 27 -> "AB". */
const char *tio_col_name(size_t col, char out[8]);
/* Sets ERR_INTERNAL "内存不足" and returns it. */
int tio_nomem(struct err *e);
/* Whether s (left bytes) starts with an Excel escape "_xHHHH_"; stores
 * the code unit. */
int tio_ooxml_escape_at(const char *s, size_t left, uint32_t *cp);

#endif
