// SPDX-License-Identifier: GPL-2.0-only
/* Lookups in the generated syscall table, the BPF capture spec it implies,
 * and the -e trace= expression parser.  Pure: no I/O. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls/table.h"

const struct rt_sc_desc *rt_sc_desc(__u32 nr)
{
	if (nr >= RT_SC_NR_MAX || !rt_sc_table[nr].name)
		return NULL;
	return &rt_sc_table[nr];
}

int rt_sc_lookup(const char *name)
{
	int i;

	for (i = 0; i < RT_SC_NR_MAX; i++)
		if (rt_sc_table[i].name && !strcmp(rt_sc_table[i].name, name))
			return i;
	return -1;
}

const char *rt_flag_name(const struct rt_flag *tab, unsigned long val)
{
	for (; tab->name; tab++)
		if (tab->val == val)
			return tab->name;
	return NULL;
}

__u64 rt_sc_capture_spec(__u32 nr)
{
	const struct rt_sc_desc *d = rt_sc_desc(nr);
	int i, ncap = 0, last = 0;
	__u64 spec = 0;

	if (!d || d->nargs <= 0)
		return 0;
	for (i = 0; i < d->nargs; i++) {
		__u8 c = 0, l = d->lenidx[i] & 7;

		switch (d->kinds[i]) {
		case RT_A_PATH: c = RT_CAP_PATH; break;
		case RT_A_STR: c = RT_CAP_STR; break;
		case RT_A_BUFIN: c = RT_CAP(RT_CAP_BUF_IN, l); break;
		case RT_A_BUFOUT: c = RT_CAP_BUF_OUT; break;
		case RT_A_SOCKADDR: c = RT_CAP(RT_CAP_SOCKADDR, l); break;
		case RT_A_SOCKADDROUT: c = RT_CAP(RT_CAP_SOCKADDR_OUT, l); break;
		case RT_A_WAITSTATUS: c = RT_CAP_INT_OUT; break;
		case RT_A_PIPEFDS: c = RT_CAP_INT2_OUT; break;
		case RT_A_IOVIN: c = RT_CAP(RT_CAP_IOV_IN, l); break;
		case RT_A_IOVOUT: c = RT_CAP(RT_CAP_IOV_OUT, l); break;
		case RT_A_ARGV:
			c = RT_CAP_ARGV;
			spec |= RT_CAP_AT_ENTER;
			break;
		default: break;
		}
		spec |= (__u64)c << (i * 8);
		if (c)
			ncap++, last = i;
	}
	/* a lone data buffer goes the fixed-size fast path */
	if (ncap == 1 && (RT_CAP_KIND(spec >> (last * 8)) == RT_CAP_BUF_IN ||
			  RT_CAP_KIND(spec >> (last * 8)) == RT_CAP_BUF_OUT))
		spec |= RT_CAP_DIRECT | (__u64)last << 50;
	return spec;
}

static const struct {
	const char *name;
	unsigned mask;
} classes[] = {
	{ "file", RT_SC_CL_FILE }, { "network", RT_SC_CL_NETWORK },
	{ "net", RT_SC_CL_NETWORK }, { "process", RT_SC_CL_PROCESS },
	{ "signal", RT_SC_CL_SIGNAL }, { "memory", RT_SC_CL_MEMORY },
	{ "desc", RT_SC_CL_DESC },
};

static void set_bit(__u64 *bm, int nr, bool on)
{
	if (on)
		bm[nr / 64] |= 1ull << (nr % 64);
	else
		bm[nr / 64] &= ~(1ull << (nr % 64));
}

int rt_sc_filter_parse(const char *expr, __u64 bitmap[RT_SC_NR_MAX / 64], bool *high,
		       char *err, size_t errlen)
{
	char *copy = NULL, *tok, *save = NULL;
	bool negate = false;
	int ret = 0, i;
	unsigned j;

	memset(bitmap, 0, RT_SC_NR_MAX / 8);
	*high = false;
	if (!strncmp(expr, "trace=", 6))
		expr += 6;
	if (*expr == '!') {
		negate = true;
		expr++;
	}
	copy = strdup(expr);
	if (!copy) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			memset(bitmap, 0xff, RT_SC_NR_MAX / 8);
			*high = true;
		} else if (!strcmp(tok, "none")) {
			continue;
		} else if (tok[0] == '%') {
			for (j = 0; j < sizeof(classes) / sizeof(classes[0]); j++)
				if (!strcmp(tok + 1, classes[j].name))
					break;
			if (j == sizeof(classes) / sizeof(classes[0])) {
				snprintf(err, errlen, "unknown syscall class '%s' in -e trace= "
					 "(known: %%file %%network %%process %%signal %%memory %%desc)", tok);
				ret = -EINVAL;
				goto cleanup;
			}
			for (i = 0; i < RT_SC_NR_MAX; i++)
				if (rt_sc_table[i].classes & classes[j].mask)
					set_bit(bitmap, i, true);
		} else {
			char *end;
			long nr;

			i = rt_sc_lookup(tok);
			if (i < 0 && !strncmp(tok, "syscall_", 8)) {
				nr = strtol(tok + 8, &end, 10);
				if (!*end && nr >= 0 && nr < RT_SC_NR_MAX)
					i = nr;
			}
			if (i < 0) {
				snprintf(err, errlen, "unknown syscall '%s' in -e trace=", tok);
				ret = -EINVAL;
				goto cleanup;
			}
			set_bit(bitmap, i, true);
		}
	}
	if (negate) {
		for (i = 0; i < RT_SC_NR_MAX / 64; i++)
			bitmap[i] = ~bitmap[i];
		*high = !*high;
	}
cleanup:
	free(copy);
	return ret;
}
