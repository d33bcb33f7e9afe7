// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace pystep: a Python program's every step (stack, locals, heap,
 * output, errors) as JSON, from a request on stdin, for the built-in demo
 * (--test), or as an HTTP service (--server).  The program runs unmodified
 * in a box (src/pystep/box.h) under Debian's python3.11 and is observed from
 * outside (bpf/pystep.bpf.c, src/pystep/).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cmd/pystep.h"
#include "cmd/run_options.h"
#include "engine/features.h"
#include "engine/loop.h"
#include "pystep/server.h"
#include "util/opts.h"
#include "util/strbuf.h"
#include "util/util.h"

const char pystep_usage[] =
"Usage: runtrace pystep [--pretty] < REQUEST.json\n"
"       runtrace pystep --test [--pretty]\n"
"       runtrace pystep --server [--port N] [--process K] [OPTIONS]\n"
"\n"
"Trace a Python program step by step: at every line, call, return and\n"
"exception of the program, its stack (0-based lines, variables), its heap\n"
"(lists, tuples, sets, dicts and instances of its classes, with ids kept\n"
"from step to step) and what it printed, as the JSON record of Willow's\n"
"Python tracer.  The request is {\"source\": str, \"input\": str, \"steps\": N},\n"
"every member optional.  The program runs unmodified under python3.11 in a\n"
"box (its own user, cgroup, network, /tmp, a read-only view of the rest),\n"
"observed from outside: nothing of the tracer is in its process.\n"
"\n"
"Modes:\n"
"      --pretty           indent the JSON\n"
"      --test             trace the built-in demo program (stdin is not read)\n"
"      --show-test        print the demo's request (its source and input) and exit\n"
"      --server           serve HTTP/1.1: POST / with a request answers its record,\n"
"                         GET /health; runs until SIGINT or SIGTERM, then drains\n"
"      --port N           TCP port of the server (default 8000)\n"
"      --bind ADDR        its IPv4 address (default 127.0.0.1; 0.0.0.0 for all)\n"
"      --process K        requests traced at once (default 4)\n"
"      --queue N          requests waiting beyond those, then 429 (default 64)\n"
"      --max-body BYTES   larger request bodies get 413 (default 1048576)\n"
"\n"
"Limits of a program:\n"
"      --steps N          steps when the request gives none (default 10000)\n"
"      --max-steps N      the most a request may ask for (default 100000)\n"
"      --timeout SECONDS  wall-clock time (default 5)\n"
"      --memory MIB       memory, no swap (default 256); address space: twice that\n"
"      --pids N           processes and threads (default 32)\n"
"      --cpu PERCENT      CPU time, in % of one CPU (default 100)\n"
"      --output-limit BYTES  what it may print, stdout and stderr (default 1048576)\n"
"      --tmp-size MIB     its private /tmp (default 16)\n"
"\n"
"Other:\n"
"      --python PATH      the interpreter (default /usr/bin/python3.11: CPython 3.11\n"
"                         with USDT probes, as Debian builds it)\n"
"      --uid-base UID     boxes run as UID + 4*slot + 0..3 (default 1879048192)\n"
"      --debug            show each step runtrace takes and libbpf's messages\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 the record was written (whatever the program did: its\n"
"errors are in the record); 1 runtrace failed while tracing (the record ends\n"
"with a \"runtrace: ...\" cause); 2 bad usage or a bad request; 3 runtrace\n"
"could not start (not root, no BPF, no such interpreter); 130 interrupted.\n";

const char pystep_demo_source[] =
"class Node:\n"
"    def __init__(self, value, next=None):\n"
"        self.value = value\n"
"        self.next = next\n"
"\n"
"\n"
"def push(head, value):\n"
"    return Node(value, head)\n"
"\n"
"\n"
"def total(node):\n"
"    if node is None:\n"
"        return 0\n"
"    return node.value + total(node.next)\n"
"\n"
"\n"
"name = input('name? ')\n"
"head = None\n"
"for i in range(3):\n"
"    head = push(head, i * i)\n"
"counts = {'nodes': 3, 'sum': total(head), 'pair': (name, [1.5, None])}\n"
"print(f'hello {name}: {counts}')\n";

const char pystep_demo_input[] = "world\n";

enum pystep_opt {
	P_PRETTY, P_TEST, P_SHOW_TEST, P_SERVER, P_PORT, P_BIND, P_PROCESS, P_QUEUE, P_MAX_BODY, P_STEPS,
	P_MAX_STEPS, P_TIMEOUT, P_MEMORY, P_PIDS, P_CPU, P_OUTPUT, P_TMP, P_PYTHON, P_UID,
	P_DEBUG, P_HELP,
};

