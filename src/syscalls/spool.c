// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "syscalls/spool.h"

#define CHUNK_SIZE (4u << 20)
#define SPARE_MAX 16 /* chunks kept for the next run (64 MiB) */

struct ct_chunk {
	struct ct_chunk *next;
	size_t used;
	unsigned char data[CHUNK_SIZE];
};

/*
 * Chunks are mapped directly, and kept out of forked children
 * (MADV_DONTFORK): runtrace forks once per run, and fork copies the page
 * tables of every resident page it would inherit.
 */
static struct ct_chunk *chunk_new(void)
{
	void *p = mmap(NULL, sizeof(struct ct_chunk), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, sizeof(struct ct_chunk), MADV_DONTFORK);
	return p;
}

static void chunk_free(struct ct_chunk *c)
{
	munmap(c, sizeof(*c));
}

/* Each record is stored as its __u32 length padded to 8 bytes, then the
 * bytes, so every record starts 8-aligned (it holds __u64 fields). */
#define SLOT_HDR 8

static size_t slot(size_t len)
{
	return (SLOT_HDR + len + 7) & ~(size_t)7;
}

void ct_spool_init(struct ct_spool *s, __u64 max_events, size_t max_bytes)
{
	memset(s, 0, sizeof(*s));
	s->max_events = max_events;
	s->max_bytes = max_bytes;
}

/* Let the oldest record go. */
static void drop_oldest(struct ct_spool *s)
{
	struct ct_chunk *c = s->head;
	__u32 len;

	if (!c)
		return;
	memcpy(&len, c->data + s->head_off, sizeof(len));
	s->head_off += slot(len);
	s->bytes -= slot(len);
	s->count--;
	s->dropped++;
	if (s->head_off >= c->used) {
		s->head = c->next;
		if (!s->head)
			s->tail = NULL;
		s->head_off = 0;
		c->next = s->spare;
		s->spare = c;
	}
}

int ct_spool_push(struct ct_spool *s, const void *rec, size_t len)
{
	size_t need = slot(len);
	struct ct_chunk *c = s->tail;
	__u32 l = len;

	if (len > CT_SPOOL_REC_MAX)
		return -EINVAL;
	s->seen++;
	while ((s->max_events && s->count >= s->max_events) ||
	       (s->max_bytes && s->count && s->bytes + need > s->max_bytes))
		drop_oldest(s);
	if (!c || c->used + need > CHUNK_SIZE) {
		c = s->spare;
		if (c) {
			s->spare = c->next;
		} else {
			c = chunk_new();
			if (!c)
				return -ENOMEM;
		}
		c->next = NULL;
		c->used = 0;
		if (s->tail)
			s->tail->next = c;
		else
			s->head = c;
		s->tail = c;
	}
	memcpy(c->data + c->used, &l, sizeof(l));
	memcpy(c->data + c->used + SLOT_HDR, rec, len);
	c->used += need;
	s->bytes += need;
	s->count++;
	return 0;
}

void ct_spool_reset(struct ct_spool *s)
{
	struct ct_chunk *c = s->head, *next;
	int nspare = 0;

	for (c = s->spare; c; c = c->next)
		nspare++;
	for (c = s->head; c; c = next) {
		next = c->next;
		if (nspare >= SPARE_MAX) {
			chunk_free(c);
			continue;
		}
		c->next = s->spare;
		s->spare = c;
		nspare++;
	}
	s->head = s->tail = NULL;
	s->head_off = 0;
	s->count = s->dropped = s->seen = 0;
	s->bytes = 0;
}

void ct_spool_free(struct ct_spool *s)
{
	struct ct_chunk *c, *next;

	ct_spool_reset(s);
	for (c = s->spare; c; c = next) {
		next = c->next;
		chunk_free(c);
	}
	s->spare = NULL;
}

void ct_spool_iter_init(const struct ct_spool *s, struct ct_spool_iter *it)
{
	it->chunk = s->head;
	it->off = s->head_off;
}

const void *ct_spool_next(struct ct_spool_iter *it, size_t *len)
{
	const void *rec;
	__u32 l;

	while (it->chunk && it->off >= it->chunk->used) {
		it->chunk = it->chunk->next;
		it->off = 0;
	}
	if (!it->chunk)
		return NULL;
	memcpy(&l, it->chunk->data + it->off, sizeof(l));
	rec = it->chunk->data + it->off + SLOT_HDR;
	it->off += slot(l);
	*len = l;
	return rec;
}
