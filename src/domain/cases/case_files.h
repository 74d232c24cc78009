/*
 * case_files.h — photos of a case: content-checked images stored by hash
 * outside the database (files_dir in the ctx). An image's type and its
 * declared dimensions are checked by base/image.h.
 */
#ifndef LINLI_CASE_FILES_H
#define LINLI_CASE_FILES_H

#include <jansson.h>

#include "domain/core/ctx.h"

#define CASE_FILE_MAX       (5 << 20)
#define CASE_FILES_PER_CASE 9

int case_file_add(const struct ctx *c, int64_t case_id, const void *data, size_t len, json_t **out, struct err *e);
/* The stored file's path and type, if the actor may see its case. */
int case_file_path(const struct ctx *c, int64_t file_id, const char **path, const char **mime, struct err *e);

#endif
