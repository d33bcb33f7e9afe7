// SPDX-License-Identifier: GPL-2.0-only
/*
 * Divergence (src/diverge/): two runs' spools built here, record by record,
 * as the call-trace sink keeps them, then compared.  Each scenario is one
 * small "program" run twice with what always differs between runs changed
 * (pids, addresses, fd numbers, clock, durations) and, for the failed run,
 * the one thing that makes it fail.  The summary member is read back with
 * json-c; expected syscalls are written as strace prints them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
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
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "diverge/align.h"
#include "diverge/diverge.h"
#include "syscalls/table.h"

/* ---- building runs ------------------------------------------------------- */

/* One run being built: its spool, and what differs from run to run. */
struct run {
	struct ct_spool sp;
	struct dv_run_info info;
	__u32 base;      /* pids and tids start here */
	__u64 ts;        /* the clock */
	__u64 step;      /* ns between syscalls */
	__u64 addr;      /* where its mappings are */
	int fd0;         /* its first free fd */
	__u32 pid, tid;  /* the thread making syscalls */
	unsigned count[64]; /* syscalls of each tid (base + i) so far, as syscalls.log counts */
	bool no_proc;    /* leave out fork/exec/exit records (a spool without them) */
};

static void run_init(struct run *r, unsigned id, __u32 base, __u64 ts, __u64 addr, int fd0)
{
	memset(r, 0, sizeof(*r));
	ct_spool_init(&r->sp, 0, 0);
	r->info.id = id;
	r->info.root_pid = base;
	r->info.wait_status = -1;
	r->base = base;
	r->ts = ts;
	r->step = 1000 + (base % 7) * 100;
	r->addr = addr;
	r->fd0 = fd0;
	r->pid = r->tid = base;
}

/* A syscall record under construction. */
static struct {
	union {
		struct rt_syscall_event ev;
		unsigned char buf[4096];
	};
	size_t off;
} R;

static void begin(struct run *r, const char *name, __s64 ret)
{
	int nr = rt_sc_lookup(name);

	assert_true(nr >= 0);
	memset(&R, 0, sizeof(R));
	R.ev.hdr.type = RT_EV_SYSCALL;
	R.ev.hdr.run = r->info.id;
	R.ev.hdr.ts = r->ts;
	R.ev.hdr.pid = r->pid;
	R.ev.hdr.tid = r->tid;
	R.ev.nr = nr;
	R.ev.ret = ret;
	R.ev.duration_ns = 300 + r->ts % 977; /* differs from run to run */
	R.off = sizeof(R.ev);
	R.ev.hdr.size = R.off;
	r->ts += r->step;
}

static void args(__u64 a0, __u64 a1, __u64 a2, __u64 a3, __u64 a4, __u64 a5)
{
	__u64 a[6] = { a0, a1, a2, a3, a4, a5 };

	memcpy(R.ev.args, a, sizeof(a));
}

static void blob(int arg, int kind, const void *data, size_t len)
{
	struct rt_sc_blob b = { .arg = arg, .kind = kind, .len = len };

	memcpy(R.buf + R.off, &b, sizeof(b));
	memcpy(R.buf + R.off + sizeof(b), data, len);
	R.off += sizeof(b) + ((len + 3) & ~3u);
	R.ev.nblobs++;
	R.ev.hdr.size = (R.off + 7) & ~7u;
}

static void str(int arg, const char *s)
{
	blob(arg, RT_BLOB_STR, s, strlen(s) + 1);
}

/* Push the record; its 1-based index in its thread (0: runtrace's setup). */
static unsigned push(struct run *r, bool counted)
{
	assert_int_equal(ct_spool_push(&r->sp, &R.ev, R.ev.hdr.size), 0);
	if (!counted)
		return 0;
	assert_true(r->tid - r->base < 64);
	return ++r->count[r->tid - r->base];
}

static void proc_rec(struct run *r, __u32 kind, __u32 pid, __u32 tid, __u32 child_pid,
		     __u32 child_tid, int status, const char *path)
{
	struct rt_proc_event p;

	if (r->no_proc)
		return;
	memset(&p, 0, sizeof(p));
	p.hdr = (struct rt_hdr){ .type = RT_EV_PROC, .size = sizeof(p), .run = r->info.id,
				 .ts = r->ts, .pid = pid, .tid = tid };
	p.kind = kind;
	p.child_pid = child_pid;
	p.child_tid = child_tid;
	p.is_thread = kind == RT_PROC_FORK && child_pid == pid;
	p.exit_code = status;
	if (path)
		snprintf(p.filename, sizeof(p.filename), "%s", path);
	/* exits are spooled without comm and filename, as calltrace.c does */
	assert_int_equal(ct_spool_push(&r->sp, &p, kind == RT_PROC_EXIT ?
				       offsetof(struct rt_proc_event, comm) : sizeof(p)), 0);
	r->ts += 10;
}

static void on(struct run *r, unsigned i)
{
	r->pid = r->tid = r->base + i;
}

static void on_thread(struct run *r, unsigned proc, unsigned i)
{
	r->pid = r->base + proc;
	r->tid = r->base + i;
}

/* What runtrace's child does before it execs the command, then the exec:
 * the exec record (during execve) arrives before the execve's own. */
