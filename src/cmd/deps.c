// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace deps: the files a command read, executed and wrote, from the
 * kernel's view of every process of the command (src/files/: the sink
 * that feeds the model, the view, the writers), as a DVC stage, a
 * depfile or JSON.  The command runs normally: its stdio and exit status
 * pass through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/deps.h"
#include "cmd/run_options.h"
#include "engine/features.h"
#include "engine/watch.h"
#include "files/depfile.h"
#include "files/dvc.h"
#include "files/fsio.h"
#include "files/json.h"
#include "files/model.h"
#include "files/path.h"
#include "files/sink.h"
#include "files/view.h"
#include "util/opts.h"
#include "util/strbuf.h"
#include "util/util.h"


const char deps_usage[] =
"Usage: runtrace deps [OPTIONS] [--] COMMAND [ARGS...]\n"
"\n"
"Run COMMAND (stdin, stdout, stderr and exit status pass through) and write\n"
"down the files it read, executed and wrote, from the kernel's view of every\n"
"process of the command: a DVC stage, a Make depfile, JSON.  No ptrace.\n"
"\n"
"  input   a file any process read, mapped or executed (a script, an imported\n"
"          module, a shared object) while it held what it held before the run\n"
"  output  a file the command created, wrote, truncated or renamed onto, that\n"
"          exists at the end; a directory it made and filled is one output\n"
"          (unless --files).  Read then rewritten: an output, with a warning.\n"
"          Created and removed during the run: neither.  Deleted files: in\n"
"          the JSON, and a warning.\n"
"Paths are those the processes used, relative to the root (lists sorted by\n"
"path, byte order); .git, .dvc, __pycache__, *.pyc, /proc, /sys and /dev are\n"
"never listed.\n"
"\n"
"Outputs (any together; none: a short list on stderr):\n"
"  -f, --dvc-file FILE    a single-stage DVC file (cmd, deps and outs with md5)\n"
"      --dvc-stage NAME   add or update stage NAME in dvc.yaml and dvc.lock in\n"
"                         the root, leaving their other stages as they are\n"
"  -M, --depfile FILE     a Make-format depfile (outputs: inputs), paths\n"
"                         relative to the current directory, for make and ninja\n"
"      --json FILE        every path with its classes, size, md5 and pids\n"
"                         (FILE - : standard output)\n"
"\n"
"What is listed:\n"
"      --root DIR         paths inside DIR only, written relative to it\n"
"                         (default: the git top level of the current\n"
"                         directory, else the current directory)\n"
"      --all              paths outside the root too (written absolute)\n"
"      --files            the files of a directory output, not the directory\n"
"      --ignore GLOB      leave out paths matching GLOB (a component, or a\n"
"                         path from the root if it has a '/'; repeatable)\n"
"\n"
"Other:\n"
"      --keep-failed      write the outputs even if the command failed\n"
"      --debug            show each step runtrace takes and libbpf's messages\n"
"  -h, --help             this text\n"
"\n"
"The run ends when the command and every process it started are gone.\n"
"Ctrl-C or SIGTERM: the command's processes get the signal (SIGKILL a second\n"
"later) and nothing is written.\n"
"Exit status: the command's (128+signal if it was killed); nothing is\n"
"written if it failed, unless --keep-failed.  2 bad usage (no command, a\n"
"--root that is not a directory, a bad stage name); 3 runtrace could not do\n"
"its job (no BPF, an output it cannot write, records the kernel lost);\n"
"127 the command cannot be executed.\n";

enum deps_opt {
	D_DVC, D_STAGE, D_DEPFILE, D_JSON, D_ROOT, D_ALL, D_FILES, D_IGNORE, D_KEEP,
	D_DEBUG, D_HELP,
};

static const struct opt_def deps_opts[] = {
	{ "dvc-file", 'f', OPT_ARG, D_DVC },
	{ "dvc-stage", 0, OPT_ARG, D_STAGE },
	{ "depfile", 'M', OPT_ARG, D_DEPFILE },
	{ "json", 0, OPT_ARG, D_JSON },
	{ "root", 0, OPT_ARG, D_ROOT },
	{ "all", 0, OPT_NOARG, D_ALL },
	{ "files", 0, OPT_NOARG, D_FILES },
	{ "ignore", 0, OPT_ARG, D_IGNORE },
	{ "keep-failed", 0, OPT_NOARG, D_KEEP },
	{ "debug", 0, OPT_NOARG, D_DEBUG },
	{ "help", 'h', OPT_NOARG, D_HELP },
};
const struct opt_def *const deps_opt_defs = deps_opts;
const size_t deps_opt_count = ARRAY_SIZE(deps_opts);

/* DVC's rule (dvc/stage/utils.py: INVALID_STAGENAME_CHARS): no ASCII
 * punctuation but '-' and '_'; no control characters either. */
