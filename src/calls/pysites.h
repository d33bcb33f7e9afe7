/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where to probe a CPython 3.11 binary (the executable or libpython) for
 * Python function calls, from its file alone:
 *
 *  - the RESUME and RESUME_QUICK instruction handlers of the eval loop,
 *    through its computed-goto table (opcode_targets: 256 addresses inside
 *    _PyEval_EvalFrameDefault, opcodes 181..254 all the same
 *    _unknown_opcode), and in each handler the first direct branch
 *    (jcc/jmp rel: the kernel emulates it, so the uprobe is not
 *    single-stepped; a single step costs a debug trap, ~17 us in a VM);
 *  - the function__return and audit USDT notes;
 *  - _PyRuntime's link-time address.
 */
#ifndef RUNTRACE_CALLS_PYSITES_H
#define RUNTRACE_CALLS_PYSITES_H

#include <stddef.h>
#include <linux/types.h>

#include "runtrace/calls.h"
#include "runtrace/python.h"

struct elf_file;

struct py_sites {
	__u64 resume[2];        /* link-time addresses of the probe sites */
	__u64 resume_off[2];    /* their file offsets */
	int resume_reg[2];      /* enum rt_call_reg holding the frame there */
	int nresume;
	__u64 ret_pc;           /* function__return USDT (0: none) */
	__u64 ret_sema;         /* its semaphore's link-time address */
	/* Where the eval loop tests that semaphore on every way out of a
	 * frame (return, yield, exception): the direct branch after each
	 * test.  A uprobe there sees every exit without the semaphore set,
	 * so CPython computes nothing for a probe nobody reads. */
	__u64 exit[8], exit_off[8];
	int exit_reg[8];        /* enum rt_call_reg holding the frame there */
	int nexit;
	__u64 audit_pc;         /* audit USDT (0: none) */
	__u64 runtime;          /* _PyRuntime link-time address */
	__u64 types[RT_PK_N];   /* builtin types by enum rt_call_pykind (0: none) */
};

/* Find them in @ef, an interpreter of layout @layout.  0, or -ENOENT with the
 * reason in @why. */
int py_sites_find(struct elf_file *ef, const struct rt_py_offsets *layout, struct py_sites *out,
		  char *why, size_t len);

/* Pure: the index in @vals (@n 8-byte slots at consecutive addresses) of
 * the opcode table whose opcodes 181..254 share one value and whose
 * RESUME, RESUME_QUICK and RETURN_VALUE entries lie in [lo, hi); -1 if
 * none. */
long py_sites_find_table(const __u64 *vals, size_t n, __u64 lo, __u64 hi);

/* Pure: the offset in @code (machine code at @addr) of the first branch
 * instruction; -1 if the first one is not a direct jcc/jmp (the kernel
 * would single-step it) or none is found in @len bytes. */
long py_sites_first_branch(const __u8 *code, size_t len, __u64 addr);

/* Pure: the exit sites of the eval loop @code (at @addr): the direct
 * branch after each `cmp $0, SEMA(%rip)` of the function__return
 * semaphore at @sema, with the register holding the frame there (the base
 * of the last store to frame->prev_instr or frame->stacktop, @disp_a and
 * @disp_b, in the same straight run of code; RT_REG_NONE if none).  The
 * number found, at most @max. */
int py_sites_exit_sites(const __u8 *code, size_t len, __u64 addr, __u64 sema, unsigned disp_a,
			unsigned disp_b, __u64 *sites, int *regs, int max);

/* Pure: the register (enum rt_call_reg) that holds the interpreter frame
 * at offset @branch of the handler at @addr: the base of the store of
 * next_instr into frame->prev_instr (displacement @disp) that every
 * handler starts with, not written again before @branch; RT_REG_NONE if
 * there is none or it is not one a function keeps across calls. */
int py_sites_frame_reg(const __u8 *code, size_t len, __u64 addr, long branch, unsigned disp);

#endif
