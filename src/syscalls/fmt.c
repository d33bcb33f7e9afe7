// SPDX-License-Identifier: GPL-2.0-only
/*
 * strace's lines from syscall records: the leader (timestamp, process
 * prefix), the call as decode.c renders it, whole or split around the
 * syscall's return as strace -f splits it, the return value at strace's
 * column, the duration; the same as JSON objects; process ends and signal
 * deliveries.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "syscalls/decode.h"
#include "syscalls/fmt.h"
#include "syscalls/table.h"

void rt_sc_fmt_init(struct rt_sc_fmt *f, unsigned strsize, __s64 realtime_offset_ns)
{
	memset(f, 0, sizeof(*f));
	f->strsize = strsize;
	f->realtime_offset_ns = realtime_offset_ns;
	f->last_sec = -1;
	f->ts = RT_SC_TS_USEC;
	f->time_first = true;
	f->durations = true;
	f->prefix = RT_SC_PFX_PID;
}

void rt_sc_fmt_free(struct rt_sc_fmt *f)
{
	strbuf_free(&f->scratch);
	strbuf_free(&f->line);
}

/* ---- the leader ------------------------------------------------------------ */

static void add_digits(struct strbuf *out, unsigned long long v, int width)
{
	char buf[24];
	int i;

	for (i = width - 1; i >= 0; i--) {
		buf[i] = '0' + v % 10;
		v /= 10;
	}
	strbuf_add(out, buf, width);
}

/* The timestamp and its space, as -t, -tt or -ttt print it. */
static void add_time(struct rt_sc_fmt *f, struct strbuf *out, __u64 ts)
{
	__s64 wall = (__s64)ts + f->realtime_offset_ns;
	__s64 sec = wall / 1000000000, usec = (wall % 1000000000) / 1000;

	if (f->ts == RT_SC_TS_NONE)
		return;
	if (f->ts == RT_SC_TS_EPOCH) {
		rt_add_s64(out, sec);
		strbuf_addc(out, '.');
		add_digits(out, usec, 6);
		strbuf_addc(out, ' ');
		return;
	}
	if (sec != f->last_sec) {
		time_t t = sec;
		struct tm tm;

		if (f->utc)
			gmtime_r(&t, &tm);
		else
			localtime_r(&t, &tm);
		strftime(f->hms, sizeof(f->hms), "%H:%M:%S", &tm);
		f->last_sec = sec;
	}
	strbuf_adds(out, f->hms);
	if (f->ts == RT_SC_TS_USEC) {
		strbuf_addc(out, '.');
		add_digits(out, usec, 6);
	}
	strbuf_addc(out, ' ');
}

/* "[pid  4211] " or "4211  " (no printf: this runs for every line). */
static void add_prefix(struct rt_sc_fmt *f, struct strbuf *out, __u32 pid)
{
	char buf[32], *p = buf + 16, *digits;
	int n = 0;

	if (f->prefix == RT_SC_PFX_NONE)
		return;
	do {
		*--p = '0' + pid % 10;
		pid /= 10;
		n++;
	} while (pid);
	digits = p;
	if (f->prefix == RT_SC_PFX_PID) {
		for (; n < 5; n++)
			*--p = ' ';
		p -= 5;
		memcpy(p, "[pid ", 5);
		buf[16] = ']';
		buf[17] = ' ';
		strbuf_add(out, p, buf + 18 - p);
		return;
	}
	/* "%-5u " */
	p = buf + 16;
	for (; n < 5; n++)
		*p++ = ' ';
	*p++ = ' ';
	strbuf_add(out, digits, p - digits);
}

static void leader(struct rt_sc_fmt *f, struct strbuf *out, __u64 ts, __u32 pid)
{
	if (f->time_first) {
		add_time(f, out, ts);
		add_prefix(f, out, pid);
	} else {
		add_prefix(f, out, pid);
		add_time(f, out, ts);
	}
}

static void add_duration(struct strbuf *out, __u64 ns)
{
	unsigned long long us = ns / 1000;

	strbuf_add(out, " <", 2);
	rt_add_u64(out, us / 1000000);
	strbuf_addc(out, '.');
	add_digits(out, us % 1000000, 6);
	strbuf_addc(out, '>');
}