static void start(struct run *r, const char *path)
{
	if (r->pid == r->base) {
		begin(r, "setpgid", 0);
		args(0, 0, 0, 0, 0, 0);
		push(r, false);
		begin(r, "write", 8);
		args(r->fd0 + 5, 0x7ffd0000 + r->addr % 4096, 8, 0, 0, 0);
		blob(1, RT_BLOB_DATA, "go\0\0\0\0\0\0", 8);
		push(r, false);
	}
	r->ts += 50;
	proc_rec(r, RT_PROC_EXEC, r->pid, r->tid, 0, 0, 0, path);
	r->ts -= 50 + 10;
	begin(r, "execve", 0);
	args(0x5600000000 + r->addr, 0x7ffe00000000 + r->addr, 0x7ffe00001000 + r->addr, 0, 0, 0);
	str(0, path);
	blob(1, RT_BLOB_ARGV, path, strlen(path) + 1);
	blob(1, RT_BLOB_ARGV_END, (int[]){ 1 }, 4);
	push(r, true);
	r->ts += 100;
}

/* The start of any dynamically linked program. */
static void ld_so(struct run *r)
{
	int fd = r->fd0;

	begin(r, "brk", r->addr + 0x21000);
	args(0, 0, 0, 0, 0, 0);
	push(r, true);
	begin(r, "mmap", r->addr + 0x7f0000000000);
	args(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	push(r, true);
	begin(r, "openat", fd);
	args(AT_FDCWD, 0x7f0000010000 + r->addr, O_RDONLY | O_CLOEXEC, 0, 0, 0);
	str(1, "/etc/ld.so.cache");
	push(r, true);
	begin(r, "fstat", 0);
	args(fd, 0x7ffd00002000 + r->addr, 0, 0, 0, 0);
	push(r, true);
	begin(r, "mmap", r->addr + 0x7f0000100000);
	args(0, 20000, PROT_READ, MAP_PRIVATE, fd, 0);
	push(r, true);
	begin(r, "close", 0);
	args(fd, 0, 0, 0, 0, 0);
	push(r, true);
	/* the thread pointer: an address, by the command (ARCH_SET_FS) */
	begin(r, "arch_prctl", 0);
	args(0x1002, 0x7f0000200740 + r->addr, 0, 0, 0, 0);
	push(r, true);
}

/* Data blobs hold at most 32 bytes: what the kernel side copies with -s 32. */
#define CAP(n) ((n) < 32 ? (n) : 32)

static unsigned sc_write(struct run *r, int fd, const char *s)
{
	begin(r, "write", strlen(s));
	args(fd, 0x5600000100 + r->addr, strlen(s), 0, 0, 0);
	blob(1, RT_BLOB_DATA, s, CAP(strlen(s)));
	return push(r, true);
}

static unsigned sc_read(struct run *r, int fd, const char *s, size_t count)
{
	begin(r, "read", strlen(s));
	args(fd, 0x5600000200 + r->addr, count, 0, 0, 0);
	blob(1, RT_BLOB_DATA, s, CAP(strlen(s)));
	return push(r, true);
}

static unsigned sc_openat(struct run *r, const char *path, int flags, long ret)
{
	begin(r, "openat", ret);
	args(AT_FDCWD, 0x5600000300 + r->addr, flags, 0, 0, 0);
	str(1, path);
	return push(r, true);
}

static unsigned sc_close(struct run *r, int fd)
{
	begin(r, "close", 0);
	args(fd, 0, 0, 0, 0, 0);
	return push(r, true);
}

static void sc_exit(struct run *r, int code, bool last_of_run)
{
	begin(r, "exit_group", 0);
	args(code, 0, 0, 0, 0, 0);
	R.ev.flags = RT_SC_F_UNFINISHED;
	R.ev.duration_ns = 0;
	push(r, true);
	proc_rec(r, RT_PROC_EXIT, r->pid, r->tid, 0, 0, code << 8, NULL);
	if (last_of_run)
		r->info.wait_status = code << 8;
}

/* clone() of a process (or a thread) numbered @child; the fork record
 * (made inside clone) arrives first. */
static unsigned sc_clone(struct run *r, unsigned child, bool thread)
{
	unsigned idx;

	begin(r, "clone", r->base + child);
	proc_rec(r, RT_PROC_FORK, r->pid, r->tid, thread ? r->pid : r->base + child,
		 r->base + child, 0, NULL);
	args(thread ? CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		      CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID
		    : CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
	     thread ? 0x7f0000200000 + r->addr : 0, 0x7ffd00003000 + r->addr,
	     0x7f0000300000 + r->addr, 0x7f0000400000 + r->addr, 0);
	idx = push(r, true);
	return idx;
}

static void sc_wait4(struct run *r, unsigned child, int status)
{
	begin(r, "wait4", r->base + child);
	args(r->base + child, 0x7ffd00004000 + r->addr, 0, 0, 0, 0);
	blob(1, RT_BLOB_DATA, &status, 4);
	push(r, true);
}

/* ---- comparing ------------------------------------------------------------ */

struct outcome {
	struct dv_result res;
	struct strbuf text, json;
	json_object *obj;   /* the "divergence" object of the summary member */
	json_object *root;
};

static void compare(struct run *pass, struct run *fail, struct outcome *o)
{
	struct strbuf wrapped = { 0 };

	memset(o, 0, sizeof(*o));
	assert_int_equal(dv_compare(pass ? &pass->sp : NULL, pass ? &pass->info : NULL,
				    &fail->sp, &fail->info, NULL, &o->text, &o->json, &o->res), 0);
	/* the member as a sink adds it: ",\"divergence\":{...}" */
	assert_non_null(o->json.buf);
	assert_int_equal(o->json.buf[0], ',');
	strbuf_addc(&wrapped, '{');
	strbuf_adds(&wrapped, o->json.buf + 1);
	strbuf_addc(&wrapped, '}');
	o->root = json_tokener_parse(wrapped.buf);
	assert_non_null(o->root);
	assert_true(json_object_object_get_ex(o->root, "divergence", &o->obj));
	strbuf_free(&wrapped);
	if (getenv("DV_SHOW"))
		printf("%s\n%s\n", o->text.buf, o->json.buf);
}

static void outcome_free(struct outcome *o)
{
	json_object_put(o->root);
	strbuf_free(&o->text);
	strbuf_free(&o->json);
}

static const char *jstr(struct outcome *o, const char *key)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o->obj, key, &v));
	return json_object_is_type(v, json_type_null) ? NULL : json_object_get_string(v);
}

