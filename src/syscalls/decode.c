// SPDX-License-Identifier: GPL-2.0-only
/*
 * strace's decoding of syscall arguments and return values, on the records
 * of bpf/syscalls.bpf.c: raw registers plus the user memory captured for
 * them (blobs).  Each argument kind of args.list has its printer here; a
 * few syscalls whose arguments depend on one another (fcntl, ioctl, futex,
 * clone, prctl, sockopts ...) have their own.  The forms follow strace
 * 6.1's decoders (the src/ files of strace): abbreviated structs, flags in its
 * table order, "[128 => 16]" for in/out values, the return value's
 * decoration ("= 0x1 (flags FD_CLOEXEC)", "= 0 (Timeout)").
 *
 * The rule strace follows for a pointer: NULL prints "NULL"; memory it
 * reads when the syscall returns prints as an address if the syscall
 * failed; memory that could not be read prints as an address.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "syscalls/decode.h"
#include "syscalls/record.h"
#include "syscalls/table.h"

#define MAX_ARGV RT_SC_ARGV_MAX

/* ---- the blobs of a record ------------------------------------------------- */

struct blobs {
	const struct rt_sc_blob *out[6];  /* read at exit (or at entry for execve) */
	const struct rt_sc_blob *in[6];   /* read at entry (RT_BLOB_F_ENTER) */
	const struct rt_sc_blob *name[6]; /* msghdr msg_name */
	const struct rt_sc_blob *ctrl[6]; /* msghdr msg_control */
	const struct rt_sc_blob *count[6];
	const struct rt_sc_blob *iov[6];  /* an iovec array */
	const struct rt_sc_blob *elem[RT_SC_IOV_MAX];
	int nelem;
	const struct rt_sc_blob *argv[MAX_ARGV];
	int argc;       /* elements captured */
	int argv_total; /* elements the program passed, -1 if unknown */
	int argv_arg;   /* argument index of argv, -1 if none */
};

/* Index the blobs of @ev; -EINVAL if one runs past @len. */
static int parse_blobs(const struct rt_syscall_event *ev, size_t len, struct blobs *bl)
{
	struct rt_sc_blob_it it;
	const struct rt_sc_blob *b;
	int i;

	/* cleared by hand: this runs for every record */
	memset(bl->out, 0, sizeof(bl->out));
	memset(bl->in, 0, sizeof(bl->in));
	memset(bl->name, 0, sizeof(bl->name));
	memset(bl->ctrl, 0, sizeof(bl->ctrl));
	memset(bl->count, 0, sizeof(bl->count));
	memset(bl->iov, 0, sizeof(bl->iov));
	bl->nelem = 0;
	bl->argc = 0;
	bl->argv_total = -1;
	bl->argv_arg = -1;
	for (b = rt_sc_blob_first(&it, ev, len); b; b = rt_sc_blob_next(&it)) {
		bool enter = b->kind & RT_BLOB_F_ENTER;

		switch (RT_BLOB_KIND(b->kind)) {
		case RT_BLOB_STR:
		case RT_BLOB_DATA:
			if (enter && !bl->in[b->arg])
				bl->in[b->arg] = b;
			else if (!enter && !bl->out[b->arg])
				bl->out[b->arg] = b;
			break;
		case RT_BLOB_ARGV:
			bl->argv_arg = b->arg;
			if (bl->argc < MAX_ARGV)
				bl->argv[bl->argc++] = b;
			break;
		case RT_BLOB_ARGV_END:
			bl->argv_arg = b->arg;
			if (b->len >= 4)
				memcpy(&bl->argv_total, rt_sc_blob_data(b), 4);
			break;
		case RT_BLOB_COUNT:
			if (b->len >= 4)
				bl->count[b->arg] = b;
			break;
		case RT_BLOB_IOV:
			bl->iov[b->arg] = b;
			break;
		case RT_BLOB_ELEM:
			if (bl->nelem < RT_SC_IOV_MAX)
				bl->elem[bl->nelem++] = b;
			break;
		case RT_BLOB_NAME:
			bl->name[b->arg] = b;
			break;
		case RT_BLOB_CTRL:
			bl->ctrl[b->arg] = b;
			break;
		default:
			break;
		}
	}
	if (it.bad)
		return -EINVAL;
	/* execve's path and argv are read at entry but not flagged */
	for (i = 0; i < 6; i++)
		if (!bl->out[i] && bl->in[i] && RT_BLOB_KIND(bl->in[i]->kind) == RT_BLOB_STR)
			bl->out[i] = bl->in[i];
	return 0;
}

/* ---- numbers, fast --------------------------------------------------------- */

void rt_add_u64(struct strbuf *out, unsigned long long v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	strbuf_add(out, p, buf + sizeof(buf) - p);
}

void rt_add_s64(struct strbuf *out, long long v)
{
	if (v < 0) {
		strbuf_addc(out, '-');
		rt_add_u64(out, -(unsigned long long)v);
	} else {
		rt_add_u64(out, v);
	}
}

void rt_add_hex(struct strbuf *out, unsigned long long v)
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
		rt_add_hex(out, v);
}

static void add_oct(struct strbuf *out, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%#llo", v);
	strbuf_adds(out, buf);
}

/* ---- strings ---------------------------------------------------------------- */

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
 * with "..." if the bound cut it (strace shows @show characters then). */
static void add_str_blob(struct strbuf *out, const struct rt_sc_blob *b, size_t max, size_t show)
{
	size_t n = b->len;
	bool cut = false;

	if (n && rt_sc_blob_data(b)[n - 1] == 0)
		n--;
	if (b->len >= max) {
		cut = true;
		if (n > show)
			n = show;
	}
	rt_sc_quote(out, rt_sc_blob_data(b), n, cut);
}

/* A fixed-size char array (utsname's fields, a command name): up to its
 * NUL, quoted. */
static void add_cstring(struct strbuf *out, const unsigned char *s, size_t size)
{
	rt_sc_quote(out, s, strnlen((const char *)s, size), false);
}

/* ---- flags and enums (strace's printflags, printxval) ------------------------ */

/* -X raw, for the record being decoded; per thread: a large log is decoded
 * by several threads at once (syscalls/calltrace.c).  initial-exec: this
 * -fPIC library is linked into the executable, and the default model would
 * make runtrace need the dynamic loader as a library (__tls_get_addr). */
static _Thread_local bool raw_mode __attribute__((tls_model("initial-exec")));

void rt_sc_flags(struct strbuf *out, const void *table, unsigned long val, const char *dflt)
{
	const struct rt_flag *f;
	unsigned long left = val;
	int n = 0;

	if (raw_mode) {
		if (val || dflt)
			rt_add_hex(out, val);
		return;
	}
	for (f = table; f->name && (left || !n); f++) {
		if (left == f->val || (f->val && (left & f->val) == f->val)) {
			if (n++)
				strbuf_addc(out, '|');
			strbuf_adds(out, f->name);
			left &= ~f->val;
			if (!left)
				break;
		}
	}
	if (n) {
		if (left) {
			strbuf_addc(out, '|');
			rt_add_hex(out, left);
		}
	} else if (left) {
		rt_add_hex(out, left);
		if (dflt) {
			strbuf_adds(out, " /* ");
			strbuf_adds(out, dflt);
			strbuf_adds(out, " */");
		}
	} else if (dflt) {
		strbuf_addc(out, '0');
	}
}

/* printxval: the name, or the value in hex with "/\* dflt *\/". */
static void pxval(struct strbuf *out, const struct rt_flag *tab, unsigned long v, const char *dflt)
{
	const char *n = raw_mode ? NULL : rt_flag_name(tab, v);

	if (n) {
		strbuf_adds(out, n);
		return;
	}
	rt_add_hex(out, v);
	if (dflt && !raw_mode) {
		strbuf_adds(out, " /* ");
		strbuf_adds(out, dflt);
		strbuf_adds(out, " */");
	}
}

/* printxval_d: the same with a decimal value. */
static void pxval_d(struct strbuf *out, const struct rt_flag *tab, long long v, const char *dflt)
{
	const char *n = raw_mode ? NULL : rt_flag_name(tab, v);

	if (n) {
		strbuf_adds(out, n);
		return;
	}
	rt_add_s64(out, v);
	if (dflt && !raw_mode) {
		strbuf_adds(out, " /* ");
		strbuf_adds(out, dflt);
		strbuf_adds(out, " */");
	}
}

/* strace's signalent: 1..31 named, 32 is SIGRTMIN, 33.. SIGRT_n. */
static const char *sig_name(int sig, char *buf, size_t size)
{
	const char *n = sig > 0 ? rt_flag_name(rt_enum_sig, sig) : NULL;

	if (n)
		return n;
	if (sig == 32)
		return "SIGRTMIN";
	if (sig > 32 && sig <= 64) {
		snprintf(buf, size, "SIGRT_%d", sig - 32);
		return buf;
	}
	return NULL;
}

void rt_add_signal(struct strbuf *out, int sig)
{
	char buf[16];
	const char *n = raw_mode ? NULL : sig_name(sig, buf, sizeof(buf));

	if (n)
		strbuf_adds(out, n);
	else
		rt_add_s64(out, sig);
}

/* A sigset of @bytes bytes as strace prints it: [HUP INT], ~[KILL STOP]
 * when two thirds or more are set. */
static void add_sigset(struct strbuf *out, const unsigned char *p, size_t bytes)
{
	__u64 mask = 0;
	bool first = true, inv;
	int i, set;

	if (bytes > 8)
		bytes = 8;
	memcpy(&mask, p, bytes);
	set = __builtin_popcountll(mask);
	inv = set >= (int)(bytes * 8 * 2 / 3);
	if (inv) {
		mask = ~mask;
		if (bytes < 8)
			mask &= (1ull << (bytes * 8)) - 1;
		strbuf_addc(out, '~');
	}
	strbuf_addc(out, '[');
	for (i = 0; i < 64; i++) {
		char buf[16];
		const char *n;

		if (!(mask & (1ull << i)))
			continue;
		if (!first)
			strbuf_addc(out, ' ');
		first = false;
		if (raw_mode) {
			rt_add_u64(out, i + 1);
			continue;
		}
		n = sig_name(i + 1, buf, sizeof(buf));
		if (n && !strncmp(n, "SIG", 3))
			strbuf_adds(out, n + 3);
		else
			rt_add_u64(out, i + 1);
	}
	strbuf_addc(out, ']');
}

/* ---- the decoding context -------------------------------------------------- */

struct dc {
	struct rt_sc_fmt *f;
	const struct rt_syscall_event *ev;
	const struct rt_sc_desc *d;
	struct blobs bl;
	struct strbuf *o;   /* f->scratch */
	struct rt_sc_dec *dec;
	bool exited;        /* the syscall returned */
	bool failed;        /* ... with an error */
	long long ret;
	int rkind;          /* RT_R_*: how the return value prints */
	char aux[1024];     /* its decoration: " (aux)" */
	bool noret;         /* exit, exit_group */
};

static __u64 A(const struct dc *c, int i)
{
	return c->ev->args[i];
}

/* The end of an argument. */
static void next(struct dc *c)
{
	if (c->dec->n < RT_DEC_ARGS_MAX)
		c->dec->ends[c->dec->n++] = c->o->len;
}

/* The memory of argument @i read when the syscall returned, if strace
 * would print it (it prints an address after a failure), else NULL. */
static const struct rt_sc_blob *outblob(const struct dc *c, int i, size_t min)
{
	const struct rt_sc_blob *b = c->bl.out[i];

	if (!c->exited || c->failed || !b || b->len < min)
		return NULL;
	return b;
}

/* The memory of input argument @i (read at exit whatever the result, or
 * at entry), if at least @min bytes. */
static const struct rt_sc_blob *inblob(const struct dc *c, int i, size_t min)
{
	const struct rt_sc_blob *b = c->bl.in[i] ? c->bl.in[i] : c->bl.out[i];

	if (!b || b->len < min)
		return NULL;
	return b;
}

static void add_fd(struct dc *c, int fd)
{
	const char *path;

	rt_add_s64(c->o, fd);
	if (fd >= 0 && c->f->fd_path && (path = c->f->fd_path(c->f->fd_ctx, c->ev->hdr.pid, fd))) {
		size_t n = strlen(path);
		size_t mark;

		strbuf_addc(c->o, '<');
		/* quoted as strace does, without the quotes */
		mark = c->o->len;
		rt_sc_quote(c->o, (const unsigned char *)path, n, false);
		memmove(c->o->buf + mark, c->o->buf + mark + 1, c->o->len - mark - 2);
		c->o->len -= 2;
		c->o->buf[c->o->len] = 0;
		strbuf_addc(c->o, '>');
	}
}

