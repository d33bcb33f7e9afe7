// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls/join.h"
#include "syscalls/table.h"
#include "util/util.h"

/* A thread's entry waiting for its exit; tid 0: a free slot. */
struct ct_join_slot {
	__u32 tid;
	__u32 len;                /* bytes of the entry (0: none waiting) */
	unsigned char *big;       /* an entry with blobs (execve), malloc'd */
	struct rt_sc_enter small; /* an entry without */
};

void ct_join_init(struct ct_join *j, bool failed_only, __u32 nr_execve, __u32 nr_execveat)
{
	memset(j, 0, sizeof(*j));
	j->failed_only = failed_only;
	j->nr_execve = nr_execve;
	j->nr_execveat = nr_execveat;
}

void ct_join_emit_resumed(struct ct_join *j)
{
	static const char *const forks[] = { "clone", "clone3", "fork", "vfork" };
	unsigned i;

	j->resumed = true;
	for (i = 0; i < 4; i++)
		j->nr_fork[i] = rt_sc_lookup(forks[i]);
}

static const struct rt_sc_enter *slot_enter(const struct ct_join_slot *s)
{
	return s->big ? (const void *)s->big : &s->small;
}

static void slot_clear(struct ct_join_slot *s)
{
	free(s->big);
	s->big = NULL;
	s->len = 0;
}

/* Bytes the @n blobs after @off take in @rec of @len bytes, or -1 if they
 * overrun it. */
static long blobs_span(const unsigned char *rec, size_t len, size_t off, unsigned n)
{
	size_t start = off;

	while (n--) {
		const struct rt_sc_blob *b = (const void *)(rec + off);

		if (off + sizeof(*b) > len || off + sizeof(*b) + b->len > len)
			return -1;
		off += sizeof(*b) + ((b->len + 3u) & ~3u);
		if (off > len)
			off = len; /* the last blob's padding may be cut off */
	}
	return off - start;
}

static struct ct_join_slot *find(const struct ct_join *j, __u32 tid)
{
	size_t i;

	if (!j->cap)
		return NULL;
	for (i = tid & (j->cap - 1);; i = (i + 1) & (j->cap - 1)) {
		if (j->slots[i].tid == tid)
			return &j->slots[i];
		if (!j->slots[i].tid)
			return NULL;
	}
}

/* Free @s and close the gap it leaves in its probe sequence. */
static void remove_slot(struct ct_join *j, struct ct_join_slot *s)
{
	size_t i = s - j->slots, k = i, home;

	slot_clear(s);
	for (;;) {
		k = (k + 1) & (j->cap - 1);
		if (!j->slots[k].tid)
			break;
		home = j->slots[k].tid & (j->cap - 1);
		/* move k back to i if its home is not in (i, k] */
		if ((i <= k) ? (home <= i || home > k) : (home <= i && home > k)) {
			j->slots[i] = j->slots[k];
			i = k;
		}
	}
	memset(&j->slots[i], 0, sizeof(j->slots[i]));
	j->used--;
}

static int grow(struct ct_join *j)
{
	size_t cap = j->cap ? j->cap * 2 : 64, i, k;
	struct ct_join_slot *n = calloc(cap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < j->cap; i++) {
		if (!j->slots[i].tid)
			continue;
		for (k = j->slots[i].tid & (cap - 1); n[k].tid; k = (k + 1) & (cap - 1))
			;
		n[k] = j->slots[i];
	}
	free(j->slots);
	j->slots = n;
	j->cap = cap;
	return 0;
}

static struct ct_join_slot *find_or_add(struct ct_join *j, __u32 tid)
{
	struct ct_join_slot *s = find(j, tid);
	size_t i;

	if (s)
		return s;
	if ((j->used + 1) * 2 > j->cap && grow(j))
		return NULL;
	for (i = tid & (j->cap - 1); j->slots[i].tid; i = (i + 1) & (j->cap - 1))
		;
	j->slots[i].tid = tid;
	j->used++;
	return &j->slots[i];
}

/* Build the record of entry @e (@elen bytes) and exit @x (@xlen bytes, or
 * NULL: unfinished) in *@buf (capacity *@cap, grown as needed); its
 * length, or < 0. */
