// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bounded Myers search for where two differing sequences realign
 * (align.h).  Coordinates inside a search are relative to its start:
 * X in a, Y in b, diagonal k = X - Y.  Round d keeps, for each diagonal
 * -d..d (step 2), the furthest X a path of d edits reaches on it; all
 * rounds are kept (d^2 longs) to walk the path back.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "diverge/align.h"

#define NONE LONG_MIN /* no path of this many edits reaches this diagonal */

void dv_aligner_init(struct dv_aligner *al, unsigned realign, unsigned max_edits)
{
	memset(al, 0, sizeof(*al));
	al->realign = realign ? realign : 1;
	al->max_edits = max_edits;
}

void dv_aligner_free(struct dv_aligner *al)
{
	free(al->hist);
	free(al->path);
	al->hist = NULL;
	al->path = NULL;
}

size_t dv_snake(const __u64 *a, size_t n, const __u64 *b, size_t m, size_t x, size_t y,
		__u64 *work)
{
	size_t s = 0;

	while (x + s < n && y + s < m && a[x + s] == b[y + s])
		s++;
	*work += s + 1;
	return s;
}

/* Round d's value of diagonal k (NONE outside -d..d). */
static long vget(const long *hist, long d, long k)
{
	if (k < -d || k > d)
		return NONE;
	return hist[d * d + k + d];
}

/* Where round @d lands on diagonal @k with one edit from round d-1: down
 * from diagonal k+1 (an element only in b) if @down, else right from k-1
 * (an element only in a); NONE if that leaves the N x M box. */
static long land(const long *hist, long d, long k, long N, long M, bool down)
{
	long x = down ? vget(hist, d - 1, k + 1) : vget(hist, d - 1, k - 1);

	if (x == NONE)
		return NONE;
	if (!down)
		x++;
	return (down ? x - k <= M : x <= N) ? x : NONE;
}

/* The further of the two landings (Myers' choice); *@down tells which. */
static long step(const long *hist, long d, long k, long N, long M, bool *down)
{
	long xd = land(hist, d, k, N, M, true), xr = land(hist, d, k, N, M, false);

	*down = xd != NONE && xd > xr;
	return *down ? xd : xr;
}

static int path_add(struct dv_aligner *al, char op, size_t a, size_t b)
{
	if (al->npath == al->path_cap) {
		size_t cap = al->path_cap ? al->path_cap * 2 : 64;
		struct dv_edit *p = realloc(al->path, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		al->path = p;
		al->path_cap = cap;
	}
	al->path[al->npath++] = (struct dv_edit){ .op = op, .a = a, .b = b };
	return 0;
}

/* Walk the path back from round @dend, diagonal @kend, point X = @xend
 * (the start of the final snake), reached by a last move down if
 * @last_down, then put it in order. */
static int backtrack(struct dv_aligner *al, size_t x0, size_t y0, long N, long M, long dend,
		     long kend, long xend, bool last_down, struct dv_hunk *h)
{
	long d, k = kend, X = xend, i;
	size_t lo, hi;
	bool down;
	int err;

	al->npath = 0;
	h->dels = h->ins = 0;
	for (d = dend; d > 0; d--) {
		long xm;

		if (d == dend) {
			down = last_down;
			xm = land(al->hist, d, k, N, M, down);
		} else {
			xm = step(al->hist, d, k, N, M, &down);
		}

		for (i = X - 1; i >= xm; i--) {
			err = path_add(al, '=', x0 + i, y0 + i - k);
			if (err)
				return err;
		}
		if (down) {
			err = path_add(al, '+', x0 + xm, y0 + xm - k - 1);
			h->ins++;
			k++;
			X = xm;
		} else {
			err = path_add(al, '-', x0 + xm - 1, y0 + xm - 1 - (k - 1));
			h->dels++;
			k--;
			X = xm - 1;
		}
		if (err)
			return err;
	}
	for (lo = 0, hi = al->npath; hi > lo + 1; lo++, hi--) {
		struct dv_edit t = al->path[lo];

		al->path[lo] = al->path[hi - 1];
		al->path[hi - 1] = t;
	}
	return 0;
}

int dv_hunk_find(struct dv_aligner *al, const __u64 *a, size_t n, const __u64 *b, size_t m,
		 size_t x0, size_t y0, struct dv_hunk *h)
{
	long N = n - x0, M = m - y0, d, k;
	const __u64 *ra = a + x0, *rb = b + y0;

	memset(h, 0, sizeof(*h));
	h->a0 = x0;
	h->b0 = y0;
	al->npath = 0;
	for (d = 0; d <= (long)al->max_edits && d <= N + M; d++) {
		size_t need = (size_t)(d + 1) * (d + 1);
		long *cur;

		if (need > al->hist_cap) {
			size_t cap = al->hist_cap ? al->hist_cap * 2 : 1024;
			long *p;

			while (cap < need)
				cap *= 2;
			p = realloc(al->hist, cap * sizeof(*p));
			if (!p)
				return -ENOMEM;
			al->hist = p;
			al->hist_cap = cap;
		}
		cur = al->hist + d * d;
		for (k = -d; k <= d; k += 2) {
			long X, Y, s = 0, xo, so = 0;
			bool down = false;

			X = d ? step(al->hist, d, k, N, M, &down) : 0;
			al->work++;
			if (X == NONE) {
				cur[k + d] = NONE;
				continue;
			}
			Y = X - k;
			while (X + s < N && Y + s < M && ra[X + s] == rb[Y + s])
				s++;
			al->work += s;
			cur[k + d] = X + s;
			if (!d)
				continue;
			if (s >= (long)al->realign || (X + s == N && Y + s == M)) {
				h->realigned = true;
				h->d = d;
				h->a1 = x0 + X;
				h->b1 = y0 + Y;
				return backtrack(al, x0, y0, N, M, d, k, X, down, h);
			}
			/* the other landing, short of the furthest: it may start the
			 * run the furthest one landed inside */
			xo = land(al->hist, d, k, N, M, !down);
			if (xo == NONE || xo >= X)
				continue;
			while (so < (long)al->realign && xo + so < N && xo - k + so < M &&
			       ra[xo + so] == rb[xo - k + so])
				so++;
			al->work += so + 1;
			if (so >= (long)al->realign || (xo + so == N && xo - k + so == M)) {
				h->realigned = true;
				h->d = d;
				h->a1 = x0 + xo;
				h->b1 = y0 + xo - k;
				return backtrack(al, x0, y0, N, M, d, k, xo, !down, h);
			}
		}
	}
	return 0;
}
