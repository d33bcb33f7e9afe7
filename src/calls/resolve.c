// SPDX-License-Identifier: GPL-2.0-only
/* Hook names to attach points: builtins through the target's interpreter,
 * native symbols through ELF files. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calls/resolve.h"
#include "symbols/elf.h"
#include "symbols/proc.h"
#include "util/util.h"

/* Run by the target's interpreter with -I -S (isolated: no site, no
 * user paths): only standard-library modules are imported. */
static const char helper[] =
"import sys, importlib, ctypes\n"
"std = set(sys.stdlib_module_names) | set(sys.builtin_module_names)\n"
"def where(a):\n"
"    for l in open('/proc/self/maps'):\n"
"        f = l.split()\n"
"        lo, hi = (int(x, 16) for x in f[0].split('-'))\n"
"        if lo <= a < hi and len(f) > 5:\n"
"            return f[5], a - lo + int(f[2], 16)\n"
"    return None, 0\n"
"for name in sys.argv[1:]:\n"
"    parts = name.split('.')\n"
"    if parts[0] not in std:\n"
"        print('unknown'); continue\n"
"    found = None; why = 'no module ' + parts[0]\n"
"    for i in range(len(parts) - 1, 0, -1):\n"
"        try:\n"
"            o = importlib.import_module('.'.join(parts[:i]))\n"
"        except Exception:\n"
"            continue\n"
"        why = 'no ' + '.'.join(parts[i:]) + ' in module ' + '.'.join(parts[:i])\n"
"        try:\n"
"            for a in parts[i:]:\n"
"                o = getattr(o, a)\n"
"        except AttributeError:\n"
"            break\n"
"        found = o\n"
"        break\n"
"    if found is None:\n"
"        print('missing', why); continue\n"
"    t = type(found).__name__\n"
"    if t == 'builtin_function_or_method':\n"
"        ml = ctypes.c_void_p.from_address(id(found) + 16).value\n"
"        meth = ctypes.c_void_p.from_address(ml + 8).value\n"
"        flags = ctypes.c_int.from_address(ml + 16).value\n"
"        path, off = where(meth)\n"
"        print('builtin', path, hex(off), flags) if path else print('missing', 'no file')\n"
"    elif t == 'function':\n"
"        print('python')\n"
"    else:\n"
"        print('notfunc', 'a ' + t)\n";

int builtin_parse_line(const char *line, struct builtin_loc *out)
{
	char kind[16], rest[PATH_MAX];
	unsigned long long off;
	unsigned flags;

	memset(out, 0, sizeof(*out));
	rest[0] = 0;
	if (sscanf(line, "%15s %4095[^\n]", kind, rest) < 1)
		return -EINVAL;
	if (!strcmp(kind, "unknown")) {
		out->kind = BUILTIN_UNKNOWN;
	} else if (!strcmp(kind, "python")) {
		out->kind = BUILTIN_PYTHON;
	} else if (!strcmp(kind, "missing") || !strcmp(kind, "notfunc")) {
		out->kind = kind[0] == 'm' ? BUILTIN_MISSING : BUILTIN_NOTFUNC;
		snprintf(out->why, sizeof(out->why), "%s", rest);
	} else if (!strcmp(kind, "builtin")) {
		if (sscanf(rest, "%4095s %llx %u", out->path, &off, &flags) != 3)
			return -EINVAL;
		out->kind = BUILTIN_C;
		out->offset = off;
		out->ml_flags = flags;
	} else {
		return -EINVAL;
	}
	return 0;
}

