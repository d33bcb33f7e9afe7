// SPDX-License-Identifier: GPL-2.0-only
/* The pystep HTTP server (server.h), on libmicrohttpd. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <microhttpd.h>
#include <json-c/json.h>

#include "cmd/run_options.h"
#include "engine/loop.h"
#include "pystep/server.h"
#include "util/strbuf.h"
#include "util/util.h"

#define CONNECTIONS_MAX 512
#define IDLE_TIMEOUT_S 60

/* A request waiting for or in a worker. */
struct srv_req {
	struct pystep_request req;
	__u64 t_queued;               /* CLOCK_MONOTONIC ns */
	struct strbuf record;
	int err;
	bool done;
	pthread_cond_t cond;
	struct srv_req *next;
};

struct server {
	const struct ps_server_opts *o;
	struct ps_env *env;
	struct MHD_Daemon *mhd;
	pthread_mutex_t lock;
	pthread_cond_t work;          /* a request queued, or draining */
	struct srv_req *head, *tail;  /* the queue */
	unsigned queued, running, workers_up;
	unsigned inflight;            /* traced requests whose answer is not sent yet */
	unsigned long long served;
	bool draining, stopping;
	pthread_t *threads;
	struct ps_worker **workers;
	unsigned nthreads;
	int idle_fd;                  /* eventfd: a worker went idle while draining */
};

/* Per request: the body so far. */
struct conn {
	struct strbuf body;
	bool too_big;
	bool started;
	bool counted;                 /* in server.inflight */
};

/* ---- workers ---- */

struct worker_arg {
	struct server *s;
	unsigned i;
};

static void *worker_main(void *arg)
{
	struct worker_arg *wa = arg;
	struct server *s = wa->s;
	struct ps_worker *w = s->workers[wa->i];
	struct ps_job_stats st;
	struct srv_req *r;
	__u64 t0;

	free(wa);
	for (;;) {
		pthread_mutex_lock(&s->lock);
		while (!s->head && !s->stopping)
			pthread_cond_wait(&s->work, &s->lock);
		if (!s->head) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		r = s->head;
		s->head = r->next;
		if (!s->head)
			s->tail = NULL;
		s->queued--;
		s->running++;
		pthread_mutex_unlock(&s->lock);

		t0 = now_ns(CLOCK_MONOTONIC);
		r->err = ps_worker__run(w, &r->req, &r->record, &st);
		rt_dbg("pystep: request: %u steps, %.1f ms (program start %.1f ms) after %.1f ms "
		       "in the queue", st.steps, st.run_ms, st.start_ms, (t0 - r->t_queued) / 1e6);

		pthread_mutex_lock(&s->lock);
		r->done = true;
		s->running--;
		s->served++;
		pthread_cond_signal(&r->cond);
		pthread_mutex_unlock(&s->lock);
		/* the next job's box, while no one waits */
		if (!s->draining) {
			t0 = now_ns(CLOCK_MONOTONIC);
			ps_worker__warm(w);
			rt_dbg("pystep: the last box gone and the next started in %.1f ms",
			       (now_ns(CLOCK_MONOTONIC) - t0) / 1e6);
		}
	}
	return NULL;
}

/* ---- HTTP ---- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     const char *body, size_t len, bool copy)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)body,
					       copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_MUST_FREE);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
	if (status == MHD_HTTP_TOO_MANY_REQUESTS || status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* {"error": "..."} */
static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	struct strbuf sb = { 0 };

	strbuf_adds(&sb, "{\"error\":");
	strbuf_add_json_str(&sb, msg, strlen(msg));
	strbuf_adds(&sb, "}\n");
	return reply(c, status, "application/json", sb.buf, sb.len, false);
}

static enum MHD_Result health(struct server *s, struct MHD_Connection *c)
{
	struct strbuf sb = { 0 };

	pthread_mutex_lock(&s->lock);
	strbuf_addf(&sb, "{\"status\":\"%s\",\"process\":%u,\"running\":%u,\"queued\":%u,"
		    "\"served\":%llu}\n", s->draining ? "draining" : "ok", s->o->process,
		    s->running, s->queued, s->served);
	pthread_mutex_unlock(&s->lock);
	return reply(c, s->draining ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK,
		     "application/json", sb.buf, sb.len, false);
}

static char *pretty(const struct strbuf *rec)
{
	struct json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH * 64);
	struct json_object *root;
	char *out = NULL;

	if (!tok)
		return NULL;
	root = json_tokener_parse_ex(tok, rec->buf, (int)rec->len);
	json_tokener_free(tok);
	if (root) {
		out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	}
	return out;
}

