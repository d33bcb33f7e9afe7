// SPDX-License-Identifier: GPL-2.0-only
/* CPython objects decoded from outside: types, str, int, containers, instances. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "python/internal.h"
#include "util/util.h"

#define MAX_TYPE_NAME 256
#define MAX_TYPE_DEPTH 32       /* tp_base hops to the builtin base */
#define MAX_INT_DIGITS 512      /* 30-bit digits decoded: ~4600 decimal digits */
#define DICT_CHUNK 32           /* entries read at once */
#define MAX_DICT_SCAN (1u << 20)

/* ---- types ---- */

void pytype_free(void *p)
{
	struct pytype *t = p;

	if (!t)
		return;
	free(t->name);
	free(t->module);
	free(t->qualname);
	free(t);
}

static const struct {
	const char *name;
	enum pyval_kind kind;
} builtin_kinds[] = {
	{"NoneType", PYV_NONE},     {"bool", PYV_BOOL},           {"int", PYV_INT},
	{"float", PYV_FLOAT},       {"complex", PYV_COMPLEX},     {"str", PYV_STR},
	{"bytes", PYV_BYTES},       {"tuple", PYV_TUPLE},         {"list", PYV_LIST},
	{"dict", PYV_DICT},         {"set", PYV_SET},             {"frozenset", PYV_FROZENSET},
	{"function", PYV_FUNCTION}, {"type", PYV_TYPE},           {"module", PYV_MODULE},
	{"code", PYV_CODE},
};

static enum pyval_kind static_kind(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(builtin_kinds); i++)
		if (!strcmp(builtin_kinds[i].name, name))
			return builtin_kinds[i].kind;
	return PYV_OTHER;
}

