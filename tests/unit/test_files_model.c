// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file-access model (src/files/model.c) and its view (view.c), fed
 * with record sequences built here as the kernel and the join would hand
 * them over; the syscalls of each case are those strace -f shows for the
 * real command (python3 stage.py, gcc -c, sed -i, sh -c 'cat a | sort > b',
 * cp into a directory) on Debian 12.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/close_range.h>
#include <cmocka.h>

#include "files/depfile.h"
#include "files/dvc.h"
#include "files/model.h"
#include "files/path.h"
#include "files/view.h"
#include "syscalls/table.h"
#include "util/util.h"

/* ---- records ---- */

static __u64 now_ts = 1000000;

struct arg {
	__u64 v;
	const char *s;      /* a path or string blob */
	const void *data;   /* a data blob */
	size_t len;
};
#define A(x) ((struct arg){ .v = (__u64)(x) })
#define S(x) ((struct arg){ .v = 0x7f0000001000ull, .s = (x) })
#define D(p, n) ((struct arg){ .v = 0x7f0000002000ull, .data = (p), .len = (n) })

struct rec {
	_Alignas(8) unsigned char b[2048];
	size_t off;
};

/* A joined record of syscall @name by @pid/@tid returning @ret. */
static size_t build(struct rec *r, __u32 pid, __u32 tid, const char *name, __s64 ret,
		    const struct arg *a, size_t n)
{
	struct rt_syscall_event *ev = (void *)r->b;
	int nr = rt_sc_lookup(name);
	size_t i;

	assert_true(nr >= 0);
	memset(r, 0, sizeof(*r));
	ev->hdr.type = RT_EV_SYSCALL;
	ev->hdr.pid = pid;
	ev->hdr.tid = tid;
	ev->hdr.run = 1;
	ev->hdr.ts = now_ts;
	ev->duration_ns = 5;
	now_ts += 10;
	ev->ret = ret;
	ev->nr = nr;
	r->off = sizeof(*ev);
	for (i = 0; i < n; i++) {
		struct rt_sc_blob *b = (void *)(r->b + r->off);
		const void *d = a[i].s ? (const void *)a[i].s : a[i].data;
		size_t len = a[i].s ? strlen(a[i].s) + 1 : a[i].len;

		ev->args[i] = a[i].v;
		if (!d)
			continue;
		assert_true(r->off + sizeof(*b) + len + 8 < sizeof(r->b));
		b->arg = i;
		b->kind = a[i].s ? RT_BLOB_STR : RT_BLOB_DATA;
		b->len = len;
		memcpy(b + 1, d, len);
		r->off += sizeof(*b) + ((len + 3) & ~3u);
		ev->nblobs++;
	}
	r->off = (r->off + 7) & ~7ul;
	ev->hdr.size = r->off;
	return r->off;
}

static void feed(struct rt_files *m, __u32 pid, __u32 tid, const char *name, __s64 ret,
		 const struct arg *a, size_t n)
{
	struct rec r;
	size_t len = build(&r, pid, tid, name, ret, a, n);

	assert_int_equal(rt_files__syscall(m, (void *)r.b, len), 0);
}

#define NARGS(...) (sizeof((struct arg[]){ __VA_ARGS__ }) / sizeof(struct arg))
/* SC(model, pid, "name", ret, args...) */
#define SC(m, pid, name, ret, ...) \
	feed(m, pid, pid, name, ret, (struct arg[]){ __VA_ARGS__ }, NARGS(__VA_ARGS__))
/* the same from thread @tid of process @pid */
#define SCT(m, pid, tid, name, ret, ...) \
	feed(m, pid, tid, name, ret, (struct arg[]){ __VA_ARGS__ }, NARGS(__VA_ARGS__))

static void proc_rec(struct rt_proc_event *e, __u32 kind, __u32 pid)
{
	memset(e, 0, sizeof(*e));
	e->hdr.type = RT_EV_PROC;
	e->hdr.size = sizeof(*e);
	e->hdr.pid = e->hdr.tid = pid;
	e->hdr.ts = now_ts;
	now_ts += 10;
	e->kind = kind;
}

static void FORK(struct rt_files *m, __u32 parent, __u32 child, bool thread)
{
	struct rt_proc_event e;

	proc_rec(&e, RT_PROC_FORK, parent);
	e.ppid = parent;
	e.child_pid = thread ? parent : child;
	e.child_tid = child;
	e.is_thread = thread;
	assert_int_equal(rt_files__proc(m, &e), 0);
}

static void EXIT(struct rt_files *m, __u32 pid)
{
	struct rt_proc_event e;

	proc_rec(&e, RT_PROC_EXIT, pid);
	assert_int_equal(rt_files__proc(m, &e), 0);
}

/* ---- the file system at the end ---- */

#define START_NS 1700000000000000000ll
#define OLD (START_NS - 1000000000ll)  /* an mtime before the run */
#define NEW (START_NS + 1000000ll)     /* an mtime during the run */

struct fake {
	const char *path;
	bool dir;
	__s64 mtime;
	bool exec;
};

struct fakefs {
	struct fake v[32];
	size_t n;
};

static void fs_add(struct fakefs *fs, const char *path, bool dir, __s64 mtime)
{
	assert_true(fs->n < 32);
	fs->v[fs->n++] = (struct fake){ path, dir, mtime, false };
}

static int fake_stat(void *ctx, const char *path, struct rt_files_facts *f)
{
	struct fakefs *fs = ctx;
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < fs->n; i++)
		if (!strcmp(fs->v[i].path, path)) {
			f->exists = true;
			f->is_dir = fs->v[i].dir;
			f->mtime_ns = fs->v[i].mtime;
			f->is_exec = fs->v[i].exec;
			f->size = 10;
		}
	return 0;
}

static void view(struct rt_files *m, struct fakefs *fs, bool all, bool files, struct rt_files_view *v)
{
	struct rt_files_view_opts o = { .root = "/r", .all = all, .files = files, .start_ns = START_NS };

	assert_int_equal(rt_files_view_build(m, &o, fake_stat, fs, v), 0);
}

/* The view's inputs (or outputs), space-separated, in the view's order. */
static const char *list(const struct rt_files_view *v, bool outputs)
{
	static char buf[4096];
	size_t i, len = 0;

	buf[0] = 0;
	for (i = 0; i < v->n; i++)
		if (outputs ? v->v[i].output : v->v[i].input)
			len += snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? " " : "", v->v[i].path);
	return buf;
}

static const struct rt_files_entry *E(const struct rt_files_view *v, const char *path)
{
	const struct rt_files_entry *e = rt_files_view_find(v, path);

	if (!e)
		fail_msg("no entry for %s", path);
	return e;
}

static struct rt_files *model(__u32 pid, const char *cwd)
{
	struct rt_files *m = rt_files__new("/nowhere");

	assert_non_null(m);
	assert_int_equal(rt_files__add_process(m, pid, cwd), 0);
	return m;
}

/* ---- the cases of the issue ---- */

/* python3 stage.py, first run (CPython compiles op.py and writes its
 * cache) and second run (it reads the cache only). */
