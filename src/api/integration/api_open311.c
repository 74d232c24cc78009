/*
 * api_open311.c — Open311 GeoReport v2 at /open311/v2/, so existing
 * Open311 clients and apps can submit and follow requests.
 *
 * services = active request categories; requests = cases. Reading is open
 * as the specification expects, but without an api_key only requests made
 * public are listed, without personal data; with an api_key (a linli API
 * token) the key's user sees its own area. Posting needs an api_key.
 * Formats by extension: .json or .xml; errors use the specification's
 * [{"code","description"}] (or <errors>) shape with the HTTP status.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "api/integration/o311_form.h"
#include "base/buf.h"
#include "base/textnorm.h"
#include "base/utf8.h"
#include "domain/accounts/accounts.h"
#include "domain/cases/cases.h"
#include "domain/requests/requests.h"

enum fmt { FMT_JSON, FMT_XML };

/* Splits "name.json" into name and format; false for an unknown format. */
static bool split_format(struct api *r, const char *seg, const char **name, enum fmt *f)
{
	const char *dot = strrchr(seg, '.');
	*f = FMT_JSON;
	if (!dot) {
		*name = seg;
		return true;
	}
	*name = arena_strndup(r->req->a, seg, (size_t)(dot - seg));
	if (!strcmp(dot, ".json"))
		return true;
	if (!strcmp(dot, ".xml")) {
		*f = FMT_XML;
		return true;
	}
	return false;
}

/* Text as XML character data. Stored text holds no control characters
 * (fields.c refuses them), but whatever a row holds, the document stays
 * well-formed: a control character other than tab and line feed, an
 * invalid byte and the non-characters U+FFFE/U+FFFF become U+FFFD. */
static void xml_text(struct buf *b, const char *s)
{
	while (*s) {
		const char *at = s;
		unsigned cp = utf8_next(&s);
		switch (cp) {
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		default:
			if (cp == 0xFFFD || cp == 0xFFFE || cp == 0xFFFF || textnorm_class(cp, TN_MULTILINE) != TN_OK)
				buf_puts(b, "\xef\xbf\xbd");
			else
				buf_append(b, at, (size_t)(s - at));
		}
	}
}

/* JSON value as XML: arrays repeat an element named after the singular of
 * their key ("attributes" -> <attribute>), objects become nested elements. */
static void xml_value(struct buf *b, const char *name, json_t *v)
{
	if (json_is_array(v)) {
		buf_printf(b, "<%s>", name);
		size_t n = strlen(name);
		char item[64];
		snprintf(item, sizeof item, "%.*s", (int)(n > 1 && name[n - 1] == 's' ? n - 1 : n), name);
		size_t i;
		json_t *x;
		json_array_foreach (v, i, x)
			xml_value(b, item, x);
		buf_printf(b, "</%s>", name);
		return;
	}
	if (json_is_object(v)) {
		buf_printf(b, "<%s>", name);
		const char *k;
		json_t *x;
		json_object_foreach (v, k, x)
			xml_value(b, k, x);
		buf_printf(b, "</%s>", name);
		return;
	}
	if (json_is_null(v)) {
		buf_printf(b, "<%s/>", name);
		return;
	}
	buf_printf(b, "<%s>", name);
	if (json_is_string(v))
		xml_text(b, json_string_value(v));
	else if (json_is_integer(v))
		buf_printf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		buf_printf(b, "%.7f", json_real_value(v));
	else
		buf_puts(b, json_is_true(v) ? "true" : "false");
	buf_printf(b, "</%s>", name);
}

