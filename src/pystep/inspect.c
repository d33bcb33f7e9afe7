// SPDX-License-Identifier: GPL-2.0-only
/* Snapshots of a stopped traced program, read from outside. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pystep/inspect.h"
#include "pystep/record.h"
#include "pystep/target.h"
#include "python/mem.h"
#include "python/reader.h"
#include "util/util.h"

#define MAIN_MODULE "__main__"
#define CO_OPTIMIZED 0x1
#define CO_GENERATOR 0x20
#define CO_COROUTINE 0x80
#define MAX_NAME 256
/* CPython 3.11 opcodes (Lib/opcode.py) */
#define OP_RETURN_VALUE 83
#define OP_FOR_ITER 93
#define OP_SEND 123

struct ps_inspect {
	struct memreader *mem;
	struct pyreader *r;
	const struct rt_py_offsets *o;
	__u64 runtime;
	char *path;
	struct ps_inspect_limits lim;
	struct pyval_limits lim0;   /* a value: containers cut */
	struct pyval_limits lim1;   /* a container's members */
	struct ps_heap *heap;
};

static int expand(void *ctx, const struct ps_val *ref, struct ps_obj *out);

struct ps_inspect *ps_inspect__new(pid_t pid, const struct ps_target *t, __u64 runtime,
				   const char *path, const struct ps_inspect_limits *lim)
{
	struct ps_inspect *in = calloc(1, sizeof(*in));
	int err = ENOMEM;

	if (!in)
		goto fail;
	in->o = t->o;
	in->runtime = runtime;
	in->lim = *lim;
	in->lim0 = (struct pyval_limits){ .depth = 0, .items = 1, .str_len = lim->str_len };
	in->lim1 = (struct pyval_limits){ .depth = 1, .items = lim->items,
					  .str_len = lim->str_len };
	in->path = strdup(path);
	if (!in->path)
		goto fail;
	in->mem = memreader__new_pid(pid);
	if (!in->mem) {
		err = errno;
		goto fail;
	}
	in->r = pyreader__new(in->mem, t->o, runtime);
	if (!in->r) {
		err = errno;
		goto fail;
	}
	in->heap = ps_heap__new(expand, in, lim->objects);
	if (!in->heap)
		goto fail;
	return in;
fail:
	ps_inspect__free(in);
	errno = err;
	return NULL;
}

void ps_inspect__free(struct ps_inspect *in)
{
	if (!in)
		return;
	ps_heap__free(in->heap);
	pyreader__free(in->r);
	memreader__free(in->mem);
	free(in->path);
	free(in);
}

void ps_inspect__stats(const struct ps_inspect *in, __u64 *reads, __u64 *source_reads)
{
	memreader__stats(in->mem, reads, source_reads);
}

/* ---- values ---- */

static bool scalar_kind(enum pyval_kind k)
{
	return k == PYV_NONE || k == PYV_BOOL || k == PYV_INT || k == PYV_FLOAT ||
	       k == PYV_COMPLEX || k == PYV_STR;
}

static int unreadable(struct ps_val *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = PSV_STR;
	out->text = strdup("<unreadable>");
	out->len = out->text ? strlen(out->text) : 0;
	return out->text ? 0 : -ENOMEM;
}

/* The object at @addr by the value rules; @dec: it already decoded (depth
 * 0), or NULL. */
static int value_at(struct ps_inspect *in, __u64 addr, const struct pyval *dec, struct ps_val *out)
{
	struct py_type_info t, self;
	struct pyval *v = NULL;
	struct pyval shallow;
	int err;

	if (dec && scalar_kind(dec->kind))
		return ps_value_of(dec, NULL, NULL, MAIN_MODULE, out);
	if (pyreader__type_of(in->r, addr, &t))
		return unreadable(out);
	if (t.flags & RT_TPFLAGS_TYPE_SUBCLASS) {
		/* a class */
		if (pyreader__type_at(in->r, addr, &self))
			return unreadable(out);
		memset(&shallow, 0, sizeof(shallow));
		shallow.kind = PYV_TYPE;
		shallow.addr = addr;
		return ps_value_of(&shallow, &t, &self, MAIN_MODULE, out);
	}
	if (scalar_kind(t.kind)) {
		v = pyreader__decode(in->r, addr, &in->lim0);
		if (!v)
			return -ENOMEM;
		if (v->kind == PYV_UNREADABLE)
			err = unreadable(out);
		else
			err = ps_value_of(v, &t, NULL, MAIN_MODULE, out);
		pyval_free(v);
		return err;
	}
	memset(&shallow, 0, sizeof(shallow));
	shallow.kind = t.kind;
	shallow.addr = addr;
	return ps_value_of(&shallow, &t, NULL, MAIN_MODULE, out);
}

