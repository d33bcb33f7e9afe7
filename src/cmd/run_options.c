// SPDX-License-Identifier: GPL-2.0-only
/* Command-line parsing.  Options may stand before or after a command string;
 * after `--` the remaining words are the command's argv (no shell). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/run_options.h"
#include "syscalls/table.h"
#include "util/opts.h"

const char cli_usage[] =
"Usage: runtrace [run] [OPTIONS] \"COMMAND STRING\" [OPTIONS]\n"
"       runtrace [run] [OPTIONS] -- PROGRAM [ARGS...]\n"
"       runtrace --version [-v]\n"
"\n"
"Run a command many times under eBPF tracing and keep the evidence of every\n"
"run that fails.  A command string runs through /bin/sh -c; after -- the words\n"
"run as argv, with no shell.  The command's stdin is /dev/null.\n"
"\n"
"Runs:\n"
"  -c, --count N          run N times (default 1)\n"
"      --failed-count N   stop once N runs have failed (runs in flight finish)\n"
"  -j, --jobs N           run up to N runs at once (default 1; 0: one per CPU),\n"
"                         each in its own scope, directory and artifacts\n"
"      --kill-on-fail     with --failed-count: once it is reached, kill the runs\n"
"                         still in flight (they count as interrupted)\n"
"      --timeout SEC      kill a run's whole process tree after SEC seconds;\n"
"                         the run counts as failed (reason \"timeout\")\n"
"  -o, --output DIR       base directory of artifacts (default runtrace-out);\n"
"                         each invocation writes DIR/YYYYmmdd-HHMMSS/\n"
"      --keep-all         keep artifacts of successful runs too\n"
"      --show-output      pass the command's stdout/stderr through live\n"
"\n"
"Evidence kept for failed runs (run-NNNN/ in the artifacts directory):\n"
"      --log-trace        stdout.log, stderr.log; printed after a failed run\n"
"      --call-trace[=text|json]\n"
"                         syscalls.log, strace-like (json: syscalls.jsonl too);\n"
"                         divergence.txt: where a failed run departs from the\n"
"                         last passing run\n"
"  -e trace=SET, --trace=SET\n"
"                         only these syscalls: names and classes (%file,\n"
"                         %network, %process, %signal, %memory, %desc)\n"
"  -Z, --failed-syscalls-only\n"
"                         only syscalls that returned an error (strace -Z)\n"
"  -s, --string-limit N   data bytes shown per buffer argument (default 32)\n"
"      --max-events N     syscalls kept per run, most recent first (default 5000000)\n"
"      --sys-trace        sys.csv, sys.txt, sys.svg: CPU, memory, processes,\n"
"                         disk and network over time\n"
"      --interval MS      --sys-trace sample period (default 100)\n"
"      --net-trace        net.pcap: the run's own packets\n"
"      --snaplen N        bytes captured per packet (default 262144)\n"
"  procs.log (fork/exec/exit of every process of the run) is always kept when\n"
"  runtrace runs as root.\n"
"\n"
"Other:\n"
"      --debug            show each step runtrace takes and libbpf's messages\n"
"  -h, --help             this text\n"
"      --version          version; with -v, libbpf, kernel and detected features\n"
"  -v, --verbose          with --version: what was detected\n"
"\n"
"Exit status: 0 every run succeeded, 1 at least one run failed, 2 usage error,\n"
"3 runtrace could not do its job (BPF load failure, output not writable...),\n"
"130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP.\n"
"Tracing flags need root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN).\n";

enum opt_id {
	O_COUNT, O_FAILED, O_TIMEOUT, O_OUTPUT, O_KEEPALL, O_SHOW, O_LOG, O_CALL,
	O_SYS, O_NET, O_INTERVAL, O_SNAPLEN, O_STRSIZE, O_MAXEV, O_TRACE, O_FAILEDSC,
	O_DEBUG, O_HELP, O_VERSION, O_VERBOSE, O_JOBS, O_KILLONFAIL,
};

static const struct opt_def opts[] = {
	{ "count", 'c', OPT_ARG, O_COUNT },
	{ "failed-count", 0, OPT_ARG, O_FAILED },
	{ "jobs", 'j', OPT_ARG, O_JOBS },
	{ "kill-on-fail", 0, OPT_NOARG, O_KILLONFAIL },
	{ "timeout", 0, OPT_ARG, O_TIMEOUT },
	{ "output", 'o', OPT_ARG, O_OUTPUT },
	{ "keep-all", 0, OPT_NOARG, O_KEEPALL },
	{ "show-output", 0, OPT_NOARG, O_SHOW },
	{ "log-trace", 0, OPT_NOARG, O_LOG },
	{ "call-trace", 0, OPT_OPTARG, O_CALL },
	{ "sys-trace", 0, OPT_NOARG, O_SYS },
	{ "net-trace", 0, OPT_NOARG, O_NET },
	{ "interval", 0, OPT_ARG, O_INTERVAL },
	{ "snaplen", 0, OPT_ARG, O_SNAPLEN },
	{ "string-limit", 's', OPT_ARG, O_STRSIZE },
	{ "max-events", 0, OPT_ARG, O_MAXEV },
	{ "trace", 'e', OPT_ARG, O_TRACE },
	{ "failed-syscalls-only", 'Z', OPT_NOARG, O_FAILEDSC },
	{ "debug", 0, OPT_NOARG, O_DEBUG },
	{ "help", 'h', OPT_NOARG, O_HELP },
	{ "version", 0, OPT_NOARG, O_VERSION },
	{ "verbose", 'v', OPT_NOARG, O_VERBOSE },
};
const struct opt_def *const run_opt_defs = opts;
const size_t run_opt_count = sizeof(opts) / sizeof(opts[0]);

static int apply(void *ctx, const struct opt_def *o, const char *name, const char *val,
		 char *err, size_t errlen)
{
	struct config *cfg = ctx;

	switch (o->id) {
	case O_COUNT:
		return opts_long(name, val, 1, LONG_MAX, &cfg->count, err, errlen);
	case O_FAILED:
		return opts_long(name, val, 1, LONG_MAX, &cfg->failed_count, err, errlen);
	case O_JOBS:
		return opts_long(name, val, 0, RT_MAX_JOBS, &cfg->jobs, err, errlen);
	case O_KILLONFAIL: cfg->kill_on_fail = true; return 0;
	case O_TIMEOUT:
		return opts_seconds(name, val, &cfg->timeout, err, errlen);
	case O_OUTPUT:
		if (!*val)
			return opts_fail(err, errlen, "invalid %s '': expected a directory", name);
		cfg->output = val;
		return 0;
	case O_KEEPALL: cfg->keep_all = true; return 0;
	case O_SHOW: cfg->show_output = true; return 0;
	case O_LOG: cfg->log_trace = true; return 0;
	case O_CALL:
		if (!val || !strcmp(val, "text"))
			cfg->call_trace = RT_CT_TEXT;
		else if (!strcmp(val, "json"))
			cfg->call_trace = RT_CT_JSON;
		else
			return opts_fail(err, errlen, "invalid %s '%s': expected text or json", name, val);
		return 0;
	case O_SYS: cfg->sys_trace = true; return 0;
	case O_NET: cfg->net_trace = true; return 0;
	case O_INTERVAL:
		return opts_long(name, val, 1, 3600 * 1000, &cfg->interval_ms, err, errlen);
	case O_SNAPLEN:
		return opts_long(name, val, 1, 262144, &cfg->snaplen, err, errlen);
	case O_STRSIZE:
		return opts_long(name, val, 0, 4096, &cfg->strsize, err, errlen);
	case O_MAXEV:
		return opts_long(name, val, 1, LONG_MAX, &cfg->max_events, err, errlen);
	case O_TRACE: {
		__u64 bitmap[RT_SC_NR_MAX / 64];
		const char *set = val;
		char why[200];
		bool high;

		/* -e trace=SET; --trace=SET as strace's */
		if (!strncmp(val, "trace=", 6))
			set = val + 6;
		else if (!strcmp(name, "-e"))
			set = NULL;
		if (!set || !*set)
			return opts_fail(err, errlen, "invalid %s '%s': expected %sNAME[,NAME...]",
					 name, val, strcmp(name, "-e") ? "" : "trace=");
		if (rt_sc_filter_parse(set, bitmap, &high, why, sizeof(why)))
			return opts_fail(err, errlen, "invalid %s '%s': %s", name, val, why);
		cfg->syscall_filter = set;
		return 0;
	}
	case O_FAILEDSC: cfg->failed_syscalls_only = true; return 0;
	case O_DEBUG: cfg->debug = true; return 0;
	case O_HELP: cfg->mode = RT_MODE_HELP; return 0;
	case O_VERSION: cfg->mode = RT_MODE_VERSION; return 0;
	case O_VERBOSE: cfg->verbose = true; return 0;
	}
	return 0;
}

