// SPDX-License-Identifier: GPL-2.0-only
/* The calls sink: hooks -> probes -> records -> lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "calls/capmem.h"
#include "calls/fmt.h"
#include "calls/pysites.h"
#include "calls/resolve.h"
#include "calls/sink.h"
#include "engine/session.h"
#include "python/internal.h"
#include "python/layout.h"
#include "python/reader.h"
#include "runtrace/calls.h"
#include "runtrace/python.h"
#include "runtrace.skel.h"
#include "symbols/elf.h"
#include "symbols/proc.h"
#include "util/util.h"

#define MAX_LINKS 64
#define MAX_PROCS 64

struct hook {
	const struct call_spec *spec;
	enum rt_call_hook_kind kind;
	char path[PATH_MAX];    /* builtin/native: the file probed */
	__u64 offset;
	unsigned ml_flags;
	unsigned long starts;   /* events seen */
	bool skipped_said;
};

/* Decoding state of one traced process: values come from the records
 * alone; the reader's caches (types) last as long as the process. */
struct proc {
	pid_t pid;
	struct capmem *cap;     /* the record's segments */
	struct pyreader *r;
	struct addrmap told;    /* types calls_types has for this process */
	unsigned long used;     /* records decoded: the least used is evicted */
};

struct calls {
	struct calls_opts o;
	struct hook *hooks;
	int nhooks;
	bool python;            /* Python-level hooks: needs the interpreter */
	char pybin[PATH_MAX];   /* the module holding the eval loop */
	struct py_sites sites;
	const struct rt_py_offsets *off;
	__u64 runtime_now;      /* -p: _PyRuntime's address, 0 if not known */
	struct runtrace_bpf *skel;
	struct bpf_link *links[MAX_LINKS];
	int nlinks;
	struct proc procs[MAX_PROCS];
	int nprocs;
	struct strbuf out;
	struct pyval_limits lim; /* what the BPF programs copy, what is decoded */
	unsigned long nrec;
	bool floor;             /* RUNTRACE_CALLS_FLOOR: empty programs */
	bool fixed;             /* the interpreter is not relocated (not PIE) */
	int stats_fd;           /* --debug: the kernel times the programs */
	bool exec_gone;
	__s64 realtime_off;
	char mech[256];
};

/* ---- resolving -------------------------------------------------------- */

static int find_python(struct calls *c, char *why, size_t len)
{
	struct elf_file *ef;
	__u32 version = 0;
	int err;

	if (c->o.attached) {
		struct symproc *sp = symproc__new(c->o.pid);
		struct pytarget t;

		if (!sp) {
			snprintf(why, len, "cannot read process %d: %s", c->o.pid, strerror(errno));
			return -EINVAL;
		}
		err = pytarget_find(sp, &t);
		if (!err) {
			snprintf(c->pybin, sizeof(c->pybin), "%s", t.module);
			c->runtime_now = t.runtime_addr;
			version = t.version;
		}
		symproc__free(sp);
		if (err) {
			snprintf(why, len, "process %d is not a Python process (no _PyRuntime)", c->o.pid);
			return -EINVAL;
		}
	} else {
		if (!c->o.exe || !realpath(c->o.exe, c->pybin) ||
		    pytarget_version_of(c->pybin, &version)) {
			snprintf(why, len, "%s is not a Python interpreter: Python hooks need `-- python3 SCRIPT ...`",
				 c->o.exe ? c->o.exe : "the command");
			return -EINVAL;
		}
	}
	if ((version >> 16) != 0x030b) {
		snprintf(why, len, "%s is Python %u.%u: Python hooks need CPython 3.11", c->pybin,
			 version >> 24, (version >> 16) & 0xff);
		return -EINVAL;
	}
	c->off = pylayout_find(version);
	ef = elf_file__open(c->pybin);
	if (!ef || !c->off) {
		snprintf(why, len, "cannot read %s", c->pybin);
		elf_file__free(ef);
		return -EINVAL;
	}
	err = py_sites_find(ef, c->off, &c->sites, why, len);
	if (!err && !elf_file__is_dyn(ef)) {
		c->fixed = true; /* not relocated */
		if (!c->runtime_now)
			c->runtime_now = c->sites.runtime;
	}
	elf_file__free(ef);
	if (!err && !c->sites.ret_pc) {
		snprintf(why, len, "%s has no USDT probes (function__return): Python hooks need a CPython built with them (Debian's python3.11)",
			 c->pybin);
		err = -EINVAL;
	}
	return err ? -EINVAL : 0;
}

