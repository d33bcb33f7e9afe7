// SPDX-License-Identifier: GPL-2.0-only
/* The --call-trace formatter against strace's own rendering of the same
 * syscalls (expected lines written as strace 6.x prints them). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <poll.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <cmocka.h>

#include "syscalls/fmt.h"
#include "syscalls/table.h"

/* A record under construction. */
struct rec {
	union {
		struct rt_syscall_event ev;
		unsigned char buf[RT_SC_REC_MAX];
	};
	size_t off;
};

/* 12:01:02.123456 UTC on some day, as a monotonic ts of 5 s + offset. */
#define TS 5000000000ull
#define WALL_NS (1700000000ull * 1000000000ull + (12 * 3600 + 1 * 60 + 2) * 1000000000ull - \
		 (1700000000ull % 86400) * 1000000000ull + 123456000ull)

static void rec_init(struct rec *r, long nr, __s64 ret, __u64 dur_ns)
{
	memset(r, 0, sizeof(*r));
	r->ev.hdr.type = RT_EV_SYSCALL;
	r->ev.hdr.ts = TS;
	r->ev.hdr.pid = 4211;
	r->ev.hdr.tid = 4211;
	r->ev.nr = nr;
	r->ev.ret = ret;
	r->ev.duration_ns = dur_ns;
	r->off = sizeof(r->ev);
	r->ev.hdr.size = r->off;
}

static void rec_blob(struct rec *r, int arg, int kind, const void *data, size_t len)
{
	struct rt_sc_blob b = { .arg = arg, .kind = kind, .len = len };

	memcpy(r->buf + r->off, &b, sizeof(b));
	memcpy(r->buf + r->off + sizeof(b), data, len);
	r->off += sizeof(b) + ((len + 3) & ~3u);
	r->ev.nblobs++;
	r->ev.hdr.size = r->off;
}

static void rec_str(struct rec *r, int arg, const char *s)
{
	rec_blob(r, arg, RT_BLOB_STR, s, strlen(s) + 1);
}

static char line[8192];

static const char *fmt(struct rec *r, unsigned strsize)
{
	struct rt_sc_fmt f;
	struct strbuf sb = { 0 };

	rt_sc_fmt_init(&f, strsize, (__s64)(WALL_NS - TS));
	f.utc = true;
	assert_int_equal(rt_sc_fmt_text(&f, &sb, &r->ev, r->off), 0);
	snprintf(line, sizeof(line), "%s", sb.buf);
	strbuf_free(&sb);
	rt_sc_fmt_free(&f);
	return line;
}

static void test_openat_enoent(void **state)
{
	struct rec r;

	rec_init(&r, SYS_openat, -ENOENT, 12000);
	r.ev.args[0] = (__u64)(__s64)AT_FDCWD;
	r.ev.args[1] = 0x1000;
	r.ev.args[2] = O_RDONLY | O_CLOEXEC;
	rec_str(&r, 1, "/etc/app.conf");
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] openat(AT_FDCWD, \"/etc/app.conf\", O_RDONLY|O_CLOEXEC)"
		" = -1 ENOENT (No such file or directory) <0.000012>\n");
}

static void test_openat_creat_mode(void **state)
{
	struct rec r;

	rec_init(&r, SYS_openat, 3, 5000);
	r.ev.args[0] = 5;
	r.ev.args[1] = 0x1000;
	r.ev.args[2] = O_WRONLY | O_CREAT | O_TRUNC;
	r.ev.args[3] = 0644;
	rec_str(&r, 1, "out.txt");
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] openat(5, \"out.txt\", O_WRONLY|O_CREAT|O_TRUNC, 0644)"
		" = 3 <0.000005>\n");
}

static void test_write_data(void **state)
{
	struct rec r;

	rec_init(&r, SYS_write, 15, 7000);
	r.ev.args[0] = 2;
	r.ev.args[1] = 0x2000;
	r.ev.args[2] = 15;
	rec_blob(&r, 1, RT_BLOB_DATA, "config missing\n", 15);
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] write(2, \"config missing\\n\", 15) = 15 <0.000007>\n");
}

static void test_read_truncated_binary(void **state)
{
	static const unsigned char elf[8] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
	struct rec r;

	rec_init(&r, SYS_read, 832, 2000);
	r.ev.args[0] = 3;
	r.ev.args[1] = 0x3000;
	r.ev.args[2] = 832;
	rec_blob(&r, 1, RT_BLOB_DATA, elf, 8);
	assert_string_equal(fmt(&r, 8),
		"12:01:02.123456 [pid  4211] read(3, \"\\177ELF\\2\\1\\1\\0\"..., 832) = 832 <0.000002>\n");
}

