/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * trace -c: syscall counts kept in the kernel (bpf/syscount.bpf.c), read
 * by src/syscalls/count.c.  No per-syscall record crosses to userspace.
 */
#ifndef RUNTRACE_SYSCOUNT_H
#define RUNTRACE_SYSCOUNT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "runtrace/syscall.h"

/* Slot RT_SC_NR_MAX counts syscall numbers beyond the table. */
#define RT_COUNT_SLOTS (RT_SC_NR_MAX + 1)

/* Per CPU, per syscall number (map count_stats). */
struct rt_count {
	__u64 calls;   /* syscalls that returned */
	__u64 errors;  /* ... with -1..-4095 */
	__u64 timed;   /* ... whose times were measured (all, or a sample) */
	__u64 cpu_ns;  /* time on CPU between entry and exit (strace -c's system
			* time), of the timed calls */
	__u64 wall_ns; /* time between entry and exit (strace -c -w), of the
			* timed calls */
};

#endif /* RUNTRACE_SYSCOUNT_H */
