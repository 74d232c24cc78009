/*
 * api.h — what every resource handler uses: the route context, body and
 * query parsing, the one error format and list pages.
 *
 * Handlers return nothing; they fill r->resp through api_ok/api_error.
 * Errors are {"error":{"code","message","field"}} with the HTTP status
 * mapped from the ERR_* code in one place (api_fail).
 */
#ifndef LINLI_API_H
#define LINLI_API_H

#include <jansson.h>

#include "domain/core/ctx.h"

struct case_kind;
#include "http/http.h"

struct api {
	struct http_req *req;
	struct http_resp *resp;
	struct ctx c;
	const char *param[4];         /* {id}-style path parameters in order */
	const struct case_kind *kind; /* {kind}: the case kind whose resource path matched */
	int nparam;
	const char *token_kind;    /* "session" (cookie) or "api" */
	const struct route *route; /* the matched route */
	const void *app;           /* struct api_app (api/app.h) */
};

typedef void (*api_handler)(struct api *r);

/* Who may call a route. Finer access (viewer … manager at a node) is
 * checked by the domain on every call, so no route can forget it. */
enum route_auth {
	AUTH_LOGIN,  /* a session or API token */
	AUTH_PUBLIC, /* anyone; a valid token is still read */
	AUTH_APIKEY  /* anyone; an api_key parameter names the caller, and writing needs it (Open311) */
};

/* What a route takes as its body. */
enum route_body {
	BODY_NONE,
	BODY_CREATE, /* an entity's writable fields (body_of names it; "{kind}": the case kind's) */
	BODY_UPDATE, /* the same, without the set-on-create-only ones, none required */
	BODY_ACTION, /* the input of the case kind's action named by {action} */
	BODY_UPLOAD, /* raw bytes of one of the content types in body_of (", "-separated) */
	BODY_SHAPE   /* a named shape of src/api/shapes.c */
};

/* What a route answers. out_of names an entity ("node", "{kind}") or a
 * shape; out_alt lists further content types it may answer with (files),
 * ", "-separated. */
enum route_out {
	OUT_ONE,   /* the entity's record or the shape */
	OUT_PAGE,  /* {"items": [...], "next_cursor"} */
	OUT_ITEMS, /* {"items": [...]}, not paged */
	OUT_OK,    /* {"ok": true} */
	OUT_FILE   /* only the content types in out_alt */
};

struct route {
	const char *method, *pattern;
	api_handler fn;
	const char *tag;     /* a tag of openapi_gen.c; "{kind}": the kind's path */
	const char *zh, *en; /* summary */
	/* Query parameters: ids of src/api/params.c, space-separated. The
	 * handler accepts exactly these (api_route_keys). */
	const char *query;
	const char *body_of;
	const char *out_of, *out_alt;
	const char *headers; /* response headers of success: ids of params.c's api_resp_headers */
	enum route_auth auth;
	enum route_body body;
	enum route_out out;
	int status; /* of success; 0: 200 */
};

extern const struct route api_routes[];
extern const size_t api_route_count;

void api_dispatch(struct http_req *req, struct http_resp *resp, void *user);
/* The server's upload check (http_upload_fn): the request goes to a
 * BODY_UPLOAD route and carries a valid token (with its CSRF token when it
 * is the session cookie). */
bool api_upload_allowed(struct http_req *req, void *user);
/* The request's token (http_cred_fn): the Authorization Bearer header's,
 * else the session cookie's (*from_cookie, which may be NULL); NULL if none. */
const char *api_token(struct http_req *req, bool *from_cookie);
/* Whether path matches a route pattern; fills r->param (copies in
 * r->req->a) and r->kind. The matching api_dispatch does, for tests. */
bool api_route_match(const char *pattern, const char *path, struct api *r);

/* Responses */
void api_ok(struct api *r, int status, json_t *body);
void api_error(struct api *r, int status, const char *code, const char *field, const char *msg);
/* Maps an ERR_* code and its struct err to the HTTP error response. */
void api_fail(struct api *r, int rc, const struct err *e);
/* Answers out with status when rc == 0, else the error. */
void api_result(struct api *r, int rc, const struct err *e, int status, json_t *out);
/* {"items": items, "next_cursor": last id when the page is full} */
void api_page(struct api *r, json_t *items, int limit);
/* The same, for a list that reads a bounded window per page: a short page
 * whose window ended before the list did has resume (> 0) as its cursor. */
void api_page_resume(struct api *r, json_t *items, int limit, int64_t resume);
/* {"items": items, "next_cursor": next} for lists whose domain call made
 * the cursor (NULL: the list ended). */
void api_page_next(struct api *r, json_t *items, const char *next);
/* The query keys, node and limit of a list whose cursor is the domain's
 * own text (passed through as *cursor). */
bool api_list_query_text(struct api *r, const char *const *keys, int64_t *node, int64_t *limit, const char **cursor);

/* The common handler shapes: body -> create (201), id -> read (200),
 * id + body -> update (200), each calling one domain function. */
typedef int (*dom_create_fn)(const struct ctx *c, json_t *in, json_t **out, struct err *e);
typedef int (*dom_get_fn)(const struct ctx *c, int64_t id, json_t **out, struct err *e);
typedef int (*dom_update_fn)(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e);
void api_create(struct api *r, dom_create_fn fn);
void api_get(struct api *r, dom_get_fn fn);
void api_update(struct api *r, dom_update_fn fn);
/* Query of a subtree list: checks keys, reads node (0 = home), limit
 * and cursor, as the route declares them; answers 400 itself on failure. */
bool api_list_query(struct api *r, const char *const *keys, int64_t *node, int64_t *limit, int64_t *after);

/* Answers with the contents of the file at path (read whole into memory),
 * with its type; 500 if it cannot be read. */
bool api_send_file(struct api *r, const char *path, const char *type);
/* Content type of a 台账 file format ("csv" or "xlsx"). */
const char *api_sheet_type(const char *fmt);
/* A fresh temporary file path (in the arena); NULL (answered 500) if none. */
const char *api_tmpfile(struct api *r, const char *stem);

/* Input */
/* Parses the JSON object body; on failure answers 400/413/415 itself. */
json_t *api_body(struct api *r);
/* Path parameter i as a positive id; answers 400 itself on failure. */
bool api_id(struct api *r, int i, int64_t *out);
/* The integer query parameter key, bounded and defaulted as the matched
 * route's parameter says (params.c: int min= max= def=; id: positive), so
 * the document and the check are one; answers 400 out of bounds, 500 if
 * the route does not declare key. */
bool api_qint(struct api *r, const char *key, int64_t *out);
/* Opaque cursor → keyset id (0 if absent); answers 400 on a bad cursor. */
bool api_cursor(struct api *r, int64_t *after);
/* Rejects query keys not in the NULL-terminated list. */
bool api_qkeys(struct api *r, const char *const *allowed);
/* The query keys the matched route documents (its `query`), as a
 * NULL-terminated list in the request's arena, for api_qkeys. */
const char *const *api_route_keys(struct api *r);
bool api_qbool(struct api *r, const char *key);

#endif
