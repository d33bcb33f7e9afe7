// SPDX-License-Identifier: GPL-2.0-only
/* /proc/PID/maps parsing. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/maps.h"
#include "util/util.h"

#define DELETED_SUFFIX " (deleted)"

/* One line: "start-end perms offset major:minor inode   path". */
static int parse_line(const char *line, size_t len, struct map_entry *e)
{
	unsigned long long start, end, offset, inode;
	unsigned major, minor;
	char perms[5];
	int pos = 0;
	char *text = strndup(line, len);
	const char *path;
	size_t plen;
	int err;

	if (!text)
		return -ENOMEM;
	if (sscanf(text, "%llx-%llx %4s %llx %x:%x %llu%n", &start, &end, perms, &offset,
		   &major, &minor, &inode, &pos) != 7 || start > end) {
		err = -EINVAL;
		goto cleanup;
	}
	path = text + pos;
	while (*path == ' ' || *path == '\t')
		path++;
	memset(e, 0, sizeof(*e));
	e->start = start;
	e->end = end;
	e->offset = offset;
	e->inode = inode;
	e->dev_major = major;
	e->dev_minor = minor;
	memcpy(e->perms, perms, sizeof(perms));
	plen = strlen(path);
	if (plen > strlen(DELETED_SUFFIX) &&
	    !strcmp(path + plen - strlen(DELETED_SUFFIX), DELETED_SUFFIX)) {
		e->deleted = true;
		plen -= strlen(DELETED_SUFFIX);
	}
	e->path = strndup(path, plen);
	err = e->path ? 0 : -ENOMEM;
cleanup:
	free(text);
	return err;
}

int maps_parse(const char *text, struct maps *out)
{
	struct maps m = {0};
	size_t cap = 0;
	const char *p = text;
	int err = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len) {
			err = array_grow(&m.v, &cap, m.n, sizeof(*m.v), 64, SIZE_MAX);
			if (err)
				goto cleanup;
			err = parse_line(p, len, &m.v[m.n]);
			if (err)
				goto cleanup;
			m.n++;
		}
		p += len + (nl ? 1 : 0);
	}
	*out = m;
	return 0;
cleanup:
	maps_free(&m);
	memset(out, 0, sizeof(*out));
	return err;
}

int maps_read(pid_t pid, struct maps *out)
{
	char path[64];
	char *text;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	text = read_file_at(AT_FDCWD, path, 16u << 20, NULL);
	if (!text)
		return -errno;
	err = maps_parse(text, out);
	free(text);
	return err;
}

void maps_free(struct maps *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

const struct map_entry *maps_find_addr(const struct maps *m, __u64 addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < m->v[mid].start)
			hi = mid;
		else if (addr >= m->v[mid].end)
			lo = mid + 1;
		else
			return &m->v[mid];
	}
	return NULL;
}

bool maps_module_matches(const char *path, const char *name)
{
	const char *base, *nbase;
	size_t n;

	if (!path[0] || path[0] == '[' || !name[0])
		return false;
	if (!strcmp(path, name))
		return true;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	/* "./app" or "dir/lib.so": compare base names only when the name
	 * has no directory part that could disagree. */
	nbase = strrchr(name, '/');
	if (nbase) {
		if (strncmp(name, "./", 2) || strchr(name + 2, '/'))
			return false;
		name = nbase + 1;
	}
	if (!strcmp(base, name))
		return true;
	n = strlen(name);
	return !strncmp(base, name, n) && (base[n] == '.' || base[n] == '-');
}

const struct map_entry *maps_find_module(const struct maps *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (maps_module_matches(m->v[i].path, name))
			return &m->v[i];
	return NULL;
}

const struct map_entry *maps_find_path(const struct maps *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].path, path))
			return &m->v[i];
	return NULL;
}
