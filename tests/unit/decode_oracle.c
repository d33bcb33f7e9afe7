// SPDX-License-Identifier: GPL-2.0-only
/*
 * The syscall decoder against strace on the very same calls.
 *
 * This program makes real syscalls; around each it copies the user memory
 * the capture spec names (rt_sc_capture_spec(), rt_sc_capture_bycmd(), as
 * bpf/capture.bpf.h does in the kernel), builds the joined record, and
 * formats it as strace's default line (no prefix, no time, "= " at column
 * 40).  It runs under strace (tests/unit/decode_oracle.py), which prints
 * the same calls: the two must be identical, byte for byte, with nothing
 * masked, since both read the same memory of the same process.
 *
 *   decode_oracle OUTFILE
 *
 * The calls it checks lie between two getppid() markers; it writes its
 * own lines to OUTFILE after the second.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <asm/prctl.h>
#include <linux/prctl.h>

#include "syscalls/fmt.h"
#include "syscalls/table.h"

#define STRSIZE 32

static struct rt_cap_bycmd bycmd[RT_SC_BYCMD_MAX];
static struct strbuf lines;
static struct rt_sc_fmt fmt;

/* A record under construction. */
static union {
	struct rt_syscall_event ev;
	unsigned char buf[RT_SC_REC_MAX + RT_SC_BLOB_MAX];
} rec;
static size_t rec_off;

static void blob(int arg, int kind, const void *src, size_t len)
{
	struct rt_sc_blob b = { .arg = arg, .kind = kind, .len = len };

	if (rec_off + sizeof(b) + len > sizeof(rec.buf))
		return;
	memcpy(rec.buf + rec_off, &b, sizeof(b));
	if (len)
		memcpy(rec.buf + rec_off + sizeof(b), src, len);
	rec_off += sizeof(b) + ((len + 3) & ~3u);
	rec.ev.nblobs++;
}

/* bpf_probe_read_user_str(): up to @max - 1 characters and a NUL. */
static void blob_str(int arg, int kind, const char *s, size_t max)
{
	char buf[RT_SC_PATH_MAX + 64];
	size_t n = strnlen(s, max - 1);

	memcpy(buf, s, n);
	buf[n] = 0;
	blob(arg, kind, buf, n + 1);
}

static unsigned min_u(unsigned long long a, unsigned long long b)
{
	return a < b ? a : b;
}

