// SPDX-License-Identifier: GPL-2.0-only
/*
 * strace-style decoding of --call-trace records.  Each argument is formatted
 * once into text; the text line joins them, the JSON object lists them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "syscalls/fmt.h"
#include "syscalls/table.h"

#define MAX_ARGV RT_SC_ARGV_MAX

/* The blobs of one record, by argument. */
struct blobs {
	const struct rt_sc_blob *arg[6];
	const struct rt_sc_blob *argv[MAX_ARGV];
	int argc;       /* elements captured */
	int argv_total; /* elements the program passed, -1 if unknown */
	int argv_arg;   /* argument index of argv, -1 if none */
};

static const unsigned char *blob_data(const struct rt_sc_blob *b)
{
	return (const unsigned char *)(b + 1);
}

/* Index the blobs of @ev; -EINVAL if one runs past @len. */
static int parse_blobs(const struct rt_syscall_event *ev, size_t len, struct blobs *bl)
{
	const unsigned char *p = (const unsigned char *)ev;
	size_t off = sizeof(*ev);
	unsigned i;

	if (len < sizeof(*ev))
		return -EINVAL;
	for (i = 0; i < ev->nblobs; i++) {
		const struct rt_sc_blob *b = (const void *)(p + off);

		if (off + sizeof(*b) > len || off + sizeof(*b) + b->len > len || b->arg >= 6)
			return -EINVAL;
		switch (b->kind) {
		case RT_BLOB_STR:
		case RT_BLOB_DATA:
			if (!bl->arg[b->arg])
				bl->arg[b->arg] = b;
			break;
		case RT_BLOB_ARGV:
			bl->argv_arg = b->arg;
			if (bl->argc < MAX_ARGV)
				bl->argv[bl->argc++] = b;
			break;
		case RT_BLOB_ARGV_END:
			bl->argv_arg = b->arg;
			if (b->len >= 4)
				memcpy(&bl->argv_total, blob_data(b), 4);
			break;
		default:
			break;
		}
		off += sizeof(*b) + ((b->len + 3u) & ~3u);
	}
	return 0;
}

static void blobs_init(struct blobs *bl)
{
	memset(bl, 0, sizeof(*bl));
	bl->argv_total = -1;
	bl->argv_arg = -1;
}

/* ---- numbers, fast ---------------------------------------------------- */

static void add_u64(struct strbuf *out, unsigned long long v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	strbuf_add(out, p, buf + sizeof(buf) - p);
}

static void add_s64(struct strbuf *out, long long v)
{
	if (v < 0) {
		strbuf_addc(out, '-');
		add_u64(out, -(unsigned long long)v);
	} else {
		add_u64(out, v);
	}
}

