/*
 * transfer.h — import of residents from CSV/.xlsx and export of lists
 * (台账) to .xlsx/CSV.
 *
 * Import applies whole or not at all: every row is checked, every bad row
 * is reported with its line and reason, and on any error nothing changes.
 * Columns are matched by Chinese label or English key; households are
 * found or created by (place, 门牌地址). Export masks personal data as
 * viewers see it (fields.h FV_MASKED: birth dates by year too), whoever
 * exports, unless the caller reveals it (officer access; audited).
 */
#ifndef LINLI_TRANSFER_H
#define LINLI_TRANSFER_H

#include <jansson.h>

#include "domain/core/ctx.h"

struct person_filter;

/* Imports running at once in one process; one more is ERR_UNAVAILABLE. */
#define TRANSFER_IMPORTS_AT_ONCE 2

/* Imports people into the subtree of node. On success *report has counts;
 * on bad rows returns ERR_INVALID and *report lists {"line","field","message"}.
 * The file is read within table_io's caps (ERR_TOO_LARGE beyond them); with
 * TRANSFER_IMPORTS_AT_ONCE imports already running it is ERR_UNAVAILABLE
 * (the API answers 503 with Retry-After). Thread-safe. */
int transfer_import_people(const struct ctx *c, int64_t node, const void *data, size_t len, bool dry_run,
			   json_t **report, struct err *e);
/* Writes list ("people", "households", "roles", "orgs") of the subtree
 * to path in fmt ("xlsx" or "csv"); *rows gets the row count. */
int transfer_export(const struct ctx *c, const char *list, int64_t node, const char *fmt, bool reveal, const char *path,
		    int64_t *rows, struct err *e);
/* The same, for "people" selected by filter (the residents table's search
 * and filters, as person_list applies them, in its order): exactly the
 * people the list shows page by page. filter's node, paging, limit and
 * reveal are ignored; NULL means every active resident. Any other list with
 * a filter is ERR_INVALID. */
int transfer_export_filtered(const struct ctx *c, const char *list, int64_t node, const struct person_filter *filter,
			     const char *fmt, bool reveal, const char *path, int64_t *rows, struct err *e);

#endif
