/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The subcommands whose option table, --help text and man page are kept
 * together: tests/unit/test_options_doc.c checks that they agree, and
 * completions/gen-completion.c makes the shell completions from the same
 * tables and texts.  Adding a subcommand is one line in man/subcommands.c
 * (and its page in man/meson.build); see /work/briefs/manpages.md.
 */
#ifndef RUNTRACE_MAN_SUBCOMMANDS_H
#define RUNTRACE_MAN_SUBCOMMANDS_H

#include <stdbool.h>
#include <stddef.h>

struct opt_def;

struct subcommand_doc {
	const char *name;                  /* "run", "trace": runtrace NAME */
	const struct opt_def *const *defs; /* &<name>_opt_defs */
	const size_t *count;               /* &<name>_opt_count */
	const char *usage;                 /* what -h prints: <name>_usage */
	const char *page;                  /* its scdoc source in man/ */
	bool opts_after_command;           /* options may follow the command
					    * (run's "STRING" -c 3); otherwise
					    * the first word that is not an
					    * option starts the command, as
					    * strace's */
};

/* The first is the default subcommand (`runtrace ARGS` is `runtrace run ARGS`). */
extern const struct subcommand_doc subcommands[];
extern const size_t subcommand_count;

/*
 * One option line of a usage text: indented by 2 to 7 spaces, its first
 * word starting with '-'; names separated by ", ", each with its value
 * ("-c, --count N", "-e trace=SET, --trace=SET", "--call-trace[=text|json]",
 * "-t, -tt, -ttt"), up to two spaces (then the description) or the end of
 * the line (then the description is on the next line).
 */
#define DOC_MAX_NAMES 6
struct doc_optline {
	int nnames;
	char name[DOC_MAX_NAMES][48];  /* "-c", "--count", "-tt" */
	char meta[DOC_MAX_NAMES][64];  /* "N", "trace=SET", "[=text|json]", "";
					* a short name without one takes the
					* next long name's ("-c, --count N") */
	char desc[160];                /* the first line of the description */
};

/* The next option line of the text at *@pos; advances *@pos past it.
 * 1 found, 0 no more, -EINVAL for a line that does not fit (too many
 * names, too long). */
int doc_next_optline(const char **pos, struct doc_optline *l);

#endif