static void add_hex(struct strbuf *out, unsigned long long v)
{
	static const char digits[] = "0123456789abcdef";
	char buf[20], *p = buf + sizeof(buf);

	if (!v) {
		strbuf_addc(out, '0');
		return;
	}
	do {
		*--p = digits[v & 15];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	strbuf_add(out, p, buf + sizeof(buf) - p);
}

static void add_ptr(struct strbuf *out, unsigned long long v)
{
	if (!v)
		strbuf_add(out, "NULL", 4);
	else
		add_hex(out, v);
}

/* ---- strings ------------------------------------------------------------ */

void rt_sc_quote(struct strbuf *out, const unsigned char *s, size_t len, bool ellipsis)
{
	char buf[4 * 256 + 8];
	size_t i, n = 0;

	strbuf_addc(out, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (n > sizeof(buf) - 8) {
			strbuf_add(out, buf, n);
			n = 0;
		}
		switch (c) {
		case '"': buf[n++] = '\\'; buf[n++] = '"'; continue;
		case '\\': buf[n++] = '\\'; buf[n++] = '\\'; continue;
		case '\f': buf[n++] = '\\'; buf[n++] = 'f'; continue;
		case '\n': buf[n++] = '\\'; buf[n++] = 'n'; continue;
		case '\r': buf[n++] = '\\'; buf[n++] = 'r'; continue;
		case '\t': buf[n++] = '\\'; buf[n++] = 't'; continue;
		case '\v': buf[n++] = '\\'; buf[n++] = 'v'; continue;
		default: break;
		}
		if (c >= ' ' && c <= 0x7e) {
			buf[n++] = c;
			continue;
		}
		/* strace: \ooo if a digit follows, else the shortest octal */
		buf[n++] = '\\';
		if (i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '7') {
			buf[n++] = '0' + (c >> 6);
			buf[n++] = '0' + ((c >> 3) & 7);
		} else if (c >> 3) {
			if (c >> 6)
				buf[n++] = '0' + (c >> 6);
			buf[n++] = '0' + ((c >> 3) & 7);
		}
		buf[n++] = '0' + (c & 7);
	}
	buf[n++] = '"';
	strbuf_add(out, buf, n);
	if (ellipsis)
		strbuf_add(out, "...", 3);
}

/* A NUL-terminated string blob read with a bound of @max bytes: print it,
 * with "..." if the bound cut it. */
static void add_str_blob(struct strbuf *out, const struct rt_sc_blob *b, size_t max,
			 size_t show)
{
	size_t n = b->len;
	bool cut = false;

	if (n && blob_data(b)[n - 1] == 0)
		n--;
	if (b->len >= max) {
		cut = true;
		if (n > show)
			n = show;
	}
	rt_sc_quote(out, blob_data(b), n, cut);
}

/* ---- flags and enums ---------------------------------------------------- */

void rt_sc_flags(struct strbuf *out, const void *table, unsigned long val, const char *zero)
{
	const struct rt_flag *f;
	bool first = true;

	if (!val) {
		strbuf_adds(out, zero);
		return;
	}
	for (f = table; f->name; f++) {
		if (f->val && (val & f->val) == f->val) {
			if (!first)
				strbuf_addc(out, '|');
			strbuf_adds(out, f->name);
			first = false;
			val &= ~f->val;
		}
	}
	if (val) {
		if (!first)
			strbuf_addc(out, '|');
		add_hex(out, val);
	}
}

static void add_enum(struct strbuf *out, const struct rt_flag *tab, long long v)
{
	const char *n = v >= 0 ? rt_flag_name(tab, v) : NULL;

	if (n)
		strbuf_adds(out, n);
	else
		add_s64(out, v);
}

static void add_signal(struct strbuf *out, int sig)
{
	const char *n = sig > 0 ? rt_flag_name(rt_enum_sig, sig) : NULL;

	if (n)
		strbuf_adds(out, n);
	else if (sig == 32) /* the kernel's SIGRTMIN (glibc reserves 32..34) */
		strbuf_adds(out, "SIGRTMIN");
	else if (sig > 32 && sig <= 64)
		strbuf_addf(out, "SIGRT_%d", sig - 32);
	else
		add_s64(out, sig);
}

static void add_oflags(struct strbuf *out, unsigned long v)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

	strbuf_adds(out, acc[v & O_ACCMODE]);
	v &= ~(unsigned long)O_ACCMODE;
	if (v) {
		strbuf_addc(out, '|');
		rt_sc_flags(out, rt_set_oflags, v, "0");
	}
}

static void add_mode(struct strbuf *out, unsigned long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%#03lo", v);
	strbuf_adds(out, buf);
}

static void add_mmapflags(struct strbuf *out, unsigned long v)
{
	static const char *const type[] = { "0", "MAP_SHARED", "MAP_PRIVATE",
					     "MAP_SHARED_VALIDATE" };

	strbuf_adds(out, type[v & 3]);
	v &= ~3ul;
	if (v) {
		strbuf_addc(out, '|');
		rt_sc_flags(out, rt_set_mmapflags, v, "0");
	}
}

static void add_cloneflags(struct strbuf *out, unsigned long v)
{
	unsigned long sig = v & 0xff;

	v &= ~0xfful;
	if (v)
		rt_sc_flags(out, rt_set_cloneflags, v, "0");
	if (sig) {
		if (v)
			strbuf_addc(out, '|');
		add_signal(out, sig);
	}
	if (!v && !sig)
		strbuf_addc(out, '0');
}

static void add_socktype(struct strbuf *out, unsigned long v)
{
	add_enum(out, rt_enum_socktype, v & 0xf);
	v &= ~0xful;
	if (v) {
		strbuf_addc(out, '|');
		rt_sc_flags(out, rt_set_sockflags, v, "0");
	}
}

