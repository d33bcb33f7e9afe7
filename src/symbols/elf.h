/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One ELF file's symbols, segments and notes, read with libelf.
 *
 *	struct elf_file *ef = elf_file__open("/usr/bin/python3.11");
 *	const struct elf_sym *s = elf_file__find_sym(ef, "_PyRuntime");
 *	__u64 off;
 *	elf_file__vaddr_to_offset(ef, s->value, &off);   // for a uprobe
 *	elf_file__free(ef);
 *
 * Addresses here are link-time virtual addresses (st_value, p_vaddr); a
 * process adds its load bias (symbols/proc.h computes it from the maps).
 */
#ifndef RUNTRACE_SYMBOLS_ELF_H
#define RUNTRACE_SYMBOLS_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

enum elf_sym_kind {
	ELF_SYM_FUNC,   /* STT_FUNC, STT_GNU_IFUNC */
	ELF_SYM_OBJECT, /* STT_OBJECT, STT_TLS */
};

struct elf_sym {
	const char *name;      /* as in the table (mangled for C++) */
	const char *demangled; /* C++ demangled name without parameters, or NULL */
	__u64 value;           /* st_value: link-time address */
	__u64 size;            /* st_size */
	enum elf_sym_kind kind;
	bool global;           /* STB_GLOBAL or STB_WEAK (vs STB_LOCAL) */
	bool dynamic;          /* from .dynsym (also in .symtab or not) */
};

struct elf_segment {
	__u64 vaddr, memsz;    /* p_vaddr, p_memsz */
	__u64 offset, filesz;  /* p_offset, p_filesz */
	__u32 flags;           /* PF_R | PF_W | PF_X */
};

/* A USDT probe: one .note.stapsdt note. */
struct elf_usdt {
	const char *provider;  /* "python" */
	const char *name;      /* "function__return" */
	const char *args;      /* argument spec, "8@%rbx -4@%eax" */
	__u64 pc;              /* link-time address of the probe's nop */
	__u64 pc_offset;       /* its file offset (uprobe attach point) */
	__u64 semaphore;       /* link-time address of the semaphore, 0 if none */
	__u64 sema_offset;     /* its file offset (uprobe ref_ctr_offset), 0 if none */
};

struct elf_file;

/* Open @path and read its segments, symbols (.symtab and .dynsym,
 * functions and objects) and notes.  NULL with errno (ENOEXEC: not an
 * ELF file of this machine's class). */
struct elf_file *elf_file__open(const char *path);
void elf_file__free(struct elf_file *ef);

const char *elf_file__path(const struct elf_file *ef);
/* ET_DYN (PIE or shared library: a load bias applies) vs ET_EXEC. */
bool elf_file__is_dyn(const struct elf_file *ef);
/* GNU build id as lowercase hex, "" if the file has none. */
const char *elf_file__build_id(const struct elf_file *ef);

const struct elf_segment *elf_file__segments(const struct elf_file *ef, size_t *n);
/* All symbols, sorted by value; duplicates between .symtab and .dynsym
 * appear once. */
const struct elf_sym *elf_file__syms(const struct elf_file *ef, size_t *n);
const struct elf_usdt *elf_file__usdts(const struct elf_file *ef, size_t *n);

/* The symbol named @name: the exact (mangled) name, else a C++ symbol
 * whose demangled name, parameters left out, equals @name
 * ("ns::Klass::method").  Global symbols win over local ones, functions
 * over objects.  NULL if none. */
const struct elf_sym *elf_file__find_sym(const struct elf_file *ef, const char *name);

/* The symbol covering @vaddr (within its size; a sized symbol is preferred,
 * else the nearest symbol below of size 0), with *@off = vaddr - value.
 * NULL if none. */
const struct elf_sym *elf_file__sym_at(const struct elf_file *ef, __u64 vaddr, __u64 *off);

/* Link-time address <-> file offset through the PT_LOAD segments.
 * 0, or -ENOENT when no segment's file bytes hold it. */
int elf_file__vaddr_to_offset(const struct elf_file *ef, __u64 vaddr, __u64 *off);
int elf_file__offset_to_vaddr(const struct elf_file *ef, __u64 off, __u64 *vaddr);

/* Read @len bytes of the file's content at link-time address @vaddr (an
 * initialised constant such as Py_Version).  0, -ENOENT outside the file
 * bytes of a segment, or -errno. */
int elf_file__read_vaddr(const struct elf_file *ef, __u64 vaddr, void *buf, size_t len);

/* Load bias of a mapping of this file at @map_start with file offset
 * @map_offset (from /proc/PID/maps): runtime = vaddr + bias.  0 or
 * -ENOENT when no PT_LOAD segment is mapped at that offset. */
int elf_file__load_bias(const struct elf_file *ef, __u64 map_start, __u64 map_offset,
			__s64 *bias);

/* A C++ demangled name without its parameter list, malloc'd; NULL if
 * @mangled is not a C++ name (or on ENOMEM). */
char *elf_demangle(const char *mangled);

#endif
