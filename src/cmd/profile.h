/* SPDX-License-Identifier: GPL-2.0-only */
/* runtrace profile: options and the subcommand (prompt, sessions, table). */
#ifndef RUNTRACE_CMD_PROFILE_H
#define RUNTRACE_CMD_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* The sampling period when none is given (chosen by measurement: README,
 * "runtrace profile"). */
#define PROFILE_DEFAULT_INTERVAL_NS 2000000ull

struct profile_cfg {
	int pid;                 /* -p, 0 if none */
	char **funcs;            /* -f FUNC... and the lines of -F FILE (malloc'd) */
	size_t nfuncs;
	const char *func_file;   /* -F */
	__u64 interval_ns;       /* -t */
	double duration;         /* --duration seconds, 0: none */
	bool json;
	bool debug;
	bool help;
	char **argv;             /* -- CMD, or NULL */
	bool in_funcs;           /* parsing: words after -f are functions */
};

/* Parse `profile`'s arguments (@argv[0] is "profile"; -F's file is read
 * later).  0, or -EINVAL with a one-line reason in @err. */
int profile_parse(int argc, char **argv, struct profile_cfg *c, char *err, size_t errlen);
void profile_cfg_free(struct profile_cfg *c);
/* runtrace profile ...: returns the exit status. */
int cmd_profile(int argc, char **argv);

extern const char profile_usage[];
struct opt_def;
extern const struct opt_def *const profile_opt_defs;
extern const size_t profile_opt_count;

#endif