static long jint(struct outcome *o, const char *key)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o->obj, key, &v));
	return json_object_is_type(v, json_type_null) ? -1 : json_object_get_int64(v);
}

static void assert_contains(const char *hay, const char *needle)
{
	const char *h = hay ? hay : "(null)";

	if (!strstr(h, needle))
		fail_msg("\"%s\" not found in:\n%s", needle, h);
}

/* The text between @from and the next "\n== " (a section of the report). */
static char *section_of(const char *text, const char *from)
{
	const char *s = strstr(text, from), *e;

	if (!s) {
		fail_msg("no section \"%s\" in:\n%s", from, text);
		return NULL;
	}
	e = strstr(s + 1, "\n== ");
	return strndup(s, e ? (size_t)(e - s) : strlen(s));
}

/* ---- the scenarios ------------------------------------------------------ */

/* cat: reads a file and prints it; fails if the file is missing.
 * Returns the index of the openat of the input. */
static unsigned prog_cat(struct run *r, bool missing, bool last_of_run)
{
	int fd = r->fd0;
	unsigned idx;

	start(r, "/usr/bin/cat");
	ld_so(r);
	begin(r, "getrandom", 8);
	args(0x7f0000500000 + r->addr, 8, GRND_NONBLOCK, 0, 0, 0);
	push(r, true);
	if (missing) {
		idx = sc_openat(r, "/tmp/input.txt", O_RDONLY, -ENOENT);
		sc_write(r, 2, "cat: /tmp/input.txt: No such file or directory\n");
		sc_close(r, 1);
		sc_close(r, 2);
		sc_exit(r, 1, last_of_run);
		return idx;
	}
	idx = sc_openat(r, "/tmp/input.txt", O_RDONLY, fd);
	sc_read(r, fd, "hello\n", 131072);
	sc_write(r, 1, "hello\n");
	sc_read(r, fd, "", 131072);
	sc_close(r, fd);
	sc_close(r, 1);
	sc_close(r, 2);
	sc_exit(r, 0, last_of_run);
	return idx;
}

static void test_no_passing_run(void **state)
{
	struct run f;
	struct outcome o;

	run_init(&f, 1, 2000, 9000000000ull, 0x3000, 3);
	prog_cat(&f, true, true);
	compare(NULL, &f, &o);
	assert_false(o.res.compared);
	assert_contains(o.text.buf, "No run has passed yet");
	assert_contains(o.text.buf, "run 1 (failed: exited with 1)");
	assert_string_equal(jstr(&o, "result"), "no passing run");
	assert_null(jstr(&o, "process"));
	assert_int_equal(jint(&o, "passing_run"), -1);
	assert_int_equal(jint(&o, "syscall_index"), -1);
	outcome_free(&o);
	ct_spool_free(&f.sp);
}

static void test_missing_file(void **state)
{
	struct run p, f;
	struct outcome o;
	unsigned idx;
	char *only, want[256];

	run_init(&p, 6, 1000, 5000000000ull, 0x1000, 3);
	run_init(&f, 7, 2000, 9000000000ull, 0x3000, 3);
	prog_cat(&p, false, true);
	idx = prog_cat(&f, true, true);
	compare(&p, &f, &o);
	assert_true(o.res.compared);
	assert_true(o.res.departs);
	assert_int_equal(o.res.departing, 1);
	assert_int_equal(o.res.pid, 2000);
	assert_int_equal(o.res.index, idx);
	assert_string_equal(jstr(&o, "result"), "departs");
	assert_int_equal(jint(&o, "passing_run"), 6);
	assert_string_equal(jstr(&o, "process"), "/usr/bin/cat");
	assert_int_equal(jint(&o, "pid"), 2000);
	assert_int_equal(jint(&o, "syscall_index"), idx);
	assert_string_equal(jstr(&o, "syscall"), "openat(AT_FDCWD, \"/tmp/input.txt\", O_RDONLY) = "
			    "-1 ENOENT (No such file or directory)");
	assert_string_equal(jstr(&o, "passing"), "openat(AT_FDCWD, \"/tmp/input.txt\", O_RDONLY) = 3");
	/* the section shows the two openat side by side, changed */
	snprintf(want, sizeof(want), "departs at its syscall %u (syscall %u in run 6); exited with 1 "
		 "(run 6: exited with 0)", idx, idx);
	assert_contains(o.text.buf, want);
	/* side by side: passing on the left, failed on the right, changed */
	snprintf(want, sizeof(want), "\n%8u  openat(AT_FDCWD, \"/tmp/input.txt\", O_RDONLY) = 3",
		 idx);
	assert_contains(o.text.buf, want);
	snprintf(want, sizeof(want), " |%8u  openat(AT_FDCWD, \"/tmp/input.txt\", O_RDONLY) = "
		 "-1 ENOENT (No such file or directory)\n", idx);
	assert_contains(o.text.buf, want);
	/* only in the failed run: the ENOENT and the message on stderr */
	only = section_of(o.text.buf, "== syscalls only in run 7");
	assert_contains(only, "openat(AT_FDCWD, \"/tmp/input.txt\", O_RDONLY) = -1 ENOENT");
	assert_contains(only, "write(2, \"cat: /tmp/input.txt: No such fil\"..., 47) = 47");
	assert_contains(only, "exit_group(1) = ?");
	/* the errors come first */
	assert_true(strstr(only, "ENOENT") < strstr(only, "write(2"));
	free(only);
	assert_int_equal(o.res.only[0] + o.res.only[1], 0);
	outcome_free(&o);
	ct_spool_free(&p.sp);
	ct_spool_free(&f.sp);
}