static int key_name(struct ps_inspect *in, __u64 key, char **name)
{
	struct py_type_info t;
	bool trunc;

	*name = NULL;
	if (pyreader__type_of(in->r, key, &t) || t.kind != PYV_STR)
		return -EINVAL;
	return pyreader__read_str(in->r, key, MAX_NAME, name, &trunc);
}

/* ---- members ---- */

struct members {
	struct ps_inspect *in;
	struct ps_member *m;
	size_t n, cap;
	bool names;        /* keys are names: '_' ones left out */
	int err;
};

static int add_member(struct members *ms, struct ps_val *key, struct ps_val *value)
{
	int err = array_grow(&ms->m, &ms->cap, ms->n, sizeof(*ms->m), 8, SIZE_MAX);

	if (err) {
		ps_val_clear(key);
		ps_val_clear(value);
		return err;
	}
	ms->m[ms->n].key = *key;
	ms->m[ms->n].value = *value;
	ms->n++;
	return 0;
}

static int name_member(struct members *ms, const char *name, __u64 addr, const struct pyval *dec)
{
	struct ps_val key = {0}, value = {0};
	int err;

	if (name[0] == '_')
		return 0;
	key.kind = PSV_STR;
	key.text = strdup(name);
	if (!key.text)
		return -ENOMEM;
	key.len = strlen(name);
	err = value_at(ms->in, addr, dec, &value);
	if (err) {
		ps_val_clear(&key);
		return err;
	}
	return add_member(ms, &key, &value);
}

static int item_cb(void *arg, __u64 k, __u64 v)
{
	struct members *ms = arg;
	struct ps_val key = {0}, value = {0};
	char *name;
	int err;

	if (ms->names) {
		/* attributes, namespaces: str names */
		if (key_name(ms->in, k, &name))
			return 0;
		err = name_member(ms, name, v, NULL);
		free(name);
		return err < 0 ? err : 0;
	}
	err = value_at(ms->in, k, NULL, &key);
	if (!err)
		err = value_at(ms->in, v, NULL, &value);
	if (!err)
		return add_member(ms, &key, &value);
	ps_val_clear(&key);
	ps_val_clear(&value);
	return err;
}

static void members_free(struct ps_member *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ps_val_clear(&m[i].key);
		ps_val_clear(&m[i].value);
	}
	free(m);
}

static char *short_type_name(const struct py_type_info *t)
{
	const char *dot = t->heap ? NULL : strrchr(t->name, '.');

	return strdup(dot ? dot + 1 : t->name);
}

static int expand(void *ctx, const struct ps_val *ref, struct ps_obj *out)
{
	struct ps_inspect *in = ctx;
	struct members ms = { .in = in };
	struct py_type_info t;
	struct pyval *v;
	size_t i;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (pyreader__type_of(in->r, ref->addr, &t))
		return -EFAULT;
	out->type = short_type_name(&t);
	if (!out->type)
		return -ENOMEM;
	if (ref->cat == PS_LIST || ref->cat == PS_SET) {
		v = pyreader__decode(in->r, ref->addr, &in->lim1);
		if (!v)
			return -ENOMEM;
		for (i = 0; i < v->n && !err; i++) {
			struct ps_val key = { .kind = PSV_NUM }, value = {0};
			const struct pyval *item = v->items[i].value;

			if (asprintf(&key.text, "%zu", i) < 0) {
				key.text = NULL;
				err = -ENOMEM;
				break;
			}
			key.len = strlen(key.text);
			err = item ? value_at(in, item->addr, item, &value) : unreadable(&value);
			if (err)
				ps_val_clear(&key);
			else
				err = add_member(&ms, &key, &value);
		}
		pyval_free(v);
	} else if (ref->attrs) {
		ms.names = true;
		err = pyreader__attrs(in->r, ref->addr, in->lim.items, item_cb, &ms, NULL);
	} else {
		err = pyreader__dict_items(in->r, ref->addr, in->lim.items, item_cb, &ms, NULL);
	}
	out->m = ms.m;
	out->n = ms.n;
	return err < 0 ? err : 0;
}

