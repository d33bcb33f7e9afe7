/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One run's --call-trace spool, digested for comparison (src/diverge/):
 * its process tree, each process's threads, each thread's syscalls and
 * their normalised hashes.  Internal to src/diverge/.
 */
#ifndef RUNTRACE_DIVERGE_DIGEST_H
#define RUNTRACE_DIVERGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "diverge/diverge.h"
#include "runtrace/syscall.h"

/* A u32 -> int map (pids, tids). */
struct dv_idmap {
	__u32 *keys;
	int *vals;
	size_t cap, used;
};

struct dv_thread {
	__u32 tid;
	int proc;                /* index of its process */
	unsigned order;          /* creation order in its process (0: the main thread) */
	const struct rt_syscall_event **recs; /* all its syscalls, in order */
	size_t n, cap;
	__u64 *h;                /* the compared sequence: normalised hashes ... */
	__u32 *pos;              /* ... and each one's index in recs (noise left out) */
	size_t nseq;
	__u64 token;             /* what its tid normalises to */
	int match;               /* the other run's thread, or -1 */
};

struct dv_proc {
	__u32 pid;
	int parent;              /* -1: the root (or unknown) */
	int *children;           /* child processes, in fork order */
	size_t nchildren, children_cap;
	int *threads;            /* its threads, main first, then in creation order */
	size_t nthreads, threads_cap;
	__u64 fork_ts;           /* when it was forked (0: unknown) */
	__u64 exec_ts;           /* its first exec (0: none seen) */
	const char *exec_path;   /* its first exec'd path (in a record), or NULL */
	size_t exec_len;
	const char *last_path;   /* its last exec'd path (what it ran in the end) */
	size_t last_len;
	__u64 key;               /* normalised first exec path (0: no exec) */
	unsigned child_no;       /* 1-based place among its parent's children */
	int exit_status;         /* wait(2) status, if exited */
	bool exited;
	bool from_exit_only;     /* known only from an exit record */
	__u64 token;             /* what its pid normalises to */
	int match;               /* the other run's process, or -1 */
	bool by_order;           /* matched by fork order alone (exec paths differ) */
	__u64 *fds;              /* fd table while normalising: fd -> origin (0: unknown) */
	size_t nfds;
};

struct dv_digest {
	const struct dv_run_info *info;
	int side;                /* 0: passing, 1: failed */
	struct dv_proc *procs;
	size_t nprocs, procs_cap;
	struct dv_thread *threads;
	size_t nthreads, threads_cap;
	struct dv_idmap pids, tids;
	int root;                /* index of the root process, -1: empty run */
	bool saw_fork;           /* the spool has RT_PROC_FORK records */
	__u64 nsyscalls;         /* syscall records kept */
	__u64 skipped;           /* the run's child's records before its exec */
};

/* Syscall classes of the normaliser, by number. */
enum {
	DV_C_NOISE = 1 << 0,   /* left out of the comparison (futex, sched_yield) */
	DV_C_NEWFD = 1 << 1,   /* returns a new fd standing for its main argument */
	DV_C_DUPFD = 1 << 2,   /* returns a new fd standing for arg 0's (dup*, F_DUPFD) */
	DV_C_ACCEPT = 1 << 3,  /* returns a new fd accepted on arg 0 */
	DV_C_FDPAIR = 1 << 4,  /* fills two new fds (pipe, pipe2, socketpair) */
	DV_C_CLOSE = 1 << 5,   /* releases arg 0 */
	DV_C_RETPID = 1 << 6,  /* returns a pid or tid */
	DV_C_WEAK = 1 << 7,    /* timing-dependent: its count result is masked */
	DV_C_RETTIME = 1 << 8, /* returns a time */
	DV_C_FORK = 1 << 9,    /* creates a process or thread, returns its id */
	DV_C_EXEC = 1 << 10,   /* execve, execveat */
	DV_C_RETPTR = 1 << 11, /* returns an address */
	DV_C_FCNTL = 1 << 12,  /* fcntl: F_DUPFD* make new fds */
	DV_C_LAYOUT = 1 << 13, /* its lengths follow the address layout (munmap) */
};

struct dv_classes {
	__u16 cls[RT_SC_NR_MAX];
	__u8 pidargs[RT_SC_NR_MAX]; /* bit i: argument i is a pid or tid */
};

void dv_classes_init(struct dv_classes *c);

/* Fill @dg from the records of @spool.  0 or -ENOMEM. */
int dv_digest_collect(struct dv_digest *dg, const struct ct_spool *spool,
		      const struct dv_run_info *info, int side);
void dv_digest_free(struct dv_digest *dg);

/* Match @a's processes and threads with @b's (sets .match, .by_order and
 * every .token).  0 or -ENOMEM. */
int dv_match(struct dv_digest *a, struct dv_digest *b);

/* Per distinct syscall key (name, errno, normalised main argument): how
 * often each run made it, and the first record of each. */
struct dv_agg {
	__u64 key;
	__u64 count[2];
	const struct rt_syscall_event *first[2];
	int thread[2];
};

struct dv_aggmap {
	struct dv_agg *slots;
	size_t cap, used;
};

/* Normalise every syscall of @dg (after dv_match): fills each thread's h,
 * pos, nseq and counts keys in @agg.  0 or -ENOMEM. */
int dv_digest_normalise(struct dv_digest *dg, const struct dv_classes *cl,
			struct dv_aggmap *agg);
void dv_aggmap_free(struct dv_aggmap *m);

/* The low bit of a normalised hash: the syscall is timing-dependent (a
 * poll, a sleep, EAGAIN, EINTR, ...). */
#define DV_WEAK 1ull

#endif
