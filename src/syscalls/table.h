/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generated tables behind --call-trace decoding: syscall names, argument
 * kinds and classes (tools/gen-syscalls), flag and enum names (same
 * generator, values from the C headers), errno names (tools/gen-errnos).
 */
#ifndef RUNTRACE_SYSCALL_TABLE_H
#define RUNTRACE_SYSCALL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "runtrace/syscall.h"

/* Classes of -e trace=%class (strace's). */
enum {
	RT_SC_CL_FILE = 1 << 0,    /* %file: takes a file name */
	RT_SC_CL_NETWORK = 1 << 1, /* %network */
	RT_SC_CL_PROCESS = 1 << 2, /* %process: process lifecycle */
	RT_SC_CL_SIGNAL = 1 << 3,  /* %signal */
	RT_SC_CL_MEMORY = 1 << 4,  /* %memory */
	RT_SC_CL_DESC = 1 << 5,    /* %desc: takes or returns a descriptor */
};

/* Argument kinds (the words of src/syscall_args.list, upper-cased). */
enum rt_argkind {
	RT_A_HEX = 0, RT_A_FD, RT_A_DIRFD, RT_A_PATH, RT_A_STR, RT_A_INT, RT_A_UINT,
	RT_A_ULONG, RT_A_LONG, RT_A_PTR, RT_A_OFLAGS, RT_A_MODE, RT_A_ATFLAGS,
	RT_A_ACCMODE, RT_A_PROT, RT_A_MMAPFLAGS, RT_A_CLONEFLAGS, RT_A_SIG,
	RT_A_WAITSTATUS, RT_A_FAMILY, RT_A_SOCKTYPE, RT_A_SOCKPROTO, RT_A_ARGV,
	RT_A_ENVP, RT_A_PIPEFDS, RT_A_WHENCE, RT_A_FCNTLCMD, RT_A_IOCTLREQ,
	RT_A_MSGFLAGS, RT_A_HOW, RT_A_SIGMASKHOW, RT_A_RUSAGE, RT_A_BUFIN,
	RT_A_BUFOUT, RT_A_IOVIN, RT_A_IOVOUT, RT_A_SOCKADDR, RT_A_SOCKADDROUT,
};

struct rt_sc_desc {
	const char *name;        /* NULL: no syscall has this number */
	signed char nargs;       /* -1: arguments unknown, print six in hex */
	unsigned char classes;   /* RT_SC_CL_* */
	unsigned char kinds[6];  /* enum rt_argkind */
	unsigned char lenidx[6]; /* for kinds with a length: its argument */
};

struct rt_flag {
	unsigned long val;
	const char *name;
};

extern const struct rt_sc_desc rt_sc_table[RT_SC_NR_MAX];
extern const struct rt_flag rt_set_oflags[], rt_set_atflags[], rt_set_accmode[],
	rt_set_prot[], rt_set_mmapflags[], rt_set_cloneflags[], rt_set_msgflags[],
	rt_set_sockflags[];
extern const struct rt_flag rt_enum_socktype[], rt_enum_family[], rt_enum_whence[],
	rt_enum_fcntlcmd[], rt_enum_how[], rt_enum_sigmaskhow[], rt_enum_sig[];

#define RT_ERRNO_MAX 531
extern const char *const rt_errno_names[RT_ERRNO_MAX];
/* Messages of the kernel-internal codes 512.. (strerror knows the rest). */
extern const char *const rt_errno_internal_msgs[RT_ERRNO_MAX - 512];

/* The descriptor of syscall @nr, or NULL if it has no name. */
const struct rt_sc_desc *rt_sc_desc(__u32 nr);
/* The number of syscall @name, or -1. */
int rt_sc_lookup(const char *name);
/* The name of enum/flag value @val in @tab, or NULL. */
const char *rt_flag_name(const struct rt_flag *tab, unsigned long val);
/* BPF capture spec of syscall @nr (RT_CAP_* of include/runtrace/syscall.h). */
__u64 rt_sc_capture_spec(__u32 nr);


/*
 * Parse a strace -e trace= expression ("open,read", "%file,%network",
 * "!write", "all", "none"; a leading "trace=" is accepted) into a bitmap of
 * syscall numbers.  @high: whether numbers >= RT_SC_NR_MAX are traced.
 * Returns 0, or -EINVAL with the reason in @err.
 */
int rt_sc_filter_parse(const char *expr, __u64 bitmap[RT_SC_NR_MAX / 64], bool *high,
		       char *err, size_t errlen);

#endif
