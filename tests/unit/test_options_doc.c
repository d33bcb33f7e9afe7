// SPDX-License-Identifier: GPL-2.0-only
/*
 * Options, --help and man pages cannot drift apart.  For every subcommand
 * of man/subcommands.c:
 * - every option of its table is shown by its --help text and defined in
 *   its man page (short and long names), and neither shows an option the
 *   table lacks (a page defines an option on a line that starts with *-
 *   followed by a tab-indented description);
 * - --help and the page give each option name the same value name
 *   ("-o, --output DIR" and "*-o*, *--output* _DIR_");
 * - the page is built (listed in man/meson.build), is named after the
 *   subcommand, and has the sections a page needs;
 * and every page built belongs to a subcommand.
 * Arguments: the man/ source directory, then the pages man/meson.build
 * builds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "subcommands.h"
#include "util/opts.h"
#include "util/util.h"

static const char *man_dir;
static char **built_pages;
static int nbuilt;

#define MAX_PAIRS 256

/* (name, value name) pairs of option lines: "--count" "N". */
struct pairs {
	int n;
	char name[MAX_PAIRS][48];
	char meta[MAX_PAIRS][64];
};

static int problems;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_error(fmt, ap);
	va_end(ap);
	print_error("\n");
	problems++;
}

static void add_line(struct pairs *p, const struct doc_optline *l)
{
	int i;

	for (i = 0; i < l->nnames && p->n < MAX_PAIRS; i++, p->n++) {
		snprintf(p->name[p->n], sizeof(p->name[0]), "%s", l->name[i]);
		snprintf(p->meta[p->n], sizeof(p->meta[0]), "%s", l->meta[i]);
	}
	assert_true(p->n < MAX_PAIRS);
}

static bool has_name(const struct pairs *p, const char *name)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->name[i], name))
			return true;
	return false;
}

static bool has_pair(const struct pairs *p, const char *name, const char *meta)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->name[i], name) && !strcmp(p->meta[i], meta))
			return true;
	return false;
}

/* The option lines of a usage text. */
static void help_pairs(const char *usage, struct pairs *p)
{
	struct doc_optline l;
	const char *pos = usage;
	int ret;

	while ((ret = doc_next_optline(&pos, &l)) > 0)
		add_line(p, &l);
	assert_int_equal(ret, 0);
}

/* The option lines of an scdoc page: lines that start with "*-" and whose
 * next line is indented (the definition), read once their markup is gone
 * ("*-c*, *--count* _N_" is "-c, --count N"). */
static void man_pairs(const char *text, struct pairs *p)
{
	const char *line, *eol, *s;
	char plain[512];
	size_t n;

	for (line = text; *line; line = *eol ? eol + 1 : eol) {
		struct doc_optline l;
		const char *pos = plain;

		eol = strchrnul(line, '\n');
		if (strncmp(line, "*-", 2) || !*eol || eol[1] != '\t')
			continue;
		memcpy(plain, "  ", 2);
		n = 2;
		for (s = line; s < eol && n + 1 < sizeof(plain); s++) {
			if (*s == '\\' && s + 1 < eol)
				plain[n++] = *++s;
			else if (*s != '*' && *s != '_')
				plain[n++] = *s;
		}
		plain[n] = '\0';
		if (doc_next_optline(&pos, &l) != 1) {
			problem("cannot read the option line '%.*s'", (int)(eol - line), line);
			continue;
		}
		add_line(p, &l);
	}
}

/* The table entry a name stands for: "--count", "-c", "-tt" (-t twice). */
static const struct opt_def *table_entry(const struct subcommand_doc *sc, const char *name)
{
	const struct opt_def *defs = *sc->defs;
	size_t i;

	for (i = 0; i < *sc->count; i++) {
		if (name[1] == '-') {
			if (defs[i].lng && !strcmp(name + 2, defs[i].lng))
				return &defs[i];
		} else if (defs[i].shrt && name[1] == defs[i].shrt &&
			   strspn(name + 1, (char[]){ defs[i].shrt, 0 }) == strlen(name + 1)) {
			return &defs[i];
		}
	}
	return NULL;
}

/* Table -> @what and @what -> table. */
static void check_against_table(const struct subcommand_doc *sc, const struct pairs *p,
				 const char *what)
{
	const struct opt_def *defs = *sc->defs;
	char name[64];
	size_t i;
	int j;

	for (i = 0; i < *sc->count; i++) {
		if (defs[i].shrt) {
			snprintf(name, sizeof(name), "-%c", defs[i].shrt);
			if (!has_name(p, name))
				problem("%s: %s does not show %s", sc->name, what, name);
		}
		if (defs[i].lng) {
			snprintf(name, sizeof(name), "--%s", defs[i].lng);
			if (!has_name(p, name))
				problem("%s: %s does not show %s", sc->name, what, name);
		}
	}
	for (j = 0; j < p->n; j++)
		if (!table_entry(sc, p->name[j]))
			problem("%s: %s shows %s, which is not in its option table", sc->name, what,
				p->name[j]);
}

static char *read_page(const char *page)
{
	char path[4096];
	char *text;

	snprintf(path, sizeof(path), "%s/%s", man_dir, page);
	text = read_file_at(AT_FDCWD, path, 1 << 20, NULL);
	if (!text)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	return text;
}