static int resolve(struct calls *c)
{
	char why[512], **names = NULL;
	struct builtin_loc *locs = NULL;
	int i, n = 0, err = 0;

	c->hooks = calloc(c->o.nspecs, sizeof(*c->hooks));
	names = calloc(c->o.nspecs, sizeof(*names));
	locs = calloc(c->o.nspecs, sizeof(*locs));
	if (!c->hooks || !names || !locs) {
		err = -ENOMEM;
		goto cleanup;
	}
	c->nhooks = c->o.nspecs;
	for (i = 0; i < c->o.nspecs; i++) {
		c->hooks[i].spec = &c->o.specs[i];
		if (c->o.specs[i].kind != CALL_SPEC_NATIVE)
			c->python = true;
		if (c->o.specs[i].kind == CALL_SPEC_PYTHON)
			names[n++] = c->o.specs[i].name;
	}
	if (c->python) {
		err = find_python(c, why, sizeof(why));
		if (err) {
			rt_err("calls: %s", why);
			goto cleanup;
		}
	}
	if (n) {
		char exe[PATH_MAX];

		if (c->o.attached)
			snprintf(exe, sizeof(exe), "/proc/%d/exe", c->o.pid);
		else
			snprintf(exe, sizeof(exe), "%s", c->o.exe);
		err = builtin_resolve(exe, names, n, locs);
		if (err)
			goto cleanup;
	}
	for (i = 0, n = 0; i < c->nhooks; i++) {
		struct hook *h = &c->hooks[i];
		const struct call_spec *s = h->spec;

		switch (s->kind) {
		case CALL_SPEC_AUDIT:
			h->kind = RT_HOOK_AUDIT;
			if (!c->sites.audit_pc) {
				rt_err("calls: %s has no audit probe: cannot hook %s", c->pybin, s->text);
				err = -EINVAL;
			}
			break;
		case CALL_SPEC_NATIVE:
			h->kind = RT_HOOK_NATIVE;
			err = c->o.attached ?
				native_resolve_pid(c->o.pid, s->lib, s->name, h->path, sizeof(h->path),
						   &h->offset, why, sizeof(why)) :
				native_resolve_file(c->o.exe, s->lib, s->name, h->path, sizeof(h->path),
						    &h->offset, why, sizeof(why));
			if (err) {
				rt_err("calls: cannot hook %s: %s", s->text, why);
				err = -EINVAL;
			}
			break;
		case CALL_SPEC_PYTHON: {
			struct builtin_loc *l = &locs[n++];

			if (l->kind == BUILTIN_C) {
				h->kind = RT_HOOK_BUILTIN;
				snprintf(h->path, sizeof(h->path), "%s", l->path);
				h->offset = skip_endbr(l->path, l->offset);
				h->ml_flags = l->ml_flags;
			} else if (l->kind == BUILTIN_MISSING || l->kind == BUILTIN_NOTFUNC) {
				rt_err("calls: cannot hook %s: %s", s->text,
				       l->kind == BUILTIN_MISSING ? l->why : "not a function");
				if (l->kind == BUILTIN_NOTFUNC)
					fprintf(stderr, "runtrace: (it is %s; hook its methods, e.g. %s.__init__)\n",
						l->why, s->name);
				err = -EINVAL;
			} else {
				h->kind = RT_HOOK_PYTHON;
			}
			break;
		}
		}
		if (err)
			goto cleanup;
	}
cleanup:
	free(names);
	free(locs);
	return err;
}

/* ---- configure and attach --------------------------------------------- */

static const char *const progs[] = {
	"calls_py_resume", "calls_py_return", "calls_c_entry", "calls_c_entry_s",
	"calls_c_exit", "calls_audit_event", "calls_floor", "calls_floor_usdt", "calls_py_exit",
};

static int configure(void *self, struct runtrace_bpf *skel)
{
	struct calls *c = self;
	struct bpf_program *p;
	unsigned i;

	/* open: the calls programs load, attached by hand below */
	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		p = bpf_object__find_program_by_name(skel->obj, progs[i]);
		if (!p)
			return -ENOENT;
		bpf_program__set_autoload(p, true);
		bpf_program__set_autoattach(p, false);
	}
	session__enable_maps(skel, "calls_");
	if (rt_debug_on && c->stats_fd < 0)
		c->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	/* configure: the interpreter's layout */
	if (c->off) {
		memcpy((void *)skel->rodata->cfg_calls_off, c->off, sizeof(*c->off));
		skel->rodata->cfg_calls_runtime = c->sites.runtime;
		memcpy((void *)skel->rodata->cfg_calls_types, c->sites.types, sizeof(c->sites.types));
		skel->rodata->cfg_calls_strlen = c->lim.str_len;
		skel->rodata->cfg_calls_follow = c->o.follow;
		skel->rodata->cfg_calls_fixed = c->fixed;
	}
	c->skel = skel;
	return 0;
}