static void test_read_error_shows_pointer(void **state)
{
	struct rec r;

	rec_init(&r, SYS_read, -EBADF, 1000);
	r.ev.args[0] = 9;
	r.ev.args[1] = 0x7ffd1000;
	r.ev.args[2] = 10;
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] read(9, 0x7ffd1000, 10) = -1 EBADF (Bad file descriptor)"
		" <0.000001>\n");
}

static void test_exit_group_unfinished(void **state)
{
	struct rec r;

	rec_init(&r, SYS_exit_group, 0, 0);
	r.ev.args[0] = 1;
	r.ev.flags = RT_SC_F_UNFINISHED;
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] exit_group(1) = ?\n");
}

static void test_unfinished_read(void **state)
{
	struct rec r;

	rec_init(&r, SYS_read, 0, 0);
	r.ev.args[0] = 0;
	r.ev.args[1] = 0x1000;
	r.ev.args[2] = 4096;
	r.ev.flags = RT_SC_F_UNFINISHED;
	/* strace prints read's buffer and count when it returns: a read that
	 * never returned shows its descriptor only (strace -f: "read(0,
	 * <unfinished ...>", two spaces) */
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] read(0,  <unfinished ...>\n");
}

/* execve: path and argv were read at entry; the joined record carries
 * them (src/syscalls/join.c). */
static void test_execve_argv(void **state)
{
	struct rec r;
	__u32 total = 3;

	rec_init(&r, SYS_execve, 0, 300000);
	r.ev.args[0] = 0x1000;
	r.ev.args[1] = 0x2000;
	r.ev.args[2] = 0x7ffc0000;
	rec_str(&r, 0, "/bin/ls");
	rec_blob(&r, 1, RT_BLOB_ARGV, "ls", 3);
	rec_blob(&r, 1, RT_BLOB_ARGV, "-l", 3);
	/* bpf_probe_read_user_str with a bound of -s + 2 = 6 bytes */
	rec_blob(&r, 1, RT_BLOB_ARGV, "a ver", 6);
	rec_blob(&r, 1, RT_BLOB_ARGV_END, &total, 4);
	assert_string_equal(fmt(&r, 4),
		"12:01:02.123456 [pid  4211] execve(\"/bin/ls\", [\"ls\", \"-l\", \"a ve\"...], 0x7ffc0000)"
		" = 0 <0.000300>\n");
}

static void test_connect_refused(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct rec r;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rec_init(&r, SYS_connect, -ECONNREFUSED, 30000);
	r.ev.args[0] = 3;
	r.ev.args[1] = 0x1000;
	r.ev.args[2] = sizeof(sin);
	rec_blob(&r, 1, RT_BLOB_DATA, &sin, sizeof(sin));
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] connect(3, {sa_family=AF_INET, sin_port=htons(9), "
		"sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)"
		" <0.000030>\n");
}

static void test_socket_and_unix_sockaddr(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "/run/x.sock" };
	struct rec r;

	rec_init(&r, SYS_socket, 3, 1000);
	r.ev.args[0] = AF_INET;
	r.ev.args[1] = SOCK_STREAM | SOCK_CLOEXEC;
	r.ev.args[2] = IPPROTO_TCP;
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP)"
		" = 3 <0.000001>\n");
	rec_init(&r, SYS_bind, 0, 1000);
	r.ev.args[0] = 3;
	r.ev.args[1] = 0x1000;
	r.ev.args[2] = offsetof(struct sockaddr_un, sun_path) + strlen(sun.sun_path) + 1;
	rec_blob(&r, 1, RT_BLOB_DATA, &sun, r.ev.args[2]);
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] bind(3, {sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}, 14)"
		" = 0 <0.000001>\n");
}

static void test_sockaddr_in6(void **state)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(443),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct strbuf sb = { 0 };

	rt_sc_sockaddr(&sb, &s6, sizeof(s6));
	assert_string_equal(sb.buf, "{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
			    "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}");
	strbuf_free(&sb);
}

