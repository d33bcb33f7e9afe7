// SPDX-License-Identifier: GPL-2.0-only
/* The interpreter's probe sites and layout, from its ELF file. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pystep/target.h"
#include "python/layout.h"
#include "python/reader.h"
#include "symbols/elf.h"
#include "symbols/maps.h"

static const char *const usdt_names[3] = { "line", "function__entry", "function__return" };
static const enum ps_site usdt_sites[3] = { PS_SITE_LINE, PS_SITE_CALL, PS_SITE_RETURN };

static int func_offset(struct ps_target *t, const char *name, enum ps_site site, char *err,
		       size_t errlen)
{
	const struct elf_sym *s = elf_file__find_sym(t->ef, name);

	if (!s || s->kind != ELF_SYM_FUNC) {
		snprintf(err, errlen, "%s has no function %s", t->path, name);
		return -ENOENT;
	}
	if (elf_file__vaddr_to_offset(t->ef, s->value, &t->site_offset[site])) {
		snprintf(err, errlen, "%s: %s is not in the file", t->path, name);
		return -ENOENT;
	}
	return 0;
}

int ps_target_open(const char *python, struct ps_target *t, char *err, size_t errlen)
{
	const struct elf_usdt *u;
	const struct elf_sym *rt;
	char ver[32];
	__u8 nop;
	size_t n, i, k;
	bool found[3] = {0};
	int ret;

	memset(t, 0, sizeof(*t));
	if (!realpath(python, t->path)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", python, strerror(errno));
		return ret;
	}
	t->ef = elf_file__open(t->path);
	if (!t->ef) {
		ret = -errno;
		snprintf(err, errlen, "cannot read %s: %s", t->path, strerror(errno));
		return ret;
	}
	ret = pytarget_version_of(t->path, &t->version);
	if (ret) {
		snprintf(err, errlen, "%s: not a CPython interpreter", t->path);
		goto fail;
	}
	/* 3.11: the line probe reaches every RESUME (function__entry) and the
	 * thread state is in _PyRuntime.gilstate */
	t->o = pylayout_find(t->version);
	if ((t->version >> 16) != 0x030b || !t->o) {
		snprintf(err, errlen, "%s is Python %s: pystep supports CPython 3.11", t->path,
			 pylayout_version_str(t->version, ver, sizeof(ver)));
		ret = -ENOTSUP;
		goto fail;
	}
	t->pie = elf_file__is_dyn(t->ef);
	rt = elf_file__find_sym(t->ef, "_PyRuntime");
	if (!rt) {
		snprintf(err, errlen, "%s has no _PyRuntime symbol", t->path);
		ret = -ENOENT;
		goto fail;
	}
	t->runtime = rt->value;
	u = elf_file__usdts(t->ef, &n);
	for (i = 0; i < n; i++) {
		if (strcmp(u[i].provider, "python"))
			continue;
		for (k = 0; k < 3; k++) {
			if (strcmp(u[i].name, usdt_names[k]) || found[k])
				continue;
			if (!u[i].semaphore) {
				snprintf(err, errlen, "%s: USDT python:%s has no semaphore",
					 t->path, usdt_names[k]);
				ret = -ENOTSUP;
				goto fail;
			}
			/* x86's STAP_PROBE: a one-byte nop; the next instruction
			 * runs exactly when it does */
			if (elf_file__read_vaddr(t->ef, u[i].pc, &nop, 1) || nop != 0x90) {
				snprintf(err, errlen, "%s: USDT python:%s is not a one-byte nop",
					 t->path, usdt_names[k]);
				ret = -ENOTSUP;
				goto fail;
			}
			found[k] = true;
			t->site_offset[usdt_sites[k]] = u[i].pc_offset + 1;
			t->semaphore[usdt_sites[k]] = u[i].semaphore;
		}
	}
	for (k = 0; k < 3; k++)
		if (!found[k]) {
			snprintf(err, errlen,
				 "%s has no USDT probe python:%s (a CPython built --with-dtrace, "
				 "such as Debian's /usr/bin/python3.11, is needed)",
				 t->path, usdt_names[k]);
			ret = -ENOTSUP;
			goto fail;
		}
	ret = func_offset(t, "PyEval_EvalCode", PS_SITE_START, err, errlen);
	if (!ret)
		ret = func_offset(t, "PyTraceBack_Here", PS_SITE_EXC, err, errlen);
	if (ret)
		goto fail;
	return 0;
fail:
	ps_target_close(t);
	return ret;
}

void ps_target_close(struct ps_target *t)
{
	elf_file__free(t->ef);
	t->ef = NULL;
}

int ps_target_bias(const struct ps_target *t, pid_t pid, __s64 *bias)
{
	const struct map_entry *e;
	struct maps m;
	int err;

	*bias = 0;
	if (!t->pie)
		return 0;
	err = maps_read(pid, &m);
	if (err)
		return err;
	e = maps_find_path(&m, t->path);
	err = e ? elf_file__load_bias(t->ef, e->start, e->offset, bias) : -ENOENT;
	maps_free(&m);
	return err;
}