static int add_link(struct calls *c, struct bpf_link *l, const char *what)
{
	if (!l) {
		int err = -errno;

		rt_err("calls: cannot attach %s: %s", what, strerror(-err));
		return err;
	}
	if (c->nlinks == MAX_LINKS) {
		bpf_link__destroy(l);
		rt_err("calls: too many probes");
		return -E2BIG;
	}
	c->links[c->nlinks++] = l;
	return 0;
}

static int map_put(struct bpf_map *m, const void *k, const void *v)
{
	return bpf_map__update_elem(m, k, bpf_map__key_size(m), v, bpf_map__value_size(m), BPF_ANY)
		       ? -errno : 0;
}

/* The names a pending Python hook is matched by. */
static int add_pending(struct calls *c, int id)
{
	const char *name = c->hooks[id].spec->name, *suf;
	char q[RT_CALL_NAME], full[RT_CALL_FULLNAME];
	__u32 one = 1, hid = id;
	int i, err;

	memset(full, 0, sizeof(full));
	snprintf(full, sizeof(full), "%s", name);
	err = map_put(c->skel->maps.calls_pfull, full, &hid);
	for (i = 0; !err && (suf = call_spec_suffix(name, i)); i++) {
		memset(q, 0, sizeof(q));
		if (strlen(suf) >= sizeof(q))
			continue;
		memcpy(q, suf, strlen(suf));
		err = map_put(c->skel->maps.calls_pq, q, &one);
	}
	return err;
}

static void detach(struct calls *c)
{
	int i;

	for (i = 0; i < c->nlinks; i++)
		bpf_link__destroy(c->links[i]);
	c->nlinks = 0;
}

static int attach_all(struct calls *c, struct runtrace_bpf *skel);

static int attach(void *self, struct runtrace_bpf *skel, int cg_fd)
{
	struct calls *c = self;
	int err = attach_all(c, skel);

	/* the links go before the object they use (a USDT link's detach
	 * uses the object's USDT manager) */
	if (err)
		detach(c);
	return err;
}

static int attach_all(struct calls *c, struct runtrace_bpf *skel)
{
	pid_t pid = c->o.follow ? -1 : c->o.pid;
	struct bpf_program *entry = skel->progs.calls_c_entry, *entry_s = skel->progs.calls_c_entry_s,
			   *exit = skel->progs.calls_c_exit, *resume = skel->progs.calls_py_resume,
			   *ret = skel->progs.calls_py_return, *audit = skel->progs.calls_audit_event,
			   *pexit = skel->progs.calls_py_exit;
	__u32 npending = 0;
	int i, k, err = 0;

	if (c->floor) {
		/* the same probes, each running an empty program */
		entry = entry_s = exit = resume = pexit = skel->progs.calls_floor;
		ret = audit = skel->progs.calls_floor_usdt;
	}

	for (i = 0; i < c->nhooks && !err; i++) {
		struct hook *h = &c->hooks[i];
		struct rt_call_hookinfo hi = { .kind = h->kind, .ml_flags = h->ml_flags };
		__u32 id = i;
		char key[RT_CALL_NAME];

		if (h->kind == RT_HOOK_NATIVE) {
			for (k = 0; k < h->spec->sig.nargs; k++)
				if (h->spec->sig.args[k] == CT_STR)
					hi.str_args |= 1u << k;
			hi.str_ret = h->spec->sig.ret == CT_STR;
		}
		err = map_put(skel->maps.calls_hooks, &id, &hi);
		if (err)
			break;
		if (h->kind == RT_HOOK_PYTHON) {
			err = add_pending(c, i);
			npending++;
		} else if (h->kind == RT_HOOK_AUDIT) {
			memset(key, 0, sizeof(key));
			memcpy(key, h->spec->name, strlen(h->spec->name));
			err = map_put(skel->maps.calls_audit, key, &id);
		} else {
			LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = i);

			err = add_link(c, bpf_program__attach_uprobe_opts(hi.str_args ? entry_s : entry,
									  pid, h->path, h->offset, &uo),
				       h->spec->text);
			uo.retprobe = true;
			if (!err)
				err = add_link(c, bpf_program__attach_uprobe_opts(exit, pid, h->path,
										  h->offset, &uo),
					       h->spec->text);
			rt_dbg("calls: %s: uprobe and uretprobe at %s+0x%llx", h->spec->text, h->path,
			       (unsigned long long)h->offset);
		}
	}
	if (err)
		return err;
	skel->bss->calls_npending = npending;
	if (c->runtime_now && !c->o.follow) {
		__u32 key = c->o.pid;
		__u64 rt = c->runtime_now;

		err = map_put(skel->maps.calls_procs, &key, &rt);
		if (err)
			return err;
	}
	if (!c->python)
		return 0;
	/* the eval loop's RESUME handlers, function__return, audit */
	for (k = 0; npending && k < c->sites.nresume && !err; k++) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo,
			    .bpf_cookie = c->sites.resume[k] |
					  (__u64)c->sites.resume_reg[k] << RT_CALL_COOKIE_REG_SHIFT);

		err = add_link(c, bpf_program__attach_uprobe_opts(resume, pid, c->pybin,
								  c->sites.resume_off[k], &uo),
			       "the eval loop's RESUME handler");
		rt_dbg("calls: RESUME handler: uprobe at %s+0x%llx, frame in register %d", c->pybin,
		       (unsigned long long)c->sites.resume_off[k], c->sites.resume_reg[k]);
	}
	/* the exits: the eval loop's tests of the function__return
	 * semaphore, else the probe itself */
	for (k = 0; npending && k < c->sites.nexit && !err; k++) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo,
			    .bpf_cookie = c->sites.exit[k] |
					  (__u64)c->sites.exit_reg[k] << RT_CALL_COOKIE_REG_SHIFT);

		err = add_link(c, bpf_program__attach_uprobe_opts(pexit, pid, c->pybin,
								  c->sites.exit_off[k], &uo),
			       "the eval loop's frame exit");
		rt_dbg("calls: frame exit: uprobe at %s+0x%llx, frame in register %d", c->pybin,
		       (unsigned long long)c->sites.exit_off[k], c->sites.exit_reg[k]);
	}
	if (npending && !c->sites.nexit && !err) {
		LIBBPF_OPTS(bpf_usdt_opts, uo, .usdt_cookie = c->sites.ret_pc);

		err = add_link(c, bpf_program__attach_usdt(ret, pid, c->pybin,
							   "python", "function__return", &uo),
			       "python:function__return");
	}
	for (i = 0; i < c->nhooks && !err; i++)
		if (c->hooks[i].kind == RT_HOOK_AUDIT) {
			LIBBPF_OPTS(bpf_usdt_opts, uo, .usdt_cookie = c->sites.audit_pc);

			err = add_link(c, bpf_program__attach_usdt(audit, pid,
								   c->pybin, "python", "audit", &uo),
				       "python:audit");
			break;
		}
	return err;
}

