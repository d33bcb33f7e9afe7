// SPDX-License-Identifier: GPL-2.0-only
/* Target memory readers: process_vm_readv, images, recording. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "python/mem.h"
#include "util/util.h"

#define IMAGE_MAGIC "RTMEMIM1"
#define IMAGE_MAX_SEGS (1u << 20)
#define IMAGE_MAX_BYTES (256ull << 20)

struct range {
	__u64 addr, len;
};

struct memreader {
	const struct memreader_ops *ops;
	void *ctx;
	int recording;
	struct range *rec;
	size_t nrec, caprec;
	__u64 reads, source_reads;
};

struct memreader *memreader__new(const struct memreader_ops *ops, void *ctx)
{
	struct memreader *m = calloc(1, sizeof(*m));

	if (!m) {
		if (ops->free)
			ops->free(ctx);
		errno = ENOMEM;
		return NULL;
	}
	m->ops = ops;
	m->ctx = ctx;
	return m;
}

void memreader__free(struct memreader *m)
{
	if (!m)
		return;
	if (m->ops->free)
		m->ops->free(m->ctx);
	free(m->rec);
	free(m);
}

int memreader__read(struct memreader *m, __u64 addr, void *buf, size_t len)
{
	int err;

	m->reads++;
	if (!len)
		return 0;
	if (addr + len < addr)
		return -EFAULT;
	err = m->ops->read(m->ctx, addr, buf, len);
	if (err || !m->recording)
		return err;
	/* the same range twice in a row is common (a re-read field) */
	if (m->nrec && m->rec[m->nrec - 1].addr == addr && m->rec[m->nrec - 1].len >= len)
		return 0;
	if (array_grow(&m->rec, &m->caprec, m->nrec, sizeof(*m->rec), 256, SIZE_MAX))
		return -ENOMEM;
	m->rec[m->nrec++] = (struct range){addr, len};
	return 0;
}

int memreader__read_u64(struct memreader *m, __u64 addr, __u64 *v)
{
	return memreader__read(m, addr, v, sizeof(*v));
}

int memreader__read_u32(struct memreader *m, __u64 addr, __u32 *v)
{
	return memreader__read(m, addr, v, sizeof(*v));
}

int memreader__read_cstr(struct memreader *m, __u64 addr, char *buf, size_t max)
{
	size_t got = 0;

	if (!max)
		return -EINVAL;
	/* in chunks that do not cross a 64-byte boundary: a string near the
	 * end of a mapping must not fail for bytes past its NUL */
	while (got < max - 1) {
		size_t chunk = 64 - ((addr + got) & 63);
		char *nul;
		int err;

		if (chunk > max - 1 - got)
			chunk = max - 1 - got;
		err = memreader__read(m, addr + got, buf + got, chunk);
		if (err) {
			buf[got] = '\0';
			return err;
		}
		nul = memchr(buf + got, '\0', chunk);
		if (nul)
			return 0;
		got += chunk;
	}
	buf[max - 1] = '\0';
	return -E2BIG;
}

void memreader__invalidate(struct memreader *m)
{
	if (m->ops->invalidate)
		m->ops->invalidate(m->ctx);
}

void memreader__record(struct memreader *m, int on)
{
	m->recording = on;
}

void memreader__stats(const struct memreader *m, __u64 *reads, __u64 *source_reads)
{
	*reads = m->reads;
	*source_reads = m->ops->source_reads ? m->ops->source_reads(m->ctx) : m->reads;
}

/* ---- process_vm_readv, with a small page cache ---- */

#define PAGE 4096ull
#define CACHE_PAGES 256

struct pid_ctx {
	pid_t pid;
	__u64 source_reads;
	__u64 tag[CACHE_PAGES]; /* page address + 1; 0 = empty */
	unsigned char (*data)[PAGE];
};

