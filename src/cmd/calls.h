/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef RUNTRACE_CMD_CALLS_H
#define RUNTRACE_CMD_CALLS_H

#include <stdbool.h>
#include <sys/types.h>

#include "calls/spec.h"

#define CALLS_MAX_HOOKS 256

struct calls_cfg {
	struct call_spec specs[CALLS_MAX_HOOKS];
	int nspecs;
	const char *output;      /* -o */
	const char *exec_cmd;    /* --exec */
	bool json;
	bool follow;
	long strsize;            /* -s */
	struct call_errif errif;
	pid_t pid;               /* -p */
	char **argv;             /* the command */
	bool debug, help;
};

extern const char calls_usage[];
struct opt_def;
extern const struct opt_def *const calls_opt_defs;
extern const size_t calls_opt_count;

/* Parse `runtrace calls` options (argv[0] is "calls").  0, or -EINVAL
 * with a one-line reason in @err.  Pure except -F, which reads a file. */
int calls_parse(int argc, char **argv, struct calls_cfg *c, char *err, size_t errlen);
void calls_cfg_free(struct calls_cfg *c);

int cmd_calls(int argc, char **argv);

#endif
