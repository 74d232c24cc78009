/*
 * conns.c — live connections: counts per address and header deadlines
 * (see conns.h).
 *
 * The connections are a doubly linked list, the counts a chained hash table
 * of exact counters (an entry goes when its count reaches 0), both under one
 * mutex. The sweep shuts a socket down while holding the mutex, and
 * http_conn_close, which libmicrohttpd's close notification calls before it
 * closes the socket, takes the same mutex: a swept descriptor is never one
 * that was closed and reused.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "http/conns.h"

#define ADDR_MAX 48
#define BUCKETS  1024

struct http_conn {
	struct http_conn *prev, *next;
	int fd;
	char addr[ADDR_MAX];
	double since; /* when the header clock started */
	bool waiting; /* for a request's headers */
	bool cut;     /* already shut down */
};

struct count {
	struct count *next;
	char addr[ADDR_MAX];
	int n;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct http_conn *head;
static struct count *buckets[BUCKETS];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct count **slot(const char *addr)
{
	unsigned h = 2166136261u;
	for (const char *p = addr; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	struct count **c = &buckets[h % BUCKETS];
	while (*c && strcmp((*c)->addr, addr) != 0)
		c = &(*c)->next;
	return c;
}

/* Under the lock. */
static bool add(const char *addr, int limit)
{
	struct count **c = slot(addr);
	if (*c && limit > 0 && (*c)->n >= limit)
		return false;
	if (!*c) {
		*c = calloc(1, sizeof **c);
		if (!*c)
			return false;
		snprintf((*c)->addr, sizeof(*c)->addr, "%s", addr);
	}
	(*c)->n++;
	return true;
}

/* Under the lock. */
static void drop(const char *addr)
{
	struct count **c = slot(addr);
	if (*c && --(*c)->n <= 0) {
		struct count *gone = *c;
		*c = gone->next;
		free(gone);
	}
}

struct http_conn *http_conn_open(int fd, const char *addr)
{
	struct http_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->fd = fd;
	snprintf(c->addr, sizeof c->addr, "%s", addr);
	c->since = now_s();
	c->waiting = true;
	pthread_mutex_lock(&lock);
	if (!add(c->addr, 0)) {
		pthread_mutex_unlock(&lock);
		free(c);
		return NULL;
	}
	c->next = head;
	if (head)
		head->prev = c;
	head = c;
	pthread_mutex_unlock(&lock);
	return c;
}

void http_conn_close(struct http_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	drop(c->addr);
	pthread_mutex_unlock(&lock);
	free(c);
}

void http_conn_waiting(struct http_conn *c, bool waiting)
{
	if (!c)
		return;
	pthread_mutex_lock(&lock);
	if (waiting && !c->waiting)
		c->since = now_s();
	c->waiting = waiting;
	pthread_mutex_unlock(&lock);
}

int http_conn_count(const char *addr)
{
	pthread_mutex_lock(&lock);
	struct count **c = slot(addr);
	int n = *c ? (*c)->n : 0;
	pthread_mutex_unlock(&lock);
	return n;
}

bool http_conn_acquire(const char *addr, int limit)
{
	pthread_mutex_lock(&lock);
	bool ok = add(addr, limit);
	pthread_mutex_unlock(&lock);
	return ok;
}

void http_conn_release(const char *addr)
{
	pthread_mutex_lock(&lock);
	drop(addr);
	pthread_mutex_unlock(&lock);
}

int http_conn_sweep(double timeout)
{
	int cut = 0;
	double t = now_s();
	pthread_mutex_lock(&lock);
	for (struct http_conn *c = head; c; c = c->next)
		if (c->waiting && !c->cut && t - c->since > timeout) {
			shutdown(c->fd, SHUT_RDWR);
			c->cut = true;
			cut++;
		}
	pthread_mutex_unlock(&lock);
	return cut;
}