static void add_waitstatus(struct strbuf *out, int s)
{
	strbuf_adds(out, "[{");
	if (WIFEXITED(s)) {
		strbuf_adds(out, "WIFEXITED(s) && WEXITSTATUS(s) == ");
		add_s64(out, WEXITSTATUS(s));
	} else if (WIFSIGNALED(s)) {
		strbuf_adds(out, "WIFSIGNALED(s) && WTERMSIG(s) == ");
		add_signal(out, WTERMSIG(s));
		if (WCOREDUMP(s))
			strbuf_adds(out, " && WCOREDUMP(s)");
	} else if (WIFSTOPPED(s)) {
		strbuf_adds(out, "WIFSTOPPED(s) && WSTOPSIG(s) == ");
		add_signal(out, WSTOPSIG(s));
	} else {
		add_hex(out, s);
	}
	strbuf_adds(out, "}]");
}

void rt_sc_sockaddr(struct strbuf *out, const void *p, size_t len)
{
	struct sockaddr_storage ss;
	char addr[INET6_ADDRSTRLEN];

	memset(&ss, 0, sizeof(ss));
	if (len > sizeof(ss))
		len = sizeof(ss);
	memcpy(&ss, p, len);
	if (len < sizeof(sa_family_t)) {
		strbuf_adds(out, "{}");
		return;
	}
	strbuf_adds(out, "{sa_family=");
	add_enum(out, rt_enum_family, ss.ss_family);
	switch (ss.ss_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const void *)&ss;

		inet_ntop(AF_INET, &in->sin_addr, addr, sizeof(addr));
		strbuf_addf(out, ", sin_port=htons(%u), sin_addr=inet_addr(\"%s\")}",
			    ntohs(in->sin_port), addr);
		return;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const void *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof(addr));
		strbuf_addf(out, ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u), "
			    "inet_pton(AF_INET6, \"%s\", &sin6_addr), sin6_scope_id=%u}",
			    ntohs(in6->sin6_port), ntohl(in6->sin6_flowinfo), addr,
			    in6->sin6_scope_id);
		return;
	}
	case AF_UNIX: {
		const struct sockaddr_un *un = (const void *)&ss;
		size_t n = len - offsetof(struct sockaddr_un, sun_path);

		if (len <= offsetof(struct sockaddr_un, sun_path)) {
			strbuf_addc(out, '}');
			return;
		}
		strbuf_adds(out, ", sun_path=");
		if (un->sun_path[0] == 0) {
			strbuf_addc(out, '@');
			rt_sc_quote(out, (const unsigned char *)un->sun_path + 1,
				    strnlen(un->sun_path + 1, n - 1), false);
		} else {
			rt_sc_quote(out, (const unsigned char *)un->sun_path,
				    strnlen(un->sun_path, n), false);
		}
		strbuf_addc(out, '}');
		return;
	}
	default:
		strbuf_adds(out, ", sa_data=");
		rt_sc_quote(out, (const unsigned char *)&ss + sizeof(sa_family_t),
			    len - sizeof(sa_family_t), false);
		strbuf_addc(out, '}');
	}
}

/* ---- return values ------------------------------------------------------ */

static bool returns_pointer(const char *name)
{
	return !strcmp(name, "mmap") || !strcmp(name, "mremap") || !strcmp(name, "brk") ||
	       !strcmp(name, "shmat");
}

void rt_sc_retval(struct strbuf *out, __u32 nr, __s64 ret)
{
	const struct rt_sc_desc *d = rt_sc_desc(nr);

	if (ret < 0 && ret >= -4095) {
		long e = -ret;
		const char *name = e < RT_ERRNO_MAX ? rt_errno_names[e] : NULL;

		if (e >= 512 && e < RT_ERRNO_MAX && name) {
			/* a restart code: the syscall never returned it to the program */
			strbuf_adds(out, "? ");
			strbuf_adds(out, name);
			strbuf_adds(out, " (");
			strbuf_adds(out, rt_errno_internal_msgs[e - 512]);
			strbuf_addc(out, ')');
			return;
		}
		strbuf_adds(out, "-1 ");
		if (name)
			strbuf_adds(out, name);
		else
			add_s64(out, e);
		strbuf_adds(out, " (");
		strbuf_adds(out, strerror(e));
		strbuf_addc(out, ')');
		return;
	}
	if (d && returns_pointer(d->name))
		add_hex(out, ret);
	else
		add_s64(out, ret);
}

/* ---- arguments ---------------------------------------------------------- */

static bool is_err(__s64 ret)
{
	return ret < 0 && ret >= -4095;
}

