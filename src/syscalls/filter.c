// SPDX-License-Identifier: GPL-2.0-only
/* Lookups in the generated syscall table, the BPF capture spec it implies,
 * and the -e trace= expression parser.  Pure: no I/O. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "syscalls/table.h"

const struct rt_sc_desc *rt_sc_desc(__u32 nr)
{
	if (nr >= RT_SC_NR_MAX || !rt_sc_table[nr].name)
		return NULL;
	return &rt_sc_table[nr];
}

int rt_sc_lookup(const char *name)
{
	int i;

	for (i = 0; i < RT_SC_NR_MAX; i++)
		if (rt_sc_table[i].name && !strcmp(rt_sc_table[i].name, name))
			return i;
	return -1;
}

const char *rt_flag_name(const struct rt_flag *tab, unsigned long val)
{
	for (; tab->name; tab++)
		if (tab->val == val)
			return tab->name;
	return NULL;
}

bool rt_flag_value(const struct rt_flag *tab, const char *name, unsigned long *val)
{
	for (; tab->name; tab++)
		if (!strcmp(tab->name, name)) {
			*val = tab->val;
			return true;
		}
	return false;
}

/* What BPF copies for each argument kind, and when. */
#define W_IN (RT_CAPW_EXIT | RT_CAPW_ANYRET) /* an input: at exit, whatever it returned */
#define W_OUT RT_CAPW_EXIT                   /* an output: at exit, if it succeeded */
#define W_INOUT (RT_CAPW_ENTER | RT_CAPW_EXIT) /* both: before and after */
/* An input of a syscall that may block (a timeout, the mask to wait with):
 * read at entry, so that a syscall still in flight when its thread dies or
 * tracing stops shows it, as strace's "<unfinished ...>" line does; and
 * again at exit, since at entry its page may not be in memory yet (a read
 * in BPF cannot fault it in: seen with glibc's sigset on a fresh stack
 * page before pthread_create's clone3). */