static void python_run(struct rt_files *m, bool cached)
{
	SC(m, 100, "execve", 0, S("/usr/bin/python3"), A(0), A(0));
	SC(m, 100, "openat", 3, A(AT_FDCWD), S("/usr/lib/python3.11/os.py"), A(O_RDONLY | O_CLOEXEC));
	SC(m, 100, "close", 0, A(3));
	SC(m, 100, "newfstatat", 0, A(AT_FDCWD), S("/r/stage.py"), A(0), A(0));
	SC(m, 100, "openat", 3, A(AT_FDCWD), S("/r/stage.py"), A(O_RDONLY | O_CLOEXEC));
	SC(m, 100, "newfstatat", 0, A(3), S(""), A(0), A(AT_EMPTY_PATH));
	SC(m, 100, "close", 0, A(3));
	SC(m, 100, "openat", 3, A(AT_FDCWD), S("/r"), A(O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_DIRECTORY));
	SC(m, 100, "close", 0, A(3));
	SC(m, 100, "newfstatat", 0, A(AT_FDCWD), S("/r/op.py"), A(0), A(0));
	if (cached) {
		SC(m, 100, "openat", 3, A(AT_FDCWD), S("/r/__pycache__/op.cpython-311.pyc"),
		   A(O_RDONLY | O_CLOEXEC));
		SC(m, 100, "close", 0, A(3));
	} else {
		SC(m, 100, "openat", -ENOENT, A(AT_FDCWD), S("/r/__pycache__/op.cpython-311.pyc"),
		   A(O_RDONLY | O_CLOEXEC));
		SC(m, 100, "openat", 3, A(AT_FDCWD), S("/r/op.py"), A(O_RDONLY | O_CLOEXEC));
		SC(m, 100, "close", 0, A(3));
		SC(m, 100, "newfstatat", -ENOENT, A(AT_FDCWD), S("/r/__pycache__"), A(0), A(0));
		SC(m, 100, "mkdir", 0, S("/r/__pycache__"), A(0777));
		SC(m, 100, "openat", 3, A(AT_FDCWD), S("/r/__pycache__/op.cpython-311.pyc.140648585465728"),
		   A(O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC), A(0644));
		SC(m, 100, "close", 0, A(3));
		SC(m, 100, "rename", 0, S("/r/__pycache__/op.cpython-311.pyc.140648585465728"),
		   S("/r/__pycache__/op.cpython-311.pyc"));
	}
	SC(m, 100, "openat", 3, A(AT_FDCWD), S("input"), A(O_RDONLY | O_CLOEXEC));
	SC(m, 100, "close", 0, A(3));
	SC(m, 100, "openat", 3, A(AT_FDCWD), S("output"), A(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC), A(0666));
	SC(m, 100, "close", 0, A(3));
}

static void example_fs(struct fakefs *fs)
{
	fs_add(fs, "/r/input", false, OLD);
	fs_add(fs, "/r/op.py", false, OLD);
	fs_add(fs, "/r/stage.py", false, OLD);
	fs_add(fs, "/r/output", false, NEW);
	fs_add(fs, "/r/__pycache__", true, NEW);
	fs_add(fs, "/r/__pycache__/op.cpython-311.pyc", false, NEW);
	fs_add(fs, "/usr/bin/python3", false, OLD);
	fs_add(fs, "/usr/lib/python3.11/os.py", false, OLD);
}

static void test_example_stage(void **state)
{
	struct fakefs fs = { 0 };
	struct rt_files_view v;
	int cached;

	example_fs(&fs);
	for (cached = 0; cached < 2; cached++) {
		struct rt_files *m = model(100, "/r");

		python_run(m, cached);
		view(m, &fs, false, false, &v);
		assert_string_equal(list(&v, false), "input op.py stage.py");
		assert_string_equal(list(&v, true), "output");
		assert_int_equal(E(&v, "output")->cls, RT_FC_WRITTEN);
		assert_int_equal(E(&v, "input")->cls, RT_FC_READ);
		assert_null(rt_files_view_find(&v, "__pycache__"));
		assert_int_equal(v.nwarnings, 0);
		rt_files_view_free(&v);

		/* --all: the interpreter and its library too, absolute */
		view(m, &fs, true, false, &v);
		assert_string_equal(list(&v, false),
				    "/usr/bin/python3 /usr/lib/python3.11/os.py input op.py stage.py");
		assert_int_equal(E(&v, "/usr/bin/python3")->cls, RT_FC_EXECUTED);
		rt_files_view_free(&v);
		assert_int_equal(rt_files__stats(m)->unresolved, 0);
		rt_files__free(m);
	}
}

/* The view of the example, with the md5s the issue gives (computed from
 * its files by the prototype, not by runtrace), is the stage file
 * byte for byte. */