/* ") = ", at strace's column (-a) when asked. */
static void add_equals(struct rt_sc_fmt *f, struct strbuf *out, size_t line_start)
{
	size_t col;

	strbuf_add(out, ") ", 2);
	col = out->len - line_start;
	while (f->align && col < f->align) {
		strbuf_addc(out, ' ');
		col++;
	}
	strbuf_add(out, "= ", 2);
}

static void sc_name(struct strbuf *out, __u32 nr)
{
	const struct rt_sc_desc *d = rt_sc_desc(nr);

	if (d) {
		strbuf_adds(out, d->name);
	} else {
		strbuf_adds(out, "syscall_");
		rt_add_u64(out, nr);
	}
}

/* Arguments [from, to) of @dec, joined by ", ". */
static void add_args(struct rt_sc_fmt *f, struct strbuf *out, const struct rt_sc_dec *dec,
		     int from, int to)
{
	size_t start;
	int i;

	for (i = from; i < to && i < dec->n; i++) {
		start = i ? dec->ends[i - 1] : 0;
		if (i > from)
			strbuf_add(out, ", ", 2);
		strbuf_add(out, f->scratch.buf + start, dec->ends[i] - start);
	}
}

/* ---- syscall lines ---------------------------------------------------------- */

int rt_sc_fmt_text_part(struct rt_sc_fmt *f, struct strbuf *out,
			const struct rt_syscall_event *ev, size_t len, enum rt_sc_part part)
{
	size_t line_start = out->len;
	struct rt_sc_dec dec;
	int err;

	err = rt_sc_decode(f, ev, len, &dec);
	if (err)
		return err;
	if (part == RT_SC_WHOLE) {
		if (ev->flags & RT_SC_F_RESUMED)
			part = RT_SC_RESUMED;
		else if ((ev->flags & RT_SC_F_UNFINISHED) && !dec.no_return)
			part = RT_SC_UNFINISHED;
	}
	leader(f, out, ev->hdr.ts, ev->hdr.tid);
	if (part == RT_SC_RESUMED) {
		strbuf_adds(out, "<... ");
		sc_name(out, ev->nr);
		strbuf_adds(out, " resumed>");
		/* an exit-only record: its arguments are not known */
		if (!(ev->flags & RT_SC_F_RESUMED)) {
			if (dec.comma_late && dec.split > 0 && dec.split < dec.n)
				strbuf_add(out, ", ", 2);
			add_args(f, out, &dec, dec.split, dec.n);
		}
	} else {
		sc_name(out, ev->nr);
		strbuf_addc(out, '(');
		if (part == RT_SC_UNFINISHED) {
			add_args(f, out, &dec, 0, dec.split);
			if (dec.split > 0 && dec.split < dec.n && !dec.comma_late)
				strbuf_add(out, ", ", 2);
			strbuf_adds(out, " <unfinished ...>\n");
			return 0;
		}
		add_args(f, out, &dec, 0, dec.n);
	}
	add_equals(f, out, line_start);
	if (dec.no_return || (ev->flags & RT_SC_F_UNFINISHED)) {
		strbuf_adds(out, "?\n");
		return 0;
	}
	strbuf_add(out, f->scratch.buf + dec.ret_start, dec.ret_end - dec.ret_start);
	if (f->durations && !(ev->flags & RT_SC_F_RESUMED))
		add_duration(out, ev->duration_ns);
	strbuf_addc(out, '\n');
	return 0;
}

int rt_sc_fmt_text(struct rt_sc_fmt *f, struct strbuf *out,
		   const struct rt_syscall_event *ev, size_t len)
{
	return rt_sc_fmt_text_part(f, out, ev, len, RT_SC_WHOLE);
}

/* ---- JSON ------------------------------------------------------------------- */

/* "time" as the text lines show it (without its trailing space). */
static void json_time(struct rt_sc_fmt *f, struct strbuf *out, __u64 ts)
{
	enum rt_sc_tsfmt keep = f->ts;
	size_t mark;

	if (f->ts == RT_SC_TS_NONE)
		f->ts = RT_SC_TS_USEC;
	strbuf_adds(out, "{\"time\":\"");
	mark = out->len;
	add_time(f, out, ts);
	if (out->len > mark)
		out->len--; /* its space */
	out->buf[out->len] = 0;
	f->ts = keep;
	strbuf_adds(out, "\",\"ts_ns\":");
	rt_add_u64(out, ts + f->realtime_offset_ns);
}

