// SPDX-License-Identifier: GPL-2.0-only
/*
 * A test driver for src/files/: the `deps` pipeline without a kernel.  It
 * replays file operations as the syscall records a traced command would
 * have produced, through the model, the view over the real file system,
 * the md5s and the writers; the Python tests (test_deps_writers.py) check
 * what it writes with real consumers (PyYAML, ninja, hashlib).
 *
 *   deps_replay md5 FILE            md5 hex (libmd)
 *   deps_replay dirhash DIR         "<md5>.dir NFILES SIZE" (DVC's .dir hash)
 *   deps_replay cmdline ARG...      the argv as DVC's cmd
 *   deps_replay bench N DISTINCT    time the model on N rounds of a failed
 *                                   stat, open, fstat, close of DISTINCT paths
 *   deps_replay run [options] -- OP...
 *     --root DIR --cwd DIR --start NS --cmd CMD --all --files --ignore GLOB
 *     -f FILE.dvc  -M FILE.d  --json FILE  --dvc-stage NAME
 *     OP: r:PATH (open O_RDONLY)  w:PATH (open O_WRONLY|O_CREAT|O_TRUNC)
 *         x:PATH (execve)  mkdir:PATH  mv:A:B  rm:PATH  cd:PATH
 *     (paths relative to the replayed process's cwd, as the command used
 *     them; ops happen in pid 4242, each returning success)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "files/depfile.h"
#include "files/dvc.h"
#include "files/fsio.h"
#include "files/json.h"
#include "files/model.h"
#include "files/path.h"
#include "files/view.h"
#include "syscalls/table.h"

#define PID 4242

static __u64 ts = 1000;

/* rt_sc_lookup, remembered. */
static int nr_of(const char *name)
{
	static struct {
		const char *name;
		int nr;
	} cache[16];
	static int n;
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(cache[i].name, name))
			return cache[i].nr;
	i = rt_sc_lookup(name);
	if (n < 16)
		cache[n].name = name, cache[n++].nr = i;
	return i;
}

/* Feed syscall @name with @nargs args; @paths[i] non-NULL: a path blob. */
static int feed(struct rt_files *m, const char *name, __s64 ret, const __u64 *args,
		const char *const *paths, int nargs)
{
	_Alignas(8) unsigned char b[4096];
	struct rt_syscall_event *ev = (void *)b;
	size_t off = sizeof(*ev);
	int i;

	memset(b, 0, sizeof(*ev));
	ev->hdr.type = RT_EV_SYSCALL;
	ev->hdr.pid = ev->hdr.tid = PID;
	ev->hdr.ts = ts;
	ts += 10;
	ev->duration_ns = 5;
	ev->ret = ret;
	ev->nr = nr_of(name);
	for (i = 0; i < nargs; i++) {
		struct rt_sc_blob *bl = (void *)(b + off);
		size_t n;

		ev->args[i] = args[i];
		if (!paths[i])
			continue;
		n = strlen(paths[i]) + 1;
		if (off + sizeof(*bl) + n + 8 > sizeof(b))
			return -ENAMETOOLONG;
		bl->arg = i;
		bl->kind = RT_BLOB_STR;
		bl->len = n;
		memcpy(bl + 1, paths[i], n);
		off += sizeof(*bl) + ((n + 3) & ~3u);
		ev->nblobs++;
	}
	off = (off + 7) & ~7ul;
	ev->hdr.size = off;
	return rt_files__syscall(m, ev, off);
}

static int op(struct rt_files *m, char *s)
{
	char *arg = strchr(s, ':'), *arg2;
	__u64 a[6] = { 0 };
	const char *p[6] = { 0 };

	if (!arg)
		return -EINVAL;
	*arg++ = 0;
	if (!strcmp(s, "r") || !strcmp(s, "w")) {
		a[0] = (__u64)AT_FDCWD;
		p[1] = arg;
		a[2] = !strcmp(s, "r") ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC;
		if (feed(m, "openat", 3, a, p, 3))
			return -ENOMEM;
		a[0] = 3;
		p[1] = NULL;
		return feed(m, "close", 0, a, p, 1);
	}
	if (!strcmp(s, "x") || !strcmp(s, "mkdir") || !strcmp(s, "rm") || !strcmp(s, "cd")) {
		p[0] = arg;
		return feed(m, !strcmp(s, "x") ? "execve" : !strcmp(s, "rm") ? "unlink" :
			       !strcmp(s, "cd") ? "chdir" : "mkdir", 0, a, p, 2);
	}
	if (!strcmp(s, "mv") && (arg2 = strchr(arg, ':'))) {
		*arg2++ = 0;
		p[0] = arg;
		p[1] = arg2;
		return feed(m, "rename", 0, a, p, 2);
	}
	return -EINVAL;
}