/* A client: connects to 127.0.0.1:8080, sends a request, reads the answer;
 * @refused times the connection is refused before it succeeds (-1: always). */
static unsigned prog_client(struct run *r, int refused, bool last_of_run)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(8080) };
	int fd = r->fd0, i;
	unsigned idx = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	start(r, "/usr/local/bin/client");
	ld_so(r);
	for (i = 0; refused < 0 || i <= refused; i++) {
		bool ok = refused >= 0 && i == refused;
		unsigned k;

		begin(r, "socket", fd);
		args(AF_INET, SOCK_STREAM, IPPROTO_TCP, 0, 0, 0);
		push(r, true);
		begin(r, "connect", ok ? 0 : -ECONNREFUSED);
		args(fd, 0x7ffd00005000 + r->addr, sizeof(sa), 0, 0, 0);
		blob(1, RT_BLOB_DATA, &sa, sizeof(sa));
		k = push(r, true);
		if (!idx && !ok)
			idx = k;
		if (ok)
			break;
		sc_close(r, fd);
		if (refused < 0 && i == 4)
			break;
		begin(r, "nanosleep", 0);
		args(0x7ffd00006000 + r->addr, 0, 0, 0, 0, 0);
		push(r, true);
	}
	if (refused < 0) {
		sc_write(r, 2, "client: connect: Connection refused\n");
		sc_exit(r, 1, last_of_run);
		return idx;
	}
	sc_write(r, fd, "GET / HTTP/1.0\r\n\r\n");
	sc_read(r, fd, "HTTP/1.0 200 OK\r\n\r\n", 4096);
	sc_close(r, fd);
	sc_exit(r, 0, last_of_run);
	return idx;
}

static void test_connection_refused(void **state)
{
	struct run p, f;
	struct outcome o;
	unsigned idx;
	char *only;

	/* the passing run was refused once (the server was starting), then got in */
	run_init(&p, 3, 1000, 5000000000ull, 0x1000, 3);
	run_init(&f, 4, 2000, 9000000000ull, 0x3000, 4);
	prog_client(&p, 1, true);
	idx = prog_client(&f, -1, true);
	compare(&p, &f, &o);
	assert_true(o.res.departs);
	assert_string_equal(jstr(&o, "process"), "/usr/local/bin/client");
	/* the second attempt is where they part: refused again, where run 3 got in */
	assert_int_equal(jint(&o, "syscall_index"), idx + 4);
	assert_string_equal(jstr(&o, "syscall"),
			    "connect(4, {sa_family=AF_INET, sin_port=htons(8080), "
			    "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)");
	assert_string_equal(jstr(&o, "passing"),
			    "connect(3, {sa_family=AF_INET, sin_port=htons(8080), "
			    "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0");
	/* refused in both runs, more often in the failed one */
	only = section_of(o.text.buf, "== errors more frequent in run 4");
	assert_contains(only, "        1       5  connect(4, {sa_family=AF_INET, sin_port=htons(8080), "
			"sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)");
	free(only);
	only = section_of(o.text.buf, "== syscalls only in run 4");
	assert_contains(only, "write(2, \"client: connect: Connection refu\"..., 36) = 36");
	assert_null(strstr(only, "ECONNREFUSED"));
	free(only);
	outcome_free(&o);
	ct_spool_free(&p.sp);
	ct_spool_free(&f.sp);

	/* never refused in the passing run: the refusal is only in the failed one */
	run_init(&p, 3, 1000, 5000000000ull, 0x1000, 3);
	run_init(&f, 4, 2000, 9000000000ull, 0x3000, 3);
	prog_client(&p, 0, true);
	idx = prog_client(&f, -1, true);
	compare(&p, &f, &o);
	assert_int_equal(jint(&o, "syscall_index"), idx);
	only = section_of(o.text.buf, "== syscalls only in run 4");
	assert_contains(only, "        5  connect(3, {sa_family=AF_INET, sin_port=htons(8080), "
			"sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)");
	free(only);
	outcome_free(&o);
	ct_spool_free(&p.sp);
	ct_spool_free(&f.sp);
}

/* sh -c 'true; cat /tmp/input.txt': two children, the second fails. */
static unsigned prog_sh(struct run *r, bool missing)
{
	unsigned idx;
	__u64 t, end;

	on(r, 0);
	start(r, "/bin/sh");
	ld_so(r);
	sc_clone(r, 1, false);
	on(r, 1);
	start(r, "/bin/true");
	ld_so(r);
	sc_exit(r, 0, false);
	on(r, 0);
	sc_wait4(r, 1, 0);
	sc_clone(r, 2, false);
	/* the shell waits for cat: its wait4 begins before cat runs, and
	 * returns after (its record comes last, with the entry time) */
	t = r->ts;
	r->ts += 1000;
	on(r, 2);
	idx = prog_cat(r, missing, false);
	on(r, 0);
	end = r->ts;
	r->ts = t;
	begin(r, "wait4", r->base + 2);
	args(r->base + 2, 0x7ffd00004000 + r->addr, 0, 0, 0, 0);
	blob(1, RT_BLOB_DATA, (int[]){ missing ? 1 << 8 : 0 }, 4);
	R.ev.duration_ns = end - t;
	r->ts = end;
	push(r, true);
	sc_exit(r, missing ? 1 : 0, true);
	return idx;
}

