/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generated tables behind syscall decoding: syscall names, argument
 * kinds and classes (tools/gen-syscalls from args.list), flag and enum names
 * (same generator, values from the C headers), ioctl request names
 * (tools/gen-ioctls), errno names (tools/gen-errnos).
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

/* Argument kinds (the words of src/syscalls/args.list, upper-cased).  Their
 * captures are in filter.c, their printing in decode.c. */
enum rt_argkind {
	RT_A_HEX = 0, RT_A_FD, RT_A_DIRFD, RT_A_PATH, RT_A_STR, RT_A_INT, RT_A_UINT,
	RT_A_ULONG, RT_A_LONG, RT_A_PTR, RT_A_OFLAGS, RT_A_MODE, RT_A_ATFLAGS,
	RT_A_ACCMODE, RT_A_PROT, RT_A_MMAPFLAGS, RT_A_CLONEFLAGS, RT_A_SIG,
	RT_A_WAITSTATUS, RT_A_FAMILY, RT_A_SOCKTYPE, RT_A_SOCKPROTO, RT_A_ARGV,
	RT_A_ENVP, RT_A_PIPEFDS, RT_A_WHENCE, RT_A_FCNTLCMD, RT_A_IOCTLREQ,
	RT_A_MSGFLAGS, RT_A_HOW, RT_A_SIGMASKHOW, RT_A_RUSAGE, RT_A_BUFIN,
	RT_A_BUFOUT, RT_A_IOVIN, RT_A_IOVOUT, RT_A_SOCKADDR, RT_A_SOCKADDROUT,
	/* structs and arrays */
	RT_A_STAT, RT_A_STATX, RT_A_STATFS, RT_A_SIGACT, RT_A_SIGACTOUT, RT_A_SIGSET,
	RT_A_SIGSETOUT, RT_A_SIGFRAME, RT_A_TIMESPEC, RT_A_TIMESPECOUT, RT_A_REMTIMESPEC,
	RT_A_TIMEVALOUT, RT_A_OFFINOUT, RT_A_SOCKLEN, RT_A_MSGHDR, RT_A_MSGHDROUT,
	RT_A_SOCKOPTVAL, RT_A_SOCKOPTVALOUT, RT_A_UTSNAME, RT_A_DIRENTS, RT_A_CWD,
	RT_A_RLIMIT, RT_A_RLIMITOUT, RT_A_SYSINFO, RT_A_GIDS, RT_A_GIDSOUT, RT_A_INTOUT,
	RT_A_CPUMASK, RT_A_CPUMASKOUT, RT_A_EPOLLEVENT, RT_A_EPOLLEVENTSOUT, RT_A_POLLFDS,
	RT_A_CLONEARGS, RT_A_STACKT, RT_A_STACKTOUT, RT_A_IOCTLARG, RT_A_FCNTLARG,
	RT_A_PRCTLARG, RT_A_ARCHARG, RT_A_FUTEXTIMEOUT, RT_A_FDSET, RT_A_TIMESPECINOUT,
	RT_A_TIMEVALINOUT, RT_A_BUFOUTHEX, RT_A_PRIOWHICH, RT_A_SIGSETARG,
	RT_A_ITIMERWHICH, RT_A_ITIMERVAL, RT_A_ITIMERVALOUT, RT_A_ITIMERSPEC, RT_A_ITIMERSPECOUT,
	/* values */
	RT_A_STATXFLAGS, RT_A_STATXMASK, RT_A_MREMAPFLAGS, RT_A_MADVICE, RT_A_SOCKOPTLEVEL,
	RT_A_SOCKOPTNAME, RT_A_WAITOPTIONS, RT_A_FLOCKOP, RT_A_RESOURCE, RT_A_RUSAGEWHO,
	RT_A_PRCTLOP, RT_A_ARCHOP, RT_A_FUTEXOP, RT_A_FADVICE, RT_A_CLOCKID, RT_A_CLOCKFLAGS,
	RT_A_EPOLLOP, RT_A_EPOLLFLAGS, RT_A_TFDFLAGS, RT_A_SFDFLAGS, RT_A_EFDFLAGS,
	RT_A_PIPEFLAGS, RT_A_INOTIFYFLAGS, RT_A_RENAMEFLAGS, RT_A_GRNDFLAGS, RT_A_MFDFLAGS,
	RT_A_FACCESSATFLAGS, RT_A_UMASK, RT_A_CLOSERANGEFLAGS, RT_A_SOCKFLAGS,
	RT_A_KIND_MAX
};

/* How a syscall's return value prints (args.list's "=RETURN"). */
enum { RT_R_DEC = 0, RT_R_FD, RT_R_HEX, RT_R_OCT };

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
/* How each syscall's return value prints: RT_R_* (a table of its own, so
 * struct rt_sc_desc keeps the layout other consumers initialize). */
