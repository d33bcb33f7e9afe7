// SPDX-License-Identifier: GPL-2.0-only
/* The profiler prompt's command parser. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/prompt.h"
#include "profile/report.h"

const char pf_prompt_help[] =
"Commands:\n"
"  start [-p PID] [-f FUNC...] [-t INTERVAL]  start profiling (again: the results add up)\n"
"  stop                    stop profiling (nothing stays attached); results are kept\n"
"  add -f FUNC...          profile these functions too\n"
"  remove -f FUNC...       stop profiling these functions (their rows go)\n"
"  results                 the table so far\n"
"  status                  target, state, functions, interval, samples, lost samples\n"
"  interval T              the sampling period (e.g. 5ms, 500us; applies at once)\n"
"  help                    this text\n"
"  exit                    stop, print the table and leave (also Ctrl-D)\n"
"FUNC: func, module.func, Class.method, module.Class.method, path/file.py:func,\n"
"      a native symbol, lib.so:symbol\n";

#define MAX_WORDS 256

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const struct {
	const char *name;
	enum pf_cmd_kind kind;
} commands[] = {
	{ "start", PF_CMD_START },     { "stop", PF_CMD_STOP },
	{ "add", PF_CMD_ADD },         { "remove", PF_CMD_REMOVE },
	{ "results", PF_CMD_RESULTS }, { "status", PF_CMD_STATUS },
	{ "interval", PF_CMD_INTERVAL }, { "help", PF_CMD_HELP },
	{ "?", PF_CMD_HELP },          { "exit", PF_CMD_EXIT },
	{ "quit", PF_CMD_EXIT },
};

void pf_cmd_free(struct pf_cmd *c)
{
	size_t i;

	for (i = 0; i < c->nfuncs; i++)
		free(c->funcs[i]);
	free(c->funcs);
	c->funcs = NULL;
	c->nfuncs = 0;
}

/* Split @line on blanks into @words (pointers into @buf). */
static int split(char *buf, char **words, size_t *n)
{
	char *save = NULL, *w;

	*n = 0;
	for (w = strtok_r(buf, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (*n == MAX_WORDS)
			return -E2BIG;
		words[(*n)++] = w;
	}
	return 0;
}

/* FUNC or FUNC,FUNC... appended to c->funcs. */
static int add_funcs(struct pf_cmd *c, const char *word)
{
	char *copy = strdup(word), *save = NULL, *t;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (t = strtok_r(copy, ",", &save); t && !err; t = strtok_r(NULL, ",", &save)) {
		char **v = realloc(c->funcs, (c->nfuncs + 1) * sizeof(*v));

		if (!v) {
			err = -ENOMEM;
			break;
		}
		c->funcs = v;
		c->funcs[c->nfuncs] = strdup(t);
		if (!c->funcs[c->nfuncs])
			err = -ENOMEM;
		else
			c->nfuncs++;
	}
	free(copy);
	return err;
}

static bool is_opt(const char *w, const char *shrt, const char *lng)
{
	return !strcmp(w, shrt) || !strcmp(w, lng);
}

/* The options of start/add/remove from @words[@i...]: -p only for start,
 * -t only for start. */
static int parse_opts(struct pf_cmd *c, char **words, size_t n, const char *cmd, char *err,
		      size_t errlen)
{
	bool in_funcs = false;
	size_t i;
	int ret;

	for (i = 1; i < n; i++) {
		const char *w = words[i];

		if (is_opt(w, "-f", "--function")) {
			in_funcs = true;
			continue;
		}
		if (c->kind == PF_CMD_START && is_opt(w, "-p", "--pid")) {
			char *end;
			long pid;

			if (i + 1 == n)
				return fail(err, errlen, "%s: -p needs a PID", cmd);
			pid = strtol(words[++i], &end, 10);
			if (*end || end == words[i] || pid <= 0 || pid > INT_MAX)
				return fail(err, errlen, "%s: invalid PID '%s'", cmd, words[i]);
			c->pid = (int)pid;
			in_funcs = false;
			continue;
		}
		if (c->kind == PF_CMD_START && is_opt(w, "-t", "--interval")) {
			if (i + 1 == n)
				return fail(err, errlen, "%s: -t needs an interval", cmd);
			ret = pf_parse_interval(words[++i], &c->interval_ns, err, errlen);
			if (ret)
				return ret;
			in_funcs = false;
			continue;
		}
		if (w[0] == '-' || !in_funcs)
			return fail(err, errlen, "%s: unexpected '%s' (see help)", cmd, w);
		ret = add_funcs(c, w);
		if (ret)
			return ret;
	}
	if (c->kind != PF_CMD_START && !c->nfuncs)
		return fail(err, errlen, "%s: give the functions: %s -f FUNC...", cmd, cmd);
	return 0;
}

int pf_cmd_parse(const char *line, struct pf_cmd *out, char *err, size_t errlen)
{
	char *buf = strdup(line), *words[MAX_WORDS];
	size_t n, i;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return -ENOMEM;
	if (split(buf, words, &n)) {
		ret = fail(err, errlen, "line too long");
		goto cleanup;
	}
	if (!n || words[0][0] == '#')
		goto cleanup; /* PF_CMD_NONE */
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(words[0], commands[i].name))
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		ret = fail(err, errlen, "unknown command '%s' (type help)", words[0]);
		goto cleanup;
	}
	out->kind = commands[i].kind;
	switch (out->kind) {
	case PF_CMD_START:
	case PF_CMD_ADD:
	case PF_CMD_REMOVE:
		ret = parse_opts(out, words, n, words[0], err, errlen);
		break;
	case PF_CMD_INTERVAL:
		if (n != 2)
			ret = fail(err, errlen, "interval: give one period, e.g. interval 5ms");
		else
			ret = pf_parse_interval(words[1], &out->interval_ns, err, errlen);
		break;
	default:
		if (n > 1)
			ret = fail(err, errlen, "%s takes no arguments", words[0]);
		break;
	}
cleanup:
	if (ret) {
		pf_cmd_free(out);
		out->kind = PF_CMD_NONE;
	}
	free(buf);
	return ret;
}
