/*
 * openapi.h — the API's OpenAPI 3.0 document, generated from the route
 * table, the field tables, the case kinds and the shapes (openapi_gen.c).
 * Thread-safety: openapi_text builds once and is safe from any thread.
 */
#ifndef LINLI_OPENAPI_H
#define LINLI_OPENAPI_H

#include <jansson.h>
#include <stddef.h>

/* The document (a new reference). */
json_t *openapi_document(void);
/* The document as served and committed (docs/openapi.json): indented
 * JSON and a final newline; built on first use and kept. NULL if out of
 * memory. */
const char *openapi_text(size_t *len);
/* Builds the document and reports the first thing in the tables that does
 * not resolve (a route without summary or with an unknown tag, a type
 * naming no shape, a parameter id that is not in params.c …): 0 if none,
 * else -1 with why filled. */
int openapi_check(char *why, size_t cap);

#endif
