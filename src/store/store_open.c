/*
 * store_open.c — opening a store by URL (store.h): the scheme table that
 * maps a URL's prefix to the backend that opens it. The only file that
 * names the backends; store.c dispatches through whatever they return.
 */
#include <string.h>

#include "store/store_backends.h"

struct scheme {
	const char *prefix;
	enum store_dialect dialect;
	/* The rest of the URL is a file path, given to open without the
	 * prefix; otherwise open gets the whole URL. */
	bool file;
	int (*open)(const char *target, bool create, struct store **out, struct err *e);
};

static const struct scheme schemes[] = {
    {"postgres://", STORE_POSTGRES, false, store_pg_open},
    {"postgresql://", STORE_POSTGRES, false, store_pg_open},
    {"sqlite:", STORE_SQLITE, true, store_sqlite_open},
};

/* A URL without a known prefix is a SQLite file's path. */
static const struct scheme bare_path = {"", STORE_SQLITE, true, store_sqlite_open};

static const struct scheme *scheme_of(const char *url)
{
	for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++)
		if (strncmp(url, schemes[i].prefix, strlen(schemes[i].prefix)) == 0)
			return &schemes[i];
	return &bare_path;
}

bool store_url_is_postgres(const char *url)
{
	return url && scheme_of(url)->dialect == STORE_POSTGRES;
}

const char *store_url_file(const char *url)
{
	const struct scheme *sc = url ? scheme_of(url) : NULL;
	return sc && sc->file ? url + strlen(sc->prefix) : NULL;
}

int store_open(const char *url, bool create, struct store **out, struct err *e)
{
	const struct scheme *sc = scheme_of(url);
	return sc->open(sc->file ? url + strlen(sc->prefix) : url, create, out, e);
}