static const struct opt_def pystep_opts[] = {
	{ "pretty", 0, OPT_NOARG, P_PRETTY },
	{ "test", 0, OPT_NOARG, P_TEST },
	{ "show-test", 0, OPT_NOARG, P_SHOW_TEST },
	{ "server", 0, OPT_NOARG, P_SERVER },
	{ "port", 0, OPT_ARG, P_PORT },
	{ "bind", 0, OPT_ARG, P_BIND },
	{ "process", 0, OPT_ARG, P_PROCESS },
	{ "queue", 0, OPT_ARG, P_QUEUE },
	{ "max-body", 0, OPT_ARG, P_MAX_BODY },
	{ "steps", 0, OPT_ARG, P_STEPS },
	{ "max-steps", 0, OPT_ARG, P_MAX_STEPS },
	{ "timeout", 0, OPT_ARG, P_TIMEOUT },
	{ "memory", 0, OPT_ARG, P_MEMORY },
	{ "pids", 0, OPT_ARG, P_PIDS },
	{ "cpu", 0, OPT_ARG, P_CPU },
	{ "output-limit", 0, OPT_ARG, P_OUTPUT },
	{ "tmp-size", 0, OPT_ARG, P_TMP },
	{ "python", 0, OPT_ARG, P_PYTHON },
	{ "uid-base", 0, OPT_ARG, P_UID },
	{ "debug", 0, OPT_NOARG, P_DEBUG },
	{ "help", 'h', OPT_NOARG, P_HELP },
};
const struct opt_def *const pystep_opt_defs = pystep_opts;
const size_t pystep_opt_count = ARRAY_SIZE(pystep_opts);

static int apply(void *ctx, const struct opt_def *o, const char *name, const char *val,
		 char *err, size_t errlen)
{
	struct pystep_cfg *c = ctx;
	double secs;
	long v;
	int ret = 0;

	switch (o->id) {
	case P_PRETTY:
		c->pretty = true;
		break;
	case P_TEST:
		c->test = true;
		break;
	case P_SHOW_TEST:
		c->show_test = true;
		break;
	case P_SERVER:
		c->server = true;
		break;
	case P_PORT:
		ret = opts_long(name, val, 1, 65535, &c->port, err, errlen);
		break;
	case P_BIND:
		c->bind = val;
		break;
	case P_PROCESS:
		ret = opts_long(name, val, 1, 32, &c->process, err, errlen);
		break;
	case P_QUEUE:
		ret = opts_long(name, val, 0, 100000, &c->queue, err, errlen);
		break;
	case P_MAX_BODY:
		ret = opts_long(name, val, 64, 64 << 20, &v, err, errlen);
		c->max_body = (size_t)v;
		break;
	case P_STEPS:
		ret = opts_long(name, val, 0, 100000000, &c->req.default_steps, err, errlen);
		break;
	case P_MAX_STEPS:
		ret = opts_long(name, val, 0, 100000000, &c->req.max_steps, err, errlen);
		break;
	case P_TIMEOUT:
		ret = opts_seconds(name, val, &secs, err, errlen);
		if (!ret && secs > 3600)
			ret = opts_fail(err, errlen, "invalid %s '%s': at most 3600 s", name, val);
		c->o.timeout_ms = (unsigned)(secs * 1000);
		break;
	case P_MEMORY:
		ret = opts_long(name, val, 32, 1 << 20, &v, err, errlen);
		c->o.box.memory = (__u64)v << 20;
		c->o.box.address_space = (__u64)v << 21;
		break;
	case P_PIDS:
		ret = opts_long(name, val, 1, 4096, &v, err, errlen);
		c->o.box.pids = (unsigned)v;
		break;
	case P_CPU:
		ret = opts_long(name, val, 1, 6400, &v, err, errlen);
		c->o.box.cpu_pct = (unsigned)v;
		break;
	case P_OUTPUT:
		ret = opts_long(name, val, 0, 1l << 30, &v, err, errlen);
		c->o.output_limit = (size_t)v;
		break;
	case P_TMP:
		ret = opts_long(name, val, 1, 4096, &v, err, errlen);
		c->o.box.tmp_size = (__u64)v << 20;
		c->o.box.file_size = (__u64)v << 20;
		break;
	case P_PYTHON:
		if (!*val)
			return opts_fail(err, errlen, "invalid %s '': expected a path", name);
		c->o.python = val;
		break;
	case P_UID:
		ret = opts_long(name, val, 1, 0x7fff0000l, &v, err, errlen);
		c->o.uid_base = (uid_t)v;
		break;
	case P_DEBUG:
		c->debug = true;
		break;
	case P_HELP:
		c->help = true;
		break;
	}
	return ret;
}

