/* SPDX-License-Identifier: GPL-2.0-only */
/* What reader.c and objects.c share: the reader's state and caches. */
#ifndef RUNTRACE_PYTHON_INTERNAL_H
#define RUNTRACE_PYTHON_INTERNAL_H

#include "python/reader.h"

/* What the decoder knows of a type object. */
struct pytype {
	__u64 addr;
	char *name;              /* tp_name */
	char *module;            /* a heap type's __module__, else NULL */
	char *qualname;          /* a heap type's __qualname__, else NULL */
	__u64 flags;             /* tp_flags */
	__s64 basicsize, itemsize, dictoffset;
	__u64 cached_keys;       /* ht_cached_keys of a heap type */
	enum pyval_kind kind;    /* how its instances decode (from the builtin base) */
	bool heap;
};

/* An address-keyed hash table (open addressing). */
struct addrmap {
	__u64 *keys;             /* 0 = empty */
	void **vals;
	size_t cap, n;
};

struct pyreader {
	struct memreader *mem;
	const struct rt_py_offsets *o;
	__u64 runtime;
	struct addrmap codes;    /* code addr -> struct py_code * */
	struct addrmap types;    /* type addr -> struct pytype * */
	struct addrmap modnames; /* globals dict addr -> char * (__name__) */
};

void *addrmap_get(const struct addrmap *m, __u64 key);
int addrmap_put(struct addrmap *m, __u64 key, void *val);
void addrmap_clear(struct addrmap *m, void (*free_val)(void *));

/* Field reads relative to an object; 0 or -errno. */
int rd_ptr(struct pyreader *r, __u64 base, __u32 off, __u64 *v);
int rd_s64(struct pyreader *r, __u64 base, __u32 off, __s64 *v);
int rd_int(struct pyreader *r, __u64 base, __u32 off, int *v);

/* The type of the object at @addr (cached). NULL with errno. */
const struct pytype *py_type_of(struct pyreader *r, __u64 obj);
const struct pytype *py_type_at(struct pyreader *r, __u64 type_addr);
void pytype_free(void *t);

/* Look a str key up in the dict at @dict: 0 with *value, -ENOENT, -errno. */
int py_dict_get_str(struct pyreader *r, __u64 dict, const char *key, __u64 *value);

/* A bytes object's contents (malloc'd, at most @max bytes). */
int py_read_bytes(struct pyreader *r, __u64 addr, size_t max, unsigned char **out,
		  size_t *len, bool *truncated);

#endif
