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
"      --failed-count N   stop once N runs have failed\n"
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
"                         syscalls.log, strace-like (json: syscalls.jsonl too)\n"
"  -e trace=SET           only these syscalls: names and classes (%file,\n"
"                         %network, %process, %signal, %memory, %desc)\n"
"      --failed-syscalls-only  only syscalls that returned an error (strace -Z)\n"
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
"\n"
"Exit status: 0 every run succeeded, 1 at least one run failed, 2 usage error,\n"
"3 runtrace could not do its job (BPF load failure, output not writable...),\n"
"130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP.\n"
"Tracing flags need root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN).\n";

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A whole number in [min, max], the whole string. */
static int parse_long(const char *opt, const char *s, long min, long max, long *out,
		      char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max) {
		if (max == LONG_MAX)
			return fail(err, errlen, "invalid %s '%s': expected a whole number >= %ld",
				    opt, s, min);
		return fail(err, errlen, "invalid %s '%s': expected a whole number from %ld to %ld",
			    opt, s, min, max);
	}
	*out = v;
	return 0;
}

static int parse_seconds(const char *opt, const char *s, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v <= 0 || v > 1e7)
		return fail(err, errlen, "invalid %s '%s': expected a number of seconds > 0", opt, s);
	*out = v;
	return 0;
}

enum opt_id {
	O_COUNT, O_FAILED, O_TIMEOUT, O_OUTPUT, O_KEEPALL, O_SHOW, O_LOG, O_CALL,
	O_SYS, O_NET, O_INTERVAL, O_SNAPLEN, O_STRSIZE, O_MAXEV, O_TRACE, O_FAILEDSC,
	O_DEBUG, O_HELP, O_VERSION, O_VERBOSE,
};

struct opt {
	const char *lng;   /* without the leading -- */
	char shrt;         /* 0 if none */
	int arg;           /* 0 none, 1 required, 2 optional (only as --opt=value) */
	enum opt_id id;
};

static const struct opt opts[] = {
	{ "count", 'c', 1, O_COUNT },
	{ "failed-count", 0, 1, O_FAILED },
	{ "timeout", 0, 1, O_TIMEOUT },
	{ "output", 'o', 1, O_OUTPUT },
	{ "keep-all", 0, 0, O_KEEPALL },
	{ "show-output", 0, 0, O_SHOW },
	{ "log-trace", 0, 0, O_LOG },
	{ "call-trace", 0, 2, O_CALL },
	{ "sys-trace", 0, 0, O_SYS },
	{ "net-trace", 0, 0, O_NET },
	{ "interval", 0, 1, O_INTERVAL },
	{ "snaplen", 0, 1, O_SNAPLEN },
	{ "string-limit", 's', 1, O_STRSIZE },
	{ "max-events", 0, 1, O_MAXEV },
	{ "trace", 'e', 1, O_TRACE },
	{ "failed-syscalls-only", 'Z', 0, O_FAILEDSC },
	{ "debug", 0, 0, O_DEBUG },
	{ "help", 'h', 0, O_HELP },
	{ "version", 0, 0, O_VERSION },
	{ "verbose", 'v', 0, O_VERBOSE },
};

static int apply(struct config *cfg, const struct opt *o, const char *name, const char *val,
		 char *err, size_t errlen)
{
	switch (o->id) {
	case O_COUNT:
		return parse_long(name, val, 1, LONG_MAX, &cfg->count, err, errlen);
	case O_FAILED:
		return parse_long(name, val, 1, LONG_MAX, &cfg->failed_count, err, errlen);
	case O_TIMEOUT:
		return parse_seconds(name, val, &cfg->timeout, err, errlen);
	case O_OUTPUT:
		if (!*val)
			return fail(err, errlen, "invalid %s '': expected a directory", name);
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
			return fail(err, errlen, "invalid %s '%s': expected text or json", name, val);
		return 0;
	case O_SYS: cfg->sys_trace = true; return 0;
	case O_NET: cfg->net_trace = true; return 0;
	case O_INTERVAL:
		return parse_long(name, val, 1, 3600 * 1000, &cfg->interval_ms, err, errlen);
	case O_SNAPLEN:
		return parse_long(name, val, 1, 262144, &cfg->snaplen, err, errlen);
	case O_STRSIZE:
		return parse_long(name, val, 0, 4096, &cfg->strsize, err, errlen);
	case O_MAXEV:
		return parse_long(name, val, 1, LONG_MAX, &cfg->max_events, err, errlen);
	case O_TRACE: {
		__u64 bitmap[RT_SC_NR_MAX / 64];
		char why[200];
		bool high;

		if (strncmp(val, "trace=", 6) || !val[6])
			return fail(err, errlen, "invalid %s '%s': expected trace=NAME[,NAME...]",
				    name, val);
		if (rt_sc_filter_parse(val + 6, bitmap, &high, why, sizeof(why)))
			return fail(err, errlen, "invalid %s '%s': %s", name, val, why);
		cfg->syscall_filter = val + 6;
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

static const struct opt *find_long(const char *name, size_t len)
{
	unsigned i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strlen(opts[i].lng) == len && !strncmp(opts[i].lng, name, len))
			return &opts[i];
	return NULL;
}

static const struct opt *find_short(char c)
{
	unsigned i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].shrt == c)
			return &opts[i];
	return NULL;
}