/* ---- decoding --------------------------------------------------------- */

/* Forget what calls_types says of process @pid (a process gone, or
 * forgotten here). */
static void forget_types(struct calls *c, pid_t pid)
{
	struct bpf_map *m = c->skel->maps.calls_types;
	struct rt_call_typekey k, next;
	bool first = true;

	while (!bpf_map__get_next_key(m, first ? NULL : &k, &next, sizeof(next))) {
		if (next.tgid == (__u32)pid) {
			bpf_map__delete_elem(m, &next, sizeof(next), 0);
			first = true; /* start again: the walk lost its place */
			continue;
		}
		k = next;
		first = false;
	}
}

static void proc_free(struct proc *p)
{
	pyreader__free(p->r);
	capmem__free(p->cap);
	addrmap_clear(&p->told, NULL);
}

static struct proc *proc_of(struct calls *c, pid_t pid)
{
	struct proc *p;
	int i, lru = 0;

	for (i = 0; i < c->nprocs; i++) {
		if (c->procs[i].pid == pid) {
			c->procs[i].used = ++c->nrec;
			return &c->procs[i];
		}
		if (c->procs[i].used < c->procs[lru].used)
			lru = i;
	}
	if (c->nprocs == MAX_PROCS) {
		/* forget the least used */
		forget_types(c, c->procs[lru].pid);
		proc_free(&c->procs[lru]);
		c->procs[lru] = c->procs[--c->nprocs];
	}
	p = &c->procs[c->nprocs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->used = ++c->nrec;
	/* what an earlier process of this pid taught */
	forget_types(c, pid);
	p->cap = capmem__new();
	if (!p->cap)
		return NULL;
	if (c->off) {
		/* the decoder never uses the runtime's address here */
		p->r = pyreader__new(capmem__reader(p->cap), c->off,
				     c->runtime_now ? c->runtime_now : c->sites.runtime);
		if (!p->r) {
			capmem__free(p->cap);
			return NULL;
		}
	}
	c->nprocs++;
	return p;
}

static __u32 pykind(enum pyval_kind k)
{
	switch (k) {
	case PYV_NONE: return RT_PK_NONE;
	case PYV_BOOL: return RT_PK_BOOL;
	case PYV_INT: return RT_PK_INT;
	case PYV_FLOAT: return RT_PK_FLOAT;
	case PYV_COMPLEX: return RT_PK_COMPLEX;
	case PYV_STR: return RT_PK_STR;
	case PYV_BYTES: return RT_PK_BYTES;
	case PYV_TUPLE: return RT_PK_TUPLE;
	case PYV_LIST: return RT_PK_LIST;
	case PYV_DICT: return RT_PK_DICT;
	case PYV_SET: return RT_PK_SET;
	case PYV_FROZENSET: return RT_PK_FROZENSET;
	case PYV_FUNCTION: return RT_PK_FUNCTION;
	case PYV_CODE: return RT_PK_CODE;
	case PYV_MODULE: return RT_PK_MODULE;
	case PYV_TYPE: return RT_PK_TYPE;
	case PYV_EXCEPTION: return RT_PK_EXC;
	default: return RT_PK_OTHER;
	}
}

/* After a record is decoded: the types it carried that the decoder now
 * knows need not be copied again for this process.  A class whose
 * __module__ did not come with it is read again from the next copy. */
static void learn_types(struct calls *c, struct proc *p)
{
	struct rt_call_typekey key = { .tgid = p->pid };
	struct pytype *t;
	__u64 a;
	unsigned i;

	if (!p->r)
		return;
	for (i = 0; (a = capmem__flagged(p->cap, RT_CALL_SEG_TYPE, i)); i++) {
		__u32 kind;

		t = addrmap_get(&p->r->types, a);
		if (!t || addrmap_get(&p->told, a))
			continue;
		if (t->heap && !t->module) {
			pytype_free(t);
			addrmap_put(&p->r->types, a, NULL);
			continue;
		}
		key.type = a;
		kind = pykind(t->kind);
		if (!bpf_map__update_elem(c->skel->maps.calls_types, &key, sizeof(key), &kind,
					  sizeof(kind), BPF_ANY))
			addrmap_put(&p->told, a, (void *)1);
	}
}

/* Strings that live until the line is written. */
struct vals {
	char *s[3 * CALL_OUT_MAX_ARGS + 4];
	int n;
};

static const char *keep(struct vals *v, struct strbuf *sb)
{
	char *s = sb->buf ? sb->buf : strdup("");

	sb->buf = NULL;
	sb->len = sb->cap = 0;
	if ((size_t)v->n < ARRAY_SIZE(v->s)) {
		v->s[v->n++] = s;
		return s;
	}
	free(s);
	return "?";
}

static const char *py_repr(struct calls *c, struct proc *p, __u64 addr, struct vals *v)
{
	struct strbuf sb = { 0 };
	struct pyval *val;

	if (!p->r)
		return "?";
	val = pyreader__decode(p->r, addr, &c->lim);
	if (!val)
		return "?";
	pyval_repr(val, &sb);
	pyval_free(val);
	return keep(v, &sb);
}

static void out_arg(struct call_out *o, const char *s)
{
	if (o->nargs < CALL_OUT_MAX_ARGS)
		o->args[o->nargs++] = s;
	else
		o->args_cut = true;
}

static void out_kw(struct call_out *o, const char *name, const char *val)
{
	if (o->nkw < CALL_OUT_MAX_ARGS) {
		o->kwnames[o->nkw] = name;
		o->kwvals[o->nkw++] = val;
	} else {
		o->args_cut = true;
	}
}

/* A decoded container's items as arguments (a *args tuple) or keywords. */
static void spread(struct calls *c, struct proc *p, __u64 addr, struct call_out *o, bool kw,
		   struct vals *v)
{
	struct pyval_limits lim = c->lim;
	struct pyval *val;
	size_t i;