static void add_dirfd(struct dc *c, int fd)
{
	if (fd == AT_FDCWD && !raw_mode)
		strbuf_adds(c->o, "AT_FDCWD");
	else
		add_fd(c, fd);
}

/* ---- structs -------------------------------------------------------------- */

/* strace's print_symbolic_mode_t(): S_IFREG|S_ISUID|0755. */
static void add_mode_t(struct strbuf *o, unsigned mode)
{
	const char *t = "";
	char buf[24];

	if (mode & S_IFMT)
		t = rt_flag_name(rt_enum_modetypes, mode & S_IFMT);
	if (!t || raw_mode) {
		snprintf(buf, sizeof(buf), "%#03o", mode);
		strbuf_adds(o, buf);
		return;
	}
	strbuf_adds(o, t);
	if (*t)
		strbuf_addc(o, '|');
	if (mode & S_ISUID)
		strbuf_adds(o, "S_ISUID|");
	if (mode & S_ISGID)
		strbuf_adds(o, "S_ISGID|");
	if (mode & S_ISVTX)
		strbuf_adds(o, "S_ISVTX|");
	snprintf(buf, sizeof(buf), "%#03o", mode & ~(S_IFMT | S_ISUID | S_ISGID | S_ISVTX));
	strbuf_adds(o, buf);
}

static void add_dev(struct strbuf *o, unsigned long long dev)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "makedev(%#x, %#x)", major(dev), minor(dev));
	strbuf_adds(o, buf);
}

static void add_time_comment(struct strbuf *o, long long sec, unsigned long long nsec)
{
	char buf[64], tz[8];
	time_t t = sec;
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return;
	strftime(buf, sizeof(buf), "%FT%T", &tm);
	strftime(tz, sizeof(tz), "%z", &tm);
	strbuf_adds(o, " /* ");
	strbuf_adds(o, buf);
	strbuf_addf(o, ".%09llu%s */", nsec, tz);
}

/* struct stat (x86_64): strace's abbreviated {st_mode=..., st_size=..., ...}
 * or, with -v, all of it. */
