/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Native functions on a thread's stack, from userspace: for threads found
 * blocked in a syscall when profiling starts (the kernel sees them come
 * back, not leave).  /proc/PID/task/TID/syscall gives the stack pointer
 * and the program counter; the words at the stack pointer are looked at
 * as bpf/profile.bpf.c does (without the frame chain, which needs the
 * frame pointer register).  Pure given a memory read function.
 */
#ifndef RUNTRACE_PROFILE_NATIVE_H
#define RUNTRACE_PROFILE_NATIVE_H

#include <stddef.h>
#include <linux/types.h>

#include "profile/funcs.h"

/* The stack pointer and program counter in the text of a
 * /proc/PID/task/TID/syscall file ("NR ARG1 ... ARG6 SP PC").  0, -EAGAIN
 * (not blocked in a syscall: "running", "-1 SP PC"), -EINVAL. */
int pf_parse_syscall_file(const char *text, __u64 *sp, __u64 *pc);

/* Read the 8 bytes before @addr into @out: 0 or -errno. */
typedef int (*pf_read8_fn)(void *ctx, __u64 addr, __u8 out[8]);

/* The slots of @fs's resolved native functions that hold @pc, or that one
 * of the @n @words at the stack pointer returns into (rt_profile_call_before). */
__u64 pf_native_mask(const struct pf_funcs *fs, __u64 pc, const __u64 *words, size_t n,
		     pf_read8_fn read8, void *ctx);

#endif
