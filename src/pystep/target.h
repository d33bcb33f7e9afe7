/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interpreter pystep runs programs with: where its probes are (USDT
 * sites, semaphores, PyEval_EvalCode, PyTraceBack_Here), where _PyRuntime
 * is, and its CPython layout.  Read once from the ELF file.
 *
 * The line, function__entry and function__return probes are taken one
 * instruction after their USDT nop (the instruction that always follows
 * it): a uprobe there needs no semaphore of its own, so it can stay
 * attached for every process (pystep enables the USDT semaphores in its
 * own interpreters only: elsewhere the code around the nop never runs) and
 * does not clash with tracers that attach the USDT probes themselves (the
 * kernel wants one reference counter per probed address).
 */
#ifndef RUNTRACE_PYSTEP_TARGET_H
#define RUNTRACE_PYSTEP_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "runtrace/python.h"

struct elf_file;

enum ps_site {
	PS_SITE_START,   /* PyEval_EvalCode */
	PS_SITE_CALL,    /* after the USDT python:function__entry nop */
	PS_SITE_LINE,    /* after the USDT python:line nop */
	PS_SITE_RETURN,  /* after the USDT python:function__return nop */
	PS_SITE_EXC,     /* PyTraceBack_Here */
	PS_NSITES,
};

struct ps_target {
	char path[PATH_MAX];        /* the interpreter, symbolic links resolved */
	__u32 version;              /* PY_VERSION_HEX */
	const struct rt_py_offsets *o;
	bool pie;                   /* ET_DYN: addresses move by a load bias */
	__u64 runtime;              /* _PyRuntime, link-time address */
	__u64 site_offset[PS_NSITES]; /* file offsets for the uprobes */
	__u64 semaphore[PS_NSITES];   /* link-time addresses of the USDT
				       * semaphores (CALL, LINE, RETURN), else 0 */
	struct elf_file *ef;
};

/* Read @python (e.g. /usr/bin/python3.11).  0, or -errno with the reason
 * in @err (no USDT probes, an unsupported version...). */
int ps_target_open(const char *python, struct ps_target *t, char *err, size_t errlen);
void ps_target_close(struct ps_target *t);
/* The load bias of the interpreter in process @pid (0 unless PIE).  0 or
 * -errno. */
int ps_target_bias(const struct ps_target *t, pid_t pid, __s64 *bias);

#endif