/* Format argument @i of @ev into @out. */
static void add_arg(struct rt_sc_fmt *f, struct strbuf *out, const struct rt_syscall_event *ev,
		    const struct rt_sc_desc *d, const struct blobs *bl, int i)
{
	unsigned long long a = ev->args[i];
	const struct rt_sc_blob *b = bl->arg[i];
	bool done = !(ev->flags & RT_SC_F_UNFINISHED);
	unsigned long long lenarg = ev->args[d->lenidx[i] % 6];
	int k;

	switch (d->kinds[i]) {
	case RT_A_FD:
	case RT_A_INT:
		add_s64(out, (int)a);
		return;
	case RT_A_DIRFD:
		if ((int)a == AT_FDCWD)
			strbuf_adds(out, "AT_FDCWD");
		else
			add_s64(out, (int)a);
		return;
	case RT_A_UINT:
		add_u64(out, (unsigned)a);
		return;
	case RT_A_ULONG:
		add_u64(out, a);
		return;
	case RT_A_LONG:
		add_s64(out, (long long)a);
		return;
	case RT_A_PTR:
	case RT_A_RUSAGE:
	case RT_A_ENVP:
		add_ptr(out, a);
		return;
	case RT_A_PATH:
	case RT_A_STR:
		if (!a)
			strbuf_adds(out, "NULL");
		else if (b && b->kind == RT_BLOB_STR)
			add_str_blob(out, b, d->kinds[i] == RT_A_PATH ? RT_SC_PATH_MAX : f->strsize + 2,
				     d->kinds[i] == RT_A_PATH ? RT_SC_PATH_MAX : f->strsize);
		else
			add_hex(out, a);
		return;
	case RT_A_BUFIN:
		if (b)
			rt_sc_quote(out, blob_data(b), b->len, lenarg > b->len);
		else if (a && (lenarg == 0 || f->strsize == 0))
			rt_sc_quote(out, NULL, 0, lenarg > 0); /* -s 0: ""... */
		else
			add_ptr(out, a);
		return;
	case RT_A_BUFOUT:
		if (b)
			rt_sc_quote(out, blob_data(b), b->len, (__u64)ev->ret > b->len);
		else if (done && a && (ev->ret == 0 || (f->strsize == 0 && ev->ret > 0)))
			rt_sc_quote(out, NULL, 0, ev->ret > 0);
		else
			add_ptr(out, a);
		return;
	case RT_A_IOVIN:
	case RT_A_IOVOUT:
		if (b) {
			strbuf_adds(out, "[{iov_base=");
			rt_sc_quote(out, blob_data(b), b->len, false);
			strbuf_adds(out, lenarg > 1 ? "}, ...]" : "}]");
		} else {
			add_ptr(out, a);
		}
		return;
	case RT_A_SOCKADDR:
	case RT_A_SOCKADDROUT:
		if (b)
			rt_sc_sockaddr(out, blob_data(b), b->len);
		else
			add_ptr(out, a);
		return;
	case RT_A_WAITSTATUS:
		if (b && b->len >= 4) {
			int s;

			memcpy(&s, blob_data(b), 4);
			add_waitstatus(out, s);
		} else {
			add_ptr(out, a);
		}
		return;
	case RT_A_PIPEFDS:
		if (b && b->len >= 8) {
			int fds[2];

			memcpy(fds, blob_data(b), 8);
			strbuf_addf(out, "[%d, %d]", fds[0], fds[1]);
		} else {
			add_ptr(out, a);
		}
		return;
	case RT_A_ARGV:
		if (!a) {
			strbuf_adds(out, "NULL");
			return;
		}
		if (bl->argv_arg != i) {
			add_hex(out, a);
			return;
		}
		strbuf_addc(out, '[');
		for (k = 0; k < bl->argc; k++) {
			if (k)
				strbuf_adds(out, ", ");
			add_str_blob(out, bl->argv[k], f->strsize + 2, f->strsize);
		}
		if (bl->argv_total > bl->argc)
			strbuf_addf(out, "%s/* %d more */", bl->argc ? ", " : "",
				    bl->argv_total - bl->argc);
		strbuf_addc(out, ']');
		return;
	case RT_A_OFLAGS:
		add_oflags(out, a);
		return;
	case RT_A_MODE:
		add_mode(out, a);
		return;
	case RT_A_ATFLAGS:
		rt_sc_flags(out, rt_set_atflags, (unsigned)a, "0");
		return;
	case RT_A_ACCMODE:
		rt_sc_flags(out, rt_set_accmode, (unsigned)a, "F_OK");
		return;
	case RT_A_PROT:
		rt_sc_flags(out, rt_set_prot, (unsigned)a, "PROT_NONE");
		return;
	case RT_A_MMAPFLAGS:
		add_mmapflags(out, (unsigned)a);
		return;
	case RT_A_CLONEFLAGS:
		add_cloneflags(out, a);
		return;
	case RT_A_MSGFLAGS:
		rt_sc_flags(out, rt_set_msgflags, (unsigned)a, "0");
		return;
	case RT_A_SIG:
		add_signal(out, (int)a);
		return;
	case RT_A_FAMILY:
		add_enum(out, rt_enum_family, (int)a);
		return;
	case RT_A_SOCKTYPE:
		add_socktype(out, (unsigned)a);
		return;
	case RT_A_SOCKPROTO:
		if ((int)a == IPPROTO_TCP && ((int)ev->args[0] == AF_INET || (int)ev->args[0] == AF_INET6))
			strbuf_adds(out, "IPPROTO_TCP");
		else if ((int)a == IPPROTO_UDP && ((int)ev->args[0] == AF_INET || (int)ev->args[0] == AF_INET6))
			strbuf_adds(out, "IPPROTO_UDP");
		else if ((int)a == 0 && ((int)ev->args[0] == AF_INET || (int)ev->args[0] == AF_INET6))
			strbuf_adds(out, "IPPROTO_IP");
		else
			add_s64(out, (int)a);
		return;
	case RT_A_WHENCE:
		add_enum(out, rt_enum_whence, (int)a);
		return;
	case RT_A_FCNTLCMD:
		add_enum(out, rt_enum_fcntlcmd, (int)a);
		return;
	case RT_A_HOW:
		add_enum(out, rt_enum_how, (int)a);
		return;
	case RT_A_SIGMASKHOW:
		add_enum(out, rt_enum_sigmaskhow, (int)a);
		return;
	case RT_A_IOCTLREQ:
	case RT_A_HEX:
	default:
		add_hex(out, a);
		return;
	}
}