/* What bpf/capture.bpf.h's ct_capture() copies, here from our own memory. */
static void capture(__u32 nr, const __u64 *a, bool exit, long ret)
{
	struct rt_cap_spec sp = rt_sc_capture_spec(nr);
	__u8 when = exit ? (ret >= 0 ? RT_CAPW_EXIT | RT_CAPW_ANYRET : RT_CAPW_ANYRET)
			 : RT_CAPW_ENTER;
	__u8 tag = exit ? 0 : RT_BLOB_F_ENTER;
	int i, k;

	for (i = 0; i < 6; i++) {
		__u8 how = sp.arg[i].how, li = sp.arg[i].len & 7;
		unsigned size = sp.arg[i].size, kind = how & RT_CAP_KIND_MASK;
		__u64 lenarg;
		const void *p = (const void *)(uintptr_t)a[i];

		if (!(how & when))
			continue;
		if (kind == RT_CAP_BYCMD) {
			for (k = 0; k < RT_SC_BYCMD_MAX && bycmd[k].nr; k++)
				if (bycmd[k].nr == nr && (a[li] & bycmd[k].mask) == bycmd[k].cmd)
					break;
			if (k == RT_SC_BYCMD_MAX || !bycmd[k].nr)
				continue;
			how = bycmd[k].how;
			if (!(how & when))
				continue;
			kind = how & RT_CAP_KIND_MASK;
			li = bycmd[k].len & 7;
			size = bycmd[k].size;
		}
		if (!p || kind == RT_CAP_SIGFRAME)
			continue;
		lenarg = a[li];
		switch (kind) {
		case RT_CAP_PATH:
			blob_str(i, RT_BLOB_STR | tag, p, RT_SC_PATH_MAX);
			break;
		case RT_CAP_STR:
			blob_str(i, RT_BLOB_STR | tag, p, STRSIZE + 2);
			break;
		case RT_CAP_BUF:
			blob(i, RT_BLOB_DATA | tag, p, min_u(lenarg, size ? size : STRSIZE));
			break;
		case RT_CAP_BUF_RET:
			if (ret > 0)
				blob(i, RT_BLOB_DATA | tag, p, min_u(ret, size ? size : STRSIZE));
			break;
		case RT_CAP_LENPTR: {
			int alen = lenarg ? *(const int *)(uintptr_t)lenarg : 0;

			if (lenarg)
				blob(i, RT_BLOB_DATA | tag, p, min_u(alen < 0 ? 0 : alen, size));
			break;
		}
		case RT_CAP_FIXED:
			blob(i, RT_BLOB_DATA | tag, p, size);
			break;
		case RT_CAP_ARRAY:
			if (lenarg < RT_SC_ARRAY_MAX)
				blob(i, RT_BLOB_DATA | tag, p, min_u(lenarg * size, RT_SC_ARRAY_MAX));
			break;
		case RT_CAP_ARRAY_RET:
			if (ret > 0 && ret < RT_SC_ARRAY_MAX)
				blob(i, RT_BLOB_DATA | tag, p, min_u(ret * size, RT_SC_ARRAY_MAX));
			break;
		case RT_CAP_BITS:
			blob(i, RT_BLOB_DATA | tag, p,
			     min_u(((lenarg & 0xffffffff) + 63) / 64 * 8, size));
			break;
		case RT_CAP_DENTS:
			if (ret > 0) {
				__u32 cnt = 0;
				long off = 0;

				while (off < ret) {
					off += *(const unsigned short *)((const char *)p + off + 16);
					cnt++;
				}
				blob(i, RT_BLOB_COUNT | tag, &cnt, 4);
			}
			break;
		case RT_CAP_MSGHDR:
			if (!exit)
				blob(i, RT_BLOB_DATA | tag, p, 56);
			break;
		default:
			break;
		}
	}
	/* the vector capture: iovecs, or a msghdr and its parts */
	if (exit && (sp.flags & RT_CAPF_VEC) &&
	    (sp.arg[sp.special].how & when)) {
		int argi = sp.special;
		bool read = sp.arg[argi].size == 1;
		unsigned long long budget = read ? (ret > 0 ? ret : 0) : ~0ull;
		const struct iovec *iov;
		size_t cnt;

		if ((sp.arg[argi].how & RT_CAP_KIND_MASK) == RT_CAP_MSGHDR) {
			const struct msghdr *m = (const void *)(uintptr_t)a[argi];

			if (!m)
				return;
			blob(argi, RT_BLOB_DATA, m, 56);
			if (m->msg_name && m->msg_namelen)
				blob(argi, RT_BLOB_NAME, m->msg_name, min_u(m->msg_namelen, 128));
			if (m->msg_control && m->msg_controllen)
				blob(argi, RT_BLOB_CTRL, m->msg_control,
				     min_u(m->msg_controllen, RT_SC_CTRL_MAX));
			iov = m->msg_iov;
			cnt = m->msg_iovlen;
		} else {
			iov = (const void *)(uintptr_t)a[argi];
			cnt = a[sp.arg[argi].len & 7];
		}
		if (!iov || !cnt)
			return;
		if (cnt > RT_SC_IOV_MAX)
			cnt = RT_SC_IOV_MAX;
		blob(argi, RT_BLOB_IOV, iov, cnt * 16);
		for (k = 0; k < (int)cnt; k++) {
			unsigned long long n = iov[k].iov_len < budget ? iov[k].iov_len : budget;

			if (budget != ~0ull)
				budget -= n;
			blob(argi, RT_BLOB_ELEM, iov[k].iov_base, min_u(n, STRSIZE));
		}
	}
}

