// SPDX-License-Identifier: GPL-2.0-only
/*
 * src/symbols/: maps parsing, ELF symbols, USDT notes, build ids and the
 * process resolver.  Oracles: readelf run by the test on the same
 * files, and the symtest workload's own account of its runtime addresses
 * (and the bytes at those addresses, compared with the file's bytes at
 * the offsets the resolver gives for uprobes).
 *
 * argv: SYMTEST SYMTEST_NOPIE LIBSYMTEST
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "symbols/elf.h"
#include "symbols/maps.h"
#include "symbols/proc.h"

static const char *symtest, *symtest_nopie, *libsymtest;

#define PYTHON311 "/usr/bin/python3.11"

/* ---- maps ---- */

static void test_maps_parse(void **state)
{
	const char *text =
		"55d0c0a00000-55d0c0a01000 r--p 00000000 fe:01 1234                       /usr/bin/app\n"
		"55d0c0a01000-55d0c0a02000 r-xp 00001000 fe:01 1234                       /usr/bin/app\n"
		"55d0c1000000-55d0c1021000 rw-p 00000000 00:00 0                          [heap]\n"
		"7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n"
		"7f0000001000-7f0000002000 r-xp 00002000 08:02 99   /tmp/dir with space/lib.so (deleted)\n"
		"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n";
	struct maps m;

	assert_int_equal(maps_parse(text, &m), 0);
	assert_int_equal(m.n, 6);
	assert_int_equal(m.v[1].start, 0x55d0c0a01000ull);
	assert_int_equal(m.v[1].end, 0x55d0c0a02000ull);
	assert_int_equal(m.v[1].offset, 0x1000);
	assert_int_equal(m.v[1].inode, 1234);
	assert_int_equal(m.v[1].dev_major, 0xfe);
	assert_string_equal(m.v[1].perms, "r-xp");
	assert_string_equal(m.v[1].path, "/usr/bin/app");
	assert_string_equal(m.v[2].path, "[heap]");
	assert_string_equal(m.v[3].path, "");
	assert_string_equal(m.v[4].path, "/tmp/dir with space/lib.so");
	assert_true(m.v[4].deleted);
	assert_false(m.v[1].deleted);
	assert_ptr_equal(maps_find_addr(&m, 0x55d0c0a01fffull), &m.v[1]);
	assert_null(maps_find_addr(&m, 0x55d0c0a02000ull));
	assert_ptr_equal(maps_find_module(&m, "app"), &m.v[0]);
	assert_ptr_equal(maps_find_module(&m, "lib"), &m.v[4]);
	assert_ptr_equal(maps_find_path(&m, "/usr/bin/app"), &m.v[0]);
	maps_free(&m);

	assert_int_equal(maps_parse("garbage\n", &m), -EINVAL);
	assert_int_equal(m.n, 0);
}

static void test_module_matches(void **state)
{
	const char *libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";

	assert_true(maps_module_matches(libc, "libc"));
	assert_true(maps_module_matches(libc, "libc.so"));
	assert_true(maps_module_matches(libc, "libc.so.6"));
	assert_true(maps_module_matches(libc, libc));
	assert_false(maps_module_matches(libc, "libcrypt"));
	assert_false(maps_module_matches("/usr/lib/libcrypt.so.1", "libc"));
	assert_true(maps_module_matches("/usr/bin/python3.11", "python3.11"));
	assert_true(maps_module_matches("/home/u/app", "./app"));
	assert_false(maps_module_matches("/home/u/app", "/other/app"));
	assert_false(maps_module_matches("[heap]", "heap"));
	assert_true(maps_module_matches("/x/libpython3.11.so.1.0", "libpython3.11"));
}

/* ---- ELF against nm / readelf ---- */

struct nm_sym {
	char name[256];
	char type;
	unsigned long long value, size;
	int count;  /* times the name appears */
};

/* readelf's defined FUNC/OBJECT symbols of @path (@dyn: .dynsym only,
 * else both tables); the caller frees. */