int rt_sc_fmt_json(struct rt_sc_fmt *f, struct strbuf *out,
		   const struct rt_syscall_event *ev, size_t len)
{
	bool resumed = ev->flags & RT_SC_F_RESUMED;
	struct rt_sc_dec dec;
	size_t start;
	int err, i;

	err = rt_sc_decode(f, ev, len, &dec);
	if (err)
		return err;
	json_time(f, out, ev->hdr.ts);
	strbuf_adds(out, ",\"pid\":");
	rt_add_u64(out, ev->hdr.pid);
	strbuf_adds(out, ",\"tid\":");
	rt_add_u64(out, ev->hdr.tid);
	strbuf_adds(out, ",\"syscall\":\"");
	sc_name(out, ev->nr);
	strbuf_adds(out, "\",\"nr\":");
	rt_add_u64(out, ev->nr);
	strbuf_adds(out, ",\"args\":[");
	for (i = 0; i < dec.n && !resumed; i++) {
		start = i ? dec.ends[i - 1] : 0;
		if (i)
			strbuf_addc(out, ',');
		strbuf_add_json_str(out, f->scratch.buf + start, dec.ends[i] - start);
	}
	strbuf_addc(out, ']');
	if (ev->flags & RT_SC_F_UNFINISHED) {
		strbuf_adds(out, ",\"unfinished\":true}\n");
		return 0;
	}
	if (resumed)
		strbuf_adds(out, ",\"resumed\":true");
	strbuf_adds(out, ",\"ret\":");
	rt_add_s64(out, ev->ret);
	if (ev->ret < 0 && ev->ret >= -4095 && -ev->ret < RT_ERRNO_MAX &&
	    rt_errno_names[-ev->ret]) {
		strbuf_adds(out, ",\"errno\":\"");
		strbuf_adds(out, rt_errno_names[-ev->ret]);
		strbuf_addc(out, '"');
	}
	strbuf_adds(out, ",\"retval\":");
	strbuf_add_json_str(out, f->scratch.buf + dec.ret_start, dec.ret_end - dec.ret_start);
	strbuf_adds(out, ",\"duration_ns\":");
	rt_add_u64(out, ev->duration_ns);
	strbuf_adds(out, "}\n");
	return 0;
}

/* ---- process ends ----------------------------------------------------------- */

static void exit_words(struct strbuf *out, int status)
{
	if (WIFSIGNALED(status)) {
		strbuf_adds(out, "+++ killed by ");
		rt_add_signal(out, WTERMSIG(status));
		strbuf_adds(out, WCOREDUMP(status) ? " (core dumped) +++" : " +++");
	} else {
		strbuf_adds(out, "+++ exited with ");
		rt_add_s64(out, WEXITSTATUS(status));
		strbuf_adds(out, " +++");
	}
}

void rt_sc_fmt_exit_text(struct rt_sc_fmt *f, struct strbuf *out, __u64 ts,
			 __u32 pid, int status)
{
	leader(f, out, ts, pid);
	exit_words(out, status);
	strbuf_addc(out, '\n');
}

void rt_sc_fmt_exit_json(struct rt_sc_fmt *f, struct strbuf *out, __u64 ts,
			 __u32 pid, int status)
{
	json_time(f, out, ts);
	strbuf_adds(out, ",\"pid\":");
	rt_add_u64(out, pid);
	if (WIFSIGNALED(status)) {
		strbuf_adds(out, ",\"killed_by\":\"");
		rt_add_signal(out, WTERMSIG(status));
		strbuf_adds(out, "\"}\n");
	} else {
		strbuf_adds(out, ",\"exited\":");
		rt_add_s64(out, WEXITSTATUS(status));
		strbuf_adds(out, "}\n");
	}
}

/* ---- signal deliveries ------------------------------------------------------ */

/* The si_code of @signo as strace names it (siginfo_codes, then the
 * signal's own), or NULL. */