#define W_ENTER (RT_CAPW_ENTER | W_IN)
static const struct {
	__u8 how;
	__u16 size;
} kind_caps[RT_A_KIND_MAX] = {
	[RT_A_PATH] = { RT_CAP_PATH | W_IN },
	[RT_A_STR] = { RT_CAP_STR | W_IN },
	[RT_A_BUFIN] = { RT_CAP_BUF | W_IN },
	[RT_A_BUFOUT] = { RT_CAP_BUF_RET | W_OUT },
	[RT_A_BUFOUTHEX] = { RT_CAP_BUF_RET | W_OUT },
	[RT_A_CWD] = { RT_CAP_BUF_RET | W_OUT, RT_SC_PATH_MAX },
	[RT_A_SOCKADDR] = { RT_CAP_BUF | W_IN, 128 },
	[RT_A_SOCKADDROUT] = { RT_CAP_LENPTR | W_OUT, 128 },
	[RT_A_SOCKLEN] = { RT_CAP_FIXED | W_INOUT, 4 },
	[RT_A_WAITSTATUS] = { RT_CAP_FIXED | W_OUT, 4 },
	[RT_A_PIPEFDS] = { RT_CAP_FIXED | W_OUT, 8 },
	[RT_A_IOVIN] = { RT_CAP_IOV | W_IN, 0 },
	[RT_A_IOVOUT] = { RT_CAP_IOV | W_IN, 1 },
	[RT_A_ARGV] = { RT_CAP_ARGV | RT_CAPW_ENTER },
	[RT_A_ENVP] = { RT_CAP_ENVC | RT_CAPW_ENTER },
	[RT_A_STAT] = { RT_CAP_FIXED | W_OUT, 144 },    /* struct stat (x86_64) */
	[RT_A_STATX] = { RT_CAP_FIXED | W_OUT, 256 },   /* struct statx */
	[RT_A_STATFS] = { RT_CAP_FIXED | W_OUT, 120 },  /* struct statfs */
	[RT_A_SIGACT] = { RT_CAP_FIXED | W_IN, 32 },    /* struct kernel_sigaction */
	[RT_A_SIGACTOUT] = { RT_CAP_FIXED | W_OUT, 32 },
	[RT_A_SIGSET] = { RT_CAP_FIXED | W_ENTER, 8 },  /* the kernel's sigset_t */
	[RT_A_SIGSETOUT] = { RT_CAP_FIXED | W_OUT, 8 },
	[RT_A_SIGSETARG] = { RT_CAP_FIXED | W_ENTER, 16 }, /* {sigset_t *, size_t} */
	/* the blocked mask rt_sigreturn restores: in the rt_sigframe (its
	 * return address, then a ucontext) that starts 8 bytes below the
	 * stack pointer at entry, strace's arch_rt_sigframe.c */
	[RT_A_SIGFRAME] = { RT_CAP_SIGFRAME | RT_CAPW_ENTER, offsetof(ucontext_t, uc_sigmask) },
	[RT_A_TIMESPEC] = { RT_CAP_FIXED | W_ENTER, 16 },
	[RT_A_TIMESPECOUT] = { RT_CAP_FIXED | W_OUT, 16 },
	[RT_A_REMTIMESPEC] = { RT_CAP_FIXED | W_IN, 16 },
	[RT_A_TIMEVALOUT] = { RT_CAP_FIXED | W_OUT, 16 },
	[RT_A_ITIMERVAL] = { RT_CAP_FIXED | W_IN, 32 },
	[RT_A_ITIMERVALOUT] = { RT_CAP_FIXED | W_OUT, 32 },
	[RT_A_ITIMERSPEC] = { RT_CAP_FIXED | W_IN, 32 },
	[RT_A_ITIMERSPECOUT] = { RT_CAP_FIXED | W_OUT, 32 },
	[RT_A_OFFINOUT] = { RT_CAP_FIXED | W_INOUT, 8 },
	[RT_A_TIMESPECINOUT] = { RT_CAP_FIXED | W_INOUT, 16 },
	[RT_A_TIMEVALINOUT] = { RT_CAP_FIXED | W_INOUT, 16 },
	[RT_A_FDSET] = { RT_CAP_BITS | W_INOUT, 128 },   /* up to 1024 descriptors */
	[RT_A_MSGHDR] = { RT_CAP_MSGHDR | W_IN, 0 },
	[RT_A_MSGHDROUT] = { RT_CAP_MSGHDR | W_INOUT, 1 },
	[RT_A_SOCKOPTVAL] = { RT_CAP_BUF | W_IN, 64 },
	[RT_A_SOCKOPTVALOUT] = { RT_CAP_LENPTR | W_OUT, 64 },
	[RT_A_UTSNAME] = { RT_CAP_FIXED | W_OUT, 390 }, /* struct new_utsname */
	[RT_A_DIRENTS] = { RT_CAP_DENTS | W_OUT },
	[RT_A_RLIMIT] = { RT_CAP_FIXED | W_IN, 16 },
	[RT_A_RLIMITOUT] = { RT_CAP_FIXED | W_OUT, 16 },
	[RT_A_SYSINFO] = { RT_CAP_FIXED | W_OUT, 112 },
	[RT_A_GIDS] = { RT_CAP_ARRAY | W_IN, 4 },
	[RT_A_GIDSOUT] = { RT_CAP_ARRAY_RET | W_OUT, 4 },
	[RT_A_INTOUT] = { RT_CAP_FIXED | W_OUT, 4 },
	[RT_A_CPUMASK] = { RT_CAP_BUF | W_IN, 128 },
	[RT_A_CPUMASKOUT] = { RT_CAP_BUF_RET | W_OUT, 128 },
	[RT_A_EPOLLEVENT] = { RT_CAP_FIXED | W_IN, 12 },
	[RT_A_EPOLLEVENTSOUT] = { RT_CAP_ARRAY_RET | W_OUT, 12 },
	[RT_A_POLLFDS] = { RT_CAP_ARRAY | W_INOUT, 8 }, /* events before, revents after */
	[RT_A_CLONEARGS] = { RT_CAP_FIXED | W_IN, 88 },
	[RT_A_STACKT] = { RT_CAP_FIXED | W_IN, 24 },
	[RT_A_STACKTOUT] = { RT_CAP_FIXED | W_OUT, 24 },
	[RT_A_RUSAGE] = { RT_CAP_FIXED | W_OUT, 144 },
	[RT_A_IOCTLARG] = { RT_CAP_BYCMD | W_IN },
	[RT_A_FCNTLARG] = { RT_CAP_BYCMD | W_IN },
	[RT_A_PRCTLARG] = { RT_CAP_BYCMD | W_IN },
	[RT_A_ARCHARG] = { RT_CAP_BYCMD | W_IN },
	[RT_A_FUTEXTIMEOUT] = { RT_CAP_BYCMD | W_ENTER },
};