int builtin_resolve(const char *python, char *const *names, size_t n, struct builtin_loc *out)
{
	char **argv = calloc(n + 6, sizeof(*argv));
	char buf[PATH_MAX + 64];
	int pfd[2] = { -1, -1 }, status, err = 0;
	size_t i = 0;
	pid_t pid;
	FILE *f = NULL;

	if (!argv)
		return -ENOMEM;
	argv[0] = (char *)python;
	argv[1] = "-I";
	argv[2] = "-S";
	argv[3] = "-c";
	argv[4] = (char *)helper;
	for (i = 0; i < n; i++)
		argv[5 + i] = names[i];
	if (pipe2(pfd, O_CLOEXEC)) {
		err = -errno;
		goto cleanup;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto cleanup;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(null, 2);
		execv(python, argv);
		_exit(127);
	}
	close(pfd[1]);
	pfd[1] = -1;
	f = fdopen(pfd[0], "r");
	if (!f) {
		err = -errno;
		kill(pid, SIGKILL);
	} else {
		pfd[0] = -1;
		for (i = 0; i < n && fgets(buf, sizeof(buf), f); i++)
			if (builtin_parse_line(buf, &out[i]))
				break;
	}
	waitpid(pid, &status, 0);
	if (!err && i < n) {
		err = -EPROTO;
		rt_err("cannot look builtins up with %s (exit status %d)", python,
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
cleanup:
	if (f)
		fclose(f);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	free(argv);
	return err;
}

__u64 skip_endbr(const char *path, __u64 offset)
{
	static const unsigned char endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	unsigned char b[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return offset;
	n = pread(fd, b, sizeof(b), offset);
	close(fd);
	return n == 4 && !memcmp(b, endbr64, 4) ? offset + 4 : offset;
}

static int sym_in_file(const char *path, const char *sym, __u64 *offset, char *why, size_t whylen)
{
	struct elf_file *ef = elf_file__open(path);
	const struct elf_sym *s;
	int err = 0;

	if (!ef) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
		return -ENOENT;
	}
	s = elf_file__find_sym(ef, sym);
	if (!s || s->kind != ELF_SYM_FUNC) {
		snprintf(why, whylen, "no function %s in %s", sym, path);
		err = -ENOENT;
	} else if (elf_file__vaddr_to_offset(ef, s->value, offset)) {
		snprintf(why, whylen, "%s in %s has no code in the file", sym, path);
		err = -ENOENT;
	}
	elf_file__free(ef);
	if (!err)
		*offset = skip_endbr(path, *offset);
	return err;
}

/* "libc" -> /lib/x86_64-linux-gnu/libc.so.6: a file named LIB.so* or
 * LIB-*.so* in the library directories. */
static int find_library(const char *lib, char *path, size_t len)
{
	static const char *const dirs[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
		"/lib", "/usr/lib", "/usr/local/lib",
	};
	size_t i, l = strlen(lib);

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;
		char best[256] = "";

		if (!d)
			continue;
		while ((de = readdir(d))) {
			const char *n = de->d_name;

			if (strncmp(n, lib, l) || !strstr(n, ".so"))
				continue;
			if (n[l] != '.' && n[l] != '-')
				continue;
			if (!strcmp(n + l, ".so") && best[0])
				continue; /* a dev symlink: a versioned name is better */
			if (!best[0] || strlen(n) < strlen(best) || !strcmp(best + l, ".so"))
				snprintf(best, sizeof(best), "%s", n);
		}
		closedir(d);
		if (best[0]) {
			snprintf(path, len, "%s/%s", dirs[i], best);
			return 0;
		}
	}
	return -ENOENT;
}

int native_resolve_file(const char *exe, const char *lib, const char *sym, char *path,
			size_t pathlen, __u64 *offset, char *why, size_t whylen)
{
	const char *base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
	const char *lbase = strrchr(lib, '/') ? strrchr(lib, '/') + 1 : lib;

	if (!strcmp(base, lbase) || (strchr(lib, '/') && !access(lib, R_OK))) {
		snprintf(path, pathlen, "%s", !strcmp(base, lbase) ? exe : lib);
	} else if (find_library(lib, path, pathlen)) {
		snprintf(why, whylen, "no library %s found", lib);
		return -ENOENT;
	}
	return sym_in_file(path, sym, offset, why, whylen);
}

int native_resolve_pid(pid_t pid, const char *lib, const char *sym, char *path, size_t pathlen,
		       __u64 *offset, char *why, size_t whylen)
{
	struct symproc *sp = symproc__new(pid);
	struct sym_loc loc;
	char spec[512];
	int err;

	if (!sp) {
		snprintf(why, whylen, "cannot read the maps of %d: %s", pid, strerror(errno));
		return -ENOENT;
	}
	memset(&loc, 0, sizeof(loc));
	snprintf(spec, sizeof(spec), "%s:%s", lib, sym);
	err = symproc__resolve(sp, spec, &loc);
	if (err) {
		snprintf(why, whylen, "%s", loc.mod ? "no such function in it" : "no such object loaded");
		if (loc.mod)
			snprintf(why, whylen, "no function %s in %s", sym, loc.mod->path);
		else
			snprintf(why, whylen, "no object %s loaded in process %d", lib, pid);
		err = -ENOENT;
	} else {
		snprintf(path, pathlen, "%s", loc.path);
		*offset = skip_endbr(loc.path, loc.file_offset);
	}
	symproc__free(sp);
	return err;
}
