// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen-completion bash|zsh: the shell completion of runtrace, written at
 * build time from the same data the binary uses, so it cannot drift:
 * - subcommands, their options and which take a value: the option tables
 *   (man/subcommands.c);
 * - what a value is: the option's value name in the --help text (DIR,
 *   FILE, PATH: files; PID: running processes; trace=SET or SET: syscall
 *   names and classes; [=a|b] or a|b: those words; status=failed: that
 *   word; N, SEC, MS...: nothing to offer);
 * - syscall names: the generated syscall table; classes: the %names the
 *   --help text lists, each checked with the -e trace= parser.
 * Prints the script on stdout; exit 1 with a message if the data does not
 * hold together.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "subcommands.h"
#include "syscalls/table.h"
#include "util/opts.h"

#define MAX_OPTS 128
#define MAX_METAS 4

enum kind {
	K_NONE = 0, /* a number, a duration: nothing to offer */
	K_FILE,     /* FILE, PATH */
	K_DIR,      /* DIR */
	K_PID,      /* PID[,PID...] */
	K_ENUM,     /* a|b, [=a|b] */
	K_EXPR,     /* trace=SET, SET, status=failed: see _runtrace_expr */
};

/* One option name of a subcommand and what its value is. */
struct name_doc {
	char name[48];                /* "-o", "--output" */
	const struct opt_def *def;
	char metas[MAX_METAS][64];    /* every value name the help gives it */
	int nmetas;
	char desc[160];
};

struct sub_doc {
	const struct subcommand_doc *sc;
	struct name_doc names[MAX_OPTS];
	int nnames;
};