static bool stage_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c == 0x7f)
			return false;
		if (c < 0x80 && c != '-' && c != '_' && c != ' ' &&
		    !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z'))
			return false;
	}
	return true;
}

static int file_arg(const char **dst, const char *name, const char *val, char *err,
		    size_t errlen)
{
	if (!*val)
		return opts_fail(err, errlen, "invalid %s '': expected a file", name);
	*dst = val;
	return 0;
}

static int apply(void *ctx, const struct opt_def *o, const char *name, const char *val,
		 char *err, size_t errlen)
{
	struct deps_cfg *c = ctx;

	switch (o->id) {
	case D_DVC:
		return file_arg(&c->dvc_file, name, val, err, errlen);
	case D_STAGE:
		if (!stage_name_ok(val))
			return opts_fail(err, errlen,
					 "invalid %s '%s': a DVC stage name has no punctuation but '-' and '_'",
					 name, val);
		c->stage = val;
		return 0;
	case D_DEPFILE:
		return file_arg(&c->depfile, name, val, err, errlen);
	case D_JSON:
		return file_arg(&c->json, name, val, err, errlen);
	case D_ROOT:
		if (!*val)
			return opts_fail(err, errlen, "invalid %s '': expected a directory", name);
		c->root = val;
		return 0;
	case D_ALL:
		c->all = true;
		return 0;
	case D_FILES:
		c->files = true;
		return 0;
	case D_IGNORE:
		if (!*val)
			return opts_fail(err, errlen, "invalid %s '': expected a glob", name);
		if (c->nignore == DEPS_MAX_IGNORE)
			return opts_fail(err, errlen, "too many %s (at most %d)", name, DEPS_MAX_IGNORE);
		c->ignore[c->nignore++] = val;
		return 0;
	case D_KEEP:
		c->keep_failed = true;
		return 0;
	case D_DEBUG:
		c->debug = true;
		return 0;
	case D_HELP:
		c->help = true;
		return 0;
	}
	return 0;
}

int deps_parse(int argc, char **argv, struct deps_cfg *c, char *err, size_t errlen)
{
	struct opts_parser p = { .defs = deps_opts, .ndefs = ARRAY_SIZE(deps_opts),
				 .apply = apply, .ctx = c };
	bool dashdash;
	int cmd, ret;

	memset(c, 0, sizeof(*c));
	ret = opts_parse(&p, argc, argv, 1, &cmd, &dashdash, err, errlen);
	if (ret || c->help)
		return ret;
	if (cmd < argc)
		c->argv = &argv[cmd];
	else if (dashdash)
		return opts_fail(err, errlen, "no command after --");
	else
		return opts_fail(err, errlen, "no command: runtrace deps [OPTIONS] [--] COMMAND [ARGS...]");
	if (!c->argv[0][0])
		return opts_fail(err, errlen, "empty command");
	return 0;
}

/* ---- the run ---------------------------------------------------------- */

struct deps {
	struct deps_cfg *cfg;
	char *cwd;               /* where runtrace (and the command) starts */
	char *root;
	char *out_dvc, *out_dep, *out_json; /* absolute */
	struct features feat;
	struct sink files;       /* the file-access model (src/files/) */
	struct watch *watch;
	__s64 start_ns;          /* CLOCK_REALTIME_COARSE when the command starts */
};

/* The command is forked and in the scope: the model knows it, and files
 * written from now on are outputs (the kernel stamps mtimes with the
 * coarse clock). */
static int started(void *ctx, pid_t child)
{
	struct deps *d = ctx;

	d->start_ns = (__s64)now_ns(CLOCK_REALTIME_COARSE);
	return files_sink_start(&d->files, child);
}

/* @path made absolute against the cwd, normalised, and checked: a file
 * that can be written (its directory exists and is writable, it is not a
 * directory).  0, or -errno with the message printed. */
static int output_path(struct deps *d, const char *path, char **out)
{
	struct strbuf sb = { 0 };
	struct stat st;
	char *slash;
	int err = 0;

	if (rt_path_join(&sb, d->cwd, path)) {
		err = -EINVAL;
		goto cleanup;
	}
	if (!stat(sb.buf, &st) && S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto cleanup;
	}
	slash = strrchr(sb.buf, '/');
	*slash = 0;
	if (access(*sb.buf ? sb.buf : "/", W_OK))
		err = -errno;
	*slash = '/';
	if (!err && !(*out = strdup(sb.buf)))
		err = -ENOMEM;
cleanup:
	if (err)
		rt_err("cannot write %s: %s", path, strerror(-err));
	strbuf_free(&sb);
	return err;
}

/* The stage files are read (and checked) before the command runs: a
 * dvc.yaml that cannot be updated is found before, not after. */