/* A parsed request: queue it, wait for its record, answer it. */
static enum MHD_Result trace(struct server *s, struct MHD_Connection *c, struct conn *cn,
			     struct pystep_request *req)
{
	struct srv_req *r = calloc(1, sizeof(*r));
	const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "pretty");
	enum MHD_Result ret;
	char *text;

	if (!r) {
		pystep_request_free(req);
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	}
	r->req = *req;
	r->t_queued = now_ns(CLOCK_MONOTONIC);
	pthread_cond_init(&r->cond, NULL);
	pthread_mutex_lock(&s->lock);
	if (s->draining) {
		pthread_mutex_unlock(&s->lock);
		ret = reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the server is shutting down");
		goto cleanup;
	}
	if (s->queued >= s->o->queue + (s->o->process - s->running)) {
		pthread_mutex_unlock(&s->lock);
		ret = reply_error(c, MHD_HTTP_TOO_MANY_REQUESTS,
				  "too many requests waiting: try again later");
		goto cleanup;
	}
	if (s->tail)
		s->tail->next = r;
	else
		s->head = r;
	s->tail = r;
	s->queued++;
	/* until its answer is sent (on_completed) */
	s->inflight++;
	cn->counted = true;
	pthread_cond_signal(&s->work);
	while (!r->done)
		pthread_cond_wait(&r->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	if (r->err && !r->record.len) {
		ret = reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "runtrace could not trace it");
		goto cleanup;
	}
	strbuf_addc(&r->record, '\n');
	if (q && (!strcmp(q, "true") || !strcmp(q, "1")) && (text = pretty(&r->record)))
		ret = reply(c, MHD_HTTP_OK, "application/json", text, strlen(text), false);
	else
		ret = reply(c, MHD_HTTP_OK, "application/json", r->record.buf, r->record.len, true);
cleanup:
	pystep_request_free(&r->req);
	strbuf_free(&r->record);
	pthread_cond_destroy(&r->cond);
	free(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct server *s = cls;
	struct conn *cn = *con_cls;
	struct pystep_request req;
	char why[300];
	int err;

	if (!cn) {
		/* the headers: answer what needs no body now */
		const char *cl;

		if (!strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD)) {
			if (!strcmp(url, "/health"))
				return health(s, c);
			if (!strcmp(url, "/"))
				return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
						   "POST a request to /: {\"source\": str, "
						   "\"input\": str, \"steps\": int}");
			return reply_error(c, MHD_HTTP_NOT_FOUND, "no such path: POST / or GET /health");
		}
		if (!strcmp(method, MHD_HTTP_METHOD_OPTIONS)) {
			struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL,
							MHD_RESPMEM_PERSISTENT);
			enum MHD_Result ret;

			if (!resp)
				return MHD_NO;
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
			MHD_add_response_header(resp, "Access-Control-Allow-Methods", "POST, GET");
			MHD_add_response_header(resp, "Access-Control-Allow-Headers", "Content-Type");
			MHD_add_response_header(resp, "Access-Control-Max-Age", "3600");
			ret = MHD_queue_response(c, MHD_HTTP_NO_CONTENT, resp);
			MHD_destroy_response(resp);
			return ret;
		}
		if (strcmp(method, MHD_HTTP_METHOD_POST))
			return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only POST / and GET /health");
		if (strcmp(url, "/"))
			return reply_error(c, MHD_HTTP_NOT_FOUND, "no such path: POST / or GET /health");
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > s->o->max_body) {
			snprintf(why, sizeof(why), "request body too large: at most %zu bytes",
				 s->o->max_body);
			return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, why);
		}
		cn = calloc(1, sizeof(*cn));
		if (!cn)
			return MHD_NO;
		*con_cls = cn;
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* more of the body */
		if (cn->body.len + *upload_data_size > s->o->max_body)
			cn->too_big = true;
		else
			strbuf_add(&cn->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (cn->started)
		return MHD_YES;
	cn->started = true;
	if (cn->too_big) {
		snprintf(why, sizeof(why), "request body too large: at most %zu bytes",
			 s->o->max_body);
		return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, why);
	}
	err = pystep_request_parse(cn->body.buf ? cn->body.buf : "", cn->body.len, &s->o->req,
				   &req, why, sizeof(why));
	if (err == -E2BIG)
		return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, why);
	if (err)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, why);
	return trace(s, c, cn, &req);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct conn *cn = *con_cls;
	__u64 one = 1;

	if (!cn)
		return;
	if (cn->counted) {
		pthread_mutex_lock(&s->lock);
		if (!--s->inflight && s->draining && write(s->idle_fd, &one, sizeof(one)) < 0)
			rt_dbg("cannot wake the main thread");
		pthread_mutex_unlock(&s->lock);
	}
	strbuf_free(&cn->body);
	free(cn);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	if (!rt_debug_on)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	rt_dbg("http: %s", msg);
}

