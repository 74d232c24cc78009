/* common.c — responses, the error format and input parsing shared by handlers. */
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/shapes.h"
#include "domain/cases/case_kind.h"
#include "base/log.h"
#include "base/utf8.h"

void api_ok(struct api *r, int status, json_t *body)
{
	r->resp->status = status;
	r->resp->json = body;
}

void api_error(struct api *r, int status, const char *code, const char *field, const char *msg)
{
	json_decref(r->resp->json);
	r->resp->status = status;
	r->resp->json = json_pack("{s:{s:s, s:s, s:s?}}", "error", "code", code, "message", msg, "field",
				  field && *field ? field : NULL);
}

void api_fail(struct api *r, int rc, const struct err *e)
{
	static const struct {
		int code, status;
	} map[] = {{ERR_INVALID, 400},      {ERR_NOT_FOUND, 404}, {ERR_CONFLICT, 409}, {ERR_FORBIDDEN, 403},
		   {ERR_UNAUTHORIZED, 401}, {ERR_TOO_LARGE, 413}, {ERR_RATE, 429},     {ERR_UNAVAILABLE, 503},
		   {ERR_UNSUPPORTED, 415},  {ERR_METHOD, 405},    {ERR_IO, 500},       {ERR_INTERNAL, 500}};
	int status = 500;
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (map[i].code == rc)
			status = map[i].status;
	const char *msg = e && e->msg[0] ? e->msg : err_name(rc);
	if (status == 500)
		msg = "服务器内部错误 / internal error";
	api_error(r, status, err_name(rc), e ? e->field : NULL, msg);
	if (status == 503)
		http_add_header(r->resp, "Retry-After", "1");
}

void api_result(struct api *r, int rc, const struct err *e, int status, json_t *out)
{
	if (rc)
		api_fail(r, rc, e);
	else
		api_ok(r, status, out ? out : json_pack("{s:b}", "ok", 1));
}

void api_page_resume(struct api *r, json_t *items, int limit, int64_t resume)
{
	json_t *next = json_null();
	size_t n = json_array_size(items);
	if (limit > 0 && n == (size_t)limit) {
		json_t *last = json_object_get(json_array_get(items, n - 1), "id");
		if (json_is_integer(last))
			next = json_string(arena_printf(r->req->a, "%lld", (long long)json_integer_value(last)));
	} else if (resume > 0) {
		next = json_string(arena_printf(r->req->a, "%lld", (long long)resume));
	}
	api_ok(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

void api_page_next(struct api *r, json_t *items, const char *next)
{
	api_ok(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next ? json_string(next) : json_null()));
}

void api_page(struct api *r, json_t *items, int limit)
{
	api_page_resume(r, items, limit, 0);
}

json_t *api_body(struct api *r)
{
	const char *ct = http_header(r->req, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		api_error(r, 415, "unsupported_media_type", NULL,
			  "请求体应为application/json / body must be application/json");
		return NULL;
	}
	if (!utf8_valid(r->req->body, r->req->body_len)) {
		api_error(r, 400, "invalid", NULL, "请求体不是有效的UTF-8 / body is not valid UTF-8");
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(r->req->body, r->req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		api_error(r, 400, "invalid", NULL,
			  arena_printf(r->req->a, "JSON格式错误 / malformed JSON: %s (line %d)", je.text, je.line));
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		api_error(r, 400, "invalid", NULL, "请求体应为JSON对象 / body must be a JSON object");
		return NULL;
	}
	return j;
}

bool api_id(struct api *r, int i, int64_t *out)
{
	const char *s = i < r->nparam ? r->param[i] : NULL;
	char *end;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || *end || v <= 0) {
		api_error(r, 400, "invalid", "id", "编号应为正整数 / id must be a positive integer");
		return false;
	}
	*out = v;
	return true;
}

/* The route's query parameter named key (its entry in params.c), or NULL. */
static const struct param *route_param(const struct api *r, const char *key)
{
	const char *q = r->route && r->route->query ? r->route->query : "";
	while (*q) {
		size_t n = strcspn(q, " ");
		char id[48];
		if (n < sizeof id) {
			memcpy(id, q, n);
			id[n] = 0;
			const struct param *p = param_find(id);
			if (p && !strcmp(p->name, key))
				return p;
		}
		q += n + (q[n] == ' ');
	}
	return NULL;
}

/* The value of "name=N" in a type spec, if there. */
static bool spec_num(const char *type, const char *name, int64_t *v)
{
	size_t n = strlen(name);
	for (const char *t = type; (t = strstr(t, name)) != NULL; t += n)
		if ((t == type || t[-1] == ' ') && t[n] == '=') {
			*v = strtoll(t + n + 1, NULL, 10);
			return true;
		}
	return false;
}

bool api_qint(struct api *r, const char *key, int64_t *out)
{
	const struct param *p = route_param(r, key);
	bool id = p && strncmp(p->type, "id", 2) == 0;
	if (!p || (strncmp(p->type, "int", 3) != 0 && !id)) {
		log_error("route %s %s reads the undeclared integer parameter %s", r->route ? r->route->method : "",
			  r->route ? r->route->pattern : "", key);
		api_error(r, 500, "internal", key, "服务器内部错误 / internal error");
		return false;
	}
	int64_t min = id ? 1 : INT64_MIN, max = INT64_MAX, def = 0;
	spec_num(p->type, "min", &min);
	spec_num(p->type, "max", &max);
	spec_num(p->type, "def", &def);
	const char *s = http_query(r->req, key);
	if (!s) {
		*out = def;
		return true;
	}
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max) {
		api_error(r, 400, "invalid", key,
			  max == INT64_MAX
			      ? arena_printf(r->req->a, "参数%s应为不小于%lld的整数 / %s must be an integer ≥ %lld",
					     key, (long long)min, key, (long long)min)
			      : arena_printf(r->req->a,
					     "参数%s应为%lld到%lld之间的整数 / %s must be an integer in [%lld, %lld]",
					     key, (long long)min, (long long)max, key, (long long)min, (long long)max));
		return false;
	}
	*out = v;
	return true;
}

