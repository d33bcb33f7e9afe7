// SPDX-License-Identifier: GPL-2.0-only
/* A memreader over a record's copied segments, with a fallback. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "calls/capmem.h"
#include "runtrace/calls.h"

#define CAPMEM_MAX_SEGS 64

struct capmem {
	struct memreader *reader;   /* over this capmem; owns it */
	struct memreader *fallback;
	struct {
		__u64 addr;
		size_t len;
		const unsigned char *bytes;
	} segs[CAPMEM_MAX_SEGS];
	unsigned nseg;
};

static int cap_read(void *ctx, __u64 addr, void *buf, size_t len)
{
	struct capmem *c = ctx;
	unsigned i;

	/* the latest copy wins (a later segment may hold the same object) */
	for (i = c->nseg; i-- > 0;) {
		if (addr >= c->segs[i].addr && addr + len <= c->segs[i].addr + c->segs[i].len) {
			memcpy(buf, c->segs[i].bytes + (addr - c->segs[i].addr), len);
			return 0;
		}
	}
	if (!c->fallback)
		return -EFAULT;
	return memreader__read(c->fallback, addr, buf, len);
}

static void cap_free(void *ctx)
{
	free(ctx);
}

static void cap_invalidate(void *ctx)
{
	struct capmem *c = ctx;

	if (c->fallback)
		memreader__invalidate(c->fallback);
}

static const struct memreader_ops cap_ops = {
	.read = cap_read,
	.free = cap_free,
	.invalidate = cap_invalidate,
};

struct capmem *capmem__new(struct memreader *fallback)
{
	struct capmem *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fallback = fallback;
	c->reader = memreader__new(&cap_ops, c);
	if (!c->reader) {
		free(c);
		return NULL;
	}
	return c;
}

void capmem__free(struct capmem *c)
{
	if (c)
		memreader__free(c->reader); /* frees c through cap_free */
}

struct memreader *capmem__reader(struct capmem *c)
{
	return c->reader;
}

int capmem__set(struct capmem *c, const void *data, size_t len, unsigned nseg)
{
	const unsigned char *p = data, *end = p + len;
	unsigned i;

	c->nseg = 0;
	for (i = 0; i < nseg; i++) {
		struct rt_call_seg s;

		if ((size_t)(end - p) < sizeof(s))
			return -EINVAL;
		memcpy(&s, p, sizeof(s));
		p += sizeof(s);
		if (s.len > (size_t)(end - p))
			return -EINVAL;
		if (c->nseg < CAPMEM_MAX_SEGS) {
			c->segs[c->nseg].addr = s.addr;
			c->segs[c->nseg].len = s.len;
			c->segs[c->nseg].bytes = p;
			c->nseg++;
		}
		p += (s.len + 7) & ~7u;
		if (p > end)
			p = end;
	}
	return 0;
}

const void *capmem__find(struct capmem *c, __u64 addr, size_t *len)
{
	unsigned i;

	for (i = c->nseg; i-- > 0;)
		if (c->segs[i].addr == addr) {
			*len = c->segs[i].len;
			return c->segs[i].bytes;
		}
	return NULL;
}
