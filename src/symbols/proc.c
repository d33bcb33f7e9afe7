// SPDX-License-Identifier: GPL-2.0-only
/* A process's loaded ELF objects: names to attach points, addresses to names. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/proc.h"
#include "util/util.h"

struct symproc {
	struct maps maps;
	struct sym_module *mods;
	size_t nmods;
};

static int copy_maps(const struct maps *src, struct maps *dst)
{
	size_t i;

	dst->v = calloc(src->n ? src->n : 1, sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	for (i = 0; i < src->n; i++) {
		dst->v[i] = src->v[i];
		dst->v[i].path = strdup(src->v[i].path);
		if (!dst->v[i].path) {
			dst->n = i;
			return -ENOMEM;
		}
	}
	dst->n = src->n;
	return 0;
}

static struct sym_module *find_mod(struct symproc *sp, const char *path)
{
	size_t i;

	for (i = 0; i < sp->nmods; i++)
		if (!strcmp(sp->mods[i].path, path))
			return &sp->mods[i];
	return NULL;
}

/* One module per file-backed path; the bias from its executable mapping
 * (else its first one). */
static int build_modules(struct symproc *sp, const char *root)
{
	size_t i, cap = 0;
	int err;

	for (i = 0; i < sp->maps.n; i++) {
		const struct map_entry *e = &sp->maps.v[i];
		struct sym_module *m;

		if (!e->inode || e->path[0] != '/')
			continue;
		m = find_mod(sp, e->path);
		if (!m) {
			size_t plen = strlen(root) + strlen(e->path) + 1;
			char *op;

			err = array_grow(&sp->mods, &cap, sp->nmods, sizeof(*sp->mods), 16, SIZE_MAX);
			if (err)
				return err;
			m = &sp->mods[sp->nmods++];
			memset(m, 0, sizeof(*m));
			m->path = e->path;
			op = malloc(plen);
			if (!op)
				return -ENOMEM;
			snprintf(op, plen, "%s%s", root, e->path);
			m->open_path = op;
			m->start = e->start;
			m->elf = elf_file__open(op);
			m->err = m->elf ? 0 : -errno;
			if (m->elf && elf_file__load_bias(m->elf, e->start, e->offset, &m->bias))
				m->bias = 0;
		}
		if (e->end > m->end)
			m->end = e->end;
		if (m->elf && strchr(e->perms, 'x'))
			elf_file__load_bias(m->elf, e->start, e->offset, &m->bias);
	}
	return 0;
}

struct symproc *symproc__new_maps(const struct maps *m, const char *root)
{
	struct symproc *sp = calloc(1, sizeof(*sp));
	int err;

	if (!sp) {
		err = -ENOMEM;
		goto cleanup;
	}
	err = copy_maps(m, &sp->maps);
	if (err)
		goto cleanup;
	err = build_modules(sp, root);
	if (err)
		goto cleanup;
	return sp;
cleanup:
	symproc__free(sp);
	errno = -err;
	return NULL;
}

struct symproc *symproc__new(pid_t pid)
{
	struct symproc *sp;
	struct maps m;
	char root[64];
	int err;

	err = maps_read(pid, &m);
	if (err) {
		errno = -err;
		return NULL;
	}
	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	sp = symproc__new_maps(&m, root);
	err = errno;
	maps_free(&m);
	errno = err;
	return sp;
}

void symproc__free(struct symproc *sp)
{
	size_t i;

	if (!sp)
		return;
	for (i = 0; i < sp->nmods; i++) {
		elf_file__free(sp->mods[i].elf);
		free((char *)sp->mods[i].open_path);
	}
	free(sp->mods);
	maps_free(&sp->maps);
	free(sp);
}

const struct maps *symproc__maps(const struct symproc *sp)
{
	return &sp->maps;
}

const struct sym_module *symproc__modules(const struct symproc *sp, size_t *n)
{
	*n = sp->nmods;
	return sp->mods;
}

const struct sym_module *symproc__module_at(const struct symproc *sp, __u64 addr)
{
	const struct map_entry *e = maps_find_addr(&sp->maps, addr);
	size_t i;

	if (!e)
		return NULL;
	for (i = 0; i < sp->nmods; i++)
		if (!strcmp(sp->mods[i].path, e->path))
			return &sp->mods[i];
	return NULL;
}

const struct sym_module *symproc__module(const struct symproc *sp, const char *name)
{
	size_t i;

	for (i = 0; i < sp->nmods; i++)
		if (maps_module_matches(sp->mods[i].path, name))
			return &sp->mods[i];
	return NULL;
}

static int locate(const struct sym_module *m, const struct elf_sym *s, struct sym_loc *out)
{
	out->mod = m;
	out->sym = s;
	out->path = m->open_path;
	out->addr = s->value + (__u64)m->bias;
	out->file_offset = 0;
	return elf_file__vaddr_to_offset(m->elf, s->value, &out->file_offset) ? -ENOEXEC : 0;
}

int symproc__resolve(const struct symproc *sp, const char *spec, struct sym_loc *out)
{
	const char *colon = strrchr(spec, ':');
	size_t i;

	memset(out, 0, sizeof(*out));
	/* "ns::f" is a C++ name, not module "ns:" */
	while (colon && colon > spec && colon[-1] == ':') {
		const char *c = colon - 1;

		colon = NULL;
		while (c > spec && !colon) {
			c--;
			if (*c == ':' && c[1] != ':' && (c == spec || c[-1] != ':'))
				colon = c;
		}
	}
	if (colon && colon != spec && colon[1]) {
		char *mod = strndup(spec, colon - spec);
		const struct sym_module *m;
		const struct elf_sym *s;

		if (!mod)
			return -ENOMEM;
		m = symproc__module(sp, mod);
		free(mod);
		if (!m || !m->elf)
			return -ENOENT;
		out->mod = m;
		s = elf_file__find_sym(m->elf, colon + 1);
		return s ? locate(m, s, out) : -ENOENT;
	}
	/* the main executable is the first file mapped (lowest address in
	 * practice for both PIE and non-PIE) */
	for (i = 0; i < sp->nmods; i++) {
		const struct sym_module *m = &sp->mods[i];
		const struct elf_sym *s;

		if (!m->elf)
			continue;
		s = elf_file__find_sym(m->elf, spec);
		if (s)
			return locate(m, s, out);
	}
	return -ENOENT;
}

char *symproc__addr_str(const struct symproc *sp, __u64 addr, char *buf, size_t len)
{
	const struct sym_module *m = symproc__module_at(sp, addr);
	const struct elf_sym *s = NULL;
	const char *base;
	__u64 off = 0;

	if (!m) {
		snprintf(buf, len, "0x%" PRIx64, (uint64_t)addr);
		return buf;
	}
	base = strrchr(m->path, '/');
	base = base ? base + 1 : m->path;
	if (m->elf)
		s = elf_file__sym_at(m->elf, addr - (__u64)m->bias, &off);
	if (!s)
		snprintf(buf, len, "0x%" PRIx64 " [%s]", (uint64_t)addr, base);
	else if (off)
		snprintf(buf, len, "%s+0x%" PRIx64 " [%s]", s->demangled ? s->demangled : s->name,
			 (uint64_t)off, base);
	else
		snprintf(buf, len, "%s [%s]", s->demangled ? s->demangled : s->name, base);
	return buf;
}
