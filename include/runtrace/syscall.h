/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --call-trace records, shared by bpf/syscalls.bpf.c and src/syscalls/calltrace.c.
 *
 * The kernel side keeps no state between a syscall's entry and its exit: it
 * emits two halves, RT_EV_SYSCALL_ENTER (entry time, number, arguments) at
 * sys_enter and RT_EV_SYSCALL_EXIT (exit time, return value) at sys_exit,
 * each followed by a tail of blobs (captured user memory: paths, strings,
 * data bytes, sockaddrs, execve argv), each tagged with the argument it
 * belongs to.  Most blobs are read at exit (output buffers are filled by
 * then); execve's path and argv at entry (the caller's memory is gone by
 * exit).  Halves travel in per-CPU batches (RT_EV_BATCH), flushed when a
 * batch fills, when its CPU switches tasks and when a thread exits, so each
 * thread's halves reach userspace in the order they happened.
 *
 * Userspace joins the two halves of each thread's syscall into one
 * struct rt_syscall_event (RT_EV_SYSCALL): what its spool keeps and its
 * formatter reads.  An entry with no exit (exit_group, a thread killed in
 * the syscall) becomes an unfinished record.
 */
#ifndef RUNTRACE_SYSCALL_H
#define RUNTRACE_SYSCALL_H

#include "runtrace/events.h"

/* Record flags. */
#define RT_SC_F_UNFINISHED 0x1 /* joined: the syscall never returned */
#define RT_SC_F_TRUNC      0x4 /* some blob did not fit (or was not read) */
#define RT_SC_F_RESUMED    0x8 /* joined: exit only, its entry came before tracing began */

/* Blob kinds. */
enum rt_sc_blob_kind {
	RT_BLOB_STR = 1,      /* NUL-terminated string (len counts the NUL if seen) */
	RT_BLOB_DATA = 2,     /* raw bytes (buffer contents, sockaddr, int arrays) */
	RT_BLOB_ARGV = 3,     /* one argv element (repeated, in order) */
	RT_BLOB_ARGV_END = 4, /* argv ended: len 4, a __u32 of how many elements */
};

/* Header of one blob; data follows, then padding to 4 bytes. */
struct rt_sc_blob {
	__u8 arg;   /* argument index 0..5 */
	__u8 kind;  /* enum rt_sc_blob_kind */
	__u16 len;  /* bytes of data that follow (before padding) */
};

/* Bounds of a record. */
#define RT_SC_REC_MAX   8192  /* blobs start below this offset */
#define RT_SC_BLOB_MAX  8192  /* bound of one blob's data (power of two) */
#define RT_SC_PATH_MAX  512   /* paths are read up to this (then "...") */
#define RT_SC_ARGV_MAX  32    /* execve argv elements captured */
#define RT_SC_NR_MAX    512   /* syscall numbers covered by the filter/spec */

/* RT_EV_SYSCALL_ENTER: a syscall begins.  Blobs follow (execve only). */
struct rt_sc_enter {
	struct rt_hdr hdr;  /* ts: entry time; size: fixed part + blobs, a multiple of 8 */
	__u64 args[6];      /* raw argument registers */
	__u32 nr;           /* syscall number */
	__u16 flags;        /* RT_SC_F_TRUNC */
	__u16 nblobs;
};
_Static_assert(sizeof(struct rt_sc_enter) == 80, "rt_sc_enter layout is ABI");

/* RT_EV_SYSCALL_EXIT: the syscall returned.  Blobs follow. */
struct rt_sc_exit {
	struct rt_hdr hdr;  /* ts: exit time; size: fixed part + blobs, a multiple of 8 */
	__s64 ret;          /* return value (raw: -errno on failure) */
	__u32 nr;           /* syscall number (orig_ax) */
	__u16 flags;        /* RT_SC_F_TRUNC */
	__u16 nblobs;
};
_Static_assert(sizeof(struct rt_sc_exit) == 40, "rt_sc_exit layout is ABI");

/* RT_EV_THREAD_EXIT: a traced thread exits (after its last half). */
struct rt_thread_exit {
	struct rt_hdr hdr;  /* ts: exit time; pid, tid: the thread */
	__s32 exit_code;    /* wait(2) status word */
	__u32 last;         /* the last thread of its process */
};
_Static_assert(sizeof(struct rt_thread_exit) == 32, "rt_thread_exit layout is ABI");

/* RT_EV_SYSCALL: one syscall, both halves joined (userspace only). */
struct rt_syscall_event {
	struct rt_hdr hdr;  /* ts: entry time; size: fixed part + blobs */
	__u64 duration_ns;  /* exit ts - entry ts (0 if unfinished/enter) */
	__s64 ret;          /* return value (raw: -errno on failure) */
	__u64 args[6];      /* raw argument registers at entry */
	__u32 nr;           /* syscall number (orig_ax) */
	__u16 flags;        /* RT_SC_F_* */
	__u16 nblobs;       /* blobs in the tail */
	/* struct rt_sc_blob + data, ... */
};
_Static_assert(sizeof(struct rt_syscall_event) == 96, "rt_syscall_event layout is ABI");

/* Capture spec: what sys_exit (or sys_enter, for execve) copies for each
 * argument.  One __u8 per argument: low 4 bits a kind, high 4 bits the
 * index of the argument that holds its length (for kinds that need one). */
enum rt_cap_kind {
	RT_CAP_NONE = 0,
	RT_CAP_PATH = 1,      /* NUL-terminated path, up to RT_SC_PATH_MAX */
	RT_CAP_STR = 2,       /* NUL-terminated string, up to strsize + 1 */
	RT_CAP_BUF_IN = 3,    /* bytes, count in arg (len idx), up to strsize */
	RT_CAP_BUF_OUT = 4,   /* bytes, count = ret when ret > 0, up to strsize */
	RT_CAP_SOCKADDR = 5,  /* sockaddr, length in arg (len idx) */
	RT_CAP_SOCKADDR_OUT = 6, /* sockaddr, length at *(int *)arg(len idx), ret >= 0 */
	RT_CAP_INT_OUT = 7,   /* one int, when ret >= 0 (wait4 status) */
	RT_CAP_INT2_OUT = 8,  /* two ints, when ret >= 0 (pipe fds) */
	RT_CAP_ARGV = 9,      /* char *argv[] (enter only) */
	RT_CAP_IOV_IN = 10,   /* struct iovec[] count in arg: first iov's bytes */
	RT_CAP_IOV_OUT = 11,  /* struct iovec[] out: first iov's bytes, up to ret */
};
/* A syscall's whole spec is a __u64: byte i for argument i (0..5), then: */
#define RT_CAP_AT_ENTER (1ull << 48) /* capture at sys_enter (execve argv) */
#define RT_CAP_DIRECT (1ull << 49)   /* a lone BUF_IN/BUF_OUT: fixed-size fast path */
#define RT_CAP_DIRECT_ARG(spec) (((spec) >> 50) & 7) /* ... of this argument */
#define RT_CAP_ARGS_MASK 0x0000ffffffffffffull
#define RT_CAP(kind, lenidx) ((__u8)((kind) | ((lenidx) << 4)))
#define RT_CAP_KIND(c) ((c) & 0xf)
#define RT_CAP_LENIDX(c) (((c) >> 4) & 0x7)

#endif /* RUNTRACE_SYSCALL_H */
