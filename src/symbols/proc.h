/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A process's loaded objects: its maps joined with the ELF files they map,
 * to turn names into uprobe attach points and addresses into names.
 *
 *	struct symproc *sp = symproc__new(pid);
 *	struct sym_loc loc;
 *	if (!symproc__resolve(sp, "libc:connect", &loc))
 *		bpf_program__attach_uprobe(prog, false, pid, loc.path, loc.file_offset);
 *	symproc__addr_str(sp, pc, buf, sizeof(buf));   // "connect+0x14 [libc.so.6]"
 *	symproc__free(sp);
 */
#ifndef RUNTRACE_SYMBOLS_PROC_H
#define RUNTRACE_SYMBOLS_PROC_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "symbols/elf.h"
#include "symbols/maps.h"

/* One loaded ELF object. */
struct sym_module {
	const char *path;      /* as in the maps */
	const char *open_path; /* what was opened: root + path */
	struct elf_file *elf;  /* NULL if it could not be read (then err) */
	int err;               /* -errno of elf_file__open */
	__s64 bias;            /* runtime address = link-time address + bias */
	__u64 start, end;      /* lowest and highest address of its mappings */
};

/* Where a named symbol is. */
struct sym_loc {
	const struct sym_module *mod;
	const struct elf_sym *sym;
	const char *path;      /* mod->open_path: for bpf_program__attach_uprobe */
	__u64 file_offset;     /* the symbol's file offset: the uprobe's offset */
	__u64 addr;            /* its runtime address in the process */
};

struct symproc;

/* The objects of process @pid (its maps, files opened through
 * /proc/PID/root).  NULL with errno. */
struct symproc *symproc__new(pid_t pid);
/* The same from maps already read; files opened at @root + path (@root
 * "" for the caller's own view).  @m is copied. */
struct symproc *symproc__new_maps(const struct maps *m, const char *root);
void symproc__free(struct symproc *sp);

const struct maps *symproc__maps(const struct symproc *sp);
const struct sym_module *symproc__modules(const struct symproc *sp, size_t *n);
/* The module whose mappings hold @addr, or NULL. */
const struct sym_module *symproc__module_at(const struct symproc *sp, __u64 addr);
/* The first module named @name (maps_module_matches), or NULL. */
const struct sym_module *symproc__module(const struct symproc *sp, const char *name);

/* Resolve @spec: "symbol" (the main executable first, then every loaded
 * object in address order), "module:symbol" ("libc:connect",
 * "libpython3.11.so:_PyRuntime", "./app:parse_config") or a C++
 * demangled name in either form.  0, -ENOENT (no such module or symbol:
 * *@out->mod says which was found), -ENOEXEC (a symbol outside the file
 * bytes, e.g. in .bss, for which no file offset exists: addr is still set). */
int symproc__resolve(const struct symproc *sp, const char *spec, struct sym_loc *out);

/* "symbol+0xoff [module]" ("symbol [module]" at offset 0), or
 * "0xaddr [module]" without a symbol, or "0xaddr" outside every module.
 * Returns @buf. */
char *symproc__addr_str(const struct symproc *sp, __u64 addr, char *buf, size_t len);

#endif