static long build_in(unsigned char **buf, size_t *cap, const struct rt_sc_enter *e, size_t elen,
		     const struct rt_sc_exit *x, size_t xlen)
{
	long eb = blobs_span((const void *)e, elen, sizeof(*e), e->nblobs), xb = 0;
	struct rt_syscall_event *ev;
	size_t len;
	int err;

	if (x)
		xb = blobs_span((const void *)x, xlen, sizeof(*x), x->nblobs);
	if (eb < 0 || xb < 0)
		return -EINVAL;
	len = sizeof(*ev) + eb + xb;
	if (len > 0xffff)
		return -EINVAL;
	err = array_grow(buf, cap, len, 1, 256, SIZE_MAX);
	if (err)
		return err;
	ev = (void *)*buf;
	memset(ev, 0, sizeof(*ev));
	ev->hdr = e->hdr; /* entry time, pid, tid, run */
	ev->hdr.type = RT_EV_SYSCALL;
	ev->hdr.size = len;
	memcpy(ev->args, e->args, sizeof(ev->args));
	ev->nr = e->nr;
	ev->flags = e->flags;
	ev->nblobs = e->nblobs;
	/* the entry's blobs first: for an argument both have, they win */
	memcpy(*buf + sizeof(*ev), (const unsigned char *)e + sizeof(*e), eb);
	if (x) {
		ev->ret = x->ret;
		ev->duration_ns = x->hdr.ts > e->hdr.ts ? x->hdr.ts - e->hdr.ts : 0;
		ev->flags |= x->flags;
		ev->nblobs += x->nblobs;
		memcpy(*buf + sizeof(*ev) + eb, (const unsigned char *)x + sizeof(*x), xb);
	} else {
		ev->flags |= RT_SC_F_UNFINISHED;
	}
	return len;
}

/* The same in j->out, the record handed to emit. */
static long build(struct ct_join *j, const struct rt_sc_enter *e, size_t elen,
		  const struct rt_sc_exit *x, size_t xlen)
{
	return build_in(&j->out, &j->out_cap, e, elen, x, xlen);
}

static int emit_waiting(struct ct_join *j, struct ct_join_slot *s, ct_join_emit_fn emit, void *ctx)
{
	long len = build(j, slot_enter(s), s->len, NULL, 0);

	slot_clear(s);
	if (len < 0)
		return len == -ENOMEM ? -ENOMEM : 0;
	return emit(ctx, (const void *)j->out, len);
}

static bool is_fork(const struct ct_join *j, __u32 nr)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		if (j->nr_fork[i] >= 0 && nr == (__u32)j->nr_fork[i])
			return true;
	return false;
}

/* An exit half with no entry: a syscall in flight when tracing began
 * (strace's `<... read resumed>`), or a forked child's first return
 * (strace shows nothing for it). */
static int emit_resumed(struct ct_join *j, const struct rt_sc_exit *x, size_t xlen,
			ct_join_emit_fn emit, void *ctx)
{
	long xb = blobs_span((const void *)x, xlen, sizeof(*x), x->nblobs);
	struct rt_syscall_event *ev;
	size_t len;
	int err;

	if ((x->ret == 0 && is_fork(j, x->nr)) || x->nr == (__u32)-1 || xb < 0)
		return 0;
	if (j->failed_only && !(x->ret < 0 && x->ret >= -4095))
		return 0;
	len = sizeof(*ev) + xb;
	err = array_grow(&j->out, &j->out_cap, len, 1, 256, SIZE_MAX);
	if (err)
		return err;
	ev = (void *)j->out;
	memset(ev, 0, sizeof(*ev));
	ev->hdr = x->hdr; /* exit time: the entry's is not known */
	ev->hdr.type = RT_EV_SYSCALL;
	ev->hdr.size = len;
	ev->nr = x->nr;
	ev->ret = x->ret;
	ev->flags = x->flags | RT_SC_F_RESUMED;
	ev->nblobs = x->nblobs;
	memcpy(j->out + sizeof(*ev), (const unsigned char *)x + sizeof(*x), xb);
	return emit(ctx, (const void *)j->out, len);
}

static int on_enter_half(struct ct_join *j, const struct rt_sc_enter *e, size_t len,
		    ct_join_emit_fn emit, void *ctx)
{
	struct ct_join_slot *s = find_or_add(j, e->hdr.tid);
	int err = 0;

	if (!s)
		return -ENOMEM;
	if (s->len) {
		/* its exit never came (lost): show what we know */
		j->unmatched++;
		err = emit_waiting(j, s, emit, ctx);
	}
	if (len > sizeof(s->small)) {
		s->big = malloc(len);
		if (!s->big)
			return -ENOMEM;
		memcpy(s->big, e, len);
	} else {
		s->small = *e;
	}
	s->len = len;
	return err;
}