	/* the items at the depth of arguments */
	lim.depth++;
	val = p->r ? pyreader__decode(p->r, addr, &lim) : NULL;
	if (!val)
		return;
	for (i = 0; i < val->n; i++) {
		struct strbuf sb = { 0 };

		if (kw && val->items[i].key && val->items[i].key->kind == PYV_STR) {
			const char *name;

			strbuf_add(&sb, val->items[i].key->text, val->items[i].key->len);
			name = keep(v, &sb);
			pyval_repr(val->items[i].value, &sb);
			out_kw(o, name, keep(v, &sb));
		} else if (!kw) {
			pyval_repr(val->items[i].value, &sb);
			out_arg(o, keep(v, &sb));
		}
	}
	if (val->truncated || val->total > val->n)
		o->args_cut = true;
	pyval_free(val);
}

/* A str the record carries (a keyword's name), kept until the line is
 * written; "?" if it is not there. */
static const char *py_name(struct proc *p, __u64 addr, struct vals *v)
{
	struct strbuf sb = { 0 };
	char *text = NULL;
	bool cut;

	if (p->r && !pyreader__read_str(p->r, addr, 64, &text, &cut))
		strbuf_adds(&sb, text);
	else
		strbuf_addc(&sb, '?');
	free(text);
	return keep(v, &sb);
}

static void python_args(struct calls *c, struct proc *p, const struct rt_call_event *ev,
			struct call_out *o, struct vals *v)
{
	struct memreader *m = capmem__reader(p->cap);
	const __u64 *slots;
	size_t len, n, i;
	__u64 argc = ev->regs[0], kwonly = ev->regs[1], flags = ev->regs[2];