/* Make syscall @nr with the memory around it captured, format its line. */
static long call(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	__u64 a[6] = { a0, a1, a2, a3, a4, a5 };
	long ret;

	memset(&rec.ev, 0, sizeof(rec.ev));
	rec.ev.hdr.type = RT_EV_SYSCALL;
	rec.ev.nr = nr;
	memcpy(rec.ev.args, a, sizeof(a));
	rec_off = sizeof(rec.ev);
	capture(nr, a, false, 0);
	ret = syscall(nr, a0, a1, a2, a3, a4, a5);
	if (ret < 0)
		ret = -errno;
	rec.ev.ret = ret;
	capture(nr, a, true, ret);
	rec.ev.hdr.size = rec_off;
	if (rt_sc_fmt_text(&fmt, &lines, &rec.ev, rec_off))
		strbuf_adds(&lines, "malformed\n");
	return ret;
}

#define C0(nr) call(nr, 0, 0, 0, 0, 0, 0)
#define C(nr, ...) call_n(nr, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define call_n(nr, a, b, c, d, e, f, ...) call(nr, (long)(a), (long)(b), (long)(c), \
					      (long)(d), (long)(e), (long)(f))

static void handler(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	char buf[4096], path[64], *dir;
	int fds[2], sv[2], pty, ls, cs, us, ud, ep, one = 1, len, fd;
	struct sockaddr_in sin;
	socklen_t slen;
	struct stat st;
	struct rlimit rl;
	struct kernel_sigaction {
		void *handler;
		unsigned long flags;
		void *restorer;
		unsigned long mask;
	} ksa, old;
	unsigned long set, oset;
	struct pollfd pfd[2];
	struct epoll_event ev, evs[4];
	struct timespec ts, rem;
	struct iovec iov[3];
	struct msghdr mh;
	struct termios tio;
	struct winsize ws;
	fd_set rfds;
	unsigned long fsbase;
	int futexw = 0, status;
	cpu_set_t cpus;
	gid_t groups[8];
	uid_t r, e, s;
	FILE *out;

	if (argc != 2) {
		fprintf(stderr, "usage: decode_oracle OUTFILE\n");
		return 2;
	}
	out = fopen(argv[1], "w");
	if (!out)
		return 2;
	rt_sc_fmt_init(&fmt, STRSIZE, 0);
	/* strace's default line: no time, no prefix, no duration, "=" at 40 */
	fmt.ts = RT_SC_TS_NONE;
	fmt.prefix = RT_SC_PFX_NONE;
	fmt.durations = false;
	fmt.align = 40;
	rt_sc_capture_bycmd(bycmd);
	/* set-up, outside the markers */
	if (pipe(fds) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 2;
	pty = posix_openpt(O_RDWR | O_NOCTTY);
	dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(path, sizeof(path), "%s/decode_oracle.%d", dir, getpid());
	mkdir(path, 0700);
	memset(buf, 'x', sizeof(buf));
	/* the output buffers grown now: between the markers, no brk/mmap of ours */
	strbuf_add(&lines, buf, sizeof(buf));
	strbuf_add(&lines, buf, sizeof(buf));
	strbuf_add(&lines, buf, sizeof(buf));
	strbuf_add(&lines, buf, sizeof(buf));
	strbuf_reset(&lines);
	strbuf_add(&fmt.scratch, buf, sizeof(buf));
	strbuf_reset(&fmt.scratch);

	syscall(SYS_getppid); /* ---- start marker ---- */

	/* the stat family */
	C(SYS_newfstatat, AT_FDCWD, "/etc/passwd", &st, 0);
	C(SYS_newfstatat, AT_FDCWD, "/dev/null", &st, 0);
	C(SYS_newfstatat, AT_FDCWD, "/tmp", &st, AT_SYMLINK_NOFOLLOW);
	C(SYS_newfstatat, AT_FDCWD, "/nonexistent", &st, 0);
	C(SYS_newfstatat, fds[0], "", &st, AT_EMPTY_PATH);
	C(SYS_fstat, fds[1], &st);
	C(SYS_stat, "/etc/hostname", &st);
	{
		char stx[256];

		C(SYS_statx, AT_FDCWD, "/usr", AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
		  STATX_MODE | STATX_SIZE | STATX_MTIME, stx);
		C(SYS_statx, AT_FDCWD, "/etc/passwd", AT_STATX_DONT_SYNC, STATX_BASIC_STATS, stx);
	}
	{
		char sfs[120];

		C(SYS_statfs, "/", sfs);
		C(SYS_fstatfs, fds[0], sfs);
	}
	/* signals: sigaction, masks */
	memset(&ksa, 0, sizeof(ksa));
	ksa.handler = (void *)handler;
	ksa.flags = SA_RESTART | 0x04000000 /* SA_RESTORER */;
	ksa.restorer = (void *)0x1234; /* never used: nothing is delivered */
	ksa.mask = 1ul << (SIGCHLD - 1) | 1ul << (SIGINT - 1);
	C(SYS_rt_sigaction, SIGUSR2, &ksa, &old, 8);
	C(SYS_rt_sigaction, SIGUSR2, NULL, &old, 8);
	C(SYS_rt_sigaction, SIGKILL, &ksa, NULL, 8);
	set = ~0ul;
	C(SYS_rt_sigprocmask, SIG_BLOCK, &set, &oset, 8);
	set = 1ul << (SIGUSR1 - 1);
	C(SYS_rt_sigprocmask, SIG_SETMASK, &set, &oset, 8);
	set = 0;
	C(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8);
	C(SYS_rt_sigpending, &oset, 8);
	/* rlimits */
	C(SYS_getrlimit, RLIMIT_NOFILE, &rl);
	C(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &rl);
	C(SYS_prlimit64, 0, RLIMIT_CORE, &rl, NULL);
	C(SYS_setrlimit, RLIMIT_CORE, &rl);
	/* ioctl on a pipe, a pty */
	C(SYS_ioctl, fds[0], TCGETS, &tio);
	C(SYS_ioctl, fds[0], FIONREAD, &len);
	C(SYS_ioctl, fds[0], FIONBIO, &one);
	C(SYS_ioctl, fds[0], FIOCLEX);
	if (pty >= 0) {
		C(SYS_ioctl, pty, TCGETS, &tio);
		C(SYS_ioctl, pty, TIOCGWINSZ, &ws);
		C(SYS_ioctl, pty, TIOCSPTLCK, &(int){ 0 });
		C(SYS_ioctl, pty, TIOCGPTN, &len);
	}
	C(SYS_ioctl, fds[0], 0x12345678, 0);
	/* futex, arch_prctl, prctl, getrandom */
	C(SYS_futex, &futexw, FUTEX_WAKE_PRIVATE, 1);
	ts.tv_sec = 0;
	ts.tv_nsec = 1000;
	C(SYS_futex, &futexw, FUTEX_WAIT_PRIVATE, 1, &ts);
	C(SYS_futex, &futexw, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL,
	  FUTEX_BITSET_MATCH_ANY);
	C(SYS_arch_prctl, ARCH_GET_FS, &fsbase);
	C(SYS_arch_prctl, 0x3001, 0);
	C(SYS_prctl, PR_SET_NAME, "oracle-test");
	C(SYS_prctl, PR_GET_NAME, buf);
	C(SYS_prctl, PR_GET_DUMPABLE);
	C(SYS_getrandom, buf, 8, GRND_NONBLOCK);
	/* processes, system */
	C(SYS_wait4, -1, &status, WNOHANG, NULL);
	{
		char si[112], uts[390];

		C(SYS_sysinfo, si);
		C(SYS_uname, uts);
	}
	C(SYS_sched_getaffinity, 0, sizeof(cpus), &cpus);
	C(SYS_getgroups, 0, NULL);
	C(SYS_getgroups, 8, groups);
	C(SYS_getresuid, &r, &e, &s);
	C(SYS_umask, 022);
	C(SYS_umask, 022);
	/* files and descriptors */
	fd = C(SYS_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	C(SYS_getdents64, fd, buf, sizeof(buf));
	C(SYS_getdents64, fd, buf, sizeof(buf));
	C(SYS_close, fd);
	C(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_NOFOLLOW | O_LARGEFILE);
	C(SYS_faccessat2, AT_FDCWD, "/etc/passwd", R_OK | W_OK, AT_EACCESS);
	C(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR);
	C(SYS_getcwd, buf, sizeof(buf));
	C(SYS_pipe2, fds, O_CLOEXEC | O_NONBLOCK);
	C(SYS_fcntl, fds[0], F_GETFD);
	C(SYS_fcntl, fds[0], F_GETFL);
	C(SYS_fcntl, fds[0], F_SETFD, FD_CLOEXEC);
	C(SYS_fcntl, fds[0], F_SETFL, O_RDWR | O_NONBLOCK);
	C(SYS_fcntl, fds[0], F_DUPFD_CLOEXEC, 10);
	C(SYS_fcntl, fds[0], F_GETPIPE_SZ);
	C(SYS_dup3, fds[0], 20, O_CLOEXEC);
	C(SYS_lseek, fds[0], 0, SEEK_CUR);
	/* vectors and messages */
	iov[0] = (struct iovec){ "hello ", 6 };
	iov[1] = (struct iovec){ "iovec ", 6 };
	iov[2] = (struct iovec){ buf, 40 };
	C(SYS_writev, sv[0], iov, 3);
	{
		char b1[8], b2[64];
		struct iovec in[2] = { { b1, sizeof(b1) }, { b2, sizeof(b2) } };

		C(SYS_readv, sv[1], in, 2);
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = 2;
		C(SYS_sendmsg, sv[0], &mh, MSG_DONTWAIT);
		mh.msg_iov = in;
		C(SYS_recvmsg, sv[1], &mh, 0);
		C(SYS_recvmsg, sv[1], &mh, MSG_DONTWAIT);
	}
	/* poll, select, epoll */
	C(SYS_write, fds[1], "x", 1);
	pfd[0] = (struct pollfd){ .fd = fds[0], .events = POLLIN | POLLPRI };
	pfd[1] = (struct pollfd){ .fd = fds[1], .events = POLLOUT };
	C(SYS_poll, pfd, 2, 0);
	pfd[0].events = POLLOUT;
	C(SYS_poll, pfd, 1, 0);
	FD_ZERO(&rfds);
	FD_SET(fds[0], &rfds);
	ts.tv_sec = 1;
	ts.tv_nsec = 0;
	C(SYS_pselect6, fds[0] + 1, &rfds, NULL, NULL, &ts, NULL);
	ep = C(SYS_epoll_create1, EPOLL_CLOEXEC);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 0x100000003ull;
	C(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, fds[0], &ev);
	C(SYS_epoll_wait, ep, evs, 4, 0);
	C(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, fds[0], NULL);
	C(SYS_epoll_wait, ep, evs, 4, 0);
	/* time */
	ts.tv_sec = 0;
	ts.tv_nsec = 1000;
	C(SYS_nanosleep, &ts, &rem);
	C(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
	C(SYS_clock_gettime, CLOCK_MONOTONIC, &rem);
	C(SYS_clock_getres, CLOCK_REALTIME, &rem);
	/* sockets */
	ls = C(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
	C(SYS_setsockopt, ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	C(SYS_bind, ls, &sin, sizeof(sin));
	C(SYS_listen, ls, 4);
	slen = 128;
	C(SYS_getsockname, ls, &sin, &slen);
	cs = C(SYS_socket, AF_INET, SOCK_STREAM, 0);
	C(SYS_setsockopt, cs, SOL_TCP, TCP_NODELAY, &one, sizeof(one));
	C(SYS_connect, cs, &sin, sizeof(sin));
	slen = 128;
	C(SYS_accept4, ls, &sin, &slen, SOCK_CLOEXEC);
	slen = sizeof(len);
	C(SYS_getsockopt, cs, SOL_SOCKET, SO_ERROR, &len, &slen);
	slen = sizeof(len);
	C(SYS_getsockopt, cs, SOL_SOCKET, SO_TYPE, &len, &slen);
	slen = 128;
	C(SYS_getpeername, cs, &sin, &slen);
	C(SYS_sendto, cs, "data over tcp", 13, MSG_NOSIGNAL, NULL, 0);
	C(SYS_shutdown, cs, SHUT_WR);
	us = C(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	ud = C(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	sin.sin_port = 0;
	C(SYS_bind, ud, &sin, sizeof(sin));
	slen = sizeof(sin);
	C(SYS_getsockname, ud, &sin, &slen);
	C(SYS_sendto, us, "datagram", 8, 0, &sin, sizeof(sin));
	slen = 128;
	C(SYS_recvfrom, ud, buf, sizeof(buf), 0, &sin, &slen);
	C(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);
	/* memory */
	{
		long m = C(SYS_mmap, NULL, 8192, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		C(SYS_madvise, m, 8192, MADV_DONTNEED);
		C(SYS_mprotect, m, 4096, PROT_NONE);
		C(SYS_munmap, m, 8192);
	}
	C(SYS_fadvise64, fds[0], 0, 0, POSIX_FADV_SEQUENTIAL);
	/* more of what programs do */
	{
		struct timeval tv = { 0, 0 };
		struct linger lg = { 1, 5 };
		char cong[16];
		stack_t ss;

		FD_ZERO(&rfds);
		FD_SET(fds[0], &rfds);
		C(SYS_select, fds[0] + 1, &rfds, NULL, NULL, &tv);
		ts.tv_sec = 0;
		ts.tv_nsec = 1000;
		pfd[0] = (struct pollfd){ .fd = sv[0], .events = POLLIN };
		C(SYS_ppoll, pfd, 1, &ts, NULL, 8);
		C(SYS_setsockopt, ls, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		slen = sizeof(lg);
		C(SYS_getsockopt, ls, SOL_SOCKET, SO_LINGER, &lg, &slen);
		slen = sizeof(cong);
		C(SYS_getsockopt, cs, SOL_TCP, TCP_CONGESTION, cong, &slen);
		C(SYS_setsockopt, ls, SOL_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		C(SYS_flock, fds[0], LOCK_EX | LOCK_NB);
		C(SYS_gettimeofday, &tv, NULL);
		C(SYS_sigaltstack, NULL, &ss);
		C(SYS_readlink, "/proc/self/exe", buf, sizeof(buf));
		C(SYS_readlink, "/etc/passwd", buf, sizeof(buf));
		C(SYS_getcpu, &len, NULL, NULL);
		C(SYS_kill, 0, 0);
		C(SYS_getxattr, "/etc/passwd", "user.nothing", buf, sizeof(buf));
		C(SYS_access, "/etc/shadow", R_OK | X_OK);
		C(SYS_chdir, "/");
		C(SYS_mkdirat, AT_FDCWD, path, 0750);
		C(SYS_renameat2, AT_FDCWD, path, AT_FDCWD, path, RENAME_NOREPLACE);
		C(SYS_rmdir, path);
		C(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK);
		C(SYS_memfd_create, "oracle", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		C(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_CLOEXEC);
		C(SYS_inotify_init1, IN_CLOEXEC);
		C(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
		C(SYS_dup2, fds[0], fds[0]);
		C(SYS_ftruncate, fds[0], 0);
		C(SYS_getpriority, PRIO_PROCESS, 0);
		C0(SYS_sched_yield);
		C(SYS_close_range, 1000, ~0u, 0);
		{
			struct itimerval itv = { { 0, 0 }, { 5, 0 } }, oitv;
			struct itimerspec its = { { 1, 0 }, { 2, 500 } }, oits;
			int tfd = C(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_CLOEXEC);

			C(SYS_setitimer, ITIMER_REAL, &itv, &oitv);
			C(SYS_getitimer, ITIMER_REAL, &oitv);
			itv.it_value.tv_sec = 0;
			C(SYS_setitimer, ITIMER_REAL, &itv, NULL);
			C(SYS_alarm, 0);
			C(SYS_timerfd_settime, tfd, 0, &its, &oits);
			C(SYS_timerfd_gettime, tfd, &oits);
		}
	}

	syscall(SYS_getppid); /* ---- end marker ---- */

	rmdir(path);
	fwrite(lines.buf, 1, lines.len, out);
	fclose(out);
	strbuf_free(&lines);
	rt_sc_fmt_free(&fmt);
	return 0;
}
