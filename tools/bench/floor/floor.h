/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by floor.bpf.c and floor.c. */
#ifndef FLOOR_H
#define FLOOR_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct floor_cpu {
	__u64 ts;       /* entry time of the syscall in progress */
	__u64 syscalls; /* syscalls of the target seen at exit */
	__u64 sum_ns;   /* their summed durations (so the reads are used) */
};

#endif
