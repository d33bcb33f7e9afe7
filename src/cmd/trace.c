// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace trace: a live strace of a command, of running processes (every
 * thread, and what they fork later) or of a cgroup, from the same engine
 * as the runner: one BPF session, one scope, one event loop; lines are
 * written as syscalls complete (src/syscalls/live.c), or counted in the
 * kernel for -c (src/syscalls/syscount.c).
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

#include "cmd/run_options.h"
#include "cmd/trace.h"
#include "engine/features.h"
#include "engine/scope.h"
#include "engine/watch.h"
#include "syscalls/counttab.h"
#include "syscalls/live.h"
#include "syscalls/syscount.h"
#include "syscalls/table.h"
#include "util/opts.h"
#include "util/util.h"


const char trace_usage[] =
"Usage: runtrace trace [OPTIONS] [--] COMMAND [ARGS...]\n"
"       runtrace trace [OPTIONS] -p PID[,PID...]\n"
"       runtrace trace [OPTIONS] --cgroup PATH\n"
"\n"
"A live strace: every syscall of a command, of running processes (all their\n"
"threads, and every child, thread and program they start later) or of a\n"
"cgroup v2 (every process in it, including ones that join later), printed\n"
"as it completes.  No ptrace: the traced processes are never stopped.\n"
"\n"
"What to trace:\n"
"  COMMAND [ARGS...]      run it (stdin, stdout, stderr untouched) and trace it\n"
"  -p, --attach PID[,PID...]\n"
"                         attach to running processes (repeatable)\n"
"      --cgroup PATH      every process of a cgroup v2 directory\n"
"  -f, --follow-forks     accepted for strace's sake: children are always followed\n"
"\n"
"Output (strace's flags):\n"
"  -o, --output FILE      write to FILE (created 0600) instead of stderr\n"
"  -e trace=SET, --trace=SET\n"
"                         only these syscalls: names, classes (%file, %network,\n"
"                         %process, %signal, %memory, %desc), ! to negate\n"
"  -e status=failed, --status=failed, -Z, --failed-only\n"
"                         only syscalls that returned an error\n"
"  -s, --string-limit N   data bytes shown per buffer (default 32)\n"
"  -t, -tt, -ttt          time of day, with microseconds, or seconds since the epoch\n"
"  -T, --syscall-times    time spent in each syscall\n"
"  -y, --decode-fds       paths of file descriptors\n"
"  -v, --no-abbrev        structures in full (stat, statx, rusage, uname)\n"
"  -X, --const-print-style raw|abbrev\n"
"                         raw: flags and constants as numbers\n"
"  -c, --summary-only     only a table of counts, errors and times per syscall\n"
"  -C, --summary          the lines and the table\n"
"  -w, --summary-wall-clock\n"
"                         -c/-C: wall-clock time in the syscall, not time on CPU\n"
"      --json             JSON lines (the objects of --call-trace=json)\n"
"\n"
"Other:\n"
"      --debug            show each step runtrace takes and libbpf's messages\n"
"  -h, --help             this text\n"
"\n"
"Ctrl-C or SIGTERM detaches: attached processes run on untouched; a command\n"
"runtrace started gets the signal.  With no more traced process, trace ends.\n"
"Exit status: the command's (128+signal if it was killed); 0 for -p and\n"
"--cgroup; 2 bad usage or target (no such pid, a kernel thread, not a cgroup);\n"
"3 runtrace could not trace (no BPF, output not writable); 127 the command\n"
"cannot be run (not found, not executable).\n";

enum trace_opt {
	T_PID, T_CGROUP, T_FOLLOW, T_OUTPUT, T_EXPR, T_TRACESET, T_STATUS, T_FAILED, T_VERBOSE,
	T_XSTYLE, T_STRSIZE, T_TIME, T_DURATION,
	T_FDPATHS, T_COUNT, T_COUNT_TOO, T_WALL, T_JSON, T_DEBUG, T_HELP,
};