static void test_example_dvc_text(void **state)
{
	static const char want[] =
		"cmd: python3 stage.py\n"
		"deps:\n"
		"- path: input\n"
		"  md5: 77c58f04583c86f78c51df158e3f35e8\n"
		"- path: op.py\n"
		"  md5: 4c5e633103f9c90a7a275928c3266455\n"
		"- path: stage.py\n"
		"  md5: 1e0c1ae1f7d549148948a06e3237e8a3\n"
		"outs:\n"
		"- path: output\n"
		"  cache: true\n"
		"  md5: 40754c006b40f76c0139286da37a7971\n"
		"meta:\n"
		"  created-by: runtrace\n";
	static const struct {
		const char *path, *md5;
	} md5s[] = {
		{ "input", "77c58f04583c86f78c51df158e3f35e8" },
		{ "op.py", "4c5e633103f9c90a7a275928c3266455" },
		{ "stage.py", "1e0c1ae1f7d549148948a06e3237e8a3" },
		{ "output", "40754c006b40f76c0139286da37a7971" },
	};
	struct rt_files *m = model(100, "/r");
	struct strbuf out = { 0 };
	struct fakefs fs = { 0 };
	struct rt_files_view v;
	char *argv[] = { "python3", "stage.py", NULL };
	struct strbuf cmd = { 0 };
	size_t i;

	example_fs(&fs);
	python_run(m, false);
	view(m, &fs, false, false, &v);
	for (i = 0; i < 4; i++) {
		struct rt_files_entry *e = rt_files_view_find(&v, md5s[i].path);

		assert_non_null(e);
		strcpy(e->md5, md5s[i].md5);
		e->hashed = true;
	}
	rt_path_cmdline(&cmd, argv);
	assert_int_equal(rt_dvc_file_text(&out, "/r/test.dvc", cmd.buf, NULL, &v), 0);
	assert_string_equal(out.buf, want);
	/* run in /r, the file one level down: DVC runs the stage in wdir */
	strbuf_reset(&out);
	assert_int_equal(rt_dvc_file_text(&out, "/r/stages/test.dvc", cmd.buf, "/r", &v), 0);
	assert_non_null(strstr(out.buf, "cmd: python3 stage.py\nwdir: ..\ndeps:\n- path: input\n"));
	/* the same directory: no wdir */
	strbuf_reset(&out);
	assert_int_equal(rt_dvc_file_text(&out, "/r/test.dvc", cmd.buf, "/r", &v), 0);
	assert_string_equal(out.buf, want);
	strbuf_free(&out);
	strbuf_free(&cmd);
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* gcc -c main.c with a local header: gcc, cc1 (vfork+exec), as. */
static void test_gcc_local_headers(void **state)
{
	struct rt_files *m = model(200, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;
	int pipefds[2] = { 3, 4 };

	SC(m, 200, "execve", 0, S("/usr/bin/gcc"), A(0), A(0));
	SC(m, 200, "openat", 3, A(AT_FDCWD), S("/tmp/cc6aLgwx.s"), A(O_RDWR | O_CREAT | O_EXCL), A(0600));
	SC(m, 200, "close", 0, A(3));
	SC(m, 200, "pipe2", 0, D(pipefds, 8), A(O_CLOEXEC));
	FORK(m, 200, 201, false);
	SC(m, 201, "execve", 0, S("/usr/lib/gcc/x86_64-linux-gnu/12/cc1"), A(0), A(0));
	SC(m, 201, "newfstatat", -ENOENT, A(AT_FDCWD), S("main.c.gch"), A(0), A(0));
	SC(m, 201, "openat", 3, A(AT_FDCWD), S("main.c"), A(O_RDONLY | O_NOCTTY));
	SC(m, 201, "openat", 3, A(AT_FDCWD), S("/tmp/cc6aLgwx.s"), A(O_WRONLY | O_CREAT | O_TRUNC), A(0666));
	SC(m, 201, "openat", -ENOENT, A(AT_FDCWD), S("/usr/local/include/stdio.h"), A(O_RDONLY | O_NOCTTY));
	SC(m, 201, "openat", 4, A(AT_FDCWD), S("/usr/include/stdio.h"), A(O_RDONLY | O_NOCTTY));
	SC(m, 201, "close", 0, A(4));
	SC(m, 201, "openat", 4, A(AT_FDCWD), S("inc/a.h"), A(O_RDONLY | O_NOCTTY));
	SC(m, 201, "exit_group", 0, A(0));
	EXIT(m, 201);
	FORK(m, 200, 202, false);
	SC(m, 202, "execve", -ENOENT, S("/usr/local/bin/as"), A(0), A(0));
	SC(m, 202, "execve", 0, S("/usr/bin/as"), A(0), A(0));
	SC(m, 202, "newfstatat", -ENOENT, A(AT_FDCWD), S("main.o"), A(0), A(0));
	SC(m, 202, "openat", 3, A(AT_FDCWD), S("main.o"), A(O_RDWR | O_CREAT | O_TRUNC), A(0666));
	SC(m, 202, "openat", 4, A(AT_FDCWD), S("/tmp/cc6aLgwx.s"), A(O_RDONLY));
	EXIT(m, 202);
	SC(m, 200, "unlink", 0, S("/tmp/cc6aLgwx.s"));
	EXIT(m, 200);

	fs_add(&fs, "/r/main.c", false, OLD);
	fs_add(&fs, "/r/inc/a.h", false, OLD);
	fs_add(&fs, "/r/main.o", false, NEW);
	fs_add(&fs, "/usr/include/stdio.h", false, OLD);
	fs_add(&fs, "/usr/bin/as", false, OLD);
	fs_add(&fs, "/usr/bin/gcc", false, OLD);
	fs_add(&fs, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", false, OLD);

	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "inc/a.h main.c");
	assert_string_equal(list(&v, true), "main.o");
	assert_int_equal(E(&v, "main.o")->cls, RT_FC_WRITTEN | RT_FC_CREATED);
	assert_int_equal(E(&v, "main.c")->node->npids, 1);
	assert_int_equal(E(&v, "main.c")->node->pids[0], 201);
	assert_int_equal(E(&v, "main.o")->node->pids[0], 202);
	rt_files_view_free(&v);

	view(m, &fs, true, false, &v);
	assert_string_equal(list(&v, false),
			    "/usr/bin/as /usr/bin/gcc /usr/include/stdio.h "
			    "/usr/lib/gcc/x86_64-linux-gnu/12/cc1 inc/a.h main.c");
	/* the assembler's input, made and removed by gcc: neither */
	assert_int_equal(E(&v, "/tmp/cc6aLgwx.s")->cls, RT_FC_WRITTEN | RT_FC_CREATED | RT_FC_TEMPORARY);
	assert_false(E(&v, "/tmp/cc6aLgwx.s")->input);
	assert_false(E(&v, "/tmp/cc6aLgwx.s")->output);
	assert_null(rt_files_view_find(&v, "/usr/local/include/stdio.h"));
	assert_null(rt_files_view_find(&v, "/usr/local/bin/as"));
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* sed -i s/a/A/ x: read x, write ./sedXXXXXX, rename it onto x. */
static void test_sed_inplace(void **state)
{
	struct rt_files *m = model(300, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;
	const struct rt_files_entry *x, *tmp;

	SC(m, 300, "openat", 3, A(AT_FDCWD), S("x"), A(O_RDONLY));
	SC(m, 300, "openat", 4, A(AT_FDCWD), S("./sedbVNoIZ"), A(O_RDWR | O_CREAT | O_EXCL), A(0600));
	SC(m, 300, "fcntl", 0x8002, A(4), A(F_GETFL));
	SC(m, 300, "rename", 0, S("./sedbVNoIZ"), S("x"));
	fs_add(&fs, "/r/x", false, NEW);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "");
	assert_string_equal(list(&v, true), "x");
	x = E(&v, "x");
	assert_true(x->rewritten);
	assert_int_equal(x->cls, RT_FC_READ | RT_FC_WRITTEN);
	assert_string_equal(x->renamed_from[0], "sedbVNoIZ");
	assert_null(x->renamed_from[1]);
	tmp = E(&v, "sedbVNoIZ");
	assert_int_equal(tmp->cls, RT_FC_WRITTEN | RT_FC_CREATED | RT_FC_TEMPORARY);
	assert_string_equal(tmp->renamed_to[0], "x");
	assert_int_equal(v.nwarnings, 1);
	assert_string_equal(v.warnings[0], "x: read, then rewritten: listed as an output only");
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* A command that writes a temporary file and removes it. */
static void test_tmp_write_remove(void **state)
{
	struct rt_files *m = model(310, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;

	SC(m, 310, "openat", 3, A(AT_FDCWD), S("scratch"), A(O_WRONLY | O_CREAT | O_TRUNC), A(0666));
	SC(m, 310, "close", 0, A(3));
	SC(m, 310, "openat", 3, A(AT_FDCWD), S("scratch"), A(O_RDONLY));
	SC(m, 310, "unlink", 0, S("scratch"));
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "");
	assert_string_equal(list(&v, true), "");
	assert_int_equal(E(&v, "scratch")->cls, RT_FC_WRITTEN | RT_FC_TEMPORARY);
	assert_int_equal(v.nwarnings, 0);
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* sh -c 'cd sub && cat x': the shell's cwd, inherited by cat; a child's
 * chdir stays its own. */
static void test_cd_sub_cat(void **state)
{
	struct rt_files *m = model(320, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;

	SC(m, 320, "chdir", 0, S("sub"));
	FORK(m, 320, 321, false);
	SC(m, 321, "execve", 0, S("/usr/bin/cat"), A(0), A(0));
	SC(m, 321, "openat", 3, A(AT_FDCWD), S("x"), A(O_RDONLY));
	SC(m, 321, "chdir", 0, S("../other"));
	SC(m, 321, "openat", 3, A(AT_FDCWD), S("./y"), A(O_RDONLY));
	EXIT(m, 321);
	SC(m, 320, "openat", 3, A(AT_FDCWD), S("z"), A(O_RDONLY));
	fs_add(&fs, "/r/sub/x", false, OLD);
	fs_add(&fs, "/r/other/y", false, OLD);
	fs_add(&fs, "/r/sub/z", false, OLD);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "other/y sub/x sub/z");
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* openat(dirfd, ...) against a directory descriptor, ".." through it, an
 * absolute path ignoring it. */
static void test_openat_dirfd(void **state)
{
	struct rt_files *m = model(330, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;

	SC(m, 330, "openat", 3, A(AT_FDCWD), S("d"), A(O_RDONLY | O_DIRECTORY));
	SC(m, 330, "openat", 4, A(3), S("f"), A(O_RDONLY));
	SC(m, 330, "openat", 5, A(3), S("../g"), A(O_RDONLY));
	SC(m, 330, "openat", 6, A(3), S("/r/h"), A(O_RDONLY));
	SC(m, 330, "openat", 7, A(3), S("e/./../k//"), A(O_RDONLY));
	fs_add(&fs, "/r/d", true, OLD);
	fs_add(&fs, "/r/d/f", false, OLD);
	fs_add(&fs, "/r/g", false, OLD);
	fs_add(&fs, "/r/h", false, OLD);
	fs_add(&fs, "/r/d/k", false, OLD);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "d/f d/k g h");
	assert_null(rt_files_view_find(&v, "d"));
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* sh -c 'cat a | sort > b': pipe, two children, dup2 onto 0 and 1. */
static void test_pipeline(void **state)
{
	struct rt_files *m = model(400, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;
	int p[2] = { 3, 4 };

	SC(m, 400, "pipe2", 0, D(p, 8), A(0));
	FORK(m, 400, 401, false);
	SC(m, 401, "dup2", 1, A(4), A(1));
	SC(m, 401, "close", 0, A(3));
	SC(m, 401, "close", 0, A(4));
	SC(m, 401, "execve", 0, S("/usr/bin/cat"), A(0), A(0));
	SC(m, 401, "openat", 3, A(AT_FDCWD), S("a"), A(O_RDONLY));
	EXIT(m, 401);
	FORK(m, 400, 402, false);
	SC(m, 402, "dup2", 0, A(3), A(0));
	SC(m, 402, "close", 0, A(3));
	SC(m, 402, "close", 0, A(4));
	SC(m, 402, "openat", 3, A(AT_FDCWD), S("b"), A(O_WRONLY | O_CREAT | O_TRUNC), A(0666));
	SC(m, 402, "dup2", 1, A(3), A(1));
	SC(m, 402, "close", 0, A(3));
	SC(m, 402, "execve", 0, S("/usr/bin/sort"), A(0), A(0));
	EXIT(m, 402);
	fs_add(&fs, "/r/a", false, OLD);
	fs_add(&fs, "/r/b", false, NEW);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "a");
	assert_string_equal(list(&v, true), "b");
	assert_int_equal(E(&v, "a")->node->pids[0], 401);
	assert_int_equal(E(&v, "b")->node->pids[0], 402);
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* mkdir out && cp a b out/: one directory output, or its files (--files). */
static void test_mkdir_cp_into_dir(void **state)
{
	struct rt_files *m = model(410, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;
	const char *f[] = { "a", "b" };
	int i;

	FORK(m, 410, 411, false);
	SC(m, 411, "execve", 0, S("/usr/bin/mkdir"), A(0), A(0));
	SC(m, 411, "mkdir", 0, S("out"), A(0777));
	EXIT(m, 411);
	FORK(m, 410, 412, false);
	SC(m, 412, "execve", 0, S("/usr/bin/cp"), A(0), A(0));
	SC(m, 412, "openat", 3, A(AT_FDCWD), S("out/"), A(O_RDONLY | O_PATH | O_DIRECTORY));
	for (i = 0; i < 2; i++) {
		SC(m, 412, "newfstatat", 0, A(AT_FDCWD), S(f[i]), A(0), A(0));
		SC(m, 412, "newfstatat", -ENOENT, A(3), S(f[i]), A(0), A(0));
		SC(m, 412, "openat", 4, A(AT_FDCWD), S(f[i]), A(O_RDONLY));
		SC(m, 412, "openat", 5, A(3), S(f[i]), A(O_WRONLY | O_CREAT | O_EXCL), A(0644));
		SC(m, 412, "close", 0, A(4));
		SC(m, 412, "close", 0, A(5));
	}
	EXIT(m, 412);
	fs_add(&fs, "/r/a", false, OLD);
	fs_add(&fs, "/r/b", false, OLD);
	fs_add(&fs, "/r/out", true, NEW);
	fs_add(&fs, "/r/out/a", false, NEW);
	fs_add(&fs, "/r/out/b", false, NEW);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "a b");
	assert_string_equal(list(&v, true), "out");
	assert_int_equal(E(&v, "out")->cls, RT_FC_CREATED | RT_FC_WRITTEN);
	assert_string_equal(E(&v, "out/a")->within, "out");
	rt_files_view_free(&v);
	view(m, &fs, false, true, &v);
	assert_string_equal(list(&v, true), "out/a out/b");
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* Paths with spaces, '#', '$' and non-ASCII names, as written and in a
 * depfile (ninja reading it back: tests/unit/test_deps_writers.py). */
static void test_spaces_non_ascii(void **state)
{
	struct rt_files *m = model(420, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;
	struct strbuf d = { 0 };

	SC(m, 420, "openat", 3, A(AT_FDCWD), S("my file.txt"), A(O_RDONLY));
	SC(m, 420, "openat", 3, A(AT_FDCWD), S("donn\xc3\xa9""es/\xc3\xa9t\xc3\xa9.csv"), A(O_RDONLY));
	SC(m, 420, "openat", 3, A(AT_FDCWD), S("out put#1$.txt"), A(O_WRONLY | O_CREAT | O_TRUNC));
	fs_add(&fs, "/r/my file.txt", false, OLD);
	fs_add(&fs, "/r/donn\xc3\xa9""es/\xc3\xa9t\xc3\xa9.csv", false, OLD);
	fs_add(&fs, "/r/out put#1$.txt", false, NEW);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "donn\xc3\xa9""es/\xc3\xa9t\xc3\xa9.csv my file.txt");
	assert_string_equal(list(&v, true), "out put#1$.txt");
	assert_int_equal(rt_depfile_text(&d, &v, NULL), 0);
	assert_string_equal(d.buf, "out\\ put\\#1$$.txt: \\\n"
				   "  donn\xc3\xa9""es/\xc3\xa9t\xc3\xa9.csv \\\n"
				   "  my\\ file.txt\n");
	/* from where make runs: relative to that directory */
	strbuf_reset(&d);
	assert_int_equal(rt_depfile_text(&d, &v, "/r/donn\xc3\xa9""es"), 0);
	assert_string_equal(d.buf, "../out\\ put\\#1$$.txt: \\\n"
				   "  \xc3\xa9t\xc3\xa9.csv \\\n"
				   "  ../my\\ file.txt\n");
	strbuf_free(&d);
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* Threads share the descriptor table and the cwd. */
static void test_threads_share_fds(void **state)
{
	struct rt_files *m = model(500, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;

	FORK(m, 500, 501, true);
	SCT(m, 500, 501, "openat", 3, A(AT_FDCWD), S("d"), A(O_RDONLY | O_DIRECTORY));
	SCT(m, 500, 500, "openat", 4, A(3), S("x"), A(O_RDONLY));
	SCT(m, 500, 501, "fchdir", 0, A(3));
	SCT(m, 500, 500, "openat", 5, A(AT_FDCWD), S("y"), A(O_RDONLY));
	SCT(m, 500, 501, "close", 0, A(3));
	SCT(m, 500, 500, "openat", -EBADF, A(3), S("z"), A(O_RDONLY));
	fs_add(&fs, "/r/d", true, OLD);
	fs_add(&fs, "/r/d/x", false, OLD);
	fs_add(&fs, "/r/d/y", false, OLD);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "d/x d/y");
	assert_int_equal(rt_files__stats(m)->unresolved, 1); /* z: fd 3 closed by the other thread */
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* O_CLOEXEC and FD_CLOEXEC descriptors close at exec; dup2 and F_SETFD 0
 * clear the flag, F_DUPFD_CLOEXEC sets it. */
static void test_cloexec_at_exec(void **state)
{
	struct rt_files *m = model(510, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;
	struct rt_proc_event e;

	SC(m, 510, "openat", 3, A(AT_FDCWD), S("d1"), A(O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	SC(m, 510, "openat", 4, A(AT_FDCWD), S("d2"), A(O_RDONLY | O_DIRECTORY));
	SC(m, 510, "fcntl", 0, A(4), A(F_SETFD), A(FD_CLOEXEC));
	SC(m, 510, "openat", 5, A(AT_FDCWD), S("d3"), A(O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	SC(m, 510, "fcntl", 0, A(5), A(F_SETFD), A(0));
	SC(m, 510, "dup2", 6, A(3), A(6));
	SC(m, 510, "fcntl", 10, A(6), A(F_DUPFD_CLOEXEC), A(10));
	SC(m, 510, "dup3", 7, A(6), A(7), A(O_CLOEXEC));
	/* the exec: the PROC_EXEC record inside the execve, then its record */
	proc_rec(&e, RT_PROC_EXEC, 510);
	strcpy(e.filename, "/usr/bin/true");
	{
		struct rec r;
		size_t len = build(&r, 510, 510, "execve", 0, (struct arg[]){ S("/usr/bin/true") }, 1);
		struct rt_syscall_event *ev = (void *)r.b;

		ev->hdr.ts = e.hdr.ts - 3;
		ev->duration_ns = 6;
		assert_int_equal(rt_files__proc(m, &e), 0);
		assert_int_equal(rt_files__syscall(m, ev, len), 0);
	}
	SC(m, 510, "openat", -EBADF, A(3), S("a"), A(O_RDONLY));
	SC(m, 510, "openat", -EBADF, A(4), S("b"), A(O_RDONLY));
	SC(m, 510, "openat", 3, A(5), S("c"), A(O_RDONLY));
	SC(m, 510, "openat", 4, A(6), S("e"), A(O_RDONLY));
	SC(m, 510, "openat", -EBADF, A(10), S("f"), A(O_RDONLY));
	SC(m, 510, "openat", -EBADF, A(7), S("g"), A(O_RDONLY));
	fs_add(&fs, "/r/d3/c", false, OLD);
	fs_add(&fs, "/r/d1/e", false, OLD);
	fs_add(&fs, "/usr/bin/true", false, OLD);
	view(m, &fs, true, false, &v);
	assert_string_equal(list(&v, false), "/usr/bin/true d1/e d3/c");
	assert_int_equal(rt_files__stats(m)->unresolved, 4);
	assert_int_equal(E(&v, "/usr/bin/true")->node->npids, 1);
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* dup2 onto 1: what the program later does to its stdout goes to the file. */
static void test_dup2_onto_1(void **state)
{
	struct rt_files *m = model(520, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;

	assert_int_equal(rt_files__add_fd(m, 520, 1, NULL, O_WRONLY), 0);
	/* log: opened for appending, not modified by the open */
	SC(m, 520, "openat", 3, A(AT_FDCWD), S("log"), A(O_WRONLY | O_APPEND));
	SC(m, 520, "dup2", 1, A(3), A(1));
	SC(m, 520, "close", 0, A(3));
	SC(m, 520, "execve", 0, S("/usr/bin/prog"), A(0), A(0));
	SC(m, 520, "ftruncate", 0, A(1), A(0));
	/* a directory onto 1, then used as a dirfd */
	SC(m, 520, "openat", 3, A(AT_FDCWD), S("dir"), A(O_RDONLY | O_DIRECTORY));
	SC(m, 520, "dup2", 1, A(3), A(1));
	SC(m, 520, "openat", 4, A(1), S("x"), A(O_RDONLY));
	fs_add(&fs, "/r/log", false, OLD); /* mtime unmoved: only ftruncate says written */
	fs_add(&fs, "/r/dir", true, OLD);
	fs_add(&fs, "/r/dir/x", false, OLD);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, true), "log");
	assert_string_equal(list(&v, false), "dir/x");
	assert_int_equal(E(&v, "log")->node->npids, 1);
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* Write a temporary name, rename it into place. */
static void test_rename_into_place(void **state)
{
	struct rt_files *m = model(530, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;

	SC(m, 530, "openat", 3, A(AT_FDCWD), S("out.tmp"), A(O_WRONLY | O_CREAT | O_EXCL), A(0644));
	SC(m, 530, "close", 0, A(3));
	SC(m, 530, "renameat2", 0, A(AT_FDCWD), S("out.tmp"), A(AT_FDCWD), S("out"), A(0));
	fs_add(&fs, "/r/out", false, NEW);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, true), "out");
	assert_string_equal(list(&v, false), "");
	assert_string_equal(E(&v, "out")->renamed_from[0], "out.tmp");
	assert_int_equal(E(&v, "out.tmp")->cls, RT_FC_WRITTEN | RT_FC_CREATED | RT_FC_TEMPORARY);
	assert_false(E(&v, "out.tmp")->output);
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* Unlink of a file that existed before: deleted, with a warning. */
static void test_unlink_preexisting(void **state)
{
	struct rt_files *m = model(540, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;

	SC(m, 540, "unlinkat", 0, A(AT_FDCWD), S("old"), A(0));
	SC(m, 540, "newfstatat", 0, A(AT_FDCWD), S("kept"), A(0), A(0));
	SC(m, 540, "unlinkat", 0, A(AT_FDCWD), S("olddir"), A(AT_REMOVEDIR));
	view(m, &fs, false, false, &v);
	assert_int_equal(v.n, 2);
	assert_int_equal(E(&v, "old")->cls, RT_FC_DELETED);
	assert_int_equal(E(&v, "olddir")->cls, RT_FC_DELETED);
	assert_false(E(&v, "old")->output);
	assert_int_equal(v.nwarnings, 2);
	assert_string_equal(v.warnings[0], "old: existed before the run and was deleted");
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* ---- more of the model ---- */

/* Opened for writing without truncation: written only if the mtime moved;
 * read then written in place: an output with a warning. */
static void test_mtime_rule(void **state)
{
	struct rt_files *m = model(600, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;

	SC(m, 600, "openat", 3, A(AT_FDCWD), S("db"), A(O_RDWR));
	SC(m, 600, "openat", 4, A(AT_FDCWD), S("lock"), A(O_WRONLY));
	fs_add(&fs, "/r/db", false, OLD);
	fs_add(&fs, "/r/lock", false, OLD);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "db");
	assert_string_equal(list(&v, true), "");
	assert_null(rt_files_view_find(&v, "lock"));
	rt_files_view_free(&v);
	fs.v[0].mtime = START_NS; /* the same tick as the start: modified */
	fs.v[1].mtime = NEW;
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "");
	assert_string_equal(list(&v, true), "db lock");
	assert_true(E(&v, "db")->rewritten);
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* A directory made under a temporary name and renamed into place. */
static void test_dir_rename(void **state)
{
	struct rt_files *m = model(610, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;

	SC(m, 610, "mkdir", 0, S("build.tmp"), A(0777));
	SC(m, 610, "openat", 3, A(AT_FDCWD), S("build.tmp/f"), A(O_WRONLY | O_CREAT | O_EXCL), A(0644));
	SC(m, 610, "rename", 0, S("build.tmp"), S("build"));
	fs_add(&fs, "/r/build", true, NEW);
	fs_add(&fs, "/r/build/f", false, NEW);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, true), "build");
	assert_string_equal(E(&v, "build/f")->within, "build");
	assert_true(E(&v, "build.tmp")->cls & RT_FC_TEMPORARY);
	assert_true(E(&v, "build.tmp/f")->cls & RT_FC_TEMPORARY);
	rt_files_view_free(&v);
	view(m, &fs, false, true, &v);
	assert_string_equal(list(&v, true), "build/f");
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* O_TMPFILE given a name by linkat(fd, "", ..., AT_EMPTY_PATH) and through
 * /proc/self/fd/N; fexecve through /dev/fd/N (the PROC_EXEC filename). */
static void test_tmpfile_and_fd_paths(void **state)
{
	struct rt_files *m = model(620, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;
	struct rt_proc_event e;

	SC(m, 620, "openat", 3, A(AT_FDCWD), S("."), A(O_TMPFILE | O_WRONLY), A(0600));
	SC(m, 620, "linkat", 0, A(3), S(""), A(AT_FDCWD), S("one"), A(AT_EMPTY_PATH));
	SC(m, 620, "openat", 4, A(AT_FDCWD), S("sub"), A(O_TMPFILE | O_WRONLY), A(0600));
	SC(m, 620, "linkat", 0, A(AT_FDCWD), S("/proc/self/fd/4"), A(AT_FDCWD), S("two"),
	   A(AT_SYMLINK_FOLLOW));
	SC(m, 620, "openat", 5, A(AT_FDCWD), S("tool"), A(O_RDONLY | O_CLOEXEC));
	proc_rec(&e, RT_PROC_EXEC, 620);
	strcpy(e.filename, "/dev/fd/5");
	assert_int_equal(rt_files__proc(m, &e), 0);
	SC(m, 620, "openat", -EBADF, A(5), S("x"), A(O_RDONLY));
	fs_add(&fs, "/r/one", false, NEW);
	fs_add(&fs, "/r/two", false, NEW);
	fs_add(&fs, "/r/tool", false, OLD);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, true), "one two");
	assert_string_equal(list(&v, false), "tool");
	assert_int_equal(E(&v, "tool")->cls, RT_FC_READ | RT_FC_EXECUTED);
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* clone(CLONE_FILES) without CLONE_THREAD: the child shares the table. */
static void test_clone_files(void **state)
{
	struct rt_files *m = model(630, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;

	FORK(m, 630, 631, false);
	SC(m, 630, "clone", 631, A(CLONE_FILES | SIGCHLD), A(0), A(0), A(0), A(0));
	SC(m, 631, "openat", 3, A(AT_FDCWD), S("d"), A(O_RDONLY | O_DIRECTORY));
	SC(m, 630, "openat", 4, A(3), S("x"), A(O_RDONLY));
	/* the child takes its own copy and closes it all: the parent keeps fd 3 */
	SC(m, 631, "close_range", 0, A(3), A(~0u), A(CLOSE_RANGE_UNSHARE));
	SC(m, 630, "openat", 5, A(3), S("y"), A(O_RDONLY));
	SC(m, 631, "openat", -EBADF, A(3), S("z"), A(O_RDONLY));
	assert_int_equal(rt_files__stats(m)->unresolved, 1);
	fs_add(&fs, "/r/d/x", false, OLD);
	fs_add(&fs, "/r/d/y", false, OLD);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "d/x d/y");
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* The queue feeds records in the order of their effects: a FORK record
 * that overtook its parent's earlier syscalls waits for them. */
static void test_queue_order(void **state)
{
	struct rt_files *m = model(640, "/r");
	struct rt_files_queue *q = rt_files_queue__new();
	struct fakefs fs = { 0 };
	struct rt_files_view v;
	struct rt_proc_event fork_ev;
	struct rec open_dir, child_open, unfinished;
	size_t l1, l2, l3;

	assert_non_null(q);
	l1 = build(&open_dir, 640, 640, "openat", 3,
		   (struct arg[]){ A(AT_FDCWD), S("d"), A(O_RDONLY | O_DIRECTORY) }, 3);
	proc_rec(&fork_ev, RT_PROC_FORK, 640);
	fork_ev.ppid = 640;
	fork_ev.child_pid = fork_ev.child_tid = 641;
	l2 = build(&child_open, 641, 641, "openat", 4, (struct arg[]){ A(3), S("x"), A(O_RDONLY) }, 3);
	/* killed in a syscall: no effect known, ignored (counted) */
	l3 = build(&unfinished, 641, 641, "unlink", 0, (struct arg[]){ S("d/x") }, 1);
	((struct rt_syscall_event *)unfinished.b)->flags = RT_SC_F_UNFINISHED;
	/* arrival: the fork, the child's syscalls, then the parent's batch */
	assert_int_equal(rt_files_queue__push(q, &fork_ev.hdr, sizeof(fork_ev)), 0);
	assert_int_equal(rt_files_queue__push(q, (void *)child_open.b, l2), 0);
	assert_int_equal(rt_files_queue__push(q, (void *)unfinished.b, l3), 0);
	assert_int_equal(rt_files_queue__push(q, (void *)open_dir.b, l1), 0);
	assert_int_equal(rt_files_queue__len(q), 4);
	/* drain up to the fork: only the parent's open is older */
	assert_int_equal(rt_files_queue__drain(q, m, fork_ev.hdr.ts - 1), 0);
	assert_int_equal(rt_files_queue__len(q), 3);
	assert_int_equal(rt_files_queue__drain(q, m, UINT64_MAX), 0);
	assert_int_equal(rt_files_queue__len(q), 0);
	fs_add(&fs, "/r/d/x", false, OLD);
	view(m, &fs, false, false, &v);
	assert_string_equal(list(&v, false), "d/x");
	assert_int_equal(rt_files__stats(m)->unfinished, 1);
	assert_int_equal(rt_files__stats(m)->unresolved, 0);
	rt_files_view_free(&v);
	rt_files_queue__free(q);
	rt_files__free(m);
}

/* What cannot be followed is counted, never guessed: a path cut at the
 * capture bound, a dirfd never seen, a process never introduced. */
static void test_unresolved(void **state)
{
	struct rt_files *m = model(650, "/r");
	struct rec r;
	struct rt_syscall_event *ev;
	struct rt_sc_blob *b;
	size_t len;

	/* a path blob without its NUL (cut at RT_SC_PATH_MAX) */
	len = build(&r, 650, 650, "openat", 3, (struct arg[]){ A(AT_FDCWD), S("abc"), A(O_RDONLY) }, 3);
	ev = (void *)r.b;
	b = (void *)(r.b + sizeof(*ev));
	b->len = 3;
	assert_int_equal(rt_files__syscall(m, ev, len), 0);
	SC(m, 650, "openat", 4, A(42), S("x"), A(O_RDONLY));
	SC(m, 651, "openat", 4, A(AT_FDCWD), S("y"), A(O_RDONLY));
	assert_int_equal(rt_files__stats(m)->unresolved, 2);
	assert_int_equal(rt_files__stats(m)->unknown_pids, 1);
	assert_non_null(rt_files__find(m, "/nowhere/y")); /* the default cwd */
	/* a blob running past the record: malformed, ignored */
	len = build(&r, 650, 650, "openat", 3, (struct arg[]){ A(AT_FDCWD), S("abc"), A(O_RDONLY) }, 3);
	b->len = 200;
	assert_int_equal(rt_files__syscall(m, ev, len), 0);
	assert_int_equal(rt_files__stats(m)->malformed, 1);
	rt_files__free(m);
}

static void test_syscall_set(void **state)
{
	__u64 bm[RT_SC_NR_MAX / 64];
	const char *need[] = { "open", "openat", "creat", "openat2", "execve", "execveat", "chdir",
			       "fchdir", "rename", "renameat2", "unlinkat", "mkdir", "close",
			       "close_range", "dup2", "dup3", "fcntl", "newfstatat", "statx" };
	size_t i;

	rt_files_syscalls(bm, false);
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		int nr = rt_sc_lookup(need[i]);

		assert_true(bm[nr / 64] & (1ull << (nr % 64)));
	}
	assert_false(bm[rt_sc_lookup("read") / 64] & (1ull << (rt_sc_lookup("read") % 64)));
	assert_false(bm[rt_sc_lookup("write") / 64] & (1ull << (rt_sc_lookup("write") % 64)));
	assert_false(bm[rt_sc_lookup("mmap") / 64] & (1ull << (rt_sc_lookup("mmap") % 64)));
	rt_files_syscalls(bm, true);
	assert_true(bm[rt_sc_lookup("mmap") / 64] & (1ull << (rt_sc_lookup("mmap") % 64)));
	assert_false(bm[rt_sc_lookup("read") / 64] & (1ull << (rt_sc_lookup("read") % 64)));
}

/* ---- paths ---- */

static void test_path_join(void **state)
{
	static const struct {
		const char *base, *path, *want;
	} c[] = {
		{ "/r", "a/b", "/r/a/b" }, { "/r", "./a/../b", "/r/b" }, { "/r/s", "..", "/r" },
		{ "/", "../../x", "/x" }, { "/r", "/abs//p/", "/abs/p" }, { "/r", ".", "/r" },
		{ NULL, "/", "/" }, { "/r/", "a/", "/r/a" }, { "/r", "a/../..", "/" },
		{ "/r", "x/..y", "/r/x/..y" },
	};
	struct strbuf sb = { 0 };
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_int_equal(rt_path_join(&sb, c[i].base, c[i].path), 0);
		assert_string_equal(sb.buf, c[i].want);
	}
	assert_int_equal(rt_path_join(&sb, NULL, "rel"), -EINVAL);
	strbuf_free(&sb);
}

static void test_path_rel_under_ignore(void **state)
{
	static const struct {
		const char *abs, *dir, *want;
	} c[] = {
		{ "/r/a/b", "/r", "a/b" }, { "/r", "/r", "." }, { "/r/x", "/r/d/e", "../../x" },
		{ "/rx/a", "/r", "../rx/a" }, { "/a/b", "/", "a/b" }, { "/", "/r", ".." },
		{ "/r/a", "/r/a/b", ".." },
	};
	const char *globs[] = { "build", "out/tmp", "*.o" };
	struct strbuf sb = { 0 };
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		rt_path_rel(&sb, c[i].abs, c[i].dir);
		assert_string_equal(sb.buf, c[i].want);
	}
	strbuf_free(&sb);
	assert_string_equal(rt_path_under("/r/a", "/r"), "a");
	assert_string_equal(rt_path_under("/r", "/r"), "");
	assert_null(rt_path_under("/rx", "/r"));
	assert_string_equal(rt_path_under("/x", "/"), "x");
	assert_true(rt_path_pseudo("/proc/self/maps"));
	assert_true(rt_path_pseudo("/dev"));
	assert_false(rt_path_pseudo("/devices"));
	assert_true(rt_path_ignored("a/__pycache__/m.cpython-311.pyc", rt_path_default_ignore,
				    rt_path_default_nignore));
	assert_true(rt_path_ignored(".git/index", rt_path_default_ignore, rt_path_default_nignore));
	assert_true(rt_path_ignored("x.pyc", rt_path_default_ignore, rt_path_default_nignore));
	assert_false(rt_path_ignored("x.pyc.1", rt_path_default_ignore, rt_path_default_nignore));
	assert_false(rt_path_ignored(".gitignore", rt_path_default_ignore, rt_path_default_nignore));
	assert_true(rt_path_ignored("build/x", globs, 3));
	assert_true(rt_path_ignored("out/tmp/y/z", globs, 3));
	assert_false(rt_path_ignored("out/tmpx", globs, 3));
	assert_true(rt_path_ignored("src/a.o", globs, 3));
	assert_false(rt_path_ignored("src/a.c", globs, 3));
}

/* Excluded from the view: pseudo file systems, the ignore globs, paths
 * outside the root without --all. */
static void test_scope(void **state)
{
	struct rt_files *m = model(660, "/r");
	struct rt_files_view_opts o = { .root = "/r", .start_ns = START_NS };
	const char *ign[] = { "*.log" };
	struct fakefs fs = { 0 };
	struct rt_files_view v;

	SC(m, 660, "openat", 3, A(AT_FDCWD), S("/proc/self/status"), A(O_RDONLY));
	SC(m, 660, "openat", 3, A(AT_FDCWD), S("/dev/null"), A(O_WRONLY));
	SC(m, 660, "openat", 3, A(AT_FDCWD), S(".git/HEAD"), A(O_RDONLY));
	SC(m, 660, "openat", 3, A(AT_FDCWD), S("run.log"), A(O_WRONLY | O_CREAT | O_TRUNC));
	SC(m, 660, "openat", 3, A(AT_FDCWD), S("/etc/passwd"), A(O_RDONLY));
	SC(m, 660, "openat", 3, A(AT_FDCWD), S("in"), A(O_RDONLY));
	fs_add(&fs, "/r/in", false, OLD);
	fs_add(&fs, "/r/run.log", false, NEW);
	fs_add(&fs, "/r/.git/HEAD", false, OLD);
	fs_add(&fs, "/etc/passwd", false, OLD);
	o.ignore = ign;
	o.nignore = 1;
	assert_int_equal(rt_files_view_build(m, &o, fake_stat, &fs, &v), 0);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0].path, "in");
	rt_files_view_free(&v);
	o.all = true;
	o.nignore = 0;
	assert_int_equal(rt_files_view_build(m, &o, fake_stat, &fs, &v), 0);
	assert_string_equal(list(&v, false), "/etc/passwd in");
	assert_string_equal(list(&v, true), "run.log");
	rt_files_view_free(&v);
	rt_files__free(m);
}

static void test_cmdline(void **state)
{
	char *a1[] = { "python3", "stage.py", NULL };
	char *a2[] = { "sh", "-c", "cat a | sort > b", "it's", "", "x=1,y@2%:./-_", NULL };
	struct strbuf sb = { 0 };

	rt_path_cmdline(&sb, a1);
	assert_string_equal(sb.buf, "python3 stage.py");
	strbuf_reset(&sb);
	rt_path_cmdline(&sb, a2);
	/* what Python's shlex.join gives for the same list */
	assert_string_equal(sb.buf, "sh -c 'cat a | sort > b' 'it'\"'\"'s' '' x=1,y@2%:./-_");
	strbuf_free(&sb);
}

static void test_depfile_escape(void **state)
{
	static const struct {
		const char *path, *want;
	} c[] = {
		{ "a b", "a\\ b" }, { "a#b", "a\\#b" }, { "a$b", "a$$b" }, { "a\\b", "a\\b" },
		{ "a\\ b", "a\\\\\\ b" }, { "\xc3\xa9", "\xc3\xa9" }, { "a:b", "a:b" },
	};
	const char *bad[] = { "a\nb", "a\tb", "x:", "x\\", "" };
	struct strbuf sb = { 0 };
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		strbuf_reset(&sb);
		assert_true(rt_depfile_escape(&sb, c[i].path));
		assert_string_equal(sb.buf, c[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strbuf_reset(&sb);
		assert_false(rt_depfile_escape(&sb, bad[i]));
		assert_int_equal(sb.len, 0);
	}
	strbuf_free(&sb);
}

/* Paths a depfile cannot hold are left out (with a warning), the rest kept;
 * no outputs at all: an empty depfile. */
static void test_depfile_left_out(void **state)
{
	struct rt_files *m = model(670, "/r");
	struct fakefs fs = { 0 };
	struct rt_files_view v;
	struct strbuf d = { 0 };

	SC(m, 670, "openat", 3, A(AT_FDCWD), S("new\nline.o"), A(O_WRONLY | O_CREAT | O_TRUNC));
	SC(m, 670, "openat", 3, A(AT_FDCWD), S("in\tput"), A(O_RDONLY));
	SC(m, 670, "openat", 3, A(AT_FDCWD), S("src.c"), A(O_RDONLY));
	fs_add(&fs, "/r/new\nline.o", false, NEW);
	fs_add(&fs, "/r/in\tput", false, OLD);
	fs_add(&fs, "/r/src.c", false, OLD);
	view(m, &fs, false, false, &v);
	assert_int_equal(rt_depfile_text(&d, &v, NULL), 1);
	assert_int_equal(d.len, 0);
	strbuf_free(&d);
	SC(m, 670, "openat", 3, A(AT_FDCWD), S("ok.o"), A(O_WRONLY | O_CREAT | O_TRUNC));
	fs_add(&fs, "/r/ok.o", false, NEW);
	rt_files_view_free(&v);
	view(m, &fs, false, false, &v);
	assert_int_equal(rt_depfile_text(&d, &v, NULL), 2);
	assert_string_equal(d.buf, "ok.o: \\\n  src.c\n");
	strbuf_free(&d);
	rt_files_view_free(&v);
	rt_files__free(m);
}

/* The default root: the nearest directory holding .git (a directory, or
 * the file of a worktree), else the directory itself. */
static void test_find_root(void **state)
{
	char tmp[] = "/tmp/deps-root-XXXXXX", path[256], *root, *up;
	FILE *f;

	assert_non_null(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/a/b", tmp);
	assert_int_equal(mkdir_p(path, 0700), 0);
	/* without a .git: whatever is above tmp decides (usually nothing) */
	up = rt_files_find_root(tmp);
	root = rt_files_find_root(path);
	if (!strcmp(up, tmp))
		assert_string_equal(root, path);
	free(up);
	free(root);
	snprintf(path, sizeof(path), "%s/.git", tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("gitdir: /elsewhere\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a/./b/", tmp);
	root = rt_files_find_root(path);
	assert_string_equal(root, tmp);
	free(root);
	snprintf(path, sizeof(path), "rm -rf %s", tmp);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_stage),
		cmocka_unit_test(test_example_dvc_text),
		cmocka_unit_test(test_gcc_local_headers),
		cmocka_unit_test(test_sed_inplace),
		cmocka_unit_test(test_tmp_write_remove),
		cmocka_unit_test(test_cd_sub_cat),
		cmocka_unit_test(test_openat_dirfd),
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_mkdir_cp_into_dir),
		cmocka_unit_test(test_spaces_non_ascii),
		cmocka_unit_test(test_threads_share_fds),
		cmocka_unit_test(test_cloexec_at_exec),
		cmocka_unit_test(test_dup2_onto_1),
		cmocka_unit_test(test_rename_into_place),
		cmocka_unit_test(test_unlink_preexisting),
		cmocka_unit_test(test_mtime_rule),
		cmocka_unit_test(test_dir_rename),
		cmocka_unit_test(test_tmpfile_and_fd_paths),
		cmocka_unit_test(test_clone_files),
		cmocka_unit_test(test_queue_order),
		cmocka_unit_test(test_unresolved),
		cmocka_unit_test(test_syscall_set),
		cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_path_rel_under_ignore),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_depfile_escape),
		cmocka_unit_test(test_depfile_left_out),
		cmocka_unit_test(test_find_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