static struct nm_sym *run_nm(const char *path, bool dyn, size_t *n)
{
	char cmd[1024], line[1024];
	struct nm_sym *v = NULL;
	size_t cap = 0, i, j;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "readelf -W %s '%s' 2>/dev/null", dyn ? "--dyn-syms" : "-s",
		 path);
	p = popen(cmd, "r");
	assert_non_null(p);
	*n = 0;
	while (fgets(line, sizeof(line), p)) {
		struct nm_sym s = {0};
		char size[32], type[16], bind[16], vis[16], ndx[16];
		unsigned num;

		if (sscanf(line, " %u: %llx %31s %15s %15s %15s %15s %255s", &num, &s.value, size,
			   type, bind, vis, ndx, s.name) != 8)
			continue;
		if (strcmp(type, "FUNC") && strcmp(type, "OBJECT") && strcmp(type, "IFUNC"))
			continue;
		if (!strcmp(ndx, "UND"))
			continue;
		s.name[strcspn(s.name, "@")] = '\0';
		s.size = strtoull(size, NULL, 0);
		s.type = strcmp(type, "OBJECT") ? 'T' : 'D';
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof(*v));
			assert_non_null(v);
		}
		v[(*n)++] = s;
	}
	pclose(p);
	/* a name listed in both tables with the same value is one symbol */
	for (i = 0; i < *n; i++)
		for (j = 0; j < *n; j++)
			if (!strcmp(v[i].name, v[j].name) &&
			    (i == j || v[i].value != v[j].value || v[i].size != v[j].size))
				v[i].count++;
	return v;
}

/* Every name readelf lists once has the value and size nm gives; the symbol at
 * the middle of every sized function is that function (or an alias). */
static void check_against_nm(const char *path, bool dyn, size_t min_syms)
{
	struct elf_file *ef = elf_file__open(path);
	struct nm_sym *v;
	size_t n, i, checked = 0, funcs = 0;

	assert_non_null(ef);
	v = run_nm(path, dyn, &n);
	assert_true(n >= min_syms);
	for (i = 0; i < n; i++) {
		const struct elf_sym *s;
		__u64 off;

		if (v[i].count != 1)
			continue;
		s = elf_file__find_sym(ef, v[i].name);
		if (!s)
			fail_msg("%s: %s (nm type %c) not found", path, v[i].name, v[i].type);
		assert_int_equal(s->value, v[i].value);
		assert_int_equal(s->size, v[i].size);
		checked++;
		if (strchr("Tt", v[i].type) && v[i].size) {
			const struct elf_sym *at = elf_file__sym_at(ef, v[i].value + v[i].size / 2, &off);

			assert_non_null(at);
			assert_int_equal(at->value, v[i].value); /* the same one or an alias */
			assert_int_equal(off, v[i].size / 2);
			funcs++;
		}
	}
	assert_true(checked >= min_syms);
	assert_true(funcs > 0);
	free(v);
	elf_file__free(ef);
}

static void test_elf_syms_nm(void **state)
{
	check_against_nm(symtest, false, 3);
	check_against_nm(symtest_nopie, false, 3);
	check_against_nm(libsymtest, false, 3);
	check_against_nm(libsymtest, true, 3);
}

static void test_elf_syms_python(void **state)
{
	if (access(PYTHON311, R_OK))
		skip();
	/* stripped: .dynsym only */
	check_against_nm(PYTHON311, true, 1000);
}

static void test_elf_cxx_and_kinds(void **state)
{
	struct elf_file *ef = elf_file__open(libsymtest);
	const struct elf_sym *s, *m;
	char *d;

	assert_non_null(ef);
	assert_true(elf_file__is_dyn(ef));
	m = elf_file__find_sym(ef, "_ZN2ns5Klass6methodEi");
	assert_non_null(m);
	s = elf_file__find_sym(ef, "ns::Klass::method");
	assert_ptr_equal(s, m);
	assert_string_equal(s->demangled, "ns::Klass::method");
	assert_int_equal(s->kind, ELF_SYM_FUNC);
	s = elf_file__find_sym(ef, "symtest_lib_data");
	assert_non_null(s);
	assert_int_equal(s->kind, ELF_SYM_OBJECT);
	assert_int_equal(s->size, 16 * sizeof(int));
	assert_null(elf_file__find_sym(ef, "no_such_symbol"));
	elf_file__free(ef);

	d = elf_demangle("_ZNSt6vectorIiSaIiEE9push_backERKi");
	assert_non_null(d);
	assert_string_equal(d, "std::vector<int, std::allocator<int> >::push_back");
	free(d);
	assert_null(elf_demangle("main"));

	ef = elf_file__open(symtest_nopie);
	assert_non_null(ef);
	assert_false(elf_file__is_dyn(ef));
	elf_file__free(ef);
	assert_null(elf_file__open("/etc/hostname"));
	assert_int_equal(errno, ENOEXEC);
}

