// SPDX-License-Identifier: GPL-2.0-only
/*
 * The comparison of a failed run with the most recent passing run
 * (diverge.h): digest both spools, match their processes, align each
 * matched thread pair, then write divergence.txt's text and the summary
 * member.  Every syscall line goes through fmt_call(), the one place that
 * calls the --call-trace formatter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "diverge/align.h"
#include "diverge/diverge.h"
#include "diverge/digest.h"
#include "syscalls/fmt.h"

/* What one matched thread pair's alignment found. */
struct departure {
	int ta, tb;            /* thread in the passing (a) and failed (b) run */
	size_t xa, yb;         /* where the runs part, in the compared sequences (for an
				* element in one run only, the other's is where it would be) */
	size_t ctx;            /* matching elements just before the stretch */
	long dep_edit;         /* the row of path where they part (-1: the stretch's start) */
	struct dv_hunk hunk;   /* the stretch that differs */
	struct dv_edit *path;  /* its rows, if it realigned */
	size_t npath;
	unsigned weak_before;  /* timing-dependent stretches passed over before it */
	unsigned more;         /* differing stretches after it */
	unsigned more_dels, more_ins;
	bool stopped;          /* the alignment stopped before the end (budget, no realignment) */
	__u64 ts;              /* when it showed in the failed run (the syscall's return) */
};

struct cmp {
	const struct dv_opts *o;
	struct dv_digest d[2];    /* 0: passing, 1: failed */
	struct dv_aggmap agg;
	struct dv_aligner al;
	struct rt_sc_fmt fmt[2];
	struct strbuf line;
	struct departure *deps;
	size_t ndeps, deps_cap;
	unsigned weak_only;       /* matched threads differing only in timing-dependent stretches */
};

static const struct dv_opts defaults = {
	.strsize = 32, .context = 3, .rows = 8, .width = 64, .realign = 8,
	.max_edits = 512, .max_sections = 16, .max_only = 20,
};

static void opts_fill(struct dv_opts *o, const struct dv_opts *in)
{
	*o = in ? *in : defaults;
#define DEF(f) if (!o->f) o->f = defaults.f
	DEF(strsize); DEF(context); DEF(rows); DEF(width); DEF(realign);
	DEF(max_edits); DEF(max_sections); DEF(max_only);
#undef DEF
}

/* ---- the formatter, in one place --------------------------------------- */

/*
 * One syscall's text into @out: the whole strace-form line (time, pid,
 * duration) when @full, else only "name(args) = ret", which is what the
 * two runs share.  Stripping the rest is tied to rt_sc_fmt_text's layout
 * ("HH:MM:SS.uuuuuu [pid  N] call = ret <d.dddddd>\n").
 */
static void fmt_call(struct cmp *c, int side, const struct rt_syscall_event *ev, bool full,
		     struct strbuf *out)
{
	const char *s, *e, *lt;

	strbuf_reset(&c->line);
	if (rt_sc_fmt_text(&c->fmt[side], &c->line, ev, ev->hdr.size)) {
		strbuf_addf(out, "(malformed record of syscall %u)", ev->nr);
		return;
	}
	s = c->line.buf;
	e = s + c->line.len;
	if (e > s && e[-1] == '\n')
		e--;
	if (!full) {
		const char *p = strstr(s, "] ");

		if (p)
			s = p + 2;
		lt = e > s && e[-1] == '>' ? memrchr(s, '<', e - s) : NULL;
		if (lt && lt > s + 1 && lt[-1] == ' ' && lt[1] >= '0' && lt[1] <= '9')
			e = lt - 1;
	}
	strbuf_add(out, s, e - s);
}

/* ---- names --------------------------------------------------------------- */

#define PL(n) ((n) == 1 ? "" : "s")

/* What a process ran: its last exec'd path, or its parent's (a reused
 * pid could make a loop: bounded). */
static void proc_name(const struct dv_digest *dg, int pi, struct strbuf *out)
{
	const struct dv_proc *p = &dg->procs[pi];
	size_t hops = 0;

	while (!p->last_path && p->parent >= 0 && hops++ < dg->nprocs)
		p = &dg->procs[p->parent];
	if (p->last_path)
		strbuf_add(out, p->last_path, p->last_len);
	else
		strbuf_adds(out, "(no exec)");
}

/* "/usr/bin/cat (pid 4250), child 2 of /bin/sh (pid 4249)" */
static void proc_label(const struct dv_digest *dg, int pi, struct strbuf *out)
{
	const struct dv_proc *p = &dg->procs[pi];

	proc_name(dg, pi, out);
	strbuf_addf(out, " (pid %u)", p->pid);
	if (pi == dg->root) {
		strbuf_adds(out, ", the run's command");
	} else if (p->parent >= 0) {
		strbuf_addf(out, ", child %u of ", p->child_no);
		proc_name(dg, p->parent, out);
		strbuf_addf(out, " (pid %u)", dg->procs[p->parent].pid);
	}
}

static void thread_label(const struct dv_digest *dg, int ti, struct strbuf *out)
{
	const struct dv_thread *t = &dg->threads[ti];

	if (t->order) {
		strbuf_addf(out, "thread %u (tid %u) of ", t->order + 1, t->tid);
		proc_name(dg, t->proc, out);
		strbuf_addf(out, " (pid %u)", dg->procs[t->proc].pid);
	} else {
		proc_label(dg, t->proc, out);
	}
}

