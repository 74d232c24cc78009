/*
 * textsearch.h — Chinese full-text search on SQLite FTS5's default unicode61 tokenizer.
 *
 * unicode61 has no idea of Chinese words: it would index a run of Chinese characters as one long token, so a
 * search for a word inside it finds nothing, and 樓道 and 楼道 are different tokens. Both the indexed text and
 * the query are therefore normalised the same way: converted to simplified Chinese (OpenCC t2s), ASCII
 * lower-cased, full-width ASCII (U+FF01..U+FF5E) folded to half-width, and every CJK ideograph made a token of
 * its own, while Latin words and numbers stay whole. A query term is then a phrase of single characters, so
 * "楼道灯" matches 楼 道 灯 adjacent and in that order.
 *
 * Use: store ts_index_text(body) in a table `USING fts5(...)` with the default tokenizer, and query it with
 * `MATCH ?` bound to ts_match_query(q) (skip the query when that is NULL). Anything that changes the output of
 * these functions changes the tokens: rebuild the FTS tables after such a change.
 *
 * Input is UTF-8 of any length; only the first TS_MAX_INPUT bytes are used (cut at a character boundary) and
 * invalid bytes are skipped. NULL is treated as "".
 *
 * Ownership: every returned string is allocated in the caller's arena.
 * Thread-safety: reentrant. An OpenCC handle must not be shared between threads, so each thread lazily opens
 * its own (about 3 ms, on first use) and keeps it in thread-specific data. It is closed when the thread exits
 * (pthread key destructor) or by ts_thread_cleanup(). Destructors do not run for the main thread, so a thread
 * that returns from main() or calls exit() should call ts_thread_cleanup() first.
 * If OpenCC cannot be loaded, text is still normalised but not converted, so traditional and simplified forms
 * no longer find each other; ts_init() reports that.
 */
#ifndef LINLI_TEXTSEARCH_H
#define LINLI_TEXTSEARCH_H

#include "base/arena.h"
#include "base/err.h"

/* Bytes of input looked at; the rest is ignored. */
#define TS_MAX_INPUT 65536

/* Opens the calling thread's converter. Returns 0, or ERR_INTERNAL if OpenCC or its t2s data cannot be
 * loaded (search still works, without traditional/simplified folding). Optional; meant for startup checks. */
int ts_init(struct err *e);
/* Closes the calling thread's converter, if open; the next call opens a new one. */
void ts_thread_cleanup(void);

/* Normalised, space-separated form for indexing (allocated in the arena; "" for empty input). */
const char *ts_index_text(struct arena *a, const char *utf8);
/* An FTS5 MATCH expression for a user query, or NULL if the query has nothing searchable.
 * Each whitespace-separated user term becomes a phrase of its tokens (so "路灯 坏了" means
 * phrase "路 灯" AND phrase "坏 了"); every token double-quoted, embedded quotes doubled, so
 * no user text can inject FTS5 syntax (AND, OR, NOT, NEAR, column filters, ^, *). */
const char *ts_match_query(struct arena *a, const char *utf8);
/* Simplified form only (no spacing, case and width kept), for display/highlighting or LIKE fallbacks. */
const char *ts_simplified(struct arena *a, const char *utf8);

#endif
