/*
 * store_backends.h — the one function each database backend exports: its
 * open function, named in store_open.c's scheme table. Everything else a
 * backend does is reached through its ops table (store_impl.h); nothing but
 * store_open.c calls these.
 */
#ifndef LINLI_STORE_BACKENDS_H
#define LINLI_STORE_BACKENDS_H

#include "store/store.h"

/* SQLite: path is a file name (the URL without "sqlite:"). */
int store_sqlite_open(const char *path, bool create, struct store **out, struct err *e);
/* PostgreSQL: url is the whole postgres:// or postgresql:// URL (libpq's). */
int store_pg_open(const char *url, bool create, struct store **out, struct err *e);

#endif