static void add_stat(struct dc *c, const unsigned char *p)
{
	struct stat st;
	struct strbuf *o = c->o;

	memcpy(&st, p, sizeof(st));
	strbuf_addc(o, '{');
	if (c->f->verbose) {
		strbuf_adds(o, "st_dev=");
		add_dev(o, st.st_dev);
		strbuf_addf(o, ", st_ino=%llu, st_mode=", (unsigned long long)st.st_ino);
		add_mode_t(o, st.st_mode);
		strbuf_addf(o, ", st_nlink=%llu, st_uid=%u, st_gid=%u, st_blksize=%lld, "
			    "st_blocks=%lld", (unsigned long long)st.st_nlink, st.st_uid,
			    st.st_gid, (long long)st.st_blksize, (long long)st.st_blocks);
	} else {
		strbuf_adds(o, "st_mode=");
		add_mode_t(o, st.st_mode);
	}
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		strbuf_adds(o, ", st_rdev=");
		add_dev(o, st.st_rdev);
	} else {
		strbuf_addf(o, ", st_size=%llu", (unsigned long long)st.st_size);
	}
	if (c->f->verbose) {
		strbuf_addf(o, ", st_atime=%lld", (long long)st.st_atim.tv_sec);
		add_time_comment(o, st.st_atim.tv_sec, st.st_atim.tv_nsec);
		strbuf_addf(o, ", st_atime_nsec=%lu", (unsigned long)st.st_atim.tv_nsec);
		strbuf_addf(o, ", st_mtime=%lld", (long long)st.st_mtim.tv_sec);
		add_time_comment(o, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		strbuf_addf(o, ", st_mtime_nsec=%lu", (unsigned long)st.st_mtim.tv_nsec);
		strbuf_addf(o, ", st_ctime=%lld", (long long)st.st_ctim.tv_sec);
		add_time_comment(o, st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
		strbuf_addf(o, ", st_ctime_nsec=%lu}", (unsigned long)st.st_ctim.tv_nsec);
	} else {
		strbuf_adds(o, ", ...}");
	}
}

/* struct statx, abbreviated as strace does. */
static void add_statx(struct dc *c, const unsigned char *p)
{
	struct strbuf *o = c->o;
	__u32 mask, mode16;
	__u64 attrs, size;

	memcpy(&mask, p, 4);           /* stx_mask */
	memcpy(&attrs, p + 8, 8);      /* stx_attributes */
	mode16 = p[28] | p[29] << 8;   /* stx_mode (__u16) */
	memcpy(&size, p + 40, 8);      /* stx_size */
	strbuf_adds(o, "{stx_mask=");
	rt_sc_flags(o, rt_set_statxmask, mask, "STATX_???");
	if (c->f->verbose) {
		__u32 blksize;

		memcpy(&blksize, p + 4, 4);
		strbuf_addf(o, ", stx_blksize=%u", blksize);
	}
	strbuf_adds(o, ", stx_attributes=");
	rt_sc_flags(o, rt_set_statxattrs, attrs, "STATX_ATTR_???");
	if (mask & (STATX_TYPE | STATX_MODE)) {
		strbuf_adds(o, ", stx_mode=");
		add_mode_t(o, mode16);
	}
	if (mask & STATX_SIZE)
		strbuf_addf(o, ", stx_size=%llu", (unsigned long long)size);
	strbuf_adds(o, ", ...}");
}

/* struct statfs (x86_64). */
static void add_statfs(struct dc *c, const unsigned char *p)
{
	struct strbuf *o = c->o;
	__s64 v[11];
	__s32 fsid[2];

	memcpy(v, p, 7 * 8);                 /* type bsize blocks bfree bavail files ffree */
	memcpy(fsid, p + 56, 8);
	memcpy(&v[7], p + 64, 3 * 8);        /* namelen frsize flags */
	strbuf_adds(o, "{f_type=");
	pxval(o, rt_enum_fsmagic, (unsigned long)v[0], NULL);
	strbuf_addf(o, ", f_bsize=%lld, f_blocks=%llu, f_bfree=%llu, f_bavail=%llu, "
		    "f_files=%llu, f_ffree=%llu, f_fsid={val=[%#x, %#x]}, f_namelen=%lld, "
		    "f_frsize=%lld, f_flags=", (long long)v[1], (unsigned long long)v[2],
		    (unsigned long long)v[3], (unsigned long long)v[4], (unsigned long long)v[5],
		    (unsigned long long)v[6], (unsigned)fsid[0], (unsigned)fsid[1],
		    (long long)v[7], (long long)v[8]);
	/* ST_* of statfs(2)'s f_flags */
	{
		static const struct rt_flag st_flags[] = {
			{ 0x0001, "ST_RDONLY" }, { 0x0002, "ST_NOSUID" }, { 0x0004, "ST_NODEV" },
			{ 0x0008, "ST_NOEXEC" }, { 0x0010, "ST_SYNCHRONOUS" }, { 0x0020, "ST_VALID" },
			{ 0x0040, "ST_MANDLOCK" }, { 0x0400, "ST_NOATIME" },
			{ 0x0800, "ST_NODIRATIME" }, { 0x1000, "ST_RELATIME" },
			{ 0x2000, "ST_NOSYMFOLLOW" }, { 0, NULL },
		};

		rt_sc_flags(o, st_flags, (unsigned long)v[9], "ST_???");
	}
	strbuf_addc(o, '}');
}

/* struct kernel_sigaction (x86_64): handler, flags, restorer, mask. */
static void add_sigaction(struct dc *c, const unsigned char *p)
{
	struct strbuf *o = c->o;
	__u64 handler, flags, restorer;

	memcpy(&handler, p, 8);
	memcpy(&flags, p + 8, 8);
	memcpy(&restorer, p + 16, 8);
	strbuf_adds(o, "{sa_handler=");
	if (!raw_mode && rt_flag_name(rt_enum_sahandler, handler))
		strbuf_adds(o, rt_flag_name(rt_enum_sahandler, handler));
	else
		add_ptr(o, handler);
	strbuf_adds(o, ", sa_mask=");
	add_sigset(o, p + 24, 8);
	strbuf_adds(o, ", sa_flags=");
	rt_sc_flags(o, rt_set_saflags, flags, "SA_???");
	if (flags & 0x04000000) { /* SA_RESTORER */
		strbuf_adds(o, ", sa_restorer=");
		add_ptr(o, restorer);
	}
	strbuf_addc(o, '}');
}

static void add_timespec(struct strbuf *o, const unsigned char *p)
{
	__s64 sec, nsec;

	memcpy(&sec, p, 8);
	memcpy(&nsec, p + 8, 8);
	strbuf_addf(o, "{tv_sec=%lld, tv_nsec=%lld}", (long long)sec, (long long)nsec);
}

static void add_timeval(struct strbuf *o, const unsigned char *p)
{
	__s64 sec, usec;

	memcpy(&sec, p, 8);
	memcpy(&usec, p + 8, 8);
	strbuf_addf(o, "{tv_sec=%lld, tv_usec=%lld}", (long long)sec, (long long)usec);
}

static void add_rlim(struct strbuf *o, __u64 v)
{
	if (v == ~0ull && !raw_mode)
		strbuf_adds(o, "RLIM64_INFINITY");
	else if (v > 1024 && v % 1024 == 0 && !raw_mode)
		strbuf_addf(o, "%llu*1024", (unsigned long long)(v / 1024));
	else
		rt_add_u64(o, v);
}

static void add_rlimit(struct strbuf *o, const unsigned char *p)
{
	__u64 cur, max;

	memcpy(&cur, p, 8);
	memcpy(&max, p + 8, 8);
	strbuf_adds(o, "{rlim_cur=");
	add_rlim(o, cur);
	strbuf_adds(o, ", rlim_max=");
	add_rlim(o, max);
	strbuf_addc(o, '}');
}

static void add_rusage(struct dc *c, const unsigned char *p)
{
	struct strbuf *o = c->o;
	__s64 v[18];
	static const char *const names[] = {
		"ru_maxrss", "ru_ixrss", "ru_idrss", "ru_isrss", "ru_minflt", "ru_majflt",
		"ru_nswap", "ru_inblock", "ru_oublock", "ru_msgsnd", "ru_msgrcv", "ru_nsignals",
		"ru_nvcsw", "ru_nivcsw",
	};
	int i;

	memcpy(v, p, sizeof(v));
	strbuf_adds(o, "{ru_utime=");
	add_timeval(o, p);
	strbuf_adds(o, ", ru_stime=");
	add_timeval(o, p + 16);
	if (!c->f->verbose) {
		strbuf_adds(o, ", ...}");
		return;
	}
	for (i = 0; i < 14; i++)
		strbuf_addf(o, ", %s=%lld", names[i], (long long)v[4 + i]);
	strbuf_addc(o, '}');
}

static void add_waitstatus(struct strbuf *out, int s)
{
	strbuf_adds(out, "[{");
	if (WIFEXITED(s)) {
		strbuf_adds(out, "WIFEXITED(s) && WEXITSTATUS(s) == ");
		rt_add_s64(out, WEXITSTATUS(s));
	} else if (WIFSIGNALED(s)) {
		strbuf_adds(out, "WIFSIGNALED(s) && WTERMSIG(s) == ");
		rt_add_signal(out, WTERMSIG(s));
		if (WCOREDUMP(s))
			strbuf_adds(out, " && WCOREDUMP(s)");
	} else if (WIFSTOPPED(s)) {
		strbuf_adds(out, "WIFSTOPPED(s) && WSTOPSIG(s) == ");
		rt_add_signal(out, WSTOPSIG(s));
	} else if (WIFCONTINUED(s)) {
		strbuf_adds(out, "WIFCONTINUED(s)");
	} else {
		rt_add_hex(out, s);
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
	pxval(out, rt_enum_family, ss.ss_family, "AF_???");
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
	case AF_NETLINK: {
		__u32 pid = 0, groups = 0;

		memcpy(&pid, (const char *)&ss + 4, 4);
		memcpy(&groups, (const char *)&ss + 8, 4);
		strbuf_addf(out, ", nl_pid=%u, nl_groups=%08x}", pid, groups);
		return;
	}
	default:
		strbuf_adds(out, ", sa_data=");
		rt_sc_quote(out, (const unsigned char *)&ss + sizeof(sa_family_t),
			    len - sizeof(sa_family_t), false);
		strbuf_addc(out, '}');
	}
}

/* The bytes of a data buffer: "..." when @total (what the syscall had or
 * moved) is more than was captured. */
static void add_data(struct dc *c, const struct rt_sc_blob *b, unsigned long long total)
{
	rt_sc_quote(c->o, rt_sc_blob_data(b), b->len, total > b->len);
}

/* An iovec array (the IOV blob of argument @i): its elements with their
 * bytes (ELEM blobs, in order). */
static void add_iov(struct dc *c, int i, unsigned long long cnt, bool read)
{
	const struct rt_sc_blob *arr = c->bl.iov[i];
	unsigned long long budget = read ? (c->ret > 0 ? (unsigned long long)c->ret : 0) : ~0ull;
	unsigned k, n;

	if (!arr) {
		add_ptr(c->o, A(c, i));
		return;
	}
	n = arr->len / 16;
	strbuf_addc(c->o, '[');
	for (k = 0; k < n; k++) {
		__u64 base, len, show;

		memcpy(&base, rt_sc_blob_data(arr) + k * 16, 8);
		memcpy(&len, rt_sc_blob_data(arr) + k * 16 + 8, 8);
		show = len < budget ? len : budget;
		if (budget != ~0ull)
			budget -= show;
		if (k)
			strbuf_adds(c->o, ", ");
		if (k >= c->f->strsize) {
			strbuf_adds(c->o, "...");
			break;
		}
		strbuf_adds(c->o, "{iov_base=");
		if (read && c->failed)
			add_ptr(c->o, base);
		else if (k < (unsigned)c->bl.nelem && (c->bl.elem[k]->len || !show || !c->f->strsize))
			rt_sc_quote(c->o, rt_sc_blob_data(c->bl.elem[k]), c->bl.elem[k]->len,
				    show > c->bl.elem[k]->len);
		else
			add_ptr(c->o, base);
		strbuf_addf(c->o, ", iov_len=%llu}", (unsigned long long)len);
	}
	if (n < cnt && n < c->f->strsize)
		strbuf_adds(c->o, ", ...");
	strbuf_addc(c->o, ']');
}

/* struct msghdr: name, iovecs (@read: bounded by what was received),
 * control, flags.  @namelen_in: msg_namelen before the call, -1 if not
 * known. */
static void add_msghdr(struct dc *c, int i, bool read, int namelen_in)
{
	const struct rt_sc_blob *m = c->bl.out[i];
	const struct rt_sc_blob *name = c->bl.name[i];
	const unsigned char *md;
	struct strbuf *o = c->o;
	__u64 namep, iovp, iovlen, ctrlp, ctrllen;
	__u32 namelen, flags;

	if (!m || m->len < 56) {
		add_ptr(o, A(c, i));
		return;
	}
	md = rt_sc_blob_data(m);
	memcpy(&namep, md, 8);
	memcpy(&namelen, md + 8, 4);
	memcpy(&iovp, md + 16, 8);
	memcpy(&iovlen, md + 24, 8);
	memcpy(&ctrlp, md + 32, 8);
	memcpy(&ctrllen, md + 40, 8);
	memcpy(&flags, md + 48, 4);
	strbuf_adds(o, "{msg_name=");
	if (name && namep)
		rt_sc_sockaddr(o, rt_sc_blob_data(name), name->len);
	else
		add_ptr(o, namep);
	strbuf_adds(o, ", msg_namelen=");
	if (namelen_in >= 0 && (__u32)namelen_in != namelen)
		strbuf_addf(o, "%d => ", namelen_in);
	rt_add_s64(o, (int)namelen);
	strbuf_adds(o, ", msg_iov=");
	if (!iovp)
		strbuf_adds(o, "NULL");
	else
		add_iov(c, i, iovlen, read);
	strbuf_addf(o, ", msg_iovlen=%llu", (unsigned long long)iovlen);
	if (ctrllen) {
		strbuf_adds(o, ", msg_control=");
		add_ptr(o, ctrlp);
	}
	strbuf_addf(o, ", msg_controllen=%llu, msg_flags=", (unsigned long long)ctrllen);
	rt_sc_flags(o, rt_set_msgflags, flags, "MSG_???");
	strbuf_addc(o, '}');
}

/* A struct termios (the kernel's, 36 bytes; termios2 44), abbreviated. */
static void add_termios(struct dc *c, const unsigned char *p)
{
	struct strbuf *o = c->o;
	__u32 iflag, oflag, cflag, lflag, v;

	memcpy(&iflag, p, 4);
	memcpy(&oflag, p + 4, 4);
	memcpy(&cflag, p + 8, 4);
	memcpy(&lflag, p + 12, 4);
	strbuf_adds(o, "{c_iflag=");
	rt_sc_flags(o, rt_set_termiflags, iflag, NULL);
	strbuf_adds(o, ", c_oflag=");
	pxval(o, rt_enum_termnldly, oflag & 0000400, "NL?");
	strbuf_addc(o, '|');
	pxval(o, rt_enum_termcrdly, oflag & 0003000, "CR?");
	strbuf_addc(o, '|');
	pxval(o, rt_enum_termtabdly, oflag & 0014000, "TAB?");
	strbuf_addc(o, '|');
	pxval(o, rt_enum_termbsdly, oflag & 0020000, "BS?");
	strbuf_addc(o, '|');
	pxval(o, rt_enum_termvtdly, oflag & 0040000, "VT?");
	strbuf_addc(o, '|');
	pxval(o, rt_enum_termffdly, oflag & 0100000, "FF?");
	strbuf_addc(o, '|');
	rt_sc_flags(o, rt_set_termoflags, oflag & ~0177400u, NULL);
	strbuf_adds(o, ", c_cflag=");
	pxval(o, rt_enum_termbaud, cflag & 0010017, "B???");
	strbuf_addc(o, '|');
	v = (cflag & 002003600000) >> 16; /* CIBAUD >> IBSHIFT */
	if (v) {
		pxval(o, rt_enum_termbaud, v, "B???");
		strbuf_adds(o, "<<IBSHIFT|");
	}
	pxval(o, rt_enum_termcsize, cflag & 0000060, "CS?");
	strbuf_addc(o, '|');
	rt_sc_flags(o, rt_set_termcflags, cflag & ~(0010017u | 002003600000u | 0000060u), NULL);
	strbuf_adds(o, ", c_lflag=");
	rt_sc_flags(o, rt_set_termlflags, lflag, NULL);
	strbuf_adds(o, ", ...}");
}

/* ---- one argument by its kind ---------------------------------------------- */

/* Kinds strace prints when the syscall returns (the rest it prints at entry). */
static bool exit_kind(unsigned char k)
{
	switch (k) {
	case RT_A_BUFOUT: case RT_A_BUFOUTHEX: case RT_A_SOCKADDROUT: case RT_A_SOCKLEN: case RT_A_WAITSTATUS:
	case RT_A_PIPEFDS: case RT_A_STAT: case RT_A_STATX: case RT_A_STATFS:
	case RT_A_SIGACTOUT: case RT_A_SIGSETOUT: case RT_A_TIMESPECOUT: case RT_A_REMTIMESPEC:
	case RT_A_TIMEVALOUT: case RT_A_ITIMERVALOUT: case RT_A_ITIMERSPECOUT:
	case RT_A_UTSNAME: case RT_A_DIRENTS: case RT_A_CWD:
	case RT_A_RLIMITOUT: case RT_A_SYSINFO: case RT_A_GIDSOUT: case RT_A_INTOUT:
	case RT_A_CPUMASKOUT: case RT_A_EPOLLEVENTSOUT: case RT_A_MSGHDROUT:
	case RT_A_SOCKOPTVALOUT: case RT_A_STACKTOUT: case RT_A_IOVOUT:
		return true;
	default:
		return false;
	}
}

static void arg(struct dc *c, int i)
{
	unsigned long long a = A(c, i);
	const struct rt_sc_blob *b;
	struct strbuf *o = c->o;
	unsigned long long lenarg = A(c, c->d->lenidx[i] % 6);

	switch (c->d->kinds[i]) {
	case RT_A_FD:
		add_fd(c, (int)a);
		return;
	case RT_A_INT:
		rt_add_s64(o, (int)a);
		return;
	case RT_A_DIRFD:
		add_dirfd(c, (int)a);
		return;
	case RT_A_UINT:
		rt_add_u64(o, (unsigned)a);
		return;
	case RT_A_ULONG:
		rt_add_u64(o, a);
		return;
	case RT_A_LONG:
		rt_add_s64(o, (long long)a);
		return;
	case RT_A_PTR:
		add_ptr(o, a);
		return;
	case RT_A_PATH:
	case RT_A_STR:
		b = c->bl.out[i];
		if (!a)
			strbuf_adds(o, "NULL");
		else if (b && RT_BLOB_KIND(b->kind) == RT_BLOB_STR)
			add_str_blob(o, b, c->d->kinds[i] == RT_A_PATH ? RT_SC_PATH_MAX
								    : c->f->strsize + 2,
				     c->d->kinds[i] == RT_A_PATH ? RT_SC_PATH_MAX : c->f->strsize);
		else
			rt_add_hex(o, a);
		return;
	case RT_A_BUFIN:
		b = c->bl.out[i];
		if (b)
			add_data(c, b, lenarg);
		else if (a && (lenarg == 0 || c->f->strsize == 0))
			rt_sc_quote(o, NULL, 0, lenarg > 0); /* -s 0: ""... */
		else
			add_ptr(o, a);
		return;
	case RT_A_BUFOUTHEX:
		/* strace prints random bytes all in hex (getrandom) */
		b = outblob(c, i, 0);
		if (b) {
			const unsigned char *bd = rt_sc_blob_data(b);
			size_t k;

			strbuf_addc(o, '"');
			for (k = 0; k < b->len; k++) {
				static const char hx[] = "0123456789abcdef";
				char e[4] = { '\\', 'x', hx[bd[k] >> 4], hx[bd[k] & 15] };

				strbuf_add(o, e, 4);
			}
			strbuf_addc(o, '"');
			if ((__u64)c->ret > b->len)
				strbuf_adds(o, "...");
			return;
		}
		/* fall through */
	case RT_A_BUFOUT:
		b = outblob(c, i, 0);
		if (b)
			add_data(c, b, c->ret);
		else if (c->exited && !c->failed && a && (c->ret == 0 || !c->f->strsize))
			rt_sc_quote(o, NULL, 0, c->ret > 0);
		else
			add_ptr(o, a);
		return;
	case RT_A_CWD:
		/* getcwd's length counts the NUL; strace shows the path */
		b = outblob(c, i, 1);
		if (b && c->ret > 0)
			rt_sc_quote(o, rt_sc_blob_data(b),
				    strnlen((const char *)rt_sc_blob_data(b), b->len), false);
		else
			add_ptr(o, a);
		return;
	case RT_A_IOVIN:
		add_iov(c, i, lenarg, false);
		return;
	case RT_A_IOVOUT:
		add_iov(c, i, lenarg, true);
		return;
	case RT_A_SOCKADDR:
		b = inblob(c, i, 1);
		if (b && a)
			rt_sc_sockaddr(o, rt_sc_blob_data(b), b->len);
		else
			add_ptr(o, a);
		return;
	case RT_A_SOCKADDROUT:
		b = outblob(c, i, 0);
		if (b && a && b->len)
			rt_sc_sockaddr(o, rt_sc_blob_data(b), b->len);
		else
			add_ptr(o, a);
		return;
	case RT_A_SOCKLEN: {
		/* strace: [16], or [128 => 16] when the call changed it */
		const struct rt_sc_blob *in = c->bl.in[i];
		int vin, vout;

		b = outblob(c, i, 4);
		if (!a) {
			strbuf_adds(o, "NULL");
		} else if (in && in->len >= 4) {
			memcpy(&vin, rt_sc_blob_data(in), 4);
			if (b) {
				memcpy(&vout, rt_sc_blob_data(b), 4);
				if (vin != vout)
					strbuf_addf(o, "[%d => %d]", vin, vout);
				else
					strbuf_addf(o, "[%d]", vout);
			} else {
				strbuf_addf(o, "[%d]", vin);
			}
		} else if (b) {
			memcpy(&vout, rt_sc_blob_data(b), 4);
			strbuf_addf(o, "[%d]", vout);
		} else {
			add_ptr(o, a);
		}
		return;
	}
	case RT_A_OFFINOUT: {
		const struct rt_sc_blob *in = c->bl.in[i];
		long long vin, vout;

		b = outblob(c, i, 8);
		if (!a) {
			strbuf_adds(o, "NULL");
		} else if (in && in->len >= 8) {
			memcpy(&vin, rt_sc_blob_data(in), 8);
			strbuf_addf(o, "[%lld]", vin);
			if (b) {
				memcpy(&vout, rt_sc_blob_data(b), 8);
				if (vout != vin)
					strbuf_addf(o, " => [%lld]", vout);
			}
		} else {
			add_ptr(o, a);
		}
		return;
	}
	case RT_A_WAITSTATUS:
		b = outblob(c, i, 4);
		if (b && c->ret > 0) {
			int s;

			memcpy(&s, rt_sc_blob_data(b), 4);
			add_waitstatus(o, s);
		} else {
			add_ptr(o, a);
		}
		return;
	case RT_A_PIPEFDS:
		b = outblob(c, i, 8);
		if (b) {
			int fds[2];

			memcpy(fds, rt_sc_blob_data(b), 8);
			strbuf_addc(o, '[');
			add_fd(c, fds[0]);
			strbuf_adds(o, ", ");
			add_fd(c, fds[1]);
			strbuf_addc(o, ']');
		} else {
			add_ptr(o, a);
		}
		return;
	case RT_A_INTOUT:
		b = outblob(c, i, 4);
		if (b) {
			int v;

			memcpy(&v, rt_sc_blob_data(b), 4);
			strbuf_addf(o, "[%d]", v);
		} else {
			add_ptr(o, a);
		}
		return;
	case RT_A_ARGV: {
		int k;

		if (!a) {
			strbuf_adds(o, "NULL");
			return;
		}
		if (c->bl.argv_arg != i) {
			rt_add_hex(o, a);
			return;
		}
		strbuf_addc(o, '[');
		for (k = 0; k < c->bl.argc; k++) {
			if (k)
				strbuf_adds(o, ", ");
			add_str_blob(o, c->bl.argv[k], c->f->strsize + 2, c->f->strsize);
		}
		if (c->bl.argv_total > c->bl.argc)
			strbuf_addf(o, "%s/* %d more */", c->bl.argc ? ", " : "",
				    c->bl.argv_total - c->bl.argc);
		strbuf_addc(o, ']');
		return;
	}
	case RT_A_ENVP: {
		/* strace: the pointer and how many strings */
		__u32 n;

		add_ptr(o, a);
		b = c->bl.count[i];
		if (a && b) {
			memcpy(&n, rt_sc_blob_data(b), 4);
			strbuf_addf(o, " /* %u%s var%s */", n & ~RT_SC_COUNT_CUT,
				    n & RT_SC_COUNT_CUT ? " or more" : "",
				    (n & ~RT_SC_COUNT_CUT) == 1 ? "" : "s");
		}
		return;
	}
	case RT_A_DIRENTS: {
		__u32 n;

		add_ptr(o, a);
		b = c->bl.count[i];
		if (a && c->exited && !c->failed && (b || c->ret == 0)) {
			n = 0;
			if (b && c->ret > 0)
				memcpy(&n, rt_sc_blob_data(b), 4);
			strbuf_addf(o, " /* %u%s entr%s */", n & ~RT_SC_COUNT_CUT,
				    n & RT_SC_COUNT_CUT ? " or more" : "",
				    (n & ~RT_SC_COUNT_CUT) == 1 ? "y" : "ies");
		}
		return;
	}
	case RT_A_STAT:
		b = outblob(c, i, sizeof(struct stat));
		if (b)
			add_stat(c, rt_sc_blob_data(b));
		else
			add_ptr(o, a);
		return;
	case RT_A_STATX:
		b = outblob(c, i, 48);
		if (b)
			add_statx(c, rt_sc_blob_data(b));
		else
			add_ptr(o, a);
		return;
	case RT_A_STATFS:
		b = outblob(c, i, 120);
		if (b)
			add_statfs(c, rt_sc_blob_data(b));
		else
			add_ptr(o, a);
		return;
	case RT_A_SIGACT:
		b = inblob(c, i, 32);
		if (b && a)
			add_sigaction(c, rt_sc_blob_data(b));
		else
			add_ptr(o, a);
		return;
	case RT_A_SIGACTOUT:
		b = outblob(c, i, 32);
		if (b && a)
			add_sigaction(c, rt_sc_blob_data(b));
		else
			add_ptr(o, a);
		return;
	case RT_A_SIGSET:
		b = inblob(c, i, 8);
		if (b && a)
			add_sigset(o, rt_sc_blob_data(b), 8);
		else
			add_ptr(o, a);
		return;
	case RT_A_SIGSETOUT:
		b = outblob(c, i, 8);
		if (b && a)
			add_sigset(o, rt_sc_blob_data(b), 8);
		else
			add_ptr(o, a);
		return;
	case RT_A_SIGSETARG:
		/* pselect6's {sigmask, sigsetsize}: the set itself is not read */
		b = inblob(c, i, 16);
		if (b && a) {
			__u64 p, size;

			memcpy(&p, rt_sc_blob_data(b), 8);
			memcpy(&size, rt_sc_blob_data(b) + 8, 8);
			strbuf_adds(o, "{sigmask=");
			add_ptr(o, p);
			strbuf_addf(o, ", sigsetsize=%llu}", (unsigned long long)size);
		} else {
			add_ptr(o, a);
		}
		return;
	case RT_A_SIGFRAME:
		b = c->bl.in[i];
		if (b && b->len >= 8) {
			strbuf_adds(o, "{mask=");
			add_sigset(o, rt_sc_blob_data(b), 8);
			strbuf_addc(o, '}');
		}
		return;
	case RT_A_TIMESPEC:
		b = inblob(c, i, 16);
		if (b && a)
			add_timespec(o, rt_sc_blob_data(b));
		else
			add_ptr(o, a);
		return;
	case RT_A_TIMESPECINOUT:
	case RT_A_TIMEVALINOUT:
		/* the value before the call (the syscall writes what is left) */
		b = c->bl.in[i];
		if (b && b->len >= 16 && a) {
			if (c->d->kinds[i] == RT_A_TIMESPECINOUT)
				add_timespec(o, rt_sc_blob_data(b));
			else
				add_timeval(o, rt_sc_blob_data(b));
		} else {
			add_ptr(o, a);
		}
		return;
	case RT_A_FDSET: {
		int nfds = (int)lenarg, k;
		bool first = true;

		b = c->bl.in[i];
		if (!a || !b || nfds <= 0) {
			add_ptr(o, a);
			return;
		}
		strbuf_addc(o, '[');
		for (k = 0; k < nfds && k < (int)b->len * 8; k++) {
			if (!(rt_sc_blob_data(b)[k / 8] & (1u << (k % 8))))
				continue;
			if (!first)
				strbuf_addc(o, ' ');
			first = false;
			add_fd(c, k);
		}
		strbuf_addc(o, ']');
		return;
	}
	case RT_A_TIMESPECOUT:
		b = outblob(c, i, 16);
		if (b && a)
			add_timespec(o, rt_sc_blob_data(b));
		else
			add_ptr(o, a);
		return;
	case RT_A_REMTIMESPEC:
		/* only significant when a relative sleep was interrupted */
		b = c->bl.out[i];
		if (b && b->len >= 16 && a && c->ret <= -512 && c->ret >= -516 &&
		    !(c->d->kinds[1] == RT_A_CLOCKFLAGS && (A(c, 1) & 1)))
			add_timespec(o, rt_sc_blob_data(b));
		else
			add_ptr(o, a);
		return;
	case RT_A_TIMEVALOUT:
		b = outblob(c, i, 16);
		if (b && a)
			add_timeval(o, rt_sc_blob_data(b));
		else
			add_ptr(o, a);
		return;
	case RT_A_ITIMERVAL:
	case RT_A_ITIMERVALOUT:
	case RT_A_ITIMERSPEC:
	case RT_A_ITIMERSPECOUT: {
		bool in = c->d->kinds[i] == RT_A_ITIMERVAL || c->d->kinds[i] == RT_A_ITIMERSPEC;
		bool spec = c->d->kinds[i] == RT_A_ITIMERSPEC || c->d->kinds[i] == RT_A_ITIMERSPECOUT;

		b = in ? inblob(c, i, 32) : outblob(c, i, 32);
		if (b && a) {
			strbuf_adds(o, "{it_interval=");
			(spec ? add_timespec : add_timeval)(o, rt_sc_blob_data(b));
			strbuf_adds(o, ", it_value=");
			(spec ? add_timespec : add_timeval)(o, rt_sc_blob_data(b) + 16);
			strbuf_addc(o, '}');
		} else {
			add_ptr(o, a);
		}
		return;
	}
	case RT_A_ITIMERWHICH:
		pxval(o, rt_enum_itimerwhich, (unsigned)a, "ITIMER_???");
		return;
	case RT_A_RLIMIT:
		b = inblob(c, i, 16);
		if (b && a)
			add_rlimit(o, rt_sc_blob_data(b));
		else
			add_ptr(o, a);
		return;
	case RT_A_RLIMITOUT:
		b = outblob(c, i, 16);
		if (b && a)
			add_rlimit(o, rt_sc_blob_data(b));
		else
			add_ptr(o, a);
		return;
	case RT_A_RUSAGE:
		b = outblob(c, i, 144);
		if (b && a && !(c->d->kinds[1] == RT_A_WAITSTATUS && c->ret <= 0))
			add_rusage(c, rt_sc_blob_data(b));
		else
			add_ptr(o, a);
		return;
	case RT_A_UTSNAME:
		b = outblob(c, i, 390);
		if (b && a) {
			static const char *const f[] = { "sysname", "nodename", "release",
							 "version", "machine", "domainname" };
			int k;

			strbuf_addc(o, '{');
			for (k = 0; k < 6; k++) {
				if (k)
					strbuf_adds(o, ", ");
				if (k == 2 && !c->f->verbose) {
					strbuf_adds(o, "...");
					break;
				}
				strbuf_adds(o, f[k]);
				strbuf_addc(o, '=');
				add_cstring(o, rt_sc_blob_data(b) + k * 65, 65);
			}
			strbuf_addc(o, '}');
		} else {
			add_ptr(o, a);
		}
		return;
	case RT_A_SYSINFO:
		b = outblob(c, i, 112);
		if (b && a) {
			struct {
				__s64 uptime;
				__u64 loads[3], totalram, freeram, sharedram, bufferram, totalswap,
					freeswap;
				__u16 procs, pad;
				__u32 pad2;
				__u64 totalhigh, freehigh;
				__u32 mem_unit;
			} si;

			memcpy(&si, rt_sc_blob_data(b), sizeof(si) < b->len ? sizeof(si) : b->len);
			strbuf_addf(o, "{uptime=%lld, loads=[%llu, %llu, %llu], totalram=%llu, "
				    "freeram=%llu, sharedram=%llu, bufferram=%llu, totalswap=%llu, "
				    "freeswap=%llu, procs=%u, totalhigh=%llu, freehigh=%llu, "
				    "mem_unit=%u}", (long long)si.uptime,
				    (unsigned long long)si.loads[0], (unsigned long long)si.loads[1],
				    (unsigned long long)si.loads[2], (unsigned long long)si.totalram,
				    (unsigned long long)si.freeram, (unsigned long long)si.sharedram,
				    (unsigned long long)si.bufferram, (unsigned long long)si.totalswap,
				    (unsigned long long)si.freeswap, si.procs,
				    (unsigned long long)si.totalhigh, (unsigned long long)si.freehigh,
				    si.mem_unit);
		} else {
			add_ptr(o, a);
		}
		return;
	case RT_A_GIDS:
	case RT_A_GIDSOUT: {
		unsigned k, n;

		b = c->d->kinds[i] == RT_A_GIDS ? inblob(c, i, 0) : outblob(c, i, 0);
		if (!a) {
			strbuf_adds(o, "NULL");
		} else if (c->d->kinds[i] == RT_A_GIDSOUT && c->exited && !c->failed && !c->ret) {
			strbuf_adds(o, "[]");
		} else if (b) {
			n = b->len / 4;
			strbuf_addc(o, '[');
			for (k = 0; k < n; k++) {
				__u32 g;

				memcpy(&g, rt_sc_blob_data(b) + 4 * k, 4);
				if (k)
					strbuf_adds(o, ", ");
				rt_add_u64(o, g);
			}
			strbuf_addc(o, ']');
		} else {
			add_ptr(o, a);
		}
		return;
	}
	case RT_A_CPUMASK:
	case RT_A_CPUMASKOUT: {
		unsigned k;
		bool first = true;

		b = c->d->kinds[i] == RT_A_CPUMASK ? inblob(c, i, 0) : outblob(c, i, 0);
		if (!a || !b) {
			add_ptr(o, a);
			return;
		}
		strbuf_addc(o, '[');
		for (k = 0; k < b->len * 8u; k++) {
			if (!(rt_sc_blob_data(b)[k / 8] & (1u << (k % 8))))
				continue;
			if (!first)
				strbuf_addc(o, ' ');
			first = false;
			rt_add_u64(o, k);
		}
		strbuf_addc(o, ']');
		return;
	}
	case RT_A_EPOLLEVENT:
		b = inblob(c, i, 12);
		if (b && a && (int)A(c, 1) != 2 /* EPOLL_CTL_DEL */) {
			__u32 ev;
			__u64 data;

			memcpy(&ev, rt_sc_blob_data(b), 4);
			memcpy(&data, rt_sc_blob_data(b) + 4, 8);
			strbuf_adds(o, "{events=");
			rt_sc_flags(o, rt_set_epollevents, ev, "EPOLL???");
			strbuf_addf(o, ", data={u32=%u, u64=%llu}}", (__u32)data,
				    (unsigned long long)data);
		} else {
			add_ptr(o, a);
		}
		return;
	case RT_A_EPOLLEVENTSOUT: {
		unsigned k, n;

		b = outblob(c, i, 0);
		if (!a) {
			strbuf_adds(o, "NULL");
		} else if (c->exited && !c->failed && c->ret == 0) {
			strbuf_adds(o, "[]");
		} else if (b) {
			n = b->len / 12;
			strbuf_addc(o, '[');
			for (k = 0; k < n; k++) {
				__u32 ev;
				__u64 data;

				if (k)
					strbuf_adds(o, ", ");
				if (k >= c->f->strsize) {
					strbuf_adds(o, "...");
					break;
				}
				memcpy(&ev, rt_sc_blob_data(b) + 12 * k, 4);
				memcpy(&data, rt_sc_blob_data(b) + 12 * k + 4, 8);
				strbuf_adds(o, "{events=");
				rt_sc_flags(o, rt_set_epollevents, ev, "EPOLL???");
				strbuf_addf(o, ", data={u32=%u, u64=%llu}}", (__u32)data,
					    (unsigned long long)data);
			}
			strbuf_addc(o, ']');
		} else {
			add_ptr(o, a);
		}
		return;
	}
	case RT_A_POLLFDS: {
		unsigned k, n;

		b = inblob(c, i, 0);
		if (!a) {
			strbuf_adds(o, "NULL");
		} else if (b && (b->len || !lenarg)) {
			n = b->len / 8;
			strbuf_addc(o, '[');
			for (k = 0; k < n; k++) {
				int fd;
				__u16 ev;

				if (k)
					strbuf_adds(o, ", ");
				if (k >= c->f->strsize) {
					strbuf_adds(o, "...");
					break;
				}
				memcpy(&fd, rt_sc_blob_data(b) + 8 * k, 4);
				memcpy(&ev, rt_sc_blob_data(b) + 8 * k + 4, 2);
				strbuf_adds(o, "{fd=");
				add_fd(c, fd);
				if (fd >= 0) {
					strbuf_adds(o, ", events=");
					rt_sc_flags(o, rt_set_pollflags, ev, "POLL???");
				}
				strbuf_addc(o, '}');
			}
			strbuf_addc(o, ']');
		} else {
			add_ptr(o, a);
		}
		return;
	}
	case RT_A_STACKT:
	case RT_A_STACKTOUT:
		b = c->d->kinds[i] == RT_A_STACKT ? inblob(c, i, 24) : outblob(c, i, 24);
		if (b && a) {
			__u64 sp, size;
			__s32 flags;
			static const struct rt_flag ss_flags[] = {
				{ 1, "SS_ONSTACK" }, { 2, "SS_DISABLE" }, { 1u << 31, "SS_AUTODISARM" },
				{ 0, NULL },
			};

			memcpy(&sp, rt_sc_blob_data(b), 8);
			memcpy(&flags, rt_sc_blob_data(b) + 8, 4);
			memcpy(&size, rt_sc_blob_data(b) + 16, 8);
			strbuf_adds(o, "{ss_sp=");
			add_ptr(o, sp);
			strbuf_adds(o, ", ss_flags=");
			rt_sc_flags(o, ss_flags, (__u32)flags, "SS_???");
			strbuf_addf(o, ", ss_size=%llu}", (unsigned long long)size);
		} else {
			add_ptr(o, a);
		}
		return;
	case RT_A_OFLAGS: {
		static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

		if (raw_mode) {
			rt_add_hex(o, (unsigned)a);
			return;
		}
		strbuf_adds(o, acc[a & 3]);
		a &= ~3ull;
		if ((unsigned)a) {
			strbuf_addc(o, '|');
			rt_sc_flags(o, rt_set_oflags, (unsigned)a, NULL);
		}
		return;
	}
	case RT_A_PIPEFLAGS:
		rt_sc_flags(o, rt_set_oflags, (unsigned)a, "O_???");
		return;
	case RT_A_MODE:
	case RT_A_UMASK: {
		char buf[24];

		snprintf(buf, sizeof(buf), "%#03llo", a & 07777777);
		strbuf_adds(o, buf);
		return;
	}
	case RT_A_ATFLAGS:
		rt_sc_flags(o, rt_set_atflags, (unsigned)a, "AT_???");
		return;
	case RT_A_FACCESSATFLAGS:
		rt_sc_flags(o, rt_set_faccessatflags, (unsigned)a, "AT_???");
		return;
	case RT_A_STATXFLAGS:
		rt_sc_flags(o, rt_set_statxsync, (unsigned)a & 0x6000, NULL);
		if ((unsigned)a & ~0x6000u) {
			strbuf_addc(o, '|');
			rt_sc_flags(o, rt_set_atflags, (unsigned)a & ~0x6000u, NULL);
		}
		return;
	case RT_A_STATXMASK:
		rt_sc_flags(o, rt_set_statxmask, (unsigned)a, "STATX_???");
		return;
	case RT_A_ACCMODE:
		if (!a && !raw_mode)
			strbuf_adds(o, "F_OK");
		else
			rt_sc_flags(o, rt_set_accmode, (unsigned)a, "?_OK");
		return;
	case RT_A_PROT:
		if (!a && !raw_mode)
			strbuf_adds(o, "PROT_NONE");
		else
			rt_sc_flags(o, rt_set_prot, (unsigned)a, "PROT_???");
		return;
	case RT_A_MMAPFLAGS: {
		static const char *const type[] = { "0", "MAP_SHARED", "MAP_PRIVATE",
						     "MAP_SHARED_VALIDATE" };

		if (raw_mode) {
			rt_add_hex(o, (unsigned)a);
			return;
		}
		strbuf_adds(o, type[a & 3]);
		a &= ~3ull;
		if ((unsigned)a) {
			strbuf_addc(o, '|');
			rt_sc_flags(o, rt_set_mmapflags, (unsigned)a, NULL);
		}
		return;
	}
	case RT_A_CLONEFLAGS: {
		unsigned long sig = a & 0xff;

		a &= ~0xffull;
		if (a)
			rt_sc_flags(o, rt_set_cloneflags, a, "CLONE_???");
		if (sig) {
			if (a)
				strbuf_addc(o, '|');
			rt_add_signal(o, sig);
		}
		if (!a && !sig)
			strbuf_addc(o, '0');
		return;
	}
	case RT_A_MSGFLAGS:
		rt_sc_flags(o, rt_set_msgflags, (unsigned)a, "MSG_???");
		return;
	case RT_A_SIG:
		rt_add_signal(o, (int)a);
		return;
	case RT_A_FAMILY:
		pxval_d(o, rt_enum_family, (int)a, "AF_???");
		return;
	case RT_A_SOCKTYPE:
		pxval(o, rt_enum_socktype, a & 0xf, "SOCK_???");
		if ((unsigned)a & ~0xfu) {
			strbuf_addc(o, '|');
			rt_sc_flags(o, rt_set_sockflags, (unsigned)a & ~0xfu, NULL);
		}
		return;
	case RT_A_SOCKFLAGS:
		rt_sc_flags(o, rt_set_sockflags, (unsigned)a, "SOCK_???");
		return;
	case RT_A_SOCKPROTO: {
		int fam = (int)A(c, 0);

		if (fam == AF_INET || fam == AF_INET6)
			pxval_d(o, rt_enum_ipproto, (int)a, "IPPROTO_???");
		else
			rt_add_s64(o, (int)a);
		return;
	}
	case RT_A_WHENCE:
		pxval_d(o, rt_enum_whence, (int)a, "SEEK_???");
		return;
	case RT_A_HOW:
		pxval_d(o, rt_enum_how, (int)a, "SHUT_???");
		return;
	case RT_A_SIGMASKHOW:
		pxval(o, rt_enum_sigmaskhow, (unsigned)a, "SIG_???");
		return;
	case RT_A_MREMAPFLAGS:
		rt_sc_flags(o, rt_set_mremapflags, (unsigned)a, "MREMAP_???");
		return;
	case RT_A_MADVICE:
		pxval(o, rt_enum_madvice, (unsigned)a, "MADV_???");
		return;
	case RT_A_FADVICE:
		pxval_d(o, rt_enum_fadvice, (int)a, "POSIX_FADV_???");
		return;
	case RT_A_WAITOPTIONS:
		rt_sc_flags(o, rt_set_waitoptions, (unsigned)a, "W???");
		return;
	case RT_A_FLOCKOP:
		rt_sc_flags(o, rt_set_flockop, (unsigned)a, "LOCK_???");
		return;
	case RT_A_RESOURCE:
		pxval(o, rt_enum_resource, (unsigned)a, "RLIMIT_???");
		return;
	case RT_A_RUSAGEWHO:
		pxval_d(o, rt_enum_rusagewho, (int)a, "RUSAGE_???");
		return;
	case RT_A_CLOCKID:
		pxval_d(o, rt_enum_clockid, (int)a, "CLOCK_???");
		return;
	case RT_A_CLOCKFLAGS:
		rt_sc_flags(o, rt_set_clockflags, (unsigned)a, "TIMER_???");
		return;
	case RT_A_EPOLLOP:
		pxval(o, rt_enum_epollop, (unsigned)a, "EPOLL_CTL_???");
		return;
	case RT_A_EPOLLFLAGS:
		rt_sc_flags(o, rt_set_epollflags, (unsigned)a, "EPOLL_???");
		return;
	case RT_A_TFDFLAGS:
		rt_sc_flags(o, rt_set_tfdflags, (unsigned)a, "TFD_???");
		return;
	case RT_A_SFDFLAGS:
		rt_sc_flags(o, rt_set_sfdflags, (unsigned)a, "SFD_???");
		return;
	case RT_A_EFDFLAGS:
		rt_sc_flags(o, rt_set_efdflags, (unsigned)a, "EFD_???");
		return;
	case RT_A_INOTIFYFLAGS:
		rt_sc_flags(o, rt_set_inotifyflags, (unsigned)a, "IN_???");
		return;
	case RT_A_RENAMEFLAGS:
		rt_sc_flags(o, rt_set_renameflags, (unsigned)a, "RENAME_???");
		return;
	case RT_A_GRNDFLAGS:
		rt_sc_flags(o, rt_set_grndflags, (unsigned)a, "GRND_???");
		return;
	case RT_A_MFDFLAGS:
		rt_sc_flags(o, rt_set_mfdflags, (unsigned)a, "MFD_???");
		return;
	case RT_A_PRIOWHICH:
		pxval(o, rt_enum_priowhich, (unsigned)a, "PRIO_???");
		return;
	case RT_A_CLOSERANGEFLAGS:
		rt_sc_flags(o, rt_set_closerangeflags, (unsigned)a, "CLOSE_RANGE_???");
		return;
	case RT_A_HEX:
	default:
		rt_add_hex(o, a);
		return;
	}
}

/* ---- syscalls with their own layout ------------------------------------------ */

/* clone(2), x86_64 order: flags, newsp, parent_tid, child_tid, tls. */
static void sc_clone(struct dc *c)
{
	unsigned long long flags = A(c, 0) & ~0xffull;

	strbuf_adds(c->o, "child_stack=");
	add_ptr(c->o, A(c, 1));
	next(c);
	strbuf_adds(c->o, "flags=");
	arg(c, 0);
	next(c);
	/* the rest strace prints when it returns */
	c->dec->split = c->dec->n;
	c->dec->comma_late = true;
	if (flags & (CLONE_PARENT_SETTID | CLONE_PIDFD)) {
		strbuf_adds(c->o, "parent_tid=");
		if ((flags & CLONE_PARENT_SETTID) && c->exited && !c->failed)
			strbuf_addf(c->o, "[%lld]", c->ret); /* the child's tid, as written */
		else
			add_ptr(c->o, A(c, 2));
		next(c);
	}
	if (flags & CLONE_SETTLS) {
		strbuf_adds(c->o, "tls=");
		add_ptr(c->o, A(c, 4));
		next(c);
	}
	if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		strbuf_adds(c->o, "child_tidptr=");
		add_ptr(c->o, A(c, 3));
		next(c);
	}
}

