// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace profile: the inclusive wall-clock time of chosen functions of a
 * running Python or native process (or of a command it starts), sampled
 * in the kernel (bpf/profile.bpf.c through src/profile/sampler.c), steered
 * from a prompt on stdin.
 *
 * Profiling is a BPF session: created at `start`, freed at `stop`, so
 * that before start, after stop and after exit nothing is attached.  The
 * results live here, in userspace: each stop adds the session's counts to
 * them, and the next start adds more.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <editline/readline.h>

#include "cmd/profile.h"
#include "cmd/run_options.h"
#include "engine/child.h"
#include "engine/features.h"
#include "engine/loop.h"
#include "engine/scope.h"
#include "engine/session.h"
#include "profile/funcs.h"
#include "profile/native.h"
#include "profile/prompt.h"
#include "profile/pystack.h"
#include "profile/report.h"
#include "profile/sampler.h"
#include "python/layout.h"
#include "python/reader.h"
#include "symbols/proc.h"
#include "util/opts.h"
#include "util/strbuf.h"
#include "util/util.h"

#define PROFILE_RUN 1                 /* the session's one run id */
#define DRAIN_NS 50000000ull          /* read the ring buffer this often */
#define JITTER_NS 40000000ull         /* draw another sampling period this often */
#define POLL_FAST_NS 1000000ull       /* a command's exec and objects are looked for this often */
#define POLL_WATCH_NS 20000000ull     /* then whether it execs another program this often */
#define POLL_SLOW_NS 500000000ull     /* native symbols not found yet: look again this often */
#define PY_WAIT_NS 1000000000ull      /* after exec, how long a command may take to show CPython */
#define PROMPT "> "                   /* the prompt on a terminal */

const char profile_usage[] =
"Usage: runtrace profile -p PID [-f FUNC...] [OPTIONS]\n"
"       runtrace profile -f FUNC... [OPTIONS] -- COMMAND [ARGS...]\n"
"\n"
"How long chosen functions of a running Python (3.11, 3.12) or native\n"
"process take: inclusive wall-clock time, on CPU and off CPU, sampled in\n"
"the kernel.  Nothing is attached while profiling is stopped, and the\n"
"process is never changed or stopped.\n"
"\n"
"  -p, --pid PID          the process (all its threads); a prompt on stdin\n"
"                         steers the profiler (type help there)\n"
"  -f, --function FUNC...\n"
"                         the functions: func, module.func, Class.method,\n"
"                         module.Class.method, path/to/file.py:func; native:\n"
"                         symbol, libfoo.so:symbol (FUNC,FUNC also works)\n"
"  -F, --functions-file FILE\n"
"                         the functions, one a line (# comments)\n"
"  -t, --interval T       sampling period: 5ms, 500us... (default 2ms)\n"
"  -d, --duration SEC     profile this long, print the table, exit (no prompt)\n"
"      --json             results as JSON\n"
"      --debug            show each step runtrace takes and libbpf's messages\n"
"  -h, --help             this text\n"
"  COMMAND [ARGS...]      (after --) run it and profile it until it exits\n"
"                         (no prompt)\n"
"\n"
"The table: per function, the time it was on a thread's stack, summed over\n"
"threads (a function on the stack twice counts once) +- the sampling error\n"
"(the square root of the samples times the period), split into on CPU\n"
"(sampled) and off CPU (blocked or waiting for a CPU, measured).\n"
"Exit status: 0 (with a command: its own, 128+signal if it was killed);\n"
"2 bad usage or target; 3 runtrace could not profile (no BPF).\n";

enum profile_opt { PO_PID, PO_FUNC, PO_FILE, PO_INTERVAL, PO_DURATION, PO_JSON, PO_DEBUG, PO_HELP };

static const struct opt_def profile_opts[] = {
	{ "pid", 'p', OPT_ARG, PO_PID },
	{ "function", 'f', OPT_ARG, PO_FUNC },
	{ "functions-file", 'F', OPT_ARG, PO_FILE },
	{ "interval", 't', OPT_ARG, PO_INTERVAL },
	{ "duration", 'd', OPT_ARG, PO_DURATION },
	{ "json", 0, OPT_NOARG, PO_JSON },
	{ "debug", 0, OPT_NOARG, PO_DEBUG },
	{ "help", 'h', OPT_NOARG, PO_HELP },
};
const struct opt_def *const profile_opt_defs = profile_opts;
const size_t profile_opt_count = ARRAY_SIZE(profile_opts);

/* FUNC or FUNC,FUNC... */
static int add_func_words(struct profile_cfg *c, const char *val)
{
	char *copy = strdup(val), *save = NULL, *t;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (t = strtok_r(copy, ",", &save); t && !err; t = strtok_r(NULL, ",", &save)) {
		char **v = realloc(c->funcs, (c->nfuncs + 1) * sizeof(*v));

		if (!v || !(v[c->nfuncs] = strdup(t))) {
			if (v)
				c->funcs = v;
			err = -ENOMEM;
			break;
		}
		c->funcs = v;
		c->nfuncs++;
	}
	free(copy);
	return err;
}

static int apply(void *ctx, const struct opt_def *o, const char *name, const char *val,
		 char *err, size_t errlen)
{
	struct profile_cfg *c = ctx;
	long pid;
	int ret;

	c->in_funcs = false;
	switch (o->id) {
	case PO_PID:
		ret = opts_long(name, val, 1, INT_MAX, &pid, err, errlen);
		c->pid = (int)pid;
		return ret;
	case PO_FUNC:
		c->in_funcs = true;
		return add_func_words(c, val);
	case PO_FILE:
		c->func_file = val;
		return 0;
	case PO_INTERVAL:
		return pf_parse_interval(val, &c->interval_ns, err, errlen);
	case PO_DURATION:
		return opts_seconds(name, val, &c->duration, err, errlen);
	case PO_JSON:
		c->json = true;
		return 0;
	case PO_DEBUG:
		c->debug = true;
		return 0;
	case PO_HELP:
		c->help = true;
		return 0;
	}
	return 0;
}

/* Words after -f FUNC are more functions; any other word is an error (a
 * command comes after --). */
static int positional(void *ctx, char **argv, int i, char *err, size_t errlen)
{
	struct profile_cfg *c = ctx;

	if (c->in_funcs)
		return add_func_words(c, argv[i]);
	return opts_fail(err, errlen, "unexpected argument '%s' (put the command after --)", argv[i]);
}

