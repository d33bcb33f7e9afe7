// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <bpf/bpf.h>

#include "engine/bpfmap.h"
#include "util/util.h"

int map_delete_where(int fd, void *val, bool (*match)(__u32 key, const void *val, void *ctx),
		     void *ctx)
{
	__u32 key, next, *keys = NULL;
	size_t n = 0, cap = 0, i;
	bool first = true;
	int err = 0;

	while (bpf_map_get_next_key(fd, first ? NULL : &key, &next) == 0) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, val) || !match(key, val, ctx))
			continue;
		err = array_grow(&keys, &cap, n, sizeof(*keys), 64, SIZE_MAX);
		if (err)
			break;
		keys[n++] = key;
	}
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	free(keys);
	return err ? err : (int)n;
}
