// SPDX-License-Identifier: GPL-2.0-only
/* A memreader over a record's copied segments. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "calls/capmem.h"
#include "runtrace/calls.h"

#define CAPMEM_MAX_SEGS 1024

struct capmem {
	struct memreader *reader;   /* over this capmem; owns it */
	struct {
		__u64 addr;
		size_t len, span;
		unsigned flags;
		const unsigned char *bytes;
	} segs[CAPMEM_MAX_SEGS];
	unsigned nseg;
};

static int cap_read(void *ctx, __u64 addr, void *buf, size_t len)
{
	struct capmem *c = ctx;
	unsigned i;

	if (addr + len < addr)
		return -EFAULT;
	/* bytes copied first, the latest copy first (an object may be copied
	 * twice: the later copy is at least as long) */
	for (i = c->nseg; i-- > 0;) {
		if (addr >= c->segs[i].addr && addr + len <= c->segs[i].addr + c->segs[i].len) {
			memcpy(buf, c->segs[i].bytes + (addr - c->segs[i].addr), len);
			return 0;
		}
	}
	/* then within a span: zeros, and over them whatever bytes were
	 * copied there */
	for (i = c->nseg; i-- > 0;) {
		if (addr >= c->segs[i].addr && addr + len <= c->segs[i].addr + c->segs[i].span)
			break;
	}
	if (i == (unsigned)-1)
		return -EFAULT;
	memset(buf, 0, len);
	for (i = 0; i < c->nseg; i++) {
		__u64 lo = addr > c->segs[i].addr ? addr : c->segs[i].addr;
		__u64 hi = addr + len < c->segs[i].addr + c->segs[i].len ?
				   addr + len : c->segs[i].addr + c->segs[i].len;

		if (lo < hi)
			memcpy((char *)buf + (lo - addr), c->segs[i].bytes + (lo - c->segs[i].addr),
			       hi - lo);
	}
	return 0;
}

static void cap_free(void *ctx)
{
	free(ctx);
}

static const struct memreader_ops cap_ops = {
	.read = cap_read,
	.free = cap_free,
};

struct capmem *capmem__new(void)
{
	struct capmem *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
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

		if ((size_t)(end - p) < sizeof(s)) {
			c->nseg = 0;
			return -EINVAL;
		}
		memcpy(&s, p, sizeof(s));
		p += sizeof(s);
		if (s.len > (size_t)(end - p)) {
			c->nseg = 0;
			return -EINVAL;
		}
		if (c->nseg < CAPMEM_MAX_SEGS) {
			c->segs[c->nseg].addr = s.addr;
			c->segs[c->nseg].len = s.len;
			c->segs[c->nseg].span = s.span > s.len ? s.span : s.len;
			c->segs[c->nseg].flags = s.flags;
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

__u64 capmem__flagged(struct capmem *c, unsigned flags, unsigned i)
{
	unsigned k;

	for (k = 0; k < c->nseg; k++)
		if ((c->segs[k].flags & flags) && i-- == 0)
			return c->segs[k].addr;
	return 0;
}
