/*
 * script.h — simplified to traditional Chinese (OpenCC s2t), for the reading
 * aid's "繁体" switch. One converter behind a mutex: conversions are short
 * and rare (a page's visible text), so sharing beats a handle per thread.
 * Thread-safety: safe.
 */
#ifndef LINLI_SCRIPT_H
#define LINLI_SCRIPT_H

#include "base/arena.h"

/* Traditional form of utf8 in the arena; the input itself if OpenCC or its
 * tables are unavailable. */
const char *script_traditional(struct arena *a, const char *utf8);

#endif
