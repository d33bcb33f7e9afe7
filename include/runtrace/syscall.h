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

/* Blob kinds.  RT_BLOB_F_ENTER marks a blob read at sys_enter (an input
 * the syscall may overwrite: *addrlen before accept() sets it). */
enum rt_sc_blob_kind {
	RT_BLOB_STR = 1,      /* NUL-terminated string (len counts the NUL if seen) */
	RT_BLOB_DATA = 2,     /* raw bytes: a buffer, a struct, an array of structs */
	RT_BLOB_ARGV = 3,     /* one argv element (repeated, in order) */
	RT_BLOB_ARGV_END = 4, /* argv ended: len 4, a __u32 of how many elements */
	RT_BLOB_COUNT = 5,    /* len 4, a __u32 count: envp's strings, getdents' records;
			       * bit 31 set: counting stopped at the bound */
	RT_BLOB_ELEM = 6,     /* the bytes of one iovec of the argument's iovec array
			       * (or of its msghdr), repeated in array order */
	RT_BLOB_NAME = 7,     /* a msghdr's msg_name bytes */
	RT_BLOB_CTRL = 8,     /* a msghdr's msg_control bytes */
	RT_BLOB_IOV = 9,      /* an iovec array (of readv/writev, of a msghdr) */
};
#define RT_BLOB_F_ENTER 0x80
#define RT_BLOB_KIND(k) ((k) & 0x7f)

/* Header of one blob; data follows, then padding to 4 bytes. */
struct rt_sc_blob {
	__u8 arg;   /* argument index 0..5 */
	__u8 kind;  /* enum rt_sc_blob_kind, | RT_BLOB_F_ENTER */
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
	struct rt_hdr hdr;  /* ts: entry time (0: none read, cfg_ct_clock); size: fixed
			     * part + blobs, a multiple of 8 */
	__u64 args[6];      /* raw argument registers */
	__u32 nr;           /* syscall number */
	__u16 flags;        /* RT_SC_F_TRUNC */
	__u16 nblobs;
};
_Static_assert(sizeof(struct rt_sc_enter) == 80, "rt_sc_enter layout is ABI");

