/*
 * conns.h — the server's live connections (internal to src/http/): how many
 * each client address holds, and the deadline for a request's headers.
 *
 * libmicrohttpd's own timeout restarts on every byte, so a client sending a
 * header line every few seconds keeps a connection forever. Here each
 * connection's header clock starts when it opens or its last response is
 * sent, stops when the request's headers are complete, and nothing the
 * client sends resets it; http_conn_sweep shuts the sockets of overdue
 * connections down, and libmicrohttpd then closes them as closed by the peer.
 * Counts are kept per address (the peer's, or a forwarded client's for the
 * duration of its request). Thread-safety: all functions lock one mutex.
 */
#ifndef LINLI_HTTP_CONNS_H
#define LINLI_HTTP_CONNS_H

#include <stdbool.h>

struct http_conn;

/* A new connection from addr on socket fd: counted, header clock started.
 * NULL when out of memory (the connection is then neither counted nor
 * timed). */
struct http_conn *http_conn_open(int fd, const char *addr);
/* Before libmicrohttpd closes the socket. Accepts NULL. */
void http_conn_close(struct http_conn *c);
/* The request's headers are complete (false), or its response was sent and
 * the next request's headers are awaited (true: the clock restarts). */
void http_conn_waiting(struct http_conn *c, bool waiting);

/* Connections and forwarded requests held now by addr. */
int http_conn_count(const char *addr);
/* Counts one more for addr if it holds fewer than limit (0: no limit);
 * false if it holds limit already. Pair with http_conn_release. */
bool http_conn_acquire(const char *addr, int limit);
void http_conn_release(const char *addr);

/* Shuts down every connection whose headers are overdue by timeout seconds;
 * returns how many. */
int http_conn_sweep(double timeout);

#endif