static void sc_clone3(struct dc *c)
{
	const struct rt_sc_blob *b = inblob(c, 0, 64);
	struct strbuf *o = c->o;
	__u64 v[11] = { 0 };

	if (!b) {
		add_ptr(o, A(c, 0));
		next(c);
		rt_add_u64(o, A(c, 1));
		next(c);
		c->dec->split = 2;
		return;
	}
	memcpy(v, rt_sc_blob_data(b), b->len < sizeof(v) ? b->len : sizeof(v));
	/* flags pidfd child_tid parent_tid exit_signal stack stack_size tls
	 * set_tid set_tid_size cgroup */
	strbuf_adds(o, "{flags=");
	rt_sc_flags(o, rt_set_cloneflags, v[0], "CLONE_???");
	if (v[0] & CLONE_PIDFD) {
		strbuf_adds(o, ", pidfd=");
		add_ptr(o, v[1]);
	}
	if (v[0] & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		strbuf_adds(o, ", child_tid=");
		add_ptr(o, v[2]);
	}
	if (v[0] & CLONE_PARENT_SETTID) {
		strbuf_adds(o, ", parent_tid=");
		add_ptr(o, v[3]);
	}
	strbuf_adds(o, ", exit_signal=");
	if (v[4] < INT_MAX)
		rt_add_signal(o, (int)v[4]);
	else
		rt_add_u64(o, v[4]);
	strbuf_adds(o, ", stack=");
	add_ptr(o, v[5]);
	strbuf_adds(o, ", stack_size=");
	rt_add_hex(o, v[6]);
	if (v[0] & CLONE_SETTLS) {
		strbuf_adds(o, ", tls=");
		add_ptr(o, v[7]);
	}
	if (b->len >= 88 && (v[10] || (v[0] & 0x200000000ull /* CLONE_INTO_CGROUP */)))
		strbuf_addf(o, ", cgroup=%llu", (unsigned long long)v[10]);
	strbuf_addc(o, '}');
	/* the child's tid, written to *parent_tid: what it returned */
	if ((v[0] & CLONE_PARENT_SETTID) && c->exited && !c->failed)
		strbuf_addf(o, " => {parent_tid=[%lld]}", c->ret);
	next(c);
	rt_add_u64(o, A(c, 1));
	next(c);
	c->dec->split = 2;
}