/* Answers body (owned) in the format; root/item name the XML elements. */
static void answer(struct api *r, int status, enum fmt f, const char *root, json_t *body)
{
	if (f == FMT_JSON) {
		api_ok(r, status, body);
		return;
	}
	struct buf b = {0};
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
	if (json_is_array(body) && root)
		xml_value(&b, root, body);
	else if (json_is_object(body)) {
		buf_printf(&b, "<%s>", root);
		const char *k;
		json_t *x;
		json_object_foreach (body, k, x)
			xml_value(&b, k, x);
		buf_printf(&b, "</%s>", root);
	}
	json_decref(body);
	r->resp->status = status;
	r->resp->data = b.data;
	r->resp->len = b.len;
	r->resp->free_data = true;
	r->resp->type = "text/xml; charset=utf-8";
}

static void o311_error(struct api *r, enum fmt f, int status, const char *desc)
{
	answer(r, status, f, "errors", json_pack("[{s:i, s:s}]", "code", status, "description", desc));
}

static void o311_fail(struct api *r, enum fmt f, int rc, const struct err *e)
{
	int status = rc == ERR_NOT_FOUND      ? 404
		     : rc == ERR_FORBIDDEN    ? 403
		     : rc == ERR_UNAUTHORIZED ? 401
		     : rc == ERR_INVALID      ? 400
		     : rc == ERR_CONFLICT     ? 409
					      : 500;
	const char *msg = e && e->msg[0] ? e->msg : err_name(rc);
	o311_error(r, f, status, e && e->field[0] ? arena_printf(r->req->a, "%s: %s", e->field, msg) : msg);
}

/* The api_key's user becomes the caller; false (answered 401) for a bad key. */
static bool use_key(struct api *r, enum fmt f, const char *key)
{
	if (!key || !*key)
		return true;
	struct actor *who = NULL;
	struct err e = {0};
	if (account_actor(&r->c, &((const struct api_app *)r->app)->policy, key, &who, NULL, NULL, &e)) {
		o311_error(r, f, 401, "api_key无效 / invalid api_key");
		return false;
	}
	r->c.who = who;
	return true;
}

void h_o311_discovery(struct api *r)
{
	enum fmt f;
	const char *name;
	if (!split_format(r, arena_printf(r->req->a, "discovery.%s", r->param[0]), &name, &f))
		return o311_error(r, FMT_JSON, 404, "format must be json or xml");
	const struct api_app *app = r->app;
	json_t *d =
	    json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:[s, s]}]}", "changeset", "2026-11-24T00:00:00Z",
		      "contact", "社区服务中心 / community service centre", "key_service",
		      "向社区申请API令牌（linli用户的API令牌） / ask the community for an API token", "endpoints",
		      "specification", "http://wiki.open311.org/GeoReport_v2", "url",
		      arena_printf(r->req->a, "%s/open311/v2", app->public_url), "changeset", "2026-11-24T00:00:00Z",
		      "type", "production", "formats", "application/json", "text/xml");
	answer(r, 200, f, "discovery", d);
}

static json_t *service_json(json_t *cat)
{
	return json_pack("{s:O, s:O, s:s, s:b, s:s, s:s, s:s}", "service_code", json_object_get(cat, "code"),
			 "service_name", json_object_get(cat, "name_zh"), "description",
			 json_string_value(json_object_get(cat, "name_en")), "metadata", 1, "type", "realtime",
			 "keywords", json_string_value(json_object_get(cat, "name_en")), "group", "民情诉求");
}

void h_o311_services(struct api *r)
{
	enum fmt f;
	const char *name;
	if (!split_format(r, arena_printf(r->req->a, "services.%s", r->param[0]), &name, &f))
		return o311_error(r, FMT_JSON, 404, "format must be json or xml");
	json_t *cats = NULL, *out = json_array();
	struct err e = {0};
	int rc = case_categories(&r->c, &REQUEST_KIND, &cats, &e);
	if (rc)
		return json_decref(out), o311_fail(r, f, rc, &e);
	size_t i;
	json_t *c;
	json_array_foreach (cats, i, c)
		if (json_is_true(json_object_get(c, "active")))
			json_array_append_new(out, service_json(c));
	json_decref(cats);
	answer(r, 200, f, "services", out);
}