static void check_sh(bool no_proc)
{
	struct run p, f;
	struct outcome o;
	unsigned idx;
	char *s;

	run_init(&p, 1, 1000, 5000000000ull, 0x1000, 3);
	run_init(&f, 2, 2000, 9000000000ull, 0x3000, 3);
	p.no_proc = f.no_proc = no_proc;
	prog_sh(&p, false);
	idx = prog_sh(&f, true);
	compare(&p, &f, &o);
	assert_int_equal(o.res.procs[0], 3);
	assert_int_equal(o.res.procs[1], 3);
	assert_int_equal(o.res.matched, 3);
	/* the child departs first, then the shell at its wait4 */
	assert_int_equal(o.res.departing, 2);
	assert_string_equal(jstr(&o, "process"), "/usr/bin/cat");
	assert_int_equal(jint(&o, "pid"), 2002);
	assert_int_equal(jint(&o, "syscall_index"), idx);
	assert_string_equal(jstr(&o, "syscall"), "openat(AT_FDCWD, \"/tmp/input.txt\", O_RDONLY) = "
			    "-1 ENOENT (No such file or directory)");
	assert_contains(o.text.buf, "\n== /usr/bin/cat (pid 2002), child 2 of /bin/sh (pid 2000); "
			"pid 1002 in run 1\n");
	s = section_of(o.text.buf, "\n== /bin/sh (pid 2000), the run's command");
	assert_contains(s, "wait4(2002, [{WIFEXITED(s) && WEXITSTATUS(s) == 1}], 0, NULL) = 2002");
	assert_contains(s, "exit_group(1) = ?");
	free(s);
	assert_true(strstr(o.text.buf, "\n== /usr/bin/cat") < strstr(o.text.buf, "\n== /bin/sh"));
	s = section_of(o.text.buf, "== matched processes with the same syscalls");
	assert_contains(s, "/bin/true (pid 2001), child 1 of /bin/sh (pid 2000)");
	free(s);
	outcome_free(&o);
	ct_spool_free(&p.sp);
	ct_spool_free(&f.sp);
}

static void test_child_fails(void **state)
{
	check_sh(false);
}

/* Without fork/exec records: the tree from clone's return values, exec
 * paths from execve's. */
static void test_child_fails_no_proc_records(void **state)
{
	check_sh(true);
}

static void sc_rt_sigreturn(struct run *r)
{
	begin(r, "rt_sigreturn", r->ts % 4096); /* the interrupted syscall's result */
	push(r, true);
}

/* A program that does what differs from run to run: its pid, a child's pid
 * (kill, wait4), addresses, fd numbers, /proc/PID paths, the time in a log
 * line, random bytes, an ephemeral port, timing of a poll loop, where a
 * signal lands. */
static void prog_noisy(struct run *r, int extra_polls)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(40000 + r->base % 20000) };
	char buf[128];
	int fd = r->fd0, i;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	on(r, 0);
	start(r, "/usr/bin/python3");
	ld_so(r);
	begin(r, "getpid", r->base);
	push(r, true);
	snprintf(buf, sizeof(buf), "/proc/%u/status", r->base);
	sc_openat(r, buf, O_RDONLY, fd);
	snprintf(buf, sizeof(buf), "Name:\tpython3\nPid:\t%u\n", r->base);
	sc_read(r, fd, buf, 1024);
	sc_close(r, fd);
	sc_openat(r, "/dev/urandom", O_RDONLY, fd + 1);
	snprintf(buf, sizeof(buf), "%c%c%c%c", (char)(0x80 | r->base * 7),
		 (char)(0x80 | r->base * 13), (char)(0x80 | r->base >> 3), (char)(0x80 | r->addr >> 4));
	sc_read(r, fd + 1, buf, 4);
	sc_close(r, fd + 1);
	snprintf(buf, sizeof(buf), "/tmp/tmp%c%c8k_%cz2/out.log", 'a' + r->base % 26,
		 'a' + r->base % 23, 'a' + r->base % 19);
	sc_openat(r, buf, O_WRONLY | O_CREAT | O_TRUNC, fd + 2);
	snprintf(buf, sizeof(buf), "2024-05-0%u 12:%02u:%02u pid %u started\n", r->base % 9,
		 r->base % 60, (unsigned)(r->ts / 1000000000) % 60, r->base);
	sc_write(r, fd + 2, buf);
	begin(r, "socket", fd + 3);
	args(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP, 0, 0, 0);
	push(r, true);
	begin(r, "connect", 0);
	args(fd + 3, 0x7ffd00007000 + r->addr, sizeof(sa), 0, 0, 0);
	blob(1, RT_BLOB_DATA, &sa, sizeof(sa));
	push(r, true);
	for (i = 0; i <= extra_polls; i++) {
		begin(r, "poll", i == extra_polls ? 1 : 0);
		args(0x7ffd00008000 + r->addr, 1, 100, 0, 0, 0);
		push(r, true);
	}
	/* a SIGCHLD handler runs somewhere around here: where depends on timing */
	if (extra_polls)
		sc_rt_sigreturn(r);
	sc_read(r, fd + 3, "pong", 4096);
	if (!extra_polls)
		sc_rt_sigreturn(r);
	sc_clone(r, 1, false);
	on(r, 1);
	begin(r, "gettid", r->base + 1);
	push(r, true);
	begin(r, "getppid", r->base);
	push(r, true);
	begin(r, "pause", -EINTR);
	push(r, true);
	on(r, 0);
	begin(r, "kill", 0);
	args(r->base + 1, SIGTERM, 0, 0, 0, 0);
	push(r, true);
	on(r, 1);
	sc_exit(r, 0, false);
	on(r, 0);
	sc_wait4(r, 1, 0);
	begin(r, "futex", 0);
	args(0x7f0000600000 + r->addr, 129, 1, 0, 0, 0);
	push(r, true);
	sc_close(r, fd + 2);
	sc_close(r, fd + 3);
	sc_exit(r, 0, true);
}

