// SPDX-License-Identifier: GPL-2.0-only
/* stat, md5 (libmd) and DVC directory hashes, atomic writes. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <md5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files/fsio.h"
#include "util/util.h"

int rt_files_stat_real(void *ctx, const char *path, struct rt_files_facts *f)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	if (stat(path, &st) && lstat(path, &st)) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == ENAMETOOLONG)
			return 0;
		return -errno;
	}
	f->exists = true;
	f->is_dir = S_ISDIR(st.st_mode);
	f->is_exec = S_ISREG(st.st_mode) && (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH));
	f->size = st.st_size;
	f->mtime_ns = (__s64)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return 0;
}

static void hex16(const unsigned char d[16], char *hex)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 16; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[32] = 0;
}

static int md5_fd(int fd, char hex[33], __u64 *size)
{
	unsigned char buf[65536], d[MD5_DIGEST_LENGTH];
	__u64 total = 0;
	MD5_CTX c;
	ssize_t n;

	MD5Init(&c);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		MD5Update(&c, buf, n);
		total += n;
	}
	MD5Final(d, &c);
	hex16(d, hex);
	if (size)
		*size = total;
	return 0;
}

int rt_files_md5_file(const char *path, char hex[33], __u64 *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = md5_fd(fd, hex, size);
	close(fd);
	return err;
}

unsigned rt_fsdecode_cp(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	unsigned c = s[0], cp, need, min, i;

	if (c < 0x80) {
		*p = s + 1;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf)
		need = 1, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3, cp = c & 0x07, min = 0x10000;
	else
		goto bad;
	if ((size_t)(end - s) <= need)
		goto bad;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		goto bad;
	*p = s + need + 1;
	return cp;
bad:
	*p = s + 1;
	return 0xdc00 + c;
}

/* Python's comparison of two str (code point order) of fs-decoded bytes. */
static int py_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const void *)a, *y = (const void *)b;
	const unsigned char *xe = x + strlen(a), *ye = y + strlen(b);

	while (x < xe && y < ye) {
		unsigned cx = rt_fsdecode_cp(&x, xe), cy = rt_fsdecode_cp(&y, ye);

		if (cx != cy)
			return cx < cy ? -1 : 1;
	}
	return (x < xe) - (y < ye);
}

static int dir_file_cmp(const void *a, const void *b)
{
	return py_cmp(((const struct rt_dvc_dir_file *)a)->relpath,
		      ((const struct rt_dvc_dir_file *)b)->relpath);
}

/* @s as Python's json.dumps (ensure_ascii) writes a str. */
static void py_json_str(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const void *)s, *end = p + strlen(s);

	strbuf_addc(out, '"');
	while (p < end) {
		unsigned cp = rt_fsdecode_cp(&p, end);

		switch (cp) {
		case '"': strbuf_adds(out, "\\\""); break;
		case '\\': strbuf_adds(out, "\\\\"); break;
		case '\n': strbuf_adds(out, "\\n"); break;
		case '\r': strbuf_adds(out, "\\r"); break;
		case '\t': strbuf_adds(out, "\\t"); break;
		case '\b': strbuf_adds(out, "\\b"); break;
		case '\f': strbuf_adds(out, "\\f"); break;
		default:
			if (cp >= 0x20 && cp < 0x7f)
				strbuf_addc(out, cp);
			else if (cp < 0x10000)
				strbuf_addf(out, "\\u%04x", cp);
			else
				strbuf_addf(out, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
					    0xdc00 + ((cp - 0x10000) & 0x3ff));
		}
	}
	strbuf_addc(out, '"');
}

void rt_dvc_dir_json(struct strbuf *out, struct rt_dvc_dir_file *files, size_t n)
{
	size_t i;

	if (n)
		qsort(files, n, sizeof(*files), dir_file_cmp);
	strbuf_addc(out, '[');
	for (i = 0; i < n; i++) {
		strbuf_adds(out, i ? ", {\"md5\": " : "{\"md5\": ");
		py_json_str(out, files[i].md5);
		strbuf_adds(out, ", \"relpath\": ");
		py_json_str(out, files[i].relpath);
		strbuf_addc(out, '}');
	}
	strbuf_addc(out, ']');
}

struct walk {
	struct rt_dvc_dir_file *v;
	size_t n, cap;
	struct strbuf rel;
	int depth;
};

/* Collect the files below directory @dirfd (relative name so far in
 * w->rel). */