static void status_words(int status, struct strbuf *out)
{
	if (WIFSIGNALED(status))
		strbuf_addf(out, "killed by %s", sigabbrev_np(WTERMSIG(status)) ?
			    sigabbrev_np(WTERMSIG(status)) : "a signal");
	else
		strbuf_addf(out, "exited with %d", WEXITSTATUS(status));
}

static void exit_words(const struct dv_proc *p, struct strbuf *out)
{
	if (p->exited)
		status_words(p->exit_status, out);
	else
		strbuf_adds(out, "no exit seen");
}

/* ---- aligning ------------------------------------------------------------ */

/* The first edit of the last stretch found that is not timing-dependent,
 * or -1. */
static long first_strong(const struct dv_aligner *al, const struct dv_thread *a,
			 const struct dv_thread *b)
{
	size_t i;

	for (i = 0; i < al->npath; i++) {
		const struct dv_edit *e = &al->path[i];

		if ((e->op == '-' && !(a->h[e->a] & DV_WEAK)) ||
		    (e->op == '+' && !(b->h[e->b] & DV_WEAK)))
			return i;
	}
	return -1;
}

/* Align one matched thread pair; add a departure if they part. */
static int compare_pair(struct cmp *c, int ta, int tb)
{
	const struct dv_thread *a = &c->d[0].threads[ta], *b = &c->d[1].threads[tb];
	size_t n = a->nseq, m = b->nseq, x, y, s;
	const struct rt_syscall_event *rec = NULL;
	struct departure dep;
	bool found = false;
	__u64 budget;
	int err;

	memset(&dep, 0, sizeof(dep));
	dep.ta = ta;
	dep.tb = tb;
	/* linear whatever happens: 16 steps per element, plus some slack */
	budget = c->al.work + 16 * (__u64)(n + m) + (1u << 22);
	s = x = y = dv_snake(a->h, n, b->h, m, 0, 0, &c->al.work);
	while (x < n || y < m) {
		struct dv_hunk h;

		if (c->al.work > budget) {
			dep.stopped = true;
			break;
		}
		err = dv_hunk_find(&c->al, a->h, n, b->h, m, x, y, &h);
		if (err)
			return err;
		if (!found && h.realigned && first_strong(&c->al, a, b) < 0) {
			dep.weak_before++;
		} else if (!found) {
			found = true;
			dep.xa = x;
			dep.yb = y;
			dep.ctx = s;
			dep.hunk = h;
			dep.dep_edit = h.realigned ? first_strong(&c->al, a, b) : -1;
			if (dep.dep_edit >= 0) {
				dep.xa = c->al.path[dep.dep_edit].a;
				dep.yb = c->al.path[dep.dep_edit].b;
			}
			if (h.realigned && c->al.npath) {
				dep.path = malloc(c->al.npath * sizeof(*dep.path));
				if (!dep.path)
					return -ENOMEM;
				memcpy(dep.path, c->al.path, c->al.npath * sizeof(*dep.path));
				dep.npath = c->al.npath;
			}
		} else {
			dep.more++;
			dep.more_dels += h.dels;
			dep.more_ins += h.ins;
		}
		if (!h.realigned) {
			dep.stopped = true;
			break;
		}
		s = dv_snake(a->h, n, b->h, m, h.a1, h.b1, &c->al.work);
		x = h.a1 + s;
		y = h.b1 + s;
	}
	if (!found) {
		c->weak_only += dep.weak_before > 0;
		return 0;
	}
	/* when the difference showed: the departing syscall's return (a
	 * wait4 begins long before the child it reports on fails) */
	if (dep.yb < m)
		rec = b->recs[b->pos[dep.yb]];
	else if (b->n)
		rec = b->recs[b->n - 1];
	dep.ts = rec ? rec->hdr.ts + rec->duration_ns + (dep.yb >= m) :
		       c->d[1].procs[b->proc].fork_ts;
	if (c->ndeps == c->deps_cap) {
		size_t cap = c->deps_cap ? c->deps_cap * 2 : 16;
		struct departure *p = realloc(c->deps, cap * sizeof(*p));

		if (!p) {
			free(dep.path);
			return -ENOMEM;
		}
		c->deps = p;
		c->deps_cap = cap;
	}
	c->deps[c->ndeps++] = dep;
	return 0;
}