static const char *si_code_name(int signo, int code)
{
	const char *n = rt_flag_name(rt_enum_sicode, (unsigned long)(long)code);

	if (n || code <= 0)
		return n;
	switch (signo) {
	case SIGCHLD: return rt_flag_name(rt_enum_sigchldcode, code);
	case SIGSEGV: return rt_flag_name(rt_enum_sigsegvcode, code);
	case SIGBUS: return rt_flag_name(rt_enum_sigbuscode, code);
	case SIGILL: return rt_flag_name(rt_enum_sigillcode, code);
	case SIGFPE: return rt_flag_name(rt_enum_sigfpecode, code);
	case SIGTRAP: return rt_flag_name(rt_enum_sigtrapcode, code);
	case SIGIO: return rt_flag_name(rt_enum_sigpollcode, code);
	case SIGSYS: return rt_flag_name(rt_enum_sigsyscode, code);
	default: return NULL;
	}
}

/* A clock_t in ticks, with strace's comment of the seconds it makes. */
static void add_clock_t(struct rt_sc_fmt *f, struct strbuf *o, unsigned long long v)
{
	long tck = sysconf(_SC_CLK_TCK);
	unsigned long long scale = 1;
	int width = 0;
	long t;

	rt_add_u64(o, v);
	if (f->raw || tck <= 0 || !v)
		return;
	for (t = tck; t >= 10 && width < 9; t /= 10) {
		width++;
		scale *= 10;
	}
	strbuf_addf(o, " /* %llu.%0*llu s */", v / tck, width,
		    ((v % tck) * scale + tck / 2) / tck);
}

/* strace's printsiginfo() on a kernel siginfo (x86_64 layout). */
static void add_siginfo(struct rt_sc_fmt *f, struct strbuf *o, const unsigned char *p)
{
	int signo, err, code, pid, uid, status, i32;
	long long l0, l1;
	const char *n;

	memcpy(&signo, p, 4);
	memcpy(&err, p + 4, 4);
	memcpy(&code, p + 8, 4);
	/* the union at 16: */
	memcpy(&pid, p + 16, 4);   /* _kill, _sigchld, _rt: si_pid; _timer: si_tid */
	memcpy(&uid, p + 20, 4);   /* si_uid; _timer: si_overrun */
	memcpy(&status, p + 24, 4); /* _sigchld: si_status; _rt: si_int */
	memcpy(&l0, p + 16, 8);    /* _sigfault: si_addr; _sigpoll: si_band */
	memcpy(&l1, p + 24, 8);    /* _rt: si_ptr */
	memcpy(&i32, p + 24, 4);   /* _sigpoll: si_fd */
	strbuf_addc(o, '{');
	if (!signo) {
		strbuf_addc(o, '}');
		return;
	}
	strbuf_adds(o, "si_signo=");
	rt_add_signal(o, signo);
	strbuf_adds(o, ", si_code=");
	n = f->raw ? NULL : si_code_name(signo, code);
	if (n)
		strbuf_adds(o, n);
	else
		rt_add_s64(o, code);
	if (code == 0x80 /* SI_KERNEL */ && signo != SIGCHLD) {
		/* nothing more unless the fields are set */
	}
	if (err) {
		strbuf_adds(o, ", si_errno=");
		if (err > 0 && err < RT_ERRNO_MAX && rt_errno_names[err])
			strbuf_adds(o, rt_errno_names[err]);
		else
			rt_add_s64(o, err);
	}
	if (code <= 0) { /* from user space */
		if (code == -2 /* SI_TIMER */) {
			strbuf_addf(o, ", si_timerid=%#x, si_overrun=%d, si_int=%d, si_ptr=",
				    (unsigned)pid, uid, status);
			if (l1)
				rt_add_hex(o, l1);
			else
				strbuf_adds(o, "NULL");
		} else if (code == -5 /* SI_SIGIO */) {
			strbuf_addf(o, ", si_band=%lld, si_fd=%d", l0, i32);
		} else {
			strbuf_addf(o, ", si_pid=%d, si_uid=%u", pid, (unsigned)uid);
			if ((code == -1 /* SI_QUEUE */ || code == -3 /* SI_MESGQ */ ||
			     (code != 0 && code != -6)) && l1) {
				strbuf_addf(o, ", si_int=%d, si_ptr=", status);
				rt_add_hex(o, l1);
			}
		}
	} else {
		switch (signo) {
		case SIGCHLD: {
			long long ut, st;

			memcpy(&ut, p + 32, 8);
			memcpy(&st, p + 40, 8);
			strbuf_addf(o, ", si_pid=%d, si_uid=%u, si_status=", pid, (unsigned)uid);
			if (code == 1 /* CLD_EXITED */)
				rt_add_s64(o, status);
			else
				rt_add_signal(o, status);
			strbuf_adds(o, ", si_utime=");
			add_clock_t(f, o, ut);
			strbuf_adds(o, ", si_stime=");
			add_clock_t(f, o, st);
			break;
		}
		case SIGILL: case SIGFPE: case SIGBUS: case SIGSEGV: case SIGTRAP:
			strbuf_adds(o, ", si_addr=");
			if (l0)
				rt_add_hex(o, l0);
			else
				strbuf_adds(o, "NULL");
			break;
		case SIGIO:
			if (code >= 1 && code <= 6)
				strbuf_addf(o, ", si_band=%lld, si_fd=%d", l0, i32);
			break;
		case SIGSYS: {
			int sc;
			unsigned arch;
			const struct rt_sc_desc *d;

			memcpy(&sc, p + 24, 4);
			memcpy(&arch, p + 28, 4);
			strbuf_adds(o, ", si_call_addr=");
			if (l0)
				rt_add_hex(o, l0);
			else
				strbuf_adds(o, "NULL");
			d = sc >= 0 ? rt_sc_desc(sc) : NULL;
			strbuf_adds(o, ", si_syscall=");
			if (d)
				strbuf_addf(o, "__NR_%s", d->name);
			else
				rt_add_s64(o, sc);
			strbuf_adds(o, ", si_arch=");
			if (arch == 0xc000003e)
				strbuf_adds(o, "AUDIT_ARCH_X86_64");
			else
				rt_add_hex(o, arch);
			break;
		}
		default:
			if (pid || uid)
				strbuf_addf(o, ", si_pid=%d, si_uid=%u", pid, (unsigned)uid);
			if (l1) {
				strbuf_addf(o, ", si_int=%d, si_ptr=", status);
				rt_add_hex(o, l1);
			}
			break;
		}
	}
	strbuf_addc(o, '}');
}

