// SPDX-License-Identifier: GPL-2.0-only
/* The step record: value rules, heap ids, JSON. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pystep/record.h"
#include "runtrace/python.h"
#include "util/util.h"

#define TWO_53 9007199254740992.0

void ps_val_clear(struct ps_val *v)
{
	free(v->text);
	memset(v, 0, sizeof(*v));
}

void ps_obj_clear(struct ps_obj *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		ps_val_clear(&o->m[i].key);
		ps_val_clear(&o->m[i].value);
	}
	free(o->m);
	free(o->type);
	memset(o, 0, sizeof(*o));
}

/* ---- value rules ---- */

void ps_class_str(const struct py_type_info *t, struct strbuf *sb)
{
	const char *name = t && t->name ? t->name : "?";

	strbuf_adds(sb, "<class '");
	if (t && t->heap) {
		/* a class statement's: __module__ and __qualname__ */
		if (t->module && strcmp(t->module, "builtins"))
			strbuf_addf(sb, "%s.", t->module);
		strbuf_adds(sb, t->qualname ? t->qualname : name);
	} else {
		/* a static type's tp_name: "module.name", or "name" for builtins */
		strbuf_adds(sb, name);
	}
	strbuf_adds(sb, "'>");
}

static int set_text(struct ps_val *out, enum ps_val_kind kind, struct strbuf *sb)
{
	out->kind = kind;
	out->text = sb->buf ? sb->buf : strdup("");
	out->len = sb->len;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return out->text ? 0 : -ENOMEM;
}

static int set_str(struct ps_val *out, const char *s, size_t len)
{
	out->kind = PSV_STR;
	out->text = malloc(len + 1);
	if (!out->text)
		return -ENOMEM;
	memcpy(out->text, s, len);
	out->text[len] = '\0';
	out->len = len;
	return 0;
}

int ps_value_of(const struct pyval *v, const struct py_type_info *t,
		const struct py_type_info *as_type, const char *main_module, struct ps_val *out)
{
	struct strbuf sb = {0};

	memset(out, 0, sizeof(*out));
	switch (v->kind) {
	case PYV_NONE:
		return set_str(out, "None", 4);
	case PYV_BOOL:
		return v->b ? set_str(out, "True", 4) : set_str(out, "False", 5);
	case PYV_STR:
		return set_str(out, v->text ? v->text : "", v->text ? v->len : 0);
	case PYV_COMPLEX:
		pyval_repr(v, &sb);
		return set_text(out, PSV_STR, &sb);
	case PYV_INT:
		if (v->int_small && v->i > -(1ll << 53) && v->i < (1ll << 53)) {
			strbuf_addf(&sb, "%" PRId64, (int64_t)v->i);
			return set_text(out, PSV_NUM, &sb);
		}
		return set_str(out, v->text ? v->text : "?", v->text ? v->len : 1);
	case PYV_FLOAT:
		py_float_repr(v->f, &sb);
		return set_text(out, fabs(v->f) < TWO_53 ? PSV_NUM : PSV_STR, &sb);
	case PYV_TYPE:
		if (t && t->heap && t->module && !strcmp(t->module, "enum") && t->name &&
		    (!strcmp(t->name, "EnumType") || !strcmp(t->name, "EnumMeta")))
			/* an Enum: EnumType.__repr__ */
			strbuf_addf(&sb, "<enum '%s'>", as_type && as_type->name ? as_type->name : "?");
		else
			ps_class_str(as_type, &sb);
		return set_text(out, PSV_STR, &sb);
	default:
		break;
	}
	out->kind = PSV_REF;
	out->addr = v->addr;
	if (t && (t->flags & (RT_TPFLAGS_LIST_SUBCLASS | RT_TPFLAGS_TUPLE_SUBCLASS))) {
		out->cat = PS_LIST;
	} else if (v->kind == PYV_SET || (t && t->kind == PYV_SET)) {
		out->cat = PS_SET;
	} else if (t && (t->flags & RT_TPFLAGS_DICT_SUBCLASS)) {
		out->cat = PS_MAP;
	} else if (t && t->heap && t->module && main_module && !strcmp(t->module, main_module)) {
		out->cat = PS_MAP;
		out->attrs = true;
	} else {
		out->kind = PSV_STR;
		out->addr = 0;
		ps_class_str(t, &sb);
		return set_text(out, PSV_STR, &sb);
	}
	return 0;
}

/* ---- heap ids ---- */

/* addr -> id, open addressing; 0 is never an object's address */
struct idmap {
	__u64 *keys;
	__u64 *ids;
	size_t cap, n;
};