static int dep_cmp(const void *x, const void *y)
{
	const struct departure *a = x, *b = y;

	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

/* ---- text ---------------------------------------------------------------- */

/* One side's cell: its 1-based index and the call, or blanks. */
static void cell(struct cmp *c, int side, const struct dv_thread *t, long k, bool last,
		 struct strbuf *out)
{
	size_t w = c->o->width, start = out->len;

	if (k < 0) {
		if (!last)
			strbuf_addf(out, "%8s%*s", "", (int)w + 2, "");
		return;
	}
	strbuf_addf(out, "%8u  ", t->pos[k] + 1);
	fmt_call(c, side, t->recs[t->pos[k]], false, out);
	if (last)
		return;
	if (out->len - start > w + 10) {
		out->len = start + 10 + w - 3;
		strbuf_adds(out, "...");
	}
	while (out->len - start < w + 10)
		strbuf_addc(out, ' ');
}

static void row(struct cmp *c, const struct departure *d, char op, long ka, long kb,
		struct strbuf *out)
{
	const struct dv_thread *a = &c->d[0].threads[d->ta], *b = &c->d[1].threads[d->tb];

	cell(c, 0, a, ka, false, out);
	strbuf_addf(out, " %c", op);
	if (kb >= 0)
		cell(c, 1, b, kb, true, out);
	while (out->len && out->buf[out->len - 1] == ' ')
		out->len--;
	strbuf_addc(out, '\n');
}

/* One row of a section's table: indices in the compared sequences, -1 for
 * a blank side. */
struct row {
	char op;
	long a, b;
};

struct rows {
	struct row *r;
	size_t n, cap;
	size_t dep;      /* the row where the runs part */
	size_t end;      /* rows of the stretch end here (context after follows) */
};

static int row_add(struct rows *rs, char op, long a, long b)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct row *p = realloc(rs->r, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		rs->r = p;
		rs->cap = cap;
	}
	rs->r[rs->n++] = (struct row){ op, a, b };
	return 0;
}

#define PAIR_MAX 64

/*
 * Rows for a run of edits: @nd elements only in a (passing), @ni only in b,
 * in order.  The same syscall on both sides makes one changed row ('|'),
 * paired by the longest common sequence of syscall numbers; the others are
 * rows of one side.  @dpos, @ipos: their places in the path, to find the
 * row of @dep_edit.
 */
static int pair_rows(struct rows *rs, const struct dv_thread *a, const struct dv_thread *b,
		     const size_t *dels, const size_t *dpos, size_t nd, const size_t *ins,
		     const size_t *ipos, size_t ni, long dep_edit)
{
	unsigned char l[PAIR_MAX + 1][PAIR_MAX + 1];
	size_t i, j;
	int err = 0;

	/* l[i][j]: common syscalls of dels[i..] and ins[j..] */
	for (i = nd + 1; i-- > 0;) {
		for (j = ni + 1; j-- > 0;) {
			if (i == nd || j == ni)
				l[i][j] = 0;
			else if (a->recs[a->pos[dels[i]]]->nr == b->recs[b->pos[ins[j]]]->nr)
				l[i][j] = l[i + 1][j + 1] + 1;
			else
				l[i][j] = l[i + 1][j] > l[i][j + 1] ? l[i + 1][j] : l[i][j + 1];
		}
	}
	for (i = j = 0; (i < nd || j < ni) && !err;) {
		bool same = i < nd && j < ni &&
			    a->recs[a->pos[dels[i]]]->nr == b->recs[b->pos[ins[j]]]->nr;
		char op = same ? '|' : j == ni || (i < nd && l[i + 1][j] >= l[i][j + 1]) ? '<' : '>';

		if ((op != '>' && (long)dpos[i] == dep_edit) || (op != '<' && (long)ipos[j] == dep_edit))
			rs->dep = rs->n;
		err = row_add(rs, op, op != '>' ? (long)dels[i] : -1, op != '<' ? (long)ins[j] : -1);
		i += op != '>';
		j += op != '<';
	}
	return err;
}

/* Context before, the stretch (matches as they are, runs of edits paired
 * by pair_rows), context after. */
static int build_rows(struct cmp *c, const struct departure *d, struct rows *rs)
{
	const struct dv_thread *a = &c->d[0].threads[d->ta], *b = &c->d[1].threads[d->tb];
	size_t n = a->nseq, m = b->nseq, ctx, i, j, k;
	const struct dv_hunk *h = &d->hunk;
	int err = 0;

	memset(rs, 0, sizeof(*rs));
	ctx = d->ctx < c->o->context ? d->ctx : c->o->context;
	for (k = ctx; k > 0 && !err; k--)
		err = row_add(rs, '=', h->a0 - k, h->b0 - k);
	rs->dep = rs->n;
	if (!h->realigned) {
		/* no alignment: the two runs' next syscalls side by side */
		for (k = 0; !err && k < c->o->rows + c->o->context &&
			    (h->a0 + k < n || h->b0 + k < m); k++) {
			bool ha = h->a0 + k < n, hb = h->b0 + k < m;

			err = row_add(rs, ha && hb ? '|' : ha ? '<' : '>', ha ? (long)(h->a0 + k) : -1,
				      hb ? (long)(h->b0 + k) : -1);
		}
		rs->end = rs->n;
		return err;
	}
	for (i = 0; i < d->npath && !err;) {
		size_t dels[PAIR_MAX], ins[PAIR_MAX], dpos[PAIR_MAX], ipos[PAIR_MAX], nd = 0, ni = 0;

		if (d->path[i].op == '=') {
			err = row_add(rs, '=', d->path[i].a, d->path[i].b);
			i++;
			continue;
		}
		for (j = i; j < d->npath && d->path[j].op != '=' && nd < PAIR_MAX && ni < PAIR_MAX;
		     j++) {
			if (d->path[j].op == '-') {
				dpos[nd] = j;
				dels[nd++] = d->path[j].a;
			} else {
				ipos[ni] = j;
				ins[ni++] = d->path[j].b;
			}
		}
		err = pair_rows(rs, a, b, dels, dpos, nd, ins, ipos, ni, d->dep_edit);
		i = j;
	}
	rs->end = rs->n;
	for (k = 0; !err && k < c->o->context && h->a1 + k < n && h->b1 + k < m; k++)
		err = row_add(rs, '=', h->a1 + k, h->b1 + k);
	return err;
}