static int vm_read(struct pid_ctx *p, __u64 addr, void *buf, size_t len)
{
	struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};
	ssize_t n;

	p->source_reads++;
	n = process_vm_readv(p->pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

static int pid_read(void *ctx, __u64 addr, void *buf, size_t len)
{
	struct pid_ctx *p = ctx;
	unsigned char *out = buf;

	if (len > 4 * PAGE)
		return vm_read(p, addr, buf, len);
	while (len) {
		__u64 page = addr & ~(PAGE - 1), in = addr - page;
		size_t slot = (page / PAGE) % CACHE_PAGES, n = len;

		if (n > PAGE - in)
			n = PAGE - in;
		if (p->tag[slot] != page + 1) {
			if (vm_read(p, page, p->data[slot], PAGE)) {
				/* a page that cannot be read whole: exact read */
				p->tag[slot] = 0;
				return vm_read(p, addr, out, len);
			}
			p->tag[slot] = page + 1;
		}
		memcpy(out, p->data[slot] + in, n);
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}

static void pid_free(void *ctx)
{
	struct pid_ctx *p = ctx;

	if (p)
		free(p->data);
	free(p);
}

static void pid_invalidate(void *ctx)
{
	struct pid_ctx *p = ctx;

	memset(p->tag, 0, sizeof(p->tag));
}

static __u64 pid_source_reads(void *ctx)
{
	return ((struct pid_ctx *)ctx)->source_reads;
}

static const struct memreader_ops pid_ops = {
	.read = pid_read, .free = pid_free,
	.invalidate = pid_invalidate, .source_reads = pid_source_reads,
};

struct memreader *memreader__new_pid(pid_t pid)
{
	struct pid_ctx *p = calloc(1, sizeof(*p));

	if (!p || !(p->data = malloc(CACHE_PAGES * PAGE))) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->pid = pid;
	return memreader__new(&pid_ops, p);
}

/* ---- images ---- */

struct image {
	struct mem_segment *segs; /* sorted, merged: disjoint, not adjacent */
	size_t n;
};

static int image_read(void *ctx, __u64 addr, void *buf, size_t len)
{
	struct image *im = ctx;
	size_t lo = 0, hi = im->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mem_segment *s = &im->segs[mid];

		if (addr < s->addr) {
			hi = mid;
		} else if (addr >= s->addr + s->len) {
			lo = mid + 1;
		} else {
			if (addr + len > s->addr + s->len)
				return -EFAULT;
			memcpy(buf, s->data + (addr - s->addr), len);
			return 0;
		}
	}
	return -EFAULT;
}

static void image_free(void *ctx)
{
	struct image *im = ctx;
	size_t i;

	if (!im)
		return;
	for (i = 0; i < im->n; i++)
		free(im->segs[i].data);
	free(im->segs);
	free(im);
}

static const struct memreader_ops image_ops = {.read = image_read, .free = image_free};

static int cmp_seg(const void *a, const void *b)
{
	const struct mem_segment *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Sort and merge overlapping or adjacent segments: later ones win. */
static int image_build(struct image *im, const struct mem_segment *segs, size_t n)
{
	struct mem_segment *tmp = calloc(n ? n : 1, sizeof(*tmp));
	size_t i, j;

	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, segs, n * sizeof(*tmp));
	/* keep the input order for "later wins": stable by index */
	for (i = 0; i < n; i++)
		tmp[i].data = (unsigned char *)(uintptr_t)i;
	qsort(tmp, n, sizeof(*tmp), cmp_seg);
	im->segs = calloc(n ? n : 1, sizeof(*im->segs));
	if (!im->segs) {
		free(tmp);
		return -ENOMEM;
	}
	for (i = 0; i < n;) {
		__u64 start = tmp[i].addr, end = tmp[i].addr + tmp[i].len;
		struct mem_segment *o;

		for (j = i + 1; j < n && tmp[j].addr <= end; j++)
			if (tmp[j].addr + tmp[j].len > end)
				end = tmp[j].addr + tmp[j].len;
		o = &im->segs[im->n];
		o->addr = start;
		o->len = end - start;
		o->data = malloc(o->len ? o->len : 1);
		if (!o->data) {
			free(tmp);
			return -ENOMEM;
		}
		im->n++;
		/* copy in input order so that later segments win */
		for (size_t k = 0; k < n; k++) {
			const struct mem_segment *s = &segs[k];

			if (s->addr >= start && s->addr + s->len <= end)
				memcpy(o->data + (s->addr - start), s->data, s->len);
		}
		i = j;
	}
	free(tmp);
	return 0;
}

struct memreader *memreader__new_segments(const struct mem_segment *segs, size_t n)
{
	struct image *im = calloc(1, sizeof(*im));
	int err;

	if (!im) {
		errno = ENOMEM;
		return NULL;
	}
	err = image_build(im, segs, n);
	if (err) {
		image_free(im);
		errno = -err;
		return NULL;
	}
	return memreader__new(&image_ops, im);
}

static int read_exact(FILE *f, void *buf, size_t len)
{
	return fread(buf, 1, len, f) == len ? 0 : -EINVAL;
}

struct memreader *memreader__load_image(const char *path)
{
	struct mem_segment *segs = NULL;
	struct memreader *m = NULL;
	char magic[8];
	__u32 hdr[2];
	__u64 total = 0;
	size_t i, n = 0;
	FILE *f;
	int err;

	f = fopen(path, "rb");
	if (!f)
		return NULL;
	err = read_exact(f, magic, sizeof(magic));
	if (!err && memcmp(magic, IMAGE_MAGIC, sizeof(magic)))
		err = -EINVAL;
	if (!err)
		err = read_exact(f, hdr, sizeof(hdr));
	if (!err && hdr[0] > IMAGE_MAX_SEGS)
		err = -EINVAL;
	if (err)
		goto cleanup;
	segs = calloc(hdr[0] ? hdr[0] : 1, sizeof(*segs));
	if (!segs) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < hdr[0]; i++) {
		__u64 h[2];

		err = read_exact(f, h, sizeof(h));
		if (err)
			goto cleanup;
		total += h[1];
		if (total > IMAGE_MAX_BYTES) {
			err = -EINVAL;
			goto cleanup;
		}
		segs[i].addr = h[0];
		segs[i].len = h[1];
		segs[i].data = malloc(h[1] ? h[1] : 1);
		n++;
		if (!segs[i].data) {
			err = -ENOMEM;
			goto cleanup;
		}
		err = read_exact(f, segs[i].data, h[1]);
		if (err)
			goto cleanup;
	}
	m = memreader__new_segments(segs, n);
	if (!m)
		err = -errno;
cleanup:
	for (i = 0; i < n; i++)
		free(segs[i].data);
	free(segs);
	fclose(f);
	if (err)
		errno = -err;
	return m;
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int memreader__save_image(struct memreader *m, const char *path)
{
	struct range *r = NULL;
	unsigned char *buf = NULL;
	size_t i, n = 0;
	FILE *f = NULL;
	__u32 hdr[2] = {0, 0};
	int err = 0, was = m->recording;

	m->recording = 0;
	if (m->nrec) {
		r = malloc(m->nrec * sizeof(*r));
		if (!r) {
			err = -ENOMEM;
			goto cleanup;
		}
		memcpy(r, m->rec, m->nrec * sizeof(*r));
		qsort(r, m->nrec, sizeof(*r), cmp_range);
		for (i = 0; i < m->nrec; i++) {
			if (n && r[i].addr <= r[n - 1].addr + r[n - 1].len) {
				if (r[i].addr + r[i].len > r[n - 1].addr + r[n - 1].len)
					r[n - 1].len = r[i].addr + r[i].len - r[n - 1].addr;
				continue;
			}
			r[n++] = r[i];
		}
	}
	f = fopen(path, "wb");
	if (!f) {
		err = -errno;
		goto cleanup;
	}
	hdr[0] = (__u32)n;
	if (fwrite(IMAGE_MAGIC, 1, 8, f) != 8 || fwrite(hdr, sizeof(hdr), 1, f) != 1) {
		err = -EIO;
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		__u64 h[2] = {r[i].addr, r[i].len};

		free(buf);
		buf = malloc(r[i].len);
		if (!buf) {
			err = -ENOMEM;
			goto cleanup;
		}
		err = m->ops->read(m->ctx, r[i].addr, buf, r[i].len);
		if (err)
			goto cleanup;
		if (fwrite(h, sizeof(h), 1, f) != 1 || fwrite(buf, 1, r[i].len, f) != r[i].len) {
			err = -EIO;
			goto cleanup;
		}
	}
	if (fclose(f)) {
		f = NULL;
		err = -errno;
		goto cleanup;
	}
	f = NULL;
cleanup:
	if (f)
		fclose(f);
	free(buf);
	free(r);
	m->recording = was;
	return err;
}