extern const unsigned char rt_sc_rkind[RT_SC_NR_MAX];

/* Flag sets ("@set") and enums ("@enum") of args.list, in strace's order. */
extern const struct rt_flag rt_set_oflags[], rt_set_atflags[], rt_set_faccessatflags[],
	rt_set_statxsync[], rt_set_statxmask[], rt_set_statxattrs[], rt_set_accmode[],
	rt_set_prot[], rt_set_mmapflags[], rt_set_cloneflags[], rt_set_msgflags[],
	rt_set_sockflags[], rt_set_fdflags[], rt_set_seals[], rt_set_notifyflags[],
	rt_set_saflags[], rt_set_futexbits[], rt_set_grndflags[], rt_set_waitoptions[],
	rt_set_pollflags[], rt_set_epollevents[], rt_set_epollflags[], rt_set_clockflags[],
	rt_set_mremapflags[], rt_set_flockop[], rt_set_efdflags[], rt_set_inotifyflags[],
	rt_set_tfdflags[], rt_set_sfdflags[], rt_set_mfdflags[], rt_set_renameflags[],
	rt_set_closerangeflags[], rt_set_termiflags[], rt_set_termoflags[],
	rt_set_termcflags[], rt_set_termlflags[];
extern const struct rt_flag rt_enum_modetypes[], rt_enum_socktype[], rt_enum_family[],
	rt_enum_ipproto[], rt_enum_whence[], rt_enum_fcntlcmd[], rt_enum_locktype[],
	rt_enum_leasetype[], rt_enum_how[], rt_enum_sigmaskhow[], rt_enum_sig[],
	rt_enum_sahandler[], rt_enum_resource[], rt_enum_rusagewho[], rt_enum_futexop[],
	rt_enum_archop[], rt_enum_epollop[], rt_enum_clockid[], rt_enum_madvice[],
	rt_enum_fadvice[], rt_enum_prctlop[], rt_enum_socklevel[], rt_enum_sosockopt[],
	rt_enum_ipsockopt[], rt_enum_ipv6sockopt[], rt_enum_tcpsockopt[], rt_enum_termnldly[],
	rt_enum_termcrdly[], rt_enum_termtabdly[], rt_enum_termbsdly[], rt_enum_termvtdly[],
	rt_enum_termffdly[], rt_enum_termcsize[], rt_enum_termbaud[], rt_enum_fsmagic[],
	rt_enum_sicode[], rt_enum_sigchldcode[], rt_enum_sigsegvcode[], rt_enum_sigbuscode[],
	rt_enum_sigillcode[], rt_enum_sigfpecode[], rt_enum_sigtrapcode[], rt_enum_sigpollcode[],
	rt_enum_sigsyscode[], rt_enum_dumpable[], rt_enum_priowhich[],
	rt_enum_itimerwhich[];

/* ioctl request names (tools/gen-ioctls), sorted by name. */
extern const struct rt_flag rt_ioctl_names[];

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
/* The value of name @name in @tab in *@val; false if absent. */
bool rt_flag_value(const struct rt_flag *tab, const char *name, unsigned long *val);
/* Whether an argument of kind @kind is an address (of a struct, a buffer,
 * an array): its value differs from run to run, what it points to is the
 * information. */
bool rt_argkind_is_address(unsigned char kind);
/* BPF capture spec of syscall @nr (struct rt_cap_spec of runtrace/syscall.h). */
struct rt_cap_spec rt_sc_capture_spec(__u32 nr);
/* Fill @tab (RT_SC_BYCMD_MAX entries, zeroed after the last) with the
 * captures chosen by a command argument: ioctl requests, fcntl commands,
 * futex operations, prctl and arch_prctl options. */
void rt_sc_capture_bycmd(struct rt_cap_bycmd *tab);
/* Fill the BPF program's capture configuration: @capture is its
 * cfg_ct_capture (RT_SC_NR_MAX struct rt_cap_spec), @bycmd its
 * cfg_ct_bycmd (RT_SC_BYCMD_MAX struct rt_cap_bycmd). */
void rt_sc_capture_fill(void *capture, void *bycmd);


/*
 * Parse a strace -e trace= expression ("open,read", "%file,%network",
 * "!write", "all", "none"; a leading "trace=" is accepted) into a bitmap of
 * syscall numbers.  @high: whether numbers >= RT_SC_NR_MAX are traced.
 * Returns 0, or -EINVAL with the reason in @err.
 */
int rt_sc_filter_parse(const char *expr, __u64 bitmap[RT_SC_NR_MAX / 64], bool *high,
		       char *err, size_t errlen);

#endif