static const struct opt_def trace_opts[] = {
	{ "attach", 'p', OPT_ARG, T_PID },
	{ "cgroup", 0, OPT_ARG, T_CGROUP },
	{ "follow-forks", 'f', OPT_NOARG, T_FOLLOW },
	{ "output", 'o', OPT_ARG, T_OUTPUT },
	{ NULL, 'e', OPT_ARG, T_EXPR },
	{ "trace", 0, OPT_ARG, T_TRACESET },
	{ "status", 0, OPT_ARG, T_STATUS },
	{ "failed-only", 'Z', OPT_NOARG, T_FAILED },
	{ "no-abbrev", 'v', OPT_NOARG, T_VERBOSE },
	{ "const-print-style", 'X', OPT_ARG, T_XSTYLE },
	{ "string-limit", 's', OPT_ARG, T_STRSIZE },
	{ NULL, 't', OPT_NOARG, T_TIME },
	{ "syscall-times", 'T', OPT_NOARG, T_DURATION },
	{ "decode-fds", 'y', OPT_NOARG, T_FDPATHS },
	{ "summary-only", 'c', OPT_NOARG, T_COUNT },
	{ "summary", 'C', OPT_NOARG, T_COUNT_TOO },
	{ "summary-wall-clock", 'w', OPT_NOARG, T_WALL },
	{ "json", 0, OPT_NOARG, T_JSON },
	{ "debug", 0, OPT_NOARG, T_DEBUG },
	{ "help", 'h', OPT_NOARG, T_HELP },
};
const struct opt_def *const trace_opt_defs = trace_opts;
const size_t trace_opt_count = ARRAY_SIZE(trace_opts);

static int add_pids(struct trace_cfg *c, const char *name, const char *val, char *err,
		    size_t errlen)
{
	char *copy = strdup(val), *tok, *save = NULL;
	int ret = 0;
	long pid;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ", ", &save); tok && !ret; tok = strtok_r(NULL, ", ", &save)) {
		ret = opts_long(name, tok, 1, INT_MAX, &pid, err, errlen);
		if (!ret && c->npids == TRACE_MAX_PIDS)
			ret = opts_fail(err, errlen, "too many pids (at most %d)", TRACE_MAX_PIDS);
		if (!ret)
			c->pids[c->npids++] = pid;
	}
	if (!ret && !c->npids)
		ret = opts_fail(err, errlen, "invalid %s '%s': expected PID[,PID...]", name, val);
	free(copy);
	return ret;
}

/* -e trace=SET, -e status=failed, -e SET (strace's shorthand for trace=). */
static int set_expr(struct trace_cfg *c, const char *name, const char *val, char *err,
		    size_t errlen)
{
	__u64 bitmap[RT_SC_NR_MAX / 64];
	const char *set = val;
	char why[200];
	bool high;

	if (!strncmp(val, "status=", 7)) {
		if (!strcmp(val + 7, "failed") || !strcmp(val + 7, "!successful")) {
			c->failed_only = true;
			return 0;
		}
		return opts_fail(err, errlen, "invalid %s '%s': only status=failed is supported",
				 name, val);
	}
	if (!strncmp(val, "trace=", 6))
		set = val + 6;
	else if (strchr(val, '='))
		return opts_fail(err, errlen, "invalid %s '%s': expected trace=SET or status=failed",
				 name, val);
	if (!*set || rt_sc_filter_parse(set, bitmap, &high, why, sizeof(why)))
		return opts_fail(err, errlen, "invalid %s '%s': %s", name, val,
				 *set ? why : "empty set");
	c->filter = set;
	return 0;
}

static int apply(void *ctx, const struct opt_def *o, const char *name, const char *val,
		 char *err, size_t errlen)
{
	struct trace_cfg *c = ctx;

	switch (o->id) {
	case T_PID:
		return add_pids(c, name, val, err, errlen);
	case T_CGROUP:
		c->cgroup = val;
		return 0;
	case T_FOLLOW:
		return 0;
	case T_OUTPUT:
		if (!*val)
			return opts_fail(err, errlen, "invalid %s '': expected a file", name);
		c->output = val;
		return 0;
	case T_EXPR:
		return set_expr(c, name, val, err, errlen);
	case T_TRACESET:
		/* --trace=SET is -e trace=SET (a bare set is a trace= set) */
		if (strchr(val, '='))
			return opts_fail(err, errlen, "invalid %s '%s': expected a set of syscalls",
					 name, val);
		return set_expr(c, name, val, err, errlen);
	case T_STATUS:
		if (strcmp(val, "failed") && strcmp(val, "!successful"))
			return opts_fail(err, errlen, "invalid %s '%s': only failed is supported",
					 name, val);
		c->failed_only = true;
		return 0;
	case T_VERBOSE:
		c->verbose = true;
		return 0;
	case T_XSTYLE:
		if (!strcmp(val, "raw"))
			c->raw = true;
		else if (!strcmp(val, "abbrev"))
			c->raw = false;
		else
			return opts_fail(err, errlen, "invalid %s '%s': expected raw or abbrev",
					 name, val);
		return 0;
	case T_FAILED:
		c->failed_only = true;
		return 0;
	case T_STRSIZE:
		return opts_long(name, val, 0, 4096, &c->strsize, err, errlen);
	case T_TIME:
		if (c->tmode < 3)
			c->tmode++;
		return 0;
	case T_DURATION:
		c->durations = true;
		return 0;
	case T_FDPATHS:
		c->fd_paths = true;
		return 0;
	case T_COUNT:
		c->count = true;
		return 0;
	case T_COUNT_TOO:
		c->count_too = true;
		return 0;
	case T_WALL:
		c->wall = true;
		return 0;
	case T_JSON:
		c->json = true;
		return 0;
	case T_DEBUG:
		c->debug = true;
		return 0;
	case T_HELP:
		c->help = true;
		return 0;
	}
	return 0;
}

