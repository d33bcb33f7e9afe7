/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The profiler prompt's commands, one line each (typed, or piped from a
 * script).  Pure: a line in, a command out.
 *
 *   start [-p PID] [-f FUNC...] [-t INTERVAL]   start (or resume) profiling
 *   stop                                        stop; the results are kept
 *   add -f FUNC...      remove -f FUNC...       change the functions
 *   results    status    interval T    help    exit
 */
#ifndef RUNTRACE_PROFILE_PROMPT_H
#define RUNTRACE_PROFILE_PROMPT_H

#include <stddef.h>
#include <linux/types.h>

enum pf_cmd_kind {
	PF_CMD_NONE,      /* an empty line, or a comment (#...) */
	PF_CMD_START,
	PF_CMD_STOP,
	PF_CMD_ADD,
	PF_CMD_REMOVE,
	PF_CMD_RESULTS,
	PF_CMD_STATUS,
	PF_CMD_INTERVAL,
	PF_CMD_HELP,
	PF_CMD_EXIT,
};

struct pf_cmd {
	enum pf_cmd_kind kind;
	int pid;              /* start -p PID; 0 if not given */
	char **funcs;         /* -f FUNC... (FUNC,FUNC also splits) */
	size_t nfuncs;
	__u64 interval_ns;    /* start -t T, interval T; 0 if not given */
};

/* Parse one line.  0, or -EINVAL with a one-line reason in @err (an
 * unknown command, a bad argument). */
int pf_cmd_parse(const char *line, struct pf_cmd *out, char *err, size_t errlen);
void pf_cmd_free(struct pf_cmd *c);

/* What `help` prints. */
extern const char pf_prompt_help[];

#endif
