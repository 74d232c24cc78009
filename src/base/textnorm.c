/* textnorm.c — forbidden code points and NFC (utf8proc). */
#include "base/textnorm.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/utf8.h"

enum textnorm_bad textnorm_class(unsigned cp, unsigned rules)
{
	if (cp < 0x20)
		return (rules & TN_MULTILINE) && (cp == '\t' || cp == '\n') ? TN_OK : TN_CONTROL;
	if (cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
		return TN_CONTROL;
	if (!(rules & TN_NAME))
		return TN_OK;
	if (cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return TN_BIDI;
	if (cp == 0x00AD || cp == 0x180E || (cp >= 0x200B && cp <= 0x200D) || (cp >= 0x2060 && cp <= 0x2064) ||
	    cp == 0xFEFF)
		return TN_INVISIBLE;
	return TN_OK;
}

enum textnorm_bad textnorm_scan(const char *s, unsigned rules, unsigned *cp)
{
	for (const char *p = s; *p;) {
		unsigned c = utf8_next(&p);
		enum textnorm_bad bad = textnorm_class(c, rules);
		if (bad) {
			if (cp)
				*cp = c;
			return bad;
		}
	}
	return TN_OK;
}

const char *textnorm_nfc(const char *s, bool multiline, struct arena *a)
{
	const char *in = s;
	if (multiline && strchr(s, '\r')) {
		char *lf = arena_strdup(a, s), *w = lf;
		for (const char *p = s; *p; p++) {
			if (*p == '\r') {
				*w++ = '\n';
				if (p[1] == '\n')
					p++;
			} else {
				*w++ = *p;
			}
		}
		*w = 0;
		in = lf;
	}
	const unsigned char *u = (const unsigned char *)in;
	while (*u && *u < 0x80)
		u++;
	if (!*u) /* ASCII is in every normal form */
		return in;
	utf8proc_uint8_t *nfc = utf8proc_NFC((const utf8proc_uint8_t *)in);
	if (!nfc)
		return NULL;
	const char *out = strcmp((const char *)nfc, in) == 0 ? in : arena_strdup(a, (const char *)nfc);
	free(nfc);
	return out;
}