static void test_wait4_status_and_mmap(void **state)
{
	struct rec r;
	int st = 3 << 8;

	rec_init(&r, SYS_wait4, 4212, 1000000);
	r.ev.args[0] = (__u64)-1;
	r.ev.args[1] = 0x1000;
	rec_blob(&r, 1, RT_BLOB_DATA, &st, 4);
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL)"
		" = 4212 <0.001000>\n");
	rec_init(&r, SYS_mmap, 0x7f0000001000, 4000);
	r.ev.args[1] = 8192;
	r.ev.args[2] = PROT_READ | PROT_WRITE;
	r.ev.args[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	r.ev.args[4] = (__u64)-1;
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
		"MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000001000 <0.000004>\n");
}

static void test_kill_and_clone(void **state)
{
	struct rec r;

	rec_init(&r, SYS_kill, 0, 1000);
	r.ev.args[0] = 42;
	r.ev.args[1] = SIGTERM;
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] kill(42, SIGTERM) = 0 <0.000001>\n");
	rec_init(&r, SYS_clone, 4300, 1000);
	r.ev.args[0] = CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD;
	assert_true(strstr(fmt(&r, 32),
			   "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
			   "child_tidptr=NULL) = 4300") != NULL);
}

static void test_unknown_number_and_restart(void **state)
{
	struct rec r;

	rec_init(&r, 499, 0, 1000);
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] syscall_499(0, 0, 0, 0, 0, 0) = 0 <0.000001>\n");
	rec_init(&r, SYS_nanosleep, -512, 1000);
	r.ev.args[0] = 0x1000;
	assert_string_equal(fmt(&r, 32),
		"12:01:02.123456 [pid  4211] nanosleep(0x1000, NULL) = ? ERESTARTSYS "
		"(To be restarted if SA_RESTART is set) <0.000001>\n");
}

static void test_quote_like_strace(void **state)
{
	struct strbuf sb = { 0 };

	/* \ooo before a digit, shortest octal otherwise; C escapes */
	rt_sc_quote(&sb, (const unsigned char *)"a\0001\001b\"\\\t\xff", 9, true);
	assert_string_equal(sb.buf, "\"a\\0001\\1b\\\"\\\\\\t\\377\"...");
	strbuf_free(&sb);
}

static void test_retval_errno_table(void **state)
{
	struct strbuf sb = { 0 };

	rt_sc_retval(&sb, SYS_open, -EACCES);
	assert_string_equal(sb.buf, "-1 EACCES (Permission denied)");
	strbuf_reset(&sb);
	rt_sc_retval(&sb, SYS_open, -EAGAIN);
	assert_string_equal(sb.buf, "-1 EAGAIN (Resource temporarily unavailable)");
	strbuf_free(&sb);
}

static void test_json_line(void **state)
{
	struct rt_sc_fmt f;
	struct strbuf sb = { 0 };
	struct rec r;

	rec_init(&r, SYS_openat, -ENOENT, 12000);
	r.ev.args[0] = (__u64)(__s64)AT_FDCWD;
	r.ev.args[1] = 0x1000;
	r.ev.args[2] = O_RDONLY;
	rec_str(&r, 1, "/x\"y");
	rt_sc_fmt_init(&f, 32, (__s64)(WALL_NS - TS));
	f.utc = true;
	assert_int_equal(rt_sc_fmt_json(&f, &sb, &r.ev, r.off), 0);
	assert_non_null(strstr(sb.buf, "\"syscall\":\"openat\""));
	assert_non_null(strstr(sb.buf, "\"args\":[\"AT_FDCWD\",\"\\\"/x\\\\\\\"y\\\"\",\"O_RDONLY\"]"));
	assert_non_null(strstr(sb.buf, "\"ret\":-2,\"errno\":\"ENOENT\""));
	assert_non_null(strstr(sb.buf, "\"time\":\"12:01:02.123456\""));
	strbuf_free(&sb);
	rt_sc_fmt_free(&f);
}

static void test_malformed_blob_rejected(void **state)
{
	struct rt_sc_fmt f;
	struct strbuf sb = { 0 };
	struct rec r;

	rec_init(&r, SYS_openat, 0, 1);
	rec_str(&r, 1, "/etc/passwd");
	rt_sc_fmt_init(&f, 32, 0);
	/* claim a shorter record than the blob needs */
	assert_int_equal(rt_sc_fmt_text(&f, &sb, &r.ev, sizeof(r.ev) + 6), -EINVAL);
	assert_int_equal(sb.len, 0);
	strbuf_free(&sb);
	rt_sc_fmt_free(&f);
}