int trace_parse(int argc, char **argv, struct trace_cfg *c, char *err, size_t errlen)
{
	struct opts_parser p = { .defs = trace_opts, .ndefs = ARRAY_SIZE(trace_opts),
				 .apply = apply, .ctx = c };
	bool dashdash;
	int cmd, ret, modes;

	memset(c, 0, sizeof(*c));
	c->strsize = 32;
	ret = opts_parse(&p, argc, argv, 1, &cmd, &dashdash, err, errlen);
	if (ret || c->help)
		return ret;
	if (cmd < argc)
		c->argv = &argv[cmd];
	else if (dashdash)
		return opts_fail(err, errlen, "no command after --");
	modes = !!c->argv + !!c->npids + !!c->cgroup;
	if (!modes)
		return opts_fail(err, errlen, "nothing to trace: give a command, -p PID or --cgroup PATH");
	if (modes > 1)
		return opts_fail(err, errlen, "give one of a command, -p PID and --cgroup PATH");
	if (c->argv && !c->argv[0][0])
		return opts_fail(err, errlen, "empty command");
	if (c->count && c->count_too)
		return opts_fail(err, errlen, "-c and -C do not go together");
	if (c->json && c->count)
		c->json = true; /* the table as JSON */
	return 0;
}

/* ---- the watch ---------------------------------------------------------- */

struct tracer {
	struct trace_cfg *cfg;
	struct features feat;
	struct sink sinks[2];
	int nsinks;
	struct sink *live, *count;
	struct watch *watch;
	int out_fd;
	bool own_out;
	int werr;                /* the first error writing the trace */
};