static void section(struct cmp *c, const struct departure *d, struct strbuf *out)
{
	const struct dv_digest *A = &c->d[0], *B = &c->d[1];
	const struct dv_thread *a = &A->threads[d->ta], *b = &B->threads[d->tb];
	const struct dv_proc *pa = &A->procs[a->proc], *pb = &B->procs[b->proc];
	unsigned ia = A->info->id, ib = B->info->id;
	size_t n = a->nseq, m = b->nseq, k, from, to;
	struct rows rs;
	char title[48];

	strbuf_adds(out, "\n== ");
	thread_label(B, d->tb, out);
	if (a->order)
		strbuf_addf(out, "; tid %u in run %u", a->tid, ia);
	else
		strbuf_addf(out, "; pid %u in run %u", pa->pid, ia);
	strbuf_addc(out, '\n');
	if (pa->by_order && !a->order) {
		strbuf_adds(out, "   matched by fork order: it ran ");
		proc_name(A, a->proc, out);
		strbuf_addf(out, " in run %u\n", ia);
	}
	strbuf_adds(out, "   departs at ");
	if (d->yb < m)
		strbuf_addf(out, "its syscall %u", b->pos[d->yb] + 1);
	else
		strbuf_addf(out, "its end (after %zu syscalls)", b->n);
	if (d->xa < n)
		strbuf_addf(out, " (syscall %u in run %u)", a->pos[d->xa] + 1, ia);
	else
		strbuf_addf(out, " (the end of run %u's, after %zu syscalls)", ia, a->n);
	if (!a->order) {
		strbuf_adds(out, "; ");
		exit_words(pb, out);
		strbuf_addf(out, " (run %u: ", ia);
		exit_words(pa, out);
		strbuf_adds(out, ")");
	}
	strbuf_adds(out, "\n");
	if (d->weak_before)
		strbuf_addf(out, "   (%u earlier stretch%s of timing-dependent syscalls differ too)\n",
			    d->weak_before, d->weak_before == 1 ? "" : "es");
	snprintf(title, sizeof(title), "run %u (passing)", ia);
	strbuf_addf(out, "\n%8s  %-*s  %8s  run %u (failed)\n", "#", (int)c->o->width, title, "#",
		    ib);
	/* a window of rows around where the runs part */
	if (build_rows(c, d, &rs)) {
		strbuf_adds(out, "   (out of memory)\n");
		return;
	}
	from = rs.dep > c->o->context ? rs.dep - c->o->context : 0;
	to = rs.dep + c->o->rows < rs.end ? rs.dep + c->o->rows : rs.end;
	if (from)
		strbuf_addf(out, "%8s  ... %zu rows of this stretch before\n", "", from);
	for (k = from; k < to; k++)
		row(c, d, rs.r[k].op, rs.r[k].a, rs.r[k].b, out);
	if (to < rs.end && d->hunk.realigned)
		strbuf_addf(out, "%8s  ... %zu more rows of this stretch\n", "", rs.end - to);
	else if (!d->hunk.realigned && (d->hunk.a0 + (to - rs.dep) < n ||
					d->hunk.b0 + (to - rs.dep) < m))
		strbuf_addf(out, "%8s  ... %zu more in run %u, %zu more in run %u\n", "",
			    n - (d->hunk.a0 + (to - rs.dep) < n ? d->hunk.a0 + (to - rs.dep) : n), ia,
			    m - (d->hunk.b0 + (to - rs.dep) < m ? d->hunk.b0 + (to - rs.dep) : m), ib);
	if (to == rs.end)
		for (k = rs.end; k < rs.n; k++)
			row(c, d, rs.r[k].op, rs.r[k].a, rs.r[k].b, out);
	free(rs.r);
	/* the departure in full */
	strbuf_adds(out, "\n");
	strbuf_addf(out, "   run %u: ", ia);
	if (d->xa < n)
		fmt_call(c, 0, a->recs[a->pos[d->xa]], true, out);
	else
		strbuf_adds(out, "(no more syscalls)");
	strbuf_addf(out, "\n   run %u: ", ib);
	if (d->yb < m)
		fmt_call(c, 1, b->recs[b->pos[d->yb]], true, out);
	else
		strbuf_adds(out, "(no more syscalls)");
	strbuf_adds(out, "\n   then: ");
	if (!d->hunk.realigned) {
		strbuf_addf(out, "the runs do not realign within %u edits; the rest differs "
			    "(%zu syscall%s left in run %u, %zu in run %u)\n", c->o->max_edits,
			    n - d->xa, PL(n - d->xa), ia, m - d->yb, ib);
		return;
	}
	if (d->hunk.a1 == n && d->hunk.b1 == m) {
		strbuf_addf(out, "this stretch runs to the end of both: %u syscall%s only in run %u, "
			    "%u only in run %u\n", d->hunk.dels, PL(d->hunk.dels), ia, d->hunk.ins, ib);
		return;
	}
	strbuf_addf(out, "realigned after %u syscall%s only in run %u and %u only in run %u; ",
		    d->hunk.dels, PL(d->hunk.dels), ia, d->hunk.ins, ib);
	if (d->stopped)
		strbuf_addf(out, "%u more differing stretch%s before the comparison stopped (its "
			    "budget, or a stretch that does not realign)\n", d->more,
			    d->more == 1 ? "" : "es");
	else if (!d->more)
		strbuf_adds(out, "no other difference\n");
	else
		strbuf_addf(out, "%u more differing stretch%s (%u syscall%s only in run %u, %u only "
			    "in run %u)\n", d->more, d->more == 1 ? "" : "es", d->more_dels,
			    PL(d->more_dels), ia, d->more_ins, ib);
}