	o->has_args = o->has_kwargs = true;
	slots = capmem__find(p->cap, ev->frame + c->off->iframe_localsplus, &len);
	if (!slots)
		return;
	n = len / 8;
	if (n < argc + kwonly + !!(flags & RT_CO_VARARGS) + !!(flags & RT_CO_VARKEYWORDS))
		o->args_cut = true;
	for (i = 0; i < n; i++) {
		const struct pytype *t = p->r ? py_type_of(p->r, slots[i]) : NULL;
		__u64 a = slots[i], name = 0;

		/* an argument a closure shares: a cell, the value inside */
		if (t && !t->heap && !strcmp(t->name, "cell"))
			memreader__read_u64(m, a + c->off->cell_ref, &a);
		if (i < argc) {
			out_arg(o, py_repr(c, p, a, v));
		} else if (i < argc + kwonly) {
			memreader__read_u64(m, ev->obj2 + c->off->tuple_items + 8 * i, &name);
			out_kw(o, py_name(p, name, v), py_repr(c, p, a, v));
		} else if (i == argc + kwonly && (flags & RT_CO_VARARGS)) {
			spread(c, p, a, o, false, v);
		} else {
			spread(c, p, a, o, true, v);
		}
	}
}

static void builtin_args(struct calls *c, struct proc *p, struct hook *h,
			 const struct rt_call_event *ev, struct call_out *o, struct vals *v)
{
	const __u64 *r = ev->regs;
	__u64 args, nargs, nkw = 0, kwn = ev->obj2;
	unsigned f = h->ml_flags;
	size_t i;

	o->has_args = o->has_kwargs = true;
	if (f & RT_METH_FASTCALL) {
		args = (f & RT_METH_METHOD) ? r[2] : r[1];
		nargs = (f & RT_METH_METHOD) ? r[3] : r[2];
		nargs &= ~(1ull << 63); /* PY_VECTORCALL_ARGUMENTS_OFFSET */
		if (kwn)
			memreader__read_u64(capmem__reader(p->cap), kwn + c->off->ob_size, &nkw);
		for (i = 0; i < nargs + nkw && i < CALL_OUT_MAX_ARGS; i++) {
			__u64 a = 0;

			memreader__read_u64(capmem__reader(p->cap), args + 8 * i, &a);
			if (i < nargs) {
				out_arg(o, py_repr(c, p, a, v));
			} else {
				__u64 name = 0;

				memreader__read_u64(capmem__reader(p->cap),
						    kwn + c->off->tuple_items + 8 * (i - nargs), &name);
				out_kw(o, py_name(p, name, v), py_repr(c, p, a, v));
			}
		}
	} else if (f & RT_METH_O) {
		out_arg(o, py_repr(c, p, r[1], v));
	} else if (!(f & RT_METH_NOARGS)) {
		spread(c, p, r[1], o, false, v);
		if ((f & RT_METH_KEYWORDS) && r[2])
			spread(c, p, r[2], o, true, v);
	}
}

static const char *native_value(struct calls *c, enum call_ctype t, __u64 x, struct proc *p,
				struct vals *v)
{
	struct strbuf sb = { 0 };
	const char *s;
	size_t len;