/* Read a type's fixed fields; kind and module are filled by py_type_at. */
static struct pytype *read_type(struct pyreader *r, __u64 addr)
{
	const struct rt_py_offsets *o = r->o;
	struct pytype *t = calloc(1, sizeof(*t));
	char name[MAX_TYPE_NAME];
	__u64 name_ptr;
	int err;

	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->addr = addr;
	err = rd_ptr(r, addr, o->tp_name, &name_ptr);
	if (!err)
		err = rd_ptr(r, addr, o->tp_flags, &t->flags);
	if (!err)
		err = rd_s64(r, addr, o->tp_basicsize, &t->basicsize);
	if (!err)
		err = rd_s64(r, addr, o->tp_itemsize, &t->itemsize);
	if (!err)
		err = rd_s64(r, addr, o->tp_dictoffset, &t->dictoffset);
	if (!err) {
		err = memreader__read_cstr(r->mem, name_ptr, name, sizeof(name));
		if (err == -E2BIG)
			err = 0;
	}
	if (err) {
		free(t);
		errno = -err;
		return NULL;
	}
	t->heap = t->flags & RT_TPFLAGS_HEAPTYPE;
	t->name = strdup(name);
	if (t->heap)
		rd_ptr(r, addr, o->ht_cached_keys, &t->cached_keys);
	if (!t->name) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

const struct pytype *py_type_at(struct pyreader *r, __u64 addr)
{
	const struct rt_py_offsets *o = r->o;
	struct pytype *t = addrmap_get(&r->types, addr);
	__u64 base;
	int depth;

	if (t)
		return t;
	if (!addr) {
		errno = EFAULT;
		return NULL;
	}
	t = read_type(r, addr);
	if (!t)
		return NULL;
	/* insert first: a type's base chain and __module__ lookups may come
	 * back to it */
	if (addrmap_put(&r->types, addr, t)) {
		pytype_free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->kind = PYV_OTHER;
	if (t->flags & RT_TPFLAGS_BASE_EXC_SUBCLASS) {
		t->kind = PYV_EXCEPTION;
	} else if (!t->heap) {
		t->kind = static_kind(t->name);
	} else {
		/* the first static type up the tp_base chain says how the
		 * instances are laid out */
		base = addr;
		for (depth = 0; depth < MAX_TYPE_DEPTH; depth++) {
			const struct pytype *b;

			if (rd_ptr(r, base, o->tp_base, &base) || !base)
				break;
			b = base == addr ? NULL : py_type_at(r, base);
			if (!b)
				break;
			if (!b->heap) {
				t->kind = static_kind(b->name);
				break;
			}
		}
		if (t->kind == PYV_OTHER || t->kind == PYV_TYPE)
			t->kind = (t->dictoffset || (t->flags & RT_TPFLAGS_MANAGED_DICT)) ?
					  PYV_INSTANCE : PYV_OTHER;
	}
	if (t->heap) {
		__u64 dict, mod, qual;
		bool trunc;

		if (o->ht_qualname && !rd_ptr(r, addr, o->ht_qualname, &qual) && qual) {
			const struct pytype *qt = py_type_of(r, qual);

			if (qt && qt->kind == PYV_STR)
				pyreader__read_str(r, qual, MAX_TYPE_NAME, &t->qualname, &trunc);
		}

		if (!rd_ptr(r, addr, o->tp_dict, &dict) && dict &&
		    !py_dict_get_str(r, dict, "__module__", &mod)) {
			const struct pytype *mt = py_type_of(r, mod);

			if (mt && mt->kind == PYV_STR)
				pyreader__read_str(r, mod, MAX_TYPE_NAME, &t->module, &trunc);
		}
	}
	return t;
}

const struct pytype *py_type_of(struct pyreader *r, __u64 obj)
{
	__u64 type;
	int err;

	if (!obj) {
		errno = EFAULT;
		return NULL;
	}
	err = rd_ptr(r, obj, r->o->ob_type, &type);
	if (err) {
		errno = -err;
		return NULL;
	}
	return py_type_at(r, type);
}

int pyreader__type_name(struct pyreader *r, __u64 addr, char *buf, size_t len)
{
	const struct pytype *t = py_type_of(r, addr);

	if (!t)
		return -errno;
	snprintf(buf, len, "%s", t->name);
	return 0;
}

/* ---- str, bytes ---- */

static void utf8_put(__u32 c, char *out, size_t *o)
{
	if (c < 0x80) {
		out[(*o)++] = (char)c;
	} else if (c < 0x800) {
		out[(*o)++] = (char)(0xc0 | c >> 6);
		out[(*o)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		out[(*o)++] = (char)(0xe0 | c >> 12);
		out[(*o)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (c & 0x3f));
	} else {
		out[(*o)++] = (char)(0xf0 | (c >> 18 & 0x07));
		out[(*o)++] = (char)(0x80 | ((c >> 12) & 0x3f));
		out[(*o)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (c & 0x3f));
	}
}

/* @max: characters (code points) read at most; *@len: UTF-8 bytes (the
 * text may hold NULs). */
static int read_str_n(struct pyreader *r, __u64 addr, size_t max, char **out, size_t *len,
		      bool *truncated)
{
	const struct rt_py_offsets *o = r->o;
	__s64 length;
	__u32 state;
	unsigned kind;
	__u64 data;
	size_t nch, i, olen = 0;
	unsigned char *raw = NULL;
	char *s = NULL;
	int err;

	*out = NULL;
	*len = 0;
	*truncated = false;
	if (!addr)
		return -EFAULT;
	err = rd_s64(r, addr, o->unicode_length, &length);
	if (!err)
		err = memreader__read_u32(r->mem, addr + o->unicode_state, &state);
	if (err)
		return err;
	if (length < 0 || length > (1ll << 40))
		return -EINVAL;
	kind = (state >> o->unicode_kind_shift) & 7;
	if (kind != 1 && kind != 2 && kind != 4)
		return -EINVAL; /* a 3.11 legacy str not made ready: not seen in practice */
	if (state & (1u << o->unicode_compact_bit))
		data = addr + ((state & (1u << o->unicode_ascii_bit)) ? o->unicode_ascii_data :
									 o->unicode_compact_data);
	else if ((err = rd_ptr(r, addr, o->unicode_legacy_data, &data)))
		return err;
	nch = (size_t)length;
	if (nch > max) {
		nch = max;
		*truncated = true;
	}
	raw = malloc(nch * kind + 1);
	s = malloc(nch * 4 + 1);
	if (!raw || !s) {
		err = -ENOMEM;
		goto cleanup;
	}
	err = memreader__read(r->mem, data, raw, nch * kind);
	if (err)
		goto cleanup;
	for (i = 0; i < nch; i++) {
		__u32 c;

		if (kind == 1)
			c = raw[i];
		else if (kind == 2)
			c = (__u32)raw[2 * i] | (__u32)raw[2 * i + 1] << 8;
		else
			memcpy(&c, raw + 4 * i, 4);
		if (c > 0x10ffff) {
			err = -EINVAL;
			goto cleanup;
		}
		utf8_put(c, s, &olen);
	}
	s[olen] = '\0';
	*out = s;
	*len = olen;
	s = NULL;
cleanup:
	free(raw);
	free(s);
	return err;
}

int pyreader__read_str(struct pyreader *r, __u64 addr, size_t max, char **out, bool *truncated)
{
	size_t len;

	return read_str_n(r, addr, max, out, &len, truncated);
}

int py_read_bytes(struct pyreader *r, __u64 addr, size_t max, unsigned char **out,
		  size_t *len, bool *truncated)
{
	__s64 size;
	size_t n;
	unsigned char *b;
	int err;

	*out = NULL;
	*len = 0;
	*truncated = false;
	err = rd_s64(r, addr, r->o->ob_size, &size);
	if (err)
		return err;
	if (size < 0)
		return -EINVAL;
	n = (size_t)size;
	if (n > max) {
		n = max;
		*truncated = true;
	}
	b = malloc(n + 1);
	if (!b)
		return -ENOMEM;
	err = memreader__read(r->mem, addr + r->o->bytes_sval, b, n);
	if (err) {
		free(b);
		return err;
	}
	b[n] = '\0';
	*out = b;
	*len = n;
	return 0;
}

/* ---- dict iteration ---- */

static __u64 field_u64_at(const unsigned char *p, size_t off)
{
	__u64 v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* Calls @fn(key, value, arg) for each item of a dict in insertion order,
 * at most @max items (then *truncated).  *@total = ma_used. */
typedef int (*dict_item_fn)(struct pyreader *r, __u64 key, __u64 value, void *arg);

/* The entries of keys object @keys: *entries address, *esize, *nentries,
 * *kind.  0 or -errno. */
static int dict_keys_info(struct pyreader *r, __u64 keys, __u64 *entries, size_t *esize,
			  __s64 *nentries, int *kind)
{
	const struct rt_py_offsets *o = r->o;
	unsigned char hdr[64];
	unsigned log2_index_bytes;

	if (o->dictkeys_indices > sizeof(hdr))
		return -EINVAL;
	if (memreader__read(r->mem, keys, hdr, o->dictkeys_indices))
		return -EFAULT;
	log2_index_bytes = hdr[o->dictkeys_log2_index_bytes];
	*kind = hdr[o->dictkeys_kind];
	memcpy(nentries, hdr + o->dictkeys_nentries, sizeof(*nentries));
	if (log2_index_bytes > 40 || *kind > 2 || *nentries < 0 || *nentries > (1ll << 32))
		return -EINVAL;
	*entries = keys + o->dictkeys_indices + (1ull << log2_index_bytes);
	*esize = *kind == 0 ? o->dictentry_size : o->dictuentry_size;
	return 0;
}

/* Split values: ix = order[i] for i < used, values[ix]. */
static int iter_split(struct pyreader *r, __u64 keys, __u64 values, size_t max,
		      dict_item_fn fn, void *arg, size_t *total, bool *truncated)
{
	__u64 entries;
	size_t esize, i, used;
	__s64 nentries;
	unsigned char pre[256];
	int kind, err;

	err = dict_keys_info(r, keys, &entries, &esize, &nentries, &kind);
	if (err)
		return err;
	/* values[-1]: prefix size; values[-2]: items; values[-3 - i]: order */
	if (memreader__read(r->mem, values - 2, pre, 2))
		return -EFAULT;
	used = pre[0];
	if (pre[1] < used + 2)
		return -EINVAL;
	*total = used;
	if (used && memreader__read(r->mem, values - 2 - used, pre, used))
		return -EFAULT;
	for (i = 0; i < used; i++) {
		__u8 ix = pre[used - 1 - i]; /* values[-3 - i] */
		__u64 k, v;

		if (i >= max) {
			*truncated = true;
			break;
		}
		if ((__s64)ix >= nentries)
			return -EINVAL;
		if (rd_ptr(r, entries + ix * esize, esize == 24 ? 8 : 0, &k) ||
		    rd_ptr(r, values, ix * 8, &v))
			return -EFAULT;
		if (!k || !v)
			continue;
		err = fn(r, k, v, arg);
		if (err)
			return err;
	}
	return 0;
}

static int iter_dict(struct pyreader *r, __u64 dict, size_t max, dict_item_fn fn, void *arg,
		     size_t *total, bool *truncated)
{
	const struct rt_py_offsets *o = r->o;
	__u64 keys, values, entries;
	__s64 used, nentries;
	size_t esize, i, got = 0;
	unsigned char buf[DICT_CHUNK * 24];
	int kind, err;

	*truncated = false;
	err = rd_s64(r, dict, o->dict_used, &used);
	if (!err)
		err = rd_ptr(r, dict, o->dict_keys, &keys);
	if (!err)
		err = rd_ptr(r, dict, o->dict_values, &values);
	if (err)
		return err;
	*total = used < 0 ? 0 : (size_t)used;
	if (values)
		return iter_split(r, keys, values, max, fn, arg, total, truncated);
	err = dict_keys_info(r, keys, &entries, &esize, &nentries, &kind);
	if (err)
		return err;
	for (i = 0; i < (size_t)nentries && i < MAX_DICT_SCAN && got < *total;) {
		size_t chunk = (size_t)nentries - i, j;

		if (chunk > DICT_CHUNK)
			chunk = DICT_CHUNK;
		if (memreader__read(r->mem, entries + i * esize, buf, chunk * esize))
			return -EFAULT;
		for (j = 0; j < chunk; j++) {
			const unsigned char *e = buf + j * esize;
			__u64 k = field_u64_at(e, esize == 24 ? 8 : 0);
			__u64 v = field_u64_at(e, esize == 24 ? 16 : 8);

			if (!k || !v)
				continue;
			if (got >= max) {
				*truncated = true;
				return 0;
			}
			got++;
			err = fn(r, k, v, arg);
			if (err)
				return err;
		}
		i += chunk;
	}
	return 0;
}

struct find_arg {
	const char *key;
	__u64 value;
	bool found;
};

static int find_str_key(struct pyreader *r, __u64 key, __u64 value, void *arg)
{
	struct find_arg *a = arg;
	const struct pytype *t = py_type_of(r, key);
	size_t klen = strlen(a->key);
	char *s;
	bool trunc;

	if (!t || t->kind != PYV_STR)
		return 0;
	if (pyreader__read_str(r, key, klen + 1, &s, &trunc))
		return 0;
	if (!trunc && !strcmp(s, a->key)) {
		a->value = value;
		a->found = true;
		free(s);
		return 1; /* stop */
	}
	free(s);
	return 0;
}

int py_dict_get_str(struct pyreader *r, __u64 dict, const char *key, __u64 *value)
{
	struct find_arg a = {.key = key};
	size_t total;
	bool trunc;
	int err = iter_dict(r, dict, MAX_DICT_SCAN, find_str_key, &a, &total, &trunc);

	if (err < 0)
		return err;
	if (!a.found)
		return -ENOENT;
	*value = a.value;
	return 0;
}

struct items_arg {
	py_item_fn fn;
	void *arg;
};

static int items_cb(struct pyreader *r, __u64 key, __u64 value, void *arg)
{
	struct items_arg *a = arg;

	return a->fn(a->arg, key, value);
}

int pyreader__dict_items(struct pyreader *r, __u64 dict, size_t max, py_item_fn fn, void *arg,
			 size_t *total)
{
	struct items_arg a = {.fn = fn, .arg = arg};
	size_t tot = 0;
	bool trunc;
	int err = iter_dict(r, dict, max, items_cb, &a, &tot, &trunc);

	if (total)
		*total = tot;
	return err;
}

int pyreader__attrs(struct pyreader *r, __u64 obj, size_t max, py_item_fn fn, void *arg,
		    size_t *total)
{
	const struct rt_py_offsets *o = r->o;
	const struct pytype *t = py_type_of(r, obj);
	struct items_arg a = {.fn = fn, .arg = arg};
	__u64 dict = 0, values = 0;
	size_t tot = 0;
	bool trunc;
	int err = 0;

	if (total)
		*total = 0;
	if (!t)
		return -errno;
	if (t->flags & RT_TPFLAGS_MANAGED_DICT) {
		err = rd_ptr(r, obj + (__u64)(__s64)(__s32)o->managed_dict, 0, &dict);
		if (!err && !dict && o->managed_values != RT_PY_NONE)
			err = rd_ptr(r, obj + (__u64)(__s64)(__s32)o->managed_values, 0, &values);
		if (err)
			return err;
		if (o->managed_values == RT_PY_NONE && (dict & 1)) {
			values = dict + 1;
			dict = 0;
		}
		if (!dict && values && t->cached_keys) {
			err = iter_split(r, t->cached_keys, values, max, items_cb, &a, &tot, &trunc);
			if (total)
				*total = tot;
			return err;
		}
	} else if (t->dictoffset > 0) {
		err = rd_ptr(r, obj, (__u32)t->dictoffset, &dict);
		if (err)
			return err;
	}
	if (!dict)
		return 0;
	return pyreader__dict_items(r, dict, max, fn, arg, total);
}

static int type_info(const struct pytype *t, struct py_type_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!t)
		return -errno;
	out->addr = t->addr;
	out->name = t->name;
	out->module = t->module;
	out->qualname = t->qualname;
	out->flags = t->flags;
	out->kind = t->kind;
	out->heap = t->heap;
	return 0;
}

int pyreader__type_of(struct pyreader *r, __u64 obj, struct py_type_info *out)
{
	return type_info(py_type_of(r, obj), out);
}

int pyreader__type_at(struct pyreader *r, __u64 type, struct py_type_info *out)
{
	return type_info(py_type_at(r, type), out);
}

/* ---- the decoder ---- */

#define MAX_NEST 64

struct decoder {
	struct pyreader *r;
	const struct pyval_limits *lim;
	__u64 stack[MAX_NEST];   /* containers being decoded (cycle check) */
	unsigned nstack;
};

static struct pyval *decode(struct decoder *d, __u64 addr, unsigned depth);

static struct pyval *new_val(enum pyval_kind kind, __u64 addr)
{
	struct pyval *v = calloc(1, sizeof(*v));

	if (v) {
		v->kind = kind;
		v->addr = addr;
	}
	return v;
}

static int add_item(struct pyval *v, size_t *cap, struct pyval *key, struct pyval *value)
{
	int err = array_grow(&v->items, cap, v->n, sizeof(*v->items), 4, SIZE_MAX);

	if (err) {
		pyval_free(key);
		pyval_free(value);
		return err;
	}
	v->items[v->n].key = key;
	v->items[v->n].value = value;
	v->n++;
	return 0;
}

/* int: 30-bit digits, sign in ob_size (3.11) or lv_tag (3.12) */
static int decode_int(struct decoder *d, struct pyval *v)
{
	const struct rt_py_offsets *o = d->r->o;
	__u32 digits[MAX_INT_DIGITS];
	size_t nd, i;
	bool neg;
	__s64 size;
	int err;

	err = rd_s64(d->r, v->addr, o->long_tag != RT_PY_NONE ? o->long_tag : o->ob_size, &size);
	if (err)
		return err;
	if (o->long_tag != RT_PY_NONE) {
		__u64 tag = (__u64)size;

		nd = tag >> 3;
		neg = (tag & 3) == 2;
	} else {
		neg = size < 0;
		nd = (size_t)(neg ? -size : size);
	}
	if (v->kind == PYV_BOOL) {
		v->b = nd != 0;
		return 0;
	}
	if (nd > MAX_INT_DIGITS) {
		v->truncated = true;
		v->text = strdup("<int too large>");
		return v->text ? 0 : -ENOMEM;
	}
	err = memreader__read(d->r->mem, v->addr + o->long_digits, digits, nd * 4);
	if (err)
		return err;
	for (i = 0; i < nd; i++)
		if (digits[i] >> 30)
			return -EINVAL;
	if (nd <= 3) {
		unsigned __int128 m = 0;

		for (i = nd; i-- > 0;)
			m = m << 30 | digits[i];
		if (m <= (unsigned __int128)INT64_MAX + (neg ? 1 : 0)) {
			v->int_small = true;
			v->i = neg ? (__s64)(0 - (__u64)m) : (__s64)m;
			if (asprintf(&v->text, "%" PRId64, (int64_t)v->i) < 0) {
				v->text = NULL;
				return -ENOMEM;
			}
			v->len = strlen(v->text);
			return 0;
		}
	}
	{
		/* base 2^30 -> base 10^9 by repeated division */
		__u32 chunks[MAX_INT_DIGITS * 30 / 29 + 2];
		size_t nc = 0, len = nd;
		char *text, *p;

		while (len) {
			__u64 rem = 0;

			for (i = len; i-- > 0;) {
				__u64 cur = rem << 30 | digits[i];

				digits[i] = (__u32)(cur / 1000000000u);
				rem = cur % 1000000000u;
			}
			chunks[nc++] = (__u32)rem;
			while (len && !digits[len - 1])
				len--;
		}
		text = malloc(nc * 9 + 2);
		if (!text)
			return -ENOMEM;
		p = text;
		if (neg)
			*p++ = '-';
		p += sprintf(p, "%u", chunks[nc - 1]);
		for (i = nc - 1; i-- > 0;)
			p += sprintf(p, "%09u", chunks[i]);
		v->text = text;
		v->len = strlen(text);
	}
	return 0;
}

static int decode_seq(struct decoder *d, struct pyval *v, unsigned depth)
{
	const struct rt_py_offsets *o = d->r->o;
	__u64 items_addr, *items = NULL;
	size_t n, i, cap = 0;
	__s64 size;
	int err;

	err = rd_s64(d->r, v->addr, o->ob_size, &size);
	if (err)
		return err;
	if (size < 0)
		return -EINVAL;
	v->total = (size_t)size;
	if (v->kind == PYV_TUPLE) {
		items_addr = v->addr + o->tuple_items;
	} else {
		err = rd_ptr(d->r, v->addr, o->list_items, &items_addr);
		if (err)
			return err;
	}
	n = v->total;
	if (n > d->lim->items) {
		n = d->lim->items;
		v->truncated = true;
	}
	if (!n)
		return 0;
	items = malloc(n * sizeof(*items));
	if (!items)
		return -ENOMEM;
	err = memreader__read(d->r->mem, items_addr, items, n * sizeof(*items));
	for (i = 0; !err && i < n; i++)
		err = add_item(v, &cap, NULL, decode(d, items[i], depth + 1));
	free(items);
	return err;
}

struct dict_arg {
	struct decoder *d;
	struct pyval *v;
	size_t cap;
	unsigned depth;
};

static int dict_item(struct pyreader *r, __u64 key, __u64 value, void *arg)
{
	struct dict_arg *a = arg;

	return add_item(a->v, &a->cap, decode(a->d, key, a->depth + 1),
			decode(a->d, value, a->depth + 1));
}

static int decode_dict_at(struct decoder *d, struct pyval *v, __u64 dict, unsigned depth)
{
	struct dict_arg a = {.d = d, .v = v, .depth = depth};

	return iter_dict(d->r, dict, d->lim->items, dict_item, &a, &v->total, &v->truncated);
}

static int decode_set(struct decoder *d, struct pyval *v, unsigned depth)
{
	const struct rt_py_offsets *o = d->r->o;
	__s64 used, mask;
	__u64 table;
	unsigned char buf[DICT_CHUNK * 16];
	size_t i, cap = 0;
	int err;

	err = rd_s64(d->r, v->addr, o->set_used, &used);
	if (!err)
		err = rd_s64(d->r, v->addr, o->set_mask, &mask);
	if (!err)
		err = rd_ptr(d->r, v->addr, o->set_table, &table);
	if (err)
		return err;
	if (used < 0 || mask < 0 || mask > (1ll << 32) || ((mask + 1) & mask))
		return -EINVAL;
	v->total = (size_t)used;
	for (i = 0; i <= (size_t)mask && v->n < v->total;) {
		size_t chunk = (size_t)mask + 1 - i, j;

		if (chunk > DICT_CHUNK)
			chunk = DICT_CHUNK;
		if (memreader__read(d->r->mem, table + i * 16, buf, chunk * 16))
			return -EFAULT;
		for (j = 0; j < chunk; j++) {
			__u64 key = field_u64_at(buf + j * 16, 0);
			__s64 hash = (__s64)field_u64_at(buf + j * 16, 8);
			const struct pytype *t;

			if (!key)
				continue;
			if (hash == -1) {
				/* the dummy of a deleted entry */
				t = py_type_of(d->r, key);
				if (t && !strcmp(t->name, "<dummy key> type"))
					continue;
			}
			if (v->n >= d->lim->items) {
				v->truncated = true;
				return 0;
			}
			err = add_item(v, &cap, NULL, decode(d, key, depth + 1));
			if (err)
				return err;
		}
		i += chunk;
	}
	return 0;
}

/* An instance's attributes: its dict (tp_dictoffset, a 3.11 managed
 * dict pointer) or the values inlined beside the type's shared keys. */
static int decode_instance(struct decoder *d, struct pyval *v, const struct pytype *t,
			   unsigned depth)
{
	const struct rt_py_offsets *o = d->r->o;
	struct dict_arg a = {.d = d, .v = v, .depth = depth};
	__u64 dict = 0, values = 0;
	int err;

	if (t->flags & RT_TPFLAGS_MANAGED_DICT) {
		err = rd_ptr(d->r, v->addr + (__u64)(__s64)(__s32)o->managed_dict, 0, &dict);
		if (!err && !dict && o->managed_values != RT_PY_NONE)
			err = rd_ptr(d->r, v->addr + (__u64)(__s64)(__s32)o->managed_values, 0,
				     &values);
		if (err)
			return err;
		if (o->managed_values == RT_PY_NONE && (dict & 1)) {
			/* 3.12's PyDictOrValues: values - 1, tagged */
			values = dict + 1;
			dict = 0;
		}
		if (!dict && values && t->cached_keys)
			return iter_split(d->r, t->cached_keys, values, d->lim->items, dict_item,
					  &a, &v->total, &v->truncated);
	} else if (t->dictoffset > 0) {
		err = rd_ptr(d->r, v->addr, (__u32)t->dictoffset, &dict);
		if (err)
			return err;
	}
	if (!dict)
		return 0;
	return decode_dict_at(d, v, dict, depth);
}

static int read_name(struct pyreader *r, __u64 base, __u32 off, struct pyval *v)
{
	__u64 s;
	bool trunc;
	int err = rd_ptr(r, base, off, &s);

	if (!err)
		err = pyreader__read_str(r, s, MAX_TYPE_NAME, &v->text, &trunc);
	if (!err)
		v->len = strlen(v->text);
	return err;
}

static bool on_stack(const struct decoder *d, __u64 addr)
{
	unsigned i;

	for (i = 0; i < d->nstack; i++)
		if (d->stack[i] == addr)
			return true;
	return false;
}

static struct pyval *decode(struct decoder *d, __u64 addr, unsigned depth)
{
	struct pyreader *r = d->r;
	const struct pytype *t;
	struct pyval *v;
	bool container, trunc;
	int err = 0;

	t = py_type_of(r, addr);
	if (!t)
		return new_val(PYV_UNREADABLE, addr);
	v = new_val(t->kind, addr);
	if (!v)
		return NULL;
	v->type_name = strdup(t->name);
	if (t->module)
		v->type_module = strdup(t->module);
	container = t->kind == PYV_TUPLE || t->kind == PYV_LIST || t->kind == PYV_DICT ||
		    t->kind == PYV_SET || t->kind == PYV_FROZENSET || t->kind == PYV_INSTANCE ||
		    t->kind == PYV_EXCEPTION;
	if (container && on_stack(d, addr)) {
		v->kind = PYV_CYCLE;
		return v;
	}
	if (container && (depth > d->lim->depth || d->nstack >= MAX_NEST)) {
		v->kind = PYV_CUT;
		return v;
	}
	if (container)
		d->stack[d->nstack++] = addr;
	switch (t->kind) {
	case PYV_NONE:
		break;
	case PYV_BOOL:
	case PYV_INT:
		err = decode_int(d, v);
		break;
	case PYV_FLOAT:
		err = memreader__read(r->mem, addr + r->o->float_value, &v->f, sizeof(v->f));
		break;
	case PYV_COMPLEX: {
		double c[2];

		err = memreader__read(r->mem, addr + r->o->complex_value, c, sizeof(c));
		v->f = c[0];
		v->imag = c[1];
		break;
	}
	case PYV_STR:
		err = read_str_n(r, addr, d->lim->str_len, &v->text, &v->len, &v->truncated);
		break;
	case PYV_BYTES:
		err = py_read_bytes(r, addr, d->lim->str_len, (unsigned char **)&v->text, &v->len,
				    &v->truncated);
		break;
	case PYV_TUPLE:
	case PYV_LIST:
		err = decode_seq(d, v, depth);
		break;
	case PYV_DICT:
		err = decode_dict_at(d, v, addr, depth);
		break;
	case PYV_SET:
	case PYV_FROZENSET:
		err = decode_set(d, v, depth);
		break;
	case PYV_INSTANCE:
		/* its type and address were read: attributes that cannot be
		 * (a memory image without them) leave it an instance, cut */
		err = decode_instance(d, v, t, depth);
		if (err && err != -ENOMEM) {
			v->truncated = true;
			err = 0;
		}
		break;
	case PYV_EXCEPTION: {
		__u64 args;
		size_t cap = 0;

		err = rd_ptr(r, addr, r->o->exc_args, &args);
		if (!err && args)
			err = add_item(v, &cap, NULL, decode(d, args, depth + 1));
		v->total = v->n;
		break;
	}
	case PYV_FUNCTION:
		err = read_name(r, addr, r->o->func_qualname, v);
		break;
	case PYV_TYPE: {
		const struct pytype *self = py_type_at(r, addr);

		if (!self) {
			err = -errno;
			break;
		}
		if (self->module && strcmp(self->module, "builtins"))
			err = asprintf(&v->text, "%s.%s", self->module, self->name) < 0 ? -ENOMEM : 0;
		else
			v->text = strdup(self->name);
		if (!err && !v->text)
			err = -ENOMEM;
		if (!err)
			v->len = strlen(v->text);
		break;
	}
	case PYV_MODULE: {
		__u64 dict, name;

		err = rd_ptr(r, addr, r->o->module_dict, &dict);
		if (!err)
			err = py_dict_get_str(r, dict, "__name__", &name);
		if (!err)
			err = pyreader__read_str(r, name, MAX_TYPE_NAME, &v->text, &trunc);
		if (!err)
			v->len = strlen(v->text);
		/* __file__, for "<module 'json' from '/usr/lib/...'>" */
		if (!err && !py_dict_get_str(r, dict, "__file__", &name)) {
			const struct pytype *ft = py_type_of(r, name);
			size_t cap = 0;

			if (ft && ft->kind == PYV_STR)
				err = add_item(v, &cap, NULL, decode(d, name, depth + 1));
		}
		break;
	}
	case PYV_CODE:
		err = read_name(r, addr, r->o->code_name, v);
		break;
	default:
		break;
	}
	if (container)
		d->nstack--;
	if (err == -ENOMEM) {
		pyval_free(v);
		return NULL;
	}
	if (err) {
		/* keep what the type says; the value could not be read */
		size_t i;

		for (i = 0; i < v->n; i++) {
			pyval_free(v->items[i].key);
			pyval_free(v->items[i].value);
		}
		free(v->items);
		v->items = NULL;
		v->n = 0;
		free(v->text);
		v->text = NULL;
		v->len = 0;
		v->kind = PYV_UNREADABLE;
	}
	return v;
}

struct pyval *pyreader__decode(struct pyreader *r, __u64 addr, const struct pyval_limits *lim)
{
	struct decoder d = {.r = r, .lim = lim ? lim : &PYVAL_LIMITS_DEFAULT};
	struct pyval *v = decode(&d, addr, 1);

	if (!v)
		errno = ENOMEM;
	return v;
}