static bool agg_err(const struct dv_agg *e)
{
	const struct rt_syscall_event *ev = e->first[1];

	return !(ev->flags & RT_SC_F_UNFINISHED) && ev->ret < 0 && ev->ret >= -4095;
}

static int agg_cmp(const void *x, const void *y)
{
	const struct dv_agg *a = *(const struct dv_agg *const *)x, *b = *(const struct dv_agg *const *)y;
	__u64 ta = a->first[1]->hdr.ts, tb = b->first[1]->hdr.ts;

	if (agg_err(a) != agg_err(b))
		return agg_err(a) ? -1 : 1;
	return ta < tb ? -1 : ta > tb;
}

static int more_cmp(const void *x, const void *y)
{
	const struct dv_agg *a = *(const struct dv_agg *const *)x, *b = *(const struct dv_agg *const *)y;
	__u64 da = a->count[1] - a->count[0], db = b->count[1] - b->count[0];

	return da > db ? -1 : da < db;
}

static void agg_line(struct cmp *c, const struct dv_agg *e, bool both, struct strbuf *out)
{
	const struct rt_syscall_event *ev = e->first[1];
	const struct dv_thread *t = &c->d[1].threads[e->thread[1]];
	size_t k;

	/* where it is in its thread, as the sections count */
	for (k = 0; k < t->n && t->recs[k] != ev; k++)
		;
	if (both)
		strbuf_addf(out, "  %7llu %7llu  ", (unsigned long long)e->count[0],
			    (unsigned long long)e->count[1]);
	else
		strbuf_addf(out, "  %7llu  ", (unsigned long long)e->count[1]);
	fmt_call(c, 1, ev, false, out);
	strbuf_addf(out, "   [pid %u", ev->hdr.pid);
	if (ev->hdr.tid != ev->hdr.pid)
		strbuf_addf(out, " tid %u", ev->hdr.tid);
	strbuf_addf(out, " #%zu]\n", k + 1);
}

static int only_lists(struct cmp *c, struct dv_result *res, struct strbuf *out)
{
	unsigned ia = c->d[0].info->id, ib = c->d[1].info->id;
	const struct dv_agg **only = NULL, **more = NULL;
	size_t nonly = 0, nmore = 0, npass = 0, i;

	only = malloc((c->agg.used + 1) * sizeof(*only));
	more = malloc((c->agg.used + 1) * sizeof(*more));
	if (!only || !more) {
		free(only);
		free(more);
		return -ENOMEM;
	}
	for (i = 0; i < c->agg.cap; i++) {
		const struct dv_agg *e = &c->agg.slots[i];

		if (!e->key)
			continue;
		if (e->count[1] && !e->count[0])
			only[nonly++] = e;
		else if (e->count[0] && !e->count[1])
			npass++;
		else if (e->count[1] > e->count[0] && agg_err(e))
			more[nmore++] = e;
	}
	qsort(only, nonly, sizeof(*only), agg_cmp);
	qsort(more, nmore, sizeof(*more), more_cmp);
	res->only_failed = nonly;
	strbuf_addf(out, "\n== syscalls only in run %u (by name, error and main argument; "
		    "the first of each shown)\n", ib);
	if (!nonly)
		strbuf_adds(out, "   none\n");
	else
		strbuf_addf(out, "  %7s  %s\n", "count", "syscall");
	for (i = 0; i < nonly && i < c->o->max_only; i++)
		agg_line(c, only[i], false, out);
	if (nonly > c->o->max_only)
		strbuf_addf(out, "   ... %zu more\n", nonly - c->o->max_only);
	if (npass)
		strbuf_addf(out, "   (and %zu kind%s of syscall made only in run %u)\n", npass,
			    npass == 1 ? "" : "s", ia);
	if (nmore) {
		strbuf_addf(out, "\n== errors more frequent in run %u\n", ib);
		strbuf_addf(out, "  %7s %7s  %s\n", "run", "run", "syscall");
		strbuf_addf(out, "  %7u %7u\n", ia, ib);
		for (i = 0; i < nmore && i < c->o->max_only; i++)
			agg_line(c, more[i], true, out);
		if (nmore > c->o->max_only)
			strbuf_addf(out, "   ... %zu more\n", nmore - c->o->max_only);
	}
	free(only);
	free(more);
	return 0;
}