int rt_sc_fmt_signal_text(struct rt_sc_fmt *f, struct strbuf *out,
			  const struct rt_signal_event *sig, size_t len)
{
	if (len < sizeof(*sig))
		return -EINVAL;
	leader(f, out, sig->hdr.ts, sig->hdr.tid);
	strbuf_adds(out, "--- ");
	rt_add_signal(out, sig->signo);
	strbuf_addc(out, ' ');
	add_siginfo(f, out, sig->info);
	strbuf_adds(out, " ---\n");
	return 0;
}

int rt_sc_fmt_signal_json(struct rt_sc_fmt *f, struct strbuf *out,
			  const struct rt_signal_event *sig, size_t len)
{
	int code, pid;
	size_t mark;

	if (len < sizeof(*sig))
		return -EINVAL;
	memcpy(&code, sig->info + 8, 4);
	memcpy(&pid, sig->info + 16, 4);
	json_time(f, out, sig->hdr.ts);
	strbuf_adds(out, ",\"pid\":");
	rt_add_u64(out, sig->hdr.pid);
	strbuf_adds(out, ",\"tid\":");
	rt_add_u64(out, sig->hdr.tid);
	strbuf_adds(out, ",\"signal\":\"");
	rt_add_signal(out, sig->signo);
	strbuf_adds(out, "\",\"si_code\":");
	rt_add_s64(out, code);
	strbuf_adds(out, ",\"siginfo\":");
	strbuf_reset(&f->scratch);
	add_siginfo(f, &f->scratch, sig->info);
	mark = f->scratch.len;
	strbuf_add_json_str(out, f->scratch.buf, mark);
	strbuf_adds(out, ",\"handler\":\"");
	strbuf_adds(out, sig->handler == RT_SIG_HANDLER ? "handler" :
			 sig->handler == RT_SIG_IGN ? "SIG_IGN" : "SIG_DFL");
	strbuf_adds(out, "\"}\n");
	return 0;
}
