// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
/* The documented subcommands (see subcommands.h) and the reader of their
 * usage texts' option lines. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "cmd/calls.h"
#include "cmd/deps.h"
#include "cmd/profile.h"
#include "cmd/run_options.h"
#include "cmd/trace.h"
#include "cmd/pystep.h"
#include "subcommands.h"

const struct subcommand_doc subcommands[] = {
	{ "run", &run_opt_defs, &run_opt_count, cli_usage, "runtrace.1.scd", true },
	{ "trace", &trace_opt_defs, &trace_opt_count, trace_usage, "runtrace-trace.1.scd", false },
	{ "deps", &deps_opt_defs, &deps_opt_count, deps_usage, "runtrace-deps.1.scd", false },
	{ "pystep", &pystep_opt_defs, &pystep_opt_count, pystep_usage, "runtrace-pystep.1.scd",
	  false },
	{ "profile", &profile_opt_defs, &profile_opt_count, profile_usage, "runtrace-profile.1.scd",
	  false },
	{ "calls", &calls_opt_defs, &calls_opt_count, calls_usage, "runtrace-calls.1.scd", false },
};
const size_t subcommand_count = sizeof(subcommands) / sizeof(subcommands[0]);

/* Copy [@s, @e) trimmed into @dst of @size; -EINVAL if it does not fit. */
static int copy_span(char *dst, size_t size, const char *s, const char *e)
{
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if ((size_t)(e - s) >= size)
		return -EINVAL;
	memcpy(dst, s, e - s);
	dst[e - s] = '\0';
	return 0;
}

/* One "NAME[ META|=META|[=META]]" item of [@s, @e). */
static int parse_item(struct doc_optline *l, const char *s, const char *e)
{
	const char *n = s;
	int i = l->nnames;

	if (i == DOC_MAX_NAMES || *s != '-')
		return -EINVAL;
	while (n < e && (*n == '-' || isalnum((unsigned char)*n)))
		n++;
	if (copy_span(l->name[i], sizeof(l->name[i]), s, n))
		return -EINVAL;
	if (n < e && (*n == ' ' || *n == '='))
		n++;
	if (copy_span(l->meta[i], sizeof(l->meta[i]), n, e))
		return -EINVAL;
	l->nnames++;
	return 0;
}

int doc_next_optline(const char **pos, struct doc_optline *l)
{
	const char *line = *pos, *eol, *p, *def_end, *item;
	size_t indent;
	int i;

	for (; *line; line = *eol ? eol + 1 : eol) {
		eol = strchrnul(line, '\n');
		indent = strspn(line, " ");
		if (indent < 2 || indent > 7 || line[indent] != '-')
			continue;
		memset(l, 0, sizeof(*l));
		/* names up to two spaces, the description after */
		p = line + indent;
		def_end = strstr(p, "  ");
		if (!def_end || def_end > eol)
			def_end = eol;
		for (item = p; item < def_end;) {
			const char *sep = strstr(item, ", ");

			if (!sep || sep > def_end)
				sep = def_end;
			if (parse_item(l, item, sep))
				return -EINVAL;
			item = sep < def_end ? sep + 2 : def_end;
		}
		for (i = 0; i + 1 < l->nnames; i++)
			if (!l->meta[i][0] && l->name[i][1] != '-' && l->name[i + 1][1] == '-')
				strcpy(l->meta[i], l->meta[i + 1]);
		/* the description: after the names, or the next line */
		if (def_end == eol && *eol) {
			const char *next = eol + 1, *next_eol = strchrnul(next, '\n');

			if (strspn(next, " ") > 7)
				def_end = next, eol = next_eol;
		}
		if (copy_span(l->desc, sizeof(l->desc), def_end, eol))
			return -EINVAL;
		*pos = *eol ? eol + 1 : eol;
		return 1;
	}
	*pos = line;
	return 0;
}
