/* fuzz_csv.c — the CSV reader (base/table_io.h): any bytes as an uploaded
 * registry, through encoding detection, libcsv and the row builder. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/table_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tio_table t;
	struct err e = {0};
	if (size >= 4 && !memcmp(data, "PK\x03\x04", 4))
		return 0; /* that is fuzz_xlsx's */
	if (tio_read_mem(data, size, &t, &e) == 0) {
		/* Every cell is readable and the caps hold. */
		size_t cells = 0;
		for (size_t i = 0; i < t.nrows; i++) {
			cells += t.rows[i].ncells;
			for (size_t j = 0; j < t.rows[i].ncells; j++)
				if (strlen(tio_cell(&t.rows[i], j)) > TIO_MAX_CELL)
					__builtin_trap();
		}
		if (t.nrows > TIO_MAX_ROWS || cells > TIO_MAX_CELLS)
			__builtin_trap();
		tio_free(&t);
	}
	return 0;
}