bool api_cursor(struct api *r, int64_t *after)
{
	const char *s = http_query(r->req, "cursor");
	if (!s || !*s) {
		*after = 0;
		return true;
	}
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end || v < 0) {
		api_error(r, 400, "invalid", "cursor", "分页游标无效 / invalid cursor");
		return false;
	}
	*after = v;
	return true;
}

struct qk {
	const char *const *allowed;
	const char *bad;
};

static enum MHD_Result check_key(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct qk *q = cls;
	for (const char *const *a = q->allowed; *a; a++)
		if (strcmp(*a, key) == 0)
			return MHD_YES;
	q->bad = key;
	return MHD_NO;
}

bool api_qkeys(struct api *r, const char *const *allowed)
{
	struct qk q = {allowed, NULL};
	MHD_get_connection_values(r->req->conn, MHD_GET_ARGUMENT_KIND, check_key, &q);
	if (q.bad) {
		api_error(r, 400, "invalid", q.bad,
			  arena_printf(r->req->a, "未知参数“%s” / unknown query parameter '%s'", q.bad, q.bad));
		return false;
	}
	const char *const *a = allowed;
	for (; *a; a++) {
		const char *v = http_query(r->req, *a);
		if (v && !utf8_valid(v, strlen(v))) {
			api_error(r, 400, "invalid", *a, "参数不是有效的UTF-8 / parameter is not valid UTF-8");
			return false;
		}
	}
	return true;
}

const char *const *api_route_keys(struct api *r)
{
	const char *q = r->route && r->route->query ? r->route->query : "";
	const char **keys = arena_alloc(r->req->a, sizeof *keys * 48);
	int n = 0;
	char *copy = arena_strdup(r->req->a, q), *save = NULL;
	for (char *id = strtok_r(copy, " ", &save); id && n < 46; id = strtok_r(NULL, " ", &save)) {
		if (!strcmp(id, "{filters}")) {
			/* the case kind's own list filters (a request's channel …) */
			const struct entity *side = r->kind ? r->kind->side : NULL;
			for (int i = 0; side && i < side->n && n < 46; i++)
				if (case_kind_filter(r->kind, side->f[i].name))
					keys[n++] = side->f[i].name;
			continue;
		}
		const struct param *p = param_find(id);
		if (p)
			keys[n++] = p->name;
	}
	keys[n] = NULL;
	return keys;
}

bool api_qbool(struct api *r, const char *key)
{
	const char *v = http_query(r->req, key);
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

void api_create(struct api *r, dom_create_fn fn)
{
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	struct err e = {0};
	int rc = fn(&r->c, in, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 201, out);
}

void api_get(struct api *r, dom_get_fn fn)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *out = NULL;
	struct err e = {0};
	int rc = fn(&r->c, id, &out, &e);
	api_result(r, rc, &e, 200, out);
}

void api_update(struct api *r, dom_update_fn fn)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	struct err e = {0};
	int rc = fn(&r->c, id, in, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 200, out);
}

bool api_list_query(struct api *r, const char *const *keys, int64_t *node, int64_t *limit, int64_t *after)
{
	return api_qkeys(r, keys) && api_qint(r, "node", node) && api_qint(r, "limit", limit) && api_cursor(r, after);
}

bool api_list_query_text(struct api *r, const char *const *keys, int64_t *node, int64_t *limit, const char **cursor)
{
	*cursor = http_query(r->req, "cursor");
	return api_qkeys(r, keys) && api_qint(r, "node", node) && api_qint(r, "limit", limit);
}

bool api_send_file(struct api *r, const char *path, const char *type)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char *data = NULL;
	bool ok = f && fstat(fileno(f), &sb) == 0 && (data = malloc((size_t)sb.st_size + 1)) &&
		  fread(data, 1, (size_t)sb.st_size, f) == (size_t)sb.st_size;
	if (f)
		fclose(f);
	if (!ok) {
		free(data);
		api_error(r, 500, "io_error", NULL, "文件读取失败 / cannot read the file");
		return false;
	}
	r->resp->status = 200;
	r->resp->data = data;
	r->resp->len = (size_t)sb.st_size;
	r->resp->free_data = true;
	r->resp->type = type;
	return true;
}

const char *api_sheet_type(const char *fmt)
{
	return fmt && !strcmp(fmt, "csv") ? "text/csv; charset=utf-8"
					  : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

const char *api_tmpfile(struct api *r, const char *stem)
{
	char *path = arena_printf(r->req->a, "/tmp/linli-%s-XXXXXX", stem);
	int fd = mkstemp(path);
	if (fd < 0) {
		api_error(r, 500, "io_error", NULL, "cannot create a temporary file");
		return NULL;
	}
	close(fd);
	return path;
}
