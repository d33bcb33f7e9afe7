// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>

#include "engine/dispatch.h"
#include "util/util.h"

int run_table_add(struct run_table *t, struct rt_run *run)
{
	int err = array_grow(&t->v, &t->cap, t->n, sizeof(*t->v), 8, 1 << 20);

	if (err)
		return err;
	t->v[t->n++] = run;
	return 0;
}

void run_table_del(struct run_table *t, const struct rt_run *run)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->v[i] == run) {
			t->v[i] = t->v[--t->n];
			break;
		}
	}
	if (t->last == run)
		t->last = NULL;
}

struct rt_run *run_table_find(struct run_table *t, __u32 id)
{
	size_t i;

	if (t->last && t->last->id == id)
		return t->last;
	for (i = 0; i < t->n; i++)
		if (t->v[i]->id == id)
			return t->last = t->v[i];
	return NULL;
}

void run_table_free(struct run_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
	t->last = NULL;
}

/* Check one record's header and hand it to every sink that wants its
 * type.  @size: bytes available from @data. */
static void dispatch_one(struct sink *sinks, int nsinks, struct run_table *runs,
			 const struct rt_hdr *h, size_t size, struct dispatch_counters *c)
{
	struct rt_run *run;
	int i;

	if (size < sizeof(*h) || h->size > size || h->size < sizeof(*h) || !h->type ||
	    h->type >= RT_EV_MAX || h->type == RT_EV_BATCH) {
		c->malformed++;
		return;
	}
	run = h->run ? run_table_find(runs, h->run) : NULL;
	if (!run) {
		c->stale++;
		return;
	}
	for (i = 0; i < nsinks; i++) {
		struct sink *k = &sinks[i];

		if (!(k->types & (1u << h->type)) || !k->ops->event)
			continue;
		if (k->ops->event(k->self, run, h, h->size))
			c->rejected++;
	}
}

int dispatch_records(struct sink *sinks, int nsinks, struct run_table *runs, const void *data,
		     size_t size, struct dispatch_counters *c)
{
	const struct rt_hdr *h = data;
	size_t off, end;

	if (size < sizeof(*h) || h->type != RT_EV_BATCH) {
		dispatch_one(sinks, nsinks, runs, h, size, c);
		return 0;
	}
	/* a batch: records back to back, each 8-byte aligned */
	if (h->size > size || h->size < sizeof(*h)) {
		c->malformed++;
		return 0;
	}
	end = h->size;
	for (off = sizeof(*h); off + sizeof(*h) <= end;) {
		const struct rt_hdr *r = (const void *)((const char *)data + off);

		if (r->size < sizeof(*r) || r->size % 8 || r->size > end - off) {
			c->malformed++; /* the rest cannot be framed */
			return 0;
		}
		dispatch_one(sinks, nsinks, runs, r, r->size, c);
		off += r->size;
	}
	if (off != end)
		c->malformed++;
	return 0;
}

int dispatch_record(struct sink *sinks, int nsinks, struct rt_run *cur, const void *data,
		    size_t size, struct dispatch_counters *c)
{
	struct rt_run *one[1] = { cur };
	struct run_table t = { .v = one, .n = cur ? 1 : 0, .cap = 1 };

	return dispatch_records(sinks, nsinks, &t, data, size, c);
}