static int check_stage(struct deps *d)
{
	struct rt_files_view empty = { .root = d->root };
	struct strbuf path = { 0 }, y = { 0 }, l = { 0 };
	char *yin = NULL, *lin = NULL;
	int err = 0;

	if (access(d->root, W_OK)) {
		err = -errno;
		rt_err("cannot write dvc.yaml in %s: %s", d->root, strerror(-err));
		return err;
	}
	strbuf_addf(&path, "%s/dvc.yaml", d->root);
	yin = read_file_at(AT_FDCWD, path.buf, 16 << 20, NULL);
	if (!yin && errno != ENOENT)
		err = -errno;
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/dvc.lock", d->root);
	lin = read_file_at(AT_FDCWD, path.buf, 16 << 20, NULL);
	if (!lin && errno != ENOENT && !err)
		err = -errno;
	if (err)
		rt_err("cannot read the stage files in %s: %s", d->root, strerror(-err));
	else
		err = rt_dvc_stage_text(yin, lin, d->cfg->stage, "", NULL, &empty, &y, &l, d->root);
	free(yin);
	free(lin);
	strbuf_free(&path);
	strbuf_free(&y);
	strbuf_free(&l);
	return err;
}

/* Before the run: the cwd, the root, where the outputs go.  RT_EXIT_OK,
 * RT_EXIT_USAGE or RT_EXIT_INTERNAL. */
static int prepare(struct deps *d)
{
	struct deps_cfg *c = d->cfg;
	struct stat st;

	d->cwd = getcwd(NULL, 0);
	if (!d->cwd) {
		rt_err("cannot find the current directory: %s", strerror(errno));
		return RT_EXIT_INTERNAL;
	}
	if (c->root) {
		d->root = realpath(c->root, NULL);
		if (!d->root || stat(d->root, &st) || !S_ISDIR(st.st_mode)) {
			rt_err("deps: --root %s: %s", c->root,
			       d->root ? strerror(ENOTDIR) : strerror(errno));
			return RT_EXIT_USAGE;
		}
	} else {
		d->root = rt_files_find_root(d->cwd);
		if (!d->root) {
			rt_err("cannot find the root: %s", strerror(errno));
			return RT_EXIT_INTERNAL;
		}
	}
	rt_dbg("deps: cwd %s, root %s", d->cwd, d->root);
	if ((c->dvc_file && output_path(d, c->dvc_file, &d->out_dvc)) ||
	    (c->depfile && output_path(d, c->depfile, &d->out_dep)) ||
	    (c->json && strcmp(c->json, "-") && output_path(d, c->json, &d->out_json)) ||
	    (c->stage && check_stage(d)))
		return RT_EXIT_INTERNAL;
	return RT_EXIT_OK;
}

/* No output asked for: a short list on stderr. */
static void print_list(const struct rt_files_view *v)
{
	struct strbuf sb = { 0 };
	size_t i, nin = 0, nout = 0;

	for (i = 0; i < v->n; i++) {
		const struct rt_files_entry *e = &v->v[i];
		const char *what = e->input ? "in" : e->output ? "out" :
				   (e->cls & RT_FC_DELETED) ? "deleted" : NULL;

		if (!what)
			continue;
		nin += e->input;
		nout += e->output;
		strbuf_addf(&sb, "  %-7s %s%s\n", what, e->path,
			    e->output && e->facts.is_dir ? "/" : "");
	}
	fprintf(stderr, "runtrace: deps: %zu input%s, %zu output%s (root %s)\n", nin,
		nin == 1 ? "" : "s", nout, nout == 1 ? "" : "s", v->root);
	if (sb.len)
		fputs(sb.buf, stderr);
	strbuf_free(&sb);
}

