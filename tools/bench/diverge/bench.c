// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark of the divergence comparison (src/diverge/, issue 16): its time
 * and peak memory on a pair of million-syscall runs, synthesised as the
 * call-trace spool holds them (joined struct rt_syscall_event records with
 * their blobs, fork/exec/exit records), of
 *
 *   dd if=/dev/zero of=/dev/null bs=1 count=N/2
 *
 * with dd's own startup (as strace shows it on Debian 12), then N/2 pairs
 * of read(0, "\0", 1) = 1, write(1, "\0", 1) = 1.  The passing and failed
 * runs differ in pids, addresses, clock and durations, and in:
 *
 *   same      nothing else (the whole prefix walked, every record normalised)
 *   late      the last write fails (ENOSPC) and dd reports it: departs at the end
 *   early     every byte read differs from the start: no realignment (the worst
 *             for a search: it gives up after max_edits)
 *   periodic  one extra lseek every 1000 iterations: 500 small stretches
 *   dense     one changed write every 5 iterations: 100000 small stretches
 *   blocks    100 changed iterations out of every 105: stretches of 400 edits
 *             that realign (the worst for the budget, which stops it)
 *   forks     sh running /bin/true N/100 times (10001 processes to match)
 *
 * Each scenario runs in its own child (so peak RSS is its own), --rounds
 * times; the median time is shown.  Peak memory: the child's peak RSS
 * after the comparison minus before it (the spools are built by then).
 *
 * Usage: build/tools/bench/diverge/diverge-bench [--syscalls N] [--rounds R]
 *                                                 [--only a,b,...] [--show]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diverge/diverge.h"
#include "runtrace/syscall.h"
#include "syscalls/table.h"

enum mode { SAME, LATE, EARLY, PERIODIC, DENSE, BLOCKS, FORKS, NMODES };
static const char *const mode_names[NMODES] = {
	"same", "late", "early", "periodic", "dense", "blocks", "forks",
};

/* One run being synthesised. */
struct gen {
	struct ct_spool sp;
	struct dv_run_info info;
	__u32 pid;
	__u64 ts, addr;
	bool failed;
};

static struct {
	union {
		struct rt_syscall_event ev;
		unsigned char buf[4096];
	};
	size_t off;
} R;