void h_o311_service(struct api *r)
{
	enum fmt f;
	const char *code;
	if (!split_format(r, r->param[0], &code, &f))
		return o311_error(r, FMT_JSON, 404, "format must be json or xml");
	json_t *cats = NULL, *found = NULL;
	struct err e = {0};
	int rc = case_categories(&r->c, &REQUEST_KIND, &cats, &e);
	if (rc)
		return o311_fail(r, f, rc, &e);
	size_t i;
	json_t *c;
	json_array_foreach (cats, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "code")), code) &&
		    json_is_true(json_object_get(c, "active")))
			found = c;
	if (!found) {
		json_decref(cats);
		return o311_error(r, f, 404, "没有这个服务 / no such service_code");
	}
	json_t *def = json_pack(
	    "{s:s, s:[{s:b, s:s, s:s, s:b, s:s, s:i, s:s}, {s:b, s:s, s:s, s:b, s:s, s:i, s:s, s:[{s:s, s:s}, {s:s, "
	    "s:s}]}]}",
	    "service_code", code, "attributes", "variable", 1, "code", "place_node_id", "datatype", "number",
	    "required", 0, "datatype_description",
	    "社区网格中的位置编号（扫码所得） / the place's id in the community tree (from its QR code)", "order", 1,
	    "description", "位置 / place", "variable", 1, "code", "anonymous", "datatype", "singlevaluelist",
	    "required", 0, "datatype_description", "是否匿名 / report anonymously", "order", 2, "description",
	    "匿名 / anonymous", "values", "key", "false", "name", "否 / no", "key", "true", "name", "是 / yes");
	json_decref(cats);
	answer(r, 200, f, "service_definition", def);
}

/* A case as a GeoReport request (fields named as the specification does). */
static json_t *request_json(struct api *r, json_t *c)
{
	const char *phase = json_string_value(json_object_get(c, "phase"));
	bool open = phase && (!strcmp(phase, "open") || !strcmp(phase, "waiting"));
	json_t *events = json_object_get(c, "events");
	json_t *last = json_array_size(events) ? json_array_get(events, json_array_size(events) - 1) : NULL;
	const char *notes = json_string_value(json_object_get(c, "outcome"));
	if (!notes && last)
		notes = json_string_value(json_object_get(last, "label"));
	json_t *o = json_object();
	json_object_set_new(
	    o, "service_request_id",
	    json_string(arena_printf(r->req->a, "%lld", (long long)json_integer_value(json_object_get(c, "id")))));
	json_object_set_new(o, "status", json_string(open ? "open" : "closed"));
	json_object_set_new(o, "status_notes", notes ? json_string(notes) : json_null());
	static const char *const copy[][2] = {{"service_name", "category_name"},
					      {"service_code", "category"},
					      {"description", "description"},
					      {"agency_responsible", "node_name"},
					      {"requested_datetime", "created_at"},
					      {"updated_datetime", "updated_at"},
					      {"expected_datetime", "resolve_due"},
					      {"address", "address"},
					      {"lat", "lat"},
					      {"long", "lng"}};
	for (size_t i = 0; i < sizeof copy / sizeof *copy; i++) {
		json_t *v = json_object_get(c, copy[i][1]);
		json_object_set(o, copy[i][0], v ? v : json_null());
	}
	json_object_set_new(o, "service_notice", json_null());
	json_object_set_new(o, "address_id", json_null());
	json_object_set_new(o, "zipcode", json_null());
	json_object_set_new(o, "media_url", json_null());
	return o;
}