static int open_output(struct tracer *t)
{
	if (!t->cfg->output) {
		t->out_fd = STDERR_FILENO;
		return 0;
	}
	t->out_fd = open(t->cfg->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (t->out_fd < 0) {
		rt_err("cannot create %s: %s", t->cfg->output, strerror(errno));
		return -errno;
	}
	t->own_out = true;
	return 0;
}

/* Threads traced at @ts (strace prefixes lines with the pid only while
 * there are several). */
static size_t tracked_tasks(void *ctx, __u64 ts)
{
	struct tracer *t = ctx;

	return t->watch ? watch__tasks_at(t->watch, ts) : 1;
}

/* After each round of the loop: write what is buffered. */
static int after_wait(void *ctx)
{
	struct tracer *t = ctx;

	if (t->live && !t->werr)
		t->werr = live_flush(t->live);
	return t->werr;
}

static int create_sinks(struct tracer *t)
{
	const struct trace_cfg *c = t->cfg;
	int err;

	if (!c->count) {
		struct live_opts lo = { .filter = c->filter, .strsize = c->strsize,
					.failed_only = c->failed_only, .json = c->json,
					.resumed = !c->argv, .fd = t->out_fd, .tmode = c->tmode,
					.durations = c->durations, .fd_paths = c->fd_paths,
					.raw = c->raw, .verbose = c->verbose,
					.column_pids = c->output != NULL,
					.tasks = tracked_tasks, .tasks_ctx = t };

		err = live_sink_new(&lo, &t->sinks[t->nsinks]);
		if (err)
			return err;
		t->live = &t->sinks[t->nsinks++];
	}
	if (c->count || c->count_too) {
		struct count_opts co = { .filter = c->filter, .failed_only = c->failed_only };

		err = count_sink_new(&co, &t->sinks[t->nsinks]);
		if (err)
			return err;
		t->count = &t->sinks[t->nsinks++];
	}
	return 0;
}

/* The targets: pids checked and their processes found, or the cgroup. */
static int resolve_targets(struct tracer *t, struct watch_opts *wo, pid_t *tgids)
{
	struct trace_cfg *c = t->cfg;
	char why[256];
	int i, err;

	for (i = 0; i < c->npids; i++) {
		err = scope_check_pid(c->pids[i], &tgids[i], why, sizeof(why));
		if (err) {
			rt_err("%s", why);
			return -EINVAL;
		}
	}
	wo->pids = tgids;
	wo->npids = c->npids;
	if (c->cgroup) {
		err = scope_cgroup(c->cgroup, t->feat.cgroup2, &wo->cgroup_id, &wo->cgroup_level,
				   why, sizeof(why));
		if (err) {
			rt_err("%s", why);
			return -EINVAL;
		}
	}
	return 0;
}

static int write_table(struct tracer *t)
{
	struct rt_count *counts = calloc(RT_COUNT_SLOTS, sizeof(*counts));
	struct strbuf sb = { 0 };
	int err;

	if (!counts)
		return -ENOMEM;
	err = count_read(t->count, counts);
	if (!err) {
		if (t->cfg->json)
			count_json(&sb, counts, t->cfg->wall);
		else
			count_table(&sb, counts, t->cfg->wall);
		err = strbuf_write(&sb, t->out_fd);
	}
	if (err)
		rt_err("cannot write the summary: %s", strerror(-err));
	strbuf_free(&sb);
	free(counts);
	return err;
}

static int trace_main(struct trace_cfg *c)
{
	struct tracer t = { .cfg = c, .out_fd = -1 };
	struct watch_opts wo = { .what = "trace", .argv = c->argv, .after_wait = after_wait,
				 .ctx = &t };
	pid_t tgids[TRACE_MAX_PIDS];
	int ret = RT_EXIT_INTERNAL, err, status, i;

	rt_debug_on = c->debug;
	if (features_require_bpf(&t.feat, "trace") || features_require_xchg(&t.feat, "trace"))
		goto cleanup;
	if (resolve_targets(&t, &wo, tgids)) {
		ret = RT_EXIT_USAGE;
		goto cleanup;
	}
	if (c->argv && !watch_command_exists(c->argv[0])) {
		ret = 127; /* as a shell says for a command it cannot run */
		goto cleanup;
	}
	if (open_output(&t) || create_sinks(&t))
		goto cleanup;
	wo.sinks = t.sinks;
	wo.nsinks = t.nsinks;
	/* open, configure, load, attach; then the scope, the loop, the detach */
	t.watch = watch__new(&wo);
	if (!t.watch)
		goto cleanup;
	err = watch__run(t.watch);
	if (err == -EPIPE) {
		rt_dbg("trace: the output's reader went away: detached");
	} else if (err && t.werr) {
		rt_err("cannot write the trace: %s", strerror(-err));
	}
	if (t.live) {
		live_flush(t.live);
		if (live_lost(t.live))
			fprintf(stderr, "runtrace: %llu syscall records lost in all (ring buffer full)\n",
				(unsigned long long)live_lost(t.live));
	}
	if (t.count && !t.werr)
		write_table(&t);
	/* the exit status: the command's, as strace; 0 for attached targets */
	if (!c->argv)
		ret = err && err != -EPIPE ? RT_EXIT_INTERNAL : RT_EXIT_OK;
	else if (!watch__child_status(t.watch, &status))
		ret = err == -EPIPE ? 128 + SIGPIPE : RT_EXIT_INTERNAL;
	else if (WIFSIGNALED(status))
		ret = 128 + WTERMSIG(status);
	else
		ret = WEXITSTATUS(status);

cleanup:
	watch__free(t.watch);
	for (i = 0; i < t.nsinks; i++)
		t.sinks[i].ops->free(t.sinks[i].self);
	if (t.own_out)
		close(t.out_fd);
	return ret;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_cfg *c = calloc(1, sizeof(*c));
	char err[512];
	int ret;

	if (!c) {
		rt_err("out of memory");
		return RT_EXIT_INTERNAL;
	}
	if (trace_parse(argc, argv, c, err, sizeof(err))) {
		fprintf(stderr, "runtrace: trace: %s (see runtrace trace --help)\n", err);
		free(c);
		return RT_EXIT_USAGE;
	}
	if (c->help) {
		fputs(trace_usage, stdout);
		free(c);
		return RT_EXIT_OK;
	}
	ret = trace_main(c);
	free(c);
	return ret;
}
