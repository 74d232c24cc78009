/*
 * spool.h — where large uploads go instead of memory (internal to
 * src/http/): anonymous files, mode 0600, in a directory of the server's
 * own (mode 0700, made at start under $TMPDIR or /tmp, removed at exit).
 * Thread-safety: http_spool_open may be called from any thread once
 * http_spool_init has returned.
 */
#ifndef LINLI_HTTP_SPOOL_H
#define LINLI_HTTP_SPOOL_H

/* Makes the directory; 0, or -1 with errno. */
int http_spool_init(void);
/* Removes it (it holds no names: every file was anonymous). */
void http_spool_cleanup(void);
/* A new empty file no other process can open: O_TMPFILE where the file
 * system has it, else created and unlinked at once. Its descriptor, or -1. */
int http_spool_open(void);

#endif