static void sc_fcntl(struct dc *c)
{
	int cmd = (int)A(c, 1);
	const char *name = rt_flag_name(rt_enum_fcntlcmd, cmd);
	const struct rt_sc_blob *b;
	struct strbuf *o = c->o;

	add_fd(c, (int)A(c, 0));
	next(c);
	pxval(o, rt_enum_fcntlcmd, cmd, "F_???");
	next(c);
	c->dec->split = c->dec->n;
	if (!name) {
		rt_add_hex(o, A(c, 2));
		next(c);
		return;
	}
	if (!strcmp(name, "F_SETFD")) {
		rt_sc_flags(o, rt_set_fdflags, A(c, 2), "FD_???");
	} else if (!strcmp(name, "F_SETOWN") || !strcmp(name, "F_SETPIPE_SZ") ||
		   !strcmp(name, "F_DUPFD") || !strcmp(name, "F_DUPFD_CLOEXEC")) {
		rt_add_s64(o, (long long)A(c, 2));
		if (name[2] == 'D')
			c->rkind = RT_R_FD;
	} else if (!strcmp(name, "F_SETFL")) {
		static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
		unsigned v = A(c, 2);

		strbuf_adds(o, acc[v & 3]);
		if (v & ~3u) {
			strbuf_addc(o, '|');
			rt_sc_flags(o, rt_set_oflags, v & ~3u, NULL);
		}
	} else if (!strcmp(name, "F_SETLK") || !strcmp(name, "F_SETLKW") ||
		   !strcmp(name, "F_OFD_SETLK") || !strcmp(name, "F_OFD_SETLKW") ||
		   !strcmp(name, "F_GETLK") || !strcmp(name, "F_OFD_GETLK")) {
		bool get = strstr(name, "GETLK");

		b = get ? outblob(c, 2, 32) : inblob(c, 2, 32);
		if (get) {
			c->dec->split = c->dec->n;
			c->dec->comma_late = true;
		}
		if (b && A(c, 2)) {
			__s16 type, whence;
			__s64 start, len;
			__s32 pid;

			memcpy(&type, rt_sc_blob_data(b), 2);
			memcpy(&whence, rt_sc_blob_data(b) + 2, 2);
			memcpy(&start, rt_sc_blob_data(b) + 8, 8);
			memcpy(&len, rt_sc_blob_data(b) + 16, 8);
			memcpy(&pid, rt_sc_blob_data(b) + 24, 4);
			strbuf_adds(o, "{l_type=");
			pxval(o, rt_enum_locktype, type, "F_???");
			strbuf_adds(o, ", l_whence=");
			pxval(o, rt_enum_whence, whence, "SEEK_???");
			strbuf_addf(o, ", l_start=%lld, l_len=%lld", (long long)start, (long long)len);
			if (get)
				strbuf_addf(o, ", l_pid=%d", pid);
			strbuf_addc(o, '}');
		} else {
			add_ptr(o, A(c, 2));
		}
	} else if (!strcmp(name, "F_NOTIFY")) {
		rt_sc_flags(o, rt_set_notifyflags, A(c, 2), "DN_???");
	} else if (!strcmp(name, "F_SETLEASE")) {
		pxval(o, rt_enum_leasetype, A(c, 2), "F_???");
	} else if (!strcmp(name, "F_ADD_SEALS")) {
		rt_sc_flags(o, rt_set_seals, A(c, 2), "F_SEAL_???");
	} else if (!strcmp(name, "F_SETSIG")) {
		rt_add_signal(o, (int)A(c, 2));
	} else if (!strcmp(name, "F_GETFD")) {
		if (c->exited && !c->failed && c->ret) {
			size_t m;

			c->rkind = RT_R_HEX;
			strcpy(c->aux, "flags ");
			m = o->len;
			rt_sc_flags(o, rt_set_fdflags, c->ret, NULL);
			snprintf(c->aux + 6, sizeof(c->aux) - 6, "%.*s", (int)(o->len - m), o->buf + m);
			o->len = m;
			o->buf[m] = 0;
		}
		return;
	} else if (!strcmp(name, "F_GETFL")) {
		if (c->exited && !c->failed) {
			static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR",
							   "O_ACCMODE" };
			size_t m = o->len;

			c->rkind = RT_R_HEX;
			strbuf_adds(o, acc[c->ret & 3]);
			if (c->ret & ~3ll) {
				strbuf_addc(o, '|');
				rt_sc_flags(o, rt_set_oflags, c->ret & ~3ll, NULL);
			}
			snprintf(c->aux, sizeof(c->aux), "flags %.*s", (int)(o->len - m), o->buf + m);
			o->len = m;
			o->buf[m] = 0;
		}
		return;
	} else if (!strcmp(name, "F_GETLEASE")) {
		if (c->exited && !c->failed && rt_flag_name(rt_enum_leasetype, c->ret)) {
			c->rkind = RT_R_HEX;
			snprintf(c->aux, sizeof(c->aux), "%s", rt_flag_name(rt_enum_leasetype, c->ret));
		}
		return;
	} else if (!strcmp(name, "F_GET_SEALS")) {
		if (c->exited && !c->failed) {
			size_t m = o->len;

			c->rkind = RT_R_HEX;
			rt_sc_flags(o, rt_set_seals, c->ret, NULL);
			snprintf(c->aux, sizeof(c->aux), "seals %.*s", (int)(o->len - m), o->buf + m);
			o->len = m;
			o->buf[m] = 0;
		}
		return;
	} else if (!strcmp(name, "F_GETOWN") || !strcmp(name, "F_GETSIG") ||
		   !strcmp(name, "F_GETPIPE_SZ")) {
		return;
	} else {
		rt_add_hex(o, A(c, 2));
	}
	next(c);
}

