/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one command-line parser of every subcommand: a table of options
 * (long and short names, with or without a value), clusters of short
 * options (-tt, -c5, -hv), --name=value, and where the command starts
 * (after `--`, or at the first word that is not an option when the
 * subcommand says so, as strace does).  Pure: no I/O.
 */
#ifndef RUNTRACE_UTIL_OPTS_H
#define RUNTRACE_UTIL_OPTS_H

#include <stdbool.h>
#include <stddef.h>

enum opt_arg {
	OPT_NOARG = 0,   /* a flag */
	OPT_ARG = 1,     /* takes a value: --name VALUE, --name=VALUE, -x VALUE, -xVALUE */
	OPT_OPTARG = 2,  /* an optional value, only as --name=VALUE */
};

struct opt_def {
	const char *lng; /* without the leading --, or NULL */
	char shrt;       /* 0 if none */
	enum opt_arg arg;
	int id;          /* the subcommand's own enum */
};

struct opts_parser {
	const struct opt_def *defs;
	size_t ndefs;
	/* Apply option @o, spelled @name ("-c", "--count"), with value @val
	 * (NULL for flags and absent optional values).  0, or -EINVAL with the
	 * reason in @err. */
	int (*apply)(void *ctx, const struct opt_def *o, const char *name, const char *val,
		     char *err, size_t errlen);
	/* A word that is not an option.  Return 1 if the command starts here
	 * (parsing stops), 0 to go on, or -EINVAL with the reason in @err.
	 * NULL: the command starts at the first such word. */
	int (*positional)(void *ctx, char **argv, int i, char *err, size_t errlen);
	void *ctx;
};

/*
 * Parse @argv[@first..@argc).  Sets *@cmd to the index of the command's
 * first word (@argc if there is none) and *@dashdash if it came after
 * `--`.  0, or -EINVAL with a one-line reason in @err (no "runtrace: "
 * prefix).
 */
int opts_parse(const struct opts_parser *p, int argc, char **argv, int first, int *cmd,
	       bool *dashdash, char *err, size_t errlen);

/* Value helpers for apply callbacks: 0, or -EINVAL with the reason. */
int opts_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A whole number in [min, max], the whole string. */
int opts_long(const char *name, const char *s, long min, long max, long *out,
	      char *err, size_t errlen);
/* A number of seconds > 0 (fractions allowed). */
int opts_seconds(const char *name, const char *s, double *out, char *err, size_t errlen);

#endif
