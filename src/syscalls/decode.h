/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The argument and return-value decoder behind fmt.c: one syscall record
 * in, its arguments and return value as strace prints them out (into the
 * formatter's scratch buffer), with where strace splits the line when the
 * syscall is in flight (`name(args <unfinished ...>` / `<... name
 * resumed>rest`).  Internal to src/syscalls.
 */
#ifndef RUNTRACE_SYSCALL_DECODE_H
#define RUNTRACE_SYSCALL_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "runtrace/syscall.h"
#include "syscalls/fmt.h"
#include "util/strbuf.h"

#define RT_DEC_ARGS_MAX 8

struct rt_sc_dec {
	int n;                         /* arguments printed */
	int split;                     /* the first printed when the syscall returns */
	bool comma_late;               /* the ", " before argument @split goes with the
					* returning part (strace: "ioctl(1, TCGETS <unfinished
					* ...>" then "<... ioctl resumed>, {...}) = 0") */
	size_t ends[RT_DEC_ARGS_MAX];  /* where each argument ends in f->scratch */
	size_t ret_start, ret_end;     /* the return value's text in f->scratch */
	bool no_return;                /* exit, exit_group: "= ?" */
};

/*
 * Decode record @ev of @len bytes into f->scratch (reset first).  A record
 * with RT_SC_F_UNFINISHED gets no return value; one with RT_SC_F_RESUMED
 * (its arguments unknown) only the parts strace prints when it returns.
 * Returns 0, or -EINVAL if the record is malformed.
 */
int rt_sc_decode(struct rt_sc_fmt *f, const struct rt_syscall_event *ev, size_t len,
		 struct rt_sc_dec *dec);

/* Numbers, fast (no printf). */
void rt_add_u64(struct strbuf *out, unsigned long long v);
void rt_add_s64(struct strbuf *out, long long v);
void rt_add_hex(struct strbuf *out, unsigned long long v);
/* A signal's name as strace prints it ("SIGCHLD", "SIGRT_3", or a number). */
void rt_add_signal(struct strbuf *out, int sig);

#endif
