/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading another process's memory: one interface, several sources.
 *
 *	struct memreader *m = memreader__new_pid(pid);       // a live process
 *	struct memreader *m = memreader__load_image(path);   // a saved image
 *	__u64 v;
 *	if (memreader__read(m, addr, &v, sizeof(v)) == 0) ...
 *
 * memreader__record() makes a reader remember the ranges read through it;
 * memreader__save_image() writes them with their bytes as an image that
 * memreader__load_image() replays: the unit tests of the CPython reader
 * run on images captured from real processes (tools/py-capture).
 */
#ifndef RUNTRACE_PYTHON_MEM_H
#define RUNTRACE_PYTHON_MEM_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

/* A source of target memory. */
struct memreader_ops {
	/* Copy @len bytes at @addr into @buf: 0, or -EFAULT when any byte
	 * is not readable (nothing partial is promised), or -errno. */
	int (*read)(void *ctx, __u64 addr, void *buf, size_t len);
	/* Release ctx (may be NULL). */
	void (*free)(void *ctx);
	/* Drop cached bytes (may be NULL: nothing cached). */
	void (*invalidate)(void *ctx);
	/* Reads that reached the real source (may be NULL: all of them). */
	__u64 (*source_reads)(void *ctx);
};

/* An image segment: @len bytes of the target at @addr. */
struct mem_segment {
	__u64 addr;
	__u64 len;
	unsigned char *data;
};

struct memreader;

/* A reader over custom @ops; @ctx is released by ops->free. */
struct memreader *memreader__new(const struct memreader_ops *ops, void *ctx);
/* process_vm_readv on @pid (needs ptrace access: root or same user).
 * Reads are cached by page until memreader__invalidate(). */
struct memreader *memreader__new_pid(pid_t pid);
/* An image: @n segments copied (overlaps allowed; the later one wins). */
struct memreader *memreader__new_segments(const struct mem_segment *segs, size_t n);
/* An image file written by memreader__save_image.  NULL with errno
 * (EINVAL: not an image). */
struct memreader *memreader__load_image(const char *path);
void memreader__free(struct memreader *m);

int memreader__read(struct memreader *m, __u64 addr, void *buf, size_t len);
/* Pointer-sized and small reads. */
int memreader__read_u64(struct memreader *m, __u64 addr, __u64 *v);
int memreader__read_u32(struct memreader *m, __u64 addr, __u32 *v);
/* A NUL-terminated string of at most @max - 1 bytes into @buf (always
 * terminated): 0 or -errno (-E2BIG if no NUL within @max, with the
 * prefix copied). */
int memreader__read_cstr(struct memreader *m, __u64 addr, char *buf, size_t max);

/* Forget cached bytes: the target ran since. */
void memreader__invalidate(struct memreader *m);

/* Start (or stop, @on 0) remembering the ranges read successfully. */
void memreader__record(struct memreader *m, int on);
/* Write the ranges recorded so far (merged) with their bytes, read again
 * through @m, to @path.  0 or -errno. */
int memreader__save_image(struct memreader *m, const char *path);
/* Counters: reads requested, and reads that reached the source (after the
 * cache) -- what a BPF walker would have to do is the former. */
void memreader__stats(const struct memreader *m, __u64 *reads, __u64 *source_reads);

#endif