static int walk_dir(struct walk *w, int dirfd)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	size_t len = w->rel.len;
	int err = 0;

	if (!d) {
		err = -errno;
		close(dirfd);
		return err;
	}
	if (++w->depth > 256) {
		err = -ELOOP;
		goto cleanup;
	}
	while ((errno = 0, de = readdir(d))) {
		struct stat st;
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, ".git"))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			err = -errno;
			goto cleanup;
		}
		if (S_ISLNK(st.st_mode)) {
			/* os.walk: a link to a file is a file, one to a directory
			 * is not entered */
			if (fstatat(dirfd, de->d_name, &st, 0)) {
				if (errno == ENOENT || errno == ELOOP)
					continue; /* dangling: not a file */
				err = -errno;
				goto cleanup;
			}
			if (S_ISDIR(st.st_mode))
				continue;
		}
		if (S_ISDIR(st.st_mode) && (!strcmp(de->d_name, ".hg") || !strcmp(de->d_name, ".dvc")))
			continue;
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
			continue;
		w->rel.len = len;
		if (w->rel.buf)
			w->rel.buf[len] = 0;
		if (len)
			strbuf_addc(&w->rel, '/');
		strbuf_adds(&w->rel, de->d_name);
		fd = openat(dirfd, de->d_name, O_RDONLY | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
		if (fd < 0) {
			err = -errno;
			goto cleanup;
		}
		if (S_ISDIR(st.st_mode)) {
			if ((err = walk_dir(w, fd)))
				goto cleanup;
			continue;
		}
		if ((err = array_grow(&w->v, &w->cap, w->n, sizeof(*w->v), 64, SIZE_MAX / sizeof(*w->v)))) {
			close(fd);
			goto cleanup;
		}
		memset(&w->v[w->n], 0, sizeof(w->v[0]));
		err = md5_fd(fd, w->v[w->n].md5, &w->v[w->n].size);
		close(fd);
		if (err)
			goto cleanup;
		w->v[w->n].relpath = strdup(w->rel.buf);
		if (!w->v[w->n++].relpath) {
			err = -ENOMEM;
			goto cleanup;
		}
	}
	if (errno)
		err = -errno;
cleanup:
	w->depth--;
	w->rel.len = len;
	if (w->rel.buf)
		w->rel.buf[len] = 0;
	closedir(d);
	return err;
}

int rt_files_md5_dir(const char *path, char hex[40], __u64 *nfiles, __u64 *size)
{
	struct walk w = { 0 };
	struct strbuf json = { 0 };
	unsigned char d[MD5_DIGEST_LENGTH];
	__u64 total = 0;
	MD5_CTX c;
	size_t i;
	int fd, err;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if ((err = walk_dir(&w, fd)))
		goto cleanup;
	rt_dvc_dir_json(&json, w.v, w.n);
	MD5Init(&c);
	MD5Update(&c, (const unsigned char *)json.buf, json.len);
	MD5Final(d, &c);
	hex16(d, hex);
	strcat(hex, ".dir");
	for (i = 0; i < w.n; i++)
		total += w.v[i].size;
	*nfiles = w.n;
	*size = total;
cleanup:
	for (i = 0; i < w.n; i++)
		free(w.v[i].relpath);
	free(w.v);
	strbuf_free(&w.rel);
	strbuf_free(&json);
	return err;
}

int rt_files_view_hash(struct rt_files_view *v, bool all)
{
	size_t i;
	int err;

	for (i = 0; i < v->n; i++) {
		struct rt_files_entry *e = &v->v[i];

		if (!e->facts.exists || e->hashed)
			continue;
		if (!all && !e->input && !e->output)
			continue;
		if (e->facts.is_dir) {
			if (!e->output)
				continue;
			err = rt_files_md5_dir(e->abspath, e->md5, &e->nfiles, &e->size);
		} else {
			err = rt_files_md5_file(e->abspath, e->md5, &e->size);
		}
		if (err) {
			rt_err("cannot hash %s: %s", e->abspath, strerror(-err));
			return err;
		}
		e->hashed = true;
	}
	return 0;
}

int rt_files_write_atomic(const char *path, const void *data, size_t len)
{
	char *tmp = NULL;
	mode_t mask;
	int fd, err = 0;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		tmp = NULL;
		err = -ENOMEM;
		goto cleanup;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		goto cleanup;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask))
		err = -errno;
	else
		err = write_all(fd, data, len);
	if (close(fd) && !err)
		err = -errno;
	if (err) {
		unlink(tmp);
		goto cleanup;
	}
	if (rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
	}
cleanup:
	if (err)
		rt_err("cannot write %s: %s", path, strerror(-err));
	free(tmp);
	return err;
}
