// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/opts.h"

int opts_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int opts_long(const char *name, const char *s, long min, long max, long *out,
	      char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max) {
		if (max == LONG_MAX)
			return opts_fail(err, errlen, "invalid %s '%s': expected a whole number >= %ld",
					 name, s, min);
		return opts_fail(err, errlen, "invalid %s '%s': expected a whole number from %ld to %ld",
				 name, s, min, max);
	}
	*out = v;
	return 0;
}

int opts_seconds(const char *name, const char *s, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v <= 0 || v > 1e7)
		return opts_fail(err, errlen, "invalid %s '%s': expected a number of seconds > 0",
				 name, s);
	*out = v;
	return 0;
}

static const struct opt_def *find_long(const struct opts_parser *p, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < p->ndefs; i++)
		if (p->defs[i].lng && strlen(p->defs[i].lng) == len &&
		    !strncmp(p->defs[i].lng, name, len))
			return &p->defs[i];
	return NULL;
}

static const struct opt_def *find_short(const struct opts_parser *p, char c)
{
	size_t i;

	for (i = 0; i < p->ndefs; i++)
		if (p->defs[i].shrt == c)
			return &p->defs[i];
	return NULL;
}

static int long_opt(const struct opts_parser *p, int argc, char **argv, int *i,
		    char *err, size_t errlen)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt_def *o = find_long(p, name, len);
	const char *val = NULL;
	char nm[64];

	if (!o)
		return opts_fail(err, errlen, "unknown option '--%.*s'", (int)len, name);
	if (eq) {
		if (o->arg == OPT_NOARG)
			return opts_fail(err, errlen, "option '--%s' takes no value", o->lng);
		val = eq + 1;
	} else if (o->arg == OPT_ARG) {
		if (*i + 1 >= argc)
			return opts_fail(err, errlen, "option '--%s' needs a value", o->lng);
		val = argv[++*i];
	}
	snprintf(nm, sizeof(nm), "--%s", o->lng);
	return p->apply(p->ctx, o, nm, val, err, errlen);
}

/* One or more short options: -c5, -hv, -c 5, -tt. */
static int short_opts(const struct opts_parser *p, int argc, char **argv, int *i,
		      char *err, size_t errlen)
{
	const char *s;
	int ret;

	for (s = argv[*i] + 1; *s; s++) {
		const struct opt_def *o = find_short(p, *s);
		char nm[3] = { '-', *s, 0 };
		const char *val = NULL;

		if (!o)
			return opts_fail(err, errlen, "unknown option '-%c'", *s);
		if (o->arg == OPT_ARG) {
			if (s[1])
				val = s + 1;
			else if (*i + 1 < argc)
				val = argv[++*i];
			else
				return opts_fail(err, errlen, "option '-%c' needs a value", *s);
			return p->apply(p->ctx, o, nm, val, err, errlen);
		}
		ret = p->apply(p->ctx, o, nm, NULL, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

int opts_parse(const struct opts_parser *p, int argc, char **argv, int first, int *cmd,
	       bool *dashdash, char *err, size_t errlen)
{
	int i, ret;

	*cmd = argc;
	*dashdash = false;
	for (i = first; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			*cmd = i + 1;
			*dashdash = true;
			return 0;
		}
		if (a[0] == '-' && a[1] == '-')
			ret = long_opt(p, argc, argv, &i, err, errlen);
		else if (a[0] == '-' && a[1])
			ret = short_opts(p, argc, argv, &i, err, errlen);
		else if (!p->positional)
			ret = 1;
		else
			ret = p->positional(p->ctx, argv, i, err, errlen);
		if (ret < 0)
			return ret;
		if (ret > 0) {
			*cmd = i;
			return 0;
		}
	}
	return 0;
}
