/*
 * hello.c — the baseline for `make bench`: a bare libmicrohttpd server
 * with the same threading model as linli, answering a fixed JSON body.
 * linli's figures are reported as ratios to this one, measured in the
 * same run on the same machine.
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *data, size_t *size, void **state)
{
	static const char body[] = "{\"hello\":\"world\"}";
	static int first;
	/* Like linli, answer on the second call: libmicrohttpd keeps the
	 * connection alive only when the request was read completely. */
	if (*state == NULL) {
		*state = &first;
		return MHD_YES;
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 8099;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)port, NULL,
						NULL, answer, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(ncpu * 2),
						MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096, MHD_OPTION_END);
	if (!d)
		return 1;
	pause();
	MHD_stop_daemon(d);
	return 0;
}
