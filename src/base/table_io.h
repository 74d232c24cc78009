/*
 * table_io.h — CSV/XLSX files in and out, for importing and exporting
 * resident registries (台账).
 *
 * Reading detects the format by content (ZIP signature = .xlsx, else CSV),
 * decodes CSV from UTF-8 (BOM optional), GB18030 or UTF-16 (BOM) to UTF-8,
 * takes the first worksheet of an .xlsx, trims every cell and drops rows
 * that are entirely empty. Each row keeps the line number (CSV) or sheet
 * row number (XLSX) where it starts, for messages like "第12行". Inputs are
 * capped (TIO_MAX_*) and exceeding a cap fails with ERR_TOO_LARGE.
 * Writing streams rows to CSV (UTF-8 BOM, CRLF, formula injection defused)
 * or XLSX (every cell a string, bold frozen header, constant memory).
 *
 * Ownership: a tio_table owns all of its rows and strings; tio_free releases
 * them. A writer is released by tio_writer_close or tio_writer_abort.
 * Thread-safety: no global state; one table or writer per thread at a time.
 */
#ifndef LINLI_TABLE_IO_H
#define LINLI_TABLE_IO_H

#include <stddef.h>

#include "base/err.h"

enum tio_format { TIO_CSV = 1, TIO_XLSX = 2 };

/* The caps bound the memory one read can take, whatever the file: about
 * TIO_MAX_TEXT twice over (the table's text, an .xlsx's shared strings)
 * plus pointers for TIO_MAX_CELLS cells and TIO_MAX_STRINGS strings and
 * the input itself, some 200 MiB at worst (docs/architecture.md,
 * "Security"). Inflated XML is streamed, never held whole. */
#define TIO_MAX_INPUT    ((size_t)64 << 20)  /* bytes of the file */
#define TIO_MAX_UNZIPPED ((size_t)256 << 20) /* XML bytes inflated from .xlsx, all parts */
#define TIO_MAX_PART     ((size_t)128 << 20) /* XML bytes inflated from the sheet or the shared strings */
#define TIO_MAX_META     ((size_t)4 << 20)   /* XML bytes of the workbook and its relationships */
#define TIO_MAX_TOKEN    ((size_t)1 << 20)   /* one XML tag (name and attributes) */
#define TIO_MAX_ROWS     1000000             /* non-empty rows, header included */
#define TIO_MAX_CELL     ((size_t)64 << 10)  /* bytes in one cell */
#define TIO_MAX_COLS     16384               /* columns (Excel's own limit) */
#define TIO_MAX_CELLS    4000000             /* cells in all rows */
#define TIO_MAX_TEXT     ((size_t)32 << 20)  /* bytes of text in all cells; also of the shared strings */
#define TIO_MAX_STRINGS  2000000             /* shared strings of an .xlsx */

struct tio_row {
	size_t line;   /* 1-based line (CSV) or sheet row number (XLSX) */
	size_t ncells; /* trailing empty cells are not counted */
	char **cells;  /* UTF-8, NUL-terminated, trimmed; "" for empty */
};

struct tio_table {
	enum tio_format format; /* what the input turned out to be */
	size_t nrows;           /* 0 for a file with no content */
	struct tio_row *rows;   /* rows[0] is the header (first non-empty row) */
};

/* Both fill *out (zeroed first) and return 0, or return ERR_* with *out
 * empty. Errors name the line: ERR_INVALID (bad encoding, quoting, broken
 * .xlsx), ERR_UNSUPPORTED (.xls / encrypted / binary), ERR_TOO_LARGE. */
int tio_read_file(const char *path, struct tio_table *out, struct err *e);
int tio_read_mem(const void *data, size_t len, struct tio_table *out, struct err *e);
void tio_free(struct tio_table *t);
/* Cell i of a row, or "" when the row is shorter. */
const char *tio_cell(const struct tio_row *r, size_t i);

struct tio_writer;

/* Creates path (mode 0600: registries hold personal data). sheet_name is
 * for XLSX (sanitised to Excel's rules; NULL = "Sheet1"). */
int tio_writer_open(struct tio_writer **w, enum tio_format fmt, const char *path, const char *sheet_name,
		    struct err *e);
/* Writes one row; the first row is the header. NULL cells are "". A row
 * refused for bad input (ERR_INVALID, ERR_TOO_LARGE) writes nothing and the
 * writer stays usable; an I/O failure is sticky and reported by close. */
int tio_writer_row(struct tio_writer *w, size_t n, const char *const *cells, struct err *e);
/* Finishes the file and frees w (w may be NULL). On failure the partial
 * file is removed. */
int tio_writer_close(struct tio_writer *w, struct err *e);
/* Frees w and removes the partial file, for callers that give up. */
void tio_writer_abort(struct tio_writer *w);

#endif