/* Processes and threads of run @side with no counterpart: lists them,
 * returns how many processes, adds the threads of matched ones to
 * *@threads. */
static unsigned one_run_only(struct cmp *c, int side, struct strbuf *out, unsigned *threads)
{
	const struct dv_digest *dg = &c->d[side];
	unsigned n = 0;
	size_t i, k;

	for (i = 0; i < dg->nprocs; i++) {
		const struct dv_proc *p = &dg->procs[i];
		__u64 sc = 0;

		if (p->from_exit_only && !p->nthreads && p->parent < 0)
			continue;
		for (k = 0; k < p->nthreads; k++)
			sc += dg->threads[p->threads[k]].n;
		if (p->match < 0) {
			strbuf_addf(out, "   only in run %u: ", dg->info->id);
			proc_label(dg, i, out);
			strbuf_addf(out, ": %llu syscall%s, ", (unsigned long long)sc, PL(sc));
			exit_words(p, out);
			strbuf_addc(out, '\n');
			n++;
			continue;
		}
		for (k = 0; k < p->nthreads; k++) {
			const struct dv_thread *t = &dg->threads[p->threads[k]];

			if (t->match >= 0)
				continue;
			strbuf_addf(out, "   only in run %u: ", dg->info->id);
			thread_label(dg, p->threads[k], out);
			strbuf_addf(out, ": %zu syscall%s\n", t->n, PL(t->n));
			(*threads)++;
		}
	}
	return n;
}

static void header(struct cmp *c, const struct dv_run_info *pinfo,
		   const struct dv_run_info *finfo, struct strbuf *out)
{
	const struct dv_run_info *inf[2] = { pinfo, finfo };
	int s;

	strbuf_addf(out, "runtrace divergence: run %u (failed", finfo->id);
	if (finfo->wait_status >= 0) {
		strbuf_adds(out, ": ");
		status_words(finfo->wait_status, out);
	}
	strbuf_addf(out, ") against run %u, the most recent passing run\n\n", pinfo->id);
	strbuf_adds(out,
		"Each process of one run is matched with a process of the other by the path it\n"
		"exec'd and its place among its parent's children; threads by creation order.\n"
		"Syscalls are compared after leaving out what differs between any two runs:\n"
		"addresses, pids and tids (each stands for its process), fd numbers (each fd\n"
		"stands for what it was opened on), timestamps and durations, digits and\n"
		"temporary names inside strings and data, bytes read from /dev/urandom,\n"
		"ephemeral ports; futex and sched_yield are left out.  Columns: # is the\n"
		"syscall's place in its thread (as in syscalls.log); = same, | the same\n"
		"syscall with other arguments or result, < only in the passing run, > only\n"
		"in the failed run.\n");
	for (s = 0; s < 2; s++) {
		if (inf[s]->dropped)
			strbuf_addf(out, "Note: run %u's first %llu syscall records were let go "
				    "(the spool's bound): its processes are compared from where "
				    "their records begin.\n", inf[s]->id,
				    (unsigned long long)inf[s]->dropped);
		if (inf[s]->lost)
			strbuf_addf(out, "Note: run %u lost %llu records in the kernel (ring buffer "
				    "full): a departure may be a lost record.\n", inf[s]->id,
				    (unsigned long long)inf[s]->lost);
	}
}

/*
 * The summary member: @result, and the failed run's thread @tb (-1: none)
 * with, for a departure @d, the syscalls where it parts from the passing
 * run; without one, the thread's first syscall.
 */
static void json_member(struct cmp *c, const char *result, unsigned passing_run, int tb,
			const struct departure *d, struct strbuf *json)
{
	const struct dv_digest *A = &c->d[0], *B = &c->d[1];
	const struct rt_syscall_event *ev = NULL, *pev = NULL;
	const struct dv_thread *b;
	struct strbuf s = { 0 };
	size_t index = 0;

	strbuf_adds(json, ",\"divergence\":{\"result\":");
	strbuf_add_json_str(json, result, strlen(result));
	if (passing_run)
		strbuf_addf(json, ",\"passing_run\":%u", passing_run);
	else
		strbuf_adds(json, ",\"passing_run\":null");
	if (tb < 0) {
		strbuf_adds(json, ",\"process\":null,\"pid\":null,\"tid\":null,"
			    "\"syscall_index\":null,\"syscall\":null,\"passing\":null}");
		return;
	}
	b = &B->threads[tb];
	if (d) {
		const struct dv_thread *a = &A->threads[d->ta];

		if (d->yb < b->nseq) {
			ev = b->recs[b->pos[d->yb]];
			index = b->pos[d->yb] + 1;
		}
		if (d->xa < a->nseq)
			pev = a->recs[a->pos[d->xa]];
	} else if (b->n) {
		ev = b->recs[0];
		index = 1;
	}
	proc_name(B, b->proc, &s);
	strbuf_adds(json, ",\"process\":");
	strbuf_add_json_str(json, s.buf, s.len);
	strbuf_addf(json, ",\"pid\":%u,\"tid\":%u", B->procs[b->proc].pid, b->tid);
	if (ev) {
		strbuf_reset(&s);
		fmt_call(c, 1, ev, false, &s);
		strbuf_addf(json, ",\"syscall_index\":%zu,\"syscall\":", index);
		strbuf_add_json_str(json, s.buf, s.len);
	} else {
		strbuf_adds(json, ",\"syscall_index\":null,\"syscall\":null");
	}
	strbuf_adds(json, ",\"passing\":");
	if (pev) {
		strbuf_reset(&s);
		fmt_call(c, 0, pev, false, &s);
		strbuf_add_json_str(json, s.buf, s.len);
	} else {
		strbuf_adds(json, "null");
	}
	strbuf_addc(json, '}');
	strbuf_free(&s);
}