/* RT_EV_SYSCALL_EXIT: the syscall returned.  Blobs follow. */
struct rt_sc_exit {
	struct rt_hdr hdr;  /* ts: exit time (0: none read, cfg_ct_clock); size: fixed
			     * part + blobs, a multiple of 8 */
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

/* How a delivered signal is handled (rt_signal_event.handler). */
enum rt_sig_handler {
	RT_SIG_DFL = 0,     /* its default action */
	RT_SIG_IGN = 1,     /* ignored */
	RT_SIG_HANDLER = 2, /* a handler of the program's */
};

/* RT_EV_SIGNAL: a traced thread takes a signal (the kernel dequeues it to
 * run its handler or default action: tp_btf/signal_deliver), strace's
 * "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, ...} ---".  Travels
 * in the batch between the thread's syscall halves, so it lands between
 * the same lines as strace's. */
#define RT_SIGINFO_LEN 48
struct rt_signal_event {
	struct rt_hdr hdr;    /* ts: delivery time; pid, tid: the thread */
	__s32 signo;          /* the signal */
	__u32 handler;        /* enum rt_sig_handler */
	__u8 info[RT_SIGINFO_LEN]; /* struct kernel_siginfo: si_signo, si_errno,
				    * si_code, then the union as in siginfo_t */
};
_Static_assert(sizeof(struct rt_signal_event) == 80, "rt_signal_event layout is ABI");

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

/*
 * Capture spec: what sys_enter and sys_exit copy of each argument's user
 * memory.  Per argument a struct rt_cap: a kind (what the memory is), when
 * to read it, the argument that holds its length, count or command, and a
 * size (of a struct, of an element, or a bound).  Userspace builds one
 * spec per syscall from its argument kinds (src/syscalls/filter.c).
 */
enum rt_cap_kind {
	RT_CAP_NONE = 0,
	RT_CAP_PATH = 1,      /* NUL-terminated path, up to RT_SC_PATH_MAX */
	RT_CAP_STR = 2,       /* NUL-terminated string, up to strsize + 2 */
	RT_CAP_BUF = 3,       /* bytes: arg[len] of them, up to size (0: strsize) */
	RT_CAP_BUF_RET = 4,   /* bytes: ret of them (ret > 0), up to size (0: strsize) */
	RT_CAP_LENPTR = 5,    /* bytes: *(int *)arg[len] of them, up to size */
	RT_CAP_FIXED = 6,     /* size bytes (a struct) */
	RT_CAP_ARRAY = 7,     /* arg[len] elements of size bytes, up to RT_SC_ARRAY_MAX bytes */
	RT_CAP_ARRAY_RET = 8, /* ret elements of size bytes, up to RT_SC_ARRAY_MAX bytes */
	RT_CAP_IOV = 9,       /* struct iovec[arg[len]]: the array (IOV), up to
			       * RT_SC_IOV_MAX, then each element's bytes (ELEM), up
			       * to strsize each; size 1: a read, ret bytes in all */
	RT_CAP_MSGHDR = 10,   /* struct msghdr (DATA), its msg_name (NAME), its
			       * iovecs (as RT_CAP_IOV), its control (CTRL); at
			       * sys_enter the struct only.  size 1: a read */
	RT_CAP_ARGV = 11,     /* char *argv[]: ARGV blobs, then ARGV_END */
	RT_CAP_ENVC = 12,     /* char *envp[]: how many (COUNT) */
	RT_CAP_DENTS = 13,    /* linux_dirent(64) records in ret bytes: how many (COUNT) */
	RT_CAP_BYCMD = 14,    /* as the cfg_ct_bycmd entry of (syscall, arg[len]) says */
	RT_CAP_SIGFRAME = 15, /* rt_sigreturn: the blocked mask saved in the signal
			       * frame at the stack pointer (sys_enter) */
	RT_CAP_BITS = 16,     /* a bitmap of arg[len] bits (fd_set), in longs, up to size */
	RT_CAP_KIND_MASK = 0x1f,
};
/* When (the high bits of rt_cap.how): */
#define RT_CAPW_ENTER 0x80  /* at sys_enter (the blob gets RT_BLOB_F_ENTER) */
#define RT_CAPW_EXIT 0x40   /* at sys_exit, if the syscall succeeded (ret >= 0) */
#define RT_CAPW_ANYRET 0x20 /* at sys_exit, whatever it returned (an input) */

struct rt_cap {
	__u8 how;   /* enum rt_cap_kind | RT_CAPW_* */
	__u8 len;   /* index of the argument with the length, count or command */
	__u16 size; /* struct or element size, or a bound (see the kind) */
};

/* One syscall's spec. */
struct rt_cap_spec {
	struct rt_cap arg[6];
	__u32 flags;   /* RT_CAPF_* */
	__u32 special; /* the argument of the lone buffer (DIRECT) or of the
			* iovec array or msghdr (VEC) */
};
_Static_assert(sizeof(struct rt_cap_spec) == 32, "rt_cap_spec layout is ABI");
#define RT_CAPF_ENTER 0x1  /* some argument is read at sys_enter */
#define RT_CAPF_EXIT 0x2   /* some argument is read at sys_exit */
#define RT_CAPF_DIRECT 0x4 /* a lone BUF/BUF_RET bounded by strsize: the fast path */
#define RT_CAPF_VEC 0x8    /* an IOV or MSGHDR argument, read at sys_exit */

/* A capture chosen by a command argument (ioctl request, fcntl command,
 * futex operation): for syscall nr, when (arg[len] & mask) == cmd, read the
 * argument as @how/@size say (kind FIXED, BUF, STR, LENPTR or ARRAY). */
struct rt_cap_bycmd {
	__u32 nr;
	__u32 cmd;
	__u32 mask;
	__u8 how;   /* enum rt_cap_kind | RT_CAPW_* */
	__u8 len;   /* for BUF/LENPTR/ARRAY: the argument with the length */
	__u16 size;
};
_Static_assert(sizeof(struct rt_cap_bycmd) == 16, "rt_cap_bycmd layout is ABI");
#define RT_SC_BYCMD_MAX 64  /* entries of cfg_ct_bycmd */
#define RT_SC_ARRAY_MAX 1024 /* bytes of an array captured */
#define RT_SC_IOV_MAX 16     /* iovecs captured (each up to strsize bytes) */
#define RT_SC_CTRL_MAX 256   /* msg_control bytes captured */
#define RT_SC_COUNT_MAX 4096 /* envp strings, dirent records counted */
#define RT_SC_COUNT_CUT 0x80000000u /* in a COUNT blob: the bound was reached */

#endif /* RUNTRACE_SYSCALL_H */