/* ---- the server ---- */

struct srv_ctx {
	struct server *s;
	int signals;
};

static int on_signal(void *ctx)
{
	struct srv_ctx *x = ctx;

	x->signals++;
	return 0;
}

static int on_idle(void *ctx)
{
	struct srv_ctx *x = ctx;
	__u64 v;

	if (read(x->s->idle_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	return 0; /* the wake-up is all: the loop checks all_idle() */
}

/* Every traced request answered. */
static bool all_idle(struct server *s)
{
	bool idle;

	pthread_mutex_lock(&s->lock);
	idle = !s->running && !s->queued && !s->inflight;
	pthread_mutex_unlock(&s->lock);
	return idle;
}

int ps_server_run(struct ps_env *env, struct loop *l, const struct ps_server_opts *o)
{
	struct server s = { .o = o, .env = env, .idle_fd = -1 };
	struct srv_ctx x = { .s = &s };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o->port) };
	int ret = RT_EXIT_INTERNAL, err;
	unsigned i;

	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.work, NULL);
	if (inet_pton(AF_INET, o->bind, &sa.sin_addr) != 1) {
		rt_err("invalid --bind '%s': expected an IPv4 address", o->bind);
		ret = RT_EXIT_USAGE;
		goto cleanup;
	}
	s.idle_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s.workers = calloc(o->process, sizeof(*s.workers));
	s.threads = calloc(o->process, sizeof(*s.threads));
	if (s.idle_fd < 0 || !s.workers || !s.threads) {
		rt_err("cannot set up the server: %s", strerror(errno));
		goto cleanup;
	}
	/* the workers, each with its first box started */
	for (i = 0; i < o->process; i++) {
		s.workers[i] = ps_worker__new(env);
		if (!s.workers[i])
			goto cleanup;
		err = ps_worker__warm(s.workers[i]);
		if (err) {
			rt_err("cannot start a box: %s", strerror(-err));
			goto cleanup;
		}
	}
	for (i = 0; i < o->process; i++) {
		struct worker_arg *wa = malloc(sizeof(*wa));

		if (!wa) {
			rt_err("out of memory");
			goto cleanup;
		}
		wa->s = &s;
		wa->i = i;
		if (pthread_create(&s.threads[i], NULL, worker_main, wa)) {
			free(wa);
			rt_err("cannot start a worker thread");
			goto cleanup;
		}
		s.nthreads++;
	}
	s.mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
				 MHD_USE_ITC | MHD_USE_ERROR_LOG,
				 (uint16_t)o->port, NULL, NULL, on_request, &s,
				 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				 MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTIONS_MAX,
				 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
				 MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s,
				 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, &s,
				 MHD_OPTION_END);
	if (!s.mhd) {
		rt_err("cannot listen on %s:%d (in use, or not an address of this host)", o->bind,
		       o->port);
		goto cleanup;
	}
	fprintf(stderr, "runtrace: pystep: serving on http://%s:%d/ (%u at once, boxes in %s)\n",
		o->bind, o->port, o->process, ps_env__cgroups(env));
	loop__on_signal(l, on_signal, &x);
	if (loop__add(l, s.idle_fd, on_idle, &x)) {
		rt_err("cannot set up the event loop");
		goto cleanup;
	}
	while (!x.signals)
		loop__wait(l, -1);
	/* drain: no new connections; what is queued and running is answered */
	fprintf(stderr, "runtrace: pystep: draining\n");
	MHD_quiesce_daemon(s.mhd);
	pthread_mutex_lock(&s.lock);
	s.draining = true;
	pthread_mutex_unlock(&s.lock);
	while (!all_idle(&s))
		loop__wait(l, 100);
	ret = RT_EXIT_OK;
cleanup:
	if (s.mhd)
		MHD_stop_daemon(s.mhd);
	pthread_mutex_lock(&s.lock);
	s.stopping = true;
	pthread_cond_broadcast(&s.work);
	pthread_mutex_unlock(&s.lock);
	for (i = 0; i < s.nthreads; i++)
		pthread_join(s.threads[i], NULL);
	for (i = 0; s.workers && i < o->process; i++)
		ps_worker__free(s.workers[i]);
	free(s.workers);
	free(s.threads);
	if (s.idle_fd >= 0) {
		loop__del(l, s.idle_fd);
		close(s.idle_fd);
	}
	pthread_cond_destroy(&s.work);
	pthread_mutex_destroy(&s.lock);
	return ret;
}
