// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "engine/cgroup.h"
#include "engine/features.h"
#include "util/util.h"

#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT 38
#define CAP_BPF_BIT 39

static unsigned long long cap_eff(void)
{
	char *st = read_file_at(AT_FDCWD, "/proc/self/status", 1 << 16, NULL);
	unsigned long long caps = 0;
	char *p;

	if (!st)
		return 0;
	p = strstr(st, "\nCapEff:");
	if (p)
		caps = strtoull(p + 8, NULL, 16);
	free(st);
	return caps;
}

void features_probe(struct features *f)
{
	unsigned long long caps = cap_eff();
	struct utsname u;
	struct stat sb;

	memset(f, 0, sizeof(*f));
	if (uname(&u) == 0)
		snprintf(f->kernel, sizeof(f->kernel), "%s", u.release);
	f->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	if (!(caps & (1ull << CAP_SYS_ADMIN_BIT)))
		strcat(f->missing_caps, "CAP_SYS_ADMIN ");
	/* CAP_SYS_ADMIN covers BPF and perfmon on kernels without the split */
	if (!(caps & (1ull << CAP_SYS_ADMIN_BIT)) && !(caps & (1ull << CAP_BPF_BIT)))
		strcat(f->missing_caps, "CAP_BPF ");
	if (!(caps & (1ull << CAP_SYS_ADMIN_BIT)) && !(caps & (1ull << CAP_PERFMON_BIT)))
		strcat(f->missing_caps, "CAP_PERFMON ");
	if (f->missing_caps[0])
		f->missing_caps[strlen(f->missing_caps) - 1] = 0;
	f->caps = !f->missing_caps[0];
	if (cg2_find_mount(f->cgroup2, sizeof(f->cgroup2)))
		f->cgroup2[0] = 0;
	f->tracefs = stat("/sys/kernel/tracing/events", &sb) == 0;
}

/* Load a socket filter that does one BPF atomic exchange: the verifier
 * refuses the instruction before 5.12 (kernel commit 5ffa25502b5a, "bpf:
 * Add instructions for atomic_[cmp]xchg"). */
static bool probe_atomic_xchg(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_STX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10, .src_reg = BPF_REG_0,
		  .off = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1 },
		{ .code = BPF_STX | BPF_ATOMIC | BPF_DW, .dst_reg = BPF_REG_10,
		  .src_reg = BPF_REG_1, .off = -8, .imm = BPF_XCHG },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", insns,
			       ARRAY_SIZE(insns), NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int features_require(const struct features *f, bool have, const char *what, const char *need,
		     const char *version)
{
	if (have)
		return 0;
	rt_err("%s needs %s (Linux %s); this kernel is %s", what, need, version, f->kernel);
	return -EOPNOTSUPP;
}

int features_require_xchg(const struct features *f, const char *what)
{
	return features_require(f, f->atomic_xchg, what, "BPF atomic exchange", "5.12");
}

/* mount_setattr(2) exists: with no flags it fails EINVAL (or EBADF), not
 * ENOSYS. */
static bool probe_mount_setattr(void)
{
	return syscall(442 /* __NR_mount_setattr */, -1, "", 0, NULL, 0) < 0 && errno != ENOSYS;
}

void features_probe_bpf(struct features *f)
{
	char path[PATH_MAX];
	struct stat sb;

	f->probed = true;
	f->ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	/* libbpf cannot probe BPF_PROG_TYPE_TRACING without a target: tp_btf
	 * needs BTF and 5.5, and the load itself says if it is missing. */
	f->tracing_prog = f->btf;
	f->cgroup_skb = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_CGROUP_SKB, NULL) == 1;
	f->atomic_xchg = probe_atomic_xchg();
	f->bpf_loop = libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_loop, NULL) == 1;
	f->mount_setattr = probe_mount_setattr();
	/* cgroup.kill (5.14) exists in non-root cgroups only: make one to look. */
	if (f->cgroup2[0]) {
		snprintf(path, sizeof(path), "%s/runtrace-probe-%d", f->cgroup2, getpid());
		if (mkdir(path, 0755) == 0) {
			char file[PATH_MAX + 16];

			snprintf(file, sizeof(file), "%s/cgroup.kill", path);
			f->cgroup_kill = stat(file, &sb) == 0;
			rmdir(path);
		}
	}
}

