/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --call-trace captures: the user memory a syscall's arguments point to,
 * copied into the half being written (include/runtrace/syscall.h: blobs,
 * struct rt_cap_spec).  Included by syscalls.bpf.c after struct ct_cpu.
 *
 * Everything here is paid on every traced syscall that has a capture, so
 * it reads no more than the decoder prints: a struct once, a string up to
 * -s, a count instead of the records it counts.  The counting loops
 * (envp, getdents) are global functions with scalar arguments: the
 * verifier checks each once, whatever calls it.
 */
#ifndef RUNTRACE_CAPTURE_BPF_H
#define RUNTRACE_CAPTURE_BPF_H

#include "runtrace/syscall.h"

/* Per syscall: its capture spec, a struct rt_cap_spec (declared as words
 * so the skeleton needs no type of ours: rt_sc_capture_fill() fills it). */
const volatile __u64 cfg_ct_capture[RT_SC_NR_MAX][4] = {};
/* Captures chosen by a command argument (ioctl, fcntl, futex ...): struct
 * rt_cap_bycmd each. */
const volatile __u64 cfg_ct_bycmd[RT_SC_BYCMD_MAX][2] = {};

#define ct_spec_of(nr) ((const volatile struct rt_cap_spec *)cfg_ct_capture[(nr) & (RT_SC_NR_MAX - 1)])
#define ct_bycmd_at(i) ((const volatile struct rt_cap_bycmd *)cfg_ct_bycmd[(i) & (RT_SC_BYCMD_MAX - 1)])
/* Data bytes captured per buffer (-s). */
const volatile __u32 cfg_ct_strsize = 32;

/* Where a half's blob count and flags live. */
static __always_inline __u16 *ct_nblobs(__u8 *rec, bool exit)
{
	return exit ? &((struct rt_sc_exit *)rec)->nblobs : &((struct rt_sc_enter *)rec)->nblobs;
}

static __always_inline __u16 *ct_flags(__u8 *rec, bool exit)
{
	return exit ? &((struct rt_sc_exit *)rec)->flags : &((struct rt_sc_enter *)rec)->flags;
}

/*
 * Append one blob to the half at @rec: copy @len bytes (a string if @str)
 * from user address @src.  The write cursor lives in c->cur: read back from
 * memory it is an unknown, masked scalar, so the verifier sees every
 * iteration of a loop alike.  Returns the bytes copied, or < 0.
 */
static __always_inline long ct_blob(struct ct_cpu *c, __u8 *rec, bool exit, __u8 arg, __u8 kind,
				    __u64 src, __u32 len, bool str)
{
	__u32 off = c->cur;
	struct rt_sc_blob *b;
	long n;

	if (off > RT_SC_REC_MAX - sizeof(*b)) {
		*ct_flags(rec, exit) |= RT_SC_F_TRUNC;
		return -1;
	}
	off &= RT_SC_REC_MAX - 1;
	b = (void *)(rec + off);
	/* mask in a register the verifier tracks (clang may drop a plain &=) */
	asm volatile("%[len] &= %[mask]" : [len] "+r"(len) : [mask] "i"(RT_SC_BLOB_MAX - 1));
	if (str)
		n = bpf_probe_read_user_str(rec + off + sizeof(*b), len, (void *)src);
	else if (len) /* (long): "? -1 : len" alone would be unsigned */
		n = bpf_probe_read_user(rec + off + sizeof(*b), len, (void *)src) ? -1 : (long)len;
	else
		n = 0;
	if (n < 0)
		return n;
	b->arg = arg;
	b->kind = kind;
	b->len = n;
	*ct_nblobs(rec, exit) += 1;
	c->cur = off + sizeof(*b) + ((n + 3) & ~3);
	return n;
}

/* Append a blob of one __u32 (a count). */
static __always_inline void ct_blob_u32(struct ct_cpu *c, __u8 *rec, bool exit, __u8 arg,
					__u8 kind, __u32 val)
{
	__u32 off = c->cur;
	struct rt_sc_blob *b;

	if (off > RT_SC_REC_MAX - 8) {
		*ct_flags(rec, exit) |= RT_SC_F_TRUNC;
		return;
	}
	off &= RT_SC_REC_MAX - 1;
	b = (void *)(rec + off);
	b->arg = arg;
	b->kind = kind;
	b->len = 4;
	*(__u32 *)(rec + ((off + 4) & (RT_SC_REC_MAX - 1))) = val;
	*ct_nblobs(rec, exit) += 1;
	c->cur = off + 8;
}