	switch (t) {
	case CT_NONE:
		return NULL;
	case CT_INT:
	case CT_LONG: strbuf_addf(&sb, "%lld", (long long)call_ctype_value(t, x)); break;
	case CT_UINT:
	case CT_ULONG: strbuf_addf(&sb, "%llu", (unsigned long long)call_ctype_value(t, x)); break;
	case CT_HEX:
	case CT_PTR: strbuf_addf(&sb, "0x%llx", (unsigned long long)x); break;
	case CT_CHAR: strbuf_addf(&sb, "'%c'", (x >= 32 && x < 127) ? (int)x : '?'); break;
	case CT_STR:
		if (!x) {
			strbuf_adds(&sb, "NULL");
			break;
		}
		s = capmem__find(p->cap, x, &len);
		if (!s) {
			strbuf_addf(&sb, "0x%llx", (unsigned long long)x);
			break;
		}
		len = strnlen(s, len);
		call_cstr_repr(s, len, c->o.strsize, len >= RT_CALL_STR_BYTES - 1, &sb);
		break;
	}
	return keep(v, &sb);
}

static void exception(struct calls *c, struct proc *p, const struct rt_call_event *ev,
		      struct call_out *o, struct vals *v)
{
	const struct pytype *type = p->r && ev->obj2 ? py_type_at(p->r, ev->obj2) : NULL;
	const char *name = type ? type->name : "?";
	struct strbuf sb = { 0 };
	struct pyval *val = NULL;
	size_t i;

	/* the type: copied with the record, or known from an earlier one */
	strbuf_adds(&sb, strrchr(name, '.') ? strrchr(name, '.') + 1 : name);
	o->exc_type = keep(v, &sb);
	strbuf_addf(&sb, "%s(", o->exc_type);
	if (ev->obj && p->r)
		val = pyreader__decode(p->r, ev->obj, &c->lim);
	if (val && val->kind == PYV_EXCEPTION && val->n == 1 && val->items[0].value->kind == PYV_TUPLE) {
		const struct pyval *t = val->items[0].value;

		for (i = 0; i < t->n; i++) {
			if (i)
				strbuf_adds(&sb, ", ");
			pyval_repr(t->items[i].value, &sb);
		}
	} else if (val && val->kind == PYV_TUPLE) {
		for (i = 0; i < val->n; i++) {
			if (i)
				strbuf_adds(&sb, ", ");
			pyval_repr(val->items[i].value, &sb);
		}
	} else if (val && val->kind != PYV_NONE) {
		pyval_repr(val, &sb);
	}
	strbuf_addc(&sb, ')');
	o->exc_repr = keep(v, &sb);
	pyval_free(val);
}

static int emit(struct calls *c, const struct call_out *o)
{
	size_t mark = c->out.len;

	if (c->o.json)
		call_out_json(o, &c->out);
	else
		call_out_text(o, &c->out);
	/* the listener gets the same line (JSON with --json) */
	if (c->o.exec_fd >= 0 && !c->exec_gone &&
	    write_all(c->o.exec_fd, c->out.buf + mark, c->out.len - mark) == -EPIPE) {
		c->exec_gone = true;
		fprintf(stderr, "runtrace: calls: the --exec listener went away; tracing goes on\n");
	}
	return 0;
}

static int on_event(void *self, struct rt_run *run, const struct rt_hdr *hdr, size_t len)
{
	struct calls *c = self;
	const struct rt_call_event *ev = (const void *)hdr;
	static const char *const kinds[] = { "", "python", "builtin", "native", "audit" };
	static const char *const events[] = { "", "start", "finish", "error", "audit" };
	struct call_out o = { .dur_ns = -1 };
	struct vals v = { .n = 0 };
	struct hook *h;
	struct proc *p;
	int i;

	if (len < RT_CALL_EVENT_HDR_SIZE || ev->hook >= (unsigned)c->nhooks ||
	    ev->data_len > len - RT_CALL_EVENT_HDR_SIZE)
		return 0;
	h = &c->hooks[ev->hook];
	if (ev->kind == RT_CALL_SKIPPED) {
		if (!h->skipped_said)
			fprintf(stderr, "runtrace: calls: %s is a generator or coroutine function: not traced\n",
				h->spec->text);
		h->skipped_said = true;
		return 0;
	}
	if (ev->kind < RT_CALL_START || ev->kind > RT_CALL_AUDIT)
		return 0;
	p = proc_of(c, hdr->pid);
	if (!p)
		return 0;
	capmem__set(p->cap, ev->data, ev->data_len, ev->nseg);
	h->starts++;
	o.event = events[ev->kind];
	o.hook = h->spec->text;
	o.kind = kinds[h->kind];
	o.pid = hdr->pid;
	o.tid = hdr->tid;
	o.ident = c->python ? ev->ident : 0; /* pthread_self(): threading.get_ident() */
	o.show_pid = c->o.follow;
	o.realtime_ns = (__s64)hdr->ts + run->realtime_offset_ns;
	if (ev->kind == RT_CALL_FINISH || ev->kind == RT_CALL_ERROR)
		o.dur_ns = ev->start_ts ? (__s64)(hdr->ts - ev->start_ts) : -1;
	switch (ev->kind) {
	case RT_CALL_START:
		if (h->kind == RT_HOOK_PYTHON) {
			python_args(c, p, ev, &o, &v);
		} else if (h->kind == RT_HOOK_BUILTIN) {
			builtin_args(c, p, h, ev, &o, &v);
		} else if (h->spec->sig.given) {
			o.has_args = true;
			for (i = 0; i < h->spec->sig.nargs; i++)
				out_arg(&o, native_value(c, h->spec->sig.args[i], ev->regs[i], p, &v));
		}
		break;
	case RT_CALL_AUDIT:
		o.has_args = true;
		spread(c, p, ev->obj, &o, false, &v);
		break;
	case RT_CALL_FINISH:
		if (h->kind == RT_HOOK_NATIVE) {
			o.ret = native_value(c, h->spec->sig.ret, ev->obj, p, &v);
			if (call_errif_match(&c->o.errif, call_ctype_value(h->spec->sig.ret, ev->obj)))
				o.event = "error";
		} else {
			o.ret = py_repr(c, p, ev->obj, &v);
		}
		break;
	case RT_CALL_ERROR:
		exception(c, p, ev, &o, &v);
		break;
	}
	learn_types(c, p);
	emit(c, &o);
	for (i = 0; i < v.n; i++)
		free(v.s[i]);
	return 0;
}

int calls_sink_flush(struct sink *k)
{
	struct calls *c = k->self;
	int err;

	if (!c->out.len)
		return 0;
	err = strbuf_write(&c->out, c->o.out_fd);
	strbuf_reset(&c->out);
	return err;
}

void calls_sink_finish(struct sink *k)
{
	struct calls *c = k->self;
	int i;

	for (i = 0; i < c->nhooks; i++)
		if (!c->hooks[i].starts && c->hooks[i].kind == RT_HOOK_PYTHON &&
		    !c->hooks[i].skipped_said)
			fprintf(stderr, "runtrace: calls: warning: %s matched no function that ran\n",
				c->hooks[i].spec->text);
}

/* --debug: what each program cost (the kernel times them while
 * stats_fd is open). */
static void say_prog_stats(struct calls *c)
{
	unsigned i;

	if (!rt_debug_on || !c->skel)
		return;
	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(c->skel->obj, progs[i]);
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!p || bpf_program__fd(p) < 0 ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) || !info.run_cnt)
			continue;
		rt_dbg("calls: program %s: %llu runs, %.0f ns each", progs[i],
		       (unsigned long long)info.run_cnt, (double)info.run_time_ns / info.run_cnt);
	}
}