int features_tp_struct_arg(const struct btf *btf, const char *tp, const char *type)
{
	char name[64];
	const struct btf_type *t;
	const struct btf_param *p;
	int id, i, n;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, btf__resolve_type(btf, id)); /* the pointer */
	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	p = btf_params(t);
	n = btf_vlen(t);
	for (i = 1; i < n; i++) { /* parameter 0 is the tracepoint's void *data */
		const struct btf_type *pt = btf__type_by_id(btf, p[i].type);

		if (!pt || !btf_is_ptr(pt))
			continue;
		pt = btf__type_by_id(btf, pt->type);
		if (pt && btf_is_struct(pt) &&
		    !strcmp(btf__name_by_offset(btf, pt->name_off), type))
			return i - 1;
	}
	return -EINVAL;
}

int features_mount_tracefs(struct features *f)
{
	if (f->tracefs)
		return 0;
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL))
		return -errno;
	rt_dbg("mounted tracefs on /sys/kernel/tracing");
	f->tracefs = true;
	return 0;
}

const char *features_bpf_blocker(const struct features *f, char *buf, size_t len)
{
	if (!f->caps) {
		snprintf(buf, len, "missing %s (run as root)", f->missing_caps);
		return buf;
	}
	if (!f->btf) {
		snprintf(buf, len, "kernel %s has no BTF (/sys/kernel/btf/vmlinux; CONFIG_DEBUG_INFO_BTF)",
			 f->kernel);
		return buf;
	}
	if (f->probed && !f->ringbuf) {
		snprintf(buf, len, "kernel %s has no BPF ring buffer (needs 5.8)", f->kernel);
		return buf;
	}
	return NULL;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

void features_print(FILE *out, const struct features *f)
{
	struct btf *btf;
	bool io_start;

	fprintf(out, "libbpf: %u.%u\n", libbpf_major_version(), libbpf_minor_version());
	fprintf(out, "kernel: %s\n", f->kernel);
	fprintf(out, "btf: %s\n", yes_no(f->btf));
	fprintf(out, "privileges: %s\n", f->caps ? "yes" : f->missing_caps);
	fprintf(out, "cgroup2: %s\n", f->cgroup2[0] ? f->cgroup2 : "not mounted");
	fprintf(out, "tracefs: %s\n", f->tracefs ? "/sys/kernel/tracing" : "not mounted");
	if (!f->probed) {
		fprintf(out, "bpf features: not probed (needs privileges)\n");
		return;
	}
	fprintf(out, "ringbuf: %s\n", yes_no(f->ringbuf));
	fprintf(out, "tp_btf: %s\n", yes_no(f->tracing_prog));
	fprintf(out, "cgroup_skb: %s\n", yes_no(f->cgroup_skb));
	fprintf(out, "atomic xchg: %s\n", f->atomic_xchg ? "yes" :
		"no (5.12: --call-trace, trace and deps refuse to start)");
	fprintf(out, "bpf_loop: %s\n", f->bpf_loop ? "yes" : "no (5.17: calls and profile refuse to start)");
	fprintf(out, "mount_setattr: %s\n", f->mount_setattr ? "yes" :
		"no (5.12: pystep refuses to start)");
	fprintf(out, "cgroup.kill: %s\n", f->cgroup_kill ? "yes" :
		"no (5.14: a run's leftovers are killed pid by pid)");
	/* looked up here only: parsing the kernel's BTF costs every start
	 * ~15 ms, and --sys-trace finds it in the BTF it loads anyway */
	btf = btf__load_vmlinux_btf();
	io_start = btf && features_tp_struct_arg(btf, "block_io_start", "request") == 0;
	btf__free(btf);
	fprintf(out, "block_io_start: %s (--sys-trace attributes disk IO %s)\n",
		yes_no(io_start), io_start ? "at submission" : "at issue");
}

int features_require_bpf(struct features *f, const char *what)
{
	const char *blocker;
	char why[256];

	features_probe(f);
	blocker = features_bpf_blocker(f, why, sizeof(why));
	if (!blocker) {
		features_probe_bpf(f);
		blocker = features_bpf_blocker(f, why, sizeof(why));
	}
	if (blocker) {
		rt_err("%s needs BPF: %s", what, blocker);
		return -EPERM;
	}
	if (features_mount_tracefs(f))
		rt_dbg("cannot mount tracefs: %s", strerror(errno));
	return 0;
}