static bool built(const char *page)
{
	int i;

	for (i = 0; i < nbuilt; i++)
		if (!strcmp(built_pages[i], page))
			return true;
	return false;
}

static void check_sections(const struct subcommand_doc *sc, const char *text)
{
	static const char *const sections[] = {
		"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "EXAMPLES", "SEE ALSO",
	};
	char want[128];
	size_t i, n;

	/* the preamble names the page after the file: runtrace-trace(1) */
	n = strcspn(sc->page, ".");
	snprintf(want, sizeof(want), "%.*s(%c)", (int)n, sc->page, sc->page[n + 1]);
	if (strncmp(text, want, strlen(want)))
		problem("%s: %s does not start with %s", sc->name, sc->page, want);
	for (i = 0; i < ARRAY_SIZE(sections); i++) {
		snprintf(want, sizeof(want), "\n# %s\n", sections[i]);
		if (!strstr(text, want))
			problem("%s: %s has no '# %s' section", sc->name, sc->page, sections[i]);
	}
}

static void test_subcommands_agree(void **state)
{
	size_t s;
	int j;

	for (s = 0; s < subcommand_count; s++) {
		const struct subcommand_doc *sc = &subcommands[s];
		struct pairs *help = calloc(1, sizeof(*help));
		struct pairs *man = calloc(1, sizeof(*man));
		char *text;

		assert_non_null(help);
		assert_non_null(man);
		if (!built(sc->page))
			problem("%s: its page %s is not in man/meson.build's man_pages", sc->name,
				sc->page);
		text = read_page(sc->page);
		help_pairs(sc->usage, help);
		man_pairs(text, man);
		if (!help->n)
			problem("%s: no option line in its --help text", sc->name);
		check_against_table(sc, help, "--help");
		check_against_table(sc, man, sc->page);
		for (j = 0; j < help->n; j++)
			if (!has_pair(man, help->name[j], help->meta[j]))
				problem("%s: --help shows '%s %s', %s does not", sc->name, help->name[j],
					help->meta[j], sc->page);
		for (j = 0; j < man->n; j++)
			if (!has_pair(help, man->name[j], man->meta[j]))
				problem("%s: %s shows '%s %s', --help does not", sc->name, sc->page,
					man->name[j], man->meta[j]);
		if (!strstr(sc->usage, "Exit status"))
			problem("%s: its --help text does not give the exit statuses", sc->name);
		check_sections(sc, text);
		free(text);
		free(help);
		free(man);
	}
	if (problems)
		fail_msg("%d disagreements between option tables, --help texts and man pages",
			 problems);
}

/* A page exists only for a subcommand that exists. */
static void test_every_page_has_a_subcommand(void **state)
{
	int i;
	size_t s;

	for (i = 0; i < nbuilt; i++) {
		for (s = 0; s < subcommand_count; s++)
			if (!strcmp(built_pages[i], subcommands[s].page))
				break;
		if (s == subcommand_count)
			fail_msg("man page %s belongs to no subcommand of man/subcommands.c",
				 built_pages[i]);
	}
}

/* The reader of option lines itself, on the forms the texts use. */
static void test_optline_reader(void **state)
{
	const char *text =
		"Usage: x [OPTIONS]\n"
		"  -c, --count N          run N times\n"
		"      --call-trace[=text|json]\n"
		"                         syscalls.log\n"
		"  -e trace=SET, --trace=SET\n"
		"                         only these\n"
		"  -t, -tt, -ttt          time\n"
		"  -e status=failed, -Z, --failed-only\n"
		"                         -c/-C: not an option line\n"
		"Exit status: 0\n";
	const char *pos = text;
	struct doc_optline l;

	assert_int_equal(doc_next_optline(&pos, &l), 1);
	assert_int_equal(l.nnames, 2);
	assert_string_equal(l.name[0], "-c");
	assert_string_equal(l.meta[0], "N");
	assert_string_equal(l.name[1], "--count");
	assert_string_equal(l.meta[1], "N");
	assert_string_equal(l.desc, "run N times");
	assert_int_equal(doc_next_optline(&pos, &l), 1);
	assert_string_equal(l.name[0], "--call-trace");
	assert_string_equal(l.meta[0], "[=text|json]");
	assert_string_equal(l.desc, "syscalls.log");
	assert_int_equal(doc_next_optline(&pos, &l), 1);
	assert_string_equal(l.meta[0], "trace=SET");
	assert_string_equal(l.name[1], "--trace");
	assert_string_equal(l.meta[1], "SET");
	assert_int_equal(doc_next_optline(&pos, &l), 1);
	assert_int_equal(l.nnames, 3);
	assert_string_equal(l.name[2], "-ttt");
	assert_string_equal(l.meta[0], "");
	assert_int_equal(doc_next_optline(&pos, &l), 1);
	assert_int_equal(l.nnames, 3);
	assert_string_equal(l.meta[0], "status=failed");
	assert_string_equal(l.name[1], "-Z");
	assert_string_equal(l.meta[1], "");
	assert_string_equal(l.desc, "-c/-C: not an option line");
	assert_int_equal(doc_next_optline(&pos, &l), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_optline_reader),
		cmocka_unit_test(test_subcommands_agree),
		cmocka_unit_test(test_every_page_has_a_subcommand),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: test_options_doc MAN_DIR PAGE...\n");
		return 2;
	}
	man_dir = argv[1];
	built_pages = argv + 2;
	nbuilt = argc - 2;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
