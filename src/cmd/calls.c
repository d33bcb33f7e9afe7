// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace calls: start, finish and error of chosen functions (Python
 * functions, builtins, audit events, native functions) of a command or a
 * running process, one line each, with thread ids, arguments, return
 * values, exceptions and durations (src/calls/, bpf/calls.bpf.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "calls/sink.h"
#include "cmd/calls.h"
#include "cmd/run_options.h"
#include "engine/child.h"
#include "engine/features.h"
#include "engine/loop.h"
#include "engine/scope.h"
#include "engine/session.h"
#include "engine/watch.h"
#include "util/opts.h"
#include "util/util.h"

#define CALLS_RUN 1
#define DRAIN_NS 20000000ull           /* lines come out at least this often */
#define CHECK_NS 200000000ull
#define SETTLE_US 30000
#define LISTENER_WAIT_MS 5000          /* the --exec listener's time to finish */

const char calls_usage[] =
"Usage: runtrace calls -f HOOK... [OPTIONS] -- PROGRAM [ARGS...]\n"
"       runtrace calls -f HOOK... [OPTIONS] -p PID\n"
"\n"
"One line per start, finish and error of chosen functions, from outside the\n"
"process (uprobes, USDT, CPython's own structures): no code injected, the\n"
"program's stdin, stdout, stderr and exit status untouched.\n"
"\n"
"Hooks:\n"
"  module.func, module.Class.method, Class.method\n"
"                         a Python function (CPython 3.11 with USDT probes,\n"
"                         Debian's python3.11), matched when its code first\n"
"                         runs: its module may be imported before or after attach\n"
"  io.open, posix.system, builtins.print ...\n"
"                         a builtin: a uprobe on its C function\n"
"  audit:EVENT            a Python audit event (audit:open, audit:socket.connect)\n"
"  LIB:SYMBOL[(TYPE,...)][ -> TYPE]\n"
"                         a native function (libc:open(str, int), ./app:parse,\n"
"                         a C++ name); TYPEs: int uint hex ptr str char\n"
"\n"
"Options:\n"
"  -f, --function HOOK    a hook (repeatable)\n"
"  -F, --file FILE        hooks, one a line (# comments)\n"
"  -p, --pid PID          attach to a running process\n"
"      --follow           also processes it (or the command) starts later\n"
"  -o, --output FILE      lines to FILE (created 0600) instead of stderr\n"
"      --json             one JSON object per event\n"
"      --exec CMD         start CMD (/bin/sh -c) and feed it the lines on its\n"
"                         stdin; its exit does not stop tracing\n"
"  -s, --string-limit N   characters shown per string (default 64; Python\n"
"                         values at most 1000)\n"
"      --error-if EXPR    native hooks: a return value that means failure,\n"
"                         'ret<0', 'ret==-1', 'ret!=0' (the line says error)\n"
"      --debug            show each step and libbpf's messages\n"
"  -h, --help             this text\n"
"\n"
"Python functions cost every Python call of the process two uprobes on the\n"
"eval loop while attached (about 1 us on a VM); builtins, audit events and\n"
"native functions cost only their own calls.  Generator and coroutine\n"
"functions are not traced (said once).  Ctrl-C or the target's end detaches\n"
"everything.  A hook whose module the standard library has and which does\n"
"not exist is an error (status 2); a hook in the program's own modules that\n"
"never ran is a warning at the end.\n"
"Exit status: the command's (128+signal if killed); 0 with -p; 2 bad usage or\n"
"target; 3 runtrace could not trace.\n";

enum calls_opt { C_HOOK, C_FILE, C_PID, C_FOLLOW, C_OUTPUT, C_JSON, C_EXEC, C_STRSIZE,
		 C_ERRIF, C_DEBUG, C_HELP };

static const struct opt_def calls_opts[] = {
	{ "function", 'f', OPT_ARG, C_HOOK },
	{ "file", 'F', OPT_ARG, C_FILE },
	{ "pid", 'p', OPT_ARG, C_PID },
	{ "follow", 0, OPT_NOARG, C_FOLLOW },
	{ "output", 'o', OPT_ARG, C_OUTPUT },
	{ "json", 0, OPT_NOARG, C_JSON },
	{ "exec", 0, OPT_ARG, C_EXEC },
	{ "string-limit", 's', OPT_ARG, C_STRSIZE },
	{ "error-if", 0, OPT_ARG, C_ERRIF },
	{ "debug", 0, OPT_NOARG, C_DEBUG },
	{ "help", 'h', OPT_NOARG, C_HELP },
};
const struct opt_def *const calls_opt_defs = calls_opts;
const size_t calls_opt_count = ARRAY_SIZE(calls_opts);

static int add_hook(void *ctx, const char *spec, char *err, size_t errlen)
{
	struct calls_cfg *c = ctx;

	if (c->nspecs == CALLS_MAX_HOOKS)
		return opts_fail(err, errlen, "too many hooks (at most %d)", CALLS_MAX_HOOKS);
	if (call_spec_parse(spec, &c->specs[c->nspecs], err, errlen))
		return -EINVAL;
	c->nspecs++;
	return 0;
}

static int apply(void *ctx, const struct opt_def *o, const char *name, const char *val,
		 char *err, size_t errlen)
{
	struct calls_cfg *c = ctx;
	long v;
	int ret;

	switch (o->id) {
	case C_HOOK:
		return add_hook(c, val, err, errlen);
	case C_FILE: {
		size_t len;
		char *text = read_file_at(AT_FDCWD, val, 1 << 20, &len);

		if (!text)
			return opts_fail(err, errlen, "cannot read %s: %s", val, strerror(errno));
		ret = call_spec_file_parse(text, add_hook, c, err, errlen);
		free(text);
		return ret;
	}
	case C_PID:
		ret = opts_long(name, val, 1, INT_MAX, &v, err, errlen);
		c->pid = v;
		return ret;
	case C_FOLLOW:
		c->follow = true;
		return 0;
	case C_OUTPUT:
		if (!*val)
			return opts_fail(err, errlen, "invalid %s '': expected a file", name);
		c->output = val;
		return 0;
	case C_JSON:
		c->json = true;
		return 0;
	case C_EXEC:
		if (!*val)
			return opts_fail(err, errlen, "invalid %s '': expected a command", name);
		c->exec_cmd = val;
		return 0;
	case C_STRSIZE:
		return opts_long(name, val, 1, 4096, &c->strsize, err, errlen);
	case C_ERRIF:
		return call_errif_parse(val, &c->errif, err, errlen);
	case C_DEBUG:
		c->debug = true;
		return 0;
	case C_HELP:
		c->help = true;
		return 0;
	}
	return 0;
}

int calls_parse(int argc, char **argv, struct calls_cfg *c, char *err, size_t errlen)
{
	struct opts_parser p = { .defs = calls_opts, .ndefs = ARRAY_SIZE(calls_opts),
				 .apply = apply, .ctx = c };
	bool dashdash;
	int cmd, ret;

	memset(c, 0, sizeof(*c));
	c->strsize = 64;
	ret = opts_parse(&p, argc, argv, 1, &cmd, &dashdash, err, errlen);
	if (ret || c->help)
		return ret;
	if (cmd < argc)
		c->argv = &argv[cmd];
	else if (dashdash)
		return opts_fail(err, errlen, "no command after --");
	if (!c->nspecs)
		return opts_fail(err, errlen, "no hook: give -f HOOK or -F FILE");
	if (!c->argv && !c->pid)
		return opts_fail(err, errlen, "nothing to trace: give -- PROGRAM ARGS or -p PID");
	if (c->argv && c->pid)
		return opts_fail(err, errlen, "give one of a command and -p PID");
	if (c->argv && !c->argv[0][0])
		return opts_fail(err, errlen, "empty command");
	return 0;
}

void calls_cfg_free(struct calls_cfg *c)
{
	int i;

	for (i = 0; i < c->nspecs; i++)
		call_spec_free(&c->specs[i]);
	c->nspecs = 0;
}

/* ---- the session ------------------------------------------------------ */

struct tracer {
	struct calls_cfg *cfg;
	struct features feat;
	struct sink sinks[2];
	int nsinks;
	struct sink *calls, *scope;
	struct session *ses;
	struct loop *loop;
	struct rt_run run;
	struct child child;
	pid_t listener;
	int exec_fd;
	int out_fd;
	bool own_out;
	bool stop;
	int stop_signal;
};

/* The command and every process traced with it get @sig. */
static void signal_command(struct tracer *t, int sig)
{
	child__kill(&t->child, sig);
	scope_tracker_kill(scope_sink_tracker(t->scope), sig);
}

static int on_ring(void *ctx)
{
	struct tracer *t = ctx;

	return session__consume(t->ses);
}

static int on_child(void *ctx)
{
	struct tracer *t = ctx;

	if (child__reap(&t->child, false) == 1) {
		loop__del(t->loop, t->child.pidfd);
		if (!t->cfg->follow)
			t->stop = true;
	}
	return 0;
}

static int on_signal(void *ctx)
{
	struct tracer *t = ctx;

	t->stop_signal = loop__stop_signal(t->loop);
	if (!t->cfg->argv) {
		t->stop = true;
		return 0;
	}
	/* the command gets the signal, then SIGKILL if it is still there
	 * after a grace period; tracing ends when it does */
	signal_command(t, t->stop_signal);
	child__grace(&t->child);
	return 0;
}

static int on_check(void *ctx)
{
	struct tracer *t = ctx;

	if (child__kill_due(&t->child))
		signal_command(t, SIGKILL);
	if (t->child.pid > 0 && !t->child.reaped)
		return 0;
	if (scope_tracker_procs(scope_sink_tracker(t->scope), true) == 0)
		t->stop = true;
	return 0;
}

/* --exec: /bin/sh -c CMD with a pipe on its stdin. */
static int start_listener(struct tracer *t)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		rt_err("cannot create a pipe: %s", strerror(errno));
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		rt_err("cannot start the listener: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, loop__origmask(t->loop), NULL);
		signal(SIGPIPE, SIG_DFL);
		dup2(p[0], 0); /* stdout, stderr: runtrace's */
		execl("/bin/sh", "sh", "-c", t->cfg->exec_cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	t->listener = pid;
	t->exec_fd = p[1];
	return 0;
}

/* EOF to the listener, then its exit (SIGTERM after a while). */
static void stop_listener(struct tracer *t)
{
	int i, status;

	if (t->exec_fd >= 0)
		close(t->exec_fd);
	t->exec_fd = -1;
	if (t->listener <= 0)
		return;
	for (i = 0; i < LISTENER_WAIT_MS / 10; i++) {
		if (waitpid(t->listener, &status, WNOHANG) == t->listener) {
			t->listener = 0;
			return;
		}
		usleep(10000);
	}
	rt_err("calls: the --exec listener did not finish: terminating it");
	kill(t->listener, SIGTERM);
	waitpid(t->listener, &status, 0);
	t->listener = 0;
}

static int calls_main(struct calls_cfg *c)
{
	struct tracer t = { .cfg = c, .out_fd = STDERR_FILENO, .exec_fd = -1,
			    .child = { .go = -1, .pidfd = -1 },
			    .run = { .id = CALLS_RUN, .dirfd = -1, .cgroup_fd = -1 } };
	struct calls_opts co = { 0 };
	struct scope_opts so = { .run = CALLS_RUN };
	struct strbuf json = { 0 };
	char why[256], exe[PATH_MAX];
	pid_t tgid = 0;
	int ret = RT_EXIT_INTERNAL, err, i;
	bool begun = false;
	const char *mech;

	rt_debug_on = c->debug;
	t.run.json = &json;
	t.loop = loop__new();
	if (!t.loop) {
		rt_err("cannot set up the event loop: %s", strerror(errno));
		return RT_EXIT_INTERNAL;
	}
	if (features_require_bpf(&t.feat, "calls") ||
	    features_require(&t.feat, t.feat.bpf_loop, "calls", "the bpf_loop helper", "5.17"))
		goto cleanup;
	if (c->pid) {
		err = scope_check_pid(c->pid, &tgid, why, sizeof(why));
		if (err) {
			rt_err("%s", why);
			ret = RT_EXIT_USAGE;
			goto cleanup;
		}
	} else {
		if (!watch_command_resolve(c->argv[0], exe, sizeof(exe))) {
			ret = 127;
			goto cleanup;
		}
	}
	if (c->output) {
		t.out_fd = open(c->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (t.out_fd < 0) {
			rt_err("cannot create %s: %s", c->output, strerror(errno));
			goto cleanup;
		}
		t.own_out = true;
	}
	/* the command, forked blocked: probes are for its pid */
	if (c->argv) {
		struct child_opts cho = { .argv = c->argv, .fds = { -1, -1, -1 },
					  .sigmask = loop__origmask(t.loop) };

		if (child__fork(&t.child, &cho))
			goto cleanup;
		tgid = t.child.pid;
	}
	if (c->exec_cmd && start_listener(&t))
		goto cleanup;
	co.specs = c->specs;
	co.nspecs = c->nspecs;
	co.exe = c->argv ? exe : NULL;
	co.pid = tgid;
	co.attached = !c->argv;
	co.follow = c->follow;
	co.json = c->json;
	co.strsize = c->strsize;
	co.errif = c->errif;
	co.out_fd = t.out_fd;
	co.exec_fd = t.exec_fd;
	err = scope_sink_new(&so, &t.sinks[t.nsinks]);
	if (err)
		goto cleanup;
	t.scope = &t.sinks[t.nsinks++];
	err = calls_sink_new(&co, &t.sinks[t.nsinks]);
	if (err) {
		if (err == -EINVAL)
			ret = RT_EXIT_USAGE;
		goto cleanup;
	}
	t.calls = &t.sinks[t.nsinks++];
	/* open, configure, load, attach */
	t.ses = session__new(t.sinks, t.nsinks, -1);
	if (!t.ses)
		goto cleanup;
	t.run.realtime_offset_ns = (__s64)now_ns(CLOCK_REALTIME) - (__s64)now_ns(CLOCK_MONOTONIC);
	if ((err = loop__add(t.loop, session__fd(t.ses), on_ring, &t)) ||
	    (err = loop__timer(t.loop, DRAIN_NS, DRAIN_NS, on_ring, &t)) < 0 ||
	    (err = loop__timer(t.loop, CHECK_NS, CHECK_NS, on_check, &t)) < 0) {
		rt_err("cannot set up the event loop: %s", strerror(-err));
		goto cleanup;
	}
	loop__on_signal(t.loop, on_signal, &t);
	err = session__begin_run(t.ses, &t.run);
	if (err) {
		rt_err("cannot set up the trace: %s", strerror(-err));
		goto cleanup;
	}
	begun = true;
	/* the scope: the process, then the command released */
	err = session__register(t.ses, tgid, CALLS_RUN);
	if (!err)
		err = scope_tracker_add(scope_sink_tracker(t.scope), tgid,
					c->argv ? 1 : scope_count_threads(tgid));
	if (!err && c->argv)
		err = loop__add(t.loop, t.child.pidfd, on_child, &t);
	if (err) {
		rt_err("cannot trace %d: %s", tgid, strerror(-err));
		goto cleanup;
	}
	/* said once the probes see the process (tests wait for this line) */
	mech = calls_sink_mechanism(t.calls);
	if (mech)
		fprintf(stderr, "%s\n", mech);
	if (c->argv && child__release(&t.child)) {
		child__abort(&t.child);
		goto cleanup;
	}
	/* the event loop */
	while (!t.stop) {
		err = loop__wait(t.loop, -1);
		if (!err)
			err = calls_sink_flush(t.calls);
		if (err == -EPIPE) {
			rt_dbg("calls: the output's reader went away: detaching");
			break;
		}
		if (err) {
			rt_err("cannot write the calls: %s", strerror(-err));
			break;
		}
	}
	/* detach: no more records, the last ones dispatched */
	session__forget(t.ses, CALLS_RUN);
	usleep(SETTLE_US);
	session__consume(t.ses);
	session__end_run(t.ses, &t.run);
	begun = false;
	calls_sink_flush(t.calls);
	if (t.run.lost)
		fprintf(stderr, "runtrace: calls: %llu events lost (ring buffer full)\n",
			(unsigned long long)t.run.lost);
	calls_sink_finish(t.calls);
	if (c->argv) {
		if (!t.child.reaped)
			child__reap(&t.child, true);
		ret = WIFSIGNALED(t.child.status) ? 128 + WTERMSIG(t.child.status) :
						    WEXITSTATUS(t.child.status);
	} else {
		ret = RT_EXIT_OK;
	}

cleanup:
	if (begun) {
		session__forget(t.ses, CALLS_RUN);
		session__end_run(t.ses, &t.run);
	}
	if (t.child.pid > 0 && !t.child.reaped) {
		if (t.child.go >= 0)
			child__abort(&t.child);
		else {
			kill(t.child.pid, SIGKILL);
			child__reap(&t.child, true);
		}
	}
	child__close(&t.child);
	session__free(t.ses);
	for (i = 0; i < t.nsinks; i++)
		t.sinks[i].ops->free(t.sinks[i].self);
	stop_listener(&t);
	if (t.own_out)
		close(t.out_fd);
	strbuf_free(&json);
	loop__free(t.loop);
	return ret;
}

int cmd_calls(int argc, char **argv)
{
	struct calls_cfg *c = calloc(1, sizeof(*c));
	char err[512];
	int ret;

	if (!c) {
		rt_err("out of memory");
		return RT_EXIT_INTERNAL;
	}
	if (calls_parse(argc, argv, c, err, sizeof(err))) {
		fprintf(stderr, "runtrace: calls: %s (see runtrace calls --help)\n", err);
		calls_cfg_free(c);
		free(c);
		return RT_EXIT_USAGE;
	}
	if (c->help) {
		fputs(calls_usage, stdout);
		calls_cfg_free(c);
		free(c);
		return RT_EXIT_OK;
	}
	ret = calls_main(c);
	calls_cfg_free(c);
	free(c);
	return ret;
}
