/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --sys-trace, the pure core: a run's timeline (one row per interval), its
 * per-process lines, and the three formatters (sys.csv, sys.txt, sys.svg).
 * Plain data in, text out; no libbpf, no kernel.
 *
 * Memory bound per run: at most SYS_MAX_ROWS rows of sizeof(struct sys_row)
 * (432 bytes): 27 MiB worst case; an hour at 100 ms is 36000 rows, 14.8
 * MiB.  Past the bound an interval is folded into the last row (flag F), so
 * totals stay exact.  At most SYS_MAX_PROCS per-process lines (104 bytes
 * each, 9.9 MiB); past that processes are counted but not listed.
 */
#ifndef RUNTRACE_SYS_REPORT_H
#define RUNTRACE_SYS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

#define SYS_MAX_IFACES 8
#define SYS_MAX_ROWS 65536
#define SYS_MAX_PROCS 100000
#define SYS_IFNAME_LEN 16

/* Row flags (the CSV's flags column, one letter each). */
enum {
	SYS_F_LATE = 1 << 0,    /* L: sampled more than half an interval late */
	SYS_F_DROP = 1 << 1,    /* D: the kernel side dropped something this interval */
	SYS_F_FOLDED = 1 << 2,  /* F: holds several intervals (row bound reached) */
	SYS_F_PARTIAL = 1 << 3, /* P: the run's last, partial interval */
};

/* Per-interface deltas of one interval. */
struct sys_ifdelta {
	uint32_t rx_pkts;
	uint32_t tx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
};

/* One interval of a run.  Counts are deltas over the interval unless the
 * comment says "at the end". */
struct sys_row {
	uint64_t t_ns;        /* end of the interval, since the run started */
	uint64_t dur_ns;      /* length of the interval */
	uint64_t user_ns;     /* CPU time in user mode (cputime-adjusted) */
	uint64_t sys_ns;      /* CPU time in kernel mode */
	uint64_t oncpu_ns;    /* on-CPU time seen by sched_switch */
	uint64_t vcsw, ivcsw; /* voluntary / involuntary context switches */
	uint64_t procs;       /* processes alive at the end */
	uint64_t threads;     /* threads alive at the end */
	uint64_t procs_started, procs_exited;
	uint64_t threads_started, threads_exited;
	uint64_t rss_kb;      /* resident memory of all processes at the end */
	uint64_t rss_peak_kb; /* largest rss_kb so far */
	uint64_t minflt, majflt;
	uint64_t blk_rd_bytes, blk_wr_bytes;
	uint64_t blk_rd_reqs, blk_wr_reqs;
	uint64_t blk_lat_ns;     /* summed latency of the requests completed */
	uint64_t blk_lat_max_ns; /* the largest one */
	uint64_t rchar, wchar;   /* file bytes through read/write syscalls */
	uint64_t net_tx_pkts, net_tx_bytes; /* the run's own (its cgroup) */
	uint64_t net_rx_pkts, net_rx_bytes;
	uint32_t flags;       /* SYS_F_* */
	uint32_t pad;
	struct sys_ifdelta ifs[SYS_MAX_IFACES]; /* indexes of sys_report.ifnames */
};

/* One process of the run. */
struct sys_proc_line {
	uint32_t pid, ppid;
	uint64_t start_ns;    /* since the run started */
	uint64_t end_ns;      /* since the run started; 0 if it never exited */
	uint64_t user_ns, sys_ns;
	uint64_t peak_rss_kb;
	uint64_t blk_rd_bytes, blk_wr_bytes;
	uint64_t rchar, wchar;
	uint32_t threads;     /* threads it had, the first included */
	int32_t exit_status;  /* wait(2) status word, -1 if unknown */
	char comm[16];
};

struct sys_report {
	uint64_t interval_ns;
	uint64_t duration_ns;
	uint32_t page_kb;                 /* page size in KiB */
	unsigned nif;
	char ifnames[SYS_MAX_IFACES][SYS_IFNAME_LEN];
	struct sys_row *rows;
	size_t nrows, rows_cap;
	struct sys_proc_line *procs;
	size_t nprocs, procs_cap;
	uint64_t procs_unlisted;          /* beyond SYS_MAX_PROCS */
	uint64_t late;                    /* rows flagged late */
	uint64_t drops;                   /* kernel-side drops, all intervals */
	uint64_t folded;                  /* intervals folded into the last row */
};

/* The kernel's cputime_adjust() (kernel/sched/cputime.c): split @rtime
 * (sum_exec_runtime) in the ratio of the tick-sampled utime:stime, keeping
 * both monotonic across calls through @prev. */
struct sys_cputime {
	uint64_t utime, stime;
};
void sys_cputime_adjust(uint64_t rtime, uint64_t utime, uint64_t stime,
			struct sys_cputime *prev);

/* Append a row (or fold it into the last one past SYS_MAX_ROWS); 0 or -ENOMEM. */
int sys_report_add_row(struct sys_report *r, const struct sys_row *row);
/* Append a process line (or count it unlisted); 0 or -ENOMEM. */
int sys_report_add_proc(struct sys_report *r, const struct sys_proc_line *p);
/* Index of interface @name, adding it; -1 if SYS_MAX_IFACES are taken. */
int sys_report_iface(struct sys_report *r, const char *name);
/* Totals over all rows; rss_kb/rss_peak_kb/blk_lat_max_ns/procs/threads
 * hold maxima. */
void sys_report_totals(const struct sys_report *r, struct sys_row *tot);
void sys_report_free(struct sys_report *r);
/* Order the process lines by start time (then pid). */
void sys_report_sort_procs(struct sys_report *r);
/* The process line with the largest peak RSS, or NULL. */
const struct sys_proc_line *sys_report_max_rss(const struct sys_report *r);

/* Flags as letters ("-" for none) into @buf (at least 8 bytes). */
const char *sys_flags_str(uint32_t flags, char *buf);

/* sys.csv: a header line then one line a row. */
void sys_csv(const struct sys_report *r, struct strbuf *sb);
/* sys.txt: totals, peaks, the per-process table. */
void sys_table(const struct sys_report *r, struct strbuf *sb);
/* sys.svg: CPU, RSS, disk and network panels. */
void sys_svg(const struct sys_report *r, struct strbuf *sb);

#endif