int pystep_parse(int argc, char **argv, struct pystep_cfg *c, char *err, size_t errlen)
{
	struct opts_parser p = { .defs = pystep_opts, .ndefs = ARRAY_SIZE(pystep_opts),
				 .apply = apply, .ctx = c };
	bool dashdash;
	int cmd, ret;

	memset(c, 0, sizeof(*c));
	c->bind = "127.0.0.1";
	c->port = 8000;
	c->process = 4;
	c->queue = 64;
	c->max_body = 1 << 20;
	c->req.default_steps = 10000;
	c->req.max_steps = 100000;
	c->o.python = "/usr/bin/python3.11";
	c->o.timeout_ms = 5000;
	c->o.output_limit = 1 << 20;
	c->o.record_limit = 256 << 20;
	c->o.uid_base = 0x70000000;
	c->o.inspect = (struct ps_inspect_limits){ .items = 10000, .objects = 10000,
						   .str_len = 100000, .frames = 1100 };
	c->o.box = (struct ps_box_limits){ .memory = 256 << 20, .address_space = 512 << 20,
					   .pids = 32, .cpu_pct = 100, .tmp_size = 16 << 20,
					   .file_size = 16 << 20, .nofile = 256, .cpu_seconds = 60 };
	ret = opts_parse(&p, argc, argv, 1, &cmd, &dashdash, err, errlen);
	if (ret || c->help)
		return ret;
	if (cmd < argc)
		return opts_fail(err, errlen, "unexpected argument '%s' (the request comes on stdin)",
				 argv[cmd]);
	if (c->test && c->server)
		return opts_fail(err, errlen, "--test and --server do not go together");
	if (c->req.default_steps > c->req.max_steps)
		return opts_fail(err, errlen, "--steps %ld is over --max-steps %ld",
				 c->req.default_steps, c->req.max_steps);
	if (c->o.timeout_ms < 10)
		return opts_fail(err, errlen, "--timeout must be at least 0.01 s");
	c->o.box.cpu_seconds = c->o.timeout_ms / 1000 + 2;
	c->o.slots = c->server ? (unsigned)c->process : 1;
	c->req.max_source = c->max_body;
	c->req.max_input = c->max_body;
	return 0;
}

/* ---- one request: stdin or --test ---- */

/* The record, indented by json-c (numbers keep their text). */
static int write_record(const struct strbuf *rec, bool pretty)
{
	struct json_tokener *tok;
	struct json_object *root;
	const char *text;
	int err;

	if (!pretty) {
		err = write_all(STDOUT_FILENO, rec->buf, rec->len);
		return err ? err : write_all(STDOUT_FILENO, "\n", 1);
	}
	tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH * 64);
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, rec->buf, (int)rec->len);
	json_tokener_free(tok);
	if (!root)
		return -EINVAL;
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE);
	err = write_all(STDOUT_FILENO, text, strlen(text));
	if (!err)
		err = write_all(STDOUT_FILENO, "\n", 1);
	json_object_put(root);
	return err;
}

static char *read_stdin(size_t max, size_t *len, int *err)
{
	struct strbuf sb = { 0 };
	char buf[65536];
	ssize_t n;

	*err = 0;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
		if (sb.len + (size_t)n > max) {
			*err = -E2BIG;
			break;
		}
		strbuf_add(&sb, buf, (size_t)n);
	}
	if (n < 0)
		*err = -errno;
	*len = sb.len;
	if (!sb.buf)
		return strdup("");
	return sb.buf;
}

struct one_job {
	struct ps_worker *w;
	struct pystep_request *req;
	struct strbuf rec;
	struct ps_job_stats stats;
	int err;
	int done_fd;
};

static void *one_job_thread(void *arg)
{
	struct one_job *oj = arg;
	__u64 one = 1;

	oj->err = ps_worker__run(oj->w, oj->req, &oj->rec, &oj->stats);
	if (write(oj->done_fd, &one, sizeof(one)) < 0)
		oj->err = -errno;
	return NULL;
}

struct one_ctx {
	struct ps_env *env;
	bool done;
	int signals;
};

static int on_done(void *ctx)
{
	struct one_ctx *c = ctx;

	c->done = true;
	return 0;
}

static int on_stop(void *ctx)
{
	struct one_ctx *c = ctx;

	c->signals++;
	ps_env__abort(c->env);
	return 0;
}

