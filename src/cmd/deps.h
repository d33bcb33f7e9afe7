/* SPDX-License-Identifier: GPL-2.0-only */
/* runtrace deps: options (pure parsing, unit-tested) and the subcommand. */
#ifndef RUNTRACE_CMD_DEPS_H
#define RUNTRACE_CMD_DEPS_H

#include <stdbool.h>
#include <stddef.h>

#define DEPS_MAX_IGNORE 64

struct deps_cfg {
	const char *dvc_file;    /* -f FILE.dvc */
	const char *stage;       /* --dvc-stage NAME */
	const char *depfile;     /* -M FILE.d */
	const char *json;        /* --json FILE ("-": stdout) */
	const char *root;        /* --root DIR */
	bool all;                /* --all: paths outside the root too */
	bool files;              /* --files: the files of a directory output */
	bool keep_failed;        /* --keep-failed: write even if the command failed */
	const char *ignore[DEPS_MAX_IGNORE]; /* --ignore GLOB */
	size_t nignore;
	bool debug;
	bool help;
	char **argv;             /* the command */
};

/* Parse `deps`'s arguments (@argv[0] is "deps").  0, or -EINVAL with a
 * one-line reason in @err. */
int deps_parse(int argc, char **argv, struct deps_cfg *c, char *err, size_t errlen);
/* runtrace deps ...: returns the exit status. */
int cmd_deps(int argc, char **argv);

extern const char deps_usage[];
struct opt_def;
extern const struct opt_def *const deps_opt_defs;
extern const size_t deps_opt_count;

#endif
