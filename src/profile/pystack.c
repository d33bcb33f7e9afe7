// SPDX-License-Identifier: GPL-2.0-only
/* Naming the code objects of Python stacks and matching them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/pystack.h"
#include "runtrace/profile.h"
#include "util/util.h"

#define MAX_CODES (1u << 24)

struct pf_codetab {
	struct pf_code_ent *v;  /* in the order met */
	size_t n, cap;
	size_t *idx;            /* open addressing: index + 1 into v, 0 empty */
	size_t icap;
};

static size_t slot_of(__u64 key, size_t cap)
{
	return (size_t)((key >> 4) * 0x9e3779b97f4a7c15ull) & (cap - 1);
}

struct pf_codetab *pf_codetab_new(void)
{
	return calloc(1, sizeof(struct pf_codetab));
}

void pf_codetab_free(struct pf_codetab *t)
{
	if (!t)
		return;
	free(t->v);
	free(t->idx);
	free(t);
}

struct pf_code_ent *pf_codetab_get(struct pf_codetab *t, __u64 code)
{
	size_t i;

	if (!t->icap)
		return NULL;
	for (i = slot_of(code, t->icap); t->idx[i]; i = (i + 1) & (t->icap - 1))
		if (t->v[t->idx[i] - 1].code == code)
			return &t->v[t->idx[i] - 1];
	return NULL;
}

static int reindex(struct pf_codetab *t, size_t icap)
{
	size_t *idx = calloc(icap, sizeof(*idx)), k, i;

	if (!idx)
		return -ENOMEM;
	for (k = 0; k < t->n; k++) {
		for (i = slot_of(t->v[k].code, icap); idx[i]; i = (i + 1) & (icap - 1))
			;
		idx[i] = k + 1;
	}
	free(t->idx);
	t->idx = idx;
	t->icap = icap;
	return 0;
}

struct pf_code_ent *pf_codetab_put(struct pf_codetab *t, __u64 code, bool *added)
{
	struct pf_code_ent *e = pf_codetab_get(t, code);
	size_t i;

	*added = false;
	if (e)
		return e;
	if (array_grow(&t->v, &t->cap, t->n, sizeof(*t->v), 256, MAX_CODES))
		return NULL;
	if ((t->n + 1) * 2 > t->icap && reindex(t, t->icap ? t->icap * 2 : 512))
		return NULL;
	e = &t->v[t->n++];
	memset(e, 0, sizeof(*e));
	e->code = code;
	for (i = slot_of(code, t->icap); t->idx[i]; i = (i + 1) & (t->icap - 1))
		;
	t->idx[i] = t->n;
	*added = true;
	return e;
}

size_t pf_codetab_count(const struct pf_codetab *t)
{
	return t->n;
}

struct pf_code_ent *pf_codetab_at(struct pf_codetab *t, size_t i)
{
	return i < t->n ? &t->v[i] : NULL;
}

int pf_py_describe(struct pyreader *r, __u64 code, __u64 globals, struct pf_pycode *out)
{
	const struct py_code *c = pyreader__code(r, code);
	struct py_frame f = { .globals = globals };

	memset(out, 0, sizeof(*out));
	if (!c)
		return -errno;
	out->name = c->name;
	out->qualname = c->qualname;
	out->filename = c->filename;
	out->module = globals ? pyreader__module_of(r, &f) : NULL;
	return 0;
}

int pf_py_code_mask(struct pyreader *r, const struct pf_funcs *fs, __u64 code, __u64 globals,
		    __u64 *mask)
{
	struct pf_pycode pc;
	int err;

	*mask = 0;
	err = pf_py_describe(r, code, globals, &pc);
	if (err)
		return err;
	*mask = pf_funcs_py_mask(fs, &pc);
	return 0;
}

int pf_py_code_id(struct pyreader *r, __u64 code, __u64 *id)
{
	const struct rt_py_offsets *o = pyreader__offsets(r);
	struct memreader *mem = pyreader__mem(r);
	__u64 filename, qualname;

	if (memreader__read_u64(mem, code + o->code_filename, &filename) ||
	    memreader__read_u64(mem, code + o->code_qualname, &qualname))
		return -EFAULT;
	*id = rt_profile_code_id(filename, qualname);
	return 0;
}

struct pf_code_ent *pf_codetab_name(struct pf_codetab *t, struct pyreader *r,
				    const struct pf_funcs *fs, __u64 code, __u64 id, __u64 globals,
				    bool *named)
{
	struct pf_code_ent *e = pf_codetab_get(t, code);
	__u64 now, mask;
	bool added;

	*named = false;
	if (e && e->id == id)
		return e;
	if (pf_py_code_id(r, code, &now) || now != id)
		return NULL; /* freed, or reused, since the kernel saw it */
	if (e)
		pyreader__invalidate(r); /* its cache has the old object */
	if (pf_py_code_mask(r, fs, code, globals, &mask))
		return NULL;
	if (!e && !(e = pf_codetab_put(t, code, &added)))
		return NULL;
	e->id = id;
	e->globals = globals;
	e->mask = mask;
	*named = true;
	return e;
}

int pf_py_stack_mask(struct pyreader *r, const struct pf_funcs *fs, struct pf_codetab *tab,
		     __u64 frame, size_t max, __u64 *mask)
{
	const struct rt_py_offsets *o = pyreader__offsets(r);
	struct memreader *mem = pyreader__mem(r);
	size_t i;

	*mask = 0;
	for (i = 0; frame && i < max; i++) {
		__u64 code, globals, previous, id, m;
		struct pf_code_ent *e;
		__u8 owner = 0;
		bool named;

		if (memreader__read_u64(mem, frame + o->iframe_code, &code) ||
		    memreader__read_u64(mem, frame + o->iframe_globals, &globals) ||
		    memreader__read_u64(mem, frame + o->iframe_previous, &previous) ||
		    memreader__read(mem, frame + o->iframe_owner, &owner, 1))
			return -EFAULT;
		frame = previous;
		if ((o->owner_cstack != RT_PY_NONE && owner == o->owner_cstack) || !code ||
		    pf_py_code_id(r, code, &id))
			continue;
		if (!tab) {
			if (!pf_py_code_mask(r, fs, code, globals, &m))
				*mask |= m;
			continue;
		}
		e = pf_codetab_name(tab, r, fs, code, id, globals, &named);
		if (e)
			*mask |= e->mask;
	}
	return 0;
}