static void sink_detach(void *self)
{
	struct calls *c = self;

	say_prog_stats(c);
	detach(c);
}

const char *calls_sink_mechanism(struct sink *k)
{
	struct calls *c = k->self;
	int i;

	for (i = 0; i < c->nhooks; i++)
		if (c->hooks[i].kind == RT_HOOK_PYTHON)
			return c->mech;
	return NULL;
}

static void sink_free(void *self)
{
	struct calls *c = self;
	int i;

	if (!c)
		return;
	detach(c);
	if (c->stats_fd >= 0)
		close(c->stats_fd);
	/* the skeleton is gone already: its maps with it */
	for (i = 0; i < c->nprocs; i++)
		proc_free(&c->procs[i]);
	strbuf_free(&c->out);
	free(c->hooks);
	free(c);
}

static const struct sink_ops calls_ops = {
	.name = "calls",
	.configure = configure,
	.attach = attach,
	.event = on_event,
	.detach = sink_detach,
	.free = sink_free,
};

int calls_sink_new(const struct calls_opts *o, struct sink *out)
{
	struct calls *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	c->o = *o;
	c->stats_fd = -1;
	/* tools/bench/calls: the probes with empty programs (the kernel's
	 * own cost of each probe) */
	c->floor = getenv("RUNTRACE_CALLS_FLOOR") && *getenv("RUNTRACE_CALLS_FLOOR");
	c->lim.depth = RT_CALL_VAL_DEPTH;
	c->lim.items = RT_CALL_VAL_ITEMS;
	c->lim.str_len = o->strsize < RT_CALL_PYSTR_MAX ? o->strsize : RT_CALL_PYSTR_MAX;
	err = resolve(c);
	if (err) {
		sink_free(c);
		return err;
	}
	snprintf(c->mech, sizeof(c->mech),
		 "runtrace: calls: Python functions: uprobes on the eval loop's RESUME handlers and %s of %s (every Python call pays one of each)",
		 c->sites.nexit ? "on its frame exits" : "the function__return USDT", c->pybin);
	memset(out, 0, sizeof(*out));
	out->ops = &calls_ops;
	out->self = c;
	out->types = 1u << RT_EV_CALL;
	out->ring_bytes = 32 << 20;
	return 0;
}