/* ---- frames ---- */

static int frame_members(struct ps_inspect *in, const struct py_frame *f, struct members *ms)
{
	struct py_local *loc;
	size_t n, i;
	__u64 dict;
	int err;

	if (f->code->flags & CO_OPTIMIZED) {
		/* a function: its fast locals, cells and free variables */
		err = pyreader__locals(in->r, f, &in->lim0, &loc, &n);
		if (err)
			return err;
		for (i = 0; i < n && !err; i++)
			err = name_member(ms, loc[i].name, loc[i].addr, loc[i].value);
		py_locals_free(loc, n);
		return err;
	}
	/* a module or a class body: its namespace */
	dict = f->locals ? f->locals : f->globals;
	if (!dict)
		return 0;
	ms->names = true;
	return pyreader__dict_items(in->r, dict, in->lim.items, item_cb, ms, NULL);
}

/* The value @frame is returning: what RETURN_VALUE / YIELD_VALUE popped,
 * just above the stack top; None while an exception unwinds it. */
static int return_value(struct ps_inspect *in, __u64 frame, bool unwinding, struct ps_val *out)
{
	const struct rt_py_offsets *o = in->o;
	struct memreader *m = in->mem;
	__u32 top;
	__u64 v;

	if (unwinding) {
		memset(out, 0, sizeof(*out));
		out->kind = PSV_STR;
		out->text = strdup("None");
		out->len = 4;
		return out->text ? 0 : -ENOMEM;
	}
	if (memreader__read_u32(m, frame + o->iframe_stacktop, &top) || top > (1u << 20) ||
	    memreader__read_u64(m, frame + o->iframe_localsplus + (__u64)top * 8, &v) || !v)
		return unreadable(out);
	return value_at(in, v, NULL, out);
}

/* The exception being raised (3.11: tstate->curexc_type), 0 if none. */
static __u64 current_exception(struct ps_inspect *in)
{
	const struct rt_py_offsets *o = in->o;
	__u64 tstate = 0, type = 0;

	if (memreader__read_u64(in->mem, in->runtime + o->runtime_tstate_current, &tstate) ||
	    !tstate || memreader__read_u64(in->mem, tstate + o->tstate_curexc_type, &type))
		return 0;
	return type;
}

int ps_inspect__snapshot(struct ps_inspect *in, const char *event, __u64 frame,
			 __u64 module_code, struct ps_step_info *info, struct strbuf *sb)
{
	struct py_frame *fr = NULL;
	struct ps_frame *pf = NULL;
	size_t nfr = 0, capfr = 0, i, steps = 0;
	bool ret = !strcmp(event, "return");
	__u64 addr = frame, exc = 0;
	int err = 0;

	memset(info, 0, sizeof(*info));
	/* the process ran since the last snapshot */
	memreader__invalidate(in->mem);
	/* the program's frames, newest first, down to the first that is not */
	while (addr && nfr < in->lim.frames && steps++ < 4 * in->lim.frames) {
		struct py_frame f;

		err = pyreader__frame(in->r, addr, &f);
		if (err)
			break;
		addr = f.previous;
		if (f.incomplete)
			continue;
		if (!f.code || !f.code->filename || strcmp(f.code->filename, in->path))
			break;
		err = array_grow(&fr, &capfr, nfr, sizeof(*fr), 16, SIZE_MAX);
		if (err)
			goto cleanup;
		fr[nfr++] = f;
	}
	if (!nfr) {
		err = err ? err : -ENOENT;
		goto cleanup;
	}
	err = 0;
	if (ret) {
		exc = current_exception(in);
		if (fr[0].code->addr == module_code) {
			struct py_type_info t;

			info->module_return = true;
			if (exc && !pyreader__type_at(in->r, exc, &t)) {
				const char *dot = strrchr(t.name, '.');

				snprintf(info->exc_type, sizeof(info->exc_type), "%s",
					 dot ? dot + 1 : t.name);
			}
		}
	}
	pf = calloc(nfr, sizeof(*pf));
	if (!pf) {
		err = -ENOMEM;
		goto cleanup;
	}
	/* oldest first */
	for (i = 0; i < nfr && !err; i++) {
		const struct py_frame *f = &fr[nfr - 1 - i];
		struct members ms = { .in = in };

		pf[i].name = f->code->name;
		pf[i].line = f->line - 1;
		err = frame_members(in, f, &ms);
		if (!err && ret && nfr > 1 && i == nfr - 1) {
			struct ps_val key = { .kind = PSV_STR }, value;

			key.text = strdup("#return#");
			key.len = 8;
			err = key.text ? return_value(in, fr[0].addr, exc != 0, &value) : -ENOMEM;
			if (!err)
				err = add_member(&ms, &key, &value);
			else
				ps_val_clear(&key);
		}
		pf[i].m = ms.m;
		pf[i].n = ms.n;
	}
	if (!err)
		err = ps_heap__snapshot(in->heap, event, pf, nfr, sb);
cleanup:
	for (i = 0; pf && i < nfr; i++)
		members_free(pf[i].m, pf[i].n);
	free(pf);
	free(fr);
	return err;
}