void profile_cfg_free(struct profile_cfg *c)
{
	size_t i;

	for (i = 0; i < c->nfuncs; i++)
		free(c->funcs[i]);
	free(c->funcs);
	c->funcs = NULL;
	c->nfuncs = 0;
}

int profile_parse(int argc, char **argv, struct profile_cfg *c, char *err, size_t errlen)
{
	struct opts_parser p = { .defs = profile_opts, .ndefs = ARRAY_SIZE(profile_opts),
				 .apply = apply, .positional = positional, .ctx = c };
	bool dashdash;
	int cmd, ret;

	memset(c, 0, sizeof(*c));
	ret = opts_parse(&p, argc, argv, 1, &cmd, &dashdash, err, errlen);
	if (ret || c->help)
		return ret;
	if (dashdash) {
		if (cmd >= argc || !argv[cmd][0])
			return opts_fail(err, errlen, "no command after --");
		c->argv = &argv[cmd];
	}
	if (c->argv && c->pid)
		return opts_fail(err, errlen, "give -p PID or a command, not both");
	if (c->argv && !c->nfuncs && !c->func_file)
		return opts_fail(err, errlen, "which functions? give -f FUNC... or -F FILE");
	if (c->duration && !c->pid && !c->argv)
		return opts_fail(err, errlen, "--duration needs -p PID or a command");
	if (c->duration && !c->nfuncs && !c->func_file)
		return opts_fail(err, errlen, "which functions? give -f FUNC... or -F FILE");
	return 0;
}

/* -F FILE: one function a line, blank lines and # comments skipped. */
static int read_func_file(struct profile_cfg *c)
{
	char *text = read_file_at(AT_FDCWD, c->func_file, 1 << 20, NULL), *line, *save = NULL;
	int err = 0;

	if (!text) {
		err = -errno;
		rt_err("cannot read %s: %s", c->func_file, strerror(-err));
		return err;
	}
	for (line = strtok_r(text, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save)) {
		char *s = line, *e;

		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = 0;
		if (*s && *s != '#')
			err = add_func_words(c, s);
	}
	free(text);
	return err;
}

/* ---- the profiler ------------------------------------------------------ */

/* A terminal: libedit's readline() runs in a thread of its own, whose
 * lines come to the event loop through a pipe as piped stdin does; it
 * reads the next line only once the loop has handled the last one (a
 * byte back), so that the prompt comes after the command's output. */
struct term_reader {
	int lines[2];   /* thread -> loop: each line and '\n'; EOF at Ctrl-D */
	int acks[2];    /* loop -> thread: one byte per line handled */
	pthread_t thread;
	struct termios saved;
	bool started;
};

struct profiler {
	struct profile_cfg *cfg;
	struct features feat;
	struct loop *loop;
	bool prompt;               /* commands come from stdin */
	bool tty;                  /* ... typed on a terminal (libedit) */
	bool utf8;                 /* box drawing for the table */
	bool quit;
	int status;                /* exit status */

	/* the target */
	pid_t pid;                 /* 0: none */
	int pidfd;
	struct child child;        /* -- COMMAND */
	bool gone;                 /* it exited */
	char exe[PATH_MAX];        /* runtrace's own executable (a command before exec) */
	__u64 exec_seen_ns;        /* the command exec'd (CLOCK_MONOTONIC), 0 if not yet */
	char cmd_exe[PATH_MAX];    /* what it ran when its objects were read */
	unsigned long polls;
	int poll_timer;

	/* what it runs */
	bool py_decided;           /* Python or not is known */
	bool python;
	struct pytarget pyt;
	struct memreader *mem;
	struct pyreader *py;
	struct pf_codetab *codes;

	/* what is profiled, and the results so far */
	struct pf_funcs funcs;
	struct pf_totals totals[RT_PROFILE_SLOTS]; /* by slot: past sessions, records */
	struct rt_profile_stats stats;             /* past sessions */
	__u64 interval_ns;
	__u64 profiled_ns;         /* past sessions */

	/* a session, while profiling */
	struct session *ses;
	struct sink sink;
	struct sampler *smp;
	struct rt_run run;
	int drain_timer;
	int jitter_timer;
	unsigned seed;             /* rand_r: the periods drawn */
	__u64 started_ns;

	int in_fd;                 /* where commands come from */
	struct strbuf in;          /* a partial line */
	struct term_reader term;   /* on a terminal */
};


/* A message of the conversation: stdout at the prompt, else stderr (stdout
 * then holds only the table or JSON). */
__attribute__((format(printf, 2, 3)))
static void say(struct profiler *p, const char *fmt, ...)
{
	FILE *out = p->prompt ? stdout : stderr;
	va_list ap;

	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
}

static const char *state_of(const struct profiler *p)
{
	if (p->ses)
		return "running";
	if (p->gone)
		return "exited";
	return p->pid ? "stopped" : "no target";
}

static void func_list(struct profiler *p, struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < p->funcs.n; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", p->funcs.v[i].spec.text);
	if (!p->funcs.n)
		strbuf_adds(sb, "(none)");
}

/* ---- what the target runs ------------------------------------------------ */

/* Whether function @f is looked for as a native symbol. */
static bool is_native(const struct profiler *p, const struct pf_func *f)
{
	return f->spec.kind == PF_NATIVE || (f->spec.kind == PF_ANY && p->py_decided && !p->python);
}

static void forget_target(struct profiler *p)
{
	pyreader__free(p->py);
	memreader__free(p->mem);
	pf_codetab_free(p->codes);
	p->py = NULL;
	p->mem = NULL;
	p->codes = NULL;
	p->python = false;
	p->py_decided = false;
}

/* Look at the target's objects: its CPython if any.  1 if it is known now
 * whether the target runs CPython, 0 if not yet (a command that has not
 * exec'd), -errno. */
