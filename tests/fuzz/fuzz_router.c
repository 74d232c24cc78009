/*
 * fuzz_router.c — the router (api/router.c): a request path matched
 * against every route pattern as api_dispatch matches it ({x} segments,
 * {kind} only for a registered case kind), then the matched route's query
 * keys (api_route_keys) and a query string checked against them, its
 * values %-decoded by libmicrohttpd's own decoder (MHD_http_unescape) and
 * read as linli reads them (UTF-8, integers). The input is "PATH?QUERY".
 */
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	char *in = arena_strndup(&a, (const char *)data, size);
	char *q = strchr(in, '?');
	if (q)
		*q++ = '\0';
	struct http_req req = {.path = in, .a = &a};
	struct http_resp resp = {0};
	struct api r = {.req = &req, .resp = &resp};
	const struct route *rt = NULL;
	for (size_t i = 0; i < api_route_count && !rt; i++)
		if (api_route_match(api_routes[i].pattern, in, &r))
			rt = &api_routes[i];
	if (rt) {
		api_route_match(rt->pattern, in, &r);
		if (r.nparam > 4 || (strstr(rt->pattern, "{kind}") && !r.kind))
			__builtin_trap();
		for (int i = 0; i < r.nparam; i++)
			if (!r.param[i] || !*r.param[i] || strchr(r.param[i], '/'))
				__builtin_trap();
		r.route = rt;
		const char *const *keys = api_route_keys(&r);
		char *save = NULL;
		for (char *kv = q ? strtok_r(q, "&", &save) : NULL; kv; kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '=');
			char *v = eq ? eq + 1 : kv + strlen(kv);
			if (eq)
				*eq = '\0';
			MHD_http_unescape(kv);
			MHD_http_unescape(v);
			int known = 0;
			for (const char *const *k = keys; *k; k++)
				known |= !strcmp(*k, kv);
			if (known && utf8_valid(v, strlen(v))) {
				char *end;
				(void)strtoll(v, &end, 10);
			}
		}
	}
	arena_free(&a);
	return 0;
}