/*
 * The counting loops.  With bpf_loop() (kernel 5.17, commit e6f2dd0f8067
 * "bpf: Add bpf_loop helper") the verifier checks one iteration and the
 * loop runs up to RT_SC_COUNT_MAX times; before it, a bounded loop is
 * checked iteration by iteration and must stay under the verifier's limit
 * of 8192 jumps on one path, so it counts up to CT_COUNT_OLD.
 */
#define CT_COUNT_OLD 1024

struct ct_count_ctx {
	__u64 base;  /* the array or the buffer */
	__u64 len;   /* getdents: bytes filled */
	__u64 off;   /* getdents: the next record */
	__u32 n;     /* counted so far */
	__u32 done;
};

static long ct_ptrs_step(__u32 i, void *data)
{
	struct ct_count_ctx *x = data;
	__u64 p = 0;

	if (bpf_probe_read_user(&p, sizeof(p), (void *)(x->base + (__u64)i * 8)) || !p) {
		x->done = 1;
		return 1;
	}
	x->n = i + 1;
	return 0;
}

static long ct_dents_step(__u32 i, void *data)
{
	struct ct_count_ctx *x = data;
	__u16 reclen = 0;

	if (x->off >= x->len) {
		x->done = 1;
		return 1;
	}
	if (bpf_probe_read_user(&reclen, sizeof(reclen), (void *)(x->base + x->off + 16)) ||
	    !reclen) {
		x->done = 1;
		return 1;
	}
	x->off += reclen;
	x->n = i + 1;
	return 0;
}

/* How many non-NULL pointers precede the NULL of the array at @vec (envp);
 * | RT_SC_COUNT_CUT if the bound stopped the count. */
__noinline __u32 ct_count_ptrs(__u64 vec)
{
	struct ct_count_ctx x = { .base = vec };
	__u32 i;

	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop)) {
		bpf_loop(RT_SC_COUNT_MAX, ct_ptrs_step, &x, 0);
	} else {
		for (i = 0; i < CT_COUNT_OLD; i++)
			if (ct_ptrs_step(i, &x))
				break;
	}
	return x.done ? x.n : (x.n | RT_SC_COUNT_CUT);
}

/* How many linux_dirent(64) records fill @len bytes at @buf (d_reclen is
 * at offset 16 in both); | RT_SC_COUNT_CUT if the bound stopped the count. */
__noinline __u32 ct_count_dents(__u64 buf, __u64 len)
{
	struct ct_count_ctx x = { .base = buf, .len = len };
	__u32 i;

	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop)) {
		bpf_loop(RT_SC_COUNT_MAX, ct_dents_step, &x, 0);
	} else {
		for (i = 0; i < CT_COUNT_OLD; i++)
			if (ct_dents_step(i, &x))
				break;
	}
	return x.done ? x.n : (x.n | RT_SC_COUNT_CUT);
}

/* The cfg_ct_bycmd entry for syscall @nr with command @cmd, or -1. */
__noinline int ct_bycmd_find(__u32 nr, __u64 cmd)
{
	int i;

	for (i = 0; i < RT_SC_BYCMD_MAX; i++) {
		const volatile struct rt_cap_bycmd *e = ct_bycmd_at(i);
		__u32 enr = e->nr;

		if (!enr && !e->how)
			return -1; /* the end of the table */
		if (enr == nr && (cmd & e->mask) == e->cmd)
			return i;
	}
	return -1;
}

/*
 * An iovec array of @cnt elements at @vec, for argument @argi: the array
 * (IOV, up to RT_SC_IOV_MAX elements), then each element's bytes (ELEM),
 * up to strsize each and, for a read (@budget != -1), @budget in all.
 */
static __always_inline void ct_iov(struct ct_cpu *c, __u8 *rec, __u8 argi, __u64 vec, __u64 cnt,
				   __u64 budget)
{
	__u32 strsize = cfg_ct_strsize;
	int k;

	if (!vec || !cnt)
		return;
	if (cnt > RT_SC_IOV_MAX)
		cnt = RT_SC_IOV_MAX;
	if (ct_blob(c, rec, true, argi, RT_BLOB_IOV, vec, cnt * 16, false) < 0)
		return;
#pragma clang loop unroll(full)
	for (k = 0; k < RT_SC_IOV_MAX; k++) {
		struct { __u64 base, len; } iov;
		__u64 n;

		if (k >= cnt)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(vec + k * 16)))
			break;
		n = iov.len < budget ? iov.len : budget;
		if (budget != (__u64)-1)
			budget -= n;
		/* an element that cannot be read: empty, so the order holds */
		if (ct_blob(c, rec, true, argi, RT_BLOB_ELEM, iov.base, ct_min(n, strsize), false) < 0)
			ct_blob(c, rec, true, argi, RT_BLOB_ELEM, 0, 0, false);
	}
}