/* How many arguments strace shows: open/openat's mode only with O_CREAT
 * or O_TMPFILE, like strace. */
static int shown_args(const struct rt_sc_desc *d, const struct rt_syscall_event *ev)
{
	int n = d->nargs < 0 ? 6 : d->nargs, i;

	for (i = 0; i + 1 < n; i++) {
		if (d->kinds[i] == RT_A_OFLAGS && d->kinds[i + 1] == RT_A_MODE &&
		    !(ev->args[i] & O_CREAT) && (ev->args[i] & O_TMPFILE) != O_TMPFILE)
			return i + 1;
	}
	return n;
}

/* clone(2) as strace shows it: named arguments, only those the flags use.
 * x86_64 order: flags, newsp, parent_tid, child_tid, tls. */
static int format_clone(struct rt_sc_fmt *f, const struct rt_syscall_event *ev, size_t ends[6])
{
	unsigned long flags = ev->args[0];
	int n = 0;

	strbuf_adds(&f->scratch, "child_stack=");
	add_ptr(&f->scratch, ev->args[1]);
	ends[n++] = f->scratch.len;
	strbuf_adds(&f->scratch, "flags=");
	add_cloneflags(&f->scratch, flags);
	ends[n++] = f->scratch.len;
	if (flags & CLONE_PARENT_SETTID) {
		strbuf_adds(&f->scratch, "parent_tid=");
		add_ptr(&f->scratch, ev->args[2]);
		ends[n++] = f->scratch.len;
	}
	if (flags & CLONE_SETTLS) {
		strbuf_adds(&f->scratch, "tls=");
		add_ptr(&f->scratch, ev->args[4]);
		ends[n++] = f->scratch.len;
	}
	if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		strbuf_adds(&f->scratch, "child_tidptr=");
		add_ptr(&f->scratch, ev->args[3]);
		ends[n++] = f->scratch.len;
	}
	return n;
}

/*
 * Format the arguments of @ev into f->scratch, recording where each ends in
 * @ends.  Returns how many.
 */
