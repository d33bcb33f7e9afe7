// SPDX-License-Identifier: GPL-2.0-only
/* CPython from outside: thread states, frames, code objects, line numbers. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "python/internal.h"
#include "util/util.h"

#define MAX_THREADS 4096
#define MAX_NAME 1024           /* bytes of a code object's names kept */
#define MAX_LOCALSPLUS 65536
#define MAX_LINETABLE (1u << 20)

/* ---- address map ---- */

static size_t slot_of(__u64 key, size_t cap)
{
	return (size_t)((key >> 4) * 0x9e3779b97f4a7c15ull) & (cap - 1);
}

void *addrmap_get(const struct addrmap *m, __u64 key)
{
	size_t i;

	if (!m->cap || !key)
		return NULL;
	for (i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key)
			return m->vals[i];
		if (!m->keys[i])
			return NULL;
	}
}

int addrmap_put(struct addrmap *m, __u64 key, void *val)
{
	size_t i;

	if (!key)
		return -EINVAL;
	if ((m->n + 1) * 2 > m->cap) {
		struct addrmap g = {0};

		g.cap = m->cap ? m->cap * 2 : 64;
		g.keys = calloc(g.cap, sizeof(*g.keys));
		g.vals = calloc(g.cap, sizeof(*g.vals));
		if (!g.keys || !g.vals) {
			free(g.keys);
			free(g.vals);
			return -ENOMEM;
		}
		for (i = 0; i < m->cap; i++)
			if (m->keys[i])
				addrmap_put(&g, m->keys[i], m->vals[i]);
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	for (i = slot_of(key, m->cap); m->keys[i] && m->keys[i] != key; i = (i + 1) & (m->cap - 1))
		;
	if (!m->keys[i])
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

void addrmap_clear(struct addrmap *m, void (*free_val)(void *))
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->keys[i] && free_val)
			free_val(m->vals[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- reads ---- */

int rd_ptr(struct pyreader *r, __u64 base, __u32 off, __u64 *v)
{
	return memreader__read(r->mem, base + off, v, sizeof(*v));
}

int rd_s64(struct pyreader *r, __u64 base, __u32 off, __s64 *v)
{
	return memreader__read(r->mem, base + off, v, sizeof(*v));
}

int rd_int(struct pyreader *r, __u64 base, __u32 off, int *v)
{
	return memreader__read(r->mem, base + off, v, sizeof(*v));
}

static __u64 field_u64(const unsigned char *blk, __u32 off)
{
	__u64 v;

	memcpy(&v, blk + off, sizeof(v));
	return v;
}

static int field_int(const unsigned char *blk, __u32 off)
{
	int v;

	memcpy(&v, blk + off, sizeof(v));
	return v;
}

/* ---- the reader ---- */

static void code_free(void *p)
{
	struct py_code *c = p;
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nlocalsplus && c->localsplusnames; i++)
		free(c->localsplusnames[i]);
	free(c->localsplusnames);
	free(c->localspluskinds);
	free(c->linetable);
	free(c->name);
	free(c->qualname);
	free(c->filename);
	free(c);
}

struct pyreader *pyreader__new(struct memreader *mem, const struct rt_py_offsets *off,
			       __u64 runtime_addr)
{
	struct pyreader *r;

	if (!mem || !off || !runtime_addr) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		errno = ENOMEM;
		return NULL;
	}
	r->mem = mem;
	r->o = off;
	r->runtime = runtime_addr;
	return r;
}

void pyreader__invalidate(struct pyreader *r)
{
	addrmap_clear(&r->codes, code_free);
	addrmap_clear(&r->types, pytype_free);
	addrmap_clear(&r->modnames, free);
	memreader__invalidate(r->mem);
}

void pyreader__free(struct pyreader *r)
{
	if (!r)
		return;
	addrmap_clear(&r->codes, code_free);
	addrmap_clear(&r->types, pytype_free);
	addrmap_clear(&r->modnames, free);
	free(r);
}

struct memreader *pyreader__mem(const struct pyreader *r)
{
	return r->mem;
}

const struct rt_py_offsets *pyreader__offsets(const struct pyreader *r)
{
	return r->o;
}

/* ---- threads ---- */

int pyreader__threads(struct pyreader *r, struct py_thread **out, size_t *n)
{
	const struct rt_py_offsets *o = r->o;
	struct py_thread *v = NULL;
	size_t cap = 0, cnt = 0;
	__u64 interp, ts, current = 0;
	unsigned char blk[256];
	size_t blen;
	int err;

	*out = NULL;
	*n = 0;
	err = rd_ptr(r, r->runtime, o->runtime_interp_main, &interp);
	if (!err && !interp)
		err = rd_ptr(r, r->runtime, o->runtime_interp_head, &interp);
	if (err)
		return err;
	if (!interp)
		return -ENOENT; /* not initialised yet, or finalised */
	if (o->runtime_tstate_current != RT_PY_NONE)
		rd_ptr(r, r->runtime, o->runtime_tstate_current, &current);
	err = rd_ptr(r, interp, o->interp_tstate_head, &ts);
	if (err)
		return err;
	/* one read per thread state: the fields we need are in its first bytes */
	blen = o->tstate_native_thread_id + 8;
	if (o->tstate_cframe != RT_PY_NONE && o->tstate_cframe + 8 > blen)
		blen = o->tstate_cframe + 8;
	if (o->tstate_cframe == RT_PY_NONE && o->cframe_current_frame + 8 > blen)
		blen = o->cframe_current_frame + 8;
	if (o->tstate_next + 8 > blen)
		blen = o->tstate_next + 8;
	if (blen > sizeof(blk))
		return -EINVAL;
	while (ts && cnt < MAX_THREADS) {
		struct py_thread *t;

		err = memreader__read(r->mem, ts, blk, blen);
		if (err)
			goto cleanup;
		err = array_grow(&v, &cap, cnt, sizeof(*v), 8, MAX_THREADS);
		if (err)
			goto cleanup;
		t = &v[cnt++];
		memset(t, 0, sizeof(*t));
		t->tstate = ts;
		t->thread_id = field_u64(blk, o->tstate_thread_id);
		t->native_thread_id = field_u64(blk, o->tstate_native_thread_id);
		t->holds_gil = current == ts;
		if (o->tstate_cframe != RT_PY_NONE) {
			__u64 cframe = field_u64(blk, o->tstate_cframe);

			/* the cframe lives on the thread's C stack */
			if (cframe && rd_ptr(r, cframe, o->cframe_current_frame, &t->frame))
				t->frame = 0;
		} else {
			t->frame = field_u64(blk, o->cframe_current_frame);
		}
		ts = field_u64(blk, o->tstate_next);
	}
	*out = v;
	*n = cnt;
	return 0;
cleanup:
	free(v);
	return err;
}

/* ---- code objects ---- */

int py_linetable_addr2line(const __u8 *t, size_t len, int firstlineno, int addrq)
{
	const __u8 *p = t, *end = t + len;
	int line = firstlineno, ar_line = -1, ar_end = 0;

	if (addrq < 0)
		return firstlineno;
	/* advance() until the range [ar_start, ar_end) holds addrq */
	while (ar_end <= addrq) {
		int code, delta = 0;

		if (p >= end || !(*p & 0x80))
			return -1;
		code = (*p >> 3) & 15;
		if (code == 13 || code == 14) {
			/* NO_COLUMNS, LONG: a signed varint line delta */
			const __u8 *q = p + 1;
			unsigned uval = 0, shift = 0;

			while (q < end) {
				uval |= (unsigned)(*q & 63) << shift;
				shift += 6;
				if (!(*q++ & 64) || shift > 30)
					break;
			}
			delta = (uval & 1) ? -(int)(uval >> 1) : (int)(uval >> 1);
		} else if (code >= 10 && code <= 12) {
			delta = code - 10; /* ONE_LINE0..2 */
		}
		line += delta;
		ar_line = code == 15 ? -1 : line;
		ar_end += ((*p & 7) + 1) * 2;
		do
			p++;
		while (p < end && !(*p & 0x80));
	}
	return ar_line;
}

static int read_names(struct pyreader *r, struct py_code *c, __u64 names, __u64 kinds)
{
	const struct rt_py_offsets *o = r->o;
	__s64 nn;
	__u64 *items = NULL;
	unsigned char *kb = NULL;
	size_t klen = 0, i;
	bool trunc;
	int err;

	err = rd_s64(r, names, o->ob_size, &nn);
	if (err)
		return err;
	if (nn < 0 || (size_t)nn != c->nlocalsplus)
		return -EINVAL;
	if (!nn)
		return 0;
	items = malloc(nn * sizeof(*items));
	c->localsplusnames = calloc(nn, sizeof(char *));
	if (!items || !c->localsplusnames) {
		err = -ENOMEM;
		goto cleanup;
	}
	err = memreader__read(r->mem, names + o->tuple_items, items, nn * sizeof(*items));
	if (err)
		goto cleanup;
	for (i = 0; i < (size_t)nn; i++) {
		err = pyreader__read_str(r, items[i], MAX_NAME, &c->localsplusnames[i], &trunc);
		if (err)
			goto cleanup;
	}
	err = py_read_bytes(r, kinds, MAX_LOCALSPLUS, &kb, &klen, &trunc);
	if (err)
		goto cleanup;
	if (klen != (size_t)nn) {
		err = -EINVAL;
		goto cleanup;
	}
	c->localspluskinds = kb;
	kb = NULL;
cleanup:
	free(kb);
	free(items);
	return err;
}

const struct py_code *pyreader__code(struct pyreader *r, __u64 addr)
{
	const struct rt_py_offsets *o = r->o;
	struct py_code *c = addrmap_get(&r->codes, addr);
	const struct pytype *t;
	unsigned char blk[512];
	bool trunc;
	int nlp, err;

	if (c)
		return c;
	if (o->code_adaptive > sizeof(blk)) {
		errno = EINVAL;
		return NULL;
	}
	t = py_type_of(r, addr);
	if (!t) {
		err = -errno;
		goto fail;
	}
	if (!t->name || strcmp(t->name, "code")) {
		err = -EINVAL; /* not a code object: a stale or wrong pointer */
		goto fail;
	}
	err = memreader__read(r->mem, addr, blk, o->code_adaptive);
	if (err)
		goto fail;
	c = calloc(1, sizeof(*c));
	if (!c) {
		err = -ENOMEM;
		goto fail;
	}
	c->addr = addr;
	c->firstlineno = field_int(blk, o->code_firstlineno);
	c->argcount = field_int(blk, o->code_argcount);
	c->flags = field_int(blk, o->code_flags);
	c->firsttraceable = o->code_firsttraceable != RT_PY_NONE ?
				    field_int(blk, o->code_firsttraceable) : 0;
	nlp = field_int(blk, o->code_nlocalsplus);
	if (nlp < 0 || nlp > MAX_LOCALSPLUS) {
		err = -EINVAL;
		goto fail;
	}
	c->nlocalsplus = (size_t)nlp;
	err = pyreader__read_str(r, field_u64(blk, o->code_name), MAX_NAME, &c->name, &trunc);
	if (!err)
		err = pyreader__read_str(r, field_u64(blk, o->code_qualname), MAX_NAME,
					 &c->qualname, &trunc);
	if (!err)
		err = pyreader__read_str(r, field_u64(blk, o->code_filename), PATH_MAX,
					 &c->filename, &trunc);
	if (!err)
		err = read_names(r, c, field_u64(blk, o->code_localsplusnames),
				 field_u64(blk, o->code_localspluskinds));
	if (!err)
		err = py_read_bytes(r, field_u64(blk, o->code_linetable), MAX_LINETABLE,
				    &c->linetable, &c->linetable_len, &trunc);
	if (err)
		goto fail;
	err = addrmap_put(&r->codes, addr, c);
	if (err)
		goto fail;
	return c;
fail:
	code_free(c);
	errno = -err;
	return NULL;
}

/* ---- frames ---- */

int pyreader__frame(struct pyreader *r, __u64 addr, struct py_frame *f)
{
	const struct rt_py_offsets *o = r->o;
	unsigned char blk[256];
	__u64 code, prev_instr, first;
	__s64 lasti;

	if (o->iframe_localsplus > sizeof(blk))
		return -EINVAL;
	/* the frame's fixed part: one read */
	if (memreader__read(r->mem, addr, blk, o->iframe_localsplus))
		return -EFAULT;
	memset(f, 0, sizeof(*f));
	f->addr = addr;
	f->previous = field_u64(blk, o->iframe_previous);
	f->func = o->iframe_func != RT_PY_NONE ? field_u64(blk, o->iframe_func) : 0;
	f->globals = field_u64(blk, o->iframe_globals);
	f->builtins = field_u64(blk, o->iframe_builtins);
	f->locals = field_u64(blk, o->iframe_locals);
	f->owner = blk[o->iframe_owner];
	code = field_u64(blk, o->iframe_code);
	prev_instr = field_u64(blk, o->iframe_prev_instr);
	if (o->owner_cstack != RT_PY_NONE && f->owner == (int)o->owner_cstack) {
		/* a C shim frame (3.12): no code to show */
		f->incomplete = true;
		f->line = -1;
		return 0;
	}
	f->code = pyreader__code(r, code);
	if (!f->code)
		return -errno;
	first = code + o->code_adaptive;
	lasti = ((__s64)prev_instr - (__s64)first) / 2;
	if (lasti < -1 || lasti > INT32_MAX)
		return -EINVAL;
	f->lasti = (int)lasti;
	f->line = py_linetable_addr2line(f->code->linetable, f->code->linetable_len,
					 f->code->firstlineno, f->lasti * 2);
	/* _PyFrame_IsIncomplete */
	f->incomplete = f->owner != 1 /* FRAME_OWNED_BY_GENERATOR */ &&
			f->lasti < f->code->firsttraceable;
	return 0;
}

int pyreader__stack(struct pyreader *r, __u64 frame, size_t max, struct py_frame **out,
		    size_t *n)
{
	struct py_frame *v = NULL;
	size_t cap = 0, cnt = 0, steps = 0;
	int err = 0;

	*out = NULL;
	*n = 0;
	while (frame && cnt < max && steps++ < 4 * max + 64) {
		struct py_frame f;

		err = pyreader__frame(r, frame, &f);
		if (err)
			break;
		frame = f.previous;
		if (f.incomplete)
			continue;
		err = array_grow(&v, &cap, cnt, sizeof(*v), 16, SIZE_MAX);
		if (err)
			break;
		v[cnt++] = f;
	}
	*out = v;
	*n = cnt;
	return err;
}

const char *pyreader__module_of(struct pyreader *r, const struct py_frame *f)
{
	char *name = addrmap_get(&r->modnames, f->globals);
	__u64 v;
	bool trunc;

	if (name)
		return name;
	if (!f->globals || py_dict_get_str(r, f->globals, "__name__", &v) ||
	    pyreader__read_str(r, v, MAX_NAME, &name, &trunc))
		return NULL;
	if (addrmap_put(&r->modnames, f->globals, name)) {
		free(name);
		return NULL;
	}
	return name;
}

/* ---- locals ---- */

void py_locals_free(struct py_local *l, size_t n)
{
	size_t i;

	for (i = 0; i < n && l; i++)
		pyval_free(l[i].value);
	free(l);
}

int pyreader__locals(struct pyreader *r, const struct py_frame *f,
		     const struct pyval_limits *lim, struct py_local **out, size_t *n)
{
	const struct rt_py_offsets *o = r->o;
	const struct py_code *c = f->code;
	struct py_local *v = NULL;
	__u64 *slots = NULL;
	size_t i, cnt = 0;
	int err = 0;

	*out = NULL;
	*n = 0;
	if (!c || !c->nlocalsplus)
		return 0;
	slots = malloc(c->nlocalsplus * sizeof(*slots));
	v = calloc(c->nlocalsplus, sizeof(*v));
	if (!slots || !v) {
		err = -ENOMEM;
		goto cleanup;
	}
	err = memreader__read(r->mem, f->addr + o->iframe_localsplus, slots,
			      c->nlocalsplus * sizeof(*slots));
	if (err)
		goto cleanup;
	for (i = 0; i < c->nlocalsplus; i++) {
		__u8 kind = c->localspluskinds[i];
		__u64 obj = slots[i];

		if (!obj)
			continue; /* unbound */
		if (kind & (RT_CO_FAST_CELL | RT_CO_FAST_FREE)) {
			/* a cell once MAKE_CELL/COPY_FREE_VARS ran; before, the
			 * raw argument value */
			const struct pytype *t = py_type_of(r, obj);

			if (t && t->name && !strcmp(t->name, "cell")) {
				if (rd_ptr(r, obj, o->cell_ref, &obj))
					continue;
				if (!obj)
					continue; /* empty cell: unbound */
			}
		}
		v[cnt].name = c->localsplusnames[i];
		v[cnt].kind = kind;
		v[cnt].addr = obj;
		v[cnt].value = pyreader__decode(r, obj, lim);
		cnt++;
	}
	*out = v;
	*n = cnt;
	v = NULL;
cleanup:
	free(slots);
	py_locals_free(v, cnt);
	return err;
}