/* struct msghdr at @addr (sys_exit): itself, its name, its iovecs, its
 * control.  @budget: bytes received (a read) or -1. */
static __always_inline void ct_msghdr(struct ct_cpu *c, __u8 *rec, __u8 argi, __u64 addr,
				      __u64 budget)
{
	struct {
		__u64 name;
		__u32 namelen, pad0;
		__u64 iov, iovlen, control, controllen;
		__u32 flags, pad1;
	} m;

	if (!addr || bpf_probe_read_user(&m, sizeof(m), (void *)addr))
		return;
	if (ct_blob(c, rec, true, argi, RT_BLOB_DATA, addr, sizeof(m), false) < 0)
		return;
	if (m.name && m.namelen)
		ct_blob(c, rec, true, argi, RT_BLOB_NAME, m.name, ct_min(m.namelen, 128), false);
	if (m.control && m.controllen)
		ct_blob(c, rec, true, argi, RT_BLOB_CTRL, m.control,
			ct_min(m.controllen, RT_SC_CTRL_MAX), false);
	ct_iov(c, rec, argi, m.iov, m.iovlen, budget);
}

/*
 * Copy what @spec says for the half at @rec: at sys_exit (@exit, the
 * syscall returned @ret) or at sys_enter.  @args: the six argument
 * registers, then the stack pointer (args[6]).
 */
static __always_inline void ct_capture(struct ct_cpu *c, __u8 *rec, __u32 nr,
				       const volatile struct rt_cap_spec *spec, const __u64 *args,
				       bool exit, long ret)
{
	__u32 strsize = cfg_ct_strsize;
	__u8 when = exit ? (ret >= 0 ? RT_CAPW_EXIT | RT_CAPW_ANYRET : RT_CAPW_ANYRET)
			 : RT_CAPW_ENTER;
	__u8 tag = exit ? 0 : RT_BLOB_F_ENTER;
	int i;

	/* Unrolled: kernels before 6.4 reject a loop whose back edge is a
	 * fallthrough ("back-edge from insn"), and clang lays loops out so. */
#pragma clang loop unroll(full)
	for (i = 0; i < 6; i++) {
		__u8 how = spec->arg[i].how, li = spec->arg[i].len & 7;
		__u32 size = spec->arg[i].size, kind = how & RT_CAP_KIND_MASK, n;
		__u64 a = args[i], lenarg;

		if (!(how & when))
			continue;
		if (kind == RT_CAP_BYCMD) {
			int e = ct_bycmd_find(nr, args[li]);

			if (e < 0 || e >= RT_SC_BYCMD_MAX)
				continue;
			how = ct_bycmd_at(e)->how;
			if (!(how & when))
				continue;
			kind = how & RT_CAP_KIND_MASK;
			li = ct_bycmd_at(e)->len & 7;
			size = ct_bycmd_at(e)->size;
		}
		if (kind == RT_CAP_SIGFRAME) {
			/* the saved mask: at the stack pointer + size */
			ct_blob(c, rec, exit, i, RT_BLOB_DATA | tag, args[6] + size, 8, false);
			continue;
		}
		if (!a)
			continue;
		lenarg = args[li];
		switch (kind) {
		/* strings are not flagged: consumers that look for a path
		 * (deps, diverge) take the first string blob of an argument */
		case RT_CAP_PATH:
			ct_blob(c, rec, exit, i, RT_BLOB_STR, a, RT_SC_PATH_MAX, true);
			break;
		case RT_CAP_STR:
			ct_blob(c, rec, exit, i, RT_BLOB_STR, a, strsize + 2, true);
			break;
		case RT_CAP_BUF:
			n = ct_min(lenarg, size ? size : strsize);
			ct_blob(c, rec, exit, i, RT_BLOB_DATA | tag, a, n, false);
			break;
		case RT_CAP_BUF_RET:
			if (ret > 0)
				ct_blob(c, rec, exit, i, RT_BLOB_DATA | tag, a,
					ct_min(ret, size ? size : strsize), false);
			break;
		case RT_CAP_LENPTR: {
			int alen = 0;

			if (!lenarg || bpf_probe_read_user(&alen, sizeof(alen), (void *)lenarg))
				break;
			n = ct_min(alen < 0 ? 0 : alen, size);
			ct_blob(c, rec, exit, i, RT_BLOB_DATA | tag, a, n, false);
			break;
		}
		case RT_CAP_FIXED:
			ct_blob(c, rec, exit, i, RT_BLOB_DATA | tag, a, size, false);
			break;
		case RT_CAP_BITS:
			n = ct_min(((lenarg & 0xffffffff) + 63) / 64 * 8, size);
			ct_blob(c, rec, exit, i, RT_BLOB_DATA | tag, a, n, false);
			break;
		case RT_CAP_ARRAY:
			n = ct_min(lenarg * size, RT_SC_ARRAY_MAX);
			if (lenarg < RT_SC_ARRAY_MAX)
				ct_blob(c, rec, exit, i, RT_BLOB_DATA | tag, a, n, false);
			break;
		case RT_CAP_ARRAY_RET:
			if (ret > 0 && ret < RT_SC_ARRAY_MAX)
				ct_blob(c, rec, exit, i, RT_BLOB_DATA | tag, a,
					ct_min(ret * size, RT_SC_ARRAY_MAX), false);
			break;
		case RT_CAP_ENVC:
			ct_blob_u32(c, rec, exit, i, RT_BLOB_COUNT | tag, ct_count_ptrs(a));
			break;
		case RT_CAP_DENTS:
			if (ret > 0)
				ct_blob_u32(c, rec, exit, i, RT_BLOB_COUNT | tag, ct_count_dents(a, ret));
			break;
		case RT_CAP_MSGHDR:
			/* at entry the struct alone (recvmsg's msg_namelen before) */
			if (!exit)
				ct_blob(c, rec, exit, i, RT_BLOB_DATA | tag, a, 56, false);
			break;
		default:
			break;
		}
	}
}