static void test_what_always_differs(void **state)
{
	struct run p, f;
	struct outcome o;

	/* other pids, addresses, clock; the failed run has one more fd open
	 * from the start (every fd number shifts), polls twice more, and its
	 * futex happens to be contended */
	run_init(&p, 1, 1000, 5000000000ull, 0x1000, 3);
	run_init(&f, 2, 4242, 7777000000000ull, 0x3a000, 4);
	prog_noisy(&p, 0);
	prog_noisy(&f, 2);
	begin(&f, "futex", 0);
	args(0x7f0000600000, 128, 1, 0, 0, 0);
	push(&f, true);
	compare(&p, &f, &o);
	assert_int_equal(o.res.matched, 2);
	assert_int_equal(o.res.departing, 0);
	assert_false(o.res.departs);
	assert_int_equal(o.res.only_failed, 0);
	assert_string_equal(jstr(&o, "result"), "same syscalls");
	assert_null(jstr(&o, "process"));
	assert_contains(o.text.buf, "No matched process or thread departs from run 1's syscalls "
			"(apart from timing-dependent stretches).");
	outcome_free(&o);

	/* and the same programs with one real difference do depart: the
	 * test above is not blind */
	begin(&f, "unlink", -ENOENT);
	args(0x5600000300, 0, 0, 0, 0, 0);
	str(0, "/tmp/stale.lock");
	push(&f, true);
	compare(&p, &f, &o);
	assert_true(o.res.departs);
	assert_string_equal(jstr(&o, "syscall"), "unlink(\"/tmp/stale.lock\") = -1 ENOENT "
			    "(No such file or directory)");
	outcome_free(&o);
	ct_spool_free(&p.sp);
	ct_spool_free(&f.sp);
}

/* Data written to an fd the run inherited counts, whatever the fd's
 * number (the origin of an unknown fd once carried a random flag by
 * chance, and its data was not compared). */
static void test_inherited_fd_data(void **state)
{
	int fd;

	for (fd = 0; fd < 64; fd++) {
		struct run p, f;
		struct outcome o;
		unsigned idx;
		char want[64];

		run_init(&p, 1, 1000, 5000000000ull, 0x1000, 3);
		run_init(&f, 2, 2000, 9000000000ull, 0x3000, 3);
		start(&p, "/usr/bin/printf");
		start(&f, "/usr/bin/printf");
		sc_write(&p, fd, "result: ok\n");
		idx = sc_write(&f, fd, "result: FAILED\n");
		sc_exit(&p, 0, true);
		sc_exit(&f, 1, true);
		compare(&p, &f, &o);
		assert_int_equal(jint(&o, "syscall_index"), idx);
		snprintf(want, sizeof(want), "write(%d, \"result: FAILED\\n\", 15) = 15", fd);
		assert_string_equal(jstr(&o, "syscall"), want);
		assert_int_equal(o.res.only_failed, 2); /* the write, exit_group(1) */
		outcome_free(&o);
		ct_spool_free(&p.sp);
		ct_spool_free(&f.sp);
	}
}

static void test_identical_runs(void **state)
{
	struct run p, f;
	struct outcome o;

	run_init(&p, 1, 1000, 5000000000ull, 0x1000, 3);
	run_init(&f, 2, 1000, 5000000000ull, 0x1000, 3);
	prog_sh(&p, false);
	prog_sh(&f, false);
	compare(&p, &f, &o);
	assert_false(o.res.departs);
	assert_int_equal(o.res.matched, 3);
	assert_string_equal(jstr(&o, "result"), "same syscalls");
	assert_contains(o.text.buf, "No matched process or thread departs from run 1's syscalls.");
	assert_contains(o.text.buf, "== syscalls only in run 2 (by name, error and main argument; "
			"the first of each shown)\n   none\n");
	assert_contains(o.text.buf, "== processes and threads in one run only\n   none\n");
	outcome_free(&o);
	ct_spool_free(&p.sp);
	ct_spool_free(&f.sp);
}

/* Runs with no records (a -e trace= filter that matched nothing): nothing
 * departs, nothing breaks. */
static void test_empty_runs(void **state)
{
	struct run p, f;
	struct outcome o;

	run_init(&p, 1, 1000, 5000000000ull, 0x1000, 3);
	run_init(&f, 2, 2000, 9000000000ull, 0x3000, 3);
	compare(&p, &f, &o);
	assert_false(o.res.departs);
	assert_string_equal(jstr(&o, "result"), "same syscalls");
	outcome_free(&o);
	/* the failed run has records, the passing run none */
	prog_cat(&f, true, true);
	compare(&p, &f, &o);
	assert_true(o.res.departs);
	assert_string_equal(jstr(&o, "process"), "/usr/bin/cat");
	assert_int_equal(jint(&o, "syscall_index"), 1);
	outcome_free(&o);
	ct_spool_free(&p.sp);
	ct_spool_free(&f.sp);
}