static int inspect(struct profiler *p)
{
	struct symproc *sp;
	int err;

	if (p->py_decided)
		return 1;
	if (p->child.pid && !p->exec_seen_ns) {
		char path[64], exe[PATH_MAX];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/exe", p->pid);
		n = readlink(path, exe, sizeof(exe) - 1);
		if (n <= 0)
			return 0;
		exe[n] = 0;
		if (!strcmp(exe, p->exe))
			return 0; /* still runtrace's fork */
		p->exec_seen_ns = now_ns(CLOCK_MONOTONIC);
	}
	/* a command that exec'd: ld.so maps the objects it needs in the
	 * order of their DT_NEEDED entries, libpython before libc; once libc
	 * is there (CPython then too, if it is Python), the objects are read
	 * (a static binary waits PY_WAIT_NS) */
	if (p->child.pid && now_ns(CLOCK_MONOTONIC) < p->exec_seen_ns + PY_WAIT_NS) {
		struct maps m;
		bool libc;

		if (maps_read(p->pid, &m))
			return 0;
		libc = maps_find_module(&m, "libc") != NULL;
		maps_free(&m);
		if (!libc)
			return 0;
	}
	sp = symproc__new(p->pid);
	if (!sp)
		return -errno;
	err = pytarget_find(sp, &p->pyt);
	symproc__free(sp);
	p->py_decided = true;
	if (err == -ENOTSUP) {
		char v[32];

		rt_err("process %d runs CPython %s: profile reads 3.11 and 3.12 only", p->pid,
		       pylayout_version_str(p->pyt.version, v, sizeof(v)));
	}
	p->mem = memreader__new_pid(p->pid);
	if (!p->mem)
		return -errno;
	if (err)
		return 1; /* not Python */
	p->py = pyreader__new(p->mem, p->pyt.offsets, p->pyt.runtime_addr);
	p->codes = pf_codetab_new();
	if (!p->py || !p->codes) {
		err = errno ? -errno : -ENOMEM;
		forget_target(p);
		return err;
	}
	p->python = true;
	rt_dbg("profile: process %d runs CPython %x (_PyRuntime at 0x%llx in %s)", p->pid,
	       p->pyt.version, (unsigned long long)p->pyt.runtime_addr, p->pyt.module);
	return 1;
}

/* Find the native functions in the target's objects; with @strict, one
 * that is not found is an error (-ENOENT, said).  0 or -errno. */
static int resolve_natives(struct profiler *p, bool strict)
{
	struct symproc *sp = NULL;
	size_t i;
	int err = 0;

	for (i = 0; i < p->funcs.n; i++) {
		struct pf_func *f = &p->funcs.v[i];
		struct sym_loc loc;
		int r;

		f->native = is_native(p, f);
		if (!f->native || f->resolved)
			continue;
		if (!sp && !(sp = symproc__new(p->pid)))
			return -errno;
		r = symproc__resolve(sp, f->spec.text, &loc);
		if (r && r != -ENOEXEC) {
			if (strict) {
				if (f->spec.kind == PF_ANY)
					rt_err("process %d is not a Python process and has no symbol '%s'",
					       p->pid, f->spec.text);
				else
					rt_err("no symbol '%s' in process %d", f->spec.text, p->pid);
				err = -ENOENT;
			}
			continue;
		}
		f->resolved = true;
		f->start = loc.addr;
		f->end = loc.addr + (loc.sym && loc.sym->size ? loc.sym->size - 1 : 0);
		rt_dbg("profile: %s at 0x%llx-0x%llx", f->spec.text, (unsigned long long)f->start,
		       (unsigned long long)f->end);
	}
	symproc__free(sp);
	return err;
}

/* Python names in a process that is not Python: an error (said). */
static int check_kinds(struct profiler *p)
{
	size_t i;

	for (i = 0; i < p->funcs.n; i++) {
		if (p->funcs.v[i].spec.kind != PF_PYFILE || p->python || !p->py_decided)
			continue;
		rt_err("process %d is not a Python process: cannot profile '%s'", p->pid,
		       p->funcs.v[i].spec.text);
		return -EINVAL;
	}
	return 0;
}

/* ---- the kernel's view of the functions ----------------------------------- */

static int push_ranges(struct profiler *p)
{
	struct rt_profile_range r[RT_PROFILE_RANGES];
	size_t i, n = 0;

	if (!p->smp)
		return 0;
	for (i = 0; i < p->funcs.n && n < RT_PROFILE_RANGES; i++) {
		const struct pf_func *f = &p->funcs.v[i];

		if (!f->native || !f->resolved)
			continue;
		r[n].start = f->start;
		r[n].end = f->end;
		r[n].mask = 1ull << f->slot;
		n++;
	}
	return sampler__set_ranges(p->smp, r, n);
}

/* Match every code object met again (the functions changed) and tell the
 * kernel those whose slots changed (all of them with @all). */
static void rematch_codes(struct profiler *p, bool all)
{
	size_t i, n = p->codes ? pf_codetab_count(p->codes) : 0;

	for (i = 0; i < n; i++) {
		struct pf_code_ent *e = pf_codetab_at(p->codes, i);
		struct pf_pycode pc;
		__u64 m = 0;

		if (!pf_py_describe(p->py, e->code, e->globals, &pc))
			m = pf_funcs_py_mask(&p->funcs, &pc);
		if ((m != e->mask || all) && p->smp)
			sampler__set_code(p->smp, e->code, e->id, m);
		e->mask = m;
	}
}

/* The slots of code object @code (identity @id, as the kernel saw it),
 * named now if it is new, told to the kernel. */
static __u64 code_mask(struct profiler *p, __u64 code, __u64 id, __u64 globals)
{
	struct pf_code_ent *e;
	bool named;

	if (!p->codes)
		return 0;
	e = pf_codetab_name(p->codes, p->py, &p->funcs, code, id, globals, &named);
	if (!e)
		return 0;
	if (p->smp)
		sampler__set_code(p->smp, code, e->id, e->mask);
	return e->mask;
}

static void charge(struct pf_totals *into, __u64 mask, bool on_cpu, __u64 ns)
{
	unsigned slot;

	for (slot = 0; slot < RT_PROFILE_SLOTS; slot++) {
		if (!(mask & (1ull << slot)))
			continue;
		if (on_cpu) {
			into[slot].on_ns += ns;
			into[slot].on_samples++;
		} else {
			into[slot].off_ns += ns;
			into[slot].off_count++;
		}
	}
}