/* The name of ioctl request @req as strace prints it: every name with that
 * value ("A or B"), or _IOC(...). */
static void add_ioctl_req(struct strbuf *o, unsigned req)
{
	const struct rt_flag *f;
	const char *prev = NULL;

	if (!raw_mode) {
		for (f = rt_ioctl_names; f->name; f++) {
			if ((unsigned)f->val != req)
				continue;
			if (prev && !strncmp(prev, f->name, strlen(prev)))
				continue; /* strace drops a name that extends the one before */
			if (prev)
				strbuf_adds(o, " or ");
			strbuf_adds(o, f->name);
			prev = f->name;
		}
		if (prev)
			return;
	} else {
		rt_add_hex(o, req);
		return;
	}
	{
		static const char *const dirs[] = { "_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
						    "_IOC_READ|_IOC_WRITE" };

		strbuf_addf(o, "_IOC(%s, %#x, %#x, %#x)", dirs[(req >> 30) & 3], (req >> 8) & 0xff,
			    req & 0xff, (req >> 16) & 0x3fff);
	}
}

static void sc_ioctl(struct dc *c)
{
	unsigned req = A(c, 1);
	const char *name = NULL;
	const struct rt_flag *f;
	const struct rt_sc_blob *b;
	struct strbuf *o = c->o;
	bool get = false;

	add_fd(c, (int)A(c, 0));
	next(c);
	add_ioctl_req(o, req);
	next(c);
	c->dec->split = c->dec->n;
	for (f = rt_ioctl_names; f->name; f++)
		if ((unsigned)f->val == req) {
			name = f->name;
			break;
		}
	if (!name || raw_mode) {
		rt_add_hex(o, A(c, 2));
		next(c);
		return;
	}
#define IS(n) (!strcmp(name, n))
	if (IS("TCGETS") || IS("TCGETS2") || IS("TIOCGLCKTRMIOS") || IS("TCSETS") ||
	    IS("TCSETSW") || IS("TCSETSF") || IS("TCSETS2") || IS("TCSETSW2") || IS("TCSETSF2")) {
		get = IS("TCGETS") || IS("TCGETS2") || IS("TIOCGLCKTRMIOS");
		b = get ? outblob(c, 2, 36) : inblob(c, 2, 36);
		if (b && A(c, 2))
			add_termios(c, rt_sc_blob_data(b));
		else
			add_ptr(o, A(c, 2));
	} else if (IS("TIOCGWINSZ") || IS("TIOCSWINSZ")) {
		get = IS("TIOCGWINSZ");
		b = get ? outblob(c, 2, 8) : inblob(c, 2, 8);
		if (b && A(c, 2)) {
			__u16 w[4];

			memcpy(w, rt_sc_blob_data(b), 8);
			strbuf_addf(o, "{ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u}",
				    w[0], w[1], w[2], w[3]);
		} else {
			add_ptr(o, A(c, 2));
		}
	} else if (IS("TIOCGPGRP") || IS("TIOCGSID") || IS("TIOCGETD") || IS("TIOCGSOFTCAR") ||
		   IS("TIOCGPTN") || IS("FIONREAD") || IS("TIOCOUTQ") || IS("TIOCGEXCL") ||
		   IS("TIOCGDEV") || IS("TIOCSPGRP") || IS("TIOCSETD") || IS("FIONBIO") ||
		   IS("FIOASYNC") || IS("TIOCPKT") || IS("TIOCSSOFTCAR") || IS("TIOCSPTLCK")) {
		get = IS("TIOCGPGRP") || IS("TIOCGSID") || IS("TIOCGETD") || IS("TIOCGSOFTCAR") ||
		      IS("TIOCGPTN") || IS("FIONREAD") || IS("TIOCOUTQ") || IS("TIOCGEXCL") ||
		      IS("TIOCGDEV");
		b = get ? outblob(c, 2, 4) : inblob(c, 2, 4);
		if (b && A(c, 2)) {
			int v;

			memcpy(&v, rt_sc_blob_data(b), 4);
			strbuf_addf(o, "[%d]", v);
		} else {
			add_ptr(o, A(c, 2));
		}
	} else if (IS("TCXONC") || IS("TCFLSH") || IS("TCSBRK") || IS("TCSBRKP") ||
		   IS("TIOCSCTTY") || IS("FICLONE")) {
		rt_add_s64(o, (int)A(c, 2));
	} else if (IS("TIOCSBRK") || IS("TIOCCBRK") || IS("TIOCCONS") || IS("TIOCNOTTY") ||
		   IS("TIOCEXCL") || IS("TIOCNXCL") || IS("FIOCLEX") || IS("FIONCLEX") ||
		   IS("TIOCVHANGUP") || IS("TIOCSSERIAL")) {
		return; /* no argument */
	} else {
		rt_add_hex(o, A(c, 2));
		next(c);
		return;
	}
#undef IS
	if (get)
		c->dec->comma_late = true; /* strace prints ", {...}" when it returns */
	next(c);
	if (!get)
		c->dec->split = c->dec->n;
}

