// SPDX-License-Identifier: GPL-2.0-only
#include "dispatch.h"

int dispatch_record(struct sink *sinks, int nsinks, struct rt_run *cur, const void *data,
		    size_t size, struct dispatch_counters *c)
{
	const struct rt_hdr *h = data;
	int i;

	if (size < sizeof(*h) || h->size > size || h->size < sizeof(*h) || !h->type ||
	    h->type >= RT_EV_MAX) {
		c->malformed++;
		return 0;
	}
	if (!cur || h->run != cur->id) {
		c->stale++;
		return 0;
	}
	for (i = 0; i < nsinks; i++) {
		struct sink *k = &sinks[i];

		if (!(k->types & (1u << h->type)) || !k->ops->event)
			continue;
		if (k->ops->event(k->self, cur, h, h->size))
			c->rejected++;
	}
	return 0;
}