struct run_parse {
	struct config *cfg;
	bool seen_positional;
};

/* A word that is not an option: `run` first, else the command string.
 * Options may follow it. */
static int positional(void *ctx, char **argv, int i, char *err, size_t errlen)
{
	struct run_parse *rp = ctx;
	struct config *cfg = rp->cfg;
	const char *a = argv[i];

	if (!rp->seen_positional && !cfg->argv && !strcmp(a, "run")) {
		rp->seen_positional = true;
		return 0;
	}
	rp->seen_positional = true;
	if (cfg->argv)
		return opts_fail(err, errlen,
				 "unexpected argument '%s' (quote the command string, or put the command after --)",
				 a);
	cfg->argv = &argv[i];
	cfg->argc = 1;
	cfg->shell = true;
	return 0;
}

static int apply_run(void *ctx, const struct opt_def *o, const char *name, const char *val,
		     char *err, size_t errlen)
{
	struct run_parse *rp = ctx;

	return apply(rp->cfg, o, name, val, err, errlen);
}

int cli_parse(int argc, char **argv, struct config *cfg, char *err, size_t errlen)
{
	struct run_parse rp = { .cfg = cfg };
	struct opts_parser p = { .defs = opts, .ndefs = sizeof(opts) / sizeof(opts[0]),
				 .apply = apply_run, .positional = positional, .ctx = &rp };
	bool dashdash;
	int cmd, ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->count = 1;
	cfg->jobs = 1;
	cfg->interval_ms = 100;
	cfg->snaplen = 262144;
	cfg->strsize = 32;
	cfg->max_events = 5000000;

	ret = opts_parse(&p, argc, argv, 1, &cmd, &dashdash, err, errlen);
	if (ret)
		return ret;
	if (dashdash) {
		if (cfg->argv)
			return opts_fail(err, errlen,
					 "both a command string and a command after -- were given");
		if (cmd >= argc)
			return opts_fail(err, errlen, "no command after --");
		cfg->argv = &argv[cmd];
		cfg->argc = argc - cmd;
		cfg->shell = false;
	}

	if (cfg->mode != RT_MODE_RUN)
		return 0;
	if (!cfg->argv)
		return opts_fail(err, errlen, "no command given");
	if (cfg->shell && !cfg->argv[0][strspn(cfg->argv[0], " \t\n")])
		return opts_fail(err, errlen, "empty command");
	if (!cfg->shell && !cfg->argv[0][0])
		return opts_fail(err, errlen, "empty command");
	if (cfg->verbose)
		return opts_fail(err, errlen, "-v goes with --version");
	if (cfg->kill_on_fail && !cfg->failed_count)
		return opts_fail(err, errlen, "--kill-on-fail goes with --failed-count");
	return 0;
}

bool cli_needs_bpf(const struct config *cfg)
{
	return cfg->call_trace != RT_CT_OFF || cfg->sys_trace || cfg->net_trace;
}