static int format_args(struct rt_sc_fmt *f, const struct rt_syscall_event *ev, size_t len,
		       const struct rt_sc_desc *d, size_t ends[6])
{
	static const struct rt_sc_desc unknown = { "?", -1, 0, { 0 }, { 0 } };
	struct blobs bl;
	int n, i;

	blobs_init(&bl);
	if (parse_blobs(ev, len, &bl))
		return -EINVAL;
	if (!d)
		d = &unknown;
	strbuf_reset(&f->scratch);
	if (!strcmp(d->name, "clone"))
		return format_clone(f, ev, ends);
	n = shown_args(d, ev);
	for (i = 0; i < n; i++) {
		add_arg(f, &f->scratch, ev, d, &bl, i);
		ends[i] = f->scratch.len;
	}
	return n;
}

/* ---- time --------------------------------------------------------------- */

static void add_time(struct rt_sc_fmt *f, struct strbuf *out, __u64 ts)
{
	__s64 wall = (__s64)ts + f->realtime_offset_ns;
	__s64 sec = wall / 1000000000, usec = (wall % 1000000000) / 1000;
	char buf[8];
	int i;

	if (sec != f->last_sec) {
		time_t t = sec;
		struct tm tm;

		if (f->utc)
			gmtime_r(&t, &tm);
		else
			localtime_r(&t, &tm);
		strftime(f->hms, sizeof(f->hms), "%H:%M:%S.", &tm);
		f->last_sec = sec;
	}
	strbuf_adds(out, f->hms);
	for (i = 5; i >= 0; i--) {
		buf[i] = '0' + usec % 10;
		usec /= 10;
	}
	strbuf_add(out, buf, 6);
}

static void add_pid(struct strbuf *out, __u32 pid)
{
	char buf[32], *p = buf + sizeof(buf);
	int digits = 0;

	*--p = ' ';
	*--p = ']';
	do {
		*--p = '0' + pid % 10;
		pid /= 10;
		digits++;
	} while (pid);
	for (; digits < 5; digits++)
		*--p = ' ';
	p -= 5;
	memcpy(p, "[pid ", 5);
	strbuf_add(out, p, buf + sizeof(buf) - p);
}

static void add_duration(struct strbuf *out, __u64 ns)
{
	unsigned long long us = ns / 1000, frac = us % 1000000;
	char buf[8];
	int i;

	strbuf_add(out, " <", 2);
	add_u64(out, us / 1000000);
	buf[0] = '.';
	for (i = 6; i >= 1; i--) {
		buf[i] = '0' + frac % 10;
		frac /= 10;
	}
	buf[7] = '>';
	strbuf_add(out, buf, 8);
}

static void sc_name(struct strbuf *out, const struct rt_sc_desc *d, __u32 nr)
{
	if (d) {
		strbuf_adds(out, d->name);
	} else {
		strbuf_adds(out, "syscall_");
		add_u64(out, nr);
	}
}

static bool is_exit(const struct rt_sc_desc *d)
{
	return d && (!strcmp(d->name, "exit") || !strcmp(d->name, "exit_group"));
}

void rt_sc_fmt_init(struct rt_sc_fmt *f, unsigned strsize, __s64 realtime_offset_ns)
{
	memset(f, 0, sizeof(*f));
	f->strsize = strsize;
	f->realtime_offset_ns = realtime_offset_ns;
	f->last_sec = -1;
}

void rt_sc_fmt_free(struct rt_sc_fmt *f)
{
	strbuf_free(&f->scratch);
}

int rt_sc_fmt_text(struct rt_sc_fmt *f, struct strbuf *out,
		   const struct rt_syscall_event *ev, size_t len)
{
	const struct rt_sc_desc *d = rt_sc_desc(ev->nr);
	size_t ends[6], start = 0;
	int n, i;

	n = format_args(f, ev, len, d, ends);
	if (n < 0)
		return n;
	add_time(f, out, ev->hdr.ts);
	strbuf_addc(out, ' ');
	add_pid(out, ev->hdr.tid);
	if (ev->flags & RT_SC_F_RESUMED) {
		/* in flight when tracing began: its arguments are not known */
		strbuf_adds(out, "<... ");
		sc_name(out, d, ev->nr);
		strbuf_adds(out, " resumed>) = ");
		rt_sc_retval(out, ev->nr, ev->ret);
		strbuf_addc(out, '\n');
		return 0;
	}
	sc_name(out, d, ev->nr);
	strbuf_addc(out, '(');
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_add(out, ", ", 2);
		strbuf_add(out, f->scratch.buf + start, ends[i] - start);
		start = ends[i];
	}
	if (ev->flags & RT_SC_F_UNFINISHED) {
		if (is_exit(d))
			strbuf_adds(out, ") = ?\n");
		else
			strbuf_adds(out, " <unfinished ...>\n");
		return 0;
	}
	strbuf_add(out, ") = ", 4);
	rt_sc_retval(out, ev->nr, ev->ret);
	add_duration(out, ev->duration_ns);
	strbuf_addc(out, '\n');
	return 0;
}