static void test_exit_lines(void **state)
{
	struct rt_sc_fmt f;
	struct strbuf sb = { 0 };

	rt_sc_fmt_init(&f, 32, (__s64)(WALL_NS - TS));
	f.utc = true;
	rt_sc_fmt_exit_text(&f, &sb, TS, 4211, 1 << 8);
	rt_sc_fmt_exit_text(&f, &sb, TS, 4212, SIGKILL);
	assert_string_equal(sb.buf, "12:01:02.123456 [pid  4211] +++ exited with 1 +++\n"
			    "12:01:02.123456 [pid  4212] +++ killed by SIGKILL +++\n");
	strbuf_free(&sb);
	rt_sc_fmt_free(&f);
}


/* ---- runtrace trace: strace's own line forms and options ------------------ */

/* A formatter with strace's default options (no time, no prefix, no
 * duration, "= " at column 40), then @adjust. */
static struct rt_sc_fmt *strace_fmt(struct rt_sc_fmt *f)
{
	rt_sc_fmt_init(f, 32, (__s64)(WALL_NS - TS));
	f->utc = true;
	f->ts = RT_SC_TS_NONE;
	f->prefix = RT_SC_PFX_NONE;
	f->durations = false;
	f->align = 40;
	f->time_first = false;
	return f;
}

static const char *fmt_with(struct rt_sc_fmt *f, struct rec *r, enum rt_sc_part part)
{
	struct strbuf sb = { 0 };

	assert_int_equal(rt_sc_fmt_text_part(f, &sb, &r->ev, r->off, part), 0);
	snprintf(line, sizeof(line), "%s", sb.buf);
	strbuf_free(&sb);
	return line;
}

/* strace's -a 40: @call, a space, spaces to column 40, "= ", @ret. */
static const char *aligned(const char *call, const char *ret)
{
	static char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s ", call);

	while (n < 40)
		buf[n++] = ' ';
	snprintf(buf + n, sizeof(buf) - n, "= %s\n", ret);
	return buf;
}

static void read_rec(struct rec *r)
{
	rec_init(r, SYS_read, 3, 2500);
	r->ev.args[0] = 3;
	r->ev.args[1] = 0x1000;
	r->ev.args[2] = 4096;
	rec_blob(r, 1, RT_BLOB_DATA, "abc", 3);
}

static void test_timestamps_and_prefixes(void **state)
{
	struct rt_sc_fmt f;
	struct rec r;

	read_rec(&r);
	strace_fmt(&f);
	/* strace: ") " then spaces to column 40, then "= " */
	assert_string_equal(fmt_with(&f, &r, RT_SC_WHOLE), aligned("read(3, \"abc\", 4096)", "3"));
	f.align = 0;
	assert_string_equal(fmt_with(&f, &r, RT_SC_WHOLE), "read(3, \"abc\", 4096) = 3\n");
	/* -t, -ttt, -T; strace puts the process prefix before the time */
	f.ts = RT_SC_TS_SEC;
	f.prefix = RT_SC_PFX_PID;
	assert_string_equal(fmt_with(&f, &r, RT_SC_WHOLE),
			    "[pid  4211] 12:01:02 read(3, \"abc\", 4096) = 3\n");
	f.ts = RT_SC_TS_EPOCH;
	f.prefix = RT_SC_PFX_COLUMN;
	f.durations = true;
	snprintf(line, sizeof(line), "4211  %llu.123456 read(3, \"abc\", 4096) = 3 <0.000002>\n",
		 (unsigned long long)(WALL_NS / 1000000000ull));
	{
		char want[256];

		snprintf(want, sizeof(want), "%s", line);
		assert_string_equal(fmt_with(&f, &r, RT_SC_WHOLE), want);
	}
	/* the alignment counts the leader, as strace's column does */
	f.ts = RT_SC_TS_USEC;
	f.durations = false;
	f.align = 40;
	f.prefix = RT_SC_PFX_COLUMN;
	assert_string_equal(fmt_with(&f, &r, RT_SC_WHOLE),
			    "4211  12:01:02.123456 read(3, \"abc\", 4096) = 3\n");
	rt_sc_fmt_free(&f);
}

/* strace -f splits a syscall another thread interrupts: the fd at entry,
 * the buffer and count when it returns ("read(3,  <unfinished ...>") */
