/*
 * fuzz_xlsx.c — the .xlsx reader (base/table_io.h). An input starting with
 * "PK\3\4" is read as the whole package (the zip structure); any other is
 * split at NUL bytes into the workbook, its relationships, the shared
 * strings and the first sheet, packed by libzip into a valid archive, so
 * that the mutations reach the XML handlers instead of failing the CRC.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "base/table_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_table(const void *d, size_t n)
{
	struct tio_table t;
	struct err e = {0};
	if (tio_read_mem(d, n, &t, &e) == 0) {
		for (size_t i = 0; i < t.nrows; i++)
			for (size_t j = 0; j < t.rows[i].ncells; j++)
				if (strlen(tio_cell(&t.rows[i], j)) > TIO_MAX_CELL)
					__builtin_trap();
		tio_free(&t);
	}
}

/* Packs the parts into a stored zip in memory; returns its bytes (malloc). */
static void *pack(const uint8_t *data, size_t size, size_t *out_len)
{
	static const char *const names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
					    "xl/worksheets/sheet1.xml"};
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *buf = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *za = buf ? zip_open_from_source(buf, ZIP_TRUNCATE, &ze) : NULL;
	zip_error_fini(&ze);
	if (!za) {
		zip_source_free(buf);
		return NULL;
	}
	zip_source_keep(buf);
	size_t pos = 0;
	for (size_t k = 0; k < 4 && pos <= size; k++) {
		const uint8_t *nul = memchr(data + pos, 0, size - pos);
		size_t n = nul ? (size_t)(nul - (data + pos)) : size - pos;
		zip_source_t *s = zip_source_buffer(za, data + pos, n, 0);
		if (s && zip_file_add(za, names[k], s, ZIP_FL_OVERWRITE) < 0)
			zip_source_free(s);
		pos += n + 1;
	}
	void *out = NULL;
	if (zip_close(za) != 0) {
		zip_discard(za);
	} else if (zip_source_open(buf) == 0) {
		zip_source_seek(buf, 0, SEEK_END);
		zip_int64_t len = zip_source_tell(buf);
		zip_source_seek(buf, 0, SEEK_SET);
		if (len > 0 && (out = malloc((size_t)len)) != NULL &&
		    zip_source_read(buf, out, (zip_uint64_t)len) == len) {
			*out_len = (size_t)len;
		} else {
			free(out);
			out = NULL;
		}
		zip_source_close(buf);
	}
	zip_source_free(buf);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 4 && !memcmp(data, "PK\x03\x04", 4)) {
		read_table(data, size);
		return 0;
	}
	size_t n = 0;
	void *zip = pack(data, size, &n);
	if (zip)
		read_table(zip, n);
	free(zip);
	return 0;
}