void h_o311_requests_list(struct api *r)
{
	enum fmt f;
	const char *name;
	if (!split_format(r, arena_printf(r->req->a, "requests.%s", r->param[0]), &name, &f))
		return o311_error(r, FMT_JSON, 404, "format must be json or xml");
	if (!use_key(r, f, http_query(r->req, "api_key")))
		return;
	const char *ids = http_query(r->req, "service_request_id"), *status = http_query(r->req, "status");
	const char *code = http_query(r->req, "service_code"), *start = http_query(r->req, "start_date");
	const char *end = http_query(r->req, "end_date");
	if (status && strcmp(status, "open") != 0 && strcmp(status, "closed") != 0)
		return o311_error(r, f, 400, "status应为open或closed / status must be open or closed");
	json_t *out = json_array();
	struct err e = {0};
	if (ids) {
		/* A comma-separated list of ids, each shown if the caller may see it. */
		char *copy = arena_strdup(r->req->a, ids), *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			json_t *c = NULL;
			if (case_get(&r->c, strtoll(t, NULL, 10), &c, &e) == 0) {
				json_array_append_new(out, request_json(r, c));
				json_decref(c);
			}
		}
		return answer(r, 200, f, "service_requests", out);
	}
	struct case_filter cf = {.kind = &REQUEST_KIND,
				 .category = code,
				 .limit = 200,
				 .status = status && !strcmp(status, "open") ? "open" : NULL};
	if (start && strlen(start) >= 10)
		cf.from = arena_strndup(r->req->a, start, 10);
	if (end && strlen(end) >= 10)
		cf.to = arena_strndup(r->req->a, end, 10);
	json_t *items = NULL;
	int rc;
	if (r->c.who) {
		rc = case_list(&r->c, &cf, &items, &e);
	} else {
		/* Anonymous readers see what was made public. */
		rc = case_list_public(&r->c, &cf, &items, &e);
	}
	if (rc) {
		json_decref(out);
		return o311_fail(r, f, rc, &e);
	}
	size_t i;
	json_t *c;
	json_array_foreach (items, i, c) {
		const char *ph = json_string_value(json_object_get(c, "phase"));
		if (status && !strcmp(status, "closed") && (!strcmp(ph, "open") || !strcmp(ph, "waiting")))
			continue;
		json_array_append_new(out, request_json(r, c));
	}
	json_decref(items);
	answer(r, 200, f, "service_requests", out);
}

void h_o311_request_get(struct api *r)
{
	enum fmt f;
	const char *id;
	if (!split_format(r, r->param[0], &id, &f))
		return o311_error(r, FMT_JSON, 404, "format must be json or xml");
	if (!use_key(r, f, http_query(r->req, "api_key")))
		return;
	char *end;
	long long n = strtoll(id, &end, 10);
	if (*end || n <= 0)
		return o311_error(r, f, 404, "没有这条诉求 / no such service_request_id");
	json_t *c = NULL;
	struct err e = {0};
	struct actor anyone = {.user_id = -1, .username = "open311"};
	if (!r->c.who)
		r->c.who = &anyone; /* sees public requests only */
	int rc = case_get(&r->c, n, &c, &e);
	if (rc)
		return o311_fail(r, f, rc == ERR_FORBIDDEN ? ERR_NOT_FOUND : rc, rc == ERR_FORBIDDEN ? NULL : &e);
	json_t *out = json_pack("[o]", request_json(r, c));
	json_decref(c);
	answer(r, 200, f, "service_requests", out);
}

void h_o311_token(struct api *r)
{
	enum fmt f;
	const char *token;
	if (!split_format(r, r->param[0], &token, &f))
		return o311_error(r, FMT_JSON, 404, "format must be json or xml");
	int64_t id = 0;
	struct err e = {0};
	if (request_find_by_token(&r->c, token, &id, &e))
		return o311_error(r, f, 404, "没有这个令牌 / no such token");
	answer(r, 200, f, "service_requests",
	       json_pack("[{s:s, s:s}]", "service_request_id", arena_printf(r->req->a, "%lld", (long long)id), "token",
			 token));
}