/* A process with worker threads (@threads of them), each reading a file. */
static unsigned prog_threads(struct run *r, unsigned threads)
{
	unsigned i, idx = 0, k;

	on(r, 0);
	start(r, "/usr/bin/worker");
	ld_so(r);
	for (i = 1; i <= threads; i++) {
		on_thread(r, 0, 0);
		k = sc_clone(r, i, true);
		if (i == 3)
			idx = k;
		on_thread(r, 0, i);
		begin(r, "set_robust_list", 0);
		args(0x7f0000700000 + r->addr + i * 0x1000, 24, 0, 0, 0, 0);
		push(r, true);
		/* glibc trims the thread's arena to a 64 MiB boundary: one or two
		 * munmaps, of lengths that depend on where the mapping landed */
		begin(r, "munmap", 0);
		args(0x7f0004000000 - r->addr * 0x100 * i, 0x3000000 + r->addr * 0x100 * i, 0, 0, 0, 0);
		push(r, true);
		if (((r->addr >> 13) + i) % 2) {
			begin(r, "munmap", 0);
			args(0x7f0008000000, 0x1000000 - r->addr * 0x100 * i, 0, 0, 0, 0);
			push(r, true);
		}
		sc_openat(r, "/etc/worker.conf", O_RDONLY, r->fd0 + i);
		sc_read(r, r->fd0 + i, "threads=2\n", 4096);
		sc_close(r, r->fd0 + i);
		begin(r, "exit", 0);
		args(0, 0, 0, 0, 0, 0);
		R.ev.flags = RT_SC_F_UNFINISHED;
		push(r, true);
		proc_rec(r, RT_PROC_EXIT, r->tid, r->tid, 0, 0, 0, NULL);
	}
	on_thread(r, 0, 0);
	sc_exit(r, threads > 2 ? 1 : 0, true);
	return idx;
}

static void test_extra_thread(void **state)
{
	struct run p, f;
	struct outcome o;
	unsigned idx;
	char *s;

	run_init(&p, 1, 1000, 5000000000ull, 0x1000, 3);
	run_init(&f, 2, 2000, 9000000000ull, 0x3000, 3);
	prog_threads(&p, 2);
	idx = prog_threads(&f, 3);
	compare(&p, &f, &o);
	assert_int_equal(o.res.matched, 1);
	/* the main thread departs where it makes the third thread */
	assert_int_equal(o.res.departing, 1);
	assert_int_equal(jint(&o, "tid"), 2000);
	assert_int_equal(jint(&o, "syscall_index"), idx);
	assert_contains(jstr(&o, "syscall"), "clone(child_stack=0x7f0000203000, flags=CLONE_VM|");
	assert_contains(jstr(&o, "syscall"), ") = 2003");
	s = section_of(o.text.buf, "== processes and threads in one run only");
	assert_contains(s, "only in run 2: thread 4 (tid 2003) of /usr/bin/worker (pid 2000): 6 "
			"syscalls");
	assert_null(strstr(s, "only in run 1"));
	free(s);
	outcome_free(&o);
	ct_spool_free(&p.sp);
	ct_spool_free(&f.sp);
}

/* sh runs true, then (in the failed run only) logger, then true again. */
static void prog_logger(struct run *r, bool logger)
{
	unsigned n = 1;

	on(r, 0);
	start(r, "/bin/sh");
	ld_so(r);
	sc_clone(r, n, false);
	on(r, n);
	start(r, "/bin/true");
	sc_exit(r, 0, false);
	on(r, 0);
	sc_wait4(r, n, 0);
	if (logger) {
		n++;
		sc_clone(r, n, false);
		on(r, n);
		start(r, "/usr/bin/logger");
		ld_so(r);
		sc_write(r, 3, "<13>May  1 12:00:00 root: retrying\n");
		sc_exit(r, 0, false);
		on(r, 0);
		sc_wait4(r, n, 0);
	}
	n++;
	sc_clone(r, n, false);
	on(r, n);
	start(r, "/bin/true");
	sc_exit(r, 0, false);
	on(r, 0);
	sc_wait4(r, n, 0);
	sc_exit(r, 0, true);
}

static void test_process_in_one_run(void **state)
{
	struct run p, f;
	struct outcome o;
	char *s;

	run_init(&p, 1, 1000, 5000000000ull, 0x1000, 3);
	run_init(&f, 2, 2000, 9000000000ull, 0x3000, 3);
	prog_logger(&p, false);
	prog_logger(&f, true);
	f.info.wait_status = 1 << 8; /* failed for another reason */
	compare(&p, &f, &o);
	assert_int_equal(o.res.procs[0], 3);
	assert_int_equal(o.res.procs[1], 4);
	assert_int_equal(o.res.matched, 3);
	assert_int_equal(o.res.only[1], 1);
	assert_int_equal(o.res.only[0], 0);
	s = section_of(o.text.buf, "== processes and threads in one run only");
	assert_contains(s, "only in run 2: /usr/bin/logger (pid 2002), child 2 of /bin/sh "
			"(pid 2000): 10 syscalls, exited with 0");
	free(s);
	/* the second /bin/true is matched with the second, though it is the
	 * third child in run 2 */
	s = section_of(o.text.buf, "== matched processes with the same syscalls");
	assert_contains(s, "/bin/true (pid 2003), child 3 of /bin/sh (pid 2000)");
	free(s);
	/* the shell departs where it forks the extra child */
	assert_string_equal(jstr(&o, "process"), "/bin/sh");
	assert_contains(jstr(&o, "syscall"), ") = 2002");
	outcome_free(&o);
	ct_spool_free(&p.sp);
	ct_spool_free(&f.sp);
}