bool rt_argkind_is_address(unsigned char kind)
{
	switch (kind) {
	case RT_A_PTR: case RT_A_RUSAGE: case RT_A_ENVP:
		return true;
	case RT_A_IOCTLARG: case RT_A_FCNTLARG: case RT_A_PRCTLARG: case RT_A_ARCHARG:
		return false; /* a number or an address, as the command says */
	default:
		/* the kinds BPF copies memory for, strings and argv aside */
		return kind < RT_A_KIND_MAX && kind_caps[kind].how &&
		       (kind_caps[kind].how & RT_CAP_KIND_MASK) != RT_CAP_PATH &&
		       (kind_caps[kind].how & RT_CAP_KIND_MASK) != RT_CAP_STR &&
		       kind != RT_A_ARGV;
	}
}

struct rt_cap_spec rt_sc_capture_spec(__u32 nr)
{
	const struct rt_sc_desc *d = rt_sc_desc(nr);
	struct rt_cap_spec spec;
	int i, ncap = 0, last = 0;
	bool at_enter = false;

	memset(&spec, 0, sizeof(spec));
	if (!d || d->nargs <= 0)
		return spec;
	/* execve: everything at entry (the caller's memory is gone by exit) */
	for (i = 0; i < d->nargs; i++)
		if (d->kinds[i] == RT_A_ARGV)
			at_enter = true;
	for (i = 0; i < d->nargs; i++) {
		__u8 how = kind_caps[d->kinds[i]].how;
		__u8 kind = how & RT_CAP_KIND_MASK;

		if (!how)
			continue;
		if (at_enter)
			how = kind | RT_CAPW_ENTER;
		spec.arg[i].how = how;
		spec.arg[i].len = d->lenidx[i] & 7;
		spec.arg[i].size = kind_caps[d->kinds[i]].size;
		if (kind == RT_CAP_BYCMD) /* the command is the argument before */
			spec.arg[i].len = d->kinds[i] == RT_A_FUTEXTIMEOUT ? 1 : i - 1;
		if (how & RT_CAPW_ENTER)
			spec.flags |= RT_CAPF_ENTER;
		if (how & (RT_CAPW_EXIT | RT_CAPW_ANYRET))
			spec.flags |= RT_CAPF_EXIT;
		if ((kind == RT_CAP_IOV || kind == RT_CAP_MSGHDR) && (how & RT_CAPW_EXIT)) {
			spec.flags |= RT_CAPF_VEC;
			spec.special = i;
		}
		ncap++;
		last = i;
	}
	/* a lone data buffer of -s bytes goes the fixed-size fast path */
	if (ncap == 1 && !spec.arg[last].size &&
	    ((spec.arg[last].how & RT_CAP_KIND_MASK) == RT_CAP_BUF ||
	     (spec.arg[last].how & RT_CAP_KIND_MASK) == RT_CAP_BUF_RET)) {
		spec.flags |= RT_CAPF_DIRECT;
		spec.special = last;
	}
	return spec;
}

void rt_sc_capture_fill(void *capture, void *bycmd)
{
	struct rt_cap_spec *spec = capture;
	__u32 nr;

	for (nr = 0; nr < RT_SC_NR_MAX; nr++)
		spec[nr] = rt_sc_capture_spec(nr);
	rt_sc_capture_bycmd(bycmd);
}

/* One command-chosen capture, by names from the generated tables. */
static void bycmd_add(struct rt_cap_bycmd *tab, int *n, const char *sc,
		      const struct rt_flag *names, const char *cmd, __u32 mask, __u8 how,
		      __u16 size)
{
	long nr = rt_sc_lookup(sc);
	unsigned long v;

	if (nr < 0 || !rt_flag_value(names, cmd, &v) || *n >= RT_SC_BYCMD_MAX)
		return; /* not on this system's headers */
	tab[*n] = (struct rt_cap_bycmd){ .nr = nr, .cmd = v, .mask = mask, .how = how,
					 .size = size };
	(*n)++;
}

