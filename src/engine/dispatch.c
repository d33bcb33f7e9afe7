// SPDX-License-Identifier: GPL-2.0-only
#include "engine/dispatch.h"

/* Check one record's header and hand it to every sink that wants its
 * type.  @size: bytes available from @data. */
static void dispatch_one(struct sink *sinks, int nsinks, struct rt_run *cur,
			 const struct rt_hdr *h, size_t size, struct dispatch_counters *c)
{
	int i;

	if (size < sizeof(*h) || h->size > size || h->size < sizeof(*h) || !h->type ||
	    h->type >= RT_EV_MAX || h->type == RT_EV_BATCH) {
		c->malformed++;
		return;
	}
	if (!cur || h->run != cur->id) {
		c->stale++;
		return;
	}
	for (i = 0; i < nsinks; i++) {
		struct sink *k = &sinks[i];

		if (!(k->types & (1u << h->type)) || !k->ops->event)
			continue;
		if (k->ops->event(k->self, cur, h, h->size))
			c->rejected++;
	}
}

int dispatch_record(struct sink *sinks, int nsinks, struct rt_run *cur, const void *data,
		    size_t size, struct dispatch_counters *c)
{
	const struct rt_hdr *h = data;
	size_t off, end;

	if (size < sizeof(*h) || h->type != RT_EV_BATCH) {
		dispatch_one(sinks, nsinks, cur, h, size, c);
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
		dispatch_one(sinks, nsinks, cur, r, r->size, c);
		off += r->size;
	}
	if (off != end)
		c->malformed++;
	return 0;
}