static void no_passing(const struct dv_run_info *finfo, struct strbuf *text)
{
	strbuf_addf(text, "runtrace divergence: run %u (failed", finfo->id);
	if (finfo->wait_status >= 0) {
		strbuf_adds(text, ": ");
		status_words(finfo->wait_status, text);
	}
	strbuf_adds(text, ")\n\nNo run has passed yet, so there is nothing to compare this run "
		    "with.\nFailed runs after the first passing run are compared with the most "
		    "recent\npassing run.\n");
}

/* The failed run's first thread with no counterpart (of a process in the
 * failed run only, or an extra thread), by its first syscall; -1 if none. */
static int first_only(const struct dv_digest *B)
{
	__u64 best = ~0ull;
	int bi = -1;
	size_t i;

	for (i = 0; i < B->nthreads; i++) {
		const struct dv_thread *t = &B->threads[i];

		if (t->match < 0 && t->n && t->recs[0]->hdr.ts < best) {
			best = t->recs[0]->hdr.ts;
			bi = i;
		}
	}
	return bi;
}

static int report(struct cmp *c, const struct dv_run_info *pinfo,
		  const struct dv_run_info *finfo, struct strbuf *text, struct strbuf *json,
		  struct dv_result *res)
{
	const struct dv_digest *B = &c->d[1];
	struct strbuf same = { 0 };
	unsigned char *departed;
	unsigned nsame = 0;
	size_t i;
	int err, only_b;

	header(c, pinfo, finfo, text);
	for (i = 0; i < 2; i++) {
		res->procs[i] = 0;
		for (size_t k = 0; k < c->d[i].nprocs; k++)
			res->procs[i] += c->d[i].procs[k].nthreads > 0 || c->d[i].procs[k].parent >= 0 ||
					 (int)k == c->d[i].root;
	}
	for (i = 0; i < B->nprocs; i++)
		res->matched += B->procs[i].match >= 0;
	res->departing = c->ndeps;
	strbuf_addf(text, "\nProcesses: %u in run %u, %u in run %u; %u matched.\n",
		    res->procs[0], pinfo->id, res->procs[1], finfo->id, res->matched);
	only_b = first_only(B);
	if (c->ndeps) {
		const struct departure *d = &c->deps[0];
		const struct dv_thread *b = &B->threads[d->tb];

		strbuf_addf(text, "First departure (the first to return, in run %u): ", finfo->id);
		thread_label(B, d->tb, text);
		if (d->yb < b->nseq) {
			strbuf_addf(text, ", its syscall %u:\n   ", b->pos[d->yb] + 1);
			fmt_call(c, 1, b->recs[b->pos[d->yb]], false, text);
			strbuf_addc(text, '\n');
		} else {
			strbuf_adds(text, ", which made no more syscalls there\n");
		}
		if (c->ndeps > 1)
			strbuf_addf(text, "%zu matched threads depart in all, shown in the order "
				    "their departing syscalls returned.\n", c->ndeps);
	} else {
		strbuf_addf(text, "No matched process or thread departs from run %u's syscalls%s.\n",
			    pinfo->id, c->weak_only ? " (apart from timing-dependent stretches)" : "");
	}
	for (i = 0; i < c->ndeps && i < c->o->max_sections; i++)
		section(c, &c->deps[i], text);
	if (c->ndeps > c->o->max_sections) {
		strbuf_addf(text, "\n== %zu more departing threads\n", c->ndeps - c->o->max_sections);
		for (; i < c->ndeps; i++) {
			const struct departure *d = &c->deps[i];
			const struct dv_thread *b = &B->threads[d->tb];

			strbuf_adds(text, "   ");
			thread_label(B, d->tb, text);
			if (d->yb < b->nseq)
				strbuf_addf(text, ": at its syscall %u\n", b->pos[d->yb] + 1);
			else
				strbuf_adds(text, ": at its end\n");
		}
	}
	/* matched processes whose threads all agree */
	departed = calloc(B->nprocs + 1, 1);
	if (!departed)
		return -ENOMEM;
	for (i = 0; i < c->ndeps; i++)
		departed[B->threads[c->deps[i].tb].proc] = 1;
	for (i = 0; i < B->nprocs; i++) {
		const struct dv_proc *p = &B->procs[i];
		bool dep = departed[i];
		size_t k;

		if (p->match < 0)
			continue;
		for (k = 0; k < p->nthreads && !dep; k++)
			dep = B->threads[p->threads[k]].match < 0;
		if (dep)
			continue;
		if (nsame++ < 10) {
			strbuf_adds(&same, "   ");
			proc_label(B, i, &same);
			strbuf_addc(&same, '\n');
		}
	}
	if (nsame) {
		strbuf_addf(text, "\n== matched processes with the same syscalls in both runs\n%s",
			    same.buf);
		if (nsame > 10)
			strbuf_addf(text, "   ... %u more\n", nsame - 10);
	}
	strbuf_free(&same);
	free(departed);
	err = only_lists(c, res, text);
	if (err)
		return err;
	strbuf_adds(text, "\n== processes and threads in one run only\n");
	i = text->len;
	res->only[1] = one_run_only(c, 1, text, &res->only_threads[1]);
	res->only[0] = one_run_only(c, 0, text, &res->only_threads[0]);
	if (text->len == i)
		strbuf_adds(text, "   none\n");
	res->departs = c->ndeps || res->only[0] || res->only[1] || res->only_threads[0] ||
		       res->only_threads[1];
	/* the summary member: the earliest departure, else a thread or process
	 * in the failed run only, else one in the passing run only */
	if (c->ndeps && (only_b < 0 || c->deps[0].ts <= B->threads[only_b].recs[0]->hdr.ts)) {
		const struct departure *d = &c->deps[0];
		const struct dv_thread *b = &B->threads[d->tb];

		res->pid = B->procs[b->proc].pid;
		res->tid = b->tid;
		res->index = d->yb < b->nseq ? b->pos[d->yb] + 1 : 0;
		json_member(c, "departs", pinfo->id, d->tb, d, json);
	} else if (only_b >= 0) {
		const struct dv_thread *t = &B->threads[only_b];

		res->pid = B->procs[t->proc].pid;
		res->tid = t->tid;
		res->index = 1;
		json_member(c, B->procs[t->proc].match < 0 ? "process only in the failed run" :
			    "thread only in the failed run", pinfo->id, only_b, NULL, json);
	} else if (res->only[0] || res->only_threads[0]) {
		json_member(c, res->only[0] ? "process only in the passing run" :
			    "thread only in the passing run", pinfo->id, -1, NULL, json);
	} else {
		json_member(c, "same syscalls", pinfo->id, -1, NULL, json);
	}
	return 0;
}

