/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Alignment of two sequences of normalised syscall hashes, for
 * src/diverge/diverge.c (exported for the unit tests).
 *
 * Not a whole diff: what a divergence report needs is where the sequences
 * first part, and where they come together again.  The common prefix is a
 * straight walk.  From a point where they differ, a Myers O(ND) search
 * (Myers 1986, "An O(ND) difference algorithm and its variations") runs
 * round by round of edit count d and stops at the first furthest-reaching
 * point followed by @realign matching elements (or by the end of both):
 * the fewest edits after which the runs agree again.  d is capped
 * (@max_edits), so one search costs O(max_edits^2 * realign) at most,
 * whatever the sequences' length; the caller walks the matching stretch
 * that follows in linear time and searches again.
 */
#ifndef RUNTRACE_DIVERGE_ALIGN_H
#define RUNTRACE_DIVERGE_ALIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* One row of an alignment. */
struct dv_edit {
	char op;     /* '=': both; '-': only in a (passing); '+': only in b (failed) */
	__u32 a, b;  /* indices in a and b (the one of the absent side: where it would be) */
};

/* A stretch where the sequences differ. */
struct dv_hunk {
	size_t a0, b0;   /* where it starts: a[a0] != b[b0], or one side ended */
	size_t a1, b1;   /* where the sequences match again (realigned), else undefined */
	unsigned d;      /* edits in it (realigned) */
	unsigned dels;   /* elements only in a */
	unsigned ins;    /* elements only in b */
	bool realigned;  /* found within max_edits */
};

struct dv_aligner {
	unsigned realign;    /* matching elements that end a hunk */
	unsigned max_edits;  /* edits searched before giving up */
	__u64 work;          /* steps taken, all searches (diagonal visits + comparisons) */
	/* the last hunk's rows, from (a0, b0) to (a1, b1), matches inside included */
	struct dv_edit *path;
	size_t npath, path_cap;
	/* internal: furthest-reaching x of each diagonal, for every round */
	long *hist;
	size_t hist_cap;
};

void dv_aligner_init(struct dv_aligner *al, unsigned realign, unsigned max_edits);
void dv_aligner_free(struct dv_aligner *al);

/* How many elements match from a[x], b[y] on. */
size_t dv_snake(const __u64 *a, size_t n, const __u64 *b, size_t m, size_t x, size_t y,
		__u64 *work);

/*
 * The hunk starting at (@x0, @y0), where a[x0] != b[y0] or one sequence
 * has ended (not both): fills @h, and al->path if it realigned.  0, or
 * -ENOMEM.
 */
int dv_hunk_find(struct dv_aligner *al, const __u64 *a, size_t n, const __u64 *b, size_t m,
		 size_t x0, size_t y0, struct dv_hunk *h);

#endif