static int run(int argc, char **argv)
{
	struct rt_files_view_opts o = { 0 };
	const char *cwd = NULL, *cmd = "cmd", *dvc = NULL, *dep = NULL, *json = NULL, *stage = NULL;
	const char *ignore[16];
	struct rt_files_view v;
	struct rt_files *m;
	int i, err;
	size_t k;

	for (i = 0; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--all")) {
			o.all = true;
			continue;
		}
		if (!strcmp(a, "--files")) {
			o.files = true;
			continue;
		}
		if (!val)
			return 2;
		i++;
		if (!strcmp(a, "--root"))
			o.root = val;
		else if (!strcmp(a, "--cwd"))
			cwd = val;
		else if (!strcmp(a, "--start"))
			o.start_ns = strtoll(val, NULL, 10);
		else if (!strcmp(a, "--cmd"))
			cmd = val;
		else if (!strcmp(a, "--ignore") && o.nignore < 16)
			ignore[o.nignore++] = val;
		else if (!strcmp(a, "-f"))
			dvc = val;
		else if (!strcmp(a, "-M"))
			dep = val;
		else if (!strcmp(a, "--json"))
			json = val;
		else if (!strcmp(a, "--dvc-stage"))
			stage = val;
		else
			return 2;
	}
	o.ignore = ignore;
	if (!o.root || !cwd || i == argc)
		return 2;
	m = rt_files__new(cwd);
	if (!m || rt_files__add_process(m, PID, cwd))
		return 3;
	for (i++; i < argc; i++)
		if ((err = op(m, argv[i]))) {
			fprintf(stderr, "deps_replay: %s: %s\n", argv[i], strerror(-err));
			return 2;
		}
	if ((err = rt_files_view_build(m, &o, rt_files_stat_real, NULL, &v))) {
		fprintf(stderr, "deps_replay: view: %s\n", strerror(-err));
		return 3;
	}
	for (k = 0; k < v.nwarnings; k++)
		fprintf(stderr, "runtrace: warning: %s\n", v.warnings[k]);
	err = rt_files_view_hash(&v, json != NULL);
	if (!err && dvc)
		err = rt_dvc_write_file(dvc, cmd, NULL, &v);
	if (!err && stage)
		err = rt_dvc_update_stage(v.root, stage, cmd, NULL, &v);
	if (!err && dep)
		err = rt_depfile_write(dep, cwd, &v);
	if (!err && json)
		err = rt_files_json_write(json, cmd, &v);
	rt_files_view_free(&v);
	rt_files__free(m);
	return err ? 3 : 0;
}

static int bench(long n, long distinct)
{
	struct rt_files *m = rt_files__new("/r");
	__u64 a[6] = { 0 }, t0, t1;
	const char *p[6] = { 0 };
	struct timespec t;
	char path[256];
	long i;

	if (!m || n <= 0 || distinct <= 0 || rt_files__add_process(m, PID, "/r"))
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t0 = t.tv_sec * 1000000000ull + t.tv_nsec;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/usr/include/dir%ld/sub/file%ld.h", (i % distinct) / 50,
			 i % distinct);
		a[0] = (__u64)AT_FDCWD;
		p[1] = path;
		a[2] = a[3] = 0;
		feed(m, "newfstatat", -ENOENT, a, p, 4);
		a[2] = O_RDONLY;
		feed(m, "openat", 3, a, p, 3);
		a[0] = 3;
		p[1] = "";
		a[3] = AT_EMPTY_PATH;
		feed(m, "newfstatat", 0, a, p, 4);
		p[1] = NULL;
		feed(m, "close", 0, a, p, 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	t1 = t.tv_sec * 1000000000ull + t.tv_nsec;
	printf("%ld records, %zu paths: %.3f s, %.0f ns per record (building them included)\n",
	       4 * n, rt_files__count(m), (t1 - t0) / 1e9, (double)(t1 - t0) / (4 * n));
	rt_files__free(m);
	return 0;
}

int main(int argc, char **argv)
{
	char hex[40];
	__u64 n, size;
	int err;

	if (argc >= 3 && !strcmp(argv[1], "md5")) {
		if ((err = rt_files_md5_file(argv[2], hex, &size))) {
			fprintf(stderr, "deps_replay: %s: %s\n", argv[2], strerror(-err));
			return 3;
		}
		printf("%s %llu\n", hex, (unsigned long long)size);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "dirhash")) {
		if ((err = rt_files_md5_dir(argv[2], hex, &n, &size))) {
			fprintf(stderr, "deps_replay: %s: %s\n", argv[2], strerror(-err));
			return 3;
		}
		printf("%s %llu %llu\n", hex, (unsigned long long)n, (unsigned long long)size);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "cmdline")) {
		struct strbuf sb = { 0 };

		rt_path_cmdline(&sb, argv + 2);
		printf("%s\n", sb.buf ? sb.buf : "");
		strbuf_free(&sb);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "bench"))
		return bench(atol(argv[2]), atol(argv[3]));
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run(argc - 2, argv + 2);
	fprintf(stderr, "usage: deps_replay md5 FILE | dirhash DIR | cmdline ARG... | run OPTIONS -- OP...\n");
	return 2;
}