static void sc_futex(struct dc *c)
{
	int op = (int)A(c, 1), cmd = op & 127;
	const char *n = raw_mode ? NULL : rt_flag_name(rt_enum_futexop, (unsigned)op);
	const char *cname = rt_flag_name(rt_enum_futexop, cmd);
	const struct rt_sc_blob *b;
	struct strbuf *o = c->o;
	unsigned val = A(c, 2), val2 = A(c, 3), val3 = A(c, 5);

	add_ptr(o, A(c, 0));
	next(c);
	if (n) {
		strbuf_adds(o, n);
	} else if (!raw_mode && (op & 256) && rt_flag_name(rt_enum_futexop, op & ~256)) {
		strbuf_adds(o, rt_flag_name(rt_enum_futexop, op & ~256));
		strbuf_adds(o, "|FUTEX_CLOCK_REALTIME");
	} else {
		pxval(o, rt_enum_futexop, (unsigned)op, "FUTEX_???");
	}
	next(c);
	c->dec->split = RT_DEC_ARGS_MAX;
	if (!cname)
		cname = "";
#define TS() do { \
		b = inblob(c, 3, 16); \
		if (b && A(c, 3)) add_timespec(o, rt_sc_blob_data(b)); else add_ptr(o, A(c, 3)); \
		next(c); \
	} while (0)
#define BITSET() do { \
		if (val3 == 0xffffffffu && !raw_mode) strbuf_adds(o, "FUTEX_BITSET_MATCH_ANY"); \
		else rt_add_hex(o, val3); \
		next(c); \
	} while (0)
	if (!strcmp(cname, "FUTEX_WAIT")) {
		rt_add_u64(o, val); next(c);
		TS();
	} else if (!strcmp(cname, "FUTEX_LOCK_PI") || !strcmp(cname, "FUTEX_LOCK_PI2")) {
		TS();
	} else if (!strcmp(cname, "FUTEX_WAIT_BITSET")) {
		rt_add_u64(o, val); next(c);
		TS();
		BITSET();
	} else if (!strcmp(cname, "FUTEX_WAKE_BITSET")) {
		rt_add_u64(o, val); next(c);
		BITSET();
	} else if (!strcmp(cname, "FUTEX_REQUEUE")) {
		rt_add_u64(o, val); next(c);
		rt_add_u64(o, val2); next(c);
		add_ptr(o, A(c, 4)); next(c);
	} else if (!strcmp(cname, "FUTEX_CMP_REQUEUE") || !strcmp(cname, "FUTEX_CMP_REQUEUE_PI")) {
		rt_add_u64(o, val); next(c);
		rt_add_u64(o, val2); next(c);
		add_ptr(o, A(c, 4)); next(c);
		rt_add_u64(o, val3); next(c);
	} else if (!strcmp(cname, "FUTEX_WAKE_OP")) {
		static const char *const ops[] = { "FUTEX_OP_SET", "FUTEX_OP_ADD", "FUTEX_OP_OR",
						   "FUTEX_OP_ANDN", "FUTEX_OP_XOR" };
		static const char *const cmps[] = { "FUTEX_OP_CMP_EQ", "FUTEX_OP_CMP_NE",
						    "FUTEX_OP_CMP_LT", "FUTEX_OP_CMP_LE",
						    "FUTEX_OP_CMP_GT", "FUTEX_OP_CMP_GE" };
		unsigned wop = (val3 >> 28) & 7, wcmp = (val3 >> 24) & 15;

		rt_add_u64(o, val); next(c);
		rt_add_u64(o, val2); next(c);
		add_ptr(o, A(c, 4)); next(c);
		if ((val3 >> 28) & 8)
			strbuf_adds(o, "FUTEX_OP_OPARG_SHIFT<<28|");
		if (wop < 5)
			strbuf_adds(o, ops[wop]);
		else
			rt_add_hex(o, wop);
		strbuf_adds(o, "<<28");
		if (wop >= 5)
			strbuf_adds(o, " /* FUTEX_OP_??? */");
		strbuf_addc(o, '|');
		rt_add_hex(o, (val3 >> 12) & 0xfff);
		strbuf_adds(o, "<<12|");
		if (wcmp < 6)
			strbuf_adds(o, cmps[wcmp]);
		else
			rt_add_hex(o, wcmp);
		strbuf_adds(o, "<<24");
		if (wcmp >= 6)
			strbuf_adds(o, " /* FUTEX_OP_CMP_??? */");
		strbuf_addc(o, '|');
		rt_add_hex(o, val3 & 0xfff);
		next(c);
	} else if (!strcmp(cname, "FUTEX_WAIT_REQUEUE_PI")) {
		rt_add_u64(o, val); next(c);
		TS();
		add_ptr(o, A(c, 4)); next(c);
	} else if (!strcmp(cname, "FUTEX_FD") || !strcmp(cname, "FUTEX_WAKE")) {
		rt_add_u64(o, val); next(c);
	} else if (!strcmp(cname, "FUTEX_UNLOCK_PI") || !strcmp(cname, "FUTEX_TRYLOCK_PI")) {
		/* nothing more */
	} else {
		rt_add_u64(o, val); next(c);
		add_ptr(o, A(c, 3)); next(c);
		add_ptr(o, A(c, 4)); next(c);
		rt_add_hex(o, val3); next(c);
	}
#undef TS
#undef BITSET
	c->dec->split = c->dec->n;
}

static void sc_arch_prctl(struct dc *c)
{
	unsigned code = A(c, 0);
	const char *n = rt_flag_name(rt_enum_archop, code);
	const struct rt_sc_blob *b;

	pxval(c->o, rt_enum_archop, code, "ARCH_???");
	next(c);
	c->dec->split = 2;
	if (n && (!strcmp(n, "ARCH_GET_FS") || !strcmp(n, "ARCH_GET_GS"))) {
		c->dec->split = 1;
		b = outblob(c, 1, 8);
		if (b) {
			__u64 v;

			memcpy(&v, rt_sc_blob_data(b), 8);
			strbuf_addc(c->o, '[');
			rt_add_hex(c->o, v);
			strbuf_addc(c->o, ']');
		} else {
			add_ptr(c->o, A(c, 1));
		}
	} else if (n && !strcmp(n, "ARCH_GET_CPUID")) {
		c->dec->n = 1;
		return;
	} else {
		rt_add_hex(c->o, A(c, 1));
	}
	next(c);
}

static void sc_prctl(struct dc *c)
{
	unsigned op = A(c, 0);
	const char *n = rt_flag_name(rt_enum_prctlop, op);
	const struct rt_sc_blob *b;
	struct strbuf *o = c->o;
	int k;

	pxval(o, rt_enum_prctlop, op, "PR_???");
	next(c);
	c->dec->split = RT_DEC_ARGS_MAX;
	if (!n)
		n = "";
	if (!strcmp(n, "PR_SET_NAME")) {
		b = inblob(c, 1, 1);
		if (b && A(c, 1))
			add_str_blob(o, b, c->f->strsize + 2, c->f->strsize);
		else
			add_ptr(o, A(c, 1));
		next(c);
	} else if (!strcmp(n, "PR_GET_NAME")) {
		c->dec->split = 1;
		b = outblob(c, 1, 1);
		if (b && A(c, 1))
			add_str_blob(o, b, c->f->strsize + 2, c->f->strsize);
		else
			add_ptr(o, A(c, 1));
		next(c);
	} else if (!strcmp(n, "PR_SET_PDEATHSIG")) {
		rt_add_signal(o, (int)A(c, 1));
		next(c);
	} else if (!strcmp(n, "PR_GET_PDEATHSIG") || !strcmp(n, "PR_GET_DUMPABLE") ||
		   !strcmp(n, "PR_GET_KEEPCAPS") || !strcmp(n, "PR_GET_NO_NEW_PRIVS") ||
		   !strcmp(n, "PR_GET_CHILD_SUBREAPER") || !strcmp(n, "PR_GET_TIMERSLACK") ||
		   !strcmp(n, "PR_GET_THP_DISABLE") || !strcmp(n, "PR_GET_SECCOMP")) {
		if (!strcmp(n, "PR_GET_PDEATHSIG") || !strcmp(n, "PR_GET_CHILD_SUBREAPER")) {
			rt_add_hex(o, A(c, 1));
			next(c);
		}
		if (!strcmp(n, "PR_GET_DUMPABLE") && c->exited && !c->failed &&
		    rt_flag_name(rt_enum_dumpable, c->ret) && !raw_mode)
			snprintf(c->aux, sizeof(c->aux), "%s", rt_flag_name(rt_enum_dumpable, c->ret));
	} else if (!strcmp(n, "PR_SET_DUMPABLE") || !strcmp(n, "PR_SET_KEEPCAPS") ||
		   !strcmp(n, "PR_SET_CHILD_SUBREAPER") || !strcmp(n, "PR_SET_TIMERSLACK") ||
		   !strcmp(n, "PR_CAPBSET_READ") || !strcmp(n, "PR_CAPBSET_DROP")) {
		rt_add_u64(o, A(c, 1));
		next(c);
	} else if (!strcmp(n, "PR_SET_NO_NEW_PRIVS") || !strcmp(n, "PR_SET_THP_DISABLE")) {
		for (k = 1; k < 5; k++) {
			rt_add_u64(o, A(c, k));
			next(c);
		}
	} else {
		for (k = 1; k < 5; k++) {
			rt_add_hex(o, A(c, k));
			next(c);
		}
	}
	if (c->dec->split > c->dec->n)
		c->dec->split = c->dec->n;
}

/* setsockopt/getsockopt: level, name by level, value as strace shows
 * ints, linger, strings. */
static void add_sockopt_name(struct strbuf *o, int level, int name)
{
	switch (level) {
	case SOL_SOCKET: pxval_d(o, rt_enum_sosockopt, name, "SO_???"); return;
	case SOL_IP: pxval_d(o, rt_enum_ipsockopt, name, "IP_???"); return;
	case SOL_IPV6: pxval_d(o, rt_enum_ipv6sockopt, name, "IPV6_???"); return;
	case SOL_TCP: pxval_d(o, rt_enum_tcpsockopt, name, "TCP_???"); return;
	default: rt_add_s64(o, name); return;
	}
}

static void add_sockopt_val(struct dc *c, int level, int name, const struct rt_sc_blob *b,
			    long long len, __u64 addr)
{
	struct strbuf *o = c->o;

	if (!b || !addr) {
		add_ptr(o, addr);
		return;
	}
	if (level == SOL_SOCKET && name == SO_LINGER && b->len >= 8) {
		int v[2];

		memcpy(v, rt_sc_blob_data(b), 8);
		strbuf_addf(o, "{l_onoff=%d, l_linger=%d}", v[0], v[1]);
		return;
	}
	if (len == 4 && b->len >= 4) {
		int v;

		memcpy(&v, rt_sc_blob_data(b), 4);
		if (level == SOL_SOCKET && name == SO_ERROR && v > 0 && v < RT_ERRNO_MAX &&
		    rt_errno_names[v] && !raw_mode)
			strbuf_addf(o, "[%s]", rt_errno_names[v]);
		else
			strbuf_addf(o, "[%d]", v);
		return;
	}
	/* strace's printstrn(): the bytes, up to -s */
	rt_sc_quote(o, rt_sc_blob_data(b), b->len < c->f->strsize ? b->len : c->f->strsize,
		    len > (long long)(b->len < c->f->strsize ? b->len : c->f->strsize));
}