void rt_sc_capture_bycmd(struct rt_cap_bycmd *tab)
{
	static const char *const tty_int_out[] = {
		"TIOCGPGRP", "TIOCGSID", "TIOCGETD", "TIOCGSOFTCAR", "TIOCGPTN", "FIONREAD",
		"TIOCOUTQ", "TIOCGEXCL", "TIOCGDEV", "TIOCMGET",
	};
	static const char *const tty_int_in[] = {
		"TIOCSPGRP", "TIOCSETD", "FIONBIO", "FIOASYNC", "TIOCPKT", "TIOCSSOFTCAR",
		"TIOCSPTLCK", "TIOCMBIS", "TIOCMBIC", "TIOCMSET",
	};
	const __u8 fixed_out = RT_CAP_FIXED | W_OUT, fixed_in = RT_CAP_FIXED | W_IN;
	const __u8 fixed_enter = RT_CAP_FIXED | W_ENTER;
	const __u32 all = 0xffffffff;
	unsigned long futex_cmd = ~0ul;
	int n = 0;
	size_t i;

	memset(tab, 0, RT_SC_BYCMD_MAX * sizeof(*tab));
	/* ioctl: struct termios (the kernel's, 36 bytes), termios2, winsize, ints */
	bycmd_add(tab, &n, "ioctl", rt_ioctl_names, "TCGETS", all, fixed_out, 36);
	bycmd_add(tab, &n, "ioctl", rt_ioctl_names, "TCSETS", all, fixed_in, 36);
	bycmd_add(tab, &n, "ioctl", rt_ioctl_names, "TCSETSW", all, fixed_in, 36);
	bycmd_add(tab, &n, "ioctl", rt_ioctl_names, "TCSETSF", all, fixed_in, 36);
	bycmd_add(tab, &n, "ioctl", rt_ioctl_names, "TCGETS2", all, fixed_out, 44);
	bycmd_add(tab, &n, "ioctl", rt_ioctl_names, "TCSETS2", all, fixed_in, 44);
	bycmd_add(tab, &n, "ioctl", rt_ioctl_names, "TCSETSW2", all, fixed_in, 44);
	bycmd_add(tab, &n, "ioctl", rt_ioctl_names, "TCSETSF2", all, fixed_in, 44);
	bycmd_add(tab, &n, "ioctl", rt_ioctl_names, "TIOCGWINSZ", all, fixed_out, 8);
	bycmd_add(tab, &n, "ioctl", rt_ioctl_names, "TIOCSWINSZ", all, fixed_in, 8);
	for (i = 0; i < sizeof(tty_int_out) / sizeof(tty_int_out[0]); i++)
		bycmd_add(tab, &n, "ioctl", rt_ioctl_names, tty_int_out[i], all, fixed_out, 4);
	for (i = 0; i < sizeof(tty_int_in) / sizeof(tty_int_in[0]); i++)
		bycmd_add(tab, &n, "ioctl", rt_ioctl_names, tty_int_in[i], all, fixed_in, 4);
	/* fcntl: struct flock */
	bycmd_add(tab, &n, "fcntl", rt_enum_fcntlcmd, "F_SETLK", all, fixed_in, 32);
	bycmd_add(tab, &n, "fcntl", rt_enum_fcntlcmd, "F_SETLKW", all, fixed_in, 32);
	bycmd_add(tab, &n, "fcntl", rt_enum_fcntlcmd, "F_OFD_SETLK", all, fixed_in, 32);
	bycmd_add(tab, &n, "fcntl", rt_enum_fcntlcmd, "F_OFD_SETLKW", all, fixed_in, 32);
	bycmd_add(tab, &n, "fcntl", rt_enum_fcntlcmd, "F_GETLK", all, fixed_in, 32);
	bycmd_add(tab, &n, "fcntl", rt_enum_fcntlcmd, "F_OFD_GETLK", all, fixed_in, 32);
	/* futex: the timeout of the waits (the operation without its flag bits) */
	rt_flag_value(rt_set_futexbits, "FUTEX_CMD_MASK", &futex_cmd);
	bycmd_add(tab, &n, "futex", rt_enum_futexop, "FUTEX_WAIT", futex_cmd, fixed_enter, 16);
	bycmd_add(tab, &n, "futex", rt_enum_futexop, "FUTEX_WAIT_BITSET", futex_cmd, fixed_enter,
		  16);
	bycmd_add(tab, &n, "futex", rt_enum_futexop, "FUTEX_LOCK_PI", futex_cmd, fixed_enter, 16);
	bycmd_add(tab, &n, "futex", rt_enum_futexop, "FUTEX_LOCK_PI2", futex_cmd, fixed_enter, 16);
	bycmd_add(tab, &n, "futex", rt_enum_futexop, "FUTEX_WAIT_REQUEUE_PI", futex_cmd,
		  fixed_enter, 16);
	/* prctl: the name set or got; arch_prctl: the base got */
	bycmd_add(tab, &n, "prctl", rt_enum_prctlop, "PR_SET_NAME", all, RT_CAP_STR | W_IN, 0);
	bycmd_add(tab, &n, "prctl", rt_enum_prctlop, "PR_GET_NAME", all, RT_CAP_STR | W_OUT, 0);
	bycmd_add(tab, &n, "arch_prctl", rt_enum_archop, "ARCH_GET_FS", all, fixed_out, 8);
	bycmd_add(tab, &n, "arch_prctl", rt_enum_archop, "ARCH_GET_GS", all, fixed_out, 8);
}