int rt_sc_fmt_json(struct rt_sc_fmt *f, struct strbuf *out,
		   const struct rt_syscall_event *ev, size_t len)
{
	const struct rt_sc_desc *d = rt_sc_desc(ev->nr);
	size_t ends[6], start = 0, mark;
	int n, i;

	n = format_args(f, ev, len, d, ends);
	if (n < 0)
		return n;
	if (ev->flags & RT_SC_F_RESUMED)
		n = 0; /* arguments not known */
	strbuf_adds(out, "{\"time\":\"");
	add_time(f, out, ev->hdr.ts);
	strbuf_adds(out, "\",\"ts_ns\":");
	add_u64(out, ev->hdr.ts + f->realtime_offset_ns);
	strbuf_adds(out, ",\"pid\":");
	add_u64(out, ev->hdr.pid);
	strbuf_adds(out, ",\"tid\":");
	add_u64(out, ev->hdr.tid);
	strbuf_adds(out, ",\"syscall\":\"");
	sc_name(out, d, ev->nr);
	strbuf_adds(out, "\",\"nr\":");
	add_u64(out, ev->nr);
	strbuf_adds(out, ",\"args\":[");
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addc(out, ',');
		strbuf_add_json_str(out, f->scratch.buf + start, ends[i] - start);
		start = ends[i];
	}
	strbuf_addc(out, ']');
	if (ev->flags & RT_SC_F_UNFINISHED) {
		strbuf_adds(out, ",\"unfinished\":true}\n");
		return 0;
	}
	if (ev->flags & RT_SC_F_RESUMED)
		strbuf_adds(out, ",\"resumed\":true");
	strbuf_adds(out, ",\"ret\":");
	add_s64(out, ev->ret);
	if (is_err(ev->ret) && -ev->ret < RT_ERRNO_MAX && rt_errno_names[-ev->ret]) {
		strbuf_adds(out, ",\"errno\":\"");
		strbuf_adds(out, rt_errno_names[-ev->ret]);
		strbuf_addc(out, '"');
	}
	strbuf_adds(out, ",\"retval\":");
	mark = f->scratch.len;
	rt_sc_retval(&f->scratch, ev->nr, ev->ret);
	strbuf_add_json_str(out, f->scratch.buf + mark, f->scratch.len - mark);
	strbuf_adds(out, ",\"duration_ns\":");
	add_u64(out, ev->duration_ns);
	strbuf_adds(out, "}\n");
	return 0;
}

static void exit_words(struct strbuf *out, int status)
{
	if (WIFSIGNALED(status)) {
		strbuf_adds(out, "+++ killed by ");
		add_signal(out, WTERMSIG(status));
		strbuf_adds(out, WCOREDUMP(status) ? " (core dumped) +++" : " +++");
	} else {
		strbuf_adds(out, "+++ exited with ");
		add_s64(out, WEXITSTATUS(status));
		strbuf_adds(out, " +++");
	}
}

void rt_sc_fmt_exit_text(struct rt_sc_fmt *f, struct strbuf *out, __u64 ts,
			 __u32 pid, int status)
{
	add_time(f, out, ts);
	strbuf_addc(out, ' ');
	add_pid(out, pid);
	exit_words(out, status);
	strbuf_addc(out, '\n');
}

void rt_sc_fmt_exit_json(struct rt_sc_fmt *f, struct strbuf *out, __u64 ts,
			 __u32 pid, int status)
{
	strbuf_adds(out, "{\"time\":\"");
	add_time(f, out, ts);
	strbuf_adds(out, "\",\"ts_ns\":");
	add_u64(out, ts + f->realtime_offset_ns);
	strbuf_adds(out, ",\"pid\":");
	add_u64(out, pid);
	if (WIFSIGNALED(status)) {
		strbuf_adds(out, ",\"killed_by\":\"");
		add_signal(out, WTERMSIG(status));
		strbuf_adds(out, "\"}\n");
	} else {
		strbuf_adds(out, ",\"exited\":");
		add_s64(out, WEXITSTATUS(status));
		strbuf_adds(out, "}\n");
	}
}