static void sc_setsockopt(struct dc *c)
{
	int level = (int)A(c, 1), name = (int)A(c, 2);

	add_fd(c, (int)A(c, 0));
	next(c);
	pxval_d(c->o, rt_enum_socklevel, level, "SOL_???");
	next(c);
	add_sockopt_name(c->o, level, name);
	next(c);
	add_sockopt_val(c, level, name, inblob(c, 3, 0), (int)A(c, 4), A(c, 3));
	next(c);
	rt_add_s64(c->o, (int)A(c, 4));
	next(c);
	c->dec->split = c->dec->n;
}

static void sc_getsockopt(struct dc *c)
{
	int level = (int)A(c, 1), name = (int)A(c, 2);
	const struct rt_sc_blob *lenb = outblob(c, 4, 4);
	int len = -1;

	add_fd(c, (int)A(c, 0));
	next(c);
	pxval_d(c->o, rt_enum_socklevel, level, "SOL_???");
	next(c);
	add_sockopt_name(c->o, level, name);
	next(c);
	c->dec->split = c->dec->n;
	if (lenb)
		memcpy(&len, rt_sc_blob_data(lenb), 4);
	add_sockopt_val(c, level, name, outblob(c, 3, 0), len, A(c, 3));
	next(c);
	arg(c, 4);
	next(c);
}

/* recvmsg: the msghdr at exit, msg_namelen before it from entry. */
static void sc_msg(struct dc *c, bool read)
{
	int namelen_in = -1;

	add_fd(c, (int)A(c, 0));
	next(c);
	if (read) {
		const struct rt_sc_blob *in = c->bl.in[1];

		c->dec->split = 1;
		if (in && in->len >= 12)
			memcpy(&namelen_in, rt_sc_blob_data(in) + 8, 4);
		if (c->exited && c->failed && namelen_in >= 0)
			strbuf_addf(c->o, "{msg_namelen=%d}", namelen_in);
		else if (c->exited && !c->failed)
			add_msghdr(c, 1, true, namelen_in);
		else
			add_ptr(c->o, A(c, 1));
	} else {
		add_msghdr(c, 1, false, -1);
	}
	next(c);
	arg(c, 2);
	next(c);
	if (!read)
		c->dec->split = c->dec->n;
}

/* execve: strace counts envp's strings; its args are all at entry. */

/* ---- return values ---------------------------------------------------------- */

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
			strbuf_addf(out, "E??? /* %ld */", e);
		strbuf_adds(out, " (");
		strbuf_adds(out, strerror(e));
		strbuf_addc(out, ')');
		return;
	}
	if (d && rt_sc_rkind[nr] == RT_R_HEX)
		rt_add_hex(out, ret);
	else if (d && rt_sc_rkind[nr] == RT_R_OCT)
		add_oct(out, ret);
	else
		rt_add_s64(out, ret);
}

/* poll/ppoll: " (Timeout)" or the descriptors that have events. */
static void poll_aux(struct dc *c)
{
	const struct rt_sc_blob *b = c->bl.out[0]; /* read when it returned */
	struct strbuf tmp = { 0 };
	unsigned k, n, shown = 0;

	if (!c->exited || c->failed)
		return;
	if (c->ret == 0) {
		snprintf(c->aux, sizeof(c->aux), "Timeout");
		return;
	}
	if (!b || !A(c, 0))
		return;
	n = b->len / 8;
	for (k = 0; k < n; k++) {
		int fd;
		__u16 rev;

		memcpy(&fd, rt_sc_blob_data(b) + 8 * k, 4);
		memcpy(&rev, rt_sc_blob_data(b) + 8 * k + 6, 2);
		if (!rev)
			continue;
		strbuf_adds(&tmp, shown ? ", " : "[");
		if (shown >= c->f->strsize) {
			strbuf_adds(&tmp, "...");
			break;
		}
		strbuf_addf(&tmp, "{fd=%d, revents=", fd);
		rt_sc_flags(&tmp, rt_set_pollflags, rev, NULL);
		strbuf_addc(&tmp, '}');
		shown++;
	}
	if (tmp.len)
		strbuf_addc(&tmp, ']');
	/* ppoll: the time left */
	if (c->d->kinds[2] == RT_A_TIMESPECINOUT && c->bl.out[2] && c->bl.out[2]->len >= 16) {
		strbuf_adds(&tmp, tmp.len ? ", left " : "left ");
		add_timespec(&tmp, rt_sc_blob_data(c->bl.out[2]));
	}
	if (tmp.len)
		snprintf(c->aux, sizeof(c->aux), "%s", tmp.buf);
	strbuf_free(&tmp);
}

/* select/pselect6: " (Timeout)", or the ready descriptors and the time
 * left: " (in [4], left {tv_sec=0, tv_nsec=999000})". */
static void select_aux(struct dc *c)
{
	static const char *const what[] = { "in", "out", "except" };
	int nfds = (int)A(c, 0), ready = c->ret, i, k;
	struct strbuf tmp = { 0 };
	const char *sep = "";

	if (!c->exited || c->failed)
		return;
	if (c->ret == 0) {
		snprintf(c->aux, sizeof(c->aux), "Timeout");
		return;
	}
	for (i = 0; i < 3 && ready > 0; i++) {
		const struct rt_sc_blob *b = c->bl.out[i + 1];
		bool first = true;

		if (!A(c, i + 1) || !b)
			continue;
		for (k = 0; k < nfds && k < (int)b->len * 8 && ready > 0; k++) {
			if (!(rt_sc_blob_data(b)[k / 8] & (1u << (k % 8))))
				continue;
			if (first)
				strbuf_addf(&tmp, "%s%s [%d", sep, what[i], k);
			else
				strbuf_addf(&tmp, " %d", k);
			first = false;
			sep = ", ";
			ready--;
		}
		if (!first)
			strbuf_addc(&tmp, ']');
	}
	if (A(c, 4) && c->bl.out[4] && c->bl.out[4]->len >= 16) {
		strbuf_addf(&tmp, "%sleft ", sep);
		if (c->d->kinds[4] == RT_A_TIMESPECINOUT)
			add_timespec(&tmp, rt_sc_blob_data(c->bl.out[4]));
		else
			add_timeval(&tmp, rt_sc_blob_data(c->bl.out[4]));
	}
	if (tmp.len)
		snprintf(c->aux, sizeof(c->aux), "%s", tmp.buf);
	strbuf_free(&tmp);
}

static void add_return(struct dc *c)
{
	struct strbuf *o = c->o;
	const char *path;

	c->dec->ret_start = o->len;
	if (c->noret) {
		strbuf_addc(o, '?');
	} else if (c->failed) {
		rt_sc_retval(o, c->ev->nr, c->ret);
	} else if (raw_mode) {
		rt_add_hex(o, c->ret);
	} else {
		switch (c->rkind) {
		case RT_R_HEX:
			rt_add_hex(o, c->ret);
			break;
		case RT_R_OCT:
			add_oct(o, c->ret);
			break;
		case RT_R_FD:
			rt_add_s64(o, c->ret);
			if (c->ret >= 0 && c->f->fd_path &&
			    (path = c->f->fd_path(c->f->fd_ctx, c->ev->hdr.pid, (int)c->ret))) {
				size_t mark;

				strbuf_addc(o, '<');
				mark = o->len;
				rt_sc_quote(o, (const unsigned char *)path, strlen(path), false);
				memmove(o->buf + mark, o->buf + mark + 1, o->len - mark - 2);
				o->len -= 2;
				o->buf[o->len] = 0;
				strbuf_addc(o, '>');
			}
			break;
		default:
			rt_add_s64(o, c->ret);
		}
		if (c->aux[0]) {
			strbuf_adds(o, " (");
			strbuf_adds(o, c->aux);
			strbuf_addc(o, ')');
		}
	}
	c->dec->ret_end = o->len;
}

/* ---- the whole record ------------------------------------------------------- */

enum special {
	SP_NONE = 0, SP_CLONE, SP_CLONE3, SP_FCNTL, SP_IOCTL, SP_FUTEX, SP_ARCH_PRCTL,
	SP_PRCTL, SP_SETSOCKOPT, SP_GETSOCKOPT, SP_SENDMSG, SP_RECVMSG, SP_POLL, SP_SELECT,
	SP_EXIT,
};

static unsigned char special_tab[RT_SC_NR_MAX];

/* Filled before main(), so threads that decode at once only read it (and
 * no lock or futex call shows among the syscalls of a traced decoder). */
__attribute__((constructor)) static void special_init(void)
{
	static const struct {
		const char *name;
		enum special sp;
	} names[] = {
		{ "clone", SP_CLONE }, { "clone3", SP_CLONE3 }, { "fcntl", SP_FCNTL },
		{ "ioctl", SP_IOCTL }, { "futex", SP_FUTEX }, { "arch_prctl", SP_ARCH_PRCTL },
		{ "prctl", SP_PRCTL }, { "setsockopt", SP_SETSOCKOPT },
		{ "getsockopt", SP_GETSOCKOPT }, { "sendmsg", SP_SENDMSG },
		{ "recvmsg", SP_RECVMSG }, { "poll", SP_POLL }, { "ppoll", SP_POLL },
		{ "select", SP_SELECT }, { "pselect6", SP_SELECT },
		{ "exit", SP_EXIT }, { "exit_group", SP_EXIT },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n = rt_sc_lookup(names[i].name);

		if (n >= 0)
			special_tab[n] = names[i].sp;
	}
}

/* Decoders of their own, by syscall number. */
static enum special special_of(__u32 nr)
{
	return nr < RT_SC_NR_MAX ? special_tab[nr] : SP_NONE;
}

/* How many arguments strace shows: open/openat's mode only with O_CREAT
 * or O_TMPFILE. */
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

int rt_sc_decode(struct rt_sc_fmt *f, const struct rt_syscall_event *ev, size_t len,
		 struct rt_sc_dec *dec)
{
	static const struct rt_sc_desc unknown = { "?", -1, 0, { 0 }, { 0 } };
	struct dc c;
	enum special sp;
	int n, i;

	memset(dec, 0, sizeof(*dec));
	c.aux[0] = 0;
	c.noret = false;
	if (parse_blobs(ev, len, &c.bl))
		return -EINVAL;
	c.f = f;
	c.ev = ev;
	c.d = rt_sc_desc(ev->nr);
	if (!c.d)
		c.d = &unknown;
	c.o = &f->scratch;
	c.dec = dec;
	c.exited = !(ev->flags & RT_SC_F_UNFINISHED);
	c.ret = ev->ret;
	c.failed = c.exited && ev->ret < 0 && ev->ret >= -4095;
	c.rkind = ev->nr < RT_SC_NR_MAX ? rt_sc_rkind[ev->nr] : RT_R_DEC;
	raw_mode = f->raw;
	strbuf_reset(c.o);
	dec->split = -1;
	sp = special_of(ev->nr);
	switch (sp) {
	case SP_CLONE: sc_clone(&c); break;
	case SP_CLONE3: sc_clone3(&c); break;
	case SP_FCNTL: sc_fcntl(&c); break;
	case SP_IOCTL: sc_ioctl(&c); break;
	case SP_FUTEX: sc_futex(&c); break;
	case SP_ARCH_PRCTL: sc_arch_prctl(&c); break;
	case SP_PRCTL: sc_prctl(&c); break;
	case SP_SETSOCKOPT: sc_setsockopt(&c); break;
	case SP_GETSOCKOPT: sc_getsockopt(&c); break;
	case SP_SENDMSG: sc_msg(&c, false); break;
	case SP_RECVMSG: sc_msg(&c, true); break;
	default:
		n = shown_args(c.d, ev);
		for (i = 0; i < n; i++) {
			if (c.d->nargs < 0)
				rt_add_hex(c.o, ev->args[i]);
			else
				arg(&c, i);
			if (dec->split < 0 && c.d->nargs >= 0 && exit_kind(c.d->kinds[i]))
				dec->split = i;
			next(&c);
		}
		if (sp == SP_POLL)
			poll_aux(&c);
		if (sp == SP_SELECT)
			select_aux(&c);
		if (sp == SP_EXIT)
			c.noret = true;
		break;
	}
	if (dec->split < 0 || dec->split > dec->n)
		dec->split = dec->n;
	dec->no_return = c.noret;
	if (c.exited)
		add_return(&c);
	raw_mode = false;
	return 0;
}