static const char *const future_subcommands[] = {
	"trace", "deps", "profile", "calls", "pystep",
};

int cli_parse(int argc, char **argv, struct config *cfg, char *err, size_t errlen)
{
	bool seen_positional = false;
	int i, ret;
	unsigned k;

	memset(cfg, 0, sizeof(*cfg));
	cfg->count = 1;
	cfg->interval_ms = 100;
	cfg->snaplen = 262144;
	cfg->strsize = 32;
	cfg->max_events = 5000000;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			if (cfg->argv)
				return fail(err, errlen,
					    "both a command string and a command after -- were given");
			if (i + 1 >= argc)
				return fail(err, errlen, "no command after --");
			cfg->argv = &argv[i + 1];
			cfg->argc = argc - i - 1;
			cfg->shell = false;
			break;
		}
		if (a[0] == '-' && a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct opt *o = find_long(name, len);
			const char *val = NULL;
			char nm[64];

			if (!o)
				return fail(err, errlen, "unknown option '--%.*s'", (int)len, name);
			if (eq) {
				if (!o->arg)
					return fail(err, errlen, "option '--%s' takes no value", o->lng);
				val = eq + 1;
			} else if (o->arg == 1) {
				if (i + 1 >= argc)
					return fail(err, errlen, "option '--%s' needs a value", o->lng);
				val = argv[++i];
			}
			snprintf(nm, sizeof(nm), "--%s", o->lng);
			ret = apply(cfg, o, nm, val, err, errlen);
			if (ret)
				return ret;
			continue;
		}
		if (a[0] == '-' && a[1]) {
			/* one or more short options: -c5, -hv, -c 5 */
			const char *p;

			for (p = a + 1; *p; p++) {
				const struct opt *o = find_short(*p);
				char nm[3] = { '-', *p, 0 };
				const char *val = NULL;

				if (!o)
					return fail(err, errlen, "unknown option '-%c'", *p);
				if (o->arg == 1) {
					if (p[1])
						val = p + 1;
					else if (i + 1 < argc)
						val = argv[++i];
					else
						return fail(err, errlen, "option '-%c' needs a value", *p);
					ret = apply(cfg, o, nm, val, err, errlen);
					if (ret)
						return ret;
					break;
				}
				ret = apply(cfg, o, nm, NULL, err, errlen);
				if (ret)
					return ret;
			}
			continue;
		}
		/* a positional word */
		if (!seen_positional && !cfg->argv && !strcmp(a, "run")) {
			seen_positional = true;
			continue;
		}
		if (!seen_positional && !cfg->argv)
			for (k = 0; k < sizeof(future_subcommands) / sizeof(future_subcommands[0]); k++)
				if (!strcmp(a, future_subcommands[k]))
					return fail(err, errlen,
						    "'%s' is not available in this version of runtrace", a);
		seen_positional = true;
		if (cfg->argv)
			return fail(err, errlen,
				    "unexpected argument '%s' (quote the command string, or put the command after --)",
				    a);
		cfg->argv = &argv[i];
		cfg->argc = 1;
		cfg->shell = true;
	}

	if (cfg->mode != RT_MODE_RUN)
		return 0;
	if (!cfg->argv)
		return fail(err, errlen, "no command given");
	if (cfg->shell && !cfg->argv[0][strspn(cfg->argv[0], " \t\n")])
		return fail(err, errlen, "empty command");
	if (!cfg->shell && !cfg->argv[0][0])
		return fail(err, errlen, "empty command");
	if (cfg->verbose)
		return fail(err, errlen, "-v goes with --version");
	return 0;
}

bool cli_needs_bpf(const struct config *cfg)
{
	return cfg->call_trace != RT_CT_OFF || cfg->sys_trace || cfg->net_trace;
}
