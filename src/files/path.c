// SPDX-License-Identifier: GPL-2.0-only
/* Lexical path work for the file-access model and its outputs. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files/path.h"

const char *const rt_path_default_ignore[] = { ".git", ".dvc", "__pycache__", "*.pyc" };
const size_t rt_path_default_nignore = sizeof(rt_path_default_ignore) / sizeof(rt_path_default_ignore[0]);

/* Append the components of @s to @out (an absolute path, "" standing for
 * "/"), applying "." and ".." as the kernel would without symlinks. */
static void push_components(struct strbuf *out, const char *s)
{
	while (*s) {
		const char *e;
		size_t n;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		n = e ? (size_t)(e - s) : strlen(s);
		if (n == 1 && s[0] == '.') {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			char *slash = out->len ? strrchr(out->buf, '/') : NULL;

			if (slash) {
				out->len = slash - out->buf;
				out->buf[out->len] = 0;
			}
		} else {
			strbuf_addc(out, '/');
			strbuf_add(out, s, n);
		}
		s += n;
	}
}

int rt_path_join(struct strbuf *out, const char *base, const char *path)
{
	strbuf_reset(out);
	if (path[0] != '/') {
		if (!base || base[0] != '/')
			return -EINVAL;
		push_components(out, base);
	}
	push_components(out, path);
	if (!out->len)
		strbuf_addc(out, '/');
	return 0;
}

const char *rt_path_under(const char *abs, const char *root)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return abs[0] == '/' ? abs + 1 : NULL;
	if (strncmp(abs, root, n))
		return NULL;
	if (abs[n] == 0)
		return abs + n;
	if (abs[n] == '/')
		return abs + n + 1;
	return NULL;
}

void rt_path_rel(struct strbuf *out, const char *abs, const char *dir)
{
	size_t common = 0, i;

	strbuf_reset(out);
	/* the longest common leading directory, at a component boundary */
	for (i = 0; abs[i] && abs[i] == dir[i]; i++)
		if (abs[i] == '/')
			common = i;
	if (!abs[i] && !dir[i])
		common = i;
	else if ((!abs[i] && dir[i] == '/') || (!dir[i] && abs[i] == '/'))
		common = i;
	/* one ".." per component of @dir past the common part ("/" has none) */
	for (i = common; dir[i]; i++)
		if (dir[i] == '/' && dir[1])
			strbuf_adds(out, out->len ? "/.." : "..");
	if (abs[common] == '/' && abs[common + 1]) {
		if (out->len)
			strbuf_addc(out, '/');
		strbuf_adds(out, abs + common + 1);
	}
	if (!out->len)
		strbuf_addc(out, '.');
}

bool rt_path_pseudo(const char *abs)
{
	static const char *const pseudo[] = { "/proc", "/sys", "/dev" };
	size_t i;

	for (i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++)
		if (rt_path_under(abs, pseudo[i]))
			return true;
	return false;
}

/* Whether @glob matches one component of @p. */
static bool component_match(const char *glob, const char *p)
{
	char comp[4096];

	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n && n < sizeof(comp)) {
			memcpy(comp, p, n);
			comp[n] = 0;
			if (!fnmatch(glob, comp, 0))
				return true;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return false;
}

/* Whether @glob (with a '/') matches @p or one of its leading directories. */
static bool prefix_match(const char *glob, const char *p)
{
	char buf[4096];
	size_t n = strlen(p), i;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, p, n + 1);
	if (!fnmatch(glob, buf, FNM_PATHNAME))
		return true;
	for (i = n; i > 0; i--) {
		if (buf[i - 1] != '/' || i == 1)
			continue;
		buf[i - 1] = 0;
		if (!fnmatch(glob, buf, FNM_PATHNAME))
			return true;
	}
	return false;
}

bool rt_path_ignored(const char *p, const char *const *globs, size_t nglobs)
{
	size_t i;

	for (i = 0; i < nglobs; i++) {
		if (strchr(globs[i], '/') ? prefix_match(globs[i], p) : component_match(globs[i], p))
			return true;
	}
	return false;
}

char *rt_files_find_root(const char *cwd)
{
	struct strbuf sb = { 0 };
	char *root = NULL;
	struct stat st;

	if (rt_path_join(&sb, NULL, cwd)) {
		errno = EINVAL;
		goto cleanup;
	}
	for (;;) {
		size_t len = sb.len;

		strbuf_adds(&sb, len == 1 ? ".git" : "/.git");
		if (!stat(sb.buf, &st)) {
			sb.len = len;
			sb.buf[len] = 0;
			root = strdup(sb.buf);
			goto cleanup;
		}
		sb.len = len;
		sb.buf[len] = 0;
		if (len == 1)
			break;
		sb.len = strrchr(sb.buf, '/') - sb.buf;
		if (!sb.len)
			sb.len = 1;
		sb.buf[sb.len] = 0;
	}
	strbuf_reset(&sb);
	rt_path_join(&sb, NULL, cwd);
	root = strdup(sb.buf);
cleanup:
	strbuf_free(&sb);
	return root;
}

void rt_path_cmdline(struct strbuf *out, char *const *argv)
{
	static const char safe[] = "@%+=:,./-_";
	size_t i;

	for (i = 0; argv[i]; i++) {
		const char *s = argv[i], *c;
		bool bare = *s;

		for (c = s; *c && bare; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			      (*c >= '0' && *c <= '9') || strchr(safe, *c)))
				bare = false;
		if (i)
			strbuf_addc(out, ' ');
		if (bare) {
			strbuf_adds(out, s);
			continue;
		}
		strbuf_addc(out, '\'');
		for (c = s; *c; c++) {
			if (*c == '\'')
				strbuf_adds(out, "'\"'\"'");
			else
				strbuf_addc(out, *c);
		}
		strbuf_addc(out, '\'');
	}
}