void h_o311_request_post(struct api *r)
{
	enum fmt f;
	const char *name;
	if (!split_format(r, arena_printf(r->req->a, "requests.%s", r->param[0]), &name, &f))
		return o311_error(r, FMT_JSON, 404, "format must be json or xml");
	/* Parameters come form-encoded (as the specification says) or as JSON. */
	json_t *p = NULL;
	const char *ct = http_header(r->req, "Content-Type");
	if (ct && !strncasecmp(ct, "application/json", 16)) {
		p = json_loadb(r->req->body, r->req->body_len, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(p)) {
			json_decref(p);
			return o311_error(r, f, 400, "JSON格式错误 / malformed JSON");
		}
	} else {
		p = o311_form_parse(r->req->a, r->req->body, r->req->body_len);
	}
	const char *key = json_string_value(json_object_get(p, "api_key"));
	if (!key)
		key = http_query(r->req, "api_key");
	if (!key || !*key) {
		json_decref(p);
		return o311_error(r, f, 403, "提交需要api_key / api_key is required to post");
	}
	if (!use_key(r, f, key)) {
		json_decref(p);
		return;
	}
	const char *code = json_string_value(json_object_get(p, "service_code"));
	const char *desc = json_string_value(json_object_get(p, "description"));
	if (!code || !desc || !*desc) {
		json_decref(p);
		return o311_error(r, f, 400,
				  "需要service_code和description / service_code and description are required");
	}
	json_t *in = json_pack("{s:s, s:s, s:s}", "category", code, "description", desc, "channel", "open311");
	const char *addr = json_string_value(json_object_get(p, "address_string"));
	if (addr)
		json_object_set_new(in, "address", json_string(addr));
	json_t *lat = json_object_get(p, "lat"), *lng = json_object_get(p, "long");
	if (lat && lng) {
		double la = json_is_number(lat) ? json_number_value(lat) : strtod(json_string_value(lat) ?: "x", NULL);
		double lo = json_is_number(lng) ? json_number_value(lng) : strtod(json_string_value(lng) ?: "x", NULL);
		json_object_set_new(in, "lat", json_real(la));
		json_object_set_new(in, "lng", json_real(lo));
	}
	const char *place = json_string_value(json_object_get(p, "attribute[place_node_id]"));
	json_t *attrs = json_object_get(p, "attributes");
	if (!place && json_is_object(attrs))
		place = json_string_value(json_object_get(attrs, "place_node_id"));
	int64_t place_id = place ? strtoll(place, NULL, 10) : 0;
	if (!place_id && r->c.who->ngrants)
		place_id = r->c.who->grants[0].node_id; /* the key's area */
	if (place_id)
		json_object_set_new(in, "place_node_id", json_integer(place_id));
	const char *anon = json_string_value(json_object_get(p, "attribute[anonymous]"));
	if (anon && !strcmp(anon, "true"))
		json_object_set_new(in, "anonymous", json_true());
	const char *first = json_string_value(json_object_get(p, "first_name")),
		   *last = json_string_value(json_object_get(p, "last_name"));
	if (first || last)
		json_object_set_new(in, "reporter_name",
				    json_string(arena_printf(r->req->a, "%s%s", last ? last : "", first ? first : "")));
	const char *phone = json_string_value(json_object_get(p, "phone"));
	if (phone && *phone)
		json_object_set_new(in, "reporter_phone", json_string(phone));
	json_decref(p);
	json_t *out = NULL;
	struct err e = {0};
	int rc = case_create(&r->c, &REQUEST_KIND, in, &out, &e);
	json_decref(in);
	if (rc)
		return o311_fail(r, f, rc, &e);
	int64_t id = json_integer_value(json_object_get(out, "id"));
	const char *token = arena_strdup(r->req->a, json_string_value(json_object_get(out, "external_token")));
	json_decref(out);
	answer(r, 201, f, "service_requests",
	       json_pack("[{s:s, s:s, s:s, s:n}]", "service_request_id", arena_printf(r->req->a, "%lld", (long long)id),
			 "token", token, "service_notice",
			 "已受理，将由所在网格办理 / received; the local grid will handle it", "account_id"));
}