static void begin(struct gen *g, const char *name, __s64 ret, __u64 a0, __u64 a1, __u64 a2,
		  __u64 a3, __u64 a4, __u64 a5)
{
	static int cache_nr[RT_SC_NR_MAX];
	static const char *cache_name[RT_SC_NR_MAX];
	unsigned h = 0;
	const char *p;

	for (p = name; *p; p++)
		h = h * 31 + *p;
	h %= RT_SC_NR_MAX;
	if (cache_name[h] != name) {
		cache_nr[h] = rt_sc_lookup(name);
		cache_name[h] = name;
	}
	memset(&R.ev, 0, sizeof(R.ev));
	R.ev.hdr.type = RT_EV_SYSCALL;
	R.ev.hdr.run = g->info.id;
	R.ev.hdr.ts = g->ts;
	R.ev.hdr.pid = R.ev.hdr.tid = g->pid;
	R.ev.nr = cache_nr[h];
	R.ev.ret = ret;
	R.ev.duration_ns = 400 + (g->ts >> 3) % 300;
	R.ev.args[0] = a0;
	R.ev.args[1] = a1;
	R.ev.args[2] = a2;
	R.ev.args[3] = a3;
	R.ev.args[4] = a4;
	R.ev.args[5] = a5;
	R.off = sizeof(R.ev);
	R.ev.hdr.size = R.off;
	g->ts += 1100;
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

static void push(struct gen *g)
{
	if (ct_spool_push(&g->sp, &R.ev, R.ev.hdr.size)) {
		fprintf(stderr, "diverge-bench: out of memory\n");
		exit(1);
	}
}

static void proc_rec(struct gen *g, __u32 kind, __u32 pid, __u32 child, int status,
		     const char *path)
{
	struct rt_proc_event p;

	memset(&p, 0, sizeof(p));
	p.hdr = (struct rt_hdr){ .type = RT_EV_PROC, .size = sizeof(p), .run = g->info.id,
				 .ts = g->ts, .pid = pid, .tid = pid };
	p.kind = kind;
	p.child_pid = p.child_tid = child;
	p.exit_code = status;
	if (path)
		snprintf(p.filename, sizeof(p.filename), "%s", path);
	ct_spool_push(&g->sp, &p, kind == RT_PROC_EXIT ? offsetof(struct rt_proc_event, comm) :
			  sizeof(p));
}

#define A(x) (g->addr + (x))

/* ld.so and libc startup, as strace shows it for dd on Debian 12. */
static void startup(struct gen *g, const char *path, const char *argv0)
{
	static const char *const lc[] = {
		"LC_IDENTIFICATION", "LC_MEASUREMENT", "LC_TELEPHONE", "LC_ADDRESS", "LC_NAME",
		"LC_PAPER", "LC_MESSAGES", "LC_MONETARY", "LC_COLLATE", "LC_TIME", "LC_NUMERIC",
		"LC_CTYPE",
	};
	unsigned char rnd[8];
	char p[128];
	size_t i;

	proc_rec(g, RT_PROC_EXEC, g->pid, 0, 0, path);
	g->ts -= 300;
	begin(g, "execve", 0, A(0x1000), A(0x2000), A(0x3000), 0, 0, 0);
	str(0, path);
	blob(1, RT_BLOB_ARGV, argv0, strlen(argv0) + 1);
	blob(1, RT_BLOB_ARGV_END, (int[]){ 5 }, 4);
	push(g);
	g->ts += 300;
	begin(g, "brk", A(0x5628197e9000), 0, 0, 0, 0, 0, 0); push(g);
	begin(g, "mmap", A(0x7fc76d12a000), 0, 8192, 3, 0x22, -1, 0); push(g);
	begin(g, "access", -ENOENT, A(0x10), R_OK, 0, 0, 0, 0); str(0, "/etc/ld.so.preload"); push(g);
	begin(g, "openat", 3, AT_FDCWD, A(0x20), O_RDONLY | O_CLOEXEC, 0, 0, 0);
	str(1, "/etc/ld.so.cache"); push(g);
	begin(g, "newfstatat", 0, 3, A(0x30), A(0x40), AT_EMPTY_PATH, 0, 0); str(1, ""); push(g);
	begin(g, "mmap", A(0x7fc76d11f000), 0, 44999, 1, 2, 3, 0); push(g);
	begin(g, "close", 0, 3, 0, 0, 0, 0, 0); push(g);
	begin(g, "openat", 3, AT_FDCWD, A(0x50), O_RDONLY | O_CLOEXEC, 0, 0, 0);
	str(1, "/lib/x86_64-linux-gnu/libc.so.6"); push(g);
	begin(g, "read", 832, 3, A(0x60), 832, 0, 0, 0);
	blob(1, RT_BLOB_DATA, "\177ELF\2\1\1\3\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\20t\2\0\0\0\0\0", 32);
	push(g);
	for (i = 0; i < 2; i++) {
		begin(g, "pread64", 784, 3, A(0x70), 784, 64, 0, 0);
		blob(1, RT_BLOB_DATA, "\6\0\0\0\4\0\0\0@\0\0\0\0\0\0\0@\0\0\0\0\0\0\0@\0\0\0\0\0\0\0", 32);
		push(g);
	}
	begin(g, "mmap", A(0x7fc76cf3d000), 0, 1974096, 1, 0x802, 3, 0); push(g);
	begin(g, "mmap", A(0x7fc76cf63000), A(0x7fc76cf63000), 1400832, 5, 0x812, 3, 0x26000); push(g);
	begin(g, "mmap", A(0x7fc76d0b9000), A(0x7fc76d0b9000), 339968, 1, 0x812, 3, 0x17c000); push(g);
	begin(g, "close", 0, 3, 0, 0, 0, 0, 0); push(g);
	begin(g, "arch_prctl", 0, 0x1002, A(0x7fc76cf3a740), 0, 0, 0, 0); push(g);
	begin(g, "set_tid_address", g->pid, A(0x7fc76cf3aa10), 0, 0, 0, 0, 0); push(g);
	begin(g, "set_robust_list", 0, A(0x7fc76cf3aa20), 24, 0, 0, 0, 0); push(g);
	begin(g, "rseq", 0, A(0x7fc76cf3b060), 0x20, 0, 0x53053053, 0, 0); push(g);
	begin(g, "mprotect", 0, A(0x7fc76d10c000), 16384, 1, 0, 0, 0); push(g);
	begin(g, "prlimit64", 0, 0, 3, 0, A(0x80), 0, 0); push(g);
	begin(g, "munmap", 0, A(0x7fc76d11f000), 44999, 0, 0, 0, 0); push(g);
	begin(g, "rt_sigaction", 0, SIGINT, 0, A(0x90), 8, 0, 0); push(g);
	begin(g, "rt_sigaction", 0, SIGUSR1, A(0xa0), 0, 8, 0, 0); push(g);
	begin(g, "getrandom", 8, A(0xb0), 8, GRND_NONBLOCK, 0, 0, 0);
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	push(g);
	begin(g, "brk", A(0x5628197e9000), 0, 0, 0, 0, 0, 0); push(g);
	begin(g, "brk", A(0x56281980a000), A(0x56281980a000), 0, 0, 0, 0, 0); push(g);
	begin(g, "openat", -ENOENT, AT_FDCWD, A(0xc0), O_RDONLY | O_CLOEXEC, 0, 0, 0);
	str(1, "/usr/lib/locale/locale-archive"); push(g);
	for (i = 0; i < sizeof(lc) / sizeof(lc[0]); i++) {
		snprintf(p, sizeof(p), "/usr/lib/locale/C.UTF-8/%s", lc[i]);
		begin(g, "openat", -ENOENT, AT_FDCWD, A(0xd0), O_RDONLY | O_CLOEXEC, 0, 0, 0);
		str(1, p); push(g);
		snprintf(p, sizeof(p), "/usr/lib/locale/C.utf8/%s", lc[i]);
		begin(g, "openat", 3, AT_FDCWD, A(0xe0), O_RDONLY | O_CLOEXEC, 0, 0, 0);
		str(1, p); push(g);
		begin(g, "newfstatat", 0, 3, A(0x30), A(0x40), AT_EMPTY_PATH, 0, 0); str(1, ""); push(g);
		begin(g, "mmap", A(0x7fc76d129000 - i * 0x1000), 0, 258 + i, 1, 2, 3, 0); push(g);
		begin(g, "close", 0, 3, 0, 0, 0, 0, 0); push(g);
	}
}

/* dd if=/dev/zero of=/dev/null bs=1 count=@count, changed by @m in the failed run. */
static void dd(struct gen *g, unsigned long count, enum mode m)
{
	static const char zero[1] = { 0 }, one[1] = { 1 };
	bool f = g->failed;
	unsigned long i;
	char msg[128];

	startup(g, "/usr/bin/dd", "dd");
	begin(g, "openat", 3, AT_FDCWD, A(0xf0), O_RDONLY, 0, 0, 0); str(1, "/dev/zero"); push(g);
	begin(g, "dup2", 0, 3, 0, 0, 0, 0, 0); push(g);
	begin(g, "close", 0, 3, 0, 0, 0, 0, 0); push(g);
	begin(g, "lseek", 0, 0, 0, SEEK_CUR, 0, 0, 0); push(g);
	begin(g, "openat", 3, AT_FDCWD, A(0x100), O_WRONLY | O_CREAT | O_TRUNC, 0666, 0, 0);
	str(1, "/dev/null"); push(g);
	begin(g, "dup2", 1, 3, 1, 0, 0, 0, 0); push(g);
	begin(g, "close", 0, 3, 0, 0, 0, 0, 0); push(g);
	for (i = 0; i < count; i++) {
		bool changed = f && ((m == EARLY) || (m == DENSE && i % 5 == 2) ||
				     (m == BLOCKS && i % 105 < 100));
		const char *b = changed ? one : zero;

		if (f && m == PERIODIC && i % 1000 == 999) {
			begin(g, "lseek", 0, 0, 0, SEEK_CUR, 0, 0, 0);
			push(g);
		}
		begin(g, "read", 1, 0, A(0x5628197ea000), 1, 0, 0, 0);
		blob(1, RT_BLOB_DATA, b, 1);
		push(g);
		if (f && m == LATE && i == count - 1) {
			begin(g, "write", -ENOSPC, 1, A(0x5628197ea000), 1, 0, 0, 0);
			blob(1, RT_BLOB_DATA, b, 1);
			push(g);
			break;
		}
		begin(g, "write", 1, 1, A(0x5628197ea000), 1, 0, 0, 0);
		blob(1, RT_BLOB_DATA, b, 1);
		push(g);
	}
	if (f && m == LATE) {
		begin(g, "write", 47, 2, A(0x110), 47, 0, 0, 0);
		blob(1, RT_BLOB_DATA, "dd: error writing '/dev/null': No space left on device\n", 32);
		push(g);
	}
	begin(g, "close", 0, 0, 0, 0, 0, 0, 0); push(g);
	begin(g, "close", 0, 1, 0, 0, 0, 0, 0); push(g);
	snprintf(msg, sizeof(msg), "%lu+0 records in\n%lu+0 records out\n", count, count);
	begin(g, "write", strlen(msg), 2, A(0x120), strlen(msg), 0, 0, 0);
	blob(1, RT_BLOB_DATA, msg, strlen(msg) < 32 ? strlen(msg) : 32);
	push(g);
	snprintf(msg, sizeof(msg), "%lu bytes copied, 0.%09u s, 2.%u MB/s\n", count,
		 (unsigned)(g->ts % 1000000000), (unsigned)(g->ts % 10));
	begin(g, "write", strlen(msg), 2, A(0x130), strlen(msg), 0, 0, 0);
	blob(1, RT_BLOB_DATA, msg, 32);
	push(g);
	begin(g, "close", 0, 2, 0, 0, 0, 0, 0); push(g);
	begin(g, "exit_group", 0, f && m == LATE ? 1 : 0, 0, 0, 0, 0, 0);
	R.ev.flags = RT_SC_F_UNFINISHED;
	push(g);
	proc_rec(g, RT_PROC_EXIT, g->pid, 0, f && m == LATE ? 1 << 8 : 0, NULL);
	g->info.wait_status = f && m == LATE ? 1 << 8 : 0;
}

/* sh -c 'for i in $(seq N); do /bin/true; done' (the failed run's last
 * true exits 1). */
static void forks(struct gen *g, unsigned long n)
{
	__u32 sh = g->pid;
	unsigned long i;
	int st;

	startup(g, "/bin/sh", "sh");
	for (i = 0; i < n; i++) {
		__u32 c = sh + 1 + i;
		bool bad = g->failed && i == n - 1;

		g->pid = sh;
		begin(g, "clone", c, 0x1200011, 0, 0, A(0x7f0000300000), 0, 0);
		proc_rec(g, RT_PROC_FORK, sh, c, 0, NULL);
		push(g);
		g->pid = c;
		startup(g, "/bin/true", "true");
		begin(g, "exit_group", 0, bad, 0, 0, 0, 0, 0);
		R.ev.flags = RT_SC_F_UNFINISHED;
		push(g);
		proc_rec(g, RT_PROC_EXIT, c, 0, bad << 8, NULL);
		g->pid = sh;
		st = bad << 8;
		begin(g, "wait4", c, -1, A(0x7ffd0000), 0, 0, 0, 0);
		blob(1, RT_BLOB_DATA, &st, 4);
		push(g);
		begin(g, "rt_sigreturn", 0, 0, 0, 0, 0, 0, 0);
		push(g);
	}
	begin(g, "exit_group", 0, g->failed, 0, 0, 0, 0, 0);
	R.ev.flags = RT_SC_F_UNFINISHED;
	push(g);
	proc_rec(g, RT_PROC_EXIT, sh, 0, g->failed << 8, NULL);
	g->info.wait_status = g->failed << 8;
}

static void gen_run(struct gen *g, unsigned id, __u32 pid, __u64 ts, __u64 addr, bool failed,
		    enum mode m, unsigned long syscalls)
{
	memset(g, 0, sizeof(*g));
	ct_spool_init(&g->sp, 0, 0);
	g->info.id = id;
	g->info.root_pid = pid;
	g->info.wait_status = -1;
	g->pid = pid;
	g->ts = ts;
	g->addr = addr;
	g->failed = failed;
	if (m == FORKS)
		forks(g, syscalls / 100);
	else
		dd(g, syscalls / 2, m);
}

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static double now(clockid_t clk)
{
	struct timespec t;

	clock_gettime(clk, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* What one scenario measured (from its child, through a pipe). */
struct figures {
	unsigned long long records[2];
	unsigned long long spool_kb[2];
	double wall, cpu;
	long rss_before_kb, rss_after_kb;
	unsigned long long work, index;
	unsigned departing;
	size_t text_len;
	int err;
};

static void scenario(enum mode m, unsigned long syscalls, bool show, struct figures *fg)
{
	struct strbuf text = { 0 }, json = { 0 };
	struct dv_result res;
	struct gen p, f;
	double w0, c0;

	memset(fg, 0, sizeof(*fg));
	gen_run(&p, 1, 4000, 1000000000ull, 0x1000, false, m, syscalls);
	gen_run(&f, 2, 9000, 9000000000ull, 0x7000, true, m, syscalls);
	fg->records[0] = p.sp.count;
	fg->records[1] = f.sp.count;
	fg->spool_kb[0] = p.sp.bytes / 1024;
	fg->spool_kb[1] = f.sp.bytes / 1024;
	fg->rss_before_kb = maxrss_kb();
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	fg->err = dv_compare(&p.sp, &p.info, &f.sp, &f.info, NULL, &text, &json, &res);
	fg->cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	fg->wall = now(CLOCK_MONOTONIC) - w0;
	fg->rss_after_kb = maxrss_kb();
	fg->work = res.work;
	fg->index = res.index;
	fg->departing = res.departing;
	fg->text_len = text.len;
	if (show)
		printf("---- %s\n%s\n%s\n", mode_names[m], text.buf, json.buf);
	strbuf_free(&text);
	strbuf_free(&json);
	ct_spool_free(&p.sp);
	ct_spool_free(&f.sp);
}

/* Run @m in a child; 0 or -1. */
static int measure(enum mode m, unsigned long syscalls, bool show, struct figures *fg)
{
	int fds[2], st;
	pid_t pid;

	if (pipe(fds))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		struct figures x;

		close(fds[0]);
		scenario(m, syscalls, show, &x);
		fflush(stdout);
		_exit(write(fds[1], &x, sizeof(x)) == sizeof(x) ? 0 : 1);
	}
	close(fds[1]);
	st = read(fds[0], fg, sizeof(*fg)) == sizeof(*fg) ? 0 : -1;
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return st;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "syscalls", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ "show", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long syscalls = 1000000;
	unsigned rounds = 3, i, k;
	const char *only = NULL;
	bool show = false;
	int c;

	while ((c = getopt_long(argc, argv, "n:r:o:s", opts, NULL)) != -1) {
		switch (c) {
		case 'n': syscalls = strtoul(optarg, NULL, 0); break;
		case 'r': rounds = strtoul(optarg, NULL, 0); break;
		case 'o': only = optarg; break;
		case 's': show = true; break;
		default:
			fprintf(stderr, "usage: %s [--syscalls N] [--rounds R] [--only a,b] [--show]\n",
				argv[0]);
			return 2;
		}
	}
	if (!rounds)
		rounds = 1;
	printf("divergence comparison, dd-like runs of ~%lu syscalls each, median of %u rounds\n",
	       syscalls, rounds);
	printf("%-9s %9s %9s %8s %8s %8s %9s %9s %10s %6s %9s\n", "scenario", "records",
	       "records", "spool", "wall", "cpu", "peak", "steps", "departure", "threads",
	       "text");
	printf("%-9s %9s %9s %8s %8s %8s %9s %9s %10s %6s %9s\n", "", "passing", "failed", "MiB",
	       "ms", "ms", "+MiB", "M", "index", "depart", "bytes");
	for (i = 0; i < NMODES; i++) {
		double wall[16], cpu[16];
		struct figures fg;
		long peak = 0;

		if (only && !strstr(only, mode_names[i]))
			continue;
		for (k = 0; k < rounds && k < 16; k++) {
			if (measure(i, syscalls, show && !k, &fg) || fg.err) {
				fprintf(stderr, "diverge-bench: %s failed\n", mode_names[i]);
				return 1;
			}
			wall[k] = fg.wall;
			cpu[k] = fg.cpu;
			if (fg.rss_after_kb - fg.rss_before_kb > peak)
				peak = fg.rss_after_kb - fg.rss_before_kb;
		}
		qsort(wall, k, sizeof(double), dbl_cmp);
		qsort(cpu, k, sizeof(double), dbl_cmp);
		printf("%-9s %9llu %9llu %8.1f %8.1f %8.1f %9.1f %9.1f %10llu %6u %9zu\n",
		       mode_names[i], fg.records[0], fg.records[1],
		       (fg.spool_kb[0] + fg.spool_kb[1]) / 1024.0, wall[k / 2] * 1e3, cpu[k / 2] * 1e3,
		       peak / 1024.0, fg.work / 1e6, fg.index, fg.departing, fg.text_len);
	}
	printf("spool MiB: both runs' spools; peak +MiB: the child's peak RSS growth during the\n"
	       "comparison (max over rounds); steps: alignment steps (diagonal visits and\n"
	       "comparisons); departure index: the reported syscall's place in its thread.\n");
	return 0;
}