/* The iovec or msghdr capture of a syscall at sys_exit (one per syscall:
 * argument @spec->special, RT_CAPF_VEC). */
static __always_inline void ct_capture_vec(struct ct_cpu *c, __u8 *rec,
					   const volatile struct rt_cap_spec *spec,
					   const __u64 *args, long ret)
{
	__u32 i = spec->special & 7;
	__u8 how;
	__u32 kind;
	bool read;
	__u64 budget;

	if (i >= 6)
		return;
	how = spec->arg[i].how;
	kind = how & RT_CAP_KIND_MASK;
	read = spec->arg[i].size == 1;
	budget = read ? (ret > 0 ? ret : 0) : (__u64)-1;
	if (!(how & (ret >= 0 ? RT_CAPW_EXIT | RT_CAPW_ANYRET : RT_CAPW_ANYRET)))
		return;
	if (kind == RT_CAP_IOV)
		ct_iov(c, rec, i, args[i & 7], args[spec->arg[i & 7].len & 7], budget);
	else if (kind == RT_CAP_MSGHDR)
		ct_msghdr(c, rec, i, args[i & 7], budget);
}

/* execve argv: up to RT_SC_ARGV_MAX strings, then an ARGV_END blob with
 * how many there were (up to RT_SC_COUNT_MAX). */
static __noinline void ct_argv(struct ct_cpu *c, struct rt_sc_enter *e, int argi, __u64 argv)
{
	__u32 strsize = cfg_ct_strsize;
	int i;

	if (!c || !e)
		return;
#pragma clang loop unroll(full)
	for (i = 0; i < RT_SC_ARGV_MAX; i++) {
		__u64 p = 0;

		if (bpf_probe_read_user(&p, sizeof(p), (void *)(argv + i * 8)) || !p)
			break;
		ct_blob(c, (__u8 *)e, false, argi, RT_BLOB_ARGV, p, strsize + 2, true);
	}
	ct_blob_u32(c, (__u8 *)e, false, argi, RT_BLOB_ARGV_END,
		    i < RT_SC_ARGV_MAX ? i : ct_count_ptrs(argv) & ~RT_SC_COUNT_CUT);
}

/* The entry captures of a syscall (execve's path, argv, envp; an input the
 * syscall overwrites). */
static __noinline void ct_enter_blobs(struct ct_cpu *c, struct rt_sc_enter *e, __u64 sp)
{
	const volatile struct rt_cap_spec *spec;
	__u64 args[8];
	int i, argi = -1;

	if (!c || !e || e->nr >= RT_SC_NR_MAX)
		return;
	spec = ct_spec_of(e->nr);
#pragma clang loop unroll(full)
	for (i = 0; i < 6; i++)
		args[i] = e->args[i];
	args[6] = sp;
	args[7] = 0;
	ct_capture(c, (__u8 *)e, e->nr, spec, args, false, 0);
#pragma clang loop unroll(full)
	for (i = 5; i >= 0; i--)
		if ((spec->arg[i].how & RT_CAP_KIND_MASK) == RT_CAP_ARGV &&
		    (spec->arg[i].how & RT_CAPW_ENTER))
			argi = i;
	if (argi >= 0 && argi < 6 && e->args[argi & 7])
		ct_argv(c, e, argi, e->args[argi & 7]);
}

#endif /* RUNTRACE_CAPTURE_BPF_H */
