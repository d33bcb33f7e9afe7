/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The userspace half of matching Python stacks: naming the code objects
 * the kernel met (python/reader.h) and matching them against the
 * functions asked for (profile/funcs.h), and the same for a whole stack
 * read from userspace (threads found blocked when profiling starts).
 * Pure given a memory reader: the unit tests run it on memory images of
 * real processes.
 */
#ifndef RUNTRACE_PROFILE_PYSTACK_H
#define RUNTRACE_PROFILE_PYSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "profile/funcs.h"
#include "python/reader.h"

/* A code object met, and the functions it is. */
struct pf_code_ent {
	__u64 code;      /* PyCodeObject address */
	__u64 id;        /* rt_profile_code_id() of the object at that address */
	__u64 globals;   /* the globals of a frame that ran it (its module) */
	__u64 mask;      /* slots of the functions it is */
};

/* The code objects met so far, by address. */
struct pf_codetab;

struct pf_codetab *pf_codetab_new(void);
void pf_codetab_free(struct pf_codetab *t);
struct pf_code_ent *pf_codetab_get(struct pf_codetab *t, __u64 code);
/* The entry of @code, added (zeroed but for code) if absent; NULL on ENOMEM. */
struct pf_code_ent *pf_codetab_put(struct pf_codetab *t, __u64 code, bool *added);
size_t pf_codetab_count(const struct pf_codetab *t);
struct pf_code_ent *pf_codetab_at(struct pf_codetab *t, size_t i);

/* The identity (rt_profile_code_id) of the code object at @code, read
 * now.  0 or -errno. */
int pf_py_code_id(struct pyreader *r, __u64 code, __u64 *id);

/* The entry of code object @code that the kernel saw with identity @id
 * in a frame of globals @globals: the one in @tab, else named now with
 * @r and matched against @fs (*@named then: tell the kernel).  An address
 * that holds another object now than the one named before is named again
 * (the reader's caches forgotten).  NULL if the object there is not the
 * one the kernel saw (any longer), or cannot be read. */
struct pf_code_ent *pf_codetab_name(struct pf_codetab *t, struct pyreader *r,
				    const struct pf_funcs *fs, __u64 code, __u64 id, __u64 globals,
				    bool *named);

/* What @r says code object @code is (strings owned by @r's caches);
 * @globals (0 if unknown) gives its module's name.  0 or -errno. */
int pf_py_describe(struct pyreader *r, __u64 code, __u64 globals, struct pf_pycode *out);

/* The slots of @fs's Python functions that code object @code is.  0, or
 * -errno (*@mask 0: not a code object that could be read). */
int pf_py_code_mask(struct pyreader *r, const struct pf_funcs *fs, __u64 code, __u64 globals,
		    __u64 *mask);

/* The slots of the functions on the Python stack from @frame down (at
 * most @max frames, as the kernel's walker: every frame counts, its
 * prologue too), each code object named once through @tab (NULL: named
 * every time).  0 or -errno (a frame that could not be read: *@mask has
 * the frames above it). */
int pf_py_stack_mask(struct pyreader *r, const struct pf_funcs *fs, struct pf_codetab *tab,
		     __u64 frame, size_t max, __u64 *mask);

#endif