static void test_unfinished_and_resumed_parts(void **state)
{
	struct rt_sc_fmt f;
	struct rec r;
	struct pollfd pfd = { .fd = 3, .events = POLLIN, .revents = POLLIN };

	read_rec(&r);
	strace_fmt(&f);
	assert_string_equal(fmt_with(&f, &r, RT_SC_UNFINISHED), "read(3,  <unfinished ...>\n");
	assert_string_equal(fmt_with(&f, &r, RT_SC_RESUMED),
			    aligned("<... read resumed>\"abc\", 4096)", "3"));
	/* poll prints all its arguments at entry; its result when it returns */
	rec_init(&r, SYS_poll, 1, 0);
	r.ev.args[0] = 0x1000;
	r.ev.args[1] = 1;
	r.ev.args[2] = 500;
	rec_blob(&r, 0, RT_BLOB_DATA | RT_BLOB_F_ENTER, &pfd, sizeof(pfd));
	rec_blob(&r, 0, RT_BLOB_DATA, &pfd, sizeof(pfd));
	assert_string_equal(fmt_with(&f, &r, RT_SC_UNFINISHED),
			    "poll([{fd=3, events=POLLIN}], 1, 500 <unfinished ...>\n");
	assert_string_equal(fmt_with(&f, &r, RT_SC_RESUMED),
			    aligned("<... poll resumed>)", "1 ([{fd=3, revents=POLLIN}])"));
	/* ioctl's getters print ", {...}" when they return */
	rec_init(&r, SYS_ioctl, -ENOTTY, 0);
	r.ev.args[0] = 1;
	r.ev.args[1] = TCGETS;
	r.ev.args[2] = 0x7ffc0000;
	assert_string_equal(fmt_with(&f, &r, RT_SC_UNFINISHED),
			    "ioctl(1, TCGETS <unfinished ...>\n");
	assert_string_equal(fmt_with(&f, &r, RT_SC_RESUMED),
			    aligned("<... ioctl resumed>, 0x7ffc0000)",
				    "-1 ENOTTY (Inappropriate ioctl for device)"));
	/* an exit whose entry came before tracing began: its arguments unknown */
	read_rec(&r);
	r.ev.flags = RT_SC_F_RESUMED;
	assert_string_equal(fmt_with(&f, &r, RT_SC_WHOLE), aligned("<... read resumed>)", "3"));
	/* a thread that died in a syscall */
	read_rec(&r);
	r.ev.flags = RT_SC_F_UNFINISHED;
	assert_string_equal(fmt_with(&f, &r, RT_SC_WHOLE), "read(3,  <unfinished ...>\n");
	rt_sc_fmt_free(&f);
}

static const char *fd_paths(void *ctx, __u32 pid, int fd)
{
	assert_int_equal(pid, 4211);
	assert_ptr_equal(ctx, &line);
	return fd == 3 ? "/etc/pass\nwd" : fd == 4 ? "socket:[1234]" : NULL;
}

static void test_fd_paths(void **state)
{
	struct rt_sc_fmt f;
	struct rec r;

	strace_fmt(&f);
	f.align = 0;
	f.fd_path = fd_paths;
	f.fd_ctx = &line;
	read_rec(&r);
	/* strace -y: the path, escaped as strace escapes it, no quotes */
	assert_string_equal(fmt_with(&f, &r, RT_SC_WHOLE),
			    "read(3</etc/pass\\nwd>, \"abc\", 4096) = 3\n");
	rec_init(&r, SYS_accept4, 4, 0);
	r.ev.args[0] = 5;
	r.ev.args[3] = SOCK_CLOEXEC;
	assert_string_equal(fmt_with(&f, &r, RT_SC_WHOLE),
			    "accept4(5, NULL, NULL, SOCK_CLOEXEC) = 4<socket:[1234]>\n");
	rt_sc_fmt_free(&f);
}

static void test_raw(void **state)
{
	struct rt_sc_fmt f;
	struct rec r;

	strace_fmt(&f);
	f.align = 0;
	f.raw = true;
	rec_init(&r, SYS_openat, 3, 0);
	r.ev.args[0] = (__u64)(__s64)AT_FDCWD;
	r.ev.args[1] = 0x1000;
	r.ev.args[2] = O_RDONLY | O_CLOEXEC;
	rec_str(&r, 1, "/x");
	/* strace -X raw */
	assert_string_equal(fmt_with(&f, &r, RT_SC_WHOLE),
			    "openat(-100, \"/x\", 0x80000) = 0x3\n");
	rt_sc_fmt_free(&f);
}