/* A successful execve from a thread other than the leader comes back
 * under the leader's tid: find the entry by process and number. */
static struct ct_join_slot *find_exec(struct ct_join *j, const struct rt_sc_exit *x)
{
	size_t i;

	if (x->ret || (x->nr != j->nr_execve && x->nr != j->nr_execveat))
		return NULL;
	for (i = 0; i < j->cap; i++) {
		struct ct_join_slot *s = &j->slots[i];

		if (s->tid && s->len && slot_enter(s)->hdr.pid == x->hdr.pid &&
		    slot_enter(s)->nr == x->nr)
			return s;
	}
	return NULL;
}

static int on_exit_half(struct ct_join *j, const struct rt_sc_exit *x, size_t len,
		   ct_join_emit_fn emit, void *ctx)
{
	struct ct_join_slot *s = find(j, x->hdr.tid);
	bool failed = x->ret < 0 && x->ret >= -4095;
	long n;
	int err;

	/* rt_sigreturn comes back with orig_ax -1: it is the entry waiting */
	if (s && s->len && x->nr != (__u32)-1 && slot_enter(s)->nr != x->nr) {
		/* not this syscall's entry: that one's exit was lost */
		j->unmatched++;
		err = emit_waiting(j, s, emit, ctx);
		if (err)
			return err;
	}
	if (!s || !s->len)
		s = find_exec(j, x);
	if (!s || !s->len) {
		j->orphans++;
		return j->resumed ? emit_resumed(j, x, len, emit, ctx) : 0;
	}
	n = build(j, slot_enter(s), s->len, x, len);
	slot_clear(s);
	if (n < 0)
		return n;
	if (j->failed_only && !failed)
		return 0;
	return emit(ctx, (const void *)j->out, n);
}

int ct_join_half(struct ct_join *j, const struct rt_hdr *h, size_t len, ct_join_emit_fn emit,
		 void *ctx)
{
	if (len < h->size)
		return -EINVAL;
	len = h->size;
	if (h->type == RT_EV_SYSCALL_ENTER && len >= sizeof(struct rt_sc_enter) && h->tid)
		return on_enter_half(j, (const void *)h, len, emit, ctx);
	if (h->type == RT_EV_SYSCALL_EXIT && len >= sizeof(struct rt_sc_exit) && h->tid)
		return on_exit_half(j, (const void *)h, len, emit, ctx);
	return -EINVAL;
}

int ct_join_thread_exit(struct ct_join *j, __u32 tid, ct_join_emit_fn emit, void *ctx)
{
	struct ct_join_slot *s = find(j, tid);
	int err = 0;

	if (!s)
		return 0;
	if (s->len)
		err = emit_waiting(j, s, emit, ctx);
	/* the tid may be reused by a new thread: start afresh */
	remove_slot(j, s);
	return err;
}

int ct_join_waiting(struct ct_join *j, __u32 tid, unsigned char **buf, size_t *cap,
		    size_t *len)
{
	struct ct_join_slot *s = find(j, tid);
	long n;

	if (!s || !s->len)
		return -ENOENT;
	n = build_in(buf, cap, slot_enter(s), s->len, NULL, 0);
	if (n < 0)
		return n;
	*len = n;
	return 0;
}

void ct_join_forget(struct ct_join *j, __u32 tid)
{
	struct ct_join_slot *s = find(j, tid);

	if (s)
		slot_clear(s);
}

int ct_join_finish(struct ct_join *j, ct_join_emit_fn emit, void *ctx)
{
	int err = 0;
	size_t i;

	for (i = 0; i < j->cap; i++) {
		struct ct_join_slot *s = &j->slots[i];

		if (s->tid && s->len && !err)
			err = emit_waiting(j, s, emit, ctx);
		slot_clear(s);
	}
	free(j->slots);
	j->slots = NULL;
	j->cap = j->used = 0;
	j->orphans = j->unmatched = 0;
	return err;
}

void ct_join_free(struct ct_join *j)
{
	size_t i;

	for (i = 0; i < j->cap; i++)
		slot_clear(&j->slots[i]);
	free(j->slots);
	free(j->out);
	memset(j, 0, sizeof(*j));
}