static char classes[16][32];
static int nclasses;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("gen-completion: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static const struct opt_def *find_def(const struct subcommand_doc *sc, const char *name)
{
	const struct opt_def *defs = *sc->defs;
	size_t i;

	for (i = 0; i < *sc->count; i++) {
		if (name[1] == '-' && defs[i].lng && !strcmp(defs[i].lng, name + 2))
			return &defs[i];
		/* -t, and its repetitions -tt, -ttt */
		if (name[1] != '-' && defs[i].shrt && name[1] == defs[i].shrt &&
		    strspn(name + 1, (char[]){ defs[i].shrt, 0 }) == strlen(name + 1))
			return &defs[i];
	}
	return NULL;
}

static struct name_doc *name_of(struct sub_doc *sd, const char *name)
{
	int i;

	for (i = 0; i < sd->nnames; i++)
		if (!strcmp(sd->names[i].name, name))
			return &sd->names[i];
	return NULL;
}

/* Classes: the %words of the usage texts, each one the parser accepts. */
static void add_classes(const char *usage)
{
	const char *p;

	for (p = strchr(usage, '%'); p; p = strchr(p + 1, '%')) {
		__u64 bm[RT_SC_NR_MAX / 64];
		char word[32], why[200];
		size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz");
		bool high;
		int i;

		if (!n || n + 2 > sizeof(word))
			continue;
		snprintf(word, sizeof(word), "%%%.*s", (int)n, p + 1);
		for (i = 0; i < nclasses && strcmp(classes[i], word); i++)
			;
		if (i < nclasses)
			continue;
		if (rt_sc_filter_parse(word, bm, &high, why, sizeof(why)))
			die("the usage text names %s, which -e trace= refuses: %s", word, why);
		if (nclasses == (int)(sizeof(classes) / sizeof(classes[0])))
			die("too many syscall classes");
		strcpy(classes[nclasses++], word);
	}
}

/* Every option line of @sc's usage, tied to its table entry. */
static void read_sub(const struct subcommand_doc *sc, struct sub_doc *sd)
{
	const char *pos = sc->usage;
	struct doc_optline l;
	int ret, i;

	sd->sc = sc;
	while ((ret = doc_next_optline(&pos, &l)) > 0) {
		for (i = 0; i < l.nnames; i++) {
			const struct opt_def *def = find_def(sc, l.name[i]);
			struct name_doc *nd;

			if (!def)
				die("%s: --help shows %s, which the option table lacks", sc->name,
				    l.name[i]);
			nd = name_of(sd, l.name[i]);
			if (!nd) {
				if (sd->nnames == MAX_OPTS)
					die("%s: too many options", sc->name);
				nd = &sd->names[sd->nnames++];
				snprintf(nd->name, sizeof(nd->name), "%s", l.name[i]);
				nd->def = def;
				snprintf(nd->desc, sizeof(nd->desc), "%s", l.desc);
			}
			if (l.meta[i][0] && nd->nmetas < MAX_METAS)
				snprintf(nd->metas[nd->nmetas++], sizeof(nd->metas[0]), "%s", l.meta[i]);
		}
	}
	if (ret < 0)
		die("%s: an option line of --help cannot be read", sc->name);
	add_classes(sc->usage);
}

/* What the value named @meta is; @words gets an enumeration's words,
 * space-separated. */
static enum kind kind_of(const char *meta, char *words, size_t len)
{
	char m[64];
	size_t n;

	snprintf(m, sizeof(m), "%s", meta);
	n = strlen(m);
	if (n > 3 && !strncmp(m, "[=", 2) && m[n - 1] == ']') {
		memmove(m, m + 2, n - 3);
		m[n - 3] = '\0';
	}
	if (strchr(m, '|')) {
		char *p;

		snprintf(words, len, "%s", m);
		for (p = words; *p; p++)
			if (*p == '|')
				*p = ' ';
		return K_ENUM;
	}
	n = strlen(m);
	if (n >= 3 && !strcmp(m + n - 3, "SET"))
		return K_EXPR;
	if (strchr(m, '=') && !strpbrk(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
		return K_EXPR; /* a literal: status=failed */
	if (strstr(m, "PID"))
		return K_PID;
	if (strstr(m, "DIR"))
		return K_DIR;
	if (strstr(m, "FILE") || strstr(m, "PATH"))
		return K_FILE;
	return K_NONE;
}

static enum kind kind_of_name(const struct name_doc *nd, char *words, size_t len)
{
	enum kind k = K_NONE, ki;
	int i;

	for (i = 0; i < nd->nmetas; i++) {
		ki = kind_of(nd->metas[i], words, len);
		if (ki == K_EXPR)
			return K_EXPR;
		if (k == K_NONE)
			k = ki;
	}
	return k;
}

/* The long names of an option table entry, for the option lists. */
static void print_word_list(const struct sub_doc *sd, int want_value)
{
	int i, first = 1;

	for (i = 0; i < sd->nnames; i++) {
		const struct name_doc *nd = &sd->names[i];

		if (nd->name[1] != '-' && strlen(nd->name) > 2)
			continue; /* -tt: -t repeated */
		if (want_value && nd->def->arg != OPT_ARG)
			continue;
		printf("%s%s", first ? "" : " ", nd->name);
		first = 0;
		if (!want_value && nd->def->arg == OPT_OPTARG)
			printf(" %s=", nd->name);
	}
}

static void print_syscalls(const char *sep)
{
	int i, n = 0;

	for (i = 0; i < RT_SC_NR_MAX; i++)
		if (rt_sc_table[i].name)
			printf("%s%s", n++ ? sep : "", rt_sc_table[i].name);
}

/* ---- bash ---------------------------------------------------------------- */

static const char bash_functions[] =
"# _runtrace_expr CUR FORM...: FORM is PREFIXSET (a syscall set after PREFIX,\n"
"# e.g. trace=SET; a set is NAME[,NAME...], ! first to negate) or a literal\n"
"# word (status=failed).\n"
"_runtrace_expr()\n"
"{\n"
"    local cur=$1 form pre set neg item\n"
"    shift\n"
"    COMPREPLY=()\n"
"    for form; do\n"
"        if [[ $form != *SET ]]; then\n"
"            [[ $form == \"$cur\"* ]] && COMPREPLY+=(\"$form\")\n"
"            continue\n"
"        fi\n"
"        pre=${form%SET}\n"
"        if [[ $cur == \"$pre\"* && ( $pre || $cur != *=* ) ]]; then\n"
"            set=${cur#\"$pre\"} neg=\n"
"            [[ $set == '!'* ]] && neg='!' set=${set#!}\n"
"            item=${set##*,}\n"
"            COMPREPLY+=($(compgen -P \"$pre$neg${set%\"$item\"}\" \\\n"
"                -W \"$_runtrace_classes all none $_runtrace_syscalls\" -- \"$item\"))\n"
"        elif [[ $pre == \"$cur\"* ]]; then\n"
"            COMPREPLY+=(\"$pre\")\n"
"        fi\n"
"    done\n"
"    [[ ${#COMPREPLY[@]} == 1 && $COMPREPLY == *= ]] && compopt -o nospace\n"
"}\n"
"\n"
"# _runtrace_pids CUR: PID[,PID...] of processes that can be traced (not\n"
"# kernel threads); listed with their command names.\n"
"_runtrace_pids()\n"
"{\n"
"    local cur=$1 head= d pid comm arg\n"
"    local -a pids=() named=()\n"
"    if [[ $cur == *,* ]]; then\n"
"        head=${cur%,*}, cur=${cur##*,}\n"
"    fi\n"
"    for d in /proc/[0-9]*; do\n"
"        pid=${d#/proc/}\n"
"        [[ $pid == \"$cur\"* ]] || continue\n"
"        arg=\n"
"        IFS= read -r -d '' arg 2>/dev/null <\"$d/cmdline\"\n"
"        [[ $arg ]] || continue\n"
"        IFS= read -r comm 2>/dev/null <\"$d/comm\" || continue\n"
"        pids+=(\"$head$pid\")\n"
"        named+=(\"$head$pid ($comm)\")\n"
"    done\n"
"    if ((${#pids[@]} == 1)); then\n"
"        COMPREPLY=(\"${pids[@]}\")\n"
"    else\n"
"        COMPREPLY=(\"${named[@]}\")\n"
"    fi\n"
"}\n"
"\n"
"# The index in COMP_WORDS of words[$1] (words joins what '=' split).\n"
"_runtrace_comp_index()\n"
"{\n"
"    local j=0 acc\n"
"    _runtrace_k=0\n"
"    while ((j < $1 && _runtrace_k < ${#COMP_WORDS[@]})); do\n"
"        acc=${COMP_WORDS[_runtrace_k]}\n"
"        while [[ $acc != \"${words[j]}\" ]] && ((_runtrace_k + 1 < ${#COMP_WORDS[@]})); do\n"
"            ((_runtrace_k++))\n"
"            acc+=${COMP_WORDS[_runtrace_k]}\n"
"        done\n"
"        ((j++, _runtrace_k++))\n"
"    done\n"
"}\n"
"\n"
"_runtrace()\n"
"{\n"
"    local cur prev words cword split\n"
"    _init_completion -s || return\n"
"\n"
"    local sub=${_runtrace_subcommands%% *} i=1 w cmd= string= _runtrace_k\n"
"    if ((cword > 1)) && [[ \" $_runtrace_subcommands \" == *\" ${words[1]} \"* ]]; then\n"
"        sub=${words[1]} i=2\n"
"    fi\n"
"    local opts=_runtrace_opts_$sub valopts=_runtrace_valopts_$sub\n"
"    local after=_runtrace_after_$sub\n"
"\n"
"    # where the command starts: after --, or (strace's way) at the first\n"
"    # word that is not an option or an option's value\n"
"    for ((; i < cword; i++)); do\n"
"        w=${words[i]}\n"
"        if [[ $w == -- ]]; then\n"
"            cmd=$((i + 1))\n"
"            break\n"
"        elif [[ $w == -?* ]]; then\n"
"            [[ $w != *=* && \" ${!valopts} \" == *\" $w \"* ]] && ((i++))\n"
"        elif [[ ${!after} ]]; then\n"
"            string=$w\n"
"        else\n"
"            cmd=$i\n"
"            break\n"
"        fi\n"
"    done\n"
"    if [[ $cmd ]]; then\n"
"        _runtrace_comp_index \"$cmd\"\n"
"        _command_offset \"$_runtrace_k\"\n"
"        return\n"
"    fi\n"
"\n"
"    # an option's value\n"
"    if [[ $split == true || ( $prev == -* && \" ${!valopts} \" == *\" $prev \"* ) ]]; then\n"
"        \"_runtrace_value_$sub\" \"$prev\" \"$cur\"\n"
"        # readline replaces only what follows the last '=' of the word\n"
"        if [[ $cur == *=* && $COMP_WORDBREAKS == *=* ]]; then\n"
"            local eq=${cur%\"${cur##*=}\"}\n"
"            COMPREPLY=(\"${COMPREPLY[@]#\"$eq\"}\")\n"
"        fi\n"
"        return\n"
"    fi\n"
"\n"
"    if [[ $cur == -* ]]; then\n"
"        COMPREPLY=($(compgen -W \"${!opts}\" -- \"$cur\"))\n"
"        [[ ${#COMPREPLY[@]} == 1 && $COMPREPLY == *= ]] && compopt -o nospace\n"
"        return\n"
"    fi\n"
"    [[ $string ]] && return\n"
"    # the command (a string for the shell, or a program), or a subcommand\n"
"    COMPREPLY=($(compgen -c -- \"$cur\"))\n"
"    ((cword == 1)) && COMPREPLY+=($(compgen -W \"$_runtrace_subcommands\" -- \"$cur\"))\n"
"    [[ $cur == */* ]] && _filedir\n"
"}\n"
"complete -F _runtrace runtrace\n";

static void bash_value_fn(const struct sub_doc *sd)
{
	int i, j;

	printf("_runtrace_value_%s()\n{\n    case $1 in\n", sd->sc->name);
	for (i = 0; i < sd->nnames; i++) {
		const struct name_doc *nd = &sd->names[i];
		char words[64] = "";
		enum kind k;

		if (nd->def->arg == OPT_NOARG)
			continue;
		k = kind_of_name(nd, words, sizeof(words));
		printf("    %s) ", nd->name);
		switch (k) {
		case K_NONE: printf(";;\n"); break;
		case K_FILE: printf("_filedir ;;\n"); break;
		case K_DIR: printf("_filedir -d ;;\n"); break;
		case K_PID: printf("_runtrace_pids \"$2\" ;;\n"); break;
		case K_ENUM: printf("COMPREPLY=($(compgen -W '%s' -- \"$2\")) ;;\n", words); break;
		case K_EXPR:
			printf("_runtrace_expr \"$2\"");
			for (j = 0; j < nd->nmetas; j++)
				printf(" '%s'", nd->metas[j]);
			printf(" ;;\n");
			break;
		}
	}
	printf("    esac\n}\n\n");
}

static void gen_bash(const struct sub_doc *subs, size_t n)
{
	size_t s;
	int i;

	printf("# SPDX-License-Identifier: GPL-2.0-only\n"
	       "# bash completion for runtrace(1).  Generated at build time by\n"
	       "# completions/gen-completion.c from runtrace's option tables, --help texts\n"
	       "# and syscall table: do not edit.\n\n");
	printf("_runtrace_subcommands='");
	for (s = 0; s < n; s++)
		printf("%s%s", s ? " " : "", subs[s].sc->name);
	printf("'\n_runtrace_classes='");
	for (i = 0; i < nclasses; i++)
		printf("%s%s", i ? " " : "", classes[i]);
	printf("'\n_runtrace_syscalls='");
	print_syscalls(" ");
	printf("'\n\n");
	for (s = 0; s < n; s++) {
		printf("_runtrace_opts_%s='", subs[s].sc->name);
		print_word_list(&subs[s], 0);
		printf("'\n_runtrace_valopts_%s='", subs[s].sc->name);
		print_word_list(&subs[s], 1);
		printf("'\n_runtrace_after_%s=%s\n", subs[s].sc->name,
		       subs[s].sc->opts_after_command ? "1" : "");
	}
	printf("\n");
	for (s = 0; s < n; s++)
		bash_value_fn(&subs[s]);
	fputs(bash_functions, stdout);
}

/* ---- zsh ----------------------------------------------------------------- */

/* @s inside a single-quoted _arguments description: no quotes, brackets
 * escaped. */
static void zsh_desc(const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else if (*s == '[' || *s == ']' || *s == ':' || *s == '\\')
			printf("\\%c", *s);
		else
			putchar(*s);
	}
}

static const char zsh_functions[] =
"# _arguments calls an action with compadd's options (-J, -X...) before its\n"
"# own words: the actions pass them on.\n"
"# _runtrace_set: a syscall set, NAME[,NAME...], ! first to negate\n"
"_runtrace_set() {\n"
"  compset -P '*,' || compset -P '!'\n"
"  compadd \"$@\" -q -S , -a _runtrace_classes\n"
"  compadd \"$@\" -q -S , all none\n"
"  compadd \"$@\" -q -S , -a _runtrace_syscalls\n"
"}\n"
"\n"
"# _runtrace_expr [OPTIONS] FORM[,FORM...]: a FORM is PREFIXSET (a set after\n"
"# PREFIX) or a literal word\n"
"_runtrace_expr() {\n"
"  local form\n"
"  local -a forms lits\n"
"  forms=(${(s:,:)${@[-1]}})\n"
"  set -- \"${@[1,-2]}\"\n"
"  for form in $forms; do\n"
"    if [[ $form != *SET ]]; then\n"
"      lits+=($form)\n"
"    elif [[ -z ${form%SET} ]] || compset -P \"${form%SET}\"; then\n"
"      _runtrace_set \"$@\"\n"
"      return\n"
"    else\n"
"      compadd \"$@\" -S '' -- \"${form%SET}\"\n"
"    fi\n"
"  done\n"
"  (( $#lits )) && compadd \"$@\" -a lits\n"
"}\n"
"\n"
"# _runtrace_pids: PID[,PID...], described by their command names (no\n"
"# kernel threads: they cannot be traced)\n"
"_runtrace_pids() {\n"
"  local d c n\n"
"  local -a procs\n"
"  for d in /proc/<->(N); do\n"
"    { c=$(<$d/cmdline) n=$(<$d/comm) } 2>/dev/null || continue\n"
"    [[ -n $c ]] && procs+=(\"${d:t}:$n\")\n"
"  done\n"
"  compset -P '*,'\n"
"  _describe -t pids process procs \"$@\" -q -S ,\n"
"}\n"
"\n"
"_runtrace() {\n"
"  local -a subs\n"
"  subs=(${(s: :)_runtrace_subcommands})\n"
"  if (( CURRENT > 2 )) && (( ${subs[(Ie)$words[2]]} )); then\n"
"    local sub=$words[2]\n"
"    shift words\n"
"    (( CURRENT-- ))\n"
"    _runtrace_$sub\n"
"  elif (( CURRENT == 2 )) && [[ $PREFIX != -* ]]; then\n"
"    _alternative 'subcommands:subcommand:compadd -a subs' \\\n"
"      'commands:command:_command_names -e'\n"
"  else\n"
"    _runtrace_${subs[1]}\n"
"  fi\n"
"}\n"
"\n"
"_runtrace \"$@\"\n";

static void zsh_sub_fn(const struct sub_doc *sd)
{
	int i, j;

	printf("_runtrace_%s() {\n  _arguments -s -S : \\\n", sd->sc->name);
	for (i = 0; i < sd->nnames; i++) {
		const struct name_doc *nd = &sd->names[i];
		char words[64] = "";
		const char *suffix = "";
		enum kind k;

		if (nd->name[1] != '-' && strlen(nd->name) > 2)
			continue; /* -tt: -t repeated */
		if (nd->def->arg == OPT_ARG)
			suffix = nd->name[1] == '-' ? "=" : "+";
		else if (nd->def->arg == OPT_OPTARG)
			suffix = "=-";
		printf("    '*%s%s[", nd->name, suffix);
		zsh_desc(nd->desc);
		printf("]");
		if (nd->def->arg != OPT_NOARG) {
			k = kind_of_name(nd, words, sizeof(words));
			printf(":");
			zsh_desc(nd->nmetas ? nd->metas[0] : "value");
			switch (k) {
			case K_NONE: printf(": "); break;
			case K_FILE: printf(":_files"); break;
			case K_DIR: printf(":_files -/"); break;
			case K_PID: printf(":_runtrace_pids"); break;
			case K_ENUM: printf(":(%s)", words); break;
			case K_EXPR:
				printf(":_runtrace_expr ");
				for (j = 0; j < nd->nmetas; j++)
					printf("%s%s", j ? "," : "", nd->metas[j]);
				break;
			}
		}
		printf("' \\\n");
	}
	if (sd->sc->opts_after_command)
		printf("    '1:command string:_command_names -e' \\\n"
		       "    '*::command:_normal'\n}\n\n");
	else
		printf("    '(-)1:command:_command_names -e' \\\n"
		       "    '*::arguments:_normal'\n}\n\n");
}

static void gen_zsh(const struct sub_doc *subs, size_t n)
{
	size_t s;
	int i;

	printf("#compdef runtrace\n"
	       "# SPDX-License-Identifier: GPL-2.0-only\n"
	       "# zsh completion for runtrace(1).  Generated at build time by\n"
	       "# completions/gen-completion.c from runtrace's option tables, --help texts\n"
	       "# and syscall table: do not edit.\n\n");
	printf("_runtrace_subcommands='");
	for (s = 0; s < n; s++)
		printf("%s%s", s ? " " : "", subs[s].sc->name);
	printf("'\n_runtrace_classes=(");
	for (i = 0; i < nclasses; i++)
		printf("%s%s", i ? " " : "", classes[i]);
	printf(")\n_runtrace_syscalls=(");
	print_syscalls(" ");
	printf(")\n\n");
	for (s = 0; s < n; s++)
		zsh_sub_fn(&subs[s]);
	fputs(zsh_functions, stdout);
}

int main(int argc, char **argv)
{
	struct sub_doc *subs;
	size_t s;

	if (argc != 2 || (strcmp(argv[1], "bash") && strcmp(argv[1], "zsh"))) {
		fprintf(stderr, "usage: gen-completion bash|zsh\n");
		return 2;
	}
	subs = calloc(subcommand_count, sizeof(*subs));
	if (!subs)
		die("out of memory");
	for (s = 0; s < subcommand_count; s++)
		read_sub(&subcommands[s], &subs[s]);
	if (!nclasses)
		die("no syscall class in any usage text");
	if (!strcmp(argv[1], "bash"))
		gen_bash(subs, subcommand_count);
	else
		gen_zsh(subs, subcommand_count);
	free(subs);
	if (fflush(stdout) || ferror(stdout))
		die("cannot write: %s", strerror(errno));
	return 0;
}