/* ---- the alignment, against a brute-force oracle ------------------------- */

/* Edit distance from (x0, y0) to every (x, y): d[x][y] (n, m <= 24). */
static void edit_dist(const __u64 *a, size_t n, const __u64 *b, size_t m, size_t x0, size_t y0,
		      unsigned d[25][25])
{
	size_t x, y;

	for (x = x0; x <= n; x++) {
		for (y = y0; y <= m; y++) {
			unsigned best = 1000;

			if (x == x0 && y == y0)
				best = 0;
			if (x > x0 && d[x - 1][y] + 1 < best)
				best = d[x - 1][y] + 1;
			if (y > y0 && d[x][y - 1] + 1 < best)
				best = d[x][y - 1] + 1;
			if (x > x0 && y > y0 && a[x - 1] == b[y - 1] && d[x - 1][y - 1] < best)
				best = d[x - 1][y - 1];
			d[x][y] = best;
		}
	}
}

static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245 + 12345;
	return *seed >> 16;
}

/*
 * Myers' furthest-reaching paths find the fewest edits after which the
 * sequences realign, except when a path of as few edits lands inside the
 * realigning run (then it costs a little more): never fewer than the
 * optimum, a real path, and the optimum in nearly every case.
 */
static void test_align_oracle(void **state)
{
	unsigned seed = 12345, iter, cases = 0, exact = 0;
	struct dv_aligner al;

	dv_aligner_init(&al, 3, 64);
	for (iter = 0; iter < 5000; iter++) {
		__u64 a[24], b[24];
		unsigned d[25][25], best = 1000, alpha = 2 + iter % 4;
		size_t n = 1 + rnd(&seed) % 24, m = 0, i, x, y, s;
		struct dv_hunk h;
		__u64 work = 0;

		/* b: a with random deletions, insertions and changes */
		for (i = 0; i < n; i++)
			a[i] = rnd(&seed) % alpha;
		for (i = 0; i < n && m < 24; i++) {
			unsigned r = rnd(&seed) % 8;

			if (r == 0)
				continue;
			if (r == 1 && m < 23)
				b[m++] = rnd(&seed) % alpha;
			b[m++] = r == 2 ? rnd(&seed) % alpha : a[i];
		}
		s = dv_snake(a, n, b, m, 0, 0, &work);
		if (s == n && s == m)
			continue;
		cases++;
		assert_int_equal(dv_hunk_find(&al, a, n, b, m, s, s, &h), 0);
		/* the oracle: the fewest edits to a point followed by 3 matches,
		 * or by the matching end of both */
		edit_dist(a, n, b, m, s, s, d);
		for (x = s; x <= n; x++) {
			for (y = s; y <= m; y++) {
				size_t r = dv_snake(a, n, b, m, x, y, &work);

				if ((x != s || y != s) && (r >= 3 || (x + r == n && y + r == m)) &&
				    d[x][y] < best)
					best = d[x][y];
			}
		}
		assert_true(h.realigned);
		assert_true(h.d >= best);
		exact += h.d == best;
		assert_int_equal(h.dels + h.ins, h.d);
		/* it realigns where it says */
		s = dv_snake(a, n, b, m, h.a1, h.b1, &work);
		assert_true(s >= 3 || (h.a1 + s == n && h.b1 + s == m));
		assert_true(d[h.a1][h.b1] <= h.d);
		/* the path is a real one from where the sequences part to (a1, b1) */
		x = h.a0;
		y = h.b0;
		for (i = 0; i < al.npath; i++) {
			const struct dv_edit *e = &al.path[i];

			assert_int_equal(e->a, x);
			assert_int_equal(e->b, y);
			if (e->op == '=') {
				assert_true(a[x] == b[y]);
				x++, y++;
			} else if (e->op == '-') {
				x++;
			} else {
				assert_int_equal(e->op, '+');
				y++;
			}
		}
		assert_int_equal(x, h.a1);
		assert_int_equal(y, h.b1);
	}
	print_message("align: %u of %u searches found the optimum\n", exact, cases);
	assert_true(exact * 100 >= cases * 95);
	dv_aligner_free(&al);
}

/* The search gives up after max_edits, and says so. */
static void test_align_gives_up(void **state)
{
	struct dv_aligner al;
	__u64 a[1000], b[1000];
	struct dv_hunk h;
	size_t i;

	for (i = 0; i < 1000; i++) {
		a[i] = i;
		b[i] = i + 100000;
	}
	dv_aligner_init(&al, 8, 50);
	assert_int_equal(dv_hunk_find(&al, a, 1000, b, 1000, 0, 0, &h), 0);
	assert_false(h.realigned);
	/* bounded: about max_edits^2 diagonal visits, nothing like n*m */
	assert_true(al.work < 51 * 51 * 2);
	dv_aligner_free(&al);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_passing_run),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_child_fails),
		cmocka_unit_test(test_child_fails_no_proc_records),
		cmocka_unit_test(test_what_always_differs),
		cmocka_unit_test(test_inherited_fd_data),
		cmocka_unit_test(test_identical_runs),
		cmocka_unit_test(test_empty_runs),
		cmocka_unit_test(test_extra_thread),
		cmocka_unit_test(test_process_in_one_run),
		cmocka_unit_test(test_align_oracle),
		cmocka_unit_test(test_align_gives_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
