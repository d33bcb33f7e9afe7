/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * runtrace pystep --server: HTTP/1.1 with libmicrohttpd (a thread per
 * connection).  POST / with a request answers its record (200,
 * application/json); GET /health answers {"status": "ok", ...}.  Errors:
 * 400 bad JSON or a bad request, 400 no body, 413 a body over the limit,
 * 404 another path, 405 another method, 429 too many requests waiting,
 * 503 draining after SIGINT/SIGTERM, 500 runtrace failed on a request.
 * K workers trace K requests at once, each with a warm box; more wait in a
 * queue of a bounded length.
 */
#ifndef RUNTRACE_PYSTEP_SERVER_H
#define RUNTRACE_PYSTEP_SERVER_H

#include <stddef.h>

#include "pystep/job.h"
#include "pystep/request.h"

struct loop;

struct ps_server_opts {
	const char *bind;                 /* IPv4 address */
	int port;
	unsigned process;                 /* workers */
	unsigned queue;                   /* requests waiting beyond them */
	size_t max_body;                  /* bytes */
	struct pystep_request_limits req;
};

/* Serve until the first stop signal on @l, then drain (answer what is
 * queued and in progress, each within its time limit; new requests get
 * 503) and stop.  Returns the exit status. */
int ps_server_run(struct ps_env *env, struct loop *l, const struct ps_server_opts *o);

#endif