/* A stack the kernel could not summarise: name its code objects, charge. */
static int on_unknown(void *ctx, const struct rt_profile_unknown *ev)
{
	struct profiler *p = ctx;
	__u64 mask = ev->mask;
	__u32 i;

	if (p->mem)
		memreader__invalidate(p->mem); /* the target ran since */
	for (i = 0; i < ev->nunknown && i < RT_PROFILE_MAX_UNKNOWN; i++)
		mask |= code_mask(p, ev->code[i], ev->id[i], ev->globals[i]);
	charge(p->totals, mask, ev->kind == RT_PROFILE_ON_CPU, ev->charge_ns);
	return 0;
}

struct off_ctx {
	struct profiler *p;
	struct pf_totals *into;
	__u64 now;
};

/* A thread off CPU now: charge its time away so far. */
static int charge_off(void *ctx, __u32 tid, const struct rt_profile_off *e)
{
	struct off_ctx *o = ctx;
	__u64 mask = e->mask;
	__u32 i;

	if (e->nunknown && o->p->mem)
		memreader__invalidate(o->p->mem);
	for (i = 0; i < e->nunknown && i < RT_PROFILE_MAX_UNKNOWN; i++)
		mask |= code_mask(o->p, e->code[i], e->id[i], e->globals[i]);
	charge(o->into, mask, false, o->now > e->ts ? o->now - e->ts : 0);
	return 0;
}

static int read8_before(void *ctx, __u64 addr, __u8 out[8])
{
	return memreader__read(ctx, addr - 8, out, 8);
}

/* The functions on the stack of thread @tid, blocked in a syscall now. */
static __u64 blocked_mask(struct profiler *p, pid_t tid, const struct py_thread *th, size_t nth)
{
	__u64 mask = 0, sp, pc, words[RT_PROFILE_SCAN_WORDS];
	char path[96], *text;
	size_t i;

	for (i = 0; i < nth; i++)
		if (th[i].native_thread_id == (__u64)tid && th[i].frame)
			pf_py_stack_mask(p->py, &p->funcs, p->codes, th[i].frame,
					 RT_PROFILE_MAX_FRAMES, &mask);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", p->pid, tid);
	text = read_file_at(AT_FDCWD, path, 4096, NULL);
	if (text && !pf_parse_syscall_file(text, &sp, &pc) &&
	    !memreader__read(p->mem, sp, words, sizeof(words)))
		mask |= pf_native_mask(&p->funcs, pc, words, RT_PROFILE_SCAN_WORDS, read8_before,
				       p->mem);
	free(text);
	return mask;
}

/* Threads blocked when profiling starts: the kernel will see them come
 * back but not leave, so say what they left with. */