static size_t slot_of(__u64 key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

static bool idmap_get(const struct idmap *m, __u64 key, __u64 *id)
{
	size_t i;

	if (!m->cap)
		return false;
	for (i = slot_of(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key) {
			*id = m->ids[i];
			return true;
		}
	return false;
}

static int idmap_put(struct idmap *m, __u64 key, __u64 id)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct idmap bigger = {0};
		size_t j;

		bigger.cap = m->cap ? m->cap * 2 : 64;
		bigger.keys = calloc(bigger.cap, sizeof(*bigger.keys));
		bigger.ids = calloc(bigger.cap, sizeof(*bigger.ids));
		if (!bigger.keys || !bigger.ids) {
			free(bigger.keys);
			free(bigger.ids);
			return -ENOMEM;
		}
		for (j = 0; j < m->cap; j++)
			if (m->keys[j])
				idmap_put(&bigger, m->keys[j], m->ids[j]);
		free(m->keys);
		free(m->ids);
		*m = bigger;
	}
	for (i = slot_of(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key) {
			m->ids[i] = id;
			return 0;
		}
	m->keys[i] = key;
	m->ids[i] = id;
	m->n++;
	return 0;
}

static void idmap_clear(struct idmap *m)
{
	free(m->keys);
	free(m->ids);
	memset(m, 0, sizeof(*m));
}

struct ps_heap {
	ps_expand_fn expand;
	void *ctx;
	size_t max_objects;
	__u64 next_id;
	struct idmap cur, prev;    /* this step's ids, the previous step's */
	/* this snapshot: the objects in the order met, with their JSON */
	struct idmap shown;        /* addr -> index in objs[] */
	struct shown_obj {
		__u64 id;
		struct strbuf js;
	} *objs;
	size_t nobjs, capobjs;
};

struct ps_heap *ps_heap__new(ps_expand_fn expand, void *ctx, size_t max_objects)
{
	struct ps_heap *h = calloc(1, sizeof(*h));

	if (!h) {
		errno = ENOMEM;
		return NULL;
	}
	h->expand = expand;
	h->ctx = ctx;
	h->max_objects = max_objects;
	return h;
}

static void reset_snapshot(struct ps_heap *h)
{
	size_t i;

	for (i = 0; i < h->nobjs; i++)
		strbuf_free(&h->objs[i].js);
	h->nobjs = 0;
	idmap_clear(&h->shown);
}

void ps_heap__free(struct ps_heap *h)
{
	if (!h)
		return;
	reset_snapshot(h);
	free(h->objs);
	idmap_clear(&h->cur);
	idmap_clear(&h->prev);
	free(h);
}

/* The object's id: this step's, else the previous step's, else a new one. */
static int id_of(struct ps_heap *h, __u64 addr, __u64 *id)
{
	if (idmap_get(&h->cur, addr, id))
		return 0;
	if (!idmap_get(&h->prev, addr, id))
		*id = h->next_id++;
	return idmap_put(&h->cur, addr, *id);
}

static const char *category_name(enum ps_category c)
{
	switch (c) {
	case PS_LIST:
		return "list";
	case PS_SET:
		return "set";
	default:
		return "map";
	}
}

static int add_value(struct ps_heap *h, const struct ps_val *v, struct strbuf *sb);

/* Meet heap object @v: give it an id, and the first time in this snapshot
 * write its JSON (members met depth first, a key before its value). */
static int visit(struct ps_heap *h, const struct ps_val *v, __u64 *id)
{
	struct ps_obj obj = {0};
	struct strbuf js = {0};
	__u64 idx;
	size_t i, me;
	int err;

	err = id_of(h, v->addr, id);
	if (err)
		return err;
	if (idmap_get(&h->shown, v->addr, &idx))
		return 0;
	err = array_grow(&h->objs, &h->capobjs, h->nobjs, sizeof(*h->objs), 16, SIZE_MAX);
	if (err)
		return err;
	/* registered before its members: cycles end here */
	me = h->nobjs++;
	memset(&h->objs[me], 0, sizeof(h->objs[me]));
	h->objs[me].id = *id;
	err = idmap_put(&h->shown, v->addr, me);
	if (err)
		return err;
	h->expand(h->ctx, v, &obj);
	strbuf_addf(&js, "{\"id\":%llu,\"category\":\"%s\",\"type\":", (unsigned long long)*id,
		    category_name(v->cat));
	strbuf_add_json_str(&js, obj.type ? obj.type : "?", obj.type ? strlen(obj.type) : 1);
	strbuf_adds(&js, ",\"members\":[");
	for (i = 0; i < obj.n && !err; i++) {
		strbuf_adds(&js, i ? ",{\"key\":" : "{\"key\":");
		err = add_value(h, &obj.m[i].key, &js);
		strbuf_adds(&js, ",\"value\":");
		if (!err)
			err = add_value(h, &obj.m[i].value, &js);
		strbuf_addc(&js, '}');
	}
	strbuf_adds(&js, "]}");
	ps_obj_clear(&obj);
	/* h->objs may have moved while members were met */
	h->objs[me].js = js;
	return err;
}

static int add_value(struct ps_heap *h, const struct ps_val *v, struct strbuf *sb)
{
	__u64 id;
	int err;

	switch (v->kind) {
	case PSV_NUM:
		strbuf_add(sb, v->text, v->len);
		return 0;
	case PSV_REF:
		if (h->nobjs >= h->max_objects && !idmap_get(&h->shown, v->addr, &id)) {
			/* past the limit: not shown */
			strbuf_add_json_str(sb, "<...>", 5);
			return 0;
		}
		err = visit(h, v, &id);
		if (err)
			return err;
		strbuf_addf(sb, "[%llu]", (unsigned long long)id);
		return 0;
	default:
		strbuf_add_json_str(sb, v->text ? v->text : "", v->text ? v->len : 0);
		return 0;
	}
}

int ps_heap__snapshot(struct ps_heap *h, const char *event, const struct ps_frame *frames,
		      size_t nframes, struct strbuf *sb)
{
	struct idmap tmp;
	size_t f, i;
	int err = 0;

	/* the previous step's ids are those of the snapshot before this one */
	idmap_clear(&h->prev);
	tmp = h->prev;
	h->prev = h->cur;
	h->cur = tmp;
	reset_snapshot(h);
	strbuf_adds(sb, "{\"event\":");
	strbuf_add_json_str(sb, event, strlen(event));
	strbuf_adds(sb, ",\"stack\":[");
	for (f = 0; f < nframes && !err; f++) {
		const struct ps_frame *fr = &frames[f];

		strbuf_addf(sb, "%s{\"line\":%d,\"name\":", f ? "," : "", fr->line);
		strbuf_add_json_str(sb, fr->name, strlen(fr->name));
		strbuf_adds(sb, ",\"members\":[");
		for (i = 0; i < fr->n && !err; i++) {
			strbuf_adds(sb, i ? ",{\"key\":" : "{\"key\":");
			err = add_value(h, &fr->m[i].key, sb);
			strbuf_adds(sb, ",\"value\":");
			if (!err)
				err = add_value(h, &fr->m[i].value, sb);
			strbuf_addc(sb, '}');
		}
		strbuf_adds(sb, "]}");
	}
	strbuf_adds(sb, "],\"heap\":{");
	for (i = 0; i < h->nobjs; i++) {
		strbuf_addf(sb, "%s\"%llu\":", i ? "," : "", (unsigned long long)h->objs[i].id);
		strbuf_add(sb, h->objs[i].js.buf, h->objs[i].js.len);
	}
	strbuf_adds(sb, "}}");
	return err;
}

/* ---- the record ---- */

void ps_record_begin(struct strbuf *sb)
{
	strbuf_adds(sb, "{\"steps\":[");
}

static void print_member(struct strbuf *sb, const char *print, size_t len)
{
	strbuf_adds(sb, ",\"print\":");
	strbuf_add_json_str(sb, print ? print : "", print ? len : 0);
	strbuf_addc(sb, '}');
}

void ps_record_step(struct strbuf *sb, bool first, const char *snapshot, size_t snap_len,
		    const char *print, size_t print_len)
{
	strbuf_adds(sb, first ? "{\"snapshot\":" : ",{\"snapshot\":");
	strbuf_add(sb, snapshot, snap_len);
	print_member(sb, print, print_len);
}

void ps_record_cause(struct strbuf *sb, bool first, const char *cause, const char *print,
		     size_t print_len)
{
	strbuf_adds(sb, first ? "{\"error\":{\"cause\":" : ",{\"error\":{\"cause\":");
	strbuf_add_json_str(sb, cause, strlen(cause));
	strbuf_addc(sb, '}');
	print_member(sb, print, print_len);
}

void ps_record_exception(struct strbuf *sb, bool first, const char *type, const char *tb,
			 size_t tb_len, const char *print, size_t print_len)
{
	strbuf_adds(sb, first ? "{\"error\":{\"exception\":{\"type\":" :
				",{\"error\":{\"exception\":{\"type\":");
	strbuf_add_json_str(sb, type, strlen(type));
	strbuf_adds(sb, ",\"traceback\":");
	strbuf_add_json_str(sb, tb ? tb : "", tb ? tb_len : 0);
	strbuf_adds(sb, "}}");
	print_member(sb, print, print_len);
}

void ps_record_end(struct strbuf *sb)
{
	strbuf_adds(sb, "]}");
}

void ps_exception_name(const char *tb, size_t len, char *buf, size_t buflen)
{
	const char *end = tb + len, *line, *p, *name;
	size_t n;

	buf[0] = '\0';
	while (end > tb && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	for (line = end; line > tb && line[-1] != '\n'; line--)
		;
	/* "Name: message" or "Name" at the start of the last line */
	for (p = line; p < end && *p != ':' && *p != ' '; p++)
		;
	if (p == line || (p < end && *p != ':'))
		return;
	for (name = p; name > line && name[-1] != '.'; name--)
		;
	n = (size_t)(p - name);
	if (n >= buflen)
		n = buflen - 1;
	memcpy(buf, name, n);
	buf[n] = '\0';
}
