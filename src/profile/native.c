// SPDX-License-Identifier: GPL-2.0-only
/* Native functions on a blocked thread's stack, from userspace. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "profile/native.h"

int pf_parse_syscall_file(const char *text, __u64 *sp, __u64 *pc)
{
	unsigned long long a[6], s, p;
	long nr;

	if (!strncmp(text, "running", 7))
		return -EAGAIN;
	if (sscanf(text, "%ld", &nr) != 1)
		return -EINVAL;
	if (nr < 0)
		return -EAGAIN; /* blocked, not in a syscall */
	if (sscanf(text, "%ld %llx %llx %llx %llx %llx %llx %llx %llx", &nr, &a[0], &a[1], &a[2],
		   &a[3], &a[4], &a[5], &s, &p) != 9)
		return -EINVAL;
	*sp = s;
	*pc = p;
	return 0;
}

__u64 pf_native_mask(const struct pf_funcs *fs, __u64 pc, const __u64 *words, size_t n,
		     pf_read8_fn read8, void *ctx)
{
	__u64 mask = 0;
	size_t i, k;

	for (i = 0; i < fs->n; i++) {
		const struct pf_func *f = &fs->v[i];
		__u8 c[8];

		if (!f->native || !f->resolved)
			continue;
		if (pc >= f->start && pc <= f->end) {
			mask |= 1ull << f->slot;
			continue;
		}
		for (k = 0; k < n; k++) {
			if (words[k] <= f->start || words[k] > f->end)
				continue;
			if (!read8(ctx, words[k], c) && rt_profile_call_before(c)) {
				mask |= 1ull << f->slot;
				break;
			}
		}
	}
	return mask;
}
