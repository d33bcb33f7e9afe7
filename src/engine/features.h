/* SPDX-License-Identifier: GPL-2.0-only */
/* What this kernel and this process can do, probed at start; shown by
 * `runtrace --version -v`.  Every kernel difference runtrace handles in
 * userspace is detected here and nowhere else. */
#ifndef RUNTRACE_FEATURES_H
#define RUNTRACE_FEATURES_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

struct features {
	char kernel[128];        /* uname release */
	bool btf;                /* /sys/kernel/btf/vmlinux: CO-RE possible */
	bool caps;               /* CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN (or root) */
	char missing_caps[96];   /* their names if not */
	char cgroup2[PATH_MAX];  /* cgroup2 mount point, "" if none */
	bool tracefs;            /* /sys/kernel/tracing/events present */
	/* probed with libbpf (only with caps): */
	bool probed;
	bool ringbuf;            /* BPF_MAP_TYPE_RINGBUF (5.8) */
	bool tracing_prog;       /* BPF_PROG_TYPE_TRACING: tp_btf (5.5) */
	bool cgroup_skb;         /* BPF_PROG_TYPE_CGROUP_SKB */
	bool cgroup_kill;        /* cgroup.kill (5.14) */
	bool atomic_xchg;        /* BPF atomic exchange (5.12): syscall tracing's
				  * per-CPU claims (--call-trace, trace, deps) */
	bool bpf_loop;           /* bpf_loop() (5.17): calls' value copies */
	bool mount_setattr;      /* mount_setattr(2) (5.12): pystep's read-only box */
};

/* Cheap checks: kernel, BTF, capabilities, mounts. */
void features_probe(struct features *f);
/* libbpf feature probes; needs the capabilities. */
void features_probe_bpf(struct features *f);
struct btf;
/* Index (from 0) of the first `struct @type *` argument of tracepoint @tp
 * in the kernel's BTF @btf (its btf_trace_<tp> typedef); -ENOENT if the
 * tracepoint is absent, -EINVAL if it has no such argument.  Kernels
 * moved the request argument of block_rq_issue (5.11), see RT_RQ_ARG in
 * bpf/compat.bpf.h. */
int features_tp_struct_arg(const struct btf *btf, const char *tp, const char *type);
/* Mount tracefs on /sys/kernel/tracing if it is absent.  0 or -errno. */
int features_mount_tracefs(struct features *f);
/* Why BPF cannot be used here, or NULL if it can. */
const char *features_bpf_blocker(const struct features *f, char *buf, size_t len);
void features_print(FILE *out, const struct features *f);
/* Whether syscall tracing (--call-trace, trace, trace -c, deps) can run
 * here: it needs BPF atomic exchange (Linux 5.12).  If not, one line
 * naming @what, the need and this kernel, and -EOPNOTSUPP.  After
 * features_probe_bpf(). */
int features_require_xchg(const struct features *f, const char *what);
/* The same for @what needing feature @have, named @need, in Linux @version
 * (e.g. "the bpf_loop helper", "5.17"). */
int features_require(const struct features *f, bool have, const char *what, const char *need,
		     const char *version);
/* Probe everything; if BPF cannot be used, say so in one line naming
 * @what ("trace", "--call-trace") and return -EPERM.  Mounts tracefs if
 * absent.  0 when BPF can be used. */
int features_require_bpf(struct features *f, const char *what);

#endif
