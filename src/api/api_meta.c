/*
 * api_meta.c — health, the OpenAPI document, the fields' description and
 * static UI assets.
 */
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "base/embedded.h"
#include "base/pinyin.h"
#include "base/script.h"
#include "base/utf8.h"
#include "api/openapi.h"
#include "domain/core/health.h"
#include "domain/meta.h"

void h_health(struct api *r)
{
	int v = health_schema_version(&r->c);
	if (v < 0)
		return api_error(r, 503, "unavailable", NULL, "数据库不可用 / database unavailable");
	api_ok(r, 200, json_pack("{s:s, s:i}", "status", "ok", "schema", v));
}

/* Generated from the tables on first use (openapi_gen.c); the same bytes
 * as docs/openapi.json. */
void h_openapi(struct api *r)
{
	size_t len;
	const char *doc = openapi_text(&len);
	if (!doc)
		return api_error(r, 500, "internal", NULL, "服务器内部错误 / internal error");
	r->resp->status = 200;
	r->resp->data = doc;
	r->resp->len = len;
	r->resp->type = "application/json; charset=utf-8";
}

/* Every entity's fields and the case kinds, for forms and labels. */
void h_meta_fields(struct api *r)
{
	if (!api_qkeys(r, api_route_keys(r)))
		return;
	api_ok(r, 200, meta_fields_describe());
}

static const char *mime_of(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {{".html", "text/html; charset=utf-8"},
		     {".js", "text/javascript; charset=utf-8"},
		     {".css", "text/css; charset=utf-8"},
		     {".svg", "image/svg+xml"},
		     {".png", "image/png"},
		     {".json", "application/json"},
		     {".woff2", "font/woff2"},
		     {".ico", "image/x-icon"}};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* Does the client accept gzip? (q=0 refusals are rare enough to ignore.) */
static bool accepts_gzip(struct api *r)
{
	const char *ae = http_header(r->req, "Accept-Encoding");
	return ae && strstr(ae, "gzip");
}

/* A resident scanning a printed QR code opens /report?place=ID on a phone,
 * often on a slow network: each round trip counts. The report form's first
 * data, the categories and the place's name, are preloaded with the page (a
 * Link header, acted on as soon as the headers arrive), so they come with the
 * page's code instead of a round trip after it. The URLs are exactly those
 * the page requests (web/src/views/resident/Report.vue), through the same
 * documented API; a preload the page does not use costs one small request. */
static void preload_route_data(struct api *r, const char *path)
{
	static const char fetch[] = "rel=preload; as=fetch; crossorigin";
	if (strcmp(path, "/report") != 0)
		return;
	const char *link = arena_printf(r->req->a, "</api/v1/requests/categories>; %s", fetch);
	const char *place = http_query(r->req, "place");
	size_t n = place ? strspn(place, "0123456789") : 0;
	if (n >= 1 && n <= 15 && !place[n] && place[0] != '0')
		link = arena_printf(r->req->a, "%s, </api/v1/nodes/%s/contacts>; %s", link, place, fetch);
	http_add_header(r->resp, "Link", link);
}

void app_static(struct api *r, const struct api_app *app)
{
	(void)app;
	if (strcmp(r->req->method, "GET") != 0 && strcmp(r->req->method, "HEAD") != 0)
		return api_error(r, 405, "method_not_allowed", NULL, "不支持该方法 / method not allowed");
	const char *path = r->req->path;
	if (strstr(path, ".."))
		return api_error(r, 400, "invalid", NULL, "bad path");
	const char *want = strcmp(path, "/") == 0 ? "web/dist/index.html" : arena_printf(r->req->a, "web/dist%s", path);
	const struct embedded_file *f = embedded_find(want);
	bool hashed = f && strstr(path, "/assets/");
	bool route = false;
	if (!f && !strchr(strrchr(path, '/'), '.')) {
		want = "web/dist/index.html"; /* a client-side route */
		f = embedded_find(want);
		route = true;
	}
	if (!f)
		return api_error(r, 404, "not_found", NULL, "没有这个页面 / no such page");
	if (route)
		preload_route_data(r, path);
	/* Precompressed at build time: send the .gz when the client takes it. */
	const struct embedded_file *gz = accepts_gzip(r) ? embedded_find(arena_printf(r->req->a, "%s.gz", want)) : NULL;
	r->resp->status = 200;
	r->resp->data = gz ? gz->data : f->data;
	r->resp->len = gz ? gz->len : f->len;
	r->resp->type = mime_of(f->path);
	if (gz)
		http_add_header(r->resp, "Content-Encoding", "gzip");
	http_add_header(r->resp, "Vary", "Accept-Encoding");
	/* Vite puts a content hash in asset names: cache them for a year. */
	http_add_header(r->resp, "Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
}

/* The reading aid: the toneless pinyin of each character and the text in
 * traditional script. Public, so the login page can offer it too. */
void h_text_annotate(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	if (!api_qkeys(r, keys))
		return;
	const char *text = http_query(r->req, "text");
	if (!text || !*text)
		return api_error(r, 400, "invalid", "text", "需要text参数 / text is required");
	if (utf8_len(text) > 2000)
		return api_error(r, 400, "invalid", "text", "最多2000个字 / at most 2000 characters");
	json_t *chars = json_array();
	for (const char *p = text; *p;) {
		const char *start = p;
		unsigned cp = utf8_next(&p);
		/* pinyin stays toneless for existing clients; pinyin_toned is
		 * what people read (zhōng, lǜ). */
		json_array_append_new(chars, json_pack("{s:s%, s:s?, s:s?}", "char", start, (size_t)(p - start),
						       "pinyin", pinyin_of(cp), "pinyin_toned", pinyin_toned_of(cp)));
	}
	api_ok(r, 200, json_pack("{s:o, s:s}", "chars", chars, "traditional", script_traditional(r->req->a, text)));
}