static int run_one(struct pystep_cfg *c, struct loop *l, struct ps_env *env)
{
	struct one_job oj = { .done_fd = -1 };
	struct pystep_request req = { 0 };
	struct one_ctx ctx = { .env = env };
	char err[256];
	pthread_t th;
	char *text;
	size_t len;
	int ret = RT_EXIT_INTERNAL, rerr;

	if (c->test) {
		req.source = strdup(pystep_demo_source);
		req.source_len = strlen(pystep_demo_source);
		req.input = strdup(pystep_demo_input);
		req.input_len = strlen(pystep_demo_input);
		req.steps = c->req.default_steps;
		if (!req.source || !req.input) {
			rt_err("out of memory");
			goto cleanup;
		}
	} else {
		text = read_stdin(c->max_body, &len, &rerr);
		if (rerr) {
			rt_err("cannot read the request: %s", strerror(-rerr));
			free(text);
			ret = RT_EXIT_USAGE;
			goto cleanup;
		}
		rerr = pystep_request_parse(text, len, &c->req, &req, err, sizeof(err));
		free(text);
		if (rerr) {
			rt_err("bad request: %s", err);
			ret = RT_EXIT_USAGE;
			goto cleanup;
		}
	}
	oj.w = ps_worker__new(env);
	if (!oj.w)
		goto cleanup;
	oj.req = &req;
	oj.done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (oj.done_fd < 0 || loop__add(l, oj.done_fd, on_done, &ctx)) {
		rt_err("cannot set up the event loop: %s", strerror(errno));
		goto cleanup;
	}
	loop__on_signal(l, on_stop, &ctx);
	/* the job in a thread; this one takes the signals */
	if (pthread_create(&th, NULL, one_job_thread, &oj)) {
		rt_err("cannot start a thread");
		goto cleanup;
	}
	while (!ctx.done)
		loop__wait(l, -1);
	pthread_join(th, NULL);
	if (write_record(&oj.rec, c->pretty)) {
		rt_err("cannot write the record: %s", strerror(errno));
		goto cleanup;
	}
	rt_dbg("pystep: %u steps in %.1f ms (start %.1f ms), %llu reads (%llu syscalls)",
	       oj.stats.steps, oj.stats.run_ms, oj.stats.start_ms, oj.stats.reads,
	       oj.stats.source_reads);
	ret = loop__stop_signal(l) ? 128 + loop__stop_signal(l) : oj.err ? RT_EXIT_FAILED : RT_EXIT_OK;
cleanup:
	if (oj.done_fd >= 0)
		close(oj.done_fd);
	ps_worker__free(oj.w);
	strbuf_free(&oj.rec);
	pystep_request_free(&req);
	return ret;
}

int cmd_pystep(int argc, char **argv)
{
	struct pystep_cfg *c = calloc(1, sizeof(*c));
	struct ps_env *env = NULL;
	struct features f;
	struct loop *l = NULL;
	char err[512];
	int ret = RT_EXIT_INTERNAL;

	if (!c) {
		rt_err("out of memory");
		return RT_EXIT_INTERNAL;
	}
	if (pystep_parse(argc, argv, c, err, sizeof(err))) {
		fprintf(stderr, "runtrace: pystep: %s (see runtrace pystep --help)\n", err);
		free(c);
		return RT_EXIT_USAGE;
	}
	if (c->help) {
		fputs(pystep_usage, stdout);
		free(c);
		return RT_EXIT_OK;
	}
	if (c->show_test) {
		struct strbuf sb = { 0 };

		strbuf_adds(&sb, "{\"source\":");
		strbuf_add_json_str(&sb, pystep_demo_source, strlen(pystep_demo_source));
		strbuf_adds(&sb, ",\"input\":");
		strbuf_add_json_str(&sb, pystep_demo_input, strlen(pystep_demo_input));
		strbuf_adds(&sb, "}\n");
		ret = strbuf_write(&sb, STDOUT_FILENO) ? RT_EXIT_INTERNAL : RT_EXIT_OK;
		strbuf_free(&sb);
		free(c);
		return ret;
	}
	rt_debug_on = c->debug;
	l = loop__new();
	if (!l) {
		rt_err("cannot set up the event loop: %s", strerror(errno));
		goto cleanup;
	}
	if (features_require_bpf(&f, "pystep"))
		goto cleanup;
	env = ps_env__new(&c->o);
	if (!env)
		goto cleanup;
	if (c->server) {
		struct ps_server_opts so = { .bind = c->bind, .port = (int)c->port,
					     .process = (unsigned)c->process,
					     .queue = (unsigned)c->queue, .max_body = c->max_body,
					     .req = c->req };

		ret = ps_server_run(env, l, &so);
	} else {
		ret = run_one(c, l, env);
	}
cleanup:
	ps_env__free(env);
	loop__free(l);
	free(c);
	return ret;
}