/* readelf -n: "Build ID: hex" */
static void readelf_build_id(const char *path, char *out, size_t len)
{
	char cmd[1024], line[1024];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "readelf -n '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	out[0] = '\0';
	while (fgets(line, sizeof(line), p)) {
		char *b = strstr(line, "Build ID: ");

		if (b)
			sscanf(b + 10, "%255s", out);
	}
	pclose(p);
	(void)len;
}

static void test_elf_build_id(void **state)
{
	const char *files[] = {symtest, libsymtest, PYTHON311};
	size_t i;

	for (i = 0; i < 3; i++) {
		struct elf_file *ef;
		char want[256];

		if (access(files[i], R_OK))
			continue;
		readelf_build_id(files[i], want, sizeof(want));
		ef = elf_file__open(files[i]);
		assert_non_null(ef);
		assert_string_equal(elf_file__build_id(ef), want);
		elf_file__free(ef);
	}
}

/* USDT notes of Debian's python3.11 against readelf -n. */
static void test_elf_usdt_python(void **state)
{
	char line[1024], provider[64] = "", name[128] = "", args[512];
	unsigned long long loc = 0, base, sema;
	struct elf_file *ef;
	const struct elf_usdt *u;
	size_t n, seen = 0, i;
	FILE *p;

	if (access(PYTHON311, R_OK))
		skip();
	ef = elf_file__open(PYTHON311);
	assert_non_null(ef);
	u = elf_file__usdts(ef, &n);
	if (!n) {
		elf_file__free(ef);
		skip(); /* a build without --with-dtrace */
	}
	p = popen("readelf -n " PYTHON311, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *s = line + strspn(line, " ");

		if (sscanf(s, "Provider: %63s", provider) == 1)
			continue;
		if (sscanf(s, "Name: %127s", name) == 1)
			continue;
		if (sscanf(s, "Location: %llx, Base: %llx, Semaphore: %llx", &loc, &base, &sema) == 3)
			continue;
		if (!strncmp(s, "Arguments:", 10)) {
			bool found = false;

			snprintf(args, sizeof(args), "%s", s + 10 + strspn(s + 10, " "));
			args[strcspn(args, "\n")] = '\0';
			for (i = 0; i < n; i++) {
				if (strcmp(u[i].provider, provider) || strcmp(u[i].name, name) ||
				    u[i].pc != loc)
					continue;
				assert_int_equal(u[i].semaphore, sema);
				assert_string_equal(u[i].args, args);
				found = true;
			}
			if (!found)
				fail_msg("readelf's %s:%s at %llx not found", provider, name, loc);
			seen++;
		}
	}
	pclose(p);
	assert_int_equal(seen, n);
	/* the probes pystep and calls need */
	for (i = 0; i < n; i++) {
		__u64 vaddr;

		if (strcmp(u[i].name, "line") && strcmp(u[i].name, "function__return") &&
		    strcmp(u[i].name, "audit"))
			continue;
		assert_string_equal(u[i].provider, "python");
		assert_true(u[i].semaphore != 0);
		/* the offsets lead back to the addresses */
		assert_int_equal(elf_file__offset_to_vaddr(ef, u[i].pc_offset, &vaddr), 0);
		assert_int_equal(vaddr, u[i].pc);
		assert_int_equal(elf_file__offset_to_vaddr(ef, u[i].sema_offset, &vaddr), 0);
		assert_int_equal(vaddr, u[i].semaphore);
	}
	elf_file__free(ef);
}

/* ---- a live process: its own account of its addresses ---- */

struct child {
	pid_t pid;
	int in;          /* its stdin: closing it ends it */
	struct json_object *addrs;
};

static void child_start(const char *path, struct child *c)
{
	int in[2], out[2];
	char buf[4096];
	ssize_t n;
	size_t got = 0;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (!c->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->in = in[1];
	while (got < sizeof(buf) - 1 && (n = read(out[0], buf + got, sizeof(buf) - 1 - got)) > 0) {
		got += (size_t)n;
		if (memchr(buf, '\n', got))
			break;
	}
	close(out[0]);
	buf[got] = '\0';
	c->addrs = json_tokener_parse(buf);
	assert_non_null(c->addrs);
}

static void child_stop(struct child *c)
{
	int status;

	close(c->in);
	waitpid(c->pid, &status, 0);
	json_object_put(c->addrs);
}

static __u64 child_addr(const struct child *c, const char *name)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(c->addrs, name, &v));
	return (__u64)json_object_get_uint64(v);
}

