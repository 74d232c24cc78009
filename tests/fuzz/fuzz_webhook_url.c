/*
 * fuzz_webhook_url.c — a webhook target as a manager registers it: the URL
 * checks and the address policy (base/webhook_post.h, base/netaddr.h), and
 * the --webhook-allow list's parser. The input is "ALLOW\nURL".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/netaddr.h"
#include "base/webhook_post.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	char *url = strchr(in, '\n');
	if (url)
		*url++ = '\0';
	struct err e = {0};
	struct netaddr_allow allow;
	if (netaddr_allow_parse(in, &allow, &e) == 0 && webhook_allow(in, &e) == 0 && url) {
		webhook_check_target(url, &e);
		for (int i = 0; i < allow.n; i++)
			if (!netaddr_allowed_by(&allow.c[i].a, &allow) || allow.c[i].bits > 128)
				__builtin_trap(); /* every entry covers its own address */
	}
	struct netaddr addr;
	if (netaddr_parse(in, &addr)) {
		char txt[64];
		netaddr_str(&addr, txt, sizeof txt);
		struct netaddr back;
		if (!netaddr_parse(txt, &back) || memcmp(&back, &addr, sizeof addr))
			__builtin_trap(); /* text form round-trips */
	}
	webhook_allow(NULL, &e);
	free(in);
	return 0;
}