static void sig_rec(struct rt_signal_event *s, int signo, int code, int pid, int status)
{
	memset(s, 0, sizeof(*s));
	s->hdr.type = RT_EV_SIGNAL;
	s->hdr.size = sizeof(*s);
	s->hdr.ts = TS;
	s->hdr.pid = 4211;
	s->hdr.tid = 4211;
	s->signo = signo;
	memcpy(s->info, &signo, 4);
	memcpy(s->info + 8, &code, 4);
	memcpy(s->info + 16, &pid, 4);
	memcpy(s->info + 24, &status, 4);
}

static void test_signal_lines(void **state)
{
	struct rt_signal_event s;
	struct rt_sc_fmt f;
	struct strbuf sb = { 0 };
	long long utime = 2;

	strace_fmt(&f);
	/* as strace prints them (seen from strace 6.1 on the same deliveries) */
	sig_rec(&s, SIGCHLD, CLD_EXITED, 4300, 3);
	memcpy(s.info + 32, &utime, 8);
	assert_int_equal(rt_sc_fmt_signal_text(&f, &sb, &s, sizeof(s)), 0);
	sig_rec(&s, SIGTERM, SI_USER, 4200, 0);
	assert_int_equal(rt_sc_fmt_signal_text(&f, &sb, &s, sizeof(s)), 0);
	sig_rec(&s, SIGSEGV, SEGV_MAPERR, 0, 0);
	assert_int_equal(rt_sc_fmt_signal_text(&f, &sb, &s, sizeof(s)), 0);
	assert_string_equal(sb.buf,
		"--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=4300, si_uid=0, "
		"si_status=3, si_utime=2 /* 0.02 s */, si_stime=0} ---\n"
		"--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=4200, si_uid=0} ---\n"
		"--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---\n");
	strbuf_reset(&sb);
	sig_rec(&s, SIGTERM, SI_USER, 4200, 0);
	assert_int_equal(rt_sc_fmt_signal_json(&f, &sb, &s, sizeof(s)), 0);
	assert_non_null(strstr(sb.buf, "\"signal\":\"SIGTERM\",\"si_code\":0,"));
	assert_non_null(strstr(sb.buf, "\"siginfo\":\"{si_signo=SIGTERM, si_code=SI_USER, "
				       "si_pid=4200, si_uid=0}\""));
	assert_int_equal(rt_sc_fmt_signal_text(&f, &sb, &s, sizeof(s) - 1), -EINVAL);
	strbuf_free(&sb);
	rt_sc_fmt_free(&f);
}

static void test_exit_lines_prefixes(void **state)
{
	struct rt_sc_fmt f;
	struct strbuf sb = { 0 };

	strace_fmt(&f);
	rt_sc_fmt_exit_text(&f, &sb, TS, 4211, 0);
	f.prefix = RT_SC_PFX_COLUMN;
	rt_sc_fmt_exit_text(&f, &sb, TS, 4212, SIGSEGV | 0x80);
	assert_string_equal(sb.buf, "+++ exited with 0 +++\n"
			    "4212  +++ killed by SIGSEGV (core dumped) +++\n");
	strbuf_free(&sb);
	rt_sc_fmt_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat_enoent),
		cmocka_unit_test(test_openat_creat_mode),
		cmocka_unit_test(test_write_data),
		cmocka_unit_test(test_read_truncated_binary),
		cmocka_unit_test(test_read_error_shows_pointer),
		cmocka_unit_test(test_exit_group_unfinished),
		cmocka_unit_test(test_unfinished_read),
		cmocka_unit_test(test_execve_argv),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_socket_and_unix_sockaddr),
		cmocka_unit_test(test_sockaddr_in6),
		cmocka_unit_test(test_wait4_status_and_mmap),
		cmocka_unit_test(test_kill_and_clone),
		cmocka_unit_test(test_unknown_number_and_restart),
		cmocka_unit_test(test_quote_like_strace),
		cmocka_unit_test(test_retval_errno_table),
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_malformed_blob_rejected),
		cmocka_unit_test(test_exit_lines),
		cmocka_unit_test(test_timestamps_and_prefixes),
		cmocka_unit_test(test_unfinished_and_resumed_parts),
		cmocka_unit_test(test_fd_paths),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_signal_lines),
		cmocka_unit_test(test_exit_lines_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
