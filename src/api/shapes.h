/*
 * shapes.h — what the API sends and takes beyond the entities' records:
 * the response and body shapes that are not a field table (statistics,
 * timelines, summaries, health, the session, errors …), the query and
 * path parameters, and the type notation both are written in. The
 * OpenAPI document (openapi_gen.c) is built from these, the field tables
 * and the route table; nothing else describes the API.
 *
 * A type is a space-separated spec: first the base, then modifiers.
 *   base: str int int64 id (int64 ≥ 1) num bool date time (date-time)
 *         bin (bytes) obj (any object) any; @Name (a shape, or an
 *         entity's record: @node, @{kind} the case kind's); [T] an array
 *         of T; {T} an object whose values are T
 *   modifiers: req (required) null (may be null) min=N max=N len=N
 *         (maxLength) minlen=N items=N (maxItems) fmt=F pat=REGEX
 *         enum=a|b|c def=V of=ENTITY.FIELD (the field's enum values and
 *         labels, then those of enum=; ENTITY may be {kind}: the case
 *         kind's record, whose status is its states)
 * Thread-safety: read-only tables.
 */
#ifndef LINLI_SHAPES_H
#define LINLI_SHAPES_H

#define SHAPE_MAX_PROPS 24

struct shape_prop {
	const char *name, *type, *doc;
};

/* A shape named "{Kind}…" is made once per case kind ("RequestDetail"),
 * with @{kind} meaning that kind's record. A shape named as an entity
 * ("node", "{kind}") lists the computed properties its records carry
 * beyond the field table. A shape without properties is the schema of its
 * type alone (an enumeration). */
struct shape {
	const char *name;
	const char *type; /* @Base: all of Base and the properties; or the type of a shape without properties */
	const char *doc;
	struct shape_prop props[SHAPE_MAX_PROPS]; /* until name == NULL */
};

extern const struct shape api_shapes[];
extern const int api_shape_count;
const struct shape *shape_find(const char *name);

/* A query or path parameter; routes name query parameters by id. */
struct param {
	const char *id;   /* the document's component name */
	const char *name; /* the key in the URL */
	const char *in;   /* "query" or "path" */
	const char *type;
	const char *doc;
};

extern const struct param api_params[];
extern const int api_param_count;
const struct param *param_find(const char *id);
/* The path parameter {name} (e.g. "id", "format"), or NULL. */
const struct param *param_path(const char *name);

/* A response header routes send on success; routes name them by id. */
struct resp_header {
	const char *id, *name, *type, *doc;
};

extern const struct resp_header api_resp_headers[];
extern const int api_resp_header_count;
const struct resp_header *resp_header_find(const char *id);

#endif