/* The bytes of the file at the uprobe offset are the bytes in memory. */
static void check_offset_bytes(pid_t pid, const struct sym_loc *loc)
{
	unsigned char file[16], mem[16];
	struct iovec l = {mem, sizeof(mem)}, r = {(void *)(uintptr_t)loc->addr, sizeof(mem)};
	int fd = open(loc->path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, file, sizeof(file), (off_t)loc->file_offset), sizeof(file));
	close(fd);
	assert_int_equal(process_vm_readv(pid, &l, 1, &r, 1, 0), sizeof(mem));
	assert_memory_equal(file, mem, sizeof(mem));
}

static void check_live(const char *path, const char *exe_name)
{
	static const char *const names[][2] = {
		{"symtest_main_func", "symtest_main_func"},
		{"symtest_lib_func", "libsymtest:symtest_lib_func"},
		{"ns::Klass::method", "libsymtest.so:ns::Klass::method"},
		{"ns::Klass::method", "ns::Klass::method"},
		{"symtest_lib_data", "libsymtest:symtest_lib_data"},
	};
	struct child c;
	struct symproc *sp;
	struct sym_loc loc;
	char buf[256], want[256], spec[64];
	size_t i;

	child_start(path, &c);
	sp = symproc__new(c.pid);
	assert_non_null(sp);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(symproc__resolve(sp, names[i][1], &loc), 0);
		assert_int_equal(loc.addr, child_addr(&c, names[i][0]));
		check_offset_bytes(c.pid, &loc);
	}
	/* "./name:sym" names the executable */
	snprintf(spec, sizeof(spec), "./%s:symtest_main_data", exe_name);
	assert_int_equal(symproc__resolve(sp, spec, &loc), 0);
	assert_int_equal(loc.addr, child_addr(&c, "symtest_main_data"));
	assert_int_equal(symproc__resolve(sp, "symtest_main_data", &loc), 0);
	assert_int_equal(loc.addr, child_addr(&c, "symtest_main_data"));
	/* libc is found by its short name */
	assert_int_equal(symproc__resolve(sp, "libc:malloc", &loc), 0);
	assert_int_equal(symproc__resolve(sp, "no_such_symbol", &loc), -ENOENT);
	assert_int_equal(symproc__resolve(sp, "nolib:malloc", &loc), -ENOENT);
	assert_null(loc.mod);

	/* addresses to names */
	snprintf(want, sizeof(want), "symtest_main_func+0x3 [%s]", exe_name);
	assert_string_equal(
		symproc__addr_str(sp, child_addr(&c, "symtest_main_func") + 3, buf, sizeof(buf)),
		want);
	assert_string_equal(symproc__addr_str(sp, child_addr(&c, "ns::Klass::method"), buf,
					      sizeof(buf)),
			    "ns::Klass::method [libsymtest.so]");
	symproc__addr_str(sp, 8, buf, sizeof(buf));
	assert_string_equal(buf, "0x8");
	symproc__free(sp);
	child_stop(&c);
}

static void test_live_pie(void **state)
{
	check_live(symtest, "symtest");
}

static void test_live_nopie(void **state)
{
	check_live(symtest_nopie, "symtest-nopie");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_parse),
		cmocka_unit_test(test_module_matches),
		cmocka_unit_test(test_elf_syms_nm),
		cmocka_unit_test(test_elf_syms_python),
		cmocka_unit_test(test_elf_cxx_and_kinds),
		cmocka_unit_test(test_elf_build_id),
		cmocka_unit_test(test_elf_usdt_python),
		cmocka_unit_test(test_live_pie),
		cmocka_unit_test(test_live_nopie),
	};

	if (argc != 4) {
		fprintf(stderr, "usage: test_symbols SYMTEST SYMTEST_NOPIE LIBSYMTEST\n");
		return 2;
	}
	symtest = argv[1];
	symtest_nopie = argv[2];
	libsymtest = argv[3];
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
