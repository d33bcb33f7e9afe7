// SPDX-License-Identifier: GPL-2.0-only
/* Where a process's CPython is: the object holding _PyRuntime, its version. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "python/layout.h"
#include "python/reader.h"
#include "symbols/proc.h"

/* "python3.11", "libpython3.11.so.1.0", "python3.11d" -> 3.11.0 */
static int version_from_name(const char *path, __u32 *version)
{
	const char *base = strrchr(path, '/'), *p;
	unsigned maj, min;

	base = base ? base + 1 : path;
	p = strstr(base, "python");
	if (!p || sscanf(p + 6, "%u.%u", &maj, &min) != 2 || maj != 3)
		return -ENOENT;
	*version = PY_VERSION_HEX_OF(maj, min, 0);
	return 0;
}

static int version_from_elf(const struct elf_file *ef, __u32 *version)
{
	const struct elf_sym *s = elf_file__find_sym(ef, "Py_Version");
	__u32 v;

	/* Py_Version: const unsigned long = PY_VERSION_HEX (3.11+) */
	if (!s || s->size < sizeof(v) || elf_file__read_vaddr(ef, s->value, &v, sizeof(v)))
		return -ENOENT;
	if ((v >> 24) != 3)
		return -EINVAL;
	*version = v;
	return 0;
}

int pytarget_version_of(const char *path, __u32 *version)
{
	struct elf_file *ef = elf_file__open(path);
	int err = -ENOENT;

	if (ef) {
		err = version_from_elf(ef, version);
		elf_file__free(ef);
	}
	return err ? version_from_name(path, version) : 0;
}

int pytarget_find(const struct symproc *sp, struct pytarget *t)
{
	const struct sym_module *mods;
	size_t n, i;

	memset(t, 0, sizeof(*t));
	mods = symproc__modules(sp, &n);
	for (i = 0; i < n; i++) {
		const struct sym_module *m = &mods[i];
		const struct elf_sym *s;

		if (!m->elf)
			continue;
		s = elf_file__find_sym(m->elf, "_PyRuntime");
		if (!s)
			continue;
		snprintf(t->module, sizeof(t->module), "%s", m->path);
		t->runtime_addr = s->value + (__u64)m->bias;
		if (version_from_elf(m->elf, &t->version) &&
		    version_from_name(m->path, &t->version)) {
			/* a statically linked embedder: try every file name */
			size_t j;

			for (j = 0; j < n; j++)
				if (!version_from_name(mods[j].path, &t->version))
					break;
		}
		t->offsets = t->version ? pylayout_find(t->version) : NULL;
		return t->offsets ? 0 : -ENOTSUP;
	}
	return -ENOENT;
}
