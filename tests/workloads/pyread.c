// SPDX-License-Identifier: GPL-2.0-only
/*
 * pyread: print a Python process's threads, stacks and locals as JSON,
 * read from outside with src/python/ (no ptrace, nothing injected).
 *
 *   pyread PID                          live, through process_vm_readv
 *   pyread PID --save IMG --meta META   also record the ranges read into an
 *                                       image and the ELF-derived facts
 *   pyread --image IMG --meta META      replay an image
 *   options: --depth N --items N --str N --frames N --no-locals
 *            --repeat N   walk N more times with warm code/type caches (the
 *                         page cache dropped each time) and add
 *                         "warm_reads", "warm_source_reads", "warm_us" per walk
 *
 * Exit: 0, 1 on a read error, 2 on bad usage, 3 not a supported CPython.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "python/layout.h"
#include "python/reader.h"
#include "python/snapshot.h"
#include "symbols/proc.h"

static int usage(void)
{
	fprintf(stderr, "usage: pyread PID [--save IMG --meta META] | --image IMG --meta META\n"
			"       [--depth N] [--items N] [--str N] [--frames N] [--no-locals]\n");
	return 2;
}

static int write_meta(const char *path, const struct pytarget *t, const char *build_id)
{
	FILE *f = fopen(path, "w");
	char ver[32];

	if (!f)
		return -errno;
	fprintf(f, "{\"module\": \"%s\", \"version\": \"%s\", \"version_hex\": %u, "
		   "\"runtime_addr\": %" PRIu64 ", \"build_id\": \"%s\"}\n",
		t->module, pylayout_version_str(t->version, ver, sizeof(ver)), t->version,
		(uint64_t)t->runtime_addr, build_id);
	return fclose(f) ? -errno : 0;
}

/* The two numbers replay needs, from a meta file this tool wrote. */
static int read_meta(const char *path, struct pytarget *t)
{
	struct json_object *j = json_object_from_file(path), *v;
	int err = -EINVAL;

	if (!j)
		return -EINVAL;
	if (json_object_object_get_ex(j, "version_hex", &v)) {
		t->version = (__u32)json_object_get_int64(v);
		if (json_object_object_get_ex(j, "runtime_addr", &v)) {
			t->runtime_addr = (__u64)json_object_get_uint64(v);
			t->offsets = pylayout_find(t->version);
			err = t->offsets ? 0 : -ENOTSUP;
		}
	}
	json_object_put(j);
	return err;
}

int main(int argc, char **argv)
{
	struct pyval_limits lim = {.depth = 8, .items = 64, .str_len = 1000};
	const char *save = NULL, *meta = NULL, *image = NULL;
	size_t frames = 128;
	long repeat = 0;
	bool locals = true;
	struct symproc *sp = NULL;
	struct memreader *mem = NULL;
	struct pyreader *r = NULL;
	struct strbuf sb = {0};
	struct pytarget t;
	pid_t pid = 0;
	int i, err, status = 1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-locals")) {
			locals = false;
			continue;
		}
		if (a[0] != '-') {
			pid = atoi(a);
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--save"))
			save = v;
		else if (!strcmp(a, "--meta"))
			meta = v;
		else if (!strcmp(a, "--image"))
			image = v;
		else if (!strcmp(a, "--depth"))
			lim.depth = (unsigned)atoi(v);
		else if (!strcmp(a, "--items"))
			lim.items = (size_t)atol(v);
		else if (!strcmp(a, "--str"))
			lim.str_len = (size_t)atol(v);
		else if (!strcmp(a, "--repeat"))
			repeat = atol(v);
		else if (!strcmp(a, "--frames"))
			frames = (size_t)atol(v);
		else
			return usage();
	}
	if ((!pid && !image) || (pid && image) || (image && !meta) || (save && !meta))
		return usage();

	memset(&t, 0, sizeof(t));
	if (image) {
		err = read_meta(meta, &t);
		if (err) {
			fprintf(stderr, "pyread: cannot use %s: %s\n", meta, strerror(-err));
			return 3;
		}
		mem = memreader__load_image(image);
		if (!mem) {
			fprintf(stderr, "pyread: cannot load %s: %s\n", image, strerror(errno));
			goto cleanup;
		}
	} else {
		sp = symproc__new(pid);
		if (!sp) {
			fprintf(stderr, "pyread: cannot read process %d: %s\n", (int)pid,
				strerror(errno));
			goto cleanup;
		}
		err = pytarget_find(sp, &t);
		if (err) {
			fprintf(stderr, "pyread: process %d: %s\n", (int)pid,
				err == -ENOENT ? "not a CPython process (no _PyRuntime)" :
						 "CPython version not supported");
			status = 3;
			goto cleanup;
		}
		mem = memreader__new_pid(pid);
		if (!mem)
			goto cleanup;
		if (save)
			memreader__record(mem, 1);
	}
	r = pyreader__new(mem, t.offsets, t.runtime_addr);
	if (!r)
		goto cleanup;
	err = py_snapshot_json(r, locals ? &lim : NULL, frames, &sb);
	if (err) {
		fprintf(stderr, "pyread: cannot read the threads: %s\n", strerror(-err));
		goto cleanup;
	}
	if (save) {
		const struct sym_module *m = symproc__module(sp, t.module);

		err = memreader__save_image(mem, save);
		if (!err)
			err = write_meta(meta, &t, m && m->elf ? elf_file__build_id(m->elf) : "");
		if (err) {
			fprintf(stderr, "pyread: cannot save %s: %s\n", save, strerror(-err));
			goto cleanup;
		}
	}
	{
		__u64 reads, src, r0, s0;
		struct timespec t0, t1;
		long k;

		memreader__stats(mem, &reads, &src);
		/* the counters go in the document, before its closing brace */
		sb.len--;
		strbuf_addf(&sb, ",\"reads\":%" PRIu64 ",\"source_reads\":%" PRIu64,
			    (uint64_t)reads, (uint64_t)src);
		if (repeat > 0) {
			struct strbuf tmp = {0};

			clock_gettime(CLOCK_MONOTONIC, &t0);
			for (k = 0; k < repeat; k++) {
				memreader__invalidate(mem);
				strbuf_reset(&tmp);
				py_snapshot_json(r, locals ? &lim : NULL, frames, &tmp);
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			strbuf_free(&tmp);
			memreader__stats(mem, &r0, &s0);
			strbuf_addf(&sb, ",\"warm_reads\":%.1f,\"warm_source_reads\":%.1f,\"warm_us\":%.1f",
				    (double)(r0 - reads) / repeat, (double)(s0 - src) / repeat,
				    ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / repeat);
		}
		strbuf_adds(&sb, "}\n");
	}
	fwrite(sb.buf, 1, sb.len, stdout);
	status = 0;
cleanup:
	strbuf_free(&sb);
	pyreader__free(r);
	memreader__free(mem);
	symproc__free(sp);
	return status;
}