static void seed_blocked(struct profiler *p)
{
	struct py_thread *th = NULL;
	size_t nth = 0;
	struct dirent *de;
	char path[64];
	DIR *d;

	if (!p->mem)
		return;
	snprintf(path, sizeof(path), "/proc/%d/task", p->pid);
	d = opendir(path);
	if (!d)
		return;
	memreader__invalidate(p->mem);
	if (p->py)
		pyreader__threads(p->py, &th, &nth);
	while ((de = readdir(d))) {
		struct rt_profile_off e = { 0 };
		char *text, state = 'R';
		unsigned long flags;
		pid_t tid = atoi(de->d_name);

		if (tid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", p->pid, tid);
		text = read_file_at(AT_FDCWD, path, 4096, NULL);
		if (text)
			scope_parse_stat(text, &flags, &state);
		free(text);
		if (state != 'S' && state != 'D')
			continue;
		e.ts = now_ns(CLOCK_MONOTONIC);
		e.mask = blocked_mask(p, tid, th, nth);
		if (e.mask)
			sampler__seed_off(p->smp, (__u32)tid, &e);
	}
	closedir(d);
	free(th);
}

/* ---- sessions -------------------------------------------------------------- */

static int on_ring(void *ctx)
{
	struct profiler *p = ctx;

	return p->ses ? session__consume(p->ses) : 0;
}

static int on_jitter(void *ctx)
{
	struct profiler *p = ctx;

	if (p->smp)
		sampler__jitter(p->smp, rand_r(&p->seed) / ((double)RAND_MAX + 1));
	return 0;
}

static void python_on(struct profiler *p)
{
	if (!p->smp || !p->python)
		return;
	sampler__set_python(p->smp, p->pyt.offsets, p->pyt.runtime_addr);
	rematch_codes(p, true);
}

/* Start profiling: a new session, the functions told to it.  0 or -errno
 * (said). */
static int start_session(struct profiler *p)
{
	struct sampler_opts so = { .tgid = p->pid, .run = PROFILE_RUN, .interval_ns = p->interval_ns,
				   .on_unknown = on_unknown, .ctx = p };
	size_t n;
	int err;

	err = sampler_sink_new(&so, &p->sink);
	if (err) {
		rt_err("cannot set up the profiler: %s", strerror(-err));
		return err;
	}
	/* open, configure, load, attach */
	p->ses = session__new(&p->sink, 1, -1);
	if (!p->ses) {
		err = -errno;
		p->sink.ops->free(p->sink.self);
		memset(&p->sink, 0, sizeof(p->sink));
		return err ? err : -EINVAL;
	}
	p->smp = sampler_of(&p->sink);
	err = session__begin_run(p->ses, &p->run);
	if (err) {
		rt_err("cannot set up the profiler: %s", strerror(-err));
		return err;
	}
	p->started_ns = now_ns(CLOCK_MONOTONIC);
	python_on(p);
	push_ranges(p);
	n = p->codes ? pf_codetab_count(p->codes) : 0;
	seed_blocked(p);
	for (; p->codes && n < pf_codetab_count(p->codes); n++) {
		const struct pf_code_ent *e = pf_codetab_at(p->codes, n);

		sampler__set_code(p->smp, e->code, e->id, e->mask);
	}
	err = loop__add(p->loop, session__fd(p->ses), on_ring, p);
	if (!err) {
		p->drain_timer = loop__timer(p->loop, DRAIN_NS, DRAIN_NS, on_ring, p);
		if (p->drain_timer < 0)
			err = p->drain_timer;
	}
	if (!err) {
		p->jitter_timer = loop__timer(p->loop, JITTER_NS, JITTER_NS, on_jitter, p);
		if (p->jitter_timer < 0)
			err = p->jitter_timer;
	}
	if (err)
		rt_err("cannot set up the event loop: %s", strerror(-err));
	return err;
}

static void add_stats(struct rt_profile_stats *a, const struct rt_profile_stats *b)
{
	a->samples += b->samples;
	a->on_ns += b->on_ns;
	a->switches += b->switches;
	a->records += b->records;
	a->lost += b->lost;
	a->faults += b->faults;
	a->truncated += b->truncated;
	a->no_tstate += b->no_tstate;
	a->late += b->late;
	a->long_ticks += b->long_ticks;
	a->long_ns += b->long_ns;
}

/* Stop profiling: everything counted kept here, the session freed (no
 * program stays attached). */
static void stop_session(struct profiler *p)
{
	struct rt_profile_count counts[RT_PROFILE_SLOTS];
	struct rt_profile_stats st;
	struct off_ctx oc = { .p = p, .into = p->totals };
	size_t i;

	if (!p->ses)
		return;
	sampler__pause(p->smp);
	oc.now = now_ns(CLOCK_MONOTONIC);
	session__consume(p->ses);
	if (!sampler__counts(p->smp, counts))
		for (i = 0; i < p->funcs.n; i++)
			pf_totals_add_count(&p->totals[p->funcs.v[i].slot],
					    &counts[p->funcs.v[i].slot]);
	sampler__each_off(p->smp, charge_off, &oc);
	if (!sampler__stats(p->smp, &st)) {
		add_stats(&p->stats, &st);
		rt_dbg("profile: session: %llu samples, %llu switches, %llu records (%llu lost), "
		       "%llu unreadable frames, %llu stacks too deep, %llu ticks without a tstate, "
		       "%llu late ticks due before the thread ran, %llu long ticks (%llu ms more)",
		       (unsigned long long)st.samples, (unsigned long long)st.switches,
		       (unsigned long long)st.records, (unsigned long long)st.lost,
		       (unsigned long long)st.faults, (unsigned long long)st.truncated,
		       (unsigned long long)st.no_tstate, (unsigned long long)st.late,
		       (unsigned long long)st.long_ticks, (unsigned long long)st.long_ns / 1000000);
	}
	p->profiled_ns += oc.now - p->started_ns;
	loop__cancel(p->loop, p->drain_timer);
	loop__cancel(p->loop, p->jitter_timer);
	p->drain_timer = -1;
	p->jitter_timer = -1;
	loop__del(p->loop, session__fd(p->ses));
	session__end_run(p->ses, &p->run);
	session__free(p->ses);
	p->sink.ops->free(p->sink.self);
	memset(&p->sink, 0, sizeof(p->sink));
	p->ses = NULL;
	p->smp = NULL;
}

/* The rows now: kept results, plus the running session's counts and the
 * time so far of threads off CPU. */
static void collect(struct profiler *p, struct pf_row *rows, struct rt_profile_stats *st,
		    __u64 *profiled)
{
	struct pf_totals live[RT_PROFILE_SLOTS];
	struct rt_profile_count counts[RT_PROFILE_SLOTS];
	struct rt_profile_stats cur;
	struct off_ctx oc = { .p = p, .into = live };
	size_t i;

	memcpy(live, p->totals, sizeof(live));
	*st = p->stats;
	*profiled = p->profiled_ns;
	if (p->ses) {
		session__consume(p->ses);
		memcpy(live, p->totals, sizeof(live));
		oc.now = now_ns(CLOCK_MONOTONIC);
		if (!sampler__counts(p->smp, counts))
			for (i = 0; i < RT_PROFILE_SLOTS; i++)
				pf_totals_add_count(&live[i], &counts[i]);
		sampler__each_off(p->smp, charge_off, &oc);
		if (!sampler__stats(p->smp, &cur))
			add_stats(st, &cur);
		*profiled += oc.now - p->started_ns;
	}
	for (i = 0; i < p->funcs.n; i++) {
		rows[i].name = p->funcs.v[i].spec.text;
		rows[i].native = p->funcs.v[i].native;
		rows[i].t = live[p->funcs.v[i].slot];
	}
}

static void print_results(struct profiler *p)
{
	struct pf_row rows[RT_PROFILE_SLOTS];
	struct rt_profile_stats st;
	struct strbuf sb = { 0 };
	__u64 profiled;

	collect(p, rows, &st, &profiled);
	if (p->cfg->json) {
		struct pf_report_meta m = { .pid = p->pid, .state = state_of(p),
					    .interval_ns = p->interval_ns, .profiled_ns = profiled,
					    .samples = st.samples, .cpu_ns = st.on_ns,
					    .lost = st.lost };

		pf_json(&sb, rows, p->funcs.n, &m);
	} else {
		pf_table(&sb, rows, p->funcs.n, p->utf8);
	}
	fflush(stdout);
	if (strbuf_write(&sb, STDOUT_FILENO))
		rt_err("cannot write the results: %s", strerror(errno));
	strbuf_free(&sb);
}

static void print_status(struct profiler *p)
{
	struct pf_row rows[RT_PROFILE_SLOTS];
	struct rt_profile_stats st;
	struct strbuf fl = { 0 };
	char t[32], v[32];
	__u64 profiled;
	size_t i;

	collect(p, rows, &st, &profiled);
	if (!p->pid)
		printf("Target: none (start -p PID)\n");
	else if (p->python)
		printf("Target: process %d (CPython %s, %s)\n", p->pid,
		       pylayout_version_str(p->pyt.version, v, sizeof(v)), p->pyt.module);
	else
		printf("Target: process %d (%s)\n", p->pid,
		       p->py_decided ? "native" : "not looked at yet");
	printf("State: %s, %s profiled in all\n", state_of(p), pf_fmt_time(profiled, t, sizeof(t)));
	for (i = 0; i < p->funcs.n; i++) {
		const struct pf_func *f = &p->funcs.v[i];

		strbuf_addf(&fl, "%s%s (%s%s)", i ? ", " : "", f->spec.text,
			    f->native ? "native" : "python",
			    f->native && !f->resolved ? ", not found yet" : "");
	}
	printf("Functions: %s\n", fl.len ? fl.buf : "(none)");
	printf("Interval: %s\n", pf_fmt_time(p->interval_ns, t, sizeof(t)));
	printf("Samples: %llu on the target's threads, %llu lost (ring buffer full)",
	       (unsigned long long)st.samples, (unsigned long long)st.lost);
	if (st.faults || st.truncated)
		printf(", %llu stacks cut short (%llu unreadable frames)",
		       (unsigned long long)(st.faults + st.truncated), (unsigned long long)st.faults);
	printf("\n");
	fflush(stdout);
	strbuf_free(&fl);
}

/* ---- commands ----------------------------------------------------------- */

static int on_target_exit(void *ctx);

/* Make @pid the target (results of another one are dropped). */
static int set_target(struct profiler *p, pid_t pid)
{
	char why[256];
	pid_t tgid;
	int fd;

	if (scope_check_pid(pid, &tgid, why, sizeof(why))) {
		rt_err("%s", why);
		return -ESRCH;
	}
	if (p->pid == tgid && !p->gone)
		return 0;
	fd = syscall(SYS_pidfd_open, tgid, 0);
	if (fd < 0) {
		rt_err("cannot watch process %d: %s", tgid, strerror(errno));
		return -errno;
	}
	if (p->pidfd >= 0) {
		loop__del(p->loop, p->pidfd);
		close(p->pidfd);
	}
	if (p->pid && p->pid != tgid)
		say(p, "New target: results of process %d dropped", p->pid);
	forget_target(p);
	memset(p->totals, 0, sizeof(p->totals));
	memset(&p->stats, 0, sizeof(p->stats));
	p->profiled_ns = 0;
	for (size_t i = 0; i < p->funcs.n; i++)
		p->funcs.v[i].resolved = false;
	p->pid = tgid;
	p->pidfd = fd;
	p->gone = false;
	return loop__add(p->loop, fd, on_target_exit, p);
}

/* Add functions (told to the running session).  0 or -errno (said). */
static int add_funcs(struct profiler *p, char **names, size_t n, bool verbose)
{
	char err[256];
	size_t i;
	bool added, any = false;
	int ret = 0;

	for (i = 0; i < n; i++) {
		struct pf_func *f;

		ret = pf_funcs_add(&p->funcs, names[i], &added, err, sizeof(err));
		if (ret) {
			rt_err("%s", err);
			return ret;
		}
		if (!added)
			continue;
		f = pf_funcs_find(&p->funcs, names[i]);
		memset(&p->totals[f->slot], 0, sizeof(p->totals[f->slot]));
		if (p->smp)
			sampler__zero_slot(p->smp, f->slot);
		if (p->pid && p->py_decided) {
			f->native = is_native(p, f);
			if (f->spec.kind == PF_PYFILE && !p->python) {
				unsigned slot;

				rt_err("process %d is not a Python process: cannot profile '%s'", p->pid,
				       names[i]);
				pf_funcs_remove(&p->funcs, names[i], &slot);
				return -EINVAL;
			}
			if (f->native && resolve_natives(p, true)) {
				unsigned slot;

				pf_funcs_remove(&p->funcs, names[i], &slot);
				return -ENOENT;
			}
		}
		any = true;
		if (verbose)
			say(p, "Added: %s", names[i]);
	}
	if (any && p->smp) {
		rematch_codes(p, false);
		push_ranges(p);
	}
	return 0;
}

static int remove_funcs(struct profiler *p, char **names, size_t n)
{
	size_t i;
	unsigned slot;

	for (i = 0; i < n; i++) {
		if (pf_funcs_remove(&p->funcs, names[i], &slot)) {
			rt_err("not profiled: %s", names[i]);
			continue;
		}
		memset(&p->totals[slot], 0, sizeof(p->totals[slot]));
		say(p, "Removed: %s", names[i]);
	}
	if (p->smp) {
		rematch_codes(p, false);
		push_ranges(p);
	}
	return 0;
}

/* start: the target known, its functions found, a session. */
static int do_start(struct profiler *p)
{
	struct strbuf fl = { 0 };
	int err;

	if (p->ses) {
		say(p, "Already profiling process %d (stop first)", p->pid);
		return 0;
	}
	if (!p->pid || p->gone) {
		rt_err("no target: start -p PID");
		return -EINVAL;
	}
	if (!p->funcs.n) {
		rt_err("no functions: start -f FUNC... (or add -f FUNC...)");
		return -EINVAL;
	}
	err = inspect(p);
	if (err < 0) {
		rt_err("cannot read process %d: %s", p->pid, strerror(-err));
		return err;
	}
	if (p->py_decided && (check_kinds(p) || resolve_natives(p, !p->child.pid)))
		return -EINVAL;
	err = start_session(p);
	if (err) {
		if (p->ses)
			stop_session(p);
		return err;
	}
	func_list(p, &fl);
	say(p, "Starting profiling process %d for functions: %s", p->pid, fl.buf);
	strbuf_free(&fl);
	return 0;
}

static void do_stop(struct profiler *p, bool verbose)
{
	if (!p->ses) {
		if (verbose)
			say(p, "Not profiling");
		return;
	}
	stop_session(p);
	if (verbose)
		say(p, "Profiling stopped (nothing attached; the results are kept)");
}

/* The end: stop, the final table, leave the loop. */
static void finish(struct profiler *p, bool target_exited)
{
	if (p->quit)
		return;
	do_stop(p, false);
	if (target_exited && p->tty)
		fputc('\n', stdout); /* off the prompt's line */
	if (target_exited)
		say(p, "Profiler stopped.");
	print_results(p);
	p->quit = true;
}

static void run_command(struct profiler *p, const char *line)
{
	struct pf_cmd c;
	char err[256], t[32];

	if (pf_cmd_parse(line, &c, err, sizeof(err))) {
		rt_err("%s", err);
		return;
	}
	switch (c.kind) {
	case PF_CMD_NONE:
		break;
	case PF_CMD_START:
		if (p->ses && (c.pid || c.nfuncs || c.interval_ns)) {
			say(p, "Already profiling process %d (stop first)", p->pid);
			break;
		}
		if (c.pid && set_target(p, c.pid))
			break;
		if (c.interval_ns)
			p->interval_ns = c.interval_ns;
		if (c.nfuncs && add_funcs(p, c.funcs, c.nfuncs, false))
			break;
		do_start(p);
		break;
	case PF_CMD_STOP:
		do_stop(p, true);
		break;
	case PF_CMD_ADD:
		add_funcs(p, c.funcs, c.nfuncs, true);
		break;
	case PF_CMD_REMOVE:
		remove_funcs(p, c.funcs, c.nfuncs);
		break;
	case PF_CMD_RESULTS:
		print_results(p);
		break;
	case PF_CMD_STATUS:
		print_status(p);
		break;
	case PF_CMD_INTERVAL:
		p->interval_ns = c.interval_ns;
		if (p->smp && sampler__set_interval(p->smp, c.interval_ns))
			rt_err("cannot change the sampling period: %s", strerror(errno));
		say(p, "Sampling interval: %s", pf_fmt_time(c.interval_ns, t, sizeof(t)));
		break;
	case PF_CMD_HELP:
		fputs(pf_prompt_help, stdout);
		fflush(stdout);
		break;
	case PF_CMD_EXIT:
		finish(p, false);
		break;
	}
	pf_cmd_free(&c);
}

/* ---- the event loop's handlers ------------------------------------------ */

static int on_target_exit(void *ctx)
{
	struct profiler *p = ctx;

	p->gone = true;
	loop__del(p->loop, p->pidfd);
	if (p->child.pid)
		child__reap(&p->child, false);
	finish(p, true);
	return 0;
}

/* A command: find its CPython once it exec'd, and native symbols as its
 * objects get loaded. */
/* Whether the command exec'd another program since its objects were read
 * (a shell that runs python). */
static bool exec_again(struct profiler *p)
{
	char path[64], exe[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", p->pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = 0;
	if (!strcmp(exe, p->cmd_exe))
		return false;
	snprintf(p->cmd_exe, sizeof(p->cmd_exe), "%s", exe);
	return true;
}

static int on_poll(void *ctx);

static void poll_every(struct profiler *p, __u64 ns)
{
	loop__cancel(p->loop, p->poll_timer);
	p->poll_timer = loop__timer(p->loop, ns, ns, on_poll, p);
}

/* A command: find its CPython once it exec'd (and again if it execs
 * another program), and native symbols as its objects get loaded. */
static int on_poll(void *ctx)
{
	struct profiler *p = ctx;
	size_t i;

	if (p->gone)
		return 0;
	if (child__kill_due(&p->child))
		child__kill(&p->child, SIGKILL);
	if (p->py_decided && exec_again(p)) {
		rt_dbg("profile: process %d runs %s now", p->pid, p->cmd_exe);
		if (p->smp)
			sampler__python_off(p->smp);
		forget_target(p);
		for (i = 0; i < p->funcs.n; i++)
			p->funcs.v[i].resolved = false;
		push_ranges(p);
		p->exec_seen_ns = now_ns(CLOCK_MONOTONIC);
		poll_every(p, POLL_FAST_NS);
	}
	if (!p->py_decided) {
		if (inspect(p) != 1)
			return 0;
		exec_again(p);
		check_kinds(p);
		python_on(p);
		resolve_natives(p, false);
		push_ranges(p);
		p->polls = 0;
		poll_every(p, POLL_WATCH_NS);
		return 0;
	}
	/* native symbols not found yet: a library loaded later */
	if (++p->polls % (POLL_SLOW_NS / POLL_WATCH_NS) == 0) {
		for (i = 0; i < p->funcs.n; i++)
			if (p->funcs.v[i].native && !p->funcs.v[i].resolved)
				break;
		if (i < p->funcs.n) {
			resolve_natives(p, false);
			push_ranges(p);
		}
	}
	return 0;
}

static int on_duration(void *ctx)
{
	struct profiler *p = ctx;

	finish(p, false);
	return 0;
}

static int on_signal(void *ctx)
{
	struct profiler *p = ctx;
	int sig = loop__stop_signal(p->loop);

	if (p->child.pid && !p->child.reaped) {
		/* the command gets the signal; the table when it is gone */
		kill(p->child.pid, sig);
		child__grace(&p->child);
		return 0;
	}
	if (p->tty)
		fputc('\n', stdout);
	finish(p, false);
	return 0;
}

static void *term_thread(void *arg)
{
	struct term_reader *t = arg;
	char *line, ack;
	int err = 0;

	while (!err && (line = readline(PROMPT))) {
		if (*line)
			add_history(line);
		err = write_all(t->lines[1], line, strlen(line));
		if (!err)
			err = write_all(t->lines[1], "\n", 1);
		free(line);
		if (!err && read(t->acks[0], &ack, 1) != 1)
			err = -EPIPE;
	}
	close(t->lines[1]);
	t->lines[1] = -1;
	return NULL;
}

static int term_start(struct term_reader *t)
{
	int err;

	t->lines[0] = t->lines[1] = t->acks[0] = t->acks[1] = -1;
	tcgetattr(STDIN_FILENO, &t->saved);
	if (pipe2(t->lines, O_CLOEXEC) || pipe2(t->acks, O_CLOEXEC))
		return -errno;
	rl_catch_signals = 0; /* the loop's signalfd takes them */
	err = -pthread_create(&t->thread, NULL, term_thread, t);
	if (err)
		return err;
	t->started = true;
	return 0;
}

/* Leave the terminal as it was (the thread may be in readline()). */
static void term_stop(struct term_reader *t)
{
	if (t->started)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	if (t->lines[0] >= 0)
		close(t->lines[0]);
	if (t->acks[1] >= 0)
		close(t->acks[1]);
}

/* Commands: lines of stdin, or of the terminal's reader thread. */
static int on_stdin(void *ctx)
{
	struct profiler *p = ctx;
	char buf[4096], *nl;
	ssize_t n;

	n = read(p->in_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		if (p->in.len)
			run_command(p, p->in.buf);
		strbuf_reset(&p->in);
		loop__del(p->loop, p->in_fd);
		if (p->tty)
			fputc('\n', stdout); /* after the prompt Ctrl-D left */
		finish(p, false);
		return 0;
	}
	strbuf_add(&p->in, buf, n);
	while (!p->quit && (nl = memchr(p->in.buf, '\n', p->in.len))) {
		size_t len = nl - p->in.buf + 1;

		*nl = 0;
		run_command(p, p->in.buf);
		memmove(p->in.buf, p->in.buf + len, p->in.len - len + 1);
		p->in.len -= len;
		if (p->tty && !p->quit && write(p->term.acks[1], "", 1) != 1)
			rt_dbg("profile: the terminal's reader is gone");
	}
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

static bool utf8_terminal(void)
{
	const char *cs;

	if (!isatty(STDOUT_FILENO) || !setlocale(LC_CTYPE, ""))
		return false;
	cs = nl_langinfo(CODESET);
	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}

static int start_command(struct profiler *p)
{
	struct child_opts co = { .argv = p->cfg->argv, .fds = { -1, -1, -1 },
				 .sigmask = loop__origmask(p->loop) };
	int err;

	if (child__fork(&p->child, &co))
		return -ECHILD;
	p->pid = p->child.pid;
	p->pidfd = p->child.pidfd;
	err = loop__add(p->loop, p->pidfd, on_target_exit, p);
	if (err)
		return err;
	poll_every(p, POLL_FAST_NS);
	return p->poll_timer < 0 ? p->poll_timer : 0;
}

static int profile_main(struct profile_cfg *c)
{
	struct profiler p = { .cfg = c, .pidfd = -1, .poll_timer = -1, .drain_timer = -1,
			      .jitter_timer = -1, .in_fd = -1,
			      .term = { .lines = { -1, -1 }, .acks = { -1, -1 } },
			      .child = { .go = -1, .pidfd = -1 },
			      .run = { .id = PROFILE_RUN, .dirfd = -1, .cgroup_fd = -1 } };
	struct strbuf json = { 0 }, fl = { 0 };
	int ret = RT_EXIT_INTERNAL, err;
	ssize_t n;

	rt_debug_on = c->debug;
	p.run.json = &json;
	p.seed = (unsigned)(now_ns(CLOCK_MONOTONIC) ^ (__u64)getpid() << 16);
	p.interval_ns = c->interval_ns ? c->interval_ns : PROFILE_DEFAULT_INTERVAL_NS;
	p.prompt = !c->argv && !c->duration;
	p.tty = p.prompt && isatty(STDIN_FILENO);
	p.utf8 = utf8_terminal();
	n = readlink("/proc/self/exe", p.exe, sizeof(p.exe) - 1);
	p.exe[n > 0 ? n : 0] = 0;
	p.loop = loop__new();
	if (!p.loop) {
		rt_err("cannot set up the event loop: %s", strerror(errno));
		return RT_EXIT_INTERNAL;
	}
	if (features_require_bpf(&p.feat, "profile") ||
	    features_require(&p.feat, p.feat.bpf_loop, "profile", "the bpf_loop helper", "5.17"))
		goto cleanup;
	if (c->func_file && read_func_file(c)) {
		ret = RT_EXIT_USAGE;
		goto cleanup;
	}
	if (add_funcs(&p, c->funcs, c->nfuncs, false)) {
		ret = RT_EXIT_USAGE;
		goto cleanup;
	}
	if (c->pid && set_target(&p, c->pid)) {
		ret = RT_EXIT_USAGE;
		goto cleanup;
	}
	if (c->argv) {
		char path[PATH_MAX];

		if (!strchr(c->argv[0], '/') && !child_resolve(c->argv[0], path, sizeof(path))) {
			rt_err("cannot execute '%s': not found in PATH", c->argv[0]);
			ret = 127; /* as a shell says for a command it cannot run */
			goto cleanup;
		}
		if (strchr(c->argv[0], '/') && access(c->argv[0], X_OK)) {
			rt_err("cannot execute '%s': %s", c->argv[0], strerror(errno));
			ret = 127;
			goto cleanup;
		}
	}
	if (p.funcs.n) {
		func_list(&p, &fl);
		say(&p, "Sampling functions: %s", fl.buf);
	}
	loop__on_signal(p.loop, on_signal, &p);

	/* -p: the target is there: check the functions, start at once */
	if (c->pid && p.funcs.n) {
		err = inspect(&p);
		if (err >= 0 && (check_kinds(&p) || resolve_natives(&p, true))) {
			ret = RT_EXIT_USAGE;
			goto cleanup;
		}
		if (do_start(&p))
			goto cleanup;
	}
	/* a command: profiling on before it runs, then released */
	if (c->argv) {
		err = start_command(&p);
		if (!err)
			err = do_start(&p);
		if (err || child__release(&p.child)) {
			child__abort(&p.child);
			goto cleanup;
		}
	}
	if (c->duration &&
	    (err = loop__timer(p.loop, (__u64)(c->duration * 1e9), 0, on_duration, &p)) < 0) {
		rt_err("cannot set up the event loop: %s", strerror(-err));
		goto cleanup;
	}
	if (p.prompt) {
		say(&p, "Entering the profiler prompt. Type commands or 'exit' to quit.");
		p.in_fd = STDIN_FILENO;
		if (p.tty) {
			err = term_start(&p.term);
			if (err) {
				rt_err("cannot read the terminal: %s", strerror(-err));
				goto cleanup;
			}
			p.in_fd = p.term.lines[0];
		}
		if (loop__add(p.loop, p.in_fd, on_stdin, &p))
			goto cleanup;
	}

	/* the event loop */
	while (!p.quit) {
		err = loop__wait(p.loop, -1);
		if (err) {
			rt_err("profile: %s", strerror(-err));
			break;
		}
	}
	ret = RT_EXIT_OK;
	if (c->argv) {
		if (!p.child.reaped)
			child__reap(&p.child, true);
		if (WIFSIGNALED(p.child.status))
			ret = 128 + WTERMSIG(p.child.status);
		else
			ret = WEXITSTATUS(p.child.status);
	}

cleanup:
	if (p.tty)
		term_stop(&p.term);
	if (p.ses)
		stop_session(&p);
	if (p.child.pid > 0 && !p.child.reaped) {
		kill(p.child.pid, SIGKILL);
		child__reap(&p.child, true);
	}
	if (p.child.pid)
		child__close(&p.child);
	else if (p.pidfd >= 0)
		close(p.pidfd);
	forget_target(&p);
	pf_funcs_clear(&p.funcs);
	strbuf_free(&p.in);
	strbuf_free(&fl);
	strbuf_free(&json);
	loop__free(p.loop);
	return ret;
}

int cmd_profile(int argc, char **argv)
{
	struct profile_cfg c;
	char err[512];
	int ret;

	if (profile_parse(argc, argv, &c, err, sizeof(err))) {
		fprintf(stderr, "runtrace: profile: %s (see runtrace profile --help)\n", err);
		profile_cfg_free(&c);
		return RT_EXIT_USAGE;
	}
	if (c.help) {
		fputs(profile_usage, stdout);
		profile_cfg_free(&c);
		return RT_EXIT_OK;
	}
	ret = profile_main(&c);
	profile_cfg_free(&c);
	return ret;
}
