/* script.c — the shared OpenCC s2t converter. */
#include "base/script.h"

#include <opencc.h>
#include <pthread.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static opencc_t s2t = (opencc_t)-1; /* opened on first use */
static int tried;

const char *script_traditional(struct arena *a, const char *utf8)
{
	if (!utf8 || !*utf8)
		return "";
	pthread_mutex_lock(&lock);
	if (!tried) {
		tried = 1;
		s2t = opencc_open("/usr/share/opencc/s2t.json");
		if (s2t == (opencc_t)-1)
			s2t = opencc_open(OPENCC_DEFAULT_CONFIG_SIMP_TO_TRAD);
	}
	const char *out = utf8;
	if (s2t != (opencc_t)-1) {
		char *t = opencc_convert_utf8(s2t, utf8, strlen(utf8));
		if (t) {
			out = arena_strdup(a, t);
			opencc_convert_utf8_free(t);
		}
	}
	pthread_mutex_unlock(&lock);
	return out;
}