int ps_inspect__first_line_missed(struct ps_inspect *in, __u64 frame, bool *missed)
{
	const struct py_code *c;
	struct py_frame f;
	int l0, l1, err;

	*missed = false;
	memreader__invalidate(in->mem);
	err = pyreader__frame(in->r, frame, &f);
	if (err)
		return err;
	c = f.code;
	/* at the RESUME that starts the frame (not a generator's resumption) */
	if (!c || f.lasti != c->firsttraceable)
		return 0;
	l0 = py_linetable_addr2line(c->linetable, c->linetable_len, c->firstlineno, f.lasti * 2);
	l1 = py_linetable_addr2line(c->linetable, c->linetable_len, c->firstlineno,
				    (f.lasti + 1) * 2);
	*missed = l1 != -1 && l1 == l0;
	return 0;
}

/* The opcode of the instruction @f started last. */
static int opcode_at(struct ps_inspect *in, const struct py_frame *f)
{
	__u64 at = f->code->addr + in->o->code_adaptive + (__u64)f->lasti * 2;
	__u8 op;

	if (f->lasti < 0 || memreader__read(in->mem, at, &op, 1))
		return -1;
	return op;
}

int ps_inspect__for_iter_stop(struct ps_inspect *in, __u64 frame, __u64 *caller)
{
	struct py_frame f, c;
	struct py_type_info t;
	__u64 exc, addr, v;
	__u32 top;
	int err, op;

	*caller = 0;
	err = pyreader__frame(in->r, frame, &f);
	if (err)
		return err;
	for (addr = f.previous; addr; addr = c.previous) {
		err = pyreader__frame(in->r, addr, &c);
		if (err)
			return err;
		if (!c.incomplete)
			break;
	}
	if (!addr || !c.code || !c.code->filename || strcmp(c.code->filename, in->path))
		return 0;
	op = opcode_at(in, &c);
	if (op != OP_FOR_ITER && op != OP_SEND)
		return 0;
	exc = current_exception(in);
	if (exc) {
		/* unwinding: StopIteration goes on to the FOR_ITER */
		if (!pyreader__type_at(in->r, exc, &t) && !strcmp(t.name, "StopIteration"))
			*caller = addr;
		return 0;
	}
	/* a generator's (a coroutine's) return value becomes StopIteration(value) */
	if (!(f.code->flags & (CO_GENERATOR | CO_COROUTINE)) || opcode_at(in, &f) != OP_RETURN_VALUE)
		return 0;
	if (memreader__read_u32(in->mem, frame + in->o->iframe_stacktop, &top) || top > (1u << 20) ||
	    memreader__read_u64(in->mem, frame + in->o->iframe_localsplus + (__u64)top * 8, &v) ||
	    pyreader__type_of(in->r, v, &t))
		return -EFAULT;
	if (t.kind != PYV_NONE)
		*caller = addr;
	return 0;
}