int dv_compare(const struct ct_spool *passing, const struct dv_run_info *pinfo,
	       const struct ct_spool *failed, const struct dv_run_info *finfo,
	       const struct dv_opts *opts, struct strbuf *text, struct strbuf *json,
	       struct dv_result *res)
{
	struct dv_result dummy;
	struct dv_classes cl;
	struct dv_opts o;
	struct cmp *c;
	size_t i, tlen = text->len, jlen = json->len;
	int err;

	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	if (!passing) {
		no_passing(finfo, text);
		strbuf_adds(json, ",\"divergence\":{\"result\":\"no passing run\",\"passing_run\":null,"
			    "\"process\":null,\"pid\":null,\"tid\":null,\"syscall_index\":null,"
			    "\"syscall\":null,\"passing\":null}");
		return 0;
	}
	res->compared = true;
	opts_fill(&o, opts);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->o = &o;
	dv_aligner_init(&c->al, o.realign, o.max_edits);
	rt_sc_fmt_init(&c->fmt[0], o.strsize, pinfo->realtime_offset_ns);
	rt_sc_fmt_init(&c->fmt[1], o.strsize, finfo->realtime_offset_ns);
	dv_classes_init(&cl);
	/* digest, match, normalise */
	err = dv_digest_collect(&c->d[0], passing, pinfo, 0);
	if (!err)
		err = dv_digest_collect(&c->d[1], failed, finfo, 1);
	if (!err)
		err = dv_match(&c->d[0], &c->d[1]);
	if (!err)
		err = dv_digest_normalise(&c->d[0], &cl, &c->agg);
	if (!err)
		err = dv_digest_normalise(&c->d[1], &cl, &c->agg);
	/* align each matched thread pair */
	for (i = 0; !err && i < c->d[1].nthreads; i++)
		if (c->d[1].threads[i].match >= 0 && c->d[1].threads[i].h &&
		    c->d[0].threads[c->d[1].threads[i].match].h)
			err = compare_pair(c, c->d[1].threads[i].match, i);
	if (err)
		goto cleanup;
	if (c->ndeps)
		qsort(c->deps, c->ndeps, sizeof(*c->deps), dep_cmp);
	err = report(c, pinfo, finfo, text, json, res);
	res->work = c->al.work;
cleanup:
	if (err) {
		text->len = tlen;
		json->len = jlen;
		if (text->buf)
			text->buf[tlen] = 0;
		if (json->buf)
			json->buf[jlen] = 0;
	}
	for (i = 0; i < c->ndeps; i++)
		free(c->deps[i].path);
	free(c->deps);
	dv_digest_free(&c->d[0]);
	dv_digest_free(&c->d[1]);
	dv_aggmap_free(&c->agg);
	dv_aligner_free(&c->al);
	rt_sc_fmt_free(&c->fmt[0]);
	rt_sc_fmt_free(&c->fmt[1]);
	strbuf_free(&c->line);
	free(c);
	return err;
}
