/* SPDX-License-Identifier: GPL-2.0-only */
/* Command-line parsing: argv in, struct config out.  Pure: no I/O but the
 * error message written into the caller's buffer. */
#ifndef RUNTRACE_CLI_H
#define RUNTRACE_CLI_H

#include <stdbool.h>
#include <stddef.h>

/* Exit statuses of runtrace itself (documented in README and --help). */
enum {
	RT_EXIT_OK = 0,       /* every run succeeded */
	RT_EXIT_FAILED = 1,   /* at least one run failed */
	RT_EXIT_USAGE = 2,    /* bad command line */
	RT_EXIT_INTERNAL = 3, /* runtrace could not do its job */
};

/* Largest -j. */
#define RT_MAX_JOBS 1024

enum rt_mode {
	RT_MODE_RUN = 0,  /* run the command, keep failed runs' evidence */
	RT_MODE_HELP,     /* -h/--help */
	RT_MODE_VERSION,  /* --version [-v] */
};

enum rt_calltrace_fmt {
	RT_CT_OFF = 0,
	RT_CT_TEXT,       /* syscalls.log */
	RT_CT_JSON,       /* syscalls.jsonl as well */
};

struct config {
	enum rt_mode mode;
	bool verbose;             /* -v (with --version) */
	bool debug;               /* --debug */
	long count;               /* -c/--count, >= 1 */
	long failed_count;        /* --failed-count, 0 = no limit */
	long jobs;                /* -j/--jobs: runs at once (0: one per CPU) */
	bool kill_on_fail;        /* --kill-on-fail */
	double timeout;           /* --timeout seconds, 0 = none */
	const char *output;       /* -o/--output base dir (default runtrace-out) */
	bool keep_all;            /* --keep-all */
	bool log_trace;           /* --log-trace */
	bool show_output;         /* --show-output */
	enum rt_calltrace_fmt call_trace; /* --call-trace[=text|json] */
	bool sys_trace;           /* --sys-trace */
	bool net_trace;           /* --net-trace */
	long interval_ms;         /* --interval (sys-trace sample period) */
	long snaplen;             /* --snaplen (net-trace) */
	long strsize;             /* -s (call-trace data bytes shown) */
	long max_events;          /* --max-events (call-trace spool bound per run) */
	const char *syscall_filter; /* -e trace=... expression, NULL = all */
	bool failed_syscalls_only;  /* --failed-syscalls-only (strace -Z) */
	bool shell;               /* true: argv[0] is a string for /bin/sh -c */
	char **argv;              /* the command (NULL-terminated; points into argv) */
	int argc;
};

/* Fill @cfg from @argv.  Returns 0, or -EINVAL with a one-line reason in
 * @err (without the "runtrace: " prefix). */
int cli_parse(int argc, char **argv, struct config *cfg, char *err, size_t errlen);

/* True if any flag needing BPF (and so root) is set. */
bool cli_needs_bpf(const struct config *cfg);

/* The option table (for the man-page and --help consistency test). */
struct opt_def;
extern const struct opt_def *const run_opt_defs;
extern const size_t run_opt_count;

/* The usage text printed by --help. */
extern const char cli_usage[];

#endif