static const struct {
	const char *name;
	unsigned mask;
} classes[] = {
	{ "file", RT_SC_CL_FILE }, { "network", RT_SC_CL_NETWORK },
	{ "net", RT_SC_CL_NETWORK }, { "process", RT_SC_CL_PROCESS },
	{ "signal", RT_SC_CL_SIGNAL }, { "memory", RT_SC_CL_MEMORY },
	{ "desc", RT_SC_CL_DESC },
};

static void set_bit(__u64 *bm, int nr, bool on)
{
	if (on)
		bm[nr / 64] |= 1ull << (nr % 64);
	else
		bm[nr / 64] &= ~(1ull << (nr % 64));
}

int rt_sc_filter_parse(const char *expr, __u64 bitmap[RT_SC_NR_MAX / 64], bool *high,
		       char *err, size_t errlen)
{
	char *copy = NULL, *tok, *save = NULL;
	bool negate = false;
	int ret = 0, i;
	unsigned j;

	memset(bitmap, 0, RT_SC_NR_MAX / 8);
	*high = false;
	if (!strncmp(expr, "trace=", 6))
		expr += 6;
	if (*expr == '!') {
		negate = true;
		expr++;
	}
	copy = strdup(expr);
	if (!copy) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			memset(bitmap, 0xff, RT_SC_NR_MAX / 8);
			*high = true;
		} else if (!strcmp(tok, "none")) {
			continue;
		} else if (tok[0] == '%') {
			for (j = 0; j < sizeof(classes) / sizeof(classes[0]); j++)
				if (!strcmp(tok + 1, classes[j].name))
					break;
			if (j == sizeof(classes) / sizeof(classes[0])) {
				snprintf(err, errlen, "unknown syscall class '%s' in -e trace= "
					 "(known: %%file %%network %%process %%signal %%memory %%desc)", tok);
				ret = -EINVAL;
				goto cleanup;
			}
			for (i = 0; i < RT_SC_NR_MAX; i++)
				if (rt_sc_table[i].classes & classes[j].mask)
					set_bit(bitmap, i, true);
		} else {
			char *end;
			long nr;

			i = rt_sc_lookup(tok);
			if (i < 0 && !strncmp(tok, "syscall_", 8)) {
				nr = strtol(tok + 8, &end, 10);
				if (!*end && nr >= 0 && nr < RT_SC_NR_MAX)
					i = nr;
			}
			if (i < 0) {
				snprintf(err, errlen, "unknown syscall '%s' in -e trace=", tok);
				ret = -EINVAL;
				goto cleanup;
			}
			set_bit(bitmap, i, true);
		}
	}
	if (negate) {
		for (i = 0; i < RT_SC_NR_MAX / 64; i++)
			bitmap[i] = ~bitmap[i];
		*high = !*high;
	}
cleanup:
	free(copy);
	return ret;
}