/* The view of the model, hashed, written where asked.  0 or -errno. */
static int write_outputs(struct deps *d)
{
	struct deps_cfg *c = d->cfg;
	struct rt_files *m = files_sink_model(&d->files);
	const struct rt_files_stats *fs = rt_files__stats(m);
	struct rt_files_view_opts o = { .root = d->root, .all = c->all, .files = c->files,
					.ignore = c->ignore, .nignore = c->nignore,
					.start_ns = d->start_ns };
	struct strbuf cmd = { 0 }, json = { 0 };
	struct rt_files_view v;
	size_t i;
	int err;

	rt_dbg("deps: %llu syscalls, %llu process records, %llu unfinished, %llu unknown pids",
	       (unsigned long long)fs->syscalls, (unsigned long long)fs->procs,
	       (unsigned long long)fs->unfinished, (unsigned long long)fs->unknown_pids);
	if (fs->unresolved)
		rt_err("warning: %llu path%s could not be resolved (longer than %d bytes, or an "
		       "unknown directory descriptor): the lists may miss them",
		       (unsigned long long)fs->unresolved, fs->unresolved == 1 ? "" : "s",
		       RT_SC_PATH_MAX - 1);
	if (fs->unknown_flags)
		rt_err("warning: %llu openat2 call%s with flags not captured: taken as read and written",
		       (unsigned long long)fs->unknown_flags, fs->unknown_flags == 1 ? "" : "s");
	err = rt_files_view_build(m, &o, rt_files_stat_real, NULL, &v);
	if (err) {
		rt_err("cannot list the command's files: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < v.nwarnings; i++)
		rt_err("warning: %s", v.warnings[i]);
	rt_path_cmdline(&cmd, c->argv);
	err = rt_files_view_hash(&v, c->json != NULL);
	if (!err && d->out_dvc)
		err = rt_dvc_write_file(d->out_dvc, cmd.buf, d->cwd, &v);
	if (!err && c->stage)
		err = rt_dvc_update_stage(v.root, c->stage, cmd.buf, d->cwd, &v);
	if (!err && d->out_dep)
		err = rt_depfile_write(d->out_dep, d->cwd, &v);
	if (!err && d->out_json)
		err = rt_files_json_write(d->out_json, cmd.buf, &v);
	if (!err && c->json && !strcmp(c->json, "-")) {
		rt_files_json(&json, cmd.buf, &v);
		fflush(stdout);
		err = strbuf_write(&json, STDOUT_FILENO);
		if (err)
			rt_err("cannot write the JSON: %s", strerror(-err));
	}
	if (!err && !c->dvc_file && !c->stage && !c->depfile && !c->json)
		print_list(&v);
	strbuf_free(&json);
	strbuf_free(&cmd);
	rt_files_view_free(&v);
	return err;
}

static int deps_main(struct deps_cfg *c)
{
	struct deps d = { .cfg = c };
	struct watch_opts wo = { .what = "deps", .argv = c->argv, .started = started, .ctx = &d };
	struct files_sink_opts fo = { .optional = true };
	int ret = RT_EXIT_INTERNAL, err, status;

	rt_debug_on = c->debug;
	ret = prepare(&d);
	if (ret != RT_EXIT_OK)
		goto cleanup;
	ret = RT_EXIT_INTERNAL;
	if (features_require_bpf(&d.feat, "deps") || features_require_xchg(&d.feat, "deps"))
		goto cleanup;
	if (!watch_command_exists(c->argv[0])) {
		ret = 127; /* as a shell says for a command it cannot run */
		goto cleanup;
	}
	fo.cwd = d.cwd;
	if (files_sink_new(&fo, &d.files))
		goto cleanup;
	wo.sinks = &d.files;
	wo.nsinks = 1;
	/* open, configure, load, attach; the command, the loop, the end */
	d.watch = watch__new(&wo);
	if (!d.watch)
		goto cleanup;
	err = watch__run(d.watch);
	if (!watch__child_status(d.watch, &status)) {
		/* the observation broke: the command was ended */
		rt_err("deps: nothing written");
		goto cleanup;
	}
	ret = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	rt_dbg("deps: the command ended with status %d", ret);

	/* what to write */
	if (watch__stop_signal(d.watch)) {
		rt_err("deps: interrupted: nothing written");
		ret = 128 + watch__stop_signal(d.watch);
		goto cleanup;
	}
	if (ret && !c->keep_failed) {
		rt_err("deps: the command failed (status %d): nothing written (--keep-failed writes)",
		       ret);
		goto cleanup;
	}
	if (err) {
		rt_err("deps: nothing written: %s", strerror(-err));
		ret = RT_EXIT_INTERNAL;
		goto cleanup;
	}
	if (files_sink_stats(&d.files)->lost) {
		rt_err("deps: %llu records lost (ring buffer full): the lists would be incomplete: "
		       "nothing written", (unsigned long long)files_sink_stats(&d.files)->lost);
		ret = RT_EXIT_INTERNAL;
		goto cleanup;
	}
	if (write_outputs(&d))
		ret = RT_EXIT_INTERNAL;

cleanup:
	watch__free(d.watch);
	if (d.files.ops)
		d.files.ops->free(d.files.self);
	free(d.cwd);
	free(d.root);
	free(d.out_dvc);
	free(d.out_dep);
	free(d.out_json);
	return ret;
}

int cmd_deps(int argc, char **argv)
{
	struct deps_cfg *c = calloc(1, sizeof(*c));
	char err[512];
	int ret;

	if (!c) {
		rt_err("out of memory");
		return RT_EXIT_INTERNAL;
	}
	if (deps_parse(argc, argv, c, err, sizeof(err))) {
		fprintf(stderr, "runtrace: deps: %s (see runtrace deps --help)\n", err);
		free(c);
		return RT_EXIT_USAGE;
	}
	if (c->help) {
		fputs(deps_usage, stdout);
		free(c);
		return RT_EXIT_OK;
	}
	ret = deps_main(c);
	free(c);
	return ret;
}
