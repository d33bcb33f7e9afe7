/* SPDX-License-Identifier: GPL-2.0-only */
/* runtrace trace: options (pure parsing, unit-tested) and the subcommand. */
#ifndef RUNTRACE_CMD_TRACE_H
#define RUNTRACE_CMD_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define TRACE_MAX_PIDS 1024

struct trace_cfg {
	pid_t pids[TRACE_MAX_PIDS];
	int npids;
	const char *cgroup;
	const char *output;
	const char *filter;      /* -e trace= */
	bool failed_only;        /* -Z, -e status=failed */
	long strsize;
	int tmode;               /* -t count: 0 none, 1 -t, 2 -tt, 3 -ttt */
	bool durations;          /* -T */
	bool fd_paths;           /* -y */
	bool verbose;            /* -v: structures unabbreviated */
	bool raw;                /* -X raw: constants as numbers */
	bool count;              /* -c */
	bool count_too;          /* -C */
	bool wall;               /* -w */
	bool json;
	bool debug;
	bool help;
	char **argv;             /* the command, or NULL */
};

/* Parse `trace`'s arguments (@argv[0] is "trace").  0, or -EINVAL with a
 * one-line reason in @err. */
int trace_parse(int argc, char **argv, struct trace_cfg *c, char *err, size_t errlen);
/* runtrace trace ...: returns the exit status. */
int cmd_trace(int argc, char **argv);

extern const char trace_usage[];
struct opt_def;
extern const struct opt_def *const trace_opt_defs;
extern const size_t trace_opt_count;

#endif
